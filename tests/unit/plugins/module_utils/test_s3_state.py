"""s3_drift: a converged key and buckets are in sync, and each setting the role passes a module, changed alone,
makes exactly that module's part differ."""

import copy
from pathlib import Path

import pytest
import yaml

from ansible_collections.corp.infra.plugins.module_utils.s3_state import BUCKET_SETTINGS
from ansible_collections.corp.infra.plugins.module_utils.s3_state import KEY_SETTINGS
from ansible_collections.corp.infra.plugins.module_utils.s3_state import bucket_reasons
from ansible_collections.corp.infra.plugins.module_utils.s3_state import key_reasons
from ansible_collections.corp.infra.plugins.module_utils.s3_state import lifecycle_rule
from ansible_collections.corp.infra.plugins.module_utils.s3_state import s3_drift

ROLE = Path(__file__).resolve().parents[4] / "roles" / "s3"
KEY_ARN = "arn:aws:kms:eu-west-1:111122223333:key/1"
TAGS = {"Environment": "prod", "ManagedBy": "corp.infra"}
KEY_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Sid": "Admin", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}],
}
POLICY = {"Version": "2012-10-17", "Statement": [{"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}]}
BLOCK = {"block_public_acls": True, "ignore_public_acls": True, "block_public_policy": True, "restrict_public_buckets": True}

DESIRED = {
    "key": {
        "kind": "key",
        "enabled": True,
        "enable_key_rotation": True,
        "description": "corp prod data key",
        "policy": KEY_POLICY,
        "tags": {**TAGS, "Name": "corp-kms-data-prod"},
    },
    "log_bucket": {
        "kind": "bucket",
        "name": "logs",
        "encryption": "AES256",
        "versioning": True,
        "public_access": BLOCK,
        "object_ownership": "BucketOwnerEnforced",
        "policy": POLICY,
        "tags": TAGS,
    },
    "log_lifecycle": {
        "kind": "lifecycle",
        "name": "logs",
        "rule_id": "expire",
        "status": "enabled",
        "expiration_days": 365,
        "noncurrent_version_expiration_days": 1,
        "abort_incomplete_multipart_upload_days": 7,
    },
    "data_abac_off": {"kind": "abac", "bucket": "data", "abac": False},
    "data_bucket": {
        "kind": "bucket",
        "name": "data",
        "encryption": "aws:kms",
        "encryption_key_id": KEY_ARN,
        "bucket_key_enabled": True,
        "versioning": True,
        "public_access": BLOCK,
        "object_ownership": "BucketOwnerEnforced",
        "policy": POLICY,
        "logging": {"target_bucket": "logs", "target_prefix": "data/"},
        "tags": TAGS,
    },
    "data_lifecycle": {
        "kind": "lifecycle",
        "name": "data",
        "rule_id": "noncurrent",
        "status": "enabled",
        "noncurrent_version_expiration_days": 90,
        "abort_incomplete_multipart_upload_days": 7,
    },
}


def sse(algorithm, key=None, bucket_key=None):
    """A GetBucketEncryption configuration."""
    rule = {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": algorithm, **({"KMSMasterKeyID": key} if key else {})}}
    return {"Rules": [{**rule, **({"BucketKeyEnabled": bucket_key} if bucket_key is not None else {})}]}


def bucket(name, algorithm, key=None, bucket_key=None, logging=None, rules=()):
    return {
        "name": name,
        "exists": True,
        "bucket_versioning": {"Status": "Enabled"},
        "bucket_encryption": sse(algorithm, key, bucket_key),
        "public_access_block": {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True},
        "bucket_ownership_controls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
        "bucket_policy": POLICY,
        "bucket_logging": logging or {},
        "bucket_tags": dict(TAGS),
        "lifecycle_rules": list(rules),
        "abac_status": "Disabled",
    }


# The rules as GetBucketLifecycleConfiguration returns them for the role's options, written out rather than built
# with lifecycle_rule(): built, the in-sync check below could not fail for a wrong rule.
DATA_RULE = {
    "ID": "noncurrent",
    "Filter": {"Prefix": ""},
    "Status": "Enabled",
    "NoncurrentVersionExpiration": {"NoncurrentDays": 90},
    "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
}
LOG_RULE = {
    "ID": "expire",
    "Filter": {"Prefix": ""},
    "Status": "Enabled",
    "Expiration": {"Days": 365},
    "NoncurrentVersionExpiration": {"NoncurrentDays": 1},
    "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
}

CONVERGED = {
    "key": {
        "Arn": KEY_ARN,
        "KeyState": "Enabled",
        "Description": "corp prod data key",
        "KeyRotationEnabled": True,
        "Tags": {**TAGS, "Name": "corp-kms-data-prod"},
        "Policy": KEY_POLICY,
    },
    "buckets": [
        bucket("data", "aws:kms", KEY_ARN, True, {"TargetBucket": "logs", "TargetPrefix": "data/"}, [DATA_RULE]),
        bucket("logs", "AES256", rules=[{"ID": "other", "Status": "Enabled"}, LOG_RULE]),
    ],
}


def test_a_converged_key_and_buckets_are_in_sync():
    assert s3_drift(copy.deepcopy(CONVERGED), DESIRED) == {}


def test_the_lifecycle_rule_is_the_one_s3_lifecycle_builds():
    assert lifecycle_rule(DESIRED["log_lifecycle"]) == LOG_RULE
    assert lifecycle_rule(DESIRED["data_lifecycle"]) == DATA_RULE


def test_an_empty_account_differs_everywhere_but_abac_off():
    empty = {"key": {}, "buckets": [{"name": "data", "exists": False}, {"name": "logs", "exists": False}]}
    assert set(s3_drift(empty, DESIRED)) == {"key", "log_bucket", "log_lifecycle", "data_bucket", "data_lifecycle"}


PUBLIC_READ = {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject"}


def _bucket(name):
    return next(b for b in CONVERGED["buckets"] if b["name"] == name)


def change(part_path, value):
    def apply(state):
        target = state
        for step in part_path[:-1]:
            target = target[step] if not isinstance(step, str) or not step.startswith("@") else next(b for b in state["buckets"] if b["name"] == step[1:])
        target[part_path[-1]] = value

    return apply


DRIFTS = {
    "key disabled": (change(("key", "KeyState"), "Disabled"), "key"),
    "key pending deletion": (change(("key", "KeyState"), "PendingDeletion"), "key"),
    "key description": (change(("key", "Description"), "edited"), "key"),
    "key rotation off": (change(("key", "KeyRotationEnabled"), False), "key"),
    "key tag removed": (change(("key", "Tags"), TAGS), "key"),
    "key policy widened": (change(("key", "Policy"), {**KEY_POLICY, "Statement": [{**KEY_POLICY["Statement"][0], "Principal": "*"}]}), "key"),
    "log versioning suspended": (change(("@logs", "bucket_versioning"), {"Status": "Suspended"}), "log_bucket"),
    "log block removed": (change(("@logs", "public_access_block"), {}), "log_bucket"),
    "log block one flag off": (change(("@logs", "public_access_block"), {**_bucket("logs")["public_access_block"], "IgnorePublicAcls": False}), "log_bucket"),
    "log policy removed": (change(("@logs", "bucket_policy"), {}), "log_bucket"),
    "log tag added": (change(("@logs", "bucket_tags"), {**TAGS, "Owner": "x"}), "log_bucket"),
    "log encryption to KMS": (
        change(("@logs", "bucket_encryption"), {"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]}),
        "log_bucket",
    ),
    "log ACLs back on": (change(("@logs", "bucket_ownership_controls"), {"Rules": [{"ObjectOwnership": "ObjectWriter"}]}), "log_bucket"),
    "log rule expires sooner": (
        change(("@logs", "lifecycle_rules"), [{**LOG_RULE, "Expiration": {"Days": 30}}]),
        "log_lifecycle",
    ),
    "log rule without filter": (
        change(("@logs", "lifecycle_rules"), [{k: v for k, v in LOG_RULE.items() if k != "Filter"}]),
        "log_lifecycle",
    ),
    "log rule disabled": (change(("@logs", "lifecycle_rules"), [{**LOG_RULE, "Status": "Disabled"}]), "log_lifecycle"),
    "data ABAC on": (change(("@data", "abac_status"), "Enabled"), "data_abac_off"),
    "data versioning suspended": (change(("@data", "bucket_versioning"), {"Status": "Suspended"}), "data_bucket"),
    "data encrypted with another key": (
        change(
            ("@data", "bucket_encryption"),
            {"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "other"}, "BucketKeyEnabled": True}]},
        ),
        "data_bucket",
    ),
    "data encrypted with SSE-S3": (
        change(("@data", "bucket_encryption"), sse("AES256")),
        "data_bucket",
    ),
    "data bucket key unset": (
        change(("@data", "bucket_encryption"), sse("aws:kms", KEY_ARN)),
        "data_bucket",
    ),
    "data logging off": (change(("@data", "bucket_logging"), {}), "data_bucket"),
    "data logging elsewhere": (change(("@data", "bucket_logging"), {"TargetBucket": "other", "TargetPrefix": "data/"}), "data_bucket"),
    "data logging with grants": (change(("@data", "bucket_logging"), {"TargetBucket": "logs", "TargetPrefix": "data/", "TargetGrants": []}), "data_bucket"),
    "data policy statement added": (
        change(("@data", "bucket_policy"), {**POLICY, "Statement": [*POLICY["Statement"], PUBLIC_READ]}),
        "data_bucket",
    ),
    "data aws tag": (change(("@data", "bucket_tags"), {**TAGS, "aws:cloudformation:stack-name": "x"}), "data_bucket"),
    "data rule deleted": (change(("@data", "lifecycle_rules"), []), "data_lifecycle"),
    "data rule twice": (change(("@data", "lifecycle_rules"), [DATA_RULE] * 2), "data_lifecycle"),
    # A deleted bucket takes its lifecycle rule with it.
    "data bucket deleted": (change(("@data", "exists"), False), "data_bucket data_lifecycle"),
}


@pytest.mark.parametrize("drift, parts", DRIFTS.values(), ids=DRIFTS.keys())
def test_one_changed_setting_makes_its_part_differ(drift, parts):
    live = copy.deepcopy(CONVERGED)
    drift(live)
    assert set(s3_drift(live, DESIRED)) == set(parts.split())


# One row per BUCKET_SETTINGS row at least: (the option whose row it changes, the bucket field changed out of band,
# its new value, the reasons check mode prints).
OUT_OF_BAND = {
    "versioning suspended": ("versioning", "bucket_versioning", {"Status": "Suspended"}, ["versioning is Suspended, would enable it"]),
    "one public access flag off": (
        "public_access",
        "public_access_block",
        {**_bucket("data")["public_access_block"], "BlockPublicAcls": False},
        ["public access block BlockPublicAcls is off, would turn it on"],
    ),
    "policy removed": ("policy", "bucket_policy", {}, ["no bucket policy, would set it"]),
    "policy widened": ("policy", "bucket_policy", {**POLICY, "Statement": [PUBLIC_READ]}, ["the bucket policy differs, would replace it"]),
    "tag added": ("tags", "bucket_tags", {**TAGS, "Owner": "x"}, ["tags differ, would set them (and remove others)"]),
    "encryption to SSE-S3": (
        "encryption",
        "bucket_encryption",
        sse("AES256"),
        ["default encryption is AES256, would set aws:kms " + KEY_ARN, "S3 Bucket Key is unset, would turn it on"],
    ),
    "another key": (
        "encryption",
        "bucket_encryption",
        sse("aws:kms", "arn:aws:kms:eu-west-1:111122223333:key/2", True),
        ["default encryption is aws:kms arn:aws:kms:eu-west-1:111122223333:key/2, would set aws:kms " + KEY_ARN],
    ),
    "Bucket Key off": ("bucket_key_enabled", "bucket_encryption", sse("aws:kms", KEY_ARN, False), ["S3 Bucket Key is off, would turn it on"]),
    "ACLs back on": (
        "object_ownership",
        "bucket_ownership_controls",
        {"Rules": [{"ObjectOwnership": "ObjectWriter"}]},
        ["object ownership is ObjectWriter, would set BucketOwnerEnforced"],
    ),
    "logging off": ("logging", "bucket_logging", {}, ["access logging is off, would log to logs/data/"]),
}


@pytest.mark.parametrize(("option", "field", "value", "reasons"), OUT_OF_BAND.values(), ids=OUT_OF_BAND.keys())
def test_check_mode_reads_what_differs_and_what_a_run_does_from_the_one_comparison(option, field, value, reasons):
    # The role's check mode prints these reasons (buckets_check.yml); a run acts on the same comparison.
    live = copy.deepcopy(CONVERGED)
    change(("@data", field), value)(live)
    assert BUCKET_SETTINGS[option][0] == field
    assert bucket_reasons(_bucket_of(live, "data"), DESIRED["data_bucket"]) == reasons
    assert s3_drift(live, DESIRED) == {"data_bucket": "; ".join(reasons)}
    # That row alone: without its option in the desired state, no other row notices the change.
    unasked = {k: v for k, v in DESIRED["data_bucket"].items() if k != option}
    assert bucket_reasons(_bucket_of(live, "data"), unasked) == []


def test_every_bucket_setting_has_an_out_of_band_row():
    assert {row[0] for row in OUT_OF_BAND.values()} == set(BUCKET_SETTINGS)


def test_the_role_passes_s3_bucket_every_setting_the_table_compares_from_the_same_desired_dict():
    # Which module option applies each row: the role's s3_bucket tasks take it from the desired dict's same key.
    tasks = yaml.safe_load((ROLE / "tasks" / "buckets.yml").read_text())
    passed = {}
    for task in tasks:
        for option, value in (task.get("amazon.aws.s3_bucket") or {}).items():
            passed.setdefault(option, set()).add(str(value))
    for option in BUCKET_SETTINGS:
        assert option in passed, option
        assert all(f"__s3_wanted.{option}" in value for value in passed[option]), (option, passed[option])
    desired = yaml.safe_load((ROLE / "vars" / "main.yml").read_text())["__s3_desired_data_bucket"]["data_bucket"]
    assert set(BUCKET_SETTINGS) <= set(desired)
    # And the other way: an option the role passes that no row compares would never reach an existing bucket (the
    # role skips s3_bucket when the table finds nothing). The name and state identify the bucket; the encryption
    # row compares the key with the algorithm.
    assert set(passed) - {"name", "state", "encryption_key_id"} == set(BUCKET_SETTINGS)


# One row per KEY_SETTINGS row at least: (the option, the key field changed out of band, its value, the reasons).
KEY_OUT_OF_BAND = {
    "disabled": ("enabled", "KeyState", "Disabled", ["the key is Disabled, would enable it"]),
    "description": ("description", "Description", "edited", ["the description differs, would set it"]),
    "rotation off": ("enable_key_rotation", "KeyRotationEnabled", False, ["automatic rotation is off, would turn it on"]),
    "tag removed": ("tags", "Tags", TAGS, ["tags differ, would set them (and remove others)"]),
    "policy widened": (
        "policy",
        "Policy",
        {**KEY_POLICY, "Statement": [{**KEY_POLICY["Statement"][0], "Principal": "*"}]},
        ["the key policy differs, would replace it"],
    ),
}


@pytest.mark.parametrize(("option", "field", "value", "reasons"), KEY_OUT_OF_BAND.values(), ids=KEY_OUT_OF_BAND.keys())
def test_each_key_setting_changed_alone_is_noticed_by_its_row_only(option, field, value, reasons):
    live = copy.deepcopy(CONVERGED)
    live["key"][field] = value
    assert KEY_SETTINGS[option][0] == field
    assert key_reasons(live["key"], DESIRED["key"]) == reasons
    assert s3_drift(live, DESIRED) == {"key": "; ".join(reasons)}
    assert key_reasons(live["key"], {k: v for k, v in DESIRED["key"].items() if k != option}) == []


def test_every_key_setting_has_an_out_of_band_row_and_the_role_passes_kms_key_each_from_the_desired_dict():
    assert {row[0] for row in KEY_OUT_OF_BAND.values()} == set(KEY_SETTINGS)
    tasks = yaml.safe_load((ROLE / "tasks" / "key.yml").read_text())
    (options,) = [task["amazon.aws.kms_key"] for task in tasks if "amazon.aws.kms_key" in task]
    # The key is found by its id and alias; its spec and usage are fixed when it is created.
    assert set(options) - {"key_id", "alias", "key_spec", "key_usage", "state"} == set(KEY_SETTINGS)
    assert all(f"__s3_desired_key.key.{option}" in str(options[option]) for option in KEY_SETTINGS)
    desired = yaml.safe_load((ROLE / "vars" / "main.yml").read_text())["__s3_desired_key"]["key"]
    assert set(KEY_SETTINGS) <= set(desired)


def test_every_setting_that_differs_is_reported_not_only_the_first():
    live = copy.deepcopy(CONVERGED)
    change(("@data", "bucket_versioning"), {"Status": "Suspended"})(live)
    change(("@data", "bucket_logging"), {})(live)
    assert s3_drift(live, DESIRED)["data_bucket"] == "versioning is Suspended, would enable it; access logging is off, would log to logs/data/"


def _bucket_of(state, name):
    return next(b for b in state["buckets"] if b["name"] == name)


def test_settings_the_role_does_not_pass_are_not_compared():
    desired = copy.deepcopy(DESIRED)
    del desired["data_bucket"]["logging"]
    desired["data_bucket"]["tags"] = None  # ABAC on: tags go through S3 Control
    live = copy.deepcopy(CONVERGED)
    change(("@data", "bucket_logging"), {})(live)
    change(("@data", "bucket_tags"), {"Owner": "x"})(live)
    assert s3_drift(live, desired) == {}


def test_abac_off_on_a_missing_bucket_is_nothing_to_do():
    live = {"key": {}, "buckets": [{"name": "data", "exists": False}]}
    assert "data_abac_off" not in s3_drift(live, {"data_abac_off": DESIRED["data_abac_off"]})
    assert s3_drift(live, {"data_abac_on": {"kind": "abac", "bucket": "data", "abac": True}}) == {"data_abac_on": "no bucket"}


def test_eventbridge_notifications_differ_only_when_the_bucket_says_otherwise():
    from ansible_collections.corp.infra.plugins.module_utils.s3_state import s3_drift

    wanted = {"events": {"kind": "eventbridge", "bucket": "corp-s3-securedata-prod", "enabled": True}}
    on = {"buckets": [{"name": "corp-s3-securedata-prod", "exists": True, "eventbridge": True}]}
    off = {"buckets": [{"name": "corp-s3-securedata-prod", "exists": True, "eventbridge": False}]}
    assert s3_drift(on, wanted) == {}
    assert s3_drift(off, wanted) == {"events": "EventBridge notifications"}
    assert s3_drift(on, {"events": wanted["events"] | {"enabled": False}}) == {"events": "EventBridge notifications"}
    assert s3_drift({"buckets": []}, wanted) == {"events": "no bucket"}
    assert s3_drift({"buckets": []}, {"events": wanted["events"] | {"enabled": False}}) == {}
