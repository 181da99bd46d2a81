# Copyright: corp.infra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""AWS Backup: which resources a backup selection assigns to its plan, and what a vault lock should change.

Plain values in and out (unit tested without AWS). Sources:

- Selections (https://docs.aws.amazon.com/aws-backup/latest/devguide/API_BackupSelection.html and
  https://repost.aws/knowledge-center/backup-assign-resources): ``Resources`` (ARNs, ``*`` wildcards) and
  ``Conditions`` combine with AND; several conditions combine with AND; ``ListOfTags`` entries combine with OR;
  ``NotResources`` removes. Condition keys are ``aws:ResourceTag/<key>``, operators StringEquals, StringNotEquals,
  StringLike and StringNotLike, case-sensitive.
- Vault lock (https://docs.aws.amazon.com/aws-backup/latest/devguide/API_PutBackupVaultLockConfiguration.html,
  .../vault-lock.html): without ChangeableForDays the lock is in governance mode and can be changed or removed by a
  principal allowed to; with it (3 days or more) it is in compliance mode and becomes immutable at LockDate.
"""

from __future__ import annotations

import fnmatch
from datetime import UTC
from datetime import datetime
from typing import Any
from typing import Callable

from ansible_collections.corp.infra.plugins.module_utils.settings import row_reasons
from ansible_collections.corp.infra.plugins.module_utils.settings import tags_row_differs

CONDITION_OPERATORS = ("StringEquals", "StringNotEquals", "StringLike", "StringNotLike")
RESOURCE_TAG = "aws:ResourceTag/"


def _matches(pattern: str, value: str) -> bool:
    # AWS Backup wildcards are '*' only; fnmatch's '?' and '[' never occur in an ARN pattern the stack writes.
    return fnmatch.fnmatchcase(value, pattern)


def _condition_holds(operator: str, key: str, expected: str, tags: dict[str, str]) -> bool:
    if not key.startswith(RESOURCE_TAG):
        return False
    value = tags.get(key[len(RESOURCE_TAG) :])
    if operator == "StringEquals":
        return value == expected
    if operator == "StringNotEquals":
        return value != expected
    if operator == "StringLike":
        return value is not None and _matches(expected, value)
    if operator == "StringNotLike":
        return value is None or not _matches(expected, value)
    raise ValueError(f"Conditions operator must be one of {', '.join(CONDITION_OPERATORS)} (got {operator!r})")


def selection_covers(selection: dict[str, Any], resource_arn: str, tags: dict[str, str]) -> bool:
    """Whether ``selection`` (a BackupSelection as GetBackupSelection returns it) assigns ``resource_arn`` with ``tags``."""
    if any(_matches(pattern, resource_arn) for pattern in selection.get("NotResources") or []):
        return False
    by_tag_list = [entry for entry in selection.get("ListOfTags") or [] if entry.get("ConditionType", "STRINGEQUALS") == "STRINGEQUALS"]
    if any(tags.get(entry["ConditionKey"]) == entry["ConditionValue"] for entry in by_tag_list):
        return True
    resources = selection.get("Resources") or []
    conditions = [
        (operator, entry["ConditionKey"], entry["ConditionValue"])
        for operator, entries in (selection.get("Conditions") or {}).items()
        for entry in entries or []
    ]
    if not resources and not conditions:
        return False
    if resources and not any(_matches(pattern, resource_arn) for pattern in resources):
        return False
    return all(_condition_holds(operator, key, value, tags) for operator, key, value in conditions)


def lock_state(vault: dict[str, Any], now: datetime | None = None) -> dict[str, Any]:
    """The lock of ``vault`` (a DescribeBackupVault answer): locked, retention bounds, mode, and whether it can change."""
    lock_date = vault.get("LockDate")
    if isinstance(lock_date, (int, float)):
        lock_date = datetime.fromtimestamp(lock_date, tz=UTC)
    now = now or datetime.now(UTC)
    return {
        "locked": bool(vault.get("Locked")),
        "min_retention_days": vault.get("MinRetentionDays"),
        "max_retention_days": vault.get("MaxRetentionDays"),
        "mode": "compliance" if lock_date else ("governance" if vault.get("Locked") else "none"),
        "lock_date": lock_date.isoformat() if lock_date else None,
        "immutable": bool(lock_date and lock_date <= now),
    }


def lock_wanted(min_retention_days: int, max_retention_days: int, changeable_for_days: int | None) -> dict[str, Any]:
    """The lock corp.infra asks for, checked as PutBackupVaultLockConfiguration checks it, in the shape of lock_state."""
    if min_retention_days < 1:
        raise ValueError(f"min_retention_days must be at least 1 (got {min_retention_days})")
    if max_retention_days < min_retention_days or max_retention_days > 36500:
        raise ValueError(f"max_retention_days must be between min_retention_days ({min_retention_days}) and 36500 (got {max_retention_days})")
    if changeable_for_days is not None and changeable_for_days < 3:
        raise ValueError(f"changeable_for_days must be at least 3, AWS's cooling-off time (got {changeable_for_days})")
    return {
        "locked": True,
        "min_retention_days": min_retention_days,
        "max_retention_days": max_retention_days,
        "mode": "compliance" if changeable_for_days else "governance",
    }


# The lock's settings: the field of lock_state / lock_wanted -> the corp.infra.backup_vault_lock option that sets it
# (the mode is compliance exactly when changeable_for_days is given; "locked" is the module's state).
LOCK_SETTINGS = {
    "locked": "state",
    "min_retention_days": "min_retention_days",
    "max_retention_days": "max_retention_days",
    "mode": "changeable_for_days",
}


def lock_differences(live: dict[str, Any], wanted: dict[str, Any]) -> list[str]:
    """What differs between a vault's lock (lock_state) and the wanted one (lock_wanted or unlocked), by field."""
    if not wanted.get("locked"):
        return ["locked"] if live["locked"] else []
    return [field for field in LOCK_SETTINGS if live.get(field) != wanted.get(field)]


def _snake_rule(rule: dict[str, Any]) -> dict[str, Any]:
    # The keys amazon.aws.backup_plan compares a live rule by (camel_dict_to_snake_dict, RuleId dropped).
    from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

    return {key: value for key, value in camel_dict_to_snake_dict(rule).items() if key != "rule_id"}


def _scrubbed(value: Any) -> Any:
    # amazon.aws.backup_plan drops unset options (scrub_none_parameters) before it compares.
    if isinstance(value, dict):
        return {key: _scrubbed(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_scrubbed(item) for item in value]
    return value


def _canonical(value: Any) -> str:
    import json

    return json.dumps(value, sort_keys=True)


def _key_differs(live: str | None, wanted: dict[str, Any]) -> bool:
    return live != wanted["key_arn"]


# Each part's settings, one row each, as the other roles' tables (settings.row_reasons): the key in the role's
# __backup_desired part -> (the option of the module that applies it, the field of corp.infra.backup_state_info's
# resource it is read from, None for the whole resource, and whether the live value differs). test_backup.py changes
# each row alone and holds the role's module tasks to the tables.

# amazon.aws.backup_vault, found by name (purge_tags). No API changes a vault's key: the role refuses the run then.
VAULT_SETTINGS: dict[str, tuple[str, str | None, Callable[[Any, dict[str, Any]], bool]]] = {
    "key_arn": ("encryption_key_arn", "EncryptionKeyArn", _key_differs),
    "tags": ("tags", "Tags", tags_row_differs),
}


def _rules_differ(plan: dict[str, Any], wanted: dict[str, Any]) -> bool:
    # As amazon.aws.backup_plan compares them: snake_case, RuleId dropped, in order, unset options dropped.
    rules = (plan.get("BackupPlan") or {}).get("Rules") or []
    return _canonical([_snake_rule(rule) for rule in rules]) != _canonical(_scrubbed(wanted["rules"]))


def _advanced_settings_differ(plan: dict[str, Any], wanted: dict[str, Any]) -> bool:
    from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

    live = [camel_dict_to_snake_dict(setting) for setting in (plan.get("BackupPlan") or {}).get("AdvancedBackupSettings") or []]
    return _canonical(live) != _canonical(_scrubbed(wanted["advanced_backup_settings"]))


# amazon.aws.backup_plan, found by name.
PLAN_SETTINGS: dict[str, tuple[str, str | None, Callable[[Any, dict[str, Any]], bool]]] = {
    "rules": ("rules", None, _rules_differ),
    "advanced_backup_settings": ("advanced_backup_settings", None, _advanced_settings_differ),
    "tags": ("tags", "Tags", tags_row_differs),
}


def _resources_differ(selection: dict[str, Any], wanted: dict[str, Any]) -> bool:
    document = selection.get("BackupSelection") or {}
    # NotResources and ListOfTags widen or narrow what the resources select; the role never sets them.
    return sorted(document.get("Resources") or []) != sorted(wanted["resources"]) or bool(document.get("NotResources") or document.get("ListOfTags"))


def _conditions_differ(selection: dict[str, Any], wanted: dict[str, Any]) -> bool:
    conditions = (selection.get("BackupSelection") or {}).get("Conditions") or {}
    live = {operator: sorted((c["ConditionKey"], c["ConditionValue"]) for c in conditions.get(operator) or []) for operator in CONDITION_OPERATORS}
    target = {
        operator: sorted((c["condition_key"], c["condition_value"]) for c in wanted["conditions"].get(_snake(operator)) or [])
        for operator in CONDITION_OPERATORS
    }
    return live != target


# amazon.aws.backup_selection, found by its name and plan (it replaces a selection that differs).
SELECTION_SETTINGS: dict[str, tuple[str, str | None, Callable[[Any, dict[str, Any]], bool]]] = {
    "iam_role_arn": ("iam_role_arn", None, lambda selection, wanted: (selection.get("BackupSelection") or {}).get("IamRoleArn") != wanted["iam_role_arn"]),
    "resources": ("resources", None, _resources_differ),
    "conditions": ("conditions", None, _conditions_differ),
}


def _differing(settings: dict[str, tuple[str, str | None, Callable[[Any, dict[str, Any]], bool]]], live: dict[str, Any], wanted: dict[str, Any]) -> str | None:
    if not live:
        return "missing"
    return ", ".join(row_reasons(settings, live, wanted)) or None


def vault_differs(vault: dict[str, Any], wanted: dict[str, Any]) -> str | None:
    """amazon.aws.backup_vault: VAULT_SETTINGS."""
    return _differing(VAULT_SETTINGS, vault, wanted)


def lock_differs(vault: dict[str, Any], wanted: dict[str, Any]) -> str | None:
    """corp.infra.backup_vault_lock: the lock's fields (lock_differences, the module's own comparison)."""
    if not vault:
        return "vault missing" if wanted.get("locked") else None
    if wanted.get("locked"):
        target = lock_wanted(wanted["min_retention_days"], wanted["max_retention_days"], wanted.get("changeable_for_days") or None)
    else:
        target = {"locked": False}
    differences = lock_differences(lock_state(vault), target)
    return ", ".join(differences) if differences else None


def plan_differs(plan: dict[str, Any], wanted: dict[str, Any]) -> str | None:
    """amazon.aws.backup_plan: PLAN_SETTINGS."""
    return _differing(PLAN_SETTINGS, plan, wanted)


def selection_differs(selection: dict[str, Any], wanted: dict[str, Any]) -> str | None:
    """amazon.aws.backup_selection: SELECTION_SETTINGS."""
    return _differing(SELECTION_SETTINGS, selection, wanted)


def _snake(operator: str) -> str:
    return {"StringEquals": "string_equals", "StringNotEquals": "string_not_equals", "StringLike": "string_like", "StringNotLike": "string_not_like"}[operator]


def backup_drift(state: dict[str, Any], desired: dict[str, Any]) -> dict[str, str]:
    """Part -> short reason, for each part of ``desired`` (kinds vault, lock, plan, selection) that differs from ``state``."""
    compare = {
        "vault": lambda wanted: vault_differs(state.get("vault") or {}, wanted),
        "lock": lambda wanted: lock_differs(state.get("vault") or {}, wanted),
        "plan": lambda wanted: plan_differs(state.get("plan") or {}, wanted),
        "selection": lambda wanted: selection_differs(state.get("selection") or {}, wanted),
    }
    differs = {}
    for part, wanted in desired.items():
        if wanted["kind"] not in compare:
            raise ValueError(f"{part}: unknown kind {wanted['kind']!r}")
        reason = compare[wanted["kind"]](wanted)
        if reason:
            differs[part] = reason
    return differs
