# Copyright: corp.infra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Clients for several AWS services from one boto3 session.

``AnsibleAWSModule.client()`` opens a new boto3 session for every client it returns, and every new session
rebuilds botocore's index of services and its endpoint data from disk: about 55 ms per client on the machines
corp.infra is benchmarked on. A module that reads nine services paid half a second for it. ``OneSession`` takes
the connection settings from amazon.aws (``credentials, profile, region, endpoint, certificates, aws_config``,
read from the same parameters and environment variables as every amazon.aws module) and configures the client
the way amazon.aws does (its user agent, then ``aws_config``), and opens the session once. It serves the modules
and, on a local connection, their action plugins (``plugin_utils/read_action.py``).
"""

from __future__ import annotations

from typing import Any
from typing import Callable

try:
    import boto3
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils import botocore as aws_botocore
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleBotocoreError
from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper


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
        try:
            # amazon.aws's own reading of the connection parameters (its modules and plugins both call it).
            # pylint: disable-next=protected-access
            region, endpoint_url, params = aws_botocore._aws_connection_info(self._params)
        except AnsibleBotocoreError as e:
            self._fail(e.message)
        profile = params.pop("profile_name", None)
        # amazon.aws's client configuration (_boto3_conn's): its user agent, then the caller's aws_config over it.
        # pylint: disable-next=protected-access
        config = botocore.config.Config(user_agent=aws_botocore._get_user_agent_string())
        for key in ("config", "aws_config"):
            # pylint: disable-next=protected-access
            config = aws_botocore._merge_botocore_config(config, params.pop(key, None))
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
