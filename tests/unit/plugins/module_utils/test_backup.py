"""AWS Backup logic: which resources a selection assigns (the documented AND/OR rules), and vault lock changes."""

from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path

import pytest
import yaml

from ansible_collections.corp.infra.plugins.module_utils.backup import LOCK_SETTINGS
from ansible_collections.corp.infra.plugins.module_utils.backup import PLAN_SETTINGS
from ansible_collections.corp.infra.plugins.module_utils.backup import SELECTION_SETTINGS
from ansible_collections.corp.infra.plugins.module_utils.backup import VAULT_SETTINGS
from ansible_collections.corp.infra.plugins.module_utils.backup import lock_differences
from ansible_collections.corp.infra.plugins.module_utils.backup import lock_state
from ansible_collections.corp.infra.plugins.module_utils.backup import lock_wanted
from ansible_collections.corp.infra.plugins.module_utils.backup import selection_covers

DB = "arn:aws:rds:eu-central-1:123456789012:db:corp-rds-main-prod"
TABLE = "arn:aws:dynamodb:eu-central-1:123456789012:table/corp-dynamodb-main-prod"
BUCKET = "arn:aws:s3:::corp-s3-securedata-prod"
PROD_TAGS = {"Environment": "prod", "ManagedBy": "corp.infra"}
STACK_SELECTION = {
    "Resources": ["arn:aws:rds:eu-central-1:123456789012:db:*", "arn:aws:dynamodb:eu-central-1:123456789012:table/*"],
    "Conditions": {
        "StringEquals": [
            {"ConditionKey": "aws:ResourceTag/Environment", "ConditionValue": "prod"},
            {"ConditionKey": "aws:ResourceTag/ManagedBy", "ConditionValue": "corp.infra"},
        ],
        "StringNotEquals": [],
        "StringLike": [],
        "StringNotLike": [],
    },
    "ListOfTags": [],
    "NotResources": [],
}


@pytest.mark.parametrize(
    ("arn", "tags", "covered"),
    [
        (DB, PROD_TAGS, True),
        (TABLE, PROD_TAGS, True),
        # Resources AND Conditions: the bucket carries the tags but is not of a selected type.
        (BUCKET, PROD_TAGS, False),
        # Every condition must hold (AND): another environment's database, or one corp.infra does not manage.
        (DB.replace("prod", "staging"), {"Environment": "staging", "ManagedBy": "corp.infra"}, False),
        (DB, {"Environment": "prod"}, False),
        # Another region's table with the right tags.
        (TABLE.replace("eu-central-1", "us-east-1"), PROD_TAGS, False),
    ],
)
def test_the_stack_selection_covers_this_environments_database_and_table_only(arn, tags, covered):
    assert selection_covers(STACK_SELECTION, arn, tags) is covered


def test_list_of_tags_entries_combine_with_or():
    selection = {
        "ListOfTags": [
            {"ConditionType": "STRINGEQUALS", "ConditionKey": "backup", "ConditionValue": "daily"},
            {"ConditionType": "STRINGEQUALS", "ConditionKey": "team", "ConditionValue": "data"},
        ]
    }
    assert selection_covers(selection, DB, {"team": "data"})
    assert not selection_covers(selection, DB, {"team": "web"})


def test_not_resources_remove_and_negated_or_like_operators_apply():
    selection = {**STACK_SELECTION, "NotResources": [DB]}
    assert not selection_covers(selection, DB, PROD_TAGS)
    like = {
        "Resources": ["*"],
        "Conditions": {
            "StringLike": [{"ConditionKey": "aws:ResourceTag/Environment", "ConditionValue": "pr*"}],
            "StringNotLike": [{"ConditionKey": "aws:ResourceTag/Tier", "ConditionValue": "scratch*"}],
        },
    }
    assert selection_covers(like, TABLE, PROD_TAGS)
    assert not selection_covers(like, TABLE, {**PROD_TAGS, "Tier": "scratch-1"})


def test_an_empty_selection_covers_nothing_here():
    # AWS would select every opted-in resource; corp.infra never writes one, and verify must not count it as coverage.
    assert not selection_covers({"Resources": [], "Conditions": {}}, DB, PROD_TAGS)


NOW = datetime(2026, 12, 7, tzinfo=UTC)


