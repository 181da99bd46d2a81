# Copyright: corp.infra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""DynamoDB table logic for corp.infra.dynamodb_table: the CreateTable request, and the calls that bring a
described table to the wanted settings.

Plain values in, plain values out (unit tested without AWS). DynamoDB takes one kind of change per UpdateTable
call (throughput or billing mode, a stream change, one index created or deleted...), and keeps point-in-time
recovery and TTL behind their own APIs, so a change is a list of steps, applied in order with a wait for
ACTIVE between them.
"""

from __future__ import annotations

from typing import Any
from typing import Callable

# Wanted value meaning "the AWS-managed key alias/aws/dynamodb" (SSEType KMS without a key id).
AWS_MANAGED_KEY = "aws-managed"
DISABLED = "disabled"


class DynamoDBError(Exception):
    """A wanted setting DynamoDB cannot reach in place (message names the option and the rule)."""


_KEY_TYPE = dict(type="str", choices=["S", "N", "B"], default="S")
# corp.infra.dynamodb_table's options: the module validates its parameters with them, and table_drift normalises the
# role's desired options with them, so that both compare the same values.
ARGUMENT_SPEC = dict(
    name=dict(type="str", required=True),
    state=dict(type="str", choices=["present", "absent"], default="present"),
    hash_key_name=dict(type="str"),
    hash_key_type=_KEY_TYPE,
    range_key_name=dict(type="str"),
    range_key_type=_KEY_TYPE,
    billing_mode=dict(type="str", choices=["PAY_PER_REQUEST", "PROVISIONED"], default="PAY_PER_REQUEST"),
    read_capacity=dict(type="int"),
    write_capacity=dict(type="int"),
    autoscaled_capacity=dict(type="bool", default=False),
    global_secondary_indexes=dict(
        type="list",
        elements="dict",
        options=dict(
            name=dict(type="str", required=True),
            hash_key_name=dict(type="str", required=True),
            hash_key_type=_KEY_TYPE,
            range_key_name=dict(type="str"),
            range_key_type=_KEY_TYPE,
            projection=dict(type="str", choices=["ALL", "KEYS_ONLY", "INCLUDE"], default="ALL"),
            non_key_attributes=dict(type="list", elements="str", no_log=False),
            read_capacity=dict(type="int"),
            write_capacity=dict(type="int"),
        ),
    ),
    table_class=dict(type="str", choices=["STANDARD", "STANDARD_INFREQUENT_ACCESS"]),
    kms_key_arn=dict(type="str", no_log=False),
    deletion_protection=dict(type="bool"),
    point_in_time_recovery=dict(type="bool"),
    ttl_attribute_name=dict(type="str", no_log=False),
    stream_view_type=dict(type="str", choices=["disabled", "KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"]),
    disable_deletion_protection=dict(type="bool", default=False),
    wait=dict(type="bool", default=True),
    wait_timeout=dict(type="int", default=600),
    tags=dict(type="dict", aliases=["resource_tags"]),
    purge_tags=dict(type="bool", default=True),
)


def _key_schema(hash_name: str, range_name: str | None) -> list[dict[str, str]]:
    schema = [{"AttributeName": hash_name, "KeyType": "HASH"}]
    if range_name:
        schema.append({"AttributeName": range_name, "KeyType": "RANGE"})
    return schema


def _index(index: dict[str, Any], billing_mode: str) -> dict[str, Any]:
    projection: dict[str, Any] = {"ProjectionType": index.get("projection") or "ALL"}
    if projection["ProjectionType"] == "INCLUDE":
        projection["NonKeyAttributes"] = list(index.get("non_key_attributes") or [])
    request = {"IndexName": index["name"], "KeySchema": _key_schema(index["hash_key_name"], index.get("range_key_name")), "Projection": projection}
    if billing_mode == "PROVISIONED":
        request["ProvisionedThroughput"] = {"ReadCapacityUnits": index.get("read_capacity") or 1, "WriteCapacityUnits": index.get("write_capacity") or 1}
    return request


def attribute_definitions(params: dict[str, Any], indexes: list[dict[str, Any]] | None = None) -> list[dict[str, str]]:
    """Every key attribute of the table and of ``indexes`` (all of the wanted ones by default), with its type."""
    types: dict[str, str] = {params["hash_key_name"]: params.get("hash_key_type") or "S"}
    if params.get("range_key_name"):
        types[params["range_key_name"]] = params.get("range_key_type") or "S"
    for index in params.get("global_secondary_indexes") or [] if indexes is None else indexes:
        for role in ("hash", "range"):
            name = index.get(f"{role}_key_name")
            if not name:
                continue
            kind = index.get(f"{role}_key_type") or "S"
            if types.setdefault(name, kind) != kind:
                raise DynamoDBError(f"attribute {name} is typed {types[name]} and {kind}: one attribute has one type")
    return [{"AttributeName": name, "AttributeType": kind} for name, kind in types.items()]


def _sse(kms_key_arn: str | None) -> dict[str, Any]:
    # SSEType KMS without a key id is the AWS-managed key alias/aws/dynamodb (DynamoDB API reference, SSESpecification).
    spec: dict[str, Any] = {"Enabled": True, "SSEType": "KMS"}
    if kms_key_arn and kms_key_arn != AWS_MANAGED_KEY:
        spec["KMSMasterKeyId"] = kms_key_arn
    return spec


def _stream(view_type: str) -> dict[str, Any]:
    if view_type == DISABLED:
        return {"StreamEnabled": False}
    return {"StreamEnabled": True, "StreamViewType": view_type}


def create_request(params: dict[str, Any], tags: list[dict[str, str]]) -> dict[str, Any]:
    """CreateTable: encrypted with the wanted key and protected from the first call."""
    if not params.get("hash_key_name"):
        raise DynamoDBError(f"hash_key_name is required to create table {params['name']}")
    billing_mode = params.get("billing_mode") or "PAY_PER_REQUEST"
    request: dict[str, Any] = {
        "TableName": params["name"],
        "AttributeDefinitions": attribute_definitions(params),
        "KeySchema": _key_schema(params["hash_key_name"], params.get("range_key_name")),
        "BillingMode": billing_mode,
        "SSESpecification": _sse(params.get("kms_key_arn")),
    }
    if billing_mode == "PROVISIONED":
        request["ProvisionedThroughput"] = {"ReadCapacityUnits": params.get("read_capacity") or 1, "WriteCapacityUnits": params.get("write_capacity") or 1}
    if params.get("global_secondary_indexes"):
        request["GlobalSecondaryIndexes"] = [_index(i, billing_mode) for i in params["global_secondary_indexes"]]
    if params.get("deletion_protection") is not None:
        request["DeletionProtectionEnabled"] = params["deletion_protection"]
    if params.get("stream_view_type") not in (None, DISABLED):
        request["StreamSpecification"] = _stream(params["stream_view_type"])
    if params.get("table_class"):
        request["TableClass"] = params["table_class"]
    if tags:
        request["Tags"] = tags
    return request


def _key_names(reads: dict[str, Any]) -> dict[str, str]:
    return {k["KeyType"]: k["AttributeName"] for k in reads["table"].get("KeySchema", [])}


def _key_type(kind: str) -> Callable[[dict[str, Any]], str | None]:
    def read(reads: dict[str, Any]) -> str | None:
        name = _key_names(reads).get(kind)
        types = {a["AttributeName"]: a["AttributeType"] for a in reads["table"].get("AttributeDefinitions", [])}
        return types.get(name) if name else None

    return read


def _billing_mode(reads: dict[str, Any]) -> str:
    return (reads["table"].get("BillingModeSummary") or {}).get("BillingMode") or "PROVISIONED"


def _capacity(field: str) -> Callable[[dict[str, Any]], int | None]:
    return lambda reads: (reads["table"].get("ProvisionedThroughput") or {}).get(field) if _billing_mode(reads) == "PROVISIONED" else None


def _kms_key_arn(reads: dict[str, Any]) -> str | None:
    sse = reads["table"].get("SSEDescription") or {}
    # No SSEDescription: the AWS-owned key, which is never what corp.infra asks for.
    if sse.get("Status") not in ("ENABLED", "UPDATING"):
        return None
    return AWS_MANAGED_KEY if reads["key_is_aws_managed"] else sse.get("KMSMasterKeyArn")


def _stream_view_type(reads: dict[str, Any]) -> str:
    stream = reads["table"].get("StreamSpecification") or {}
    return stream.get("StreamViewType") if stream.get("StreamEnabled") else DISABLED


def _ttl_attribute_name(reads: dict[str, Any]) -> str:
    description = (reads["ttl"] or {}).get("TimeToLiveDescription") or {}
    return description.get("AttributeName", "") if description.get("TimeToLiveStatus") in ("ENABLED", "ENABLING") else ""


def _indexes(reads: dict[str, Any]) -> dict[str, dict[str, Any]]:
    indexes = {}
    for index in reads["table"].get("GlobalSecondaryIndexes") or []:
        index_keys = {k["KeyType"]: k["AttributeName"] for k in index["KeySchema"]}
        indexes[index["IndexName"]] = {"hash_key_name": index_keys.get("HASH"), "range_key_name": index_keys.get("RANGE"), **_projection(index)}
    return indexes


# How a setting is applied to a table that exists: FIXED (DynamoDB cannot change it; the module refuses), UpdateTable,
# UpdateContinuousBackups, UpdateTimeToLive.
FIXED, UPDATE_TABLE, CONTINUOUS_BACKUPS, TIME_TO_LIVE = "fixed at creation", "update_table", "continuous_backups", "time_to_live"

# The table's settings, one row each: corp.infra.dynamodb_table's option -> (how a change is applied, how the live
# value is read from DescribeTable ("table"), DescribeContinuousBackups ("pitr"), DescribeTimeToLive ("ttl") and
# whether the key is the AWS-managed one). current_settings reads every row; wanted_settings normalises the options
# to the same values and update_steps compares them, for the module and for the role's drift check alike. The tags
# are compared by amazon.aws's compare_aws_tags (purge_tags). test_dynamodb.py changes each row alone.
TABLE_SETTINGS: dict[str, tuple[str, Callable[[dict[str, Any]], Any]]] = {
    "hash_key_name": (FIXED, lambda reads: _key_names(reads).get("HASH")),
    "hash_key_type": (FIXED, _key_type("HASH")),
    "range_key_name": (FIXED, lambda reads: _key_names(reads).get("RANGE")),
    "range_key_type": (FIXED, _key_type("RANGE")),
    "billing_mode": (UPDATE_TABLE, _billing_mode),
    "read_capacity": (UPDATE_TABLE, _capacity("ReadCapacityUnits")),
    "write_capacity": (UPDATE_TABLE, _capacity("WriteCapacityUnits")),
    "table_class": (UPDATE_TABLE, lambda reads: (reads["table"].get("TableClassSummary") or {}).get("TableClass") or "STANDARD"),
    "kms_key_arn": (UPDATE_TABLE, _kms_key_arn),
    "deletion_protection": (UPDATE_TABLE, lambda reads: bool(reads["table"].get("DeletionProtectionEnabled"))),
    "stream_view_type": (UPDATE_TABLE, _stream_view_type),
    "global_secondary_indexes": (UPDATE_TABLE, _indexes),
    "point_in_time_recovery": (
        CONTINUOUS_BACKUPS,
        lambda reads: ((reads["pitr"] or {}).get("PointInTimeRecoveryDescription") or {}).get("PointInTimeRecoveryStatus") == "ENABLED",
    ),
    "ttl_attribute_name": (TIME_TO_LIVE, _ttl_attribute_name),
}


def current_settings(table: dict[str, Any], pitr: dict[str, Any] | None, ttl: dict[str, Any] | None, key_is_aws_managed: bool) -> dict[str, Any]:
    """The managed settings of a DescribeTable result (plus DescribeContinuousBackups / DescribeTimeToLive): TABLE_SETTINGS."""
    reads = {"table": table, "pitr": pitr, "ttl": ttl, "key_is_aws_managed": key_is_aws_managed}
    return {option: read(reads) for option, (_applied, read) in TABLE_SETTINGS.items()}


def _projection(index: dict[str, Any]) -> dict[str, Any]:
    projection = index.get("Projection") or {}
    return {"projection": projection.get("ProjectionType", "ALL"), "non_key_attributes": sorted(projection.get("NonKeyAttributes") or [])}


def wanted_settings(params: dict[str, Any]) -> dict[str, Any]:
    """The managed settings ``params`` asks for; None where an option is left unmanaged."""
    billing_mode = params.get("billing_mode") or "PAY_PER_REQUEST"
    provisioned = billing_mode == "PROVISIONED"
    indexes = None
    if params.get("global_secondary_indexes") is not None:
        indexes = {
            i["name"]: {
                "hash_key_name": i["hash_key_name"],
                "range_key_name": i.get("range_key_name"),
                "projection": i.get("projection") or "ALL",
                "non_key_attributes": sorted(i.get("non_key_attributes") or []),
            }
            for i in params["global_secondary_indexes"]
        }
    return {
        "hash_key_name": params.get("hash_key_name"),
        "hash_key_type": (params.get("hash_key_type") or "S") if params.get("hash_key_name") else None,
        "range_key_name": params.get("range_key_name"),
        "range_key_type": (params.get("range_key_type") or "S") if params.get("range_key_name") else None,
        "billing_mode": billing_mode,
        "read_capacity": (params.get("read_capacity") or 1) if provisioned else None,
        "write_capacity": (params.get("write_capacity") or 1) if provisioned else None,
        "table_class": params.get("table_class"),
        "kms_key_arn": params.get("kms_key_arn") or AWS_MANAGED_KEY,
        "deletion_protection": params.get("deletion_protection"),
        "stream_view_type": params.get("stream_view_type"),
        "point_in_time_recovery": params.get("point_in_time_recovery"),
        "ttl_attribute_name": params.get("ttl_attribute_name"),
        "global_secondary_indexes": indexes,
    }


def update_steps(params: dict[str, Any], current: dict[str, Any]) -> tuple[list[tuple[str, dict[str, Any]]], dict[str, Any], dict[str, Any]]:
    """(steps, before, after). A step is ("update_table" | "continuous_backups" | "time_to_live", request without the table name)."""
    wanted = wanted_settings(params)
    for option in ("hash_key_name", "hash_key_type", "range_key_name", "range_key_type"):
        if params.get("hash_key_name") and wanted[option] != current[option]:
            raise DynamoDBError(
                f"{option} is {current[option]!r} on table {params['name']} and DynamoDB cannot change a table's key schema (wanted {wanted[option]!r})"
            )
    steps: list[tuple[str, dict[str, Any]]] = []
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}

    def differs(option: str) -> bool:
        if wanted[option] is None or wanted[option] == current[option]:
            return False
        before[option], after[option] = current[option], wanted[option]
        return True

    if params.get("autoscaled_capacity") and current["billing_mode"] == "PROVISIONED":
        # Application Auto Scaling owns the capacity now; resetting it would undo the scaling.
        wanted["read_capacity"] = wanted["write_capacity"] = None
    throughput = differs("read_capacity") | differs("write_capacity")
    if differs("billing_mode") or throughput:
        request: dict[str, Any] = {"BillingMode": wanted["billing_mode"]}
        if wanted["billing_mode"] == "PROVISIONED":
            request["ProvisionedThroughput"] = {"ReadCapacityUnits": wanted["read_capacity"], "WriteCapacityUnits": wanted["write_capacity"]}
        steps.append(("update_table", request))
    if differs("table_class"):
        steps.append(("update_table", {"TableClass": wanted["table_class"]}))
    if differs("kms_key_arn"):
        steps.append(("update_table", {"SSESpecification": _sse(wanted["kms_key_arn"])}))
    if differs("deletion_protection"):
        steps.append(("update_table", {"DeletionProtectionEnabled": wanted["deletion_protection"]}))
    if differs("stream_view_type"):
        if current["stream_view_type"] != DISABLED:
            # A stream's view type cannot change while it is on: turn it off first.
            steps.append(("update_table", {"StreamSpecification": _stream(DISABLED)}))
        if wanted["stream_view_type"] != DISABLED:
            steps.append(("update_table", {"StreamSpecification": _stream(wanted["stream_view_type"])}))
    steps.extend(_index_steps(params, wanted, current, before, after))
    if differs("point_in_time_recovery"):
        steps.append(("continuous_backups", {"PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": wanted["point_in_time_recovery"]}}))
    if differs("ttl_attribute_name"):
        if current["ttl_attribute_name"] and wanted["ttl_attribute_name"]:
            raise DynamoDBError(
                f"ttl_attribute_name is {current['ttl_attribute_name']!r} on table {params['name']}: DynamoDB changes it only by disabling TTL "
                "(ttl_attribute_name: '') and enabling it again at least an hour later"
            )
        name = wanted["ttl_attribute_name"] or current["ttl_attribute_name"]
        steps.append(("time_to_live", {"TimeToLiveSpecification": {"Enabled": bool(wanted["ttl_attribute_name"]), "AttributeName": name}}))
    return steps, before, after


def _index_steps(
    params: dict[str, Any], wanted: dict[str, Any], current: dict[str, Any], before: dict[str, Any], after: dict[str, Any]
) -> list[tuple[str, dict[str, Any]]]:
    """One UpdateTable per index created or deleted (DynamoDB's rule); a changed index is an error."""
    if wanted["global_secondary_indexes"] is None:
        return []
    steps: list[tuple[str, dict[str, Any]]] = []
    have, want = current["global_secondary_indexes"], wanted["global_secondary_indexes"]
    by_name = {i["name"]: i for i in params.get("global_secondary_indexes") or []}
    for name in sorted(set(have) & set(want)):
        if have[name] != want[name]:
            raise DynamoDBError(
                f"global secondary index {name} differs ({have[name]} != {want[name]}): DynamoDB cannot change an index; rename it to replace it"
            )
    for name in sorted(set(have) - set(want)):
        steps.append(("update_table", {"GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": name}}]}))
    billing_mode = wanted["billing_mode"]
    for name in sorted(set(want) - set(have)):
        index = by_name[name]
        steps.append(
            (
                "update_table",
                {
                    "AttributeDefinitions": attribute_definitions(params, [index]),
                    "GlobalSecondaryIndexUpdates": [{"Create": _index(index, billing_mode)}],
                },
            )
        )
    if set(have) != set(want):
        before["global_secondary_indexes"], after["global_secondary_indexes"] = sorted(have), sorted(want)
    return steps


