import json

import pytest

from ansible_collections.corp.infra.plugins.module_utils.kms_policy import PolicyError
from ansible_collections.corp.infra.plugins.module_utils.kms_policy import build_kms_policy
from ansible_collections.corp.infra.plugins.module_utils.kms_policy import canonical_json
from ansible_collections.corp.infra.plugins.module_utils.kms_policy import summarize

KEY = "arn:aws:kms:ap-south-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
SERVICE_OPTIONS = {
    "s3": {"bucket_name": "corp-s3-securedata-prod"},
    "dynamodb": {"table_name": "corp-dynamodb-main-prod"},
    "secretsmanager": {"secret_arn": "arn:aws:secretsmanager:ap-south-1:111122223333:secret:rds!db-abc-AbCdEf"},
    "rds": {"db_resource_id": "db-ABCDEFGHIJKL01234"},
}
ACCESS = [["read"], ["write"], ["read", "write"]]


def policy(service, access, **extra):
    return build_kms_policy({"service": service, "key_arn": KEY, "access": access, **SERVICE_OPTIONS[service], **extra})


@pytest.mark.parametrize("service", sorted(SERVICE_OPTIONS))
@pytest.mark.parametrize("access", ACCESS, ids=["read", "write", "readwrite"])
def test_every_statement_is_exact_and_passes_parliament(service, access, parliament_findings):
    document = policy(service, access)
    for statement in document["Statement"]:
        assert statement["Resource"] == KEY
        assert statement["Condition"]["StringEquals"]["kms:ViaService"] == f"{service}.ap-south-1.amazonaws.com"
        assert all(action.startswith("kms:") and "*" not in action for action in statement["Action"])
    assert parliament_findings(document) == []


@pytest.mark.parametrize(
    ("service", "access", "actions"),
    [
        ("s3", ["read"], ["kms:Decrypt"]),
        ("s3", ["write"], ["kms:Decrypt", "kms:GenerateDataKey"]),  # multipart uploads decrypt too
        ("dynamodb", ["read", "write"], ["kms:Decrypt"]),
        ("secretsmanager", ["read"], ["kms:Decrypt"]),
        ("secretsmanager", ["write"], ["kms:Decrypt", "kms:GenerateDataKey"]),
        ("rds", ["write"], ["kms:GenerateDataKey"]),
    ],
)
def test_actions_are_the_minimum_for_the_access(service, access, actions):
    assert policy(service, access)["Statement"][0]["Action"] == actions


def test_s3_context_is_the_bucket_arn_with_bucket_keys_and_the_object_pattern_without():
    with_key = policy("s3", ["read"])["Statement"][0]["Condition"]
    assert with_key["StringEquals"]["kms:EncryptionContext:aws:s3:arn"] == "arn:aws:s3:::corp-s3-securedata-prod"
    without = policy("s3", ["read"], bucket_key_enabled=False, object_prefix="prod/")["Statement"][0]["Condition"]
    assert without["StringLike"] == {"kms:EncryptionContext:aws:s3:arn": "arn:aws:s3:::corp-s3-securedata-prod/prod/*"}


def test_dynamodb_context_and_describe_key_without_context():
    statements = policy("dynamodb", ["read"])["Statement"]
    assert statements[0]["Condition"]["StringEquals"]["kms:EncryptionContext:aws:dynamodb:tableName"] == "corp-dynamodb-main-prod"
    assert statements[0]["Condition"]["StringEquals"]["kms:EncryptionContext:aws:dynamodb:subscriberId"] == "111122223333"
    assert statements[1]["Action"] == ["kms:DescribeKey"]
    assert not any(key.startswith("kms:EncryptionContext") for key in statements[1]["Condition"]["StringEquals"])


