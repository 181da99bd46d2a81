# Copyright: corp.infra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Clients for several AWS services from one boto3 session.

``AnsibleAWSModule.client()`` opens a new boto3 session for every client it returns, and every new session
rebuilds botocore's index of services and its endpoint data from disk: about 55 ms per client on the machines
corp.infra is benchmarked on. A module that reads nine services paid half a second for it. ``OneSession`` takes
the connection settings from amazon.aws's public ``get_aws_connection_info`` (credentials, profile, region,
endpoint, certificates, ``aws_config``, read from the same parameters and environment variables as every
amazon.aws module), configures the client as amazon.aws's ``boto3_conn`` does (its user agent, then
``aws_config`` over it), and opens the session once. It does not call ``enable_placebo``, amazon.aws's hook for
recording its own tests' API calls. Only public amazon.aws names are used;
tests/unit/plugins/module_utils/test_clients.py holds the clients to be configured as ``boto3_conn``'s are. It
serves the modules and, on a local connection, their action plugins (``plugin_utils/read_action.py``).
"""

from __future__ import annotations

from typing import Any
from typing import Callable

try:
    import boto3
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible.module_utils.ansible_release import __version__ as ansible_version

from ansible_collections.amazon.aws.plugins.module_utils.botocore import get_aws_connection_info
from ansible_collections.amazon.aws.plugins.module_utils.common import AMAZON_AWS_COLLECTION_NAME
from ansible_collections.amazon.aws.plugins.module_utils.common import AMAZON_AWS_COLLECTION_VERSION
from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper

# The user agent amazon.aws's boto3_conn gives every client (AWS Partner Network attribution included).
USER_AGENT = f"APN/1.0 Ansible/{ansible_version} {AMAZON_AWS_COLLECTION_NAME}/{AMAZON_AWS_COLLECTION_VERSION}"


class _Caller:
    """What get_aws_connection_info needs of a module: its parameters and a way to fail."""

    def __init__(self, params: dict[str, Any], fail: Callable[[str], Any]) -> None:
        self.params = params
        self._fail = fail

    def fail_json(self, msg: str, **_details: Any) -> None:
        self._fail(msg)


class OneSession:
    """``client(service, retry_decorator)`` like ``AnsibleAWSModule.client()``, every client from one session.

    ``params`` are the caller's parameters (amazon.aws's common AWS options among them); ``fail(message)`` ends
    the caller with a one-line error and does not return.
    """

    def __init__(self, params: dict[str, Any], fail: Callable[[str], Any], name: str) -> None:
        self._params = params
        self._fail = fail
        self._name = name
        self._session: Any = None
        self._settings: tuple[Any, Any, dict[str, Any], Any] = (None, None, {}, None)

    @classmethod
    def of_module(cls, module: Any) -> OneSession:
        # pylint: disable-next=protected-access
        return cls(module.params, lambda message: module.fail_json(msg=message), module._name)

    def _connect(self) -> None:
        region, endpoint_url, params = get_aws_connection_info(_Caller(self._params, self._fail))
        profile = params.pop("profile_name", None)
        config = botocore.config.Config(user_agent=USER_AGENT)
        for key in ("config", "aws_config"):
            extra = params.pop(key, None)
            if extra:
                config = config.merge(extra if isinstance(extra, botocore.config.Config) else botocore.config.Config(**extra))
        self._settings = (region, endpoint_url, params, config)
        self._session = boto3.session.Session(profile_name=profile)

    def client(self, service: str, retry_decorator: Any = None) -> Any:
        if self._session is None:
            self._connect()
        region, endpoint_url, params, config = self._settings
        try:
            client = self._session.client(service, config=config, region_name=region, endpoint_url=endpoint_url, **params)
        except botocore.exceptions.NoRegionError:
            self._fail(f"The {self._name} module requires a region and none was found in configuration, environment variables or module parameters")
        except (ValueError, botocore.exceptions.BotoCoreError) as e:
            self._fail(f"Couldn't connect to AWS: {e}")
        return client if retry_decorator is None else RetryingBotoClientWrapper(client, retry_decorator)
