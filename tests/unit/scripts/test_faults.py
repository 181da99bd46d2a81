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
