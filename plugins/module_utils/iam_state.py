# Copyright: corp.infra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Whether IAM roles and customer managed policies differ from what a role passes amazon.aws's modules.

Plain values in, plain values out (unit tested without AWS). ``state`` is corp.infra.iam_state_info's result;
``desired`` maps a part name to the options the role passes, with its ``kind``:

- ``role``: amazon.aws.iam_role (``name``, ``description``, ``trust_policy``, ``tags``, and when given
  ``managed_policies`` with purge_policies, ``max_session_duration``, ``boundary``);
- ``managed_policy``: amazon.aws.iam_managed_policy with only_version (``arn``, ``document``, ``tags``);
- ``instance_profile``: amazon.aws.iam_instance_profile (``name``, ``role``, ``tags``).

As for the network (network_state.py), the answer only decides whether the role calls the module, and each test
is at least as strict as the module's own (amazon.aws 11.4.0): what this cannot judge counts as different.
"""

from __future__ import annotations

from typing import Any

from ansible_collections.amazon.aws.plugins.module_utils.policy import compare_policies


def _tags(resource: dict[str, Any]) -> dict[str, str]:
    return {tag["Key"]: tag["Value"] for tag in resource.get("Tags") or []}


def _text(tags: dict[str, Any]) -> dict[str, str]:
    return {str(key): str(value) for key, value in tags.items()}


def role_differs(role: dict[str, Any], wanted: dict[str, Any]) -> str | None:
    """iam_role: trust policy (compare_policies), description, tags (purged), and the options given."""
    if not role:
        return "missing"
    if role.get("Description") != wanted["description"]:
        return "description"
    if _tags(role) != _text(wanted["tags"]):
        return "tags"
    if compare_policies(role.get("AssumeRolePolicyDocument") or {}, wanted["trust_policy"]):
        return "trust policy"
    if wanted.get("managed_policies") is not None and sorted(role.get("AttachedPolicyArns") or []) != sorted(wanted["managed_policies"]):
        return "attached policies"
    if wanted.get("max_session_duration") is not None and role.get("MaxSessionDuration") != int(wanted["max_session_duration"]):
        return "maximum session duration"
    if wanted.get("boundary") and (role.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn") != wanted["boundary"]:
        return "permissions boundary"
    return None


def managed_policy_differs(policy: dict[str, Any], wanted: dict[str, Any]) -> str | None:
    """iam_managed_policy with only_version: one version, the default, with an equivalent document; tags purged."""
    if not policy:
        return "missing"
    if policy.get("VersionIds") != [policy.get("DefaultVersionId")]:
        return "versions besides the default"
    if compare_policies(policy.get("Document") or {}, wanted["document"]):
        return "document"
    if _tags(policy) != _text(wanted["tags"]):
        return "tags"
    return None


def instance_profile_differs(profile: dict[str, Any], wanted: dict[str, Any]) -> str | None:
    """iam_instance_profile: the one role it holds, tags (purged)."""
    if not profile:
        return "missing"
    if [role.get("RoleName") for role in profile.get("Roles") or []] != [wanted["role"]]:
        return "role"
    if _tags(profile) != _text(wanted["tags"]):
        return "tags"
    return None


def inline_policy_differs(document: dict[str, Any], wanted: dict[str, Any]) -> str | None:
    """iam_policy (a role's inline policy): an equivalent document."""
    if not document:
        return "missing"
    if compare_policies(document, wanted["document"]):
        return "document"
    return None


def iam_drift(state: dict[str, Any], desired: dict[str, Any]) -> dict[str, str]:
    """Part -> short reason, for each part of ``desired`` that differs from ``state``."""
    differs = {}
    for part, wanted in desired.items():
        if wanted["kind"] == "role":
            reason = role_differs((state.get("roles") or {}).get(wanted["name"]) or {}, wanted)
        elif wanted["kind"] == "managed_policy":
            reason = managed_policy_differs((state.get("policies") or {}).get(wanted["arn"]) or {}, wanted)
        elif wanted["kind"] == "instance_profile":
            reason = instance_profile_differs((state.get("instance_profiles") or {}).get(wanted["name"]) or {}, wanted)
        elif wanted["kind"] == "inline_policy":
            reason = inline_policy_differs((state.get("role_policies") or {}).get(f"{wanted['role']}/{wanted['name']}") or {}, wanted)
        else:
            raise ValueError(f"{part}: unknown kind {wanted['kind']!r}")
        if reason:
            differs[part] = reason
    return differs
