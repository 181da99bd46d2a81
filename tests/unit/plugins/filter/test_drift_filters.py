"""The drift filters: a comparison of plain JSON values, and one filter error naming the filter for bad input."""

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.corp.infra.plugins.filter.iam import FilterModule as IamFilters
from ansible_collections.corp.infra.plugins.filter.network import FilterModule as NetworkFilters
from ansible_collections.corp.infra.plugins.filter.rds import FilterModule as RdsFilters
from ansible_collections.corp.infra.plugins.filter.s3 import FilterModule as S3Filters

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
