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

from ansible_collections.amazon.aws.plugins.module_utils.policy import compare_policies
from ansible_collections.corp.infra.plugins.module_utils.s3_abac import DISABLED
from ansible_collections.corp.infra.plugins.module_utils.s3_abac import ENABLED

PUBLIC_ACCESS_FLAGS = {
    "block_public_acls": "BlockPublicAcls",
    "ignore_public_acls": "IgnorePublicAcls",
    "block_public_policy": "BlockPublicPolicy",
    "restrict_public_buckets": "RestrictPublicBuckets",
}


def _text_tags(tags: dict[str, Any]) -> dict[str, str]:
    return {str(key): str(value) for key, value in tags.items()}


def key_differs(key: dict[str, Any], wanted: dict[str, Any]) -> str | None:
    """kms_key on a key its alias found: it enables, describes, tags (purging), sets the policy and rotation."""
    if not key:
        return "no key has the alias"
    if key.get("KeyState") != "Enabled":
        return f"the key is {key.get('KeyState')}"
    if key.get("Description") != wanted["description"]:
        return "description"
    if key.get("KeyRotationEnabled") is not True:
        return "rotation off"
    if (key.get("Tags") or {}) != _text_tags(wanted["tags"]):
        return "tags"
    if compare_policies(key.get("Policy") or {}, wanted["policy"]):
        return "key policy"
    return None


def _on_off(value: Any) -> str:
    return "unset" if value is None else "on" if value else "off"


def bucket_reasons(bucket: dict[str, Any] | None, wanted: dict[str, Any]) -> list[str]:
    """s3_bucket: each setting it is given must already hold, exactly as the module compares it. One line per
    setting that does not (what it is, what a run does), [] when the bucket is as wanted. Check mode prints them."""
    if not bucket or not bucket.get("exists"):
        return ["missing, would create it"]
    reasons = []
    if wanted.get("versioning") is not None:
        status = (bucket.get("bucket_versioning") or {}).get("Status")
        if (status == "Enabled") != bool(wanted["versioning"]):
            reasons.append(f"versioning is {status or 'off'}, would {'enable' if wanted['versioning'] else 'suspend'} it")
    if wanted.get("public_access") is not None:
        unknown = sorted(set(wanted["public_access"]) - set(PUBLIC_ACCESS_FLAGS))
        live = bucket.get("public_access_block") or {}
        flags = {PUBLIC_ACCESS_FLAGS[k]: bool(v) for k, v in wanted["public_access"].items() if k in PUBLIC_ACCESS_FLAGS}
        if unknown:
            reasons.append(f"public access block options this comparison does not know ({', '.join(unknown)}), would apply them")
        for flag in sorted(set(flags) | set(live)):
            if flag not in flags:
                reasons.append(f"public access block {flag} is set, would remove it")
            elif live.get(flag) is not flags[flag]:
                reasons.append(f"public access block {flag} is {_on_off(live.get(flag))}, would turn it {_on_off(flags[flag])}")
    if wanted.get("policy") is not None and compare_policies(bucket.get("bucket_policy") or {}, wanted["policy"]):
        reasons.append("the bucket policy differs, would replace it" if bucket.get("bucket_policy") else "no bucket policy, would set it")
    if wanted.get("tags") is not None and (bucket.get("bucket_tags") or {}) != _text_tags(wanted["tags"]):
        reasons.append("tags differ, would set them (and remove others)")
    if wanted.get("encryption") is not None:
        rules = (bucket.get("bucket_encryption") or {}).get("Rules") or [{}]
        default = rules[0].get("ApplyServerSideEncryptionByDefault") or {}
        key = wanted.get("encryption_key_id") if wanted["encryption"] == "aws:kms" else None
        if default.get("SSEAlgorithm") != wanted["encryption"] or (wanted["encryption"] == "aws:kms" and default.get("KMSMasterKeyID") != key):
            live = f"{default.get('SSEAlgorithm') or 'unset'} {default.get('KMSMasterKeyID') or ''}".rstrip()
            reasons.append(f"default encryption is {live}, would set {wanted['encryption']} {key or ''}".rstrip())
        bucket_key = wanted.get("bucket_key_enabled") if wanted["encryption"] == "aws:kms" else None
        if bucket_key is not None and rules[0].get("BucketKeyEnabled") != bool(bucket_key):
            reasons.append(f"S3 Bucket Key is {_on_off(rules[0].get('BucketKeyEnabled'))}, would turn it {_on_off(bucket_key)}")
    if wanted.get("object_ownership") is not None:
        rules = (bucket.get("bucket_ownership_controls") or {}).get("Rules") or [{}]
        if rules[0].get("ObjectOwnership") != wanted["object_ownership"]:
            reasons.append(f"object ownership is {rules[0].get('ObjectOwnership') or 'unset'}, would set {wanted['object_ownership']}")
    if wanted.get("logging") is not None:
        logging = wanted["logging"]
        target = {"TargetBucket": logging["target_bucket"], "TargetPrefix": logging.get("target_prefix") or ""}
        live = bucket.get("bucket_logging") or {}
        if live != target:
            where = f"to {live.get('TargetBucket')}/{live.get('TargetPrefix') or ''}" if live else "off"
            reasons.append(f"access logging is {where}, would log to {target['TargetBucket']}/{target['TargetPrefix']}")
    return reasons


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
