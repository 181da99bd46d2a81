"""An AWS refusal (a quota reached, a permission missing) stops the run with one readable error: the failing task
names the resource, the error line gives AWS's code, and no Python traceback is printed.

The refusals come from the fault proxy (corp_emulator.faults), which answers one API operation with the AWS error
in that service's protocol: EC2 (query, EC2 dialect), IAM (query), S3 (REST-XML) and DynamoDB (JSON).
"""

import re

import pytest

from .conftest import ansible_playbook
from .conftest import fault_proxy
from .conftest import faults

ENVIRONMENT = "errtest"
KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/0d0c7e4e-1f6b-4a8e-9a57-3b3c0f3f0a11"
CASES = [
    # (operation, AWS error code, HTTP status, the run's tags and extra vars, the resource the failing task names)
    ("CreateVpc", "VpcLimitExceeded", 400, ["--tags", "network", "-e", f"network_flow_logs_kms_key_arn={KEY_ARN}"], f"corp-vpc-main-{ENVIRONMENT}"),
    # A read refused: the state readers run in the worker process (read_action.py), and fail the same way.
    ("DescribeVpcs", "UnauthorizedOperation", 403, ["--tags", "network", "-e", f"network_flow_logs_kms_key_arn={KEY_ARN}"], f"corp-vpc-main-{ENVIRONMENT}"),
    ("CreateRole", "LimitExceeded", 409, ["--tags", "iam", "-e", f"iam_data_key_arn={KEY_ARN}"], f"corp-iam-dataaccess-{ENVIRONMENT}"),
    ("CreateBucket", "AccessDenied", 403, ["--tags", "s3"], f"corp-s3-accesslogs-{ENVIRONMENT}"),
    ("CreateTable", "AccessDeniedException", 400, ["--tags", "dynamodb", "-e", "dynamodb_use_stack_key=false"], f"corp-dynamodb-main-{ENVIRONMENT}"),
]


@pytest.fixture(scope="module")
def proxy(emulator):
    with fault_proxy(emulator, "--throttle-rate", "0") as endpoint:
        yield endpoint


@pytest.mark.parametrize(("operation", "code", "status", "args", "resource"), CASES, ids=[case[0] for case in CASES])
def test_an_aws_refusal_is_one_readable_error_naming_the_resource(emulator, proxy, operation, code, status, args, resource):
    faults(proxy, "fail", action=operation, code=code, status=status)
    try:
        result = ansible_playbook(emulator, "site.yml", "-i", "inventories/local", "-e", f"corp_environment={ENVIRONMENT}", *args, endpoint=proxy)
    finally:
        faults(proxy, "release")
    output = result.stdout + result.stderr
    assert result.returncode == 2, output[-3000:]
    assert "Traceback" not in output and "caused by" not in output
    errors = re.findall(r"^\[ERROR\]: .*$", output, re.MULTILINE)
    assert len(errors) == 1, errors
    assert f"({code})" in errors[0] and operation in errors[0], errors[0]
    # The task that failed is the last one announced before the error: its name ends with the resource's.
    task = re.findall(r"^TASK \[(.*)\] \**$", output[: output.index(errors[0])], re.MULTILINE)[-1]
    assert task.endswith(resource), task
    assert re.search(r"^local\s+: .*failed=1 ", result.stdout, re.MULTILINE)
