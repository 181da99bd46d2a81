"""The emulator's shims make moto answer the way the AWS API reference documents."""

import uuid

import boto3
import pytest
from moto import mock_aws

from corp_emulator import shims


@pytest.fixture
def dynamodb(monkeypatch):
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        shims.apply_all()
        yield boto3.client("dynamodb", region_name="ap-south-1")


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