def test_lock_state_reads_governance_and_compliance_modes():
    assert lock_state({"Locked": False}, NOW)["mode"] == "none"
    governance = lock_state({"Locked": True, "MinRetentionDays": 7, "MaxRetentionDays": 365}, NOW)
    assert (governance["mode"], governance["immutable"]) == ("governance", False)
    grace = lock_state({"Locked": True, "MinRetentionDays": 7, "MaxRetentionDays": 365, "LockDate": NOW + timedelta(days=3)}, NOW)
    assert (grace["mode"], grace["immutable"]) == ("compliance", False)
    set_in_stone = lock_state({"Locked": True, "MinRetentionDays": 7, "MaxRetentionDays": 365, "LockDate": NOW - timedelta(days=1)}, NOW)
    assert set_in_stone["immutable"]


def test_lock_differences_name_each_field():
    live = lock_state({"Locked": True, "MinRetentionDays": 7, "MaxRetentionDays": 365}, NOW)
    assert lock_differences(live, lock_wanted(7, 365, None)) == []
    assert lock_differences(live, lock_wanted(35, 365, None)) == ["min_retention_days"]
    assert lock_differences(live, lock_wanted(7, 365, 3)) == ["mode"]
    assert lock_differences(live, {"locked": False}) == ["locked"]
    assert lock_differences(lock_state({}, NOW), lock_wanted(7, 35, None)) == ["locked", "min_retention_days", "max_retention_days", "mode"]


@pytest.mark.parametrize(
    ("args", "message"),
    [((0, 35, None), "min_retention_days must be at least 1"), ((35, 7, None), "max_retention_days must be between"), ((7, 35, 2), "at least 3")],
)
def test_lock_wanted_refuses_what_aws_refuses(args, message):
    with pytest.raises(ValueError, match=message):
        lock_wanted(*args)


# --- backup_drift: the fast check beside the modules that apply ------------------------------------------------------

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict  # noqa: E402
from ansible.module_utils.common.dict_transformations import snake_dict_to_camel_dict  # noqa: E402

from ansible_collections.amazon.aws.plugins.modules.backup_plan import plan_update_needed  # noqa: E402
from ansible_collections.amazon.aws.plugins.modules.backup_selection import check_for_update  # noqa: E402
from ansible_collections.corp.infra.plugins.module_utils.backup import backup_drift  # noqa: E402

KEY = "arn:aws:kms:eu-central-1:123456789012:key/11111111-2222-3333-4444-555555555555"
TAGS = {"Environment": "prod", "ManagedBy": "corp.infra"}
RULE = {
    "rule_name": "daily",
    "target_backup_vault_name": "corp-backup-data-prod",
    "schedule_expression": "cron(0 3 * * ? *)",
    "schedule_expression_timezone": "Etc/UTC",
    "start_window_minutes": 60,
    "completion_window_minutes": 480,
    "lifecycle": {"delete_after_days": 35},
    "enable_continuous_backup": False,
}
CONDITIONS = {
    "string_equals": [
        {"condition_key": "aws:ResourceTag/Environment", "condition_value": "prod"},
        {"condition_key": "aws:ResourceTag/ManagedBy", "condition_value": "corp.infra"},
    ],
    "string_not_equals": [],
    "string_like": [],
    "string_not_like": [],
}
DESIRED = {
    "vault": {"kind": "vault", "name": "corp-backup-data-prod", "key_arn": KEY, "tags": TAGS},
    "lock": {"kind": "lock", "name": "corp-backup-data-prod", "locked": True, "min_retention_days": 7, "max_retention_days": 365, "changeable_for_days": 0},
    "plan": {"kind": "plan", "name": "corp-backup-data-prod", "rules": [RULE], "advanced_backup_settings": [], "tags": TAGS},
    "selection": {
        "kind": "selection",
        "name": "corp-backup-data-prod",
        "plan_name": "corp-backup-data-prod",
        "iam_role_arn": "arn:aws:iam::123456789012:role/corp-iam-backup-prod",
        "resources": STACK_SELECTION["Resources"],
        "conditions": CONDITIONS,
    },
}


