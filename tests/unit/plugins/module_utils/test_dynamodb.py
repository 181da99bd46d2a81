"""DynamoDB table logic: what corp.infra.dynamodb_table sends to create a table and to bring one in line."""

import re
from pathlib import Path

import pytest
import yaml

from ansible_collections.corp.infra.plugins.module_utils.dynamodb import ARGUMENT_SPEC
from ansible_collections.corp.infra.plugins.module_utils.dynamodb import AWS_MANAGED_KEY
from ansible_collections.corp.infra.plugins.module_utils.dynamodb import DynamoDBError
from ansible_collections.corp.infra.plugins.module_utils.dynamodb import create_request
from ansible_collections.corp.infra.plugins.module_utils.dynamodb import current_settings
from ansible_collections.corp.infra.plugins.module_utils.dynamodb import update_steps

KEY = "arn:aws:kms:ap-south-1:123456789012:key/1111"
PARAMS = {
    "name": "corp-dynamodb-main-prod",
    "hash_key_name": "pk",
    "hash_key_type": "S",
    "range_key_name": "sk",
    "range_key_type": "S",
    "billing_mode": "PAY_PER_REQUEST",
    "global_secondary_indexes": [{"name": "by-owner", "hash_key_name": "owner", "hash_key_type": "S", "projection": "ALL"}],
    "table_class": "STANDARD",
    "kms_key_arn": KEY,
    "deletion_protection": True,
    "point_in_time_recovery": True,
    "ttl_attribute_name": "",
    "stream_view_type": "disabled",
}


def described(**overrides):
    table = {
        "TableName": "corp-dynamodb-main-prod",
        "TableStatus": "ACTIVE",
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        "AttributeDefinitions": [{"AttributeName": a, "AttributeType": "S"} for a in ("pk", "sk", "owner")],
        "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST"},
        "ProvisionedThroughput": {"ReadCapacityUnits": 0, "WriteCapacityUnits": 0},
        "SSEDescription": {"Status": "ENABLED", "SSEType": "KMS", "KMSMasterKeyArn": KEY},
        "DeletionProtectionEnabled": True,
        "GlobalSecondaryIndexes": [
            {"IndexName": "by-owner", "KeySchema": [{"AttributeName": "owner", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}
        ],
    }
    return table | overrides


PITR_ON = {"PointInTimeRecoveryDescription": {"PointInTimeRecoveryStatus": "ENABLED"}}
TTL_OFF = {"TimeToLiveDescription": {"TimeToLiveStatus": "DISABLED"}}


def settings(table=None, pitr=None, ttl=None, aws_managed=False):
    return current_settings(table or described(), PITR_ON if pitr is None else pitr, TTL_OFF if ttl is None else ttl, aws_managed)


def test_create_is_encrypted_and_protected_from_the_first_call():
    request = create_request(PARAMS, [{"Key": "Environment", "Value": "prod"}])
    assert request["SSESpecification"] == {"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": KEY}
    assert request["DeletionProtectionEnabled"] is True
    assert request["AttributeDefinitions"] == [{"AttributeName": a, "AttributeType": "S"} for a in ("pk", "sk", "owner")]
    assert request["GlobalSecondaryIndexes"][0]["IndexName"] == "by-owner" and "ProvisionedThroughput" not in request["GlobalSecondaryIndexes"][0]
    assert "StreamSpecification" not in request and "ProvisionedThroughput" not in request


def test_without_a_key_arn_the_aws_managed_key_is_asked_for_by_omitting_the_key_id():
    assert create_request({**PARAMS, "kms_key_arn": None}, [])["SSESpecification"] == {"Enabled": True, "SSEType": "KMS"}


def test_a_table_in_line_needs_nothing():
    assert update_steps(PARAMS, settings()) == ([], {}, {})


def test_pitr_and_protection_drift_is_repaired_and_reported():
    steps, before, after = update_steps(PARAMS, settings(described(DeletionProtectionEnabled=False), pitr={}))
    assert steps == [
        ("update_table", {"DeletionProtectionEnabled": True}),
        ("continuous_backups", {"PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True}}),
    ]
    assert before == {"deletion_protection": False, "point_in_time_recovery": False}
    assert after == {"deletion_protection": True, "point_in_time_recovery": True}


def test_key_changes_go_through_update_table_and_the_aws_managed_key_is_recognised():
    other = described(SSEDescription={"Status": "ENABLED", "SSEType": "KMS", "KMSMasterKeyArn": "arn:aws:kms:ap-south-1:123456789012:key/2222"})
    assert update_steps(PARAMS, settings(other))[0] == [("update_table", {"SSESpecification": {"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": KEY}})]
    aws_managed = settings(other, aws_managed=True)
    assert aws_managed["kms_key_arn"] == AWS_MANAGED_KEY
    assert update_steps({**PARAMS, "kms_key_arn": None}, aws_managed)[0] == []
    # No SSEDescription: the AWS-owned key, never what is asked for.
    owned = settings(described(SSEDescription=None))
    assert update_steps(PARAMS, owned)[0] == [("update_table", {"SSESpecification": {"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": KEY}})]


def test_billing_mode_and_throughput_change_in_one_call():
    provisioned = {**PARAMS, "billing_mode": "PROVISIONED", "read_capacity": 10, "write_capacity": 5}
    steps, before, after = update_steps(provisioned, settings())
    assert steps == [("update_table", {"BillingMode": "PROVISIONED", "ProvisionedThroughput": {"ReadCapacityUnits": 10, "WriteCapacityUnits": 5}})]
    assert after["billing_mode"] == "PROVISIONED" and before["billing_mode"] == "PAY_PER_REQUEST"


def test_indexes_are_created_and_deleted_one_call_each():
    wanted = {**PARAMS, "global_secondary_indexes": [{"name": "by-status", "hash_key_name": "status", "hash_key_type": "S", "projection": "KEYS_ONLY"}]}
    steps, before, after = update_steps(wanted, settings())
    assert steps[0] == ("update_table", {"GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": "by-owner"}}]})
    create = steps[1][1]
    assert create["GlobalSecondaryIndexUpdates"][0]["Create"]["IndexName"] == "by-status"
    assert {"AttributeName": "status", "AttributeType": "S"} in create["AttributeDefinitions"]
    assert (before["global_secondary_indexes"], after["global_secondary_indexes"]) == (["by-owner"], ["by-status"])