@pytest.mark.parametrize(
    ("key_arn", "message"),
    [
        ("arn:aws:kms:*:*:key/*", "not a wildcard"),  # the seed's "fix" for mistake 3
        ("*", "not a wildcard"),
        ("alias/aws/s3", "not an alias"),
        ("arn:aws:kms:ap-south-1:111122223333:alias/corp-kms-data-prod", "not an alias"),
        ("1234abcd-12ab-34cd-56ef-1234567890ab", "must be arn:aws:kms"),
    ],
)
def test_keys_other_than_one_exact_arn_are_refused(key_arn, message):
    with pytest.raises(PolicyError, match=message):
        build_kms_policy({"service": "s3", "key_arn": key_arn, "access": ["read"], "bucket_name": "b"})


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"service": "s3", "access": ["read"]}, "bucket_name is required for service s3"),
        ({"service": "s3", "access": [], "bucket_name": "b"}, "access must list read and/or write"),
        ({"service": "s3", "access": ["admin"], "bucket_name": "b"}, "access must list read and/or write"),
        ({"service": "ec2", "access": ["read"]}, "service must be one of"),
        ({"service": "secretsmanager", "access": ["read"], "secret_arn": "arn:aws:secretsmanager:ap-south-1:111122223333:secret:*"}, "one secret's ARN"),
        ({"service": "rds", "access": ["read"], "db_resource_id": "corp-rds-primary-prod"}, "DbiResourceId"),
    ],
)
def test_incomplete_requests_name_the_option(params, message):
    with pytest.raises(PolicyError, match=message):
        build_kms_policy({"key_arn": KEY, **params})


def test_same_input_gives_byte_identical_json():
    first = canonical_json(policy("s3", ["write", "read"]))
    second = canonical_json(
        build_kms_policy(dict(reversed(list({"service": "s3", "key_arn": KEY, "access": ["read", "write"], "bucket_name": "corp-s3-securedata-prod"}.items()))))
    )
    assert first == second
    assert json.loads(first) == policy("s3", ["read", "write"])


def test_summary_says_what_and_when():
    text = summarize(policy("s3", ["read"]))
    assert text.startswith("UseS3KeyRead: allow kms:Decrypt on " + KEY)
    assert "kms:ViaService StringEquals s3.ap-south-1.amazonaws.com" in text


GROUP = "arn:aws:logs:ap-south-1:111122223333:log-group:corp-vpc-flowlogs-prod"


def test_cloudwatch_logs_uses_the_key_as_its_own_principal_for_the_named_groups_only():
    from ansible_collections.corp.infra.plugins.module_utils.kms_policy import stack_key_policy

    document = stack_key_policy("111122223333", "aws", "ap-south-1", ["s3", "logs"], [GROUP])
    (logs,) = [s for s in document["Statement"] if s["Sid"] == "UseByCloudWatchLogsForTheStackLogGroups"]
    assert logs["Principal"] == {"Service": "logs.ap-south-1.amazonaws.com"}
    assert logs["Condition"] == {"ArnEquals": {"kms:EncryptionContext:aws:logs:arn": GROUP}}
    # The symmetric-key actions of the page's wildcards; never DescribeKey (no context), never administration.
    assert logs["Action"] == [
        "kms:Decrypt",
        "kms:Encrypt",
        "kms:GenerateDataKey",
        "kms:GenerateDataKeyWithoutPlaintext",
        "kms:ReEncryptFrom",
        "kms:ReEncryptTo",
    ]
    assert "UseThroughLogs" not in {s["Sid"] for s in document["Statement"]}


@pytest.mark.parametrize(
    "groups, message",
    [
        ([], "log_group_arns must name the log groups"),
        (["arn:aws:logs:ap-south-1:111122223333:log-group:*"], "without wildcards"),
        (["arn:aws:logs:eu-west-1:111122223333:log-group:corp-vpc-flowlogs-prod"], "region ap-south-1"),
        (["arn:aws:logs:ap-south-1:444455556666:log-group:corp-vpc-flowlogs-prod"], "account 111122223333"),
    ],
    ids=["none", "wildcard", "other-region", "other-account"],
)
def test_the_log_groups_must_be_exact_and_the_keys_own(groups, message):
    from ansible_collections.corp.infra.plugins.module_utils.kms_policy import stack_key_policy

    with pytest.raises(PolicyError, match=message):
        stack_key_policy("111122223333", "aws", "ap-south-1", ["logs"], groups)