def converged():
    """What AWS returns for the desired setup, written out by hand (as the API reference shapes it), not by the code under test."""
    rule = {
        "RuleName": "daily",
        "TargetBackupVaultName": "corp-backup-data-prod",
        "ScheduleExpression": "cron(0 3 * * ? *)",
        "ScheduleExpressionTimezone": "Etc/UTC",
        "StartWindowMinutes": 60,
        "CompletionWindowMinutes": 480,
        "Lifecycle": {"DeleteAfterDays": 35},
        "EnableContinuousBackup": False,
        "RuleId": "r-1",
    }
    return {
        "vault": {
            "BackupVaultName": "corp-backup-data-prod",
            "BackupVaultArn": "arn:...:backup-vault:corp-backup-data-prod",
            "EncryptionKeyArn": KEY,
            "Locked": True,
            "MinRetentionDays": 7,
            "MaxRetentionDays": 365,
            "Tags": dict(TAGS),
        },
        "plan": {
            "BackupPlanId": "p-1",
            "BackupPlanArn": "arn:...:backup-plan:p-1",
            "Tags": dict(TAGS),
            "BackupPlan": {"BackupPlanName": "corp-backup-data-prod", "Rules": [rule]},
        },
        "selection": {
            "SelectionId": "s-1",
            "BackupPlanId": "p-1",
            "BackupSelection": {
                "SelectionName": "corp-backup-data-prod",
                "IamRoleArn": "arn:aws:iam::123456789012:role/corp-iam-backup-prod",
                "Resources": list(STACK_SELECTION["Resources"]),
                "NotResources": [],
                "ListOfTags": [],
                "Conditions": {
                    "StringEquals": [
                        {"ConditionKey": "aws:ResourceTag/Environment", "ConditionValue": "prod"},
                        {"ConditionKey": "aws:ResourceTag/ManagedBy", "ConditionValue": "corp.infra"},
                    ],
                    "StringNotEquals": [],
                    "StringLike": [],
                    "StringNotLike": [],
                },
            },
        },
    }


def test_a_converged_setup_has_no_drift():
    assert backup_drift(converged(), DESIRED) == {}


def test_an_empty_account_misses_every_part():
    assert backup_drift({"vault": {}, "plan": {}, "selection": {}}, DESIRED) == {
        "vault": "missing",
        "lock": "vault missing",
        "plan": "missing",
        "selection": "missing",
    }


def _drifted(change):
    state = converged()
    change(state)
    return backup_drift(state, DESIRED)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda s: s["vault"].update(EncryptionKeyArn=KEY.replace("1111", "9999")), {"vault": "key_arn"}),
        (lambda s: s["vault"]["Tags"].update(Owner="someone"), {"vault": "tags"}),
        (
            lambda s: s["vault"].update(Locked=False, MinRetentionDays=None, MaxRetentionDays=None),
            {"lock": "locked, min_retention_days, max_retention_days, mode"},
        ),
        (lambda s: s["vault"].update(MaxRetentionDays=30), {"lock": "max_retention_days"}),
        (lambda s: s["plan"]["BackupPlan"]["Rules"][0]["Lifecycle"].update(DeleteAfterDays=1), {"plan": "rules"}),
        (lambda s: s["plan"]["BackupPlan"]["Rules"][0].update(ScheduleExpression="cron(0 5 ? * * *)"), {"plan": "rules"}),
        (lambda s: s["plan"].update(Tags={}), {"plan": "tags"}),
        (lambda s: s["selection"]["BackupSelection"].update(IamRoleArn="arn:aws:iam::123456789012:role/other"), {"selection": "iam_role_arn"}),
        (lambda s: s["selection"]["BackupSelection"].update(Resources=["*"]), {"selection": "resources"}),
        (lambda s: s["selection"]["BackupSelection"]["Conditions"]["StringEquals"].pop(), {"selection": "conditions"}),
    ],
    ids=[
        "vault-key",
        "vault-tags",
        "unlocked",
        "lock-max",
        "retention",
        "schedule",
        "plan-tags",
        "selection-role",
        "selection-resources",
        "selection-condition",
    ],
)
def test_each_change_out_of_band_is_found(change, expected):
    assert _drifted(change) == expected


def _module_plan_update_needed(state):
    existing = camel_dict_to_snake_dict(state["plan"], ignore_list="tags")
    wanted = {"backup_plan_name": DESIRED["plan"]["name"], "rules": DESIRED["plan"]["rules"], "advanced_backup_settings": []}
    return plan_update_needed(existing, wanted)


def _module_selection_update_needed(state):
    current = dict(state["selection"])
    current.update(current.pop("BackupSelection"))
    wanted = DESIRED["selection"]
    data = {
        "SelectionName": wanted["name"],
        "IamRoleArn": wanted["iam_role_arn"],
        "Resources": wanted["resources"],
        "Conditions": snake_dict_to_camel_dict(wanted["conditions"], capitalize_first=True),
    }
    return check_for_update([current], data, wanted["iam_role_arn"])


