# Copyright: corp.infra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""RDS logic for corp.infra.rds_instance and corp.infra.rds_parameter_group.

Plain values in, plain values out (unit tested without AWS): the CreateDBInstance request, the
ModifyDBInstance request that brings a described instance to the wanted settings, and the
ModifyDBParameterGroup changes with the apply method each parameter's type allows.

No password ever passes through here: the master password is RDS-managed (ManageMasterUserPassword) from
the first call, and only the secret's ARN is read back.
"""

from __future__ import annotations

from typing import Any

from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags
from ansible_collections.corp.infra.plugins.module_utils.settings import row_reasons
from ansible_collections.corp.infra.plugins.module_utils.settings import tags_differ


class RdsError(Exception):
    """A wanted setting RDS cannot reach (message names the option and the rule)."""


# Module option -> (CreateDBInstance / ModifyDBInstance parameter, how to read it from DescribeDBInstances).
# Options left unset (None) are not managed.
SETTINGS: dict[str, tuple[str, Any]] = {
    "db_instance_class": ("DBInstanceClass", "DBInstanceClass"),
    "engine_version": ("EngineVersion", "EngineVersion"),
    "allocated_storage": ("AllocatedStorage", "AllocatedStorage"),
    "max_allocated_storage": ("MaxAllocatedStorage", "MaxAllocatedStorage"),
    "storage_type": ("StorageType", "StorageType"),
    "iops": ("Iops", "Iops"),
    "storage_throughput": ("StorageThroughput", "StorageThroughput"),
    "multi_az": ("MultiAZ", "MultiAZ"),
    "publicly_accessible": ("PubliclyAccessible", "PubliclyAccessible"),
    "vpc_security_group_ids": ("VpcSecurityGroupIds", lambda d: sorted(g["VpcSecurityGroupId"] for g in d.get("VpcSecurityGroups", []))),
    "db_parameter_group_name": ("DBParameterGroupName", lambda d: (d.get("DBParameterGroups") or [{}])[0].get("DBParameterGroupName")),
    # No endpoint while RDS creates the instance (DbInstancePort is 0 then): the port is unknown, not different.
    "port": ("DBPortNumber", lambda d: (d.get("Endpoint") or {}).get("Port") or d.get("DbInstancePort") or None),
    "ca_certificate_identifier": ("CACertificateIdentifier", "CACertificateIdentifier"),
    "monitoring_interval": ("MonitoringInterval", "MonitoringInterval"),
    "monitoring_role_arn": ("MonitoringRoleArn", "MonitoringRoleArn"),
    "enable_performance_insights": ("EnablePerformanceInsights", "PerformanceInsightsEnabled"),
    "performance_insights_retention_period": ("PerformanceInsightsRetentionPeriod", "PerformanceInsightsRetentionPeriod"),
    "performance_insights_kms_key_id": ("PerformanceInsightsKMSKeyId", "PerformanceInsightsKMSKeyId"),
    "enable_cloudwatch_logs_exports": ("EnableCloudwatchLogsExports", lambda d: sorted(d.get("EnabledCloudwatchLogsExports") or [])),
    "deletion_protection": ("DeletionProtection", "DeletionProtection"),
    "backup_retention_period": ("BackupRetentionPeriod", "BackupRetentionPeriod"),
    "preferred_backup_window": ("PreferredBackupWindow", "PreferredBackupWindow"),
    "preferred_maintenance_window": ("PreferredMaintenanceWindow", "PreferredMaintenanceWindow"),
    "copy_tags_to_snapshot": ("CopyTagsToSnapshot", "CopyTagsToSnapshot"),
    "auto_minor_version_upgrade": ("AutoMinorVersionUpgrade", "AutoMinorVersionUpgrade"),
    "enable_iam_database_authentication": ("EnableIAMDatabaseAuthentication", "IAMDatabaseAuthenticationEnabled"),
    "master_user_secret_kms_key_id": ("MasterUserSecretKmsKeyId", lambda d: (d.get("MasterUserSecret") or {}).get("KmsKeyId")),
}
# Settings RDS fixes at creation: a difference is an error, never a silent replacement of the database.
CREATE_ONLY: dict[str, tuple[str, Any]] = {
    "engine": ("Engine", "Engine"),
    "master_username": ("MasterUsername", "MasterUsername"),
    "db_name": ("DBName", "DBName"),
    "storage_encrypted": ("StorageEncrypted", "StorageEncrypted"),
    "kms_key_id": ("KmsKeyId", "KmsKeyId"),
    "db_subnet_group_name": ("DBSubnetGroupName", lambda d: (d.get("DBSubnetGroup") or {}).get("DBSubnetGroupName")),
}
REQUIRED_TO_CREATE = ("engine", "engine_version", "db_instance_class", "allocated_storage", "master_username")
# ModifyDBInstance changes RDS holds until the maintenance window unless applied immediately, as
# PendingModifiedValues names them.
PENDING_FIELDS = {
    "db_instance_class": "DBInstanceClass",
    "engine_version": "EngineVersion",
    "allocated_storage": "AllocatedStorage",
    "storage_type": "StorageType",
    "iops": "Iops",
    "storage_throughput": "StorageThroughput",
    "multi_az": "MultiAZ",
    "backup_retention_period": "BackupRetentionPeriod",
    "port": "Port",
    "ca_certificate_identifier": "CACertificateIdentifier",
    "enable_iam_database_authentication": "IAMDatabaseAuthenticationEnabled",
}


def _read(described: dict[str, Any], reader: Any) -> Any:
    return reader(described) if callable(reader) else described.get(reader)


def _normalise(option: str, value: Any) -> Any:
    if option in ("vpc_security_group_ids", "enable_cloudwatch_logs_exports") and value is not None:
        return sorted(value)
    return value


def _same_key(actual: Any, wanted: Any) -> bool:
    """Whether ``wanted`` (a key ARN or id) names key ``actual`` (as RDS returns it, usually an ARN)."""
    return bool(actual) and str(actual).endswith(str(wanted).rsplit(":", maxsplit=1)[-1])


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in str(text).split(".") if part.isdigit())


def current_settings(described: dict[str, Any]) -> dict[str, Any]:
    """Every managed setting of a DescribeDBInstances entry, with pending modifications applied."""
    current = {option: _read(described, reader) for option, (_param, reader) in SETTINGS.items()}
    pending = described.get("PendingModifiedValues") or {}
    for option, field in PENDING_FIELDS.items():
        if field in pending:
            current[option] = pending[field]
    exports = pending.get("PendingCloudwatchLogsExports") or {}
    if exports:
        enabled = set(current["enable_cloudwatch_logs_exports"]) | set(exports.get("LogTypesToEnable", []))
        current["enable_cloudwatch_logs_exports"] = sorted(enabled - set(exports.get("LogTypesToDisable", [])))
    return current


def create_request(params: dict[str, Any], tags: list[dict[str, str]]) -> dict[str, Any]:
    """The CreateDBInstance request: the master password is RDS-managed from this first call."""
    missing = [option for option in REQUIRED_TO_CREATE if params.get(option) in (None, "")]
    if missing:
        raise RdsError(f"{', '.join(missing)} required to create DB instance {params['db_instance_identifier']}")
    request: dict[str, Any] = {"DBInstanceIdentifier": params["db_instance_identifier"], "ManageMasterUserPassword": True}
    for option, (param, _reader) in (SETTINGS | CREATE_ONLY).items():
        if params.get(option) is not None:
            request[param] = _normalise(option, params[option])
    if "DBPortNumber" in request:  # CreateDBInstance calls it Port
        request["Port"] = request.pop("DBPortNumber")
    if tags:
        request["Tags"] = tags
    return request


def modify_request(params: dict[str, Any], described: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """(ModifyDBInstance parameters without the identifier, before, after) for the settings that differ.

    An empty request means in sync. Raises RdsError for what RDS cannot change in place.
    """
    for option, (_param, reader) in CREATE_ONLY.items():
        wanted, actual = params.get(option), _read(described, reader)
        if wanted is None or (option == "kms_key_id" and _same_key(actual, wanted)):
            continue
        if wanted != actual:
            raise RdsError(f"{option} is {actual!r} on DB instance {params['db_instance_identifier']} and RDS cannot change it in place (wanted {wanted!r})")

    current = current_settings(described)
    request: dict[str, Any] = {}
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for option, (param, _reader) in SETTINGS.items():
        wanted = _normalise(option, params.get(option))
        if wanted is None or wanted == current[option]:
            continue
        if option == "port" and current[option] is None:
            continue
        if option == "engine_version":
            if _version(wanted)[:1] < _version(current[option])[:1]:
                raise RdsError(
                    f"engine_version {wanted} is a lower major version than {current[option]} on {params['db_instance_identifier']}: RDS cannot downgrade"
                )
            if _version(wanted)[:1] == _version(current[option])[:1] and _version(wanted) <= _version(current[option]):
                continue  # automatic minor upgrades may be ahead of the inventory; RDS cannot downgrade
            if _version(wanted)[:1] != _version(current[option])[:1]:
                request["AllowMajorVersionUpgrade"] = True
        if option == "allocated_storage" and int(wanted) < int(current[option] or 0):
            continue  # storage autoscaling grew it; RDS cannot shrink storage
        if option == "monitoring_role_arn" and not (params.get("monitoring_interval") or current["monitoring_interval"]):
            continue
        if option in ("performance_insights_retention_period", "performance_insights_kms_key_id") and not (
            params.get("enable_performance_insights") if params.get("enable_performance_insights") is not None else current["enable_performance_insights"]
        ):
            continue
        if option == "performance_insights_kms_key_id" and _same_key(current[option], wanted):
            continue
        if option == "master_user_secret_kms_key_id":
            if _same_key(current[option], wanted):
                continue
            if (described.get("MasterUserSecret") or {}).get("SecretArn"):
                # ModifyDBInstance: once RDS manages the password, the secret's key cannot change.
                raise RdsError(
                    f"master_user_secret_kms_key_id is {current[option]} on {params['db_instance_identifier']}: "
                    "RDS cannot change the key of a master secret it already manages"
                )
            request["ManageMasterUserPassword"] = True
        if option == "enable_cloudwatch_logs_exports":
            request["CloudwatchLogsExportConfiguration"] = {
                "EnableLogTypes": sorted(set(wanted) - set(current[option] or [])),
                "DisableLogTypes": sorted(set(current[option] or []) - set(wanted)),
            }
        else:
            request[param] = wanted
        before[option], after[option] = current[option], wanted
    if not (described.get("MasterUserSecret") or {}).get("SecretArn"):
        # Created outside corp.infra with a password: hand it to RDS and Secrets Manager.
        request["ManageMasterUserPassword"] = True
        before["manage_master_user_password"], after["manage_master_user_password"] = False, True
    return request, before, after


def wanted_settings(params: dict[str, Any]) -> dict[str, Any]:
    """The managed settings a new instance would have (a check-mode diff's "after")."""
    return {option: _normalise(option, params.get(option)) for option in (*CREATE_ONLY, *SETTINGS) if params.get(option) is not None}


def parameter_changes(wanted: dict[str, Any], described: dict[str, dict[str, Any]]) -> tuple[list[dict[str, str]], dict[str, Any], dict[str, Any]]:
    """(ModifyDBParameterGroup parameters, before, after) to bring a parameter group to ``wanted``.

    ``described`` maps parameter names to DescribeDBParameters / DescribeEngineDefaultParameters entries.
    Each parameter gets the apply method its ApplyType allows: dynamic ones ``immediate``, static ones
    ``pending-reboot`` (they take effect at the instance's next reboot).
    """
    changes: list[dict[str, str]] = []
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for name in sorted(wanted):
        entry = described.get(name)
        if entry is None:
            raise RdsError(f"parameter {name} does not exist in this parameter group family")
        value = _parameter_value(entry, wanted[name])
        if value == entry.get("ParameterValue"):
            continue
        if not entry.get("IsModifiable", True):
            raise RdsError(f"parameter {name} cannot be modified")
        method = "pending-reboot" if entry.get("ApplyType") == "static" else "immediate"
        changes.append({"ParameterName": name, "ParameterValue": value, "ApplyMethod": method})
        before[name], after[name] = entry.get("ParameterValue"), value
    return changes, before, after


def _parameter_value(entry: dict[str, Any], value: Any) -> str:
    """RDS's string form of ``value``: booleans as 1/0, lists comma-separated."""
    if entry.get("DataType") == "boolean" or isinstance(value, bool):
        if str(value).lower() in ("1", "true", "yes", "on"):
            return "1"
        if str(value).lower() in ("0", "false", "no", "off"):
            return "0"
        raise RdsError(f"parameter {entry['ParameterName']} is boolean (got {value!r})")
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    return str(value)


def sync_tags(client: Any, arn: str, current: dict[str, str], wanted: dict[str, str] | None, purge: bool, check_mode: bool) -> tuple[dict[str, str], list[str]]:
    """Bring an RDS resource's tags to ``wanted`` (None leaves them); returns (tags set, tag keys removed).

    The one call-making helper here: both RDS modules tag the same way (AddTagsToResource / RemoveTagsFromResource).
    """
    if wanted is None:
        return {}, []
    to_set, to_unset = compare_aws_tags(current, wanted, purge)
    if not check_mode:
        if to_set:
            client.add_tags_to_resource(aws_retry=True, ResourceName=arn, Tags=ansible_dict_to_boto3_tag_list(to_set))
        if to_unset:
            client.remove_tags_from_resource(aws_retry=True, ResourceName=arn, TagKeys=to_unset)
    return to_set, to_unset


def result_of(described: dict[str, Any] | None, rebooted: bool = False) -> dict[str, Any]:
    """corp.infra.rds_instance's result for a DescribeDBInstances entry (None: no instance)."""
    if not described:
        return dict(exists=False, rebooted=rebooted)
    return dict(
        exists=True,
        status=described.get("DBInstanceStatus"),
        db_instance_arn=described.get("DBInstanceArn"),
        dbi_resource_id=described.get("DbiResourceId", ""),
        endpoint=(described.get("Endpoint") or {}).get("Address", ""),
        port=(described.get("Endpoint") or {}).get("Port") or described.get("DbInstancePort"),
        master_user_secret_arn=(described.get("MasterUserSecret") or {}).get("SecretArn", ""),
        settings=current_settings(described),
        pending_modified_values=described.get("PendingModifiedValues") or {},
        parameter_apply_status=(described.get("DBParameterGroups") or [{}])[0].get("ParameterApplyStatus", ""),
        rebooted=rebooted,
    )


# --- Whether to call the modules at all (corp.infra.rds_drift) ------------------------------------------------------
# The rds role reads the engine version, subnet group, parameter group and instance once (corp.infra.rds_state_info)
# and calls a module only for what differs. Each test below is at least as strict as the module's own, and the
# instance and parameter group tests are the modules' own functions (modify_request, parameter_changes).


def _parameters_differ(live: dict[str, Any] | None, wanted: dict[str, Any]) -> str | None:
    try:
        changes = parameter_changes({str(k): v for k, v in wanted["parameters"].items()}, live or {})[0]
    except RdsError as error:
        return str(error)
    return "parameters " + ", ".join(change["ParameterName"] for change in changes) if changes else None


def _tags_differ(live: dict[str, Any] | None, wanted: dict[str, Any]) -> str | None:
    return "tags" if tags_differ(live, wanted["tags"]) else None


# The DB subnet group's and parameter group's settings, one row each: the key in the role's desired dict (the same
# as the module option that applies it) -> (the field of corp.infra.rds_state_info's read, the comparison: a reason,
# or True when the key says it; module_utils/settings.py reads every table). Each is at least as strict as its
# module (amazon.aws.rds_subnet_group 11.4.0, and corp.infra.rds_parameter_group, whose parameter_changes this
# reuses). test_rds.py changes each row alone and holds the role's tasks to them.
SUBNET_GROUP_SETTINGS: dict[str, tuple[str, Any]] = {
    "description": ("DBSubnetGroupDescription", lambda live, wanted: live != wanted["description"]),
    "subnets": ("Subnets", lambda live, wanted: sorted(s.get("SubnetIdentifier") for s in live or []) != sorted(wanted["subnets"])),
    "tags": ("Tags", _tags_differ),
}
PARAMETER_GROUP_SETTINGS: dict[str, tuple[str, Any]] = {
    "family": ("DBParameterGroupFamily", lambda live, wanted: live != wanted["family"]),
    "parameters": ("Parameters", _parameters_differ),
    "tags": ("Tags", _tags_differ),
}


def _group_differs(settings: dict[str, tuple[str, Any]], group: dict[str, Any], wanted: dict[str, Any]) -> str | None:
    if not group:
        return "missing"
    return "; ".join(row_reasons(settings, group, wanted)) or None


def subnet_group_differs(group: dict[str, Any], wanted: dict[str, Any]) -> str | None:
    """amazon.aws.rds_subnet_group: its name (RDS keeps it lowercase), then SUBNET_GROUP_SETTINGS."""
    if group and group.get("DBSubnetGroupName") != str(wanted["name"]).lower():
        return "name"
    return _group_differs(SUBNET_GROUP_SETTINGS, group, wanted)


def parameter_group_differs(group: dict[str, Any], wanted: dict[str, Any]) -> str | None:
    """corp.infra.rds_parameter_group: PARAMETER_GROUP_SETTINGS."""
    return _group_differs(PARAMETER_GROUP_SETTINGS, group, wanted)


def instance_differs(described: dict[str, Any], params: dict[str, Any]) -> str | None:
    """corp.infra.rds_instance: the ModifyDBInstance request it would send, tags (purged), a reboot it would make."""
    if not described:
        return "missing"
    if described.get("DBInstanceStatus") != "available":
        return f"status {described.get('DBInstanceStatus')}"
    try:
        request = modify_request(params, described)[0]
    except RdsError as error:
        return str(error)
    if request:
        return "settings " + ", ".join(sorted(request))
    if params.get("tags") is not None and tags_differ(described.get("TagList") or [], params["tags"]):
        return "tags"
    if params.get("reboot_for_pending_parameters") and result_of(described)["parameter_apply_status"] == "pending-reboot":
        return "a reboot for pending parameters"
    return None


def rds_drift(state: dict[str, Any], desired: dict[str, Any]) -> dict[str, str]:
    """Part -> short reason for ``subnet_group``, ``parameter_group`` and ``instance`` parts of ``desired`` that differ."""
    tests = {"subnet_group": subnet_group_differs, "parameter_group": parameter_group_differs, "instance": instance_differs}
    differs = {}
    for part, wanted in desired.items():
        reason = tests[part](state.get(part) or {}, wanted)
        if reason:
            differs[part] = reason
    return differs
