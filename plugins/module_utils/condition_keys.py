# Copyright: corp.infra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which IAM actions support which service-specific condition keys.

Source: AWS Service Authorization Reference, the "Condition keys" column of the Actions table (and of the
resource types an action names) for Amazon S3
(https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html), Amazon DynamoDB
(.../list_amazondynamodb.html) and AWS KMS (.../list_awskeymanagementservice.html). tests/unit/plugins/module_utils/test_condition_keys.py checks this
table against the copy of that reference that parliament ships (iam_definition.json), so it cannot drift
from it silently. A key attached to an action that does not support it is not evaluated the way the
author meant: an Allow never matches (the action is denied) and a Deny is never applied.
"""

from __future__ import annotations

CONDITION_KEY_ACTIONS: dict[str, frozenset[str]] = {
    # Also documented in the S3 User Guide, "Tagging and access control policies": "When granting
    # permissions for the PUT Object and DELETE Object operations, this condition key is not supported."
    "s3:ExistingObjectTag/": frozenset(
        {
            "s3:DeleteObjectTagging",
            "s3:DeleteObjectVersionTagging",
            "s3:GetObject",
            "s3:GetObjectAcl",
            "s3:GetObjectAttributes",
            "s3:GetObjectTagging",
            "s3:GetObjectVersion",
            "s3:GetObjectVersionAcl",
            "s3:GetObjectVersionAttributes",
            "s3:GetObjectVersionTagging",
            "s3:PutObjectAcl",
            "s3:PutObjectTagging",
            "s3:PutObjectVersionAcl",
            "s3:PutObjectVersionTagging",
        }
    ),
    "s3:RequestObjectTag/": frozenset(
        {
            "s3:BypassGovernanceRetention",
            "s3:PutObject",
            "s3:PutObjectTagging",
            "s3:PutObjectVersionTagging",
        }
    ),
    "s3:prefix": frozenset({"s3:ListBucket", "s3:ListBucketVersions"}),
    # Item-level access control: Scan does not support it, so a Scan grant always reads every partition.
    "dynamodb:LeadingKeys": frozenset(
        {
            "dynamodb:BatchGetItem",
            "dynamodb:BatchWriteItem",
            "dynamodb:ConditionCheckItem",
            "dynamodb:DeleteItem",
            "dynamodb:GetItem",
            "dynamodb:PartiQLDelete",
            "dynamodb:PartiQLInsert",
            "dynamodb:PartiQLSelect",
            "dynamodb:PartiQLUpdate",
            "dynamodb:PutItem",
            "dynamodb:Query",
            "dynamodb:UpdateItem",
        }
    ),
    # Only the KMS operations that carry an encryption context; DescribeKey, for one, does not.
    "kms:EncryptionContext:": frozenset(
        {
            "kms:CreateGrant",
            "kms:Decrypt",
            "kms:Encrypt",
            "kms:GenerateDataKey",
            "kms:GenerateDataKeyPair",
            "kms:GenerateDataKeyPairWithoutPlaintext",
            "kms:GenerateDataKeyWithoutPlaintext",
            "kms:ReEncryptFrom",
            "kms:ReEncryptTo",
            "kms:RetireGrant",
        }
    ),
}

# aws:ResourceTag/<key> on DynamoDB is evaluated on the table and index resources: these data and
# description actions name them (the Service Authorization Reference lists more, all table-level).
DYNAMODB_RESOURCE_TAG_ACTIONS = frozenset(
    {
        "dynamodb:BatchGetItem",
        "dynamodb:BatchWriteItem",
        "dynamodb:ConditionCheckItem",
        "dynamodb:DeleteItem",
        "dynamodb:DescribeTable",
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:Query",
        "dynamodb:Scan",
        "dynamodb:UpdateItem",
    }
)


def key_family(condition_key: str) -> str | None:
    """Map ``s3:ExistingObjectTag/Environment`` to its table entry ``s3:ExistingObjectTag/`` (case-insensitive)."""
    lowered = condition_key.lower()
    for family in CONDITION_KEY_ACTIONS:
        if lowered == family.lower() or (family.endswith("/") and lowered.startswith(family.lower())):
            return family
    return None


def unsupported_actions(actions: list[str], condition_key: str) -> list[str]:
    """Actions in ``actions`` that do not support ``condition_key``; [] when the key is not in the table.

    A wildcard action (``s3:Get*``) is reported as unsupported: it expands to actions that do not
    support the key, so the statement cannot mean what it says.
    """
    if condition_key.lower().startswith("aws:resourcetag/"):
        dynamodb = [a for a in actions if a.lower().startswith("dynamodb:")]
        supported = {a.lower() for a in DYNAMODB_RESOURCE_TAG_ACTIONS}
        return [a for a in dynamodb if a.lower() not in supported]
    family = key_family(condition_key)
    if family is None:
        return []
    supported = {a.lower() for a in CONDITION_KEY_ACTIONS[family]}
    return [a for a in actions if a.lower() not in supported]
