# Copyright: corp.infra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which of the s3 role's resources differ from what it asks for, from one read of the key and buckets.

Plain values in, plain values out (unit tested without AWS). ``state`` is corp.infra.s3_state_info's result;
``desired`` maps a part name to what the role passes that part's module, with its ``kind``:

- ``key``: amazon.aws.kms_key (``description``, ``policy``, ``tags``), found by its alias;
- ``bucket``: amazon.aws.s3_bucket (``name``, ``encryption``, ``encryption_key_id``, ``bucket_key_enabled``,
  ``versioning``, ``public_access``, ``object_ownership``, ``policy``, ``logging``, ``tags``; None or absent
  means the role does not pass it);
- ``lifecycle``: community.aws.s3_lifecycle (``name``, ``rule_id``, ``status``, ``expiration_days``,
  ``noncurrent_version_expiration_days``, ``abort_incomplete_multipart_upload_days``);
- ``abac``: corp.infra.s3_bucket_abac without tags (``bucket``, ``abac``).

As for the network (network_state.py), the answer only decides whether the role calls the module, and each test
is at least as strict as the module's own (amazon.aws 11.4.0, community.aws 11.2.0): what this cannot judge
counts as different, so the module decides.
"""

from __future__ import annotations

from typing import Any
from typing import Callable

from ansible_collections.amazon.aws.plugins.module_utils.policy import compare_policies
from ansible_collections.corp.infra.plugins.module_utils.s3_abac import DISABLED
from ansible_collections.corp.infra.plugins.module_utils.s3_abac import ENABLED
from ansible_collections.corp.infra.plugins.module_utils.settings import row_reasons
from ansible_collections.corp.infra.plugins.module_utils.settings import tags_differ

PUBLIC_ACCESS_FLAGS = {
    "block_public_acls": "BlockPublicAcls",
    "ignore_public_acls": "IgnorePublicAcls",
    "block_public_policy": "BlockPublicPolicy",
    "restrict_public_buckets": "RestrictPublicBuckets",
}


def _key_state(state: str | None, wanted: dict[str, Any]) -> list[str]:
    if (state == "Enabled") == bool(wanted["enabled"]):
        return []
    return [f"the key is {state or 'in an unknown state'}, would {'enable' if wanted['enabled'] else 'disable'} it"]


def _key_description(description: str | None, wanted: dict[str, Any]) -> list[str]:
    return [] if description == wanted["description"] else ["the description differs, would set it"]


def _key_rotation(enabled: bool | None, wanted: dict[str, Any]) -> list[str]:
    if enabled is bool(wanted["enable_key_rotation"]):
        return []
    return [f"automatic rotation is {_on_off(enabled)}, would turn it {_on_off(wanted['enable_key_rotation'])}"]


def _key_tags(tags: dict[str, Any] | None, wanted: dict[str, Any]) -> list[str]:
    return [] if not tags_differ(tags, wanted["tags"]) else ["tags differ, would set them (and remove others)"]


def _key_policy(policy: dict[str, Any] | None, wanted: dict[str, Any]) -> list[str]:
    return ["the key policy differs, would replace it"] if compare_policies(policy or {}, wanted["policy"]) else []


# The stack key's settings, one row each, as BUCKET_SETTINGS for the buckets: the amazon.aws.kms_key option that
# applies it (the role's __s3_desired_key uses the same key) -> (the field of corp.infra.s3_state_info's key it is
# read from, the comparison). kms_key enables, describes, rotates, tags (purging) and sets the policy of a key its
# alias found; each comparison is at least as strict as its own (amazon.aws 11.4.0).
KEY_SETTINGS: dict[str, tuple[str, Callable[[Any, dict[str, Any]], list[str]]]] = {
    "enabled": ("KeyState", _key_state),
    "description": ("Description", _key_description),
    "enable_key_rotation": ("KeyRotationEnabled", _key_rotation),
    "tags": ("Tags", _key_tags),
    "policy": ("Policy", _key_policy),
}


def key_reasons(key: dict[str, Any], wanted: dict[str, Any]) -> list[str]:
    """Every KEY_SETTINGS row the role passes that does not hold on the key, one line each; [] when in sync."""
    if not key:
        return ["no key has the alias, would create it"]
    return row_reasons(KEY_SETTINGS, key, wanted)


def key_differs(key: dict[str, Any], wanted: dict[str, Any]) -> str | None:
    """key_reasons as one line, None when the key is as wanted."""
    return "; ".join(key_reasons(key, wanted)) or None


def _on_off(value: Any) -> str:
    return "unset" if value is None else "on" if value else "off"


def _versioning(live: dict[str, Any], wanted: dict[str, Any]) -> list[str]:
    status = live.get("Status")
    if (status == "Enabled") == bool(wanted["versioning"]):
        return []
    return [f"versioning is {status or 'off'}, would {'enable' if wanted['versioning'] else 'suspend'} it"]


def _public_access(live: dict[str, Any], wanted: dict[str, Any]) -> list[str]:
    unknown = sorted(set(wanted["public_access"]) - set(PUBLIC_ACCESS_FLAGS))
    flags = {PUBLIC_ACCESS_FLAGS[k]: bool(v) for k, v in wanted["public_access"].items() if k in PUBLIC_ACCESS_FLAGS}
    reasons = [f"public access block options this comparison does not know ({', '.join(unknown)}), would apply them"] if unknown else []
    for flag in sorted(set(flags) | set(live)):
        if flag not in flags:
            reasons.append(f"public access block {flag} is set, would remove it")
        elif live.get(flag) is not flags[flag]:
            reasons.append(f"public access block {flag} is {_on_off(live.get(flag))}, would turn it {_on_off(flags[flag])}")
    return reasons


def _policy(live: dict[str, Any], wanted: dict[str, Any]) -> list[str]:
    if not compare_policies(live, wanted["policy"]):
        return []
    return ["the bucket policy differs, would replace it" if live else "no bucket policy, would set it"]


def _tags(live: dict[str, Any], wanted: dict[str, Any]) -> list[str]:
    return [] if not tags_differ(live, wanted["tags"]) else ["tags differ, would set them (and remove others)"]


def _default_rule(live: dict[str, Any]) -> dict[str, Any]:
    return (live.get("Rules") or [{}])[0]


def _encryption(live: dict[str, Any], wanted: dict[str, Any]) -> list[str]:
    default = _default_rule(live).get("ApplyServerSideEncryptionByDefault") or {}
    key = wanted.get("encryption_key_id") if wanted["encryption"] == "aws:kms" else None
    if default.get("SSEAlgorithm") == wanted["encryption"] and (wanted["encryption"] != "aws:kms" or default.get("KMSMasterKeyID") == key):
        return []
    now = f"{default.get('SSEAlgorithm') or 'unset'} {default.get('KMSMasterKeyID') or ''}".rstrip()
    return [f"default encryption is {now}, would set {wanted['encryption']} {key or ''}".rstrip()]


def _bucket_key(live: dict[str, Any], wanted: dict[str, Any]) -> list[str]:
    # s3_bucket sets the Bucket Key with SSE-KMS only.
    enabled = _default_rule(live).get("BucketKeyEnabled")
    if wanted.get("encryption") != "aws:kms" or enabled == bool(wanted["bucket_key_enabled"]):
        return []
    return [f"S3 Bucket Key is {_on_off(enabled)}, would turn it {_on_off(wanted['bucket_key_enabled'])}"]


def _ownership(live: dict[str, Any], wanted: dict[str, Any]) -> list[str]:
    ownership = (live.get("Rules") or [{}])[0].get("ObjectOwnership")
    return [] if ownership == wanted["object_ownership"] else [f"object ownership is {ownership or 'unset'}, would set {wanted['object_ownership']}"]


def _logging(live: dict[str, Any], wanted: dict[str, Any]) -> list[str]:
    target = {"TargetBucket": wanted["logging"]["target_bucket"], "TargetPrefix": wanted["logging"].get("target_prefix") or ""}
    if live == target:
        return []
    where = f"to {live.get('TargetBucket')}/{live.get('TargetPrefix') or ''}" if live else "off"
    return [f"access logging is {where}, would log to {target['TargetBucket']}/{target['TargetPrefix']}"]


# The data and log buckets' settings, one row each: the amazon.aws.s3_bucket option that applies it (the role's
# desired dict uses the same key; None or absent means the role does not pass it) -> (the field of
# corp.infra.s3_state_info's bucket it is read from, the comparison: the reasons it differs, [] when it holds).
# Each comparison is as strict as s3_bucket's own (amazon.aws 11.4.0). Check mode prints the reasons; a run calls
# s3_bucket when there are any. tests/unit/plugins/module_utils/test_s3_state.py changes each row alone.
BUCKET_SETTINGS: dict[str, tuple[str, Callable[[dict[str, Any], dict[str, Any]], list[str]]]] = {
    "versioning": ("bucket_versioning", _versioning),
    "public_access": ("public_access_block", _public_access),
    "policy": ("bucket_policy", _policy),
    "tags": ("bucket_tags", _tags),
    "encryption": ("bucket_encryption", _encryption),
    "bucket_key_enabled": ("bucket_encryption", _bucket_key),
    "object_ownership": ("bucket_ownership_controls", _ownership),
    "logging": ("bucket_logging", _logging),
}


def bucket_reasons(bucket: dict[str, Any] | None, wanted: dict[str, Any]) -> list[str]:
    """Every BUCKET_SETTINGS row the role passes that does not hold on the bucket, one line each (what it is, what a
    run does); [] when the bucket is as wanted."""
    if not bucket or not bucket.get("exists"):
        return ["missing, would create it"]
    return row_reasons(BUCKET_SETTINGS, bucket, wanted, absent={})


def bucket_differs(bucket: dict[str, Any] | None, wanted: dict[str, Any]) -> str | None:
    """bucket_reasons as one line, None when the bucket is as wanted."""
    return "; ".join(bucket_reasons(bucket, wanted)) or None


def lifecycle_rule(wanted: dict[str, Any]) -> dict[str, Any]:
    """The rule s3_lifecycle builds from these options (build_rule, community.aws 11.2.0)."""
    rule: dict[str, Any] = {"Filter": {"Prefix": ""}, "Status": str(wanted["status"]).title(), "ID": wanted["rule_id"]}
    if wanted.get("abort_incomplete_multipart_upload_days"):
        rule["AbortIncompleteMultipartUpload"] = {"DaysAfterInitiation": int(wanted["abort_incomplete_multipart_upload_days"])}
    if wanted.get("expiration_days") is not None:
        rule["Expiration"] = {"Days": int(wanted["expiration_days"])}
    if wanted.get("noncurrent_version_expiration_days") is not None:
        rule["NoncurrentVersionExpiration"] = {"NoncurrentDays": int(wanted["noncurrent_version_expiration_days"])}
    return rule


def lifecycle_differs(bucket: dict[str, Any] | None, wanted: dict[str, Any]) -> str | None:
    """s3_lifecycle replaces the rule of that ID unless the live one is exactly the rule it builds."""
    if not bucket or not bucket.get("exists"):
        return "no bucket"
    live = [rule for rule in bucket.get("lifecycle_rules") or [] if rule.get("ID") == wanted["rule_id"]]
    if live != [lifecycle_rule(wanted)]:
        return f"rule {wanted['rule_id']}"
    return None


def abac_differs(bucket: dict[str, Any] | None, wanted: dict[str, Any]) -> str | None:
    """s3_bucket_abac without tags: only the status (a missing bucket with ABAC off is nothing to do)."""
    if not bucket or not bucket.get("exists"):
        return "no bucket" if wanted["abac"] else None
    return None if bucket.get("abac_status") == (ENABLED if wanted["abac"] else DISABLED) else "ABAC status"


def eventbridge_differs(bucket: dict[str, Any] | None, wanted: dict[str, Any]) -> str | None:
    """s3_bucket_eventbridge: whether the bucket sends its events to EventBridge (a missing bucket would send none)."""
    if not bucket or not bucket.get("exists"):
        return "no bucket" if wanted["enabled"] else None
    return None if bool(bucket.get("eventbridge")) == bool(wanted["enabled"]) else "EventBridge notifications"


def s3_drift(state: dict[str, Any], desired: dict[str, Any]) -> dict[str, str]:
    """Part -> short reason, for each part of ``desired`` that differs from ``state``."""
    buckets = {bucket.get("name"): bucket for bucket in state.get("buckets") or []}
    differs = {}
    for part, wanted in desired.items():
        kind = wanted["kind"]
        if kind == "key":
            reason = key_differs(state.get("key") or {}, wanted)
        elif kind == "bucket":
            reason = bucket_differs(buckets.get(wanted["name"]), wanted)
        elif kind == "lifecycle":
            reason = lifecycle_differs(buckets.get(wanted["name"]), wanted)
        elif kind == "abac":
            reason = abac_differs(buckets.get(wanted["bucket"]), wanted)
        elif kind == "eventbridge":
            reason = eventbridge_differs(buckets.get(wanted["bucket"]), wanted)
        else:
            raise ValueError(f"{part}: unknown kind {kind!r}")
        if reason:
            differs[part] = reason
    return differs
