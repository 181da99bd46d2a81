import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.corp.infra.plugins.filter.network import FilterModule

ZONES = [{"zone_name": f"ap-south-1{c}", "state": "available", "zone_type": "availability-zone"} for c in "abc"]


def test_plan_derives_cidrs_from_the_vpc():
    plan = FilterModule().filters()["subnet_plan"](ZONES, "ap-south-1", "10.50.0.0/16", 3)
    assert [(s["az"], s["cidr"], s["suffix"]) for s in plan] == [
        ("ap-south-1a", "10.50.0.0/20", "a"),
        ("ap-south-1b", "10.50.16.0/20", "b"),
        ("ap-south-1c", "10.50.32.0/20", "c"),
    ]


def test_plan_uses_given_cidrs_and_fewer_azs_where_the_region_has_fewer():
    plan = FilterModule().filters()["subnet_plan"](ZONES[:2], "ap-south-1", "10.50.0.0/16", 3, ["10.50.1.0/24", "10.50.2.0/24"])
    assert [s["cidr"] for s in plan] == ["10.50.1.0/24", "10.50.2.0/24"]


def test_plan_errors_name_the_filter():
    with pytest.raises(AnsibleFilterError, match=r"corp\.infra\.subnet_plan: the region has 1 available AZ"):
        FilterModule().filters()["subnet_plan"](ZONES[:1], "ap-south-1", "10.50.0.0/16", 2)
