"""The fault proxy's throttling errors are the ones botocore reads as throttling, in each protocol."""

import pytest
from botocore import parsers
from botocore.retries.standard import ThrottledRetryableChecker

from corp_emulator.consistency import RULES
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


PROTOCOLS = {"dynamodb": "json", "kms": "json", "backup": "rest-json", "s3": "rest-xml", "ec2": "ec2"}


@pytest.mark.parametrize("rule", RULES, ids=[rule.name for rule in RULES])
def test_each_consistency_rule_reaches_the_caller_as_aws_error_and_cites_a_source(rule):
    from corp_emulator.faults import error_response
    from corp_emulator.faults import speaks_json

    protocol = PROTOCOLS.get(rule.service, "query")
    # The headers botocore sends: the JSON protocol names its operation in X-Amz-Target, rest-json does not.
    headers = {"X-Amz-Target": "x"} if protocol == "json" else {}
    status, content_type, body = error_response(rule.service, speaks_json(rule.service, headers), *rule.error("arn:aws:iam::123456789012:role/r"))
    parsed = parsers.create_parser(protocol).parse({"status_code": status, "headers": {"content-type": content_type}, "body": body}, None)
    assert parsed["Error"]["Code"] == rule.code
    assert rule.source and rule.window > 0


def _proxy_with(rules, share=1.0, scale=1.0):
    from corp_emulator.faults import FaultProxy

    proxy = FaultProxy(("127.0.0.1", 0), "http://127.0.0.1:1", 0.0, 1)
    proxy.set_consistency(scale, share, rules)
    return proxy


def test_a_new_vpc_is_unknown_to_requests_naming_it_until_one_passes_or_its_window_ends(monkeypatch):
    import corp_emulator.faults as faults_module

    clock = [100.0]
    monkeypatch.setattr(faults_module.time, "monotonic", lambda: clock[0])
    proxy = _proxy_with("ec2-vpc")
    try:
        proxy.note_created("CreateVpc", "/", b"<CreateVpcResponse><vpc><vpcId>vpc-0a1b2c</vpcId></vpc></CreateVpcResponse>")
        error = proxy.propagation_error("ec2", "CreateSubnet", "Action=CreateSubnet&VpcId=vpc-0a1b2c")
        assert error == (400, "InvalidVpcID.NotFound", "The vpc ID 'vpc-0a1b2c' does not exist")
        # Requests naming another VPC, or another service, pass.
        assert proxy.propagation_error("ec2", "CreateSubnet", "Action=CreateSubnet&VpcId=vpc-99") is None
        assert proxy.propagation_error("rds", "CreateDBSubnetGroup", "vpc-0a1b2c") is None
        clock[0] += 2.5  # past the rule's window (2 s)
        assert proxy.propagation_error("ec2", "CreateSubnet", "Action=CreateSubnet&VpcId=vpc-0a1b2c") is None
        assert proxy.status()["consistency"]["rules"]["ec2-vpc"] == {"created": 1, "answered": 1}
    finally:
        proxy.server_close()


def test_with_a_share_some_requests_pass_and_the_first_that_passes_ends_the_propagation():
    proxy = _proxy_with("iam-role-rds-monitoring", share=0.5)
    role = "arn:aws:iam::123456789012:role/corp-iam-monitoring-dev"
    try:
        proxy.note_created("CreateRole", "/", f"<CreateRoleResult><Role><Arn>{role}</Arn></Role></CreateRoleResult>".encode())
        answers = [proxy.propagation_error("rds", "CreateDBInstance", f"MonitoringRoleArn={role}") for _attempt in range(20)]
        passed = answers.index(None)
        assert all(answers[:passed]) and not any(answers[passed:])
        # Only the operations the rule names: a DescribeDBInstances naming the role is not refused.
        proxy.note_created("CreateRole", "/", f"<Arn>{role}</Arn>".encode())
        assert proxy.propagation_error("rds", "DescribeDBInstances", role) is None
    finally:
        proxy.server_close()


def test_a_new_bucket_is_named_by_the_request_path_and_off_switches_the_mode():
    proxy = _proxy_with("s3-bucket")
    try:
        proxy.note_created("CreateBucket", "/corp-s3-data-dev", b"")
        assert proxy.propagation_error("s3", "", "PUT /corp-s3-data-dev?versioning ")[1] == "NoSuchBucket"
        proxy.set_consistency(0, 1.0)
        proxy.note_created("CreateBucket", "/corp-s3-logs-dev", b"")
        assert proxy.propagation_error("s3", "", "PUT /corp-s3-logs-dev?versioning ") is None
    finally:
        proxy.server_close()


def test_the_docs_list_every_rule_the_proxy_plays_with_its_window():
    from pathlib import Path

    table = Path(__file__).resolve().parents[3].joinpath("docs", "eventual-consistency.md").read_text()
    rows = {line.split("|")[1].strip(" `"): line for line in table.splitlines() if line.startswith("| `") and line.count("|") == 8}
    assert sorted(rows) == sorted(rule.name for rule in RULES)
    for rule in RULES:
        assert f"| {rule.window:g} s |" in rows[rule.name], rule.name


@pytest.mark.parametrize("name", ["iam-role-rds-monitoring", "iam-role-flow-logs", "iam-role-kms-key-policy"])
def test_the_propagation_errors_the_proxy_plays_are_the_ones_the_modules_retry(name):
    # Two descriptions of one AWS answer: the emulator's rule and the modules' retry case (module_utils/propagation.py).
    from ansible_collections.corp.infra.plugins.module_utils.propagation import is_propagation_error
    from corp_emulator.consistency import RULES_BY_NAME

    _status, code, message = RULES_BY_NAME[name].error("arn:aws:iam::123456789012:role/corp-iam-flowlogs-dev")
    assert is_propagation_error(code, message)


def test_the_mode_is_switched_at_run_time_for_some_rules():
    proxy = _proxy_with("")
    try:
        proxy.control("consistency", {"scale": "0.5", "share": "1", "rules": "kms-key"})
        state = proxy.status()["consistency"]
        assert (state["scale"], state["share"], sorted(state["rules"])) == (0.5, 1.0, ["kms-key"])
        proxy.control("consistency", {"scale": "0"})
        proxy.note_created("CreateKey", "/", b'{"KeyMetadata": {"KeyId": "1234abcd-12ab-34cd-56ef-1234567890ab"}}')
        assert proxy.propagation_error("kms", "CreateAlias", "1234abcd-12ab-34cd-56ef-1234567890ab") is None
    finally:
        proxy.server_close()
