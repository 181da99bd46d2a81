"""The drift filters: a comparison of plain JSON values, and one filter error naming the filter for bad input."""

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.corp.infra.plugins.filter.dynamodb import FilterModule as DynamodbFilters
from ansible_collections.corp.infra.plugins.filter.iam import FilterModule as IamFilters
from ansible_collections.corp.infra.plugins.filter.network import FilterModule as NetworkFilters
from ansible_collections.corp.infra.plugins.filter.network import every_network_part
from ansible_collections.corp.infra.plugins.filter.rds import FilterModule as RdsFilters
from ansible_collections.corp.infra.plugins.filter.s3 import FilterModule as S3Filters
from ansible_collections.corp.infra.plugins.module_utils.network_state import PARTS as NETWORK_PARTS
from ansible_collections.corp.infra.plugins.plugin_utils.drift_filter import NOT_SKIPPED

FILTERS = {**IamFilters().filters(), **NetworkFilters().filters(), **RdsFilters().filters(), **S3Filters().filters()}


def test_a_missing_resource_differs_through_the_filter():
    assert FILTERS["iam_drift"]({"roles": {}}, {"r": {"kind": "role", "name": "r", "description": "d", "trust_policy": {}, "tags": {}}}) == {"r": "missing"}
    assert FILTERS["rds_drift"]({}, {"instance": {"db_instance_identifier": "db"}}) == {"instance": "missing"}


@pytest.mark.parametrize(
    "name, state, desired",
    [
        ("network_drift", {}, {"vpc": {}}),
        ("s3_drift", {"buckets": []}, {"x": {"kind": "bucket"}}),
        ("iam_drift", {}, {"x": {"kind": "group"}}),
        ("rds_drift", {}, {"x": {}}),
    ],
)
def test_bad_input_is_one_error_naming_the_filter(name, state, desired):
    with pytest.raises(AnsibleFilterError, match=f"^corp.infra.{name}: incomplete or invalid input"):
        FILTERS[name](state, desired)


def test_with_skip_unchanged_false_every_part_differs_and_real_reasons_stay():
    # The contract switch: the role then calls every module, and the parts that truly differ keep their reason.
    desired = {
        "in_sync": {"kind": "role", "name": "a", "description": "d", "trust_policy": {}, "tags": {}},
        "missing": {"kind": "role", "name": "b", "description": "d", "trust_policy": {}, "tags": {}},
    }
    state = {"roles": {"a": {"RoleName": "a", "Description": "d", "AssumeRolePolicyDocument": {}, "Tags": []}}}
    assert FILTERS["iam_drift"](state, desired) == {"missing": "missing"}
    assert FILTERS["iam_drift"](state, desired, skip_unchanged=False) == {"in_sync": NOT_SKIPPED, "missing": "missing"}
    assert FILTERS["iam_drift"](state, desired, skip_unchanged=True) == {"missing": "missing"}


def test_the_network_switch_names_every_network_part_and_keeps_the_ids_found():
    found = {"differs": {"vpc": "missing"}, "vpc_id": "", "subnet_ids": ["subnet-1"]}
    forced = every_network_part(found, {"vpc": {}})
    assert forced["subnet_ids"] == ["subnet-1"] and forced["differs"]["vpc"] == "missing"
    assert set(forced["differs"]) == set(NETWORK_PARTS) - {"nacl"}
    assert "nacl" in every_network_part(found, {"nacl": {}})["differs"]


def test_the_dynamodb_switch_calls_the_table_module_on_a_table_in_sync():
    from tests.unit.plugins.module_utils.test_dynamodb import DESIRED
    from tests.unit.plugins.module_utils.test_dynamodb import live

    drift = DynamodbFilters().filters()["dynamodb_drift"]
    assert drift(live(), DESIRED) == {}
    assert drift(live(), DESIRED, skip_unchanged=False) == {"table": NOT_SKIPPED}
    assert drift(live(table={}), DESIRED, skip_unchanged=False) == {"table": "missing"}


def test_skip_unchanged_must_be_a_boolean():
    # "false" from -e without | bool would be truthy: the roles pass a boolean, and the filter refuses anything else.
    with pytest.raises(AnsibleFilterError, match=r"^corp.infra.rds_drift: skip_unchanged must be a boolean, got 'false'$"):
        FILTERS["rds_drift"]({}, {"instance": {"db_instance_identifier": "db"}}, skip_unchanged="false")
