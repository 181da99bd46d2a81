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
from typing import Callable

from ansible_collections.amazon.aws.plugins.module_utils.policy import compare_policies
from ansible_collections.corp.infra.plugins.module_utils.settings import row_reasons
from ansible_collections.corp.infra.plugins.module_utils.settings import tags_row_differs


def _boundary_arn(boundary: dict[str, Any] | None) -> str | None:
    return (boundary or {}).get("PermissionsBoundaryArn")


# A role's settings, one row each: the key in the role's desired dict -> (the amazon.aws.iam_role option the role
# passes it as, the field of corp.infra.iam_state_info's role it is read from, whether the live value differs).
# iam_role compares the trust policy with compare_policies, purges tags and (purge_policies) attached policies; a
# row whose key the role leaves out, or gives empty (no boundary), is not compared. Each is at least as strict as
# iam_role (amazon.aws 11.4.0). test_iam_state.py changes each row alone and holds the role's tasks to the table.
ROLE_SETTINGS: dict[str, tuple[str, str | None, Callable[[Any, Any], bool]]] = {
    "description": ("description", "Description", lambda live, wanted: live != wanted["description"]),
    "tags": ("tags", "Tags", tags_row_differs),
    "trust_policy": (
        "assume_role_policy_document",
        "AssumeRolePolicyDocument",
        lambda live, wanted: bool(compare_policies(live or {}, wanted["trust_policy"])),
    ),
    "managed_policies": ("managed_policies", "AttachedPolicyArns", lambda live, wanted: sorted(live or []) != sorted(wanted["managed_policies"])),
    "max_session_duration": ("max_session_duration", "MaxSessionDuration", lambda live, wanted: live != int(wanted["max_session_duration"])),
    "boundary": ("boundary", "PermissionsBoundary", lambda live, wanted: _boundary_arn(live) != wanted["boundary"]),
}


def role_differs(role: dict[str, Any], wanted: dict[str, Any]) -> str | None:
    """iam_role: the ROLE_SETTINGS rows the role gives that do not hold, by their keys; None when in sync."""
    return _differing(ROLE_SETTINGS, role, wanted)


def _one_version(policy: dict[str, Any], wanted: dict[str, Any]) -> bool:
    return bool(wanted["only_version"]) and policy.get("VersionIds") != [policy.get("DefaultVersionId")]


# A customer managed policy's settings, as ROLE_SETTINGS: key -> (amazon.aws.iam_managed_policy option, the field
# read, whether it differs). A None field compares the whole read (only_version: one version, the default).
# The description is fixed when the policy is created (IAM has no call to change it), so it is no row.
MANAGED_POLICY_SETTINGS: dict[str, tuple[str, str | None, Callable[[Any, Any], bool]]] = {
    "document": ("policy", "Document", lambda live, wanted: bool(compare_policies(live or {}, wanted["document"]))),
    "only_version": ("only_version", None, _one_version),
    "tags": ("tags", "Tags", tags_row_differs),
}

# An instance profile's settings: key -> (amazon.aws.iam_instance_profile option, the field read, whether it differs).
INSTANCE_PROFILE_SETTINGS: dict[str, tuple[str, str | None, Callable[[Any, Any], bool]]] = {
    "role": ("role", "Roles", lambda live, wanted: [role.get("RoleName") for role in live or []] != [wanted["role"]]),
    "tags": ("tags", "Tags", tags_row_differs),
}


def _differing(settings: dict[str, tuple[str, str | None, Callable[[Any, Any], bool]]], live: dict[str, Any], wanted: dict[str, Any]) -> str | None:
    """The keys of the rows ``wanted`` gives that do not hold on ``live``, or "missing"; None when in sync."""
    if not live:
        return "missing"
    return "; ".join(row_reasons(settings, live, wanted)) or None


def managed_policy_differs(policy: dict[str, Any], wanted: dict[str, Any]) -> str | None:
    """iam_managed_policy with only_version: MANAGED_POLICY_SETTINGS."""
    return _differing(MANAGED_POLICY_SETTINGS, policy, wanted)


def instance_profile_differs(profile: dict[str, Any], wanted: dict[str, Any]) -> str | None:
    """iam_instance_profile: INSTANCE_PROFILE_SETTINGS."""
    return _differing(INSTANCE_PROFILE_SETTINGS, profile, wanted)


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
