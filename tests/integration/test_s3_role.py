"""The s3 role on the emulator: check -> apply -> check -> apply, the live bucket and key, drift on every resource, absent."""

import json
import re
from datetime import UTC
from datetime import datetime

import pytest

from .conftest import ansible_playbook
from .conftest import changed

ENVIRONMENT = "s3test"
pytestmark = pytest.mark.slow(60)  # seconds, about
PLAYBOOK = "tests/integration/playbooks/s3.yml"
BUCKET = f"corp-s3-securedata-{ENVIRONMENT}"
LOGS = f"corp-s3-accesslogs-{ENVIRONMENT}"


def test_s3_quartet_live_state_drift_and_absent(emulator, tmp_path):
    s3, kms = emulator.client("s3"), emulator.client("kms")
    outputs_file = tmp_path / "s3.json"

    def run(*extra, check=True):
        return ansible_playbook(emulator, PLAYBOOK, "-i", "inventories/local", "-e", f"corp_environment={ENVIRONMENT}", *extra, check=check)

    first = run("--check", "--diff")
    assert changed(first) > 0 and '"data_bucket": "missing, would create it"' in first.stdout
    assert BUCKET not in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    assert changed(run("-e", f"s3_outputs_file={outputs_file}")) > 0
    assert changed(run("--check", "--diff")) == 0
    assert changed(run()) == 0

    outputs = json.loads(outputs_file.read_text())
    key_arn = outputs["key_arn"]
    assert outputs == {
        "bucket_name": BUCKET,
        "bucket_arn": f"arn:aws:s3:::{BUCKET}",
        "key_arn": key_arn,
        "key_alias": f"alias/corp-kms-data-{ENVIRONMENT}",
        "log_bucket_name": LOGS,
    }
    key = kms.describe_key(KeyId=f"alias/corp-kms-data-{ENVIRONMENT}")["KeyMetadata"]
    assert key["Arn"] == key_arn and key["KeyState"] == "Enabled"
    assert kms.get_key_rotation_status(KeyId=key_arn)["KeyRotationEnabled"]
    key_policy = json.loads(kms.get_key_policy(KeyId=key_arn, PolicyName="default")["Policy"])
    # The account for everything but CloudWatch Logs, which uses the key as its own principal for this
    # environment's flow log group only.
    principals = {s["Sid"]: s["Principal"] for s in key_policy["Statement"]}
    assert principals.pop("UseByCloudWatchLogsForTheStackLogGroups") == {"Service": "logs.us-east-1.amazonaws.com"}
    assert all(p == {"AWS": "arn:aws:iam::123456789012:root"} for p in principals.values())
    (logs,) = [s for s in key_policy["Statement"] if s["Sid"] == "UseByCloudWatchLogsForTheStackLogGroups"]
    assert logs["Condition"] == {
        "ArnEquals": {"kms:EncryptionContext:aws:logs:arn": f"arn:aws:logs:us-east-1:123456789012:log-group:corp-vpc-flowlogs-{ENVIRONMENT}"}
    }
    assert "kms:*" not in json.dumps(key_policy)

    rule = s3.get_bucket_encryption(Bucket=BUCKET)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key_arn}
    assert rule["BucketKeyEnabled"] is True
    assert s3.get_bucket_versioning(Bucket=BUCKET)["Status"] == "Enabled"
    flags = s3.get_public_access_block(Bucket=BUCKET)["PublicAccessBlockConfiguration"]
    assert flags == {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True}
    assert s3.get_bucket_ownership_controls(Bucket=BUCKET)["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    policy = json.loads(s3.get_bucket_policy(Bucket=BUCKET)["Policy"])
    guardrails = {s["Sid"]: s for s in policy["Statement"]}
    assert guardrails["DenyInsecureTransport"]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert guardrails["DenyOutdatedTls"]["Condition"] == {"NumericLessThan": {"s3:TlsVersion": 1.2}}
    (lifecycle,) = s3.get_bucket_lifecycle_configuration(Bucket=BUCKET)["Rules"]
    assert lifecycle["NoncurrentVersionExpiration"]["NoncurrentDays"] == 90
    assert lifecycle["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"] == 7
    assert s3.get_bucket_logging(Bucket=BUCKET)["LoggingEnabled"] == {"TargetBucket": LOGS, "TargetPrefix": f"{BUCKET}/"}
    log_rule = s3.get_bucket_encryption(Bucket=LOGS)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert log_rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert s3.get_public_access_block(Bucket=LOGS)["PublicAccessBlockConfiguration"]["RestrictPublicBuckets"]
    log_policy = {s["Sid"] for s in json.loads(s3.get_bucket_policy(Bucket=LOGS)["Policy"])["Statement"]}
    assert log_policy == {"DenyInsecureTransport", "DenyOutdatedTls", "AllowServerAccessLogDelivery"}
    assert s3.get_bucket_notification_configuration(Bucket=BUCKET)["EventBridgeConfiguration"] == {}

    # Out-of-band changes to every setting of the data bucket's table (s3_state.BUCKET_SETTINGS) but logging (the
    # second round's), and to the key's description, state and policy: check mode names each bucket setting with the
    # one comparison's reasons and nothing else, a normal run repairs them all, then nothing is left to do.
    other_key = "arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000"
    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Suspended"})
    s3.delete_public_access_block(Bucket=BUCKET)
    s3.delete_bucket_policy(Bucket=BUCKET)
    s3.put_bucket_tagging(Bucket=BUCKET, Tagging={"TagSet": [*s3.get_bucket_tagging(Bucket=BUCKET)["TagSet"], {"Key": "Owner", "Value": "x"}]})
    s3.put_bucket_encryption(
        Bucket=BUCKET,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": other_key}, "BucketKeyEnabled": False}]
        },
    )
    s3.put_bucket_ownership_controls(Bucket=BUCKET, OwnershipControls={"Rules": [{"ObjectOwnership": "ObjectWriter"}]})
    key_policy, kms_description = json.loads(kms.get_key_policy(KeyId=key_arn, PolicyName="default")["Policy"]), key["Description"]
    kms.update_key_description(KeyId=key_arn, Description="edited")
    kms.put_key_policy(KeyId=key_arn, PolicyName="default", Policy=json.dumps({**key_policy, "Statement": key_policy["Statement"][:1]}))
    kms.disable_key(KeyId=key_arn)
    drift = run("--check", "--diff")
    assert changed(drift) > 0
    # The s3 report and the role's "Show what differs" print the same comparison.
    (reported,) = set(re.findall(r'"data_bucket": "(.*)"', drift.stdout))
    assert reported.split("; ") == [
        "versioning is Suspended, would enable it",
        *[f"public access block {flag} is unset, would turn it on" for flag in sorted(flags)],
        "no bucket policy, would set it",
        "tags differ, would set them (and remove others)",
        f"default encryption is aws:kms {other_key}, would set aws:kms {key_arn}",
        "S3 Bucket Key is off, would turn it on",
        "object ownership is ObjectWriter, would set BucketOwnerEnforced",
    ]
    assert s3.get_bucket_versioning(Bucket=BUCKET)["Status"] == "Suspended"  # check mode changed nothing
    assert changed(run()) > 0
    assert s3.get_bucket_versioning(Bucket=BUCKET)["Status"] == "Enabled"
    assert s3.get_public_access_block(Bucket=BUCKET)["PublicAccessBlockConfiguration"]["BlockPublicPolicy"]
    assert json.loads(s3.get_bucket_policy(Bucket=BUCKET)["Policy"]) == policy
    assert "Owner" not in {t["Key"] for t in s3.get_bucket_tagging(Bucket=BUCKET)["TagSet"]}
    (rule,) = s3.get_bucket_encryption(Bucket=BUCKET)["ServerSideEncryptionConfiguration"]["Rules"]
    assert (rule["ApplyServerSideEncryptionByDefault"]["KMSMasterKeyID"], rule["BucketKeyEnabled"]) == (key_arn, True)
    assert s3.get_bucket_ownership_controls(Bucket=BUCKET)["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    key = kms.describe_key(KeyId=key_arn)["KeyMetadata"]
    assert (key["KeyState"], key["Description"]) == ("Enabled", kms_description)
    assert json.loads(kms.get_key_policy(KeyId=key_arn, PolicyName="default")["Policy"]) == key_policy
    assert changed(run("--check")) == 0

    # Drift on every resource the role manages, each through a setting the first round left alone. A run reads
    # the key and buckets once and calls a resource's module only where it differs: none may hide behind that.
    kms.disable_key_rotation(KeyId=key_arn)
    kms.untag_resource(KeyId=key_arn, TagKeys=["Name"])
    s3.put_bucket_tagging(Bucket=LOGS, Tagging={"TagSet": [{"Key": "Environment", "Value": ENVIRONMENT}, {"Key": "Owner", "Value": "someone"}]})
    lifecycle = s3.get_bucket_lifecycle_configuration(Bucket=LOGS)["Rules"]
    s3.put_bucket_lifecycle_configuration(Bucket=LOGS, LifecycleConfiguration={"Rules": [{**lifecycle[0], "Expiration": {"Days": 30}}]})
    s3.put_bucket_abac(Bucket=BUCKET, AbacStatus={"Status": "Enabled"})
    s3.put_bucket_logging(Bucket=BUCKET, BucketLoggingStatus={})
    s3.delete_bucket_lifecycle(Bucket=BUCKET)
    # Events to an SQS queue instead of EventBridge: the queue stays, EventBridge comes back.
    queue = emulator.client("sqs").create_queue(QueueName=f"events-{ENVIRONMENT}")["QueueUrl"]
    queue_arn = emulator.client("sqs").get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    s3.put_bucket_notification_configuration(
        Bucket=BUCKET, NotificationConfiguration={"QueueConfigurations": [{"QueueArn": queue_arn, "Events": ["s3:ObjectCreated:*"]}]}
    )
    predicted = run("--check", "--diff").stdout.splitlines()
    predicted_tasks = {next(t for t in reversed(predicted[:i]) if t.startswith("TASK")) for i, line in enumerate(predicted) if line.startswith("changed:")}
    assert [t for t in predicted_tasks if "Send the data bucket's events to EventBridge" in t], predicted_tasks
    assert "EventBridgeConfiguration" not in s3.get_bucket_notification_configuration(Bucket=BUCKET)
    repaired = run()
    lines = repaired.stdout.splitlines()
    tasks = {next(t for t in reversed(lines[:i]) if t.startswith("TASK")) for i, line in enumerate(lines) if line.startswith("changed:")}
    assert sorted(task.split(" : ")[1].rstrip(" *]") for task in tasks) == [
        f"Bring the stack key to what it should be alias/corp-kms-data-{ENVIRONMENT}",
        f"Create the access log bucket {LOGS}",
        f"Create the data bucket {BUCKET}",
        "Expire access logs after the retention in days of 365",
        "Expire noncurrent versions and abort incomplete uploads in the data bucket",
        "Send the data bucket's events to EventBridge, as s3_eventbridge says",
        "Turn ABAC off on the data bucket, as s3_abac says",
    ]
    notifications = s3.get_bucket_notification_configuration(Bucket=BUCKET)
    assert notifications["EventBridgeConfiguration"] == {} and [q["QueueArn"] for q in notifications["QueueConfigurations"]] == [queue_arn]
    assert kms.get_key_rotation_status(KeyId=key_arn)["KeyRotationEnabled"]
    assert {t["TagKey"] for t in kms.list_resource_tags(KeyId=key_arn)["Tags"]} >= {"Name"}
    assert "Owner" not in {t["Key"] for t in s3.get_bucket_tagging(Bucket=LOGS)["TagSet"]}
    assert s3.get_bucket_lifecycle_configuration(Bucket=LOGS)["Rules"][0]["Expiration"] == {"Days": 365}
    assert s3.get_bucket_abac(Bucket=BUCKET)["AbacStatus"]["Status"] == "Disabled"
    assert s3.get_bucket_logging(Bucket=BUCKET)["LoggingEnabled"]["TargetBucket"] == LOGS
    assert [r["ID"] for r in s3.get_bucket_lifecycle_configuration(Bucket=BUCKET)["Rules"]] == ["noncurrent-versions-and-incomplete-uploads"]
    assert changed(run()) == 0

    # absent refuses a bucket with objects, before deleting anything; with the opt-in it removes them.
    s3.put_object(Bucket=BUCKET, Key=f"{ENVIRONMENT}/report.csv", Body=b"a,b\n")
    refused = run("-e", "s3_state=absent", "-e", f"corp_destroy_confirmation={ENVIRONMENT}", check=False)
    assert refused.returncode != 0
    assert f"s3_force_destroy: {BUCKET}" in refused.stdout
    assert {BUCKET, LOGS} <= {b["Name"] for b in s3.list_buckets()["Buckets"]}
    assert kms.describe_key(KeyId=key_arn)["KeyMetadata"]["KeyState"] == "Enabled"
    assert changed(run("-e", "s3_state=absent", "-e", f"corp_destroy_confirmation={ENVIRONMENT}", "-e", "s3_force_destroy=true")) > 0
    assert not {BUCKET, LOGS} & {b["Name"] for b in s3.list_buckets()["Buckets"]}
    key = kms.describe_key(KeyId=key_arn)["KeyMetadata"]
    assert key["KeyState"] == "PendingDeletion"
    assert 29 <= (key["DeletionDate"] - datetime.now(UTC)).days <= 30
    assert changed(run("-e", "s3_state=absent", "-e", f"corp_destroy_confirmation={ENVIRONMENT}")) == 0
