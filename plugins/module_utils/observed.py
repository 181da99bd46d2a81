# Copyright: corp.infra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The compliance report's view of what the service roles already read in this run.

site.yml has every role read its resources once (a corp.infra.*_state_info module), compare, and call a module only
where something differs. A role that changed nothing publishes its read in ``corp_observed_state``; the verify role
hands that to corp.infra.security_controls_info, which evaluates it instead of asking AWS the same questions again.

Each function below turns one reader's result into exactly what security_controls_info's own reader builds for the
same resource, or returns ``UNSEEN`` when the read does not cover it (another resource, or something the report
needs that the role does not read): the report then reads it itself. tests/unit/plugins/module_utils/test_observed.py
feeds both readers the same AWS answers and shows that they agree.
"""

from __future__ import annotations

from typing import Any

UNSEEN = object()


def notification_kinds(configuration: dict[str, Any]) -> list[str]:
    """The destinations a GetBucketNotificationConfiguration answer sends events to (EventBridge whenever present)."""
    return sorted(k for k in configuration if k.endswith("Configuration") or (k.endswith("Configurations") and configuration[k]))


def bucket(s3: dict[str, Any], name: str, role: str) -> Any:
    """A bucket of corp.infra.s3_state_info's ``buckets``, as security_controls_info reads it (None: no such bucket)."""
    read = next((b for b in s3.get("buckets") or [] if b.get("name") == name), None)
    if read is None or "notifications" not in read:
        return UNSEEN
    if not read.get("exists"):
        return None
    ownership = (read.get("bucket_ownership_controls") or {}).get("Rules") or [{}]
    found = {
        "role": role,
        "public_access_block": read.get("public_access_block") or None,
        "policy": read.get("bucket_policy") or None,
        "ownership": ownership[0].get("ObjectOwnership"),
        "versioning": (read.get("bucket_versioning") or {}).get("Status"),
    }
    if role == "data":
        found.update(
            notifications=read["notifications"],
            logging=read.get("bucket_logging") or None,
            lifecycle=read.get("lifecycle_rules") or None,
            encryption=((read.get("bucket_encryption") or {}).get("Rules") or [{}])[0],
        )
    return found


def key(s3: dict[str, Any], alias: str) -> Any:
    """``(name, key)`` for the key corp.infra.s3_state_info read by that alias: by ARN when found, else by alias and None."""
    if s3.get("key_alias") != alias or "key" not in s3:
        return UNSEEN
    described = s3["key"]
    if not described:
        return alias, None
    return described["Arn"], {"rotation": described.get("KeyRotationEnabled")}


def table(dynamodb: dict[str, Any], name: str, with_tags: bool) -> Any:
    """corp.infra.dynamodb_state_info's table, as security_controls_info reads it. A provisioned table's auto
    scaling lives in Application Auto Scaling, which the role's read does not cover."""
    described = dynamodb.get("table") or {}
    if described.get("TableName") != name or not dynamodb.get("continuous_backups"):
        return UNSEEN
    if billing_mode_of(described) == "PROVISIONED":
        return UNSEEN
    return table_state(described, dynamodb["continuous_backups"], False, dict(dynamodb.get("tags") or {}) if with_tags else None)


def billing_mode_of(described: dict[str, Any]) -> str:
    """A DescribeTable ``Table``'s billing mode (a table created before on-demand existed has no summary)."""
    return (described.get("BillingModeSummary") or {}).get("BillingMode") or "PROVISIONED"


def table_state(described: dict[str, Any], continuous_backups: dict[str, Any], autoscaling: bool, tags: dict[str, str] | None) -> dict[str, Any]:
    """What the report judges of a table: its DescribeTable ``Table``, its ContinuousBackupsDescription, whether read and
    write capacity scale, and (None: not needed) its tags."""
    found = {
        "billing_mode": billing_mode_of(described),
        "autoscaling": autoscaling,
        "pitr": (continuous_backups.get("PointInTimeRecoveryDescription") or {}).get("PointInTimeRecoveryStatus"),
        "deletion_protection": described.get("DeletionProtectionEnabled"),
        "kms_key_arn": (described.get("SSEDescription") or {}).get("KMSMasterKeyArn"),
        "arn": described.get("TableArn"),
    }
    if tags is not None:
        found["tags"] = tags
    return found


def db_instance(rds: dict[str, Any], name: str) -> Any:
    """corp.infra.rds_state_info's instance (a DescribeDBInstances entry), as security_controls_info reads it."""
    described = rds.get("instance") or {}
    return described if described.get("DBInstanceIdentifier") == name else UNSEEN


def policy_document(iam: dict[str, Any], arn: str) -> Any:
    """The default version's document of a managed policy corp.infra.iam_state_info read (None: no such policy)."""
    policies = iam.get("policies") or {}
    if arn not in policies:
        return UNSEEN
    return policies[arn].get("Document") or None


def log_group(network: dict[str, Any], name: str) -> Any:
    """corp.infra.network_state_info's flow-log group (a DescribeLogGroups entry, without the tags it adds)."""
    group = network.get("log_group") or {}
    if group.get("logGroupName") != name:
        return UNSEEN
    return {k: v for k, v in group.items() if k != "tags"}


def vault(backup: dict[str, Any], name: str) -> Any:
    """corp.infra.backup_state_info's vault (DescribeBackupVault, without its tags)."""
    described = backup.get("vault") or {}
    if described.get("BackupVaultName") != name:
        return UNSEEN
    return {k: v for k, v in described.items() if k != "Tags"}


def plan(backup: dict[str, Any], name: str) -> Any:
    """corp.infra.backup_state_info's plan (GetBackupPlan, without its tags) with every selection it holds."""
    described = backup.get("plan") or {}
    if (described.get("BackupPlan") or {}).get("BackupPlanName") != name or "selections" not in backup:
        return UNSEEN
    found = {k: v for k, v in described.items() if k != "Tags"}
    found["Selections"] = [selection["BackupSelection"] for selection in backup["selections"]]
    return found
