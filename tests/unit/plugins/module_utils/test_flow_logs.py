import pytest

from ansible_collections.corp.infra.plugins.module_utils.flow_logs import create_request
from ansible_collections.corp.infra.plugins.module_utils.flow_logs import find_flow_log
from ansible_collections.corp.infra.plugins.module_utils.flow_logs import immutable_differences
from ansible_collections.corp.infra.plugins.module_utils.flow_logs import planned_tags
from ansible_collections.corp.infra.plugins.module_utils.flow_logs import planned_view
from ansible_collections.corp.infra.plugins.module_utils.flow_logs import resource_type_of

ROLE = "arn:aws:iam::111122223333:role/corp-iam-flowlogs-prod"
LIVE = {
    "FlowLogId": "fl-1",
    "ResourceId": "vpc-1",
    "TrafficType": "ALL",
    "LogDestinationType": "cloud-watch-logs",
    "LogGroupName": "corp-vpc-flowlogs-prod",
    "LogDestination": "arn:aws:logs:ap-south-1:111122223333:log-group:corp-vpc-flowlogs-prod",
    "DeliverLogsPermissionArn": ROLE,
    "MaxAggregationInterval": 600,
    "LogFormat": "${version} ${srcaddr}",
}
PARAMS = {
    "resource_id": "vpc-1",
    "traffic_type": "ALL",
    "log_destination_type": "cloud-watch-logs",
    "log_group_name": "corp-vpc-flowlogs-prod",
    "log_destination": None,
    "deliver_logs_permission_arn": ROLE,
    "max_aggregation_interval": None,
    "log_format": None,
    "tags": {"Name": "corp-vpc-flowlogs-prod"},
}


def test_finds_the_flow_log_by_resource_and_destination():
    other_destination = dict(LIVE, FlowLogId="fl-2", LogGroupName="elsewhere")
    other_resource = dict(LIVE, FlowLogId="fl-3", ResourceId="vpc-2")
    assert find_flow_log([other_destination, other_resource, LIVE], PARAMS)["FlowLogId"] == "fl-1"
    assert find_flow_log([other_destination, other_resource], PARAMS) is None


def test_finds_s3_flow_logs_by_destination_arn():
    s3 = dict(LIVE, LogDestinationType="s3", LogGroupName=None, LogDestination="arn:aws:s3:::corp-s3-logs-prod")
    params = dict(PARAMS, log_destination_type="s3", log_group_name=None, log_destination="arn:aws:s3:::corp-s3-logs-prod")
    assert find_flow_log([s3], params) is s3


def test_unset_options_leave_live_settings_alone():
    assert immutable_differences(PARAMS, LIVE) == {}


@pytest.mark.parametrize(
    ("change", "option"),
    [
        ({"traffic_type": "REJECT"}, "traffic_type"),
        ({"max_aggregation_interval": 60}, "max_aggregation_interval"),
        ({"deliver_logs_permission_arn": "arn:aws:iam::111122223333:role/other"}, "deliver_logs_permission_arn"),
        ({"log_format": "${srcaddr}"}, "log_format"),
    ],
)
def test_a_changed_setting_is_an_immutable_difference(change, option):
    differences = immutable_differences(dict(PARAMS, **change), LIVE)
    assert list(differences) == [option]
    assert differences[option][1] == change[option]


def test_create_request_sends_only_what_is_set():
    request = create_request(PARAMS, "VPC")
    assert request == {
        "ResourceIds": ["vpc-1"],
        "ResourceType": "VPC",
        "TrafficType": "ALL",
        "LogDestinationType": "cloud-watch-logs",
        "LogGroupName": "corp-vpc-flowlogs-prod",
        "DeliverLogsPermissionArn": ROLE,
    }


@pytest.mark.parametrize(("resource_id", "kind"), [("vpc-1", "VPC"), ("subnet-1", "Subnet"), ("eni-1", "NetworkInterface")])
def test_resource_type_of(resource_id, kind):
    assert resource_type_of(resource_id) == kind


def test_resource_type_of_refuses_other_ids():
    with pytest.raises(ValueError, match="must be a VPC, subnet or network interface id"):
        resource_type_of("sg-1")


def test_planned_view_and_tags():
    assert planned_view(PARAMS) == {
        "resource_id": "vpc-1",
        "traffic_type": "ALL",
        "log_destination_type": "cloud-watch-logs",
        "log_group_name": "corp-vpc-flowlogs-prod",
        "deliver_logs_permission_arn": ROLE,
        "tags": {"Name": "corp-vpc-flowlogs-prod"},
    }
    assert planned_tags({"A": "1"}, {"B": "2"}, purge=True) == {"B": "2"}
    assert planned_tags({"A": "1"}, {"B": "2"}, purge=False) == {"A": "1", "B": "2"}
    assert planned_tags({"A": "1"}, None, purge=True) == {"A": "1"}
