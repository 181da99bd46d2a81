# Copyright: corp.infra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading AWS Backup vaults, plans and selections by name: one reader for corp.infra.backup_state_info (the backup
role) and corp.infra.security_controls_info (the compliance report). ``backup`` is a boto3 client wrapped with
AWSRetry (``aws_retry=True``)."""

from __future__ import annotations

from typing import Any

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.corp.infra.plugins.module_utils.reads import all_pages


def _tags(backup: Any, arn: str) -> dict[str, str]:
    return backup.list_tags(aws_retry=True, ResourceArn=arn).get("Tags") or {}


def read_vault(backup: Any, name: str, with_tags: bool = True) -> dict[str, Any]:
    """DescribeBackupVault (with ``Tags``), or {} when there is no such vault."""
    try:
        vault = backup.describe_backup_vault(aws_retry=True, BackupVaultName=name)
    except is_boto3_error_code(["ResourceNotFoundException", "AccessDeniedException"]):
        # AWS answers AccessDeniedException for a vault name it does not know, whatever the caller may do.
        return {}
    vault.pop("ResponseMetadata", None)
    if with_tags:
        vault["Tags"] = _tags(backup, vault["BackupVaultArn"])
    return vault


def read_plan(backup: Any, name: str, with_tags: bool = True) -> dict[str, Any]:
    """GetBackupPlan of the plan of that name (with ``Tags``), or {} when none has it."""
    found = [p for p in all_pages(backup, "list_backup_plans", "BackupPlansList") if p.get("BackupPlanName") == name]
    if not found:
        return {}
    plan = backup.get_backup_plan(aws_retry=True, BackupPlanId=found[0]["BackupPlanId"])
    plan.pop("ResponseMetadata", None)
    if with_tags:
        plan["Tags"] = _tags(backup, plan["BackupPlanArn"])
    return plan


def read_selections(backup: Any, plan_id: str, name: str | None = None) -> list[dict[str, Any]]:
    """GetBackupSelection of the plan's selections (only the one called ``name`` when given)."""
    listed = all_pages(backup, "list_backup_selections", "BackupSelectionsList", BackupPlanId=plan_id)
    selections = []
    for entry in listed:
        if name is None or entry.get("SelectionName") == name:
            selection = backup.get_backup_selection(aws_retry=True, BackupPlanId=plan_id, SelectionId=entry["SelectionId"])
            selection.pop("ResponseMetadata", None)
            selections.append(selection)
    return selections
