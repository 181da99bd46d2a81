"""The action/condition-key table must agree with the AWS Service Authorization Reference.

parliament ships a copy of that reference (iam_definition.json); this test fails if the table in
module_utils/condition_keys.py and that copy disagree for any key the table lists.
"""

import importlib.util
import json
from pathlib import Path

import pytest

from ansible_collections.corp.infra.plugins.module_utils.condition_keys import CONDITION_KEY_ACTIONS
from ansible_collections.corp.infra.plugins.module_utils.condition_keys import DYNAMODB_RESOURCE_TAG_ACTIONS
from ansible_collections.corp.infra.plugins.module_utils.condition_keys import unsupported_actions

REFERENCE_KEYS = {
    "s3:ExistingObjectTag/": ("s3", "s3:ExistingObjectTag/<key>"),
    "s3:RequestObjectTag/": ("s3", "s3:RequestObjectTag/<key>"),
    "s3:prefix": ("s3", "s3:prefix"),
    "dynamodb:LeadingKeys": ("dynamodb", "dynamodb:LeadingKeys"),
    "kms:EncryptionContext:": ("kms", "kms:EncryptionContext:${EncryptionContextKey}"),
}


def _reference_actions(service: str, condition_key: str) -> set[str]:
    # Located without importing parliament, whose package import needs pkg_resources.
    package_dir = Path(importlib.util.find_spec("parliament").origin).parent
    definitions = json.loads((package_dir / "iam_definition.json").read_text())
    entry = next(d for d in definitions if d["prefix"] == service)
    resource_keys = {r["resource"]: set(r["condition_keys"]) for r in entry["resources"]}
    actions = set()
    for privilege in entry["privileges"]:
        keys = {k for resource in privilege["resource_types"] for k in resource["condition_keys"]}
        # Keys of the resource types the action names (e.g. aws:ResourceTag on a DynamoDB table).
        for resource in privilege["resource_types"]:
            keys |= resource_keys.get(resource["resource_type"].rstrip("*"), set())
        if condition_key in keys:
            actions.add(f"{service}:{privilege['privilege']}")
    return actions


@pytest.mark.parametrize("family", sorted(CONDITION_KEY_ACTIONS))
def test_table_matches_the_service_authorization_reference(family):
    assert set(CONDITION_KEY_ACTIONS[family]) == _reference_actions(*REFERENCE_KEYS[family])


def test_dynamodb_resource_tag_actions_name_a_tagged_table_or_index():
    assert _reference_actions("dynamodb", "aws:ResourceTag/${TagKey}") >= DYNAMODB_RESOURCE_TAG_ACTIONS
    assert unsupported_actions(["dynamodb:ListTables", "dynamodb:GetItem", "s3:GetObject"], "aws:ResourceTag/Environment") == ["dynamodb:ListTables"]


def test_scan_does_not_support_leading_keys():
    assert unsupported_actions(["dynamodb:Query", "dynamodb:Scan"], "dynamodb:LeadingKeys") == ["dynamodb:Scan"]


def test_seed_fix_pairs_are_reported():
    # The seed's "fix" for mistake 4 put s3:ExistingObjectTag/Environment on these actions.
    actions = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:GetObjectVersion", "s3:ListBucket"]
    assert unsupported_actions(actions, "s3:ExistingObjectTag/Environment") == ["s3:PutObject", "s3:DeleteObject", "s3:ListBucket"]


def test_wildcard_actions_are_reported_and_unknown_keys_ignored():
    assert unsupported_actions(["s3:Get*"], "s3:ExistingObjectTag/Environment") == ["s3:Get*"]
    assert unsupported_actions(["s3:PutObject"], "aws:SecureTransport") == []