def table_drift(state: dict[str, Any], desired: dict[str, Any]) -> dict[str, str]:
    """{"table": reason} when the table read by corp.infra.dynamodb_state_info differs from ``desired`` (the options
    the role passes corp.infra.dynamodb_table), else {}.

    The same comparison as the module's: its argument spec fills the defaults, and current_settings / update_steps
    decide, so the role skips the module exactly when the module would change nothing.
    """
    from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

    validated = ArgumentSpecValidator(ARGUMENT_SPEC).validate(desired)
    if validated.error_messages:
        raise ValueError("; ".join(validated.error_messages))
    params = validated.validated_parameters
    table = state.get("table") or {}
    if not table:
        return {"table": "missing"}
    if table.get("TableStatus") != "ACTIVE":
        return {"table": f"status {table.get('TableStatus')}"}
    current = current_settings(table, state.get("continuous_backups"), state.get("ttl"), bool(state.get("key_is_aws_managed")))
    try:
        steps, before, _after = update_steps(params, current)
    except DynamoDBError as error:
        return {"table": str(error)}  # the module fails with the same reason
    reasons = (sorted(before) or ["settings"]) if steps else []
    if params.get("tags") is not None:
        from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags

        to_set, to_unset = compare_aws_tags(state.get("tags") or {}, params["tags"], params.get("purge_tags"))
        if to_set or to_unset:
            reasons.append("tags")  # with the settings that differ: every differing row is listed
    return {"table": ", ".join(reasons)} if reasons else {}
