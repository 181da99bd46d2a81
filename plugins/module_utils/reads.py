# Copyright: corp.infra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What corp.infra's read-only modules (account_info, the *_state_info readers, security_controls_info, the other *_info modules) share."""

from __future__ import annotations

from typing import Any
from typing import Callable

try:  # noqa: SIM105 the guarded import every amazon.aws module_utils uses
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import paginated_query_with_retries
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.corp.infra.plugins.module_utils.clients import OneSession


def all_pages(client: Any, operation: str, key: str, **params: Any) -> list[Any]:
    """Every page's ``key`` items, each page retried on throttling (amazon.aws's paginated_query_with_retries)."""
    return paginated_query_with_retries(client, operation, **params).get(key, [])


class ReadRefused(Exception):
    """Arguments a read cannot start from: the module's or the action's failure, in one line."""


def run_reader(argument_spec: dict[str, Any], read: Callable[[dict[str, Any], Any], dict[str, Any]], failure: str) -> None:
    """The main() of a read-only module: ``read(params, aws)`` with every client from one session, its AWS errors
    as the module's failure (``failure`` formatted with the parameters)."""
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    try:
        state = read(module.params, OneSession.of_module(module))
    except ReadRefused as e:
        module.fail_json(msg=str(e))
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
        module.fail_json_aws(e, msg=failure.format(**module.params))
    module.exit_json(changed=False, **state)
