"""The emulator's shims make moto answer the way the AWS API reference documents."""

import uuid

import boto3
import pytest
from moto import mock_aws

from corp_emulator import shims


@pytest.fixture
def shimmed_aws(monkeypatch):
    """moto in-process with every shim applied; no endpoint or profile can lead anywhere else."""
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        shims.apply_all()
        yield lambda service, region="us-east-1": boto3.client(service, region_name=region)


@pytest.fixture
def dynamodb(shimmed_aws):
    return shimmed_aws("dynamodb", "ap-south-1")


def _create(client, name):
    return client.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )


def test_describe_table_has_a_stable_uuid_table_id(dynamodb):
    created = _create(dynamodb, "corp-dynamodb-main-local")["TableDescription"]["TableId"]
    first = dynamodb.describe_table(TableName="corp-dynamodb-main-local")["Table"]["TableId"]
    second = dynamodb.describe_table(TableName="corp-dynamodb-main-local")["Table"]["TableId"]
    assert created == first == second
    assert str(uuid.UUID(first)) == first


def test_each_table_has_its_own_table_id(dynamodb):
    _create(dynamodb, "corp-dynamodb-a-local")
    _create(dynamodb, "corp-dynamodb-b-local")
    ids = {dynamodb.describe_table(TableName=n)["Table"]["TableId"] for n in ("corp-dynamodb-a-local", "corp-dynamodb-b-local")}
    assert len(ids) == 2


def test_community_aws_reads_table_id_after_snake_casing(dynamodb):
    # community.aws.dynamodb_table does camel_dict_to_snake_dict(table) and then table["table_id"].
    from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

    _create(dynamodb, "corp-dynamodb-main-local")
    table = camel_dict_to_snake_dict(dynamodb.describe_table(TableName="corp-dynamodb-main-local")["Table"])
    assert table["table_id"]


def test_applying_twice_does_not_wrap_twice():
    from moto.dynamodb.models.table import Table

    shims.apply_all()
    describe = Table.describe
    shims.apply_all()
    assert Table.describe is describe


@pytest.fixture
def s3(shimmed_aws):
    return shimmed_aws("s3")


def _log_bucket_policy(statements):
    import json

    return json.dumps({"Version": "2012-10-17", "Statement": statements})


DELIVERY = {
    "Effect": "Allow",
    "Principal": {"Service": "logging.s3.amazonaws.com"},
    "Action": "s3:PutObject",
    "Resource": "arn:aws:s3:::corp-s3-accesslogs-test/source/*",
}
TLS_DENY = {
    "Effect": "Deny",
    "Principal": "*",
    "Action": "s3:*",
    "Resource": ["arn:aws:s3:::corp-s3-accesslogs-test", "arn:aws:s3:::corp-s3-accesslogs-test/*"],
    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
}


