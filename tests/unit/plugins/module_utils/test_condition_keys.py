"""The action/condition-key table must agree with the AWS Service Authorization Reference.

parliament ships a copy of that reference (iam_definition.json); this test fails if the table in
module_utils/condition_keys.py and that copy disagree for any key the table lists.
"""

import importlib.util
import json
from pathlib import Path

import pytest

from ansible_collections.corp.infra.plugins.module_utils.condition_keys import CONDITION_KEY_ACTIONS
from ansible_collections.corp.infra.plugins.module_utils.condition_keys import unsupported_actions

REFERENCE_KEYS = {
    "s3:ExistingObjectTag/": "s3:ExistingObjectTag/<key>",
    "s3:RequestObjectTag/": "s3:RequestObjectTag/<key>",
    "s3:prefix": "s3:prefix",
}


def _reference_actions(service: str, condition_key: str) -> set[str]:
    # Located without importing parliament, whose package import needs pkg_resources.
    package_dir = Path(importlib.util.find_spec("parliament").origin).parent
    definitions = json.loads((package_dir / "iam_definition.json").read_text())
    entry = next(d for d in definitions if d["prefix"] == service)
    actions = set()
    for privilege in entry["privileges"]:
        keys = {k for resource in privilege["resource_types"] for k in resource["condition_keys"]}
        if condition_key in keys:
            actions.add(f"{service}:{privilege['privilege']}")
    return actions


@pytest.mark.parametrize("family", sorted(CONDITION_KEY_ACTIONS))
def test_table_matches_the_service_authorization_reference(family):
    assert set(CONDITION_KEY_ACTIONS[family]) == _reference_actions("s3", REFERENCE_KEYS[family])


def test_seed_fix_pairs_are_reported():
    # The seed's "fix" for mistake 4 put s3:ExistingObjectTag/Environment on these actions.
    actions = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:GetObjectVersion", "s3:ListBucket"]
    assert unsupported_actions(actions, "s3:ExistingObjectTag/Environment") == ["s3:PutObject", "s3:DeleteObject", "s3:ListBucket"]


def test_wildcard_actions_are_reported_and_unknown_keys_ignored():
    assert unsupported_actions(["s3:Get*"], "s3:ExistingObjectTag/Environment") == ["s3:Get*"]
    assert unsupported_actions(["s3:PutObject"], "aws:SecureTransport") == []
