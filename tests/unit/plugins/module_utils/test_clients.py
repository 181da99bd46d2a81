"""OneSession: every client of a module from one boto3 session, connected as amazon.aws would connect it."""

import boto3
import pytest

from ansible_collections.amazon.aws.plugins.module_utils.botocore import boto3_conn
from ansible_collections.amazon.aws.plugins.module_utils.botocore import get_aws_connection_info
from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper
from ansible_collections.corp.infra.plugins.module_utils import clients


def params(**given):
    return {
        "access_key": "AKIDEXAMPLE",
        "secret_key": "secret",
        "session_token": None,
        "profile": None,
        "region": "eu-west-1",
        "endpoint_url": "http://127.0.0.1:1",
        "validate_certs": True,
        "aws_ca_bundle": None,
        "aws_config": {"proxies": {"http": "http://127.0.0.1:2"}},
        **given,
    }


def fail(message):
    raise SystemExit(message)


@pytest.fixture
def sessions(monkeypatch):
    opened = []
    real = boto3.session.Session

    def counting(*args, **kwargs):
        opened.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(clients.boto3.session, "Session", counting)
    return opened


def test_all_clients_share_one_session_with_amazon_aws_connection_settings(sessions):
    aws = clients.OneSession(params(), fail, "corp.infra.fake_info")
    ec2, iam, logs = aws.client("ec2"), aws.client("iam"), aws.client("logs", retry_decorator=lambda f: f)
    assert len(sessions) == 1
    assert isinstance(logs, RetryingBotoClientWrapper) and not isinstance(ec2, RetryingBotoClientWrapper)
    for client in (ec2, iam, logs.client):
        assert client.meta.region_name == "eu-west-1" and client.meta.endpoint_url == "http://127.0.0.1:1"
        assert client.meta.config.proxies == {"http": "http://127.0.0.1:2"}
        assert "Ansible/" in client.meta.config.user_agent
        assert client._request_signer._credentials.access_key == "AKIDEXAMPLE"


def test_a_missing_region_fails_the_module_in_one_line(monkeypatch, sessions):
    for variable in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    aws = clients.OneSession(params(region=None, endpoint_url=None), fail, "corp.infra.fake_info")
    with pytest.raises(SystemExit, match=r"corp\.infra\.fake_info module requires a region"):
        aws.client("ec2")


class FakeModule:
    """What amazon.aws's public boto3_conn needs of a module."""

    _name = "corp.infra.fake_info"

    def __init__(self, given):
        self.params = given

    def fail_json(self, msg, **_details):
        raise SystemExit(msg)


@pytest.mark.parametrize(
    "given",
    [
        params(),
        params(aws_config={"retries": {"max_attempts": 7}, "connect_timeout": 3}),
        params(aws_config=None, endpoint_url=None, region="us-east-2", session_token="token"),
    ],
    ids=["proxies", "retries and timeout", "no aws_config"],
)
def test_clients_are_configured_as_amazon_aws_boto3_conn_configures_them(given):
    # OneSession re-states boto3_conn's configuration with public names only; an amazon.aws release that changes
    # its user agent or how aws_config applies makes this fail rather than leave corp.infra's reads configured apart.
    ours = clients.OneSession(dict(given), fail, "corp.infra.fake_info").client("sts")
    region, endpoint, connection = get_aws_connection_info(FakeModule(dict(given)))
    theirs = boto3_conn(FakeModule(dict(given)), conn_type="client", resource="sts", region=region, endpoint=endpoint, **connection)
    assert (ours.meta.region_name, ours.meta.endpoint_url) == (theirs.meta.region_name, theirs.meta.endpoint_url)
    assert ours.meta.config.user_agent == theirs.meta.config.user_agent
    for setting in ("proxies", "retries", "connect_timeout", "read_timeout", "region_name"):
        assert getattr(ours.meta.config, setting) == getattr(theirs.meta.config, setting), setting
    ours_credentials, theirs_credentials = ours._request_signer._credentials, theirs._request_signer._credentials
    assert (ours_credentials.access_key, ours_credentials.token) == (theirs_credentials.access_key, theirs_credentials.token)
