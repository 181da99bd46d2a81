"""The fault proxy's throttling errors are the ones botocore reads as throttling, in each protocol."""

import pytest
from botocore import parsers
from botocore.retries.standard import ThrottledRetryableChecker

from corp_emulator.faults import throttle_response

CASES = [("dynamodb", True, "json"), ("s3", False, "rest-xml"), ("ec2", False, "ec2"), ("rds", False, "query"), ("iam", False, "query")]


@pytest.mark.parametrize(("service", "json_protocol", "protocol"), CASES)
def test_every_protocol_gets_a_throttling_error_botocore_retries(service, json_protocol, protocol):
    status, content_type, body = throttle_response(service, json_protocol)
    parsed = parsers.create_parser(protocol).parse({"status_code": status, "headers": {"content-type": content_type}, "body": body}, None)
    code = parsed["Error"]["Code"]

    class Context:
        def get_error_code(self):
            return code

    assert ThrottledRetryableChecker().is_retryable(Context())


def _sent_request(service, operation, **params):
    """The HTTP request botocore sends for ``operation``, captured before it leaves the process."""
    import boto3

    client = boto3.client(service, region_name="us-east-1", endpoint_url="http://127.0.0.1:9", aws_access_key_id="k", aws_secret_access_key="s")
    sent = {}

    def capture(request, **_kwargs):
        sent.update(method=request.method, url=request.url, headers=request.headers, body=request.body or b"")
        raise StopIteration

    client.meta.events.register("before-send", capture)
    with pytest.raises(StopIteration):
        getattr(client, operation)(**params)
    body = sent["body"].read() if hasattr(sent["body"], "read") else sent["body"]
    body = body if isinstance(body, bytes) else body.encode()
    headers = {key: value.decode() if isinstance(value, bytes) else value for key, value in sent["headers"].items()}
    return sent["method"], sent["url"].split("127.0.0.1:9", 1)[1], headers, body


@pytest.mark.parametrize(
    ("service", "operation", "params", "action"),
    [
        ("kms", "create_key", {}, "CreateKey"),
        ("dynamodb", "describe_table", {"TableName": "t"}, "DescribeTable"),
        ("ec2", "create_vpc", {"CidrBlock": "10.0.0.0/16"}, "CreateVpc"),
        ("rds", "describe_db_instances", {}, "DescribeDBInstances"),
        ("iam", "create_role", {"RoleName": "r", "AssumeRolePolicyDocument": "{}"}, "CreateRole"),
        ("s3", "create_bucket", {"Bucket": "corp-s3-data-dev"}, "CreateBucket"),
        ("s3", "put_bucket_versioning", {"Bucket": "corp-s3-data-dev", "VersioningConfiguration": {"Status": "Enabled"}}, ""),
        ("s3", "put_object", {"Bucket": "corp-s3-data-dev", "Key": "k", "Body": b"x"}, ""),
    ],
)
def test_the_proxy_names_the_operation_botocore_calls(service, operation, params, action):
    from corp_emulator.faults import action_of

    assert action_of(*_sent_request(service, operation, **params)) == action


@pytest.mark.parametrize(("service", "json_protocol", "protocol"), CASES)
def test_an_injected_error_reaches_the_caller_as_that_aws_error(service, json_protocol, protocol):
    from corp_emulator.faults import error_response

    status, content_type, body = error_response(service, json_protocol, 403, "AccessDenied", "not <allowed> & logged")
    parsed = parsers.create_parser(protocol).parse({"status_code": status, "headers": {"content-type": content_type}, "body": body}, None)
    assert parsed["Error"]["Code"] == "AccessDenied"
    assert parsed["Error"]["Message"] == "not <allowed> & logged"


def test_a_fail_fault_with_times_lets_the_action_through_once_spent():
    from corp_emulator.faults import FaultProxy

    proxy = FaultProxy(("127.0.0.1", 0), "http://127.0.0.1:1", 0.0, 1)
    try:
        proxy.control("fail", {"action": "CreateDBInstance", "code": "InvalidParameterValue", "message": "not yet", "times": "2"})
        assert proxy.injected_failure("CreateDBInstance") == (400, "InvalidParameterValue", "not yet")
        assert proxy.injected_failure("DescribeDBInstances") is None
        assert proxy.injected_failure("CreateDBInstance") == (400, "InvalidParameterValue", "not yet")
        assert proxy.injected_failure("CreateDBInstance") is None
        assert proxy.status()["failed"] == 2
        # Without times, until released.
        proxy.control("fail", {"action": "CreateTable", "code": "AccessDeniedException"})
        assert all(proxy.injected_failure("CreateTable") for _attempt in range(3))
        proxy.control("release", {})
        assert proxy.injected_failure("CreateTable") is None
    finally:
        proxy.server_close()
