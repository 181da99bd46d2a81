"""The dynamodb role on the emulator: check -> apply -> check -> apply, the live table, drift, the AWS-managed
key, and absent with and without confirmation."""

import json

import pytest

from .conftest import ansible_playbook
from .conftest import changed
from .conftest import states

ENVIRONMENT = "ddbtest"
pytestmark = pytest.mark.slow(67)  # seconds, about
TABLE = f"corp-dynamodb-main-{ENVIRONMENT}"


def test_dynamodb_quartet_live_table_drift_and_absent(emulator, tmp_path):
    dynamodb, kms = emulator.client("dynamodb"), emulator.client("kms")

    def run(*extra, tags="dynamodb", check=True):
        args = ["site.yml", "-i", "inventories/local", "-e", f"corp_environment={ENVIRONMENT}", "--tags", tags, *extra]
        return ansible_playbook(emulator, *args, check=check)

    protected = ("-e", "dynamodb_deletion_protection=true", "-e", "dynamodb_ttl_attribute_name=expires_at")
    first = run(*protected, "--check", "--diff", tags="s3,dynamodb")
    assert changed(first) > 0 and '"point_in_time_recovery": true' in first.stdout
    assert TABLE not in dynamodb.list_tables()["TableNames"]
    assert changed(run(*protected, tags="s3,dynamodb")) > 0
    assert changed(run(*protected, "--check", "--diff", tags="s3,dynamodb")) == 0
    assert changed(run(*protected, tags="s3,dynamodb")) == 0

    table = dynamodb.describe_table(TableName=TABLE)["Table"]
    stack_key = kms.describe_key(KeyId=f"alias/corp-kms-data-{ENVIRONMENT}")["KeyMetadata"]["Arn"]
    assert table["SSEDescription"] == {"Status": "ENABLED", "SSEType": "KMS", "KMSMasterKeyArn": stack_key}
    assert table["DeletionProtectionEnabled"] is True
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert [k["AttributeName"] for k in table["KeySchema"]] == ["pk", "sk"]
    pitr = dynamodb.describe_continuous_backups(TableName=TABLE)["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
    assert pitr["PointInTimeRecoveryStatus"] == "ENABLED"
    assert dynamodb.describe_time_to_live(TableName=TABLE)["TimeToLiveDescription"] == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires_at"}
    tags = {t["Key"]: t["Value"] for t in dynamodb.list_tags_of_resource(ResourceArn=table["TableArn"])["Tags"]}
    assert tags == {"Environment": ENVIRONMENT, "ManagedBy": "corp.infra"}

    # Out-of-band: PITR and deletion protection off. Check mode names both, a normal run repairs them.
    dynamodb.update_continuous_backups(TableName=TABLE, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": False})
    dynamodb.update_table(TableName=TABLE, DeletionProtectionEnabled=False)
    drift = run(*protected, "--check", "--diff")
    assert changed(drift) == 1
    assert '-    "deletion_protection": false' in drift.stdout and '-    "point_in_time_recovery": false' in drift.stdout
    assert changed(run(*protected)) == 1
    assert dynamodb.describe_table(TableName=TABLE)["Table"]["DeletionProtectionEnabled"] is True
    assert changed(run(*protected, "--check")) == 0

    # absent: the table stays without the environment's own name (or with another's), goes with it.
    for refusal in ((), ("-e", "corp_destroy_confirmation=prod")):
        refused = run("-e", "dynamodb_state=absent", *refusal, check=False)
        assert refused.returncode != 0 and "corp_destroy_confirmation: " in refused.stdout
        assert TABLE in dynamodb.list_tables()["TableNames"]
    confirmed = ("-e", "dynamodb_state=absent", "-e", f"corp_destroy_confirmation={ENVIRONMENT}")
    assert changed(run(*confirmed)) == 1
    assert TABLE not in dynamodb.list_tables()["TableNames"]
    assert changed(run(*confirmed)) == 0

    # Without the stack key: the AWS-managed key, by omitting the key id.
    # It also carries a stream and a global secondary index, and publishes the stream's ARN.
    index = '{"dynamodb_global_secondary_indexes": [{"name": "by-owner", "hash_key_name": "owner", "projection": "KEYS_ONLY"}]}'
    # The outputs go to a folder of the test's own, which exists: whether outputs/ does depends on the tests before.
    managed = ("-e", f"outputs_dir={tmp_path}", "-e", "dynamodb_purpose=managed", "-e", "dynamodb_use_stack_key=false")
    managed += ("-e", "dynamodb_stream_view_type=NEW_IMAGE", "-e", index)
    assert changed(run(*managed, tags="dynamodb,outputs")) == 2  # the table, and the outputs file
    assert changed(run(*managed)) == 0
    table = dynamodb.describe_table(TableName=f"corp-dynamodb-managed-{ENVIRONMENT}")["Table"]
    assert table["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}
    assert [(i["IndexName"], i["Projection"]["ProjectionType"]) for i in table["GlobalSecondaryIndexes"]] == [("by-owner", "KEYS_ONLY")]
    published = json.loads((tmp_path / f"{ENVIRONMENT}.json").read_text())["services"]["dynamodb"]
    assert published["stream_arn"] == table["LatestStreamArn"] and published["table_arn"] == table["TableArn"]
    key_arn = table["SSEDescription"]["KMSMasterKeyArn"]
    assert kms.describe_key(KeyId=key_arn)["KeyMetadata"]["KeyManager"] == "AWS"

    # Provisioned: Application Auto Scaling for reads and writes, and the capacity it sets is left alone.
    provisioned = (*managed, "-e", "dynamodb_billing_mode=PROVISIONED")
    predicted = run(*provisioned, "--check", "--diff")
    assert changed(predicted) == 1 and "a real run ensures read and write auto scaling" in predicted.stdout
    assert changed(run(*provisioned)) == 2
    autoscaling = emulator.client("application-autoscaling")
    targets = autoscaling.describe_scalable_targets(ServiceNamespace="dynamodb", ResourceIds=[f"table/corp-dynamodb-managed-{ENVIRONMENT}"])["ScalableTargets"]
    assert sorted((t["ScalableDimension"], t["MinCapacity"], t["MaxCapacity"]) for t in targets) == [
        ("dynamodb:table:ReadCapacityUnits", 5, 100),
        ("dynamodb:table:WriteCapacityUnits", 5, 100),
    ]
    dynamodb.update_table(TableName=f"corp-dynamodb-managed-{ENVIRONMENT}", ProvisionedThroughput={"ReadCapacityUnits": 40, "WriteCapacityUnits": 12})
    assert changed(run(*provisioned)) == 0

    # Two more indexes in one run. Each stays CREATING for a while after UpdateTable adds it, the table ACTIVE
    # meanwhile, and DynamoDB refuses another index change until it is done (the emulator's asynchronous-state
    # rehearsal plays both): the module waits for each index before the next.
    keys = (("by-owner", "owner"), ("by-status", "status"), ("by-team", "team"))
    more = [{"name": name, "hash_key_name": key, "projection": "KEYS_ONLY"} for name, key in keys]
    states(emulator, "POST", dynamodb_describes=1)
    try:
        added = run(*provisioned, "-e", json.dumps({"dynamodb_global_secondary_indexes": more}))
        answers = states(emulator, "GET")["answers"]
    finally:
        states(emulator, "DELETE")
    assert changed(added) >= 1 and answers.get("index CREATING", 0) >= 2
    indexes = dynamodb.describe_table(TableName=f"corp-dynamodb-managed-{ENVIRONMENT}")["Table"]["GlobalSecondaryIndexes"]
    assert sorted((i["IndexName"], i["IndexStatus"]) for i in indexes) == [("by-owner", "ACTIVE"), ("by-status", "ACTIVE"), ("by-team", "ACTIVE")]
    assert changed(run(*managed, *confirmed)) == 1

    assert run("-e", "s3_state=absent", "-e", "s3_force_destroy=true", "-e", f"corp_destroy_confirmation={ENVIRONMENT}", tags="s3").returncode == 0
