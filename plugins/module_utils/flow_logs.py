# Copyright: corp.infra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""VPC flow log logic for corp.infra.ec2_vpc_flow_log: what a flow log should be, and how one differs.

Plain values in, plain values out (unit tested without AWS). AWS has no ModifyFlowLog: every setting
but the tags is fixed at creation, so a difference in one of them means delete and recreate.
"""

from __future__ import annotations

from typing import Any

# Settings fixed at creation, as module option -> DescribeFlowLogs field.
IMMUTABLE_FIELDS = {
    "resource_id": "ResourceId",
    "traffic_type": "TrafficType",
    "log_destination_type": "LogDestinationType",
    "log_group_name": "LogGroupName",
    "log_destination": "LogDestination",
    "deliver_logs_permission_arn": "DeliverLogsPermissionArn",
    "max_aggregation_interval": "MaxAggregationInterval",
    "log_format": "LogFormat",
}


def destination_of(params: dict[str, Any]) -> tuple[str, str | None]:
    """The key that identifies a flow log of a resource: AWS refuses two with the same destination."""
    if params.get("log_destination_type", "cloud-watch-logs") == "cloud-watch-logs" and params.get("log_group_name"):
        return ("log-group-name", params["log_group_name"])
    return ("log-destination", params.get("log_destination"))


def find_flow_log(flow_logs: list[dict[str, Any]], params: dict[str, Any]) -> dict[str, Any] | None:
    """The flow log of ``params['resource_id']`` that delivers to the same destination, if any."""
    kind, value = destination_of(params)
    for flow_log in flow_logs:
        if flow_log.get("ResourceId") != params["resource_id"]:
            continue
        current = flow_log.get("LogGroupName") if kind == "log-group-name" else flow_log.get("LogDestination")
        if current == value:
            return flow_log
    return None


def immutable_differences(params: dict[str, Any], current: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Settings the user set that differ from the live flow log: option -> (live, wanted).

    An option left unset means "leave it alone", except that AWS fills defaults at creation.
    """
    differences = {}
    for option, field in IMMUTABLE_FIELDS.items():
        wanted = params.get(option)
        if wanted is None:
            continue
        live = current.get(field)
        if option == "log_destination" and params.get("log_destination_type", "cloud-watch-logs") == "cloud-watch-logs" and params.get("log_group_name"):
            continue  # AWS derives the log group ARN from the name
        if live != wanted:
            differences[option] = (live, wanted)
    return differences


def create_request(params: dict[str, Any], resource_type: str) -> dict[str, Any]:
    """The CreateFlowLogs request for ``params`` (tags added by the caller)."""
    request: dict[str, Any] = {
        "ResourceIds": [params["resource_id"]],
        "ResourceType": resource_type,
        "TrafficType": params.get("traffic_type") or "ALL",
        "LogDestinationType": params.get("log_destination_type") or "cloud-watch-logs",
    }
    optional = {
        "log_group_name": "LogGroupName",
        "log_destination": "LogDestination",
        "deliver_logs_permission_arn": "DeliverLogsPermissionArn",
        "max_aggregation_interval": "MaxAggregationInterval",
        "log_format": "LogFormat",
    }
    for option, field in optional.items():
        if params.get(option) is not None:
            request[field] = params[option]
    return request


def resource_type_of(resource_id: str) -> str:
    """CreateFlowLogs' ResourceType for an id: vpc-, subnet- or eni-."""
    for prefix, resource_type in (("vpc-", "VPC"), ("subnet-", "Subnet"), ("eni-", "NetworkInterface")):
        if resource_id.startswith(prefix):
            return resource_type
    raise ValueError(f"resource_id must be a VPC, subnet or network interface id (got {resource_id!r})")


def planned_view(params: dict[str, Any]) -> dict[str, Any]:
    """What a flow log created from ``params`` will look like, in the module's snake-case result shape."""
    view = {option: params[option] for option in IMMUTABLE_FIELDS if params.get(option) is not None}
    view["tags"] = dict(params.get("tags") or {})
    return view


def planned_tags(current: dict[str, str], wanted: dict[str, str] | None, purge: bool) -> dict[str, str]:
    """The tags a flow log will carry once ``wanted`` is applied (None leaves them alone)."""
    if wanted is None:
        return dict(current)
    return dict(wanted) if purge else {**current, **wanted}
