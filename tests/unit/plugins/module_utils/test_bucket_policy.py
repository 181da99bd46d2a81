import pytest

from ansible_collections.corp.infra.plugins.module_utils.bucket_policy import bucket_policy
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
