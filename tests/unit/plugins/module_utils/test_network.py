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


def test_the_private_nacl_admits_the_vpc_and_https_to_the_endpoint_services_only():
    from ansible_collections.corp.infra.plugins.module_utils.network import private_nacl_rules

    rules = private_nacl_rules("10.20.0.0/16", {"s3": ["52.216.0.0/15", "3.5.0.0/19"], "dynamodb": ["3.218.180.0/22"]})
    assert rules["ingress"] == [
        [100, "all", "allow", "10.20.0.0/16", None, None, None, None],
        [110, "tcp", "allow", "3.218.180.0/22", None, None, 1024, 65535],
        [120, "tcp", "allow", "3.5.0.0/19", None, None, 1024, 65535],
        [130, "tcp", "allow", "52.216.0.0/15", None, None, 1024, 65535],
    ]
    assert [r[:4] + r[6:] for r in rules["egress"][1:]] == [
        [110, "tcp", "allow", "3.218.180.0/22", 443, 443],
        [120, "tcp", "allow", "3.5.0.0/19", 443, 443],
        [130, "tcp", "allow", "52.216.0.0/15", 443, 443],
    ]
    assert not [r for r in rules["ingress"] + rules["egress"] if r[3] == "0.0.0.0/0"]


def test_the_private_nacl_refuses_what_it_cannot_hold():
    from ansible_collections.corp.infra.plugins.module_utils.network import private_nacl_rules

    many = {"s3": [f"52.{i}.0.0/16" for i in range(20)]}
    with pytest.raises(ValueError, match="20 CIDRs; with the VPC's rule that is more than the 20 rules"):
        private_nacl_rules("10.20.0.0/16", many)
    assert len(private_nacl_rules("10.20.0.0/16", many, 40)["ingress"]) == 21
    with pytest.raises(ValueError, match=r"0\.0\.0\.0/0"):
        private_nacl_rules("10.20.0.0/16", {"s3": ["0.0.0.0/0"]})


def test_a_gateway_endpoint_service_without_a_prefix_list_is_refused():
    from ansible_collections.corp.infra.plugins.module_utils.network import private_nacl_rules

    with pytest.raises(ValueError, match="no AWS-managed prefix list with CIDRs for dynamodb in this region"):
        private_nacl_rules("10.20.0.0/16", {"s3": ["52.216.0.0/15"], "dynamodb": []}, services=["s3", "dynamodb"])
    assert private_nacl_rules("10.20.0.0/16", {"s3": ["52.216.0.0/15"]}, services=["s3"])["egress"][1][3] == "52.216.0.0/15"