@pytest.mark.parametrize(
    "change",
    [
        lambda s: None,
        lambda s: s["plan"]["BackupPlan"]["Rules"][0]["Lifecycle"].update(DeleteAfterDays=1),
        lambda s: s["plan"]["BackupPlan"]["Rules"][0].update(StartWindowMinutes=120),
        lambda s: s["plan"]["BackupPlan"]["Rules"][0].update(EnableContinuousBackup=True),
        lambda s: s["selection"]["BackupSelection"].update(IamRoleArn="arn:aws:iam::123456789012:role/other"),
        lambda s: s["selection"]["BackupSelection"].update(Resources=["*"]),
        lambda s: s["selection"]["BackupSelection"]["Conditions"]["StringEquals"].pop(),
    ],
    ids=["converged", "retention", "start-window", "continuous", "role", "resources", "condition"],
)
def test_backup_drift_agrees_with_the_modules_that_apply(change):
    # The role skips amazon.aws.backup_plan and backup_selection when backup_drift finds their part in sync: whenever a
    # module would change something, backup_drift must say so too (else the change is never applied).
    state = converged()
    change(state)
    drift = backup_drift(state, DESIRED)
    assert ("plan" in drift) == _module_plan_update_needed(state)
    assert ("selection" in drift) == _module_selection_update_needed(state)


# --- The tables: each row changed alone is that row's reason only, and the role's tasks pass exactly the rows ---------

ROLE = Path(__file__).resolve().parents[4] / "roles" / "backup"
ROW_CHANGES = {
    ("vault", "key_arn"): lambda s: s["vault"].update(EncryptionKeyArn=KEY.replace("1111", "9999")),
    ("vault", "tags"): lambda s: s["vault"]["Tags"].update(Owner="someone"),
    ("plan", "rules"): lambda s: s["plan"]["BackupPlan"]["Rules"][0].update(CompletionWindowMinutes=60),
    ("plan", "advanced_backup_settings"): lambda s: s["plan"]["BackupPlan"].update(
        AdvancedBackupSettings=[{"ResourceType": "EC2", "BackupOptions": {"WindowsVSS": "enabled"}}]
    ),
    ("plan", "tags"): lambda s: s["plan"]["Tags"].pop("Environment"),
    ("selection", "iam_role_arn"): lambda s: s["selection"]["BackupSelection"].update(IamRoleArn="arn:aws:iam::123456789012:role/other"),
    ("selection", "resources"): lambda s: s["selection"]["BackupSelection"].update(NotResources=["arn:aws:rds:*:*:db:*"]),
    ("selection", "conditions"): lambda s: s["selection"]["BackupSelection"]["Conditions"]["StringLike"].append(
        {"ConditionKey": "aws:ResourceTag/Owner", "ConditionValue": "*"}
    ),
}
TABLES = {"vault": VAULT_SETTINGS, "plan": PLAN_SETTINGS, "selection": SELECTION_SETTINGS}


@pytest.mark.parametrize(("part", "key"), ROW_CHANGES, ids=[f"{part}-{key}" for part, key in ROW_CHANGES])
def test_each_row_changed_alone_is_that_rows_reason_only(part, key):
    assert _drifted(ROW_CHANGES[part, key]) == {part: key}
    # Without the row's key in the desired part, no other row notices the change.
    state = converged()
    ROW_CHANGES[part, key](state)
    assert backup_drift(state, {part: {k: v for k, v in DESIRED[part].items() if k != key}}) == {}


def test_every_row_has_a_case():
    assert set(ROW_CHANGES) == {(part, key) for part, table in TABLES.items() for key in table}


@pytest.mark.parametrize(
    ("module", "part", "settings", "identity"),
    [
        ("amazon.aws.backup_vault", "vault", {key: row[0] for key, row in VAULT_SETTINGS.items()}, {"backup_vault_name", "purge_tags", "state"}),
        ("amazon.aws.backup_plan", "plan", {key: row[0] for key, row in PLAN_SETTINGS.items()}, {"backup_plan_name", "state"}),
        ("amazon.aws.backup_selection", "selection", {key: row[0] for key, row in SELECTION_SETTINGS.items()}, {"selection_name", "backup_plan_name", "state"}),
        ("corp.infra.backup_vault_lock", "lock", {"min_retention_days": "min_retention_days", "max_retention_days": "max_retention_days"}, {"vault_name"}),
    ],
)
def test_each_backup_task_passes_its_module_exactly_what_its_table_compares(module, part, settings, identity):
    (task,) = [task for task in yaml.safe_load((ROLE / "tasks" / "converge.yml").read_text()) if module in task]
    options = task[module]
    assert task["vars"]["__backup_wanted"] == "{{ __backup_desired." + part + " }}"
    if part == "lock":
        # The lock's fields and the options that set them: LOCK_SETTINGS (the module compares them itself).
        assert set(options) - identity == set(LOCK_SETTINGS.values())
    else:
        assert set(options) - identity == set(settings.values())
    for key, option in settings.items():
        assert f"__backup_wanted.{key}" in str(options[option]), (option, options[option])
    desired = yaml.safe_load((ROLE / "vars" / "main.yml").read_text())["__backup_desired"][part]
    assert set(settings) <= set(desired)
