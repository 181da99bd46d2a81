"""IAM propagation errors are retried by code and message, and nothing else that shares their code."""

import pytest
from botocore.exceptions import ClientError

from ansible_collections.corp.infra.plugins.module_utils.propagation import is_propagation_error
from ansible_collections.corp.infra.plugins.module_utils.propagation import propagation_retry

MONITORING = "IAM role ARN value is invalid or does not include the required permissions for: ENHANCED_MONITORING"


def _error(code, message):
    return ClientError({"Error": {"Code": code, "Message": message}}, "CreateDBInstance")


def test_the_monitoring_role_error_is_a_propagation_error_and_other_invalid_values_are_not():
    assert is_propagation_error("InvalidParameterValue", MONITORING)
    assert not is_propagation_error("InvalidParameterValue", "Invalid DB instance class: db.x9.huge")
    assert not is_propagation_error("AccessDenied", MONITORING)


def test_a_call_refused_until_the_role_propagates_succeeds_after_retries(monkeypatch):
    monkeypatch.setattr("time.sleep", lambda _seconds: None)
    answers = [_error("InvalidParameterValue", MONITORING), _error("InvalidParameterValue", MONITORING), {"DBInstance": {}}]

    @propagation_retry()
    def create():
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    assert create() == {"DBInstance": {}} and answers == []


def test_a_real_invalid_value_fails_at_once_and_a_lasting_propagation_error_fails_in_the_end(monkeypatch):
    monkeypatch.setattr("time.sleep", lambda _seconds: None)
    calls = []

    @propagation_retry()
    def wrong_class():
        calls.append(1)
        raise _error("InvalidParameterValue", "Invalid DB instance class: db.x9.huge")

    with pytest.raises(ClientError, match=r"db\.x9\.huge"):
        wrong_class()
    assert len(calls) == 1

    @propagation_retry(retries=3)
    def never():
        calls.append(1)
        raise _error("InvalidParameterValue", MONITORING)

    with pytest.raises(ClientError, match="ENHANCED_MONITORING"):
        never()
    assert len(calls) == 1 + 3  # retries bounds the attempts


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("InvalidParameter", "Unable to assume given IAM role: 'arn:aws:iam::111122223333:role/corp-iam-flowlogs-dev'"),
        ("MalformedPolicyDocumentException", "Policy contains a statement with one or more invalid principals."),
    ],
)
def test_flow_log_delivery_and_key_policy_principals_are_propagation_errors_only_with_their_code(code, message):
    assert is_propagation_error(code, message)
    assert not is_propagation_error("AccessDenied", message)
    assert not is_propagation_error(code, "The request is malformed")
