# Copyright: corp.infra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which IAM actions support which service-specific condition keys.

Source: AWS Service Authorization Reference, "Actions, resources, and condition keys for Amazon S3"
(https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html), the "Condition
keys" column of the Actions table. tests/unit/plugins/module_utils/test_condition_keys.py checks this
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
}


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
    family = key_family(condition_key)
    if family is None:
        return []
    supported = {a.lower() for a in CONDITION_KEY_ACTIONS[family]}
    return [a for a in actions if a.lower() not in supported]
