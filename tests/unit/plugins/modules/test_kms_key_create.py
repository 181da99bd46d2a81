"""kms_key_create creates the key, then turns rotation on and names it, riding out the NotFoundException KMS
answers while a new key propagates; a run that gives up says which key it left without its alias."""

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber

from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper
from ansible_collections.corp.infra.plugins.module_utils.propagation import propagation_retry
from ansible_collections.corp.infra.plugins.modules import kms_key_create

KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
KEY_ARN = f"arn:aws:kms:eu-west-1:111122223333:key/{KEY_ID}"
METADATA = {"KeyMetadata": {"KeyId": KEY_ID, "Arn": KEY_ARN}}
PARAMS = {"alias": "corp-kms-data-dev", "description": "data key", "policy": {"Version": "2012-10-17", "Statement": []}, "tags": {"Environment": "dev"}}


@pytest.fixture
def client(monkeypatch):
    monkeypatch.setattr("time.sleep", lambda _seconds: None)
    return boto3.client("kms", region_name="eu-west-1", aws_access_key_id="k", aws_secret_access_key="s")


def _module_client(client):
    """The client as AnsibleAWSModule.client() hands it to the module (aws_retry=True retries)."""
    return RetryingBotoClientWrapper(client, propagation_retry())


def _not_found(stub, operation, params):
    stub.add_client_error(operation, service_error_code="NotFoundException", service_message=f"Key '{KEY_ARN}' does not exist", expected_params=params)


def test_rotation_and_alias_are_retried_until_kms_sees_the_new_key(client):
    created = {
        "Policy": '{"Version": "2012-10-17", "Statement": []}',
        "Description": "data key",
        "KeySpec": "SYMMETRIC_DEFAULT",
        "KeyUsage": "ENCRYPT_DECRYPT",
        "Tags": [{"TagKey": "Environment", "TagValue": "dev"}],
    }
    alias = {"AliasName": "alias/corp-kms-data-dev", "TargetKeyId": KEY_ID}
    with Stubber(client) as stub:
        stub.add_response("create_key", METADATA, created)
        _not_found(stub, "enable_key_rotation", {"KeyId": KEY_ID})
        stub.add_response("enable_key_rotation", {}, {"KeyId": KEY_ID})
        _not_found(stub, "create_alias", alias)
        _not_found(stub, "create_alias", alias)
        stub.add_response("create_alias", {}, alias)
        key = kms_key_create.create(_module_client(client), dict(PARAMS, enable_key_rotation=True))
        stub.assert_no_pending_responses()
    assert key["Arn"] == KEY_ARN


def test_a_key_kms_never_shows_fails_naming_the_key_left_without_its_alias(client, monkeypatch):
    monkeypatch.setattr(kms_key_create, "new_key_retry", kms_key_create.AWSRetry.jittered_backoff(retries=2, catch_extra_error_codes=["NotFoundException"]))
    with Stubber(client) as stub:
        stub.add_response("create_key", METADATA)
        for _attempt in range(3):
            _not_found(stub, "create_alias", {"AliasName": "alias/corp-kms-data-dev", "TargetKeyId": KEY_ID})
        with pytest.raises(ClientError) as raised:
            kms_key_create.create(_module_client(client), dict(PARAMS, enable_key_rotation=False))
    assert raised.value.corp_key_arn == KEY_ARN


def test_an_alias_that_names_a_key_is_that_key_and_a_missing_one_is_none(client):
    with Stubber(client) as stub:
        stub.add_response("describe_key", METADATA, {"KeyId": "alias/corp-kms-data-dev"})
        stub.add_client_error("describe_key", service_error_code="NotFoundException", expected_params={"KeyId": "alias/corp-kms-data-prod"})
        assert kms_key_create.key_of_alias(_module_client(client), "alias/corp-kms-data-dev")["Arn"] == KEY_ARN
        assert kms_key_create.key_of_alias(_module_client(client), "alias/corp-kms-data-prod") is None
    assert kms_key_create.alias_name("corp-kms-data-dev") == kms_key_create.alias_name("alias/corp-kms-data-dev") == "alias/corp-kms-data-dev"
