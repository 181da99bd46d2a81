# Copyright: corp.infra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bucket policies for the s3 role: TLS-only and encryption guardrails, merged with the user's statements.

Plain values in, a policy document out. amazon.aws has no helper for this: s3_bucket takes a whole
document, so the role builds it here, keeping the user's statements rather than replacing them.
"""

from __future__ import annotations

import copy
from typing import Any

from ansible_collections.corp.infra.plugins.module_utils.kms_policy import PolicyError

GUARDRAIL_SIDS = ("DenyInsecureTransport", "DenyOutdatedTls", "DenyUploadsNotEncryptedWithKms", "DenyUploadsWithAnotherKey")
SSE_HEADER = "s3:x-amz-server-side-encryption"
SSE_KEY_HEADER = "s3:x-amz-server-side-encryption-aws-kms-key-id"


def tls_guardrails(bucket_arn: str, min_tls_version: str = "1.2") -> list[dict[str, Any]]:
    """Deny any request without TLS (Security Hub S3.5) or below ``min_tls_version``.

    https://docs.aws.amazon.com/AmazonS3/latest/userguide/example-bucket-policies.html and
    https://docs.aws.amazon.com/AmazonS3/latest/userguide/amazon-s3-policy-keys.html#example-object-tls-version
    """
    try:
        tls_version = float(min_tls_version)
    except (TypeError, ValueError):
        raise PolicyError(f"s3_min_tls_version must be a TLS version number such as 1.2 (got {min_tls_version!r})") from None
    resources = [bucket_arn, f"{bucket_arn}/*"]
    return [
        {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": resources,
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
        {
            "Sid": "DenyOutdatedTls",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": resources,
            "Condition": {"NumericLessThan": {"s3:TlsVersion": tls_version}},
        },
    ]


def encryption_guardrails(bucket_arn: str, kms_key_arn: str | None) -> list[dict[str, Any]]:
    """Deny an upload that asks for another encryption than SSE-KMS, or for another key than the stack key.

    Only requests that carry the headers are refused (Null false): an upload without them gets the bucket's
    default, SSE-KMS with the stack key, and UploadPart never carries them. The headers come with PutObject,
    CopyObject and CreateMultipartUpload, all authorised as s3:PutObject (S3 User Guide, "Specifying server-side
    encryption with AWS KMS", "Amazon S3 condition key examples"). The key header is compared with the key's ARN,
    the form S3 documents for this condition key: a client naming the key sends its ARN, or no header.
    Without a key ARN (check mode before the key exists) only the algorithm is enforced.
    """
    objects = f"{bucket_arn}/*"
    statements = [
        {
            "Sid": "DenyUploadsNotEncryptedWithKms",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:PutObject",
            "Resource": objects,
            "Condition": {"Null": {SSE_HEADER: "false"}, "StringNotEquals": {SSE_HEADER: "aws:kms"}},
        }
    ]
    if kms_key_arn:
        statements.append(
            {
                "Sid": "DenyUploadsWithAnotherKey",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:PutObject",
                "Resource": objects,
                "Condition": {"Null": {SSE_KEY_HEADER: "false"}, "StringNotEquals": {SSE_KEY_HEADER: kms_key_arn}},
            }
        )
    return statements


def merge_statements(ours: list[dict[str, Any]], theirs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Ours first, then the user's; a user statement may not reuse one of our Sids (it would shadow a guardrail)."""
    taken = {s.get("Sid") for s in ours}
    merged = copy.deepcopy(ours)
    for index, statement in enumerate(theirs or []):
        if statement.get("Sid") in taken and statement.get("Sid"):
            raise PolicyError(f"s3_bucket_policy_statements[{index}]: Sid {statement['Sid']!r} is reserved for the role's own statement")
        if statement not in merged:
            merged.append(copy.deepcopy(statement))
    return merged


def bucket_policy(
    bucket_name: str,
    partition: str = "aws",
    user_statements: list[dict[str, Any]] | None = None,
    extra_statements: list[dict[str, Any]] | None = None,
    min_tls_version: str = "1.2",
    sse_kms: bool = False,
    kms_key_arn: str | None = None,
) -> dict[str, Any]:
    """The bucket's policy: the TLS guardrails, with ``sse_kms`` the encryption guardrails, the role's extra
    statements, then the user's."""
    bucket_arn = f"arn:{partition}:s3:::{bucket_name}"
    ours = tls_guardrails(bucket_arn, min_tls_version) + (encryption_guardrails(bucket_arn, kms_key_arn) if sse_kms else [])
    ours += list(extra_statements or [])
    return {"Version": "2012-10-17", "Statement": merge_statements(ours, list(user_statements or []))}
