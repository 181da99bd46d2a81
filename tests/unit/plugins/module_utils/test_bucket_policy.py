import json

import pytest

from ansible_collections.corp.infra.plugins.module_utils.bucket_policy import bucket_drift
from ansible_collections.corp.infra.plugins.module_utils.bucket_policy import bucket_policy
from ansible_collections.corp.infra.plugins.module_utils.bucket_policy import log_delivery_statement
from ansible_collections.corp.infra.plugins.module_utils.kms_policy import PolicyError

BUCKET = "corp-s3-securedata-prod"
ARN = f"arn:aws:s3:::{BUCKET}"
KEY = "arn:aws:kms:ap-south-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
USER = {"Sid": "DenyUnencryptedUploads", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": f"{ARN}/*"}


def test_guardrails_deny_plain_http_and_old_tls_on_bucket_and_objects():
    policy = bucket_policy(BUCKET)
    transport, tls = policy["Statement"]
    assert transport["Effect"] == tls["Effect"] == "Deny"
    assert transport["Resource"] == tls["Resource"] == [ARN, f"{ARN}/*"]
    assert transport["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert tls["Condition"] == {"NumericLessThan": {"s3:TlsVersion": 1.2}}


def test_user_statements_are_kept_after_the_guardrails():
    policy = bucket_policy(BUCKET, user_statements=[USER])
    assert [s["Sid"] for s in policy["Statement"]] == ["DenyInsecureTransport", "DenyOutdatedTls", "DenyUnencryptedUploads"]
    assert policy["Statement"][2] == USER


def test_a_user_statement_cannot_take_a_guardrail_sid():
    with pytest.raises(PolicyError, match=r"s3_bucket_policy_statements\[0\]: Sid 'DenyInsecureTransport' is reserved"):
        bucket_policy(BUCKET, user_statements=[dict(USER, Sid="DenyInsecureTransport")])


def test_log_delivery_is_scoped_to_the_source_bucket_and_account():
    statement = log_delivery_statement("arn:aws:s3:::corp-s3-accesslogs-prod", ARN, "111122223333", f"{BUCKET}/")
    assert statement["Principal"] == {"Service": "logging.s3.amazonaws.com"}
    assert statement["Resource"] == f"arn:aws:s3:::corp-s3-accesslogs-prod/{BUCKET}/*"
    assert statement["Condition"] == {"ArnLike": {"aws:SourceArn": ARN}, "StringEquals": {"aws:SourceAccount": "111122223333"}}


def live(policy, versioning="Enabled", block=True, algorithm="aws:kms", key=KEY, bucket_key=True, ownership="BucketOwnerEnforced"):
    flags = dict.fromkeys(("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"), block)
    return {
        "bucket_versioning": {"Status": versioning},
        "public_access_block": {"PublicAccessBlockConfiguration": flags},
        "bucket_encryption": {
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": algorithm, "KMSMasterKeyID": key}, "BucketKeyEnabled": bucket_key}]
        },
        "bucket_ownership_controls": {"Rules": [{"ObjectOwnership": ownership}]},
        "bucket_policy": json.dumps(policy) if policy else "",
    }


DESIRED = {"versioning": True, "sse_algorithm": "aws:kms", "kms_key_arn": KEY, "bucket_key_enabled": True, "policy": bucket_policy(BUCKET)}


def test_a_bucket_as_wanted_has_no_drift():
    assert bucket_drift(live(bucket_policy(BUCKET)), DESIRED) == []


@pytest.mark.parametrize(
    ("change", "line"),
    [
        ({"versioning": "Suspended"}, "versioning is Suspended, would enable it"),
        ({"block": False}, "public access block BlockPublicAcls is off, would turn it on"),
        ({"policy": None}, "the bucket policy differs, would replace it"),
        ({"algorithm": "AES256", "key": None}, "default encryption is AES256, would set aws:kms " + KEY),
        ({"bucket_key": False}, "S3 Bucket Key is off, would turn it on"),
        ({"ownership": "ObjectWriter"}, "object ownership is ObjectWriter, would enforce the bucket owner (ACLs off)"),
    ],
)
def test_out_of_band_changes_are_reported(change, line):
    policy = change.pop("policy", bucket_policy(BUCKET))
    assert line in bucket_drift(live(policy, **change), DESIRED)


def test_encryption_guardrails_deny_other_encryption_and_other_keys_only_when_asked_for():
    policy = bucket_policy(BUCKET, sse_kms=True, kms_key_arn=KEY)
    by_sid = {s["Sid"]: s for s in policy["Statement"]}
    algorithm, key = by_sid["DenyUploadsNotEncryptedWithKms"], by_sid["DenyUploadsWithAnotherKey"]
    assert algorithm["Action"] == key["Action"] == "s3:PutObject" and algorithm["Resource"] == key["Resource"] == f"{ARN}/*"
    # Requests without the header (the bucket default applies; UploadPart never has it) are not refused.
    assert algorithm["Condition"] == {"Null": {"s3:x-amz-server-side-encryption": "false"}, "StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}
    assert key["Condition"]["StringNotEquals"] == {"s3:x-amz-server-side-encryption-aws-kms-key-id": KEY}
    # Before the key exists (check mode on an empty account), the algorithm alone.
    assert [s["Sid"] for s in bucket_policy(BUCKET, sse_kms=True)["Statement"]][2:] == ["DenyUploadsNotEncryptedWithKms"]
    assert len(bucket_policy(BUCKET)["Statement"]) == 2  # the log bucket (SSE-S3) has no such guardrail
    with pytest.raises(PolicyError, match="Sid 'DenyUploadsWithAnotherKey' is reserved"):
        bucket_policy(BUCKET, user_statements=[dict(USER, Sid="DenyUploadsWithAnotherKey")], sse_kms=True, kms_key_arn=KEY)