def test_logging_accepts_a_target_policy_with_an_anonymous_deny(s3):
    s3.create_bucket(Bucket="corp-s3-accesslogs-test")
    s3.create_bucket(Bucket="source")
    s3.put_bucket_policy(Bucket="corp-s3-accesslogs-test", Policy=_log_bucket_policy([TLS_DENY, DELIVERY]))
    s3.put_bucket_logging(Bucket="source", BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": "corp-s3-accesslogs-test", "TargetPrefix": "source/"}})
    assert s3.get_bucket_logging(Bucket="source")["LoggingEnabled"]["TargetBucket"] == "corp-s3-accesslogs-test"


def test_logging_still_requires_the_delivery_grant(s3):
    s3.create_bucket(Bucket="corp-s3-accesslogs-test")
    s3.create_bucket(Bucket="source")
    s3.put_bucket_policy(Bucket="corp-s3-accesslogs-test", Policy=_log_bucket_policy([TLS_DENY]))
    with pytest.raises(s3.exceptions.ClientError, match="InvalidTargetBucketForLogging"):
        s3.put_bucket_logging(Bucket="source", BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": "corp-s3-accesslogs-test", "TargetPrefix": "source/"}})


def _guarded_bucket(s3, extra=()):
    import json

    name = "corp-s3-securedata-test"
    arn = f"arn:aws:s3:::{name}"
    deny = {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": [arn, f"{arn}/*"]}
    statements = [
        dict(deny, Sid="DenyInsecureTransport", Condition={"Bool": {"aws:SecureTransport": "false"}}),
        dict(deny, Sid="DenyOutdatedTls", Condition={"NumericLessThan": {"s3:TlsVersion": 1.2}}),
        *extra,
    ]
    s3.create_bucket(Bucket=name)
    s3.put_bucket_policy(Bucket=name, Policy=json.dumps({"Version": "2012-10-17", "Statement": statements}))
    return name


def test_tls_guardrails_let_requests_from_a_tls_endpoint_through(s3):
    name = _guarded_bucket(s3)
    s3.put_object(Bucket=name, Key="local/a.txt", Body=b"x")
    assert s3.get_object(Bucket=name, Key="local/a.txt")["Body"].read() == b"x"
    s3.delete_object(Bucket=name, Key="local/a.txt")


def test_unconditional_and_matching_denies_still_deny(s3):
    arn = "arn:aws:s3:::corp-s3-securedata-test"
    deny_puts = {"Sid": "DenyPuts", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": f"{arn}/*"}
    name = _guarded_bucket(s3, [deny_puts])
    with pytest.raises(s3.exceptions.ClientError, match=r"403|Forbidden|AccessDenied"):
        s3.put_object(Bucket=name, Key="local/a.txt", Body=b"x")


@pytest.mark.parametrize(
    ("operator", "key", "expected", "holds"),
    [
        ("Bool", "aws:SecureTransport", "false", False),
        ("Bool", "aws:SecureTransport", "true", True),
        ("NumericLessThan", "s3:TlsVersion", 1.2, False),
        ("NumericLessThan", "s3:TlsVersion", 1.4, True),
        ("StringEquals", "aws:SourceVpce", "vpce-1", False),  # key absent from the request
        ("StringEqualsIfExists", "aws:SourceVpce", "vpce-1", True),
    ],
)
def test_condition_evaluation(operator, key, expected, holds):
    assert shims._condition_holds(operator, key, expected, shims.S3_REQUEST_CONTEXT) is holds


def test_key_deletion_accepts_the_key_arn(shimmed_aws):
    kms = shimmed_aws("kms")
    arn = kms.create_key()["KeyMetadata"]["Arn"]
    kms.schedule_key_deletion(KeyId=arn, PendingWindowInDays=30)
    assert kms.describe_key(KeyId=arn)["KeyMetadata"]["KeyState"] == "PendingDeletion"
    kms.cancel_key_deletion(KeyId=arn)
    assert kms.describe_key(KeyId=arn)["KeyMetadata"]["KeyState"] == "Disabled"


@pytest.fixture
def abac_bucket(shimmed_aws):
    s3 = shimmed_aws("s3")
    s3.create_bucket(Bucket="corp-s3-abac-local")
    return s3


def test_bucket_abac_is_off_until_turned_on(abac_bucket):
    assert abac_bucket.get_bucket_abac(Bucket="corp-s3-abac-local")["AbacStatus"]["Status"] == "Disabled"
    abac_bucket.put_bucket_abac(Bucket="corp-s3-abac-local", AbacStatus={"Status": "Enabled"})
    assert abac_bucket.get_bucket_abac(Bucket="corp-s3-abac-local")["AbacStatus"]["Status"] == "Enabled"


def test_bucket_abac_on_a_missing_bucket_is_no_such_bucket(abac_bucket):
    with pytest.raises(abac_bucket.exceptions.NoSuchBucket):
        abac_bucket.get_bucket_abac(Bucket="corp-s3-missing-local")


def test_with_abac_on_bucket_tagging_fails_and_s3_control_tagging_works(shimmed_aws, abac_bucket):
    from botocore.exceptions import ClientError

    abac_bucket.put_bucket_tagging(Bucket="corp-s3-abac-local", Tagging={"TagSet": [{"Key": "Environment", "Value": "local"}]})
    abac_bucket.put_bucket_abac(Bucket="corp-s3-abac-local", AbacStatus={"Status": "Enabled"})
    for call in (
        lambda: abac_bucket.put_bucket_tagging(Bucket="corp-s3-abac-local", Tagging={"TagSet": [{"Key": "Environment", "Value": "dev"}]}),
        lambda: abac_bucket.delete_bucket_tagging(Bucket="corp-s3-abac-local"),
    ):
        with pytest.raises(ClientError, match="InvalidRequest"):
            call()
    shimmed_aws("s3control").tag_resource(
        AccountId="123456789012", ResourceArn="arn:aws:s3:::corp-s3-abac-local", Tags=[{"Key": "Environment", "Value": "dev"}]
    )
    assert abac_bucket.get_bucket_tagging(Bucket="corp-s3-abac-local")["TagSet"] == [{"Key": "Environment", "Value": "dev"}]
    abac_bucket.put_bucket_abac(Bucket="corp-s3-abac-local", AbacStatus={"Status": "Disabled"})
    abac_bucket.delete_bucket_tagging(Bucket="corp-s3-abac-local")