def test_a_changed_stream_view_type_is_turned_off_then_on():
    streaming = described(StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
    steps = update_steps({**PARAMS, "stream_view_type": "NEW_IMAGE"}, settings(streaming))[0]
    assert steps == [
        ("update_table", {"StreamSpecification": {"StreamEnabled": False}}),
        ("update_table", {"StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}}),
    ]


def test_ttl_is_turned_on_and_off_but_never_renamed_in_place():
    assert update_steps({**PARAMS, "ttl_attribute_name": "expires"}, settings())[0] == [
        ("time_to_live", {"TimeToLiveSpecification": {"Enabled": True, "AttributeName": "expires"}})
    ]
    ttl_on = {"TimeToLiveDescription": {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires"}}
    assert update_steps(PARAMS, settings(ttl=ttl_on))[0] == [("time_to_live", {"TimeToLiveSpecification": {"Enabled": False, "AttributeName": "expires"}})]
    with pytest.raises(DynamoDBError, match=re.escape("ttl_attribute_name is 'expires'")):
        update_steps({**PARAMS, "ttl_attribute_name": "expiry"}, settings(ttl=ttl_on))


def test_key_schema_and_index_changes_are_errors_not_replacements():
    with pytest.raises(DynamoDBError, match="DynamoDB cannot change a table's key schema"):
        update_steps({**PARAMS, "range_key_name": "created"}, settings())
    changed_index = {**PARAMS, "global_secondary_indexes": [{"name": "by-owner", "hash_key_name": "team", "projection": "ALL"}]}
    with pytest.raises(DynamoDBError, match="global secondary index by-owner differs"):
        update_steps(changed_index, settings())


def test_one_attribute_cannot_have_two_types():
    clash = {**PARAMS, "global_secondary_indexes": [{"name": "by-pk", "hash_key_name": "pk", "hash_key_type": "N"}]}
    with pytest.raises(DynamoDBError, match="attribute pk is typed S and N"):
        create_request(clash, [])


def test_autoscaled_capacity_is_left_to_the_scaler_once_provisioned():
    provisioned = {**PARAMS, "billing_mode": "PROVISIONED", "read_capacity": 5, "write_capacity": 5, "autoscaled_capacity": True}
    scaled = described(BillingModeSummary={"BillingMode": "PROVISIONED"}, ProvisionedThroughput={"ReadCapacityUnits": 40, "WriteCapacityUnits": 12})
    assert update_steps(provisioned, settings(scaled))[0] == []
    # Switching from on-demand still needs the capacities.
    assert update_steps(provisioned, settings())[0][0][1]["ProvisionedThroughput"] == {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}


# --- table_drift: the dynamodb role's read-once comparison, the module's own -----------------------------------------

from ansible_collections.corp.infra.plugins.module_utils.dynamodb import table_drift  # noqa: E402

TAGS = {"Environment": "prod", "ManagedBy": "corp.infra"}


def live(table=None, pitr=None, ttl=None, tags=None, aws_managed=False):
    """What corp.infra.dynamodb_state_info returns for the table."""
    return {
        "table": described() if table is None else table,
        "continuous_backups": PITR_ON if pitr is None else pitr,
        "ttl": TTL_OFF if ttl is None else ttl,
        "key_is_aws_managed": aws_managed,
        "tags": dict(TAGS) if tags is None else tags,
    }


DESIRED = PARAMS | {"tags": TAGS}


def test_a_table_in_sync_has_no_drift_and_the_role_skips_the_module():
    assert table_drift(live(), DESIRED) == {}


@pytest.mark.parametrize(
    ("state", "reason"),
    [
        (live(table={}), "missing"),
        (live(table=described(TableStatus="UPDATING")), "status UPDATING"),
        (live(pitr={"PointInTimeRecoveryDescription": {"PointInTimeRecoveryStatus": "DISABLED"}}), "point_in_time_recovery"),
        (live(table=described(DeletionProtectionEnabled=False)), "deletion_protection"),
        (live(table=described(SSEDescription={"Status": "ENABLED", "KMSMasterKeyArn": KEY.replace("1111", "2222")})), "kms_key_arn"),
        (live(tags={"Environment": "prod"}), "tags"),
        (live(tags=TAGS | {"Owner": "someone"}), "tags"),
        # Every differing row is listed: the tags beside the settings (the module sets both in one run).
        (live(table=described(DeletionProtectionEnabled=False), tags={"Environment": "prod"}), "deletion_protection, tags"),
        (
            live(table=described(KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])),
            "hash_key_name is 'id' on table corp-dynamodb-main-prod and DynamoDB cannot change a table's key schema (wanted 'pk')",
        ),
    ],
    ids=["missing", "updating", "pitr-off", "unprotected", "other-key", "tag-missing", "extra-tag", "unprotected-and-tag-missing", "key-schema"],
)
def test_each_difference_the_module_would_act_on_is_reported(state, reason):
    assert table_drift(state, DESIRED) == {"table": reason}


def test_options_the_role_leaves_to_the_module_defaults_compare_as_the_module_fills_them():
    # hash_key_type and the index's projection are left out: the module's argument spec defaults them (S, ALL).
    desired = {k: v for k, v in DESIRED.items() if k not in ("hash_key_type", "range_key_type")}
    desired["global_secondary_indexes"] = [{"name": "by-owner", "hash_key_name": "owner"}]
    assert table_drift(live(), desired) == {}
    with pytest.raises(ValueError, match="billing_mode"):
        table_drift(live(), DESIRED | {"billing_mode": "ON_DEMAND"})


# --- TABLE_SETTINGS: each row changed alone out of band is that row's difference only ---------------------------------

from ansible_collections.corp.infra.plugins.module_utils.dynamodb import FIXED  # noqa: E402
from ansible_collections.corp.infra.plugins.module_utils.dynamodb import TABLE_SETTINGS  # noqa: E402

ROLE = Path(__file__).resolve().parents[4] / "roles" / "dynamodb"
PROVISIONED = DESIRED | {"billing_mode": "PROVISIONED", "read_capacity": 5, "write_capacity": 5}
PROVISIONED_TABLE = {"BillingModeSummary": {"BillingMode": "PROVISIONED"}, "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}}
OTHER_INDEX = {"IndexName": "by-date", "KeySchema": [{"AttributeName": "date", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}
# Row -> (the live table changed out of band, the desired options it is compared with).
OUT_OF_BAND = {
    "hash_key_name": (live(table=described(KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}])), DESIRED),
    "hash_key_type": (
        live(table=described(AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "N"}, {"AttributeName": "sk", "AttributeType": "S"}])),
        DESIRED,
    ),
    "range_key_name": (live(table=described(KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "at", "KeyType": "RANGE"}])), DESIRED),
    "range_key_type": (
        live(table=described(AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "B"}])),
        DESIRED,
    ),
    "billing_mode": (live(table=described(**PROVISIONED_TABLE)), DESIRED),
    "read_capacity": (live(table=described(**PROVISIONED_TABLE | {"ProvisionedThroughput": {"ReadCapacityUnits": 9, "WriteCapacityUnits": 5}})), PROVISIONED),
    "write_capacity": (live(table=described(**PROVISIONED_TABLE | {"ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 9}})), PROVISIONED),
    "table_class": (live(table=described(TableClassSummary={"TableClass": "STANDARD_INFREQUENT_ACCESS"})), DESIRED),
    "kms_key_arn": (live(table=described(SSEDescription={"Status": "ENABLED", "KMSMasterKeyArn": KEY.replace("1111", "2222")})), DESIRED),
    "deletion_protection": (live(table=described(DeletionProtectionEnabled=False)), DESIRED),
    "stream_view_type": (live(table=described(StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})), DESIRED),
    "global_secondary_indexes": (live(table=described(GlobalSecondaryIndexes=[*described()["GlobalSecondaryIndexes"], OTHER_INDEX])), DESIRED),
    "point_in_time_recovery": (live(pitr={"PointInTimeRecoveryDescription": {"PointInTimeRecoveryStatus": "DISABLED"}}), DESIRED),
    "ttl_attribute_name": (live(ttl={"TimeToLiveDescription": {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires"}}), DESIRED),
}


@pytest.mark.parametrize("option", OUT_OF_BAND)
def test_each_table_setting_changed_alone_is_that_settings_difference_only(option):
    state, desired = OUT_OF_BAND[option]
    base = live(table=described(**PROVISIONED_TABLE)) if desired is PROVISIONED else live()
    assert table_drift(base, desired) == {}
    (reason,) = table_drift(state, desired).values()
    if TABLE_SETTINGS[option][0] == FIXED:
        # DynamoDB cannot change it: the module refuses, and the reason names the option and the rule.
        assert reason.startswith(f"{option} is ") and "cannot change" in reason
    else:
        assert reason == option
        # Left to the module (None: not managed), the change is noticed by no other row. Capacity defaults to 1 and no
        # key to the AWS-managed one (never the AWS-owned key), as the module creates them.
        if ARGUMENT_SPEC[option].get("default") is None and option not in ("read_capacity", "write_capacity", "kms_key_arn"):
            assert table_drift(state, {k: v for k, v in desired.items() if k != option}) == {}


def test_every_table_row_has_an_out_of_band_case_and_the_role_passes_the_module_exactly_the_rows():
    assert set(OUT_OF_BAND) == set(TABLE_SETTINGS)
    (task,) = [task for task in yaml.safe_load((ROLE / "tasks" / "present.yml").read_text()) if "corp.infra.dynamodb_table" in task]
    options = task["corp.infra.dynamodb_table"]
    # Found by name; autoscaled_capacity hands the capacity to Application Auto Scaling; tags compare with compare_aws_tags.
    assert set(options) - {"name", "autoscaled_capacity", "tags"} == set(TABLE_SETTINGS)
    for option, value in options.items():
        assert f"__dynamodb_wanted.{option}" in str(value), (option, value)
    desired = yaml.safe_load((ROLE / "vars" / "main.yml").read_text())["__dynamodb_desired"]
    assert set(desired) == set(options)
