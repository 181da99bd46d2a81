import pytest

from ansible_collections.corp.infra.plugins.module_utils.network import choose_zones
from ansible_collections.corp.infra.plugins.module_utils.network import plan_subnets
from ansible_collections.corp.infra.plugins.module_utils.network import subnet_cidrs
from ansible_collections.corp.infra.plugins.module_utils.network import zone_suffix


def zone(name, state="available", zone_type="availability-zone"):
    return {"zone_name": name, "state": state, "zone_type": zone_type}


def test_subnet_cidrs_split_the_vpc_in_order():
    assert subnet_cidrs("10.0.0.0/16", 3) == ["10.0.0.0/20", "10.0.16.0/20", "10.0.32.0/20"]
    assert subnet_cidrs("10.20.0.0/24", 2, newbits=2) == ["10.20.0.0/26", "10.20.0.64/26"]


@pytest.mark.parametrize(
    ("args", "message"),
    [(("10.0.0.0/26", 2, 4), "/28 at the smallest"), (("10.0.0.0/16", 17, 4), "holds 16 subnets")],
)
def test_subnet_cidrs_refuse_what_cannot_fit(args, message):
    with pytest.raises(ValueError, match=message):
        subnet_cidrs(*args)


def test_choose_zones_takes_available_regular_azs_in_order():
    zones = [zone("ap-south-1c"), zone("ap-south-1a"), zone("ap-south-1b", state="impaired"), zone("ap-south-1-del-1a", zone_type="local-zone")]
    assert choose_zones(zones, 3) == ["ap-south-1a", "ap-south-1c"]
    assert choose_zones([*zones, zone("ap-south-1b")], 2) == ["ap-south-1a", "ap-south-1b"]


def test_choose_zones_needs_two():
    with pytest.raises(ValueError, match="has 1 available AZ"):
        choose_zones([zone("us-east-1a")], 2)


def test_zone_suffix_and_plan():
    assert zone_suffix("ap-south-1a", "ap-south-1") == "a"
    assert plan_subnets(["us-east-1a", "us-east-1b"], ["10.0.0.0/20", "10.0.16.0/20"], "us-east-1") == [
        {"az": "us-east-1a", "cidr": "10.0.0.0/20", "suffix": "a"},
        {"az": "us-east-1b", "cidr": "10.0.16.0/20", "suffix": "b"},
    ]
    with pytest.raises(ValueError, match="one CIDR per AZ"):
        plan_subnets(["us-east-1a"], ["10.0.0.0/20", "10.0.16.0/20"], "us-east-1")
