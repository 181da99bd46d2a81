# Copyright: corp.infra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The controller side of corp.infra's read-only AWS modules (account_info, the *_state_info readers, security_controls_info and the other *_info modules).

Every corp.infra host is an environment reached over a local connection: a module would run on the controller
anyway, in a new Python process that imports Ansible, boto3 and amazon.aws again (about 0.4 s before its first
request). On a local connection this action runs the module's own ``read(params, aws)`` in the task's worker
process instead, with the module's argument spec plus amazon.aws's common AWS options (the same parameters and
environment variables) and amazon.aws's connection handling (``OneSession``). On any other connection it runs
the module on the host, unchanged. The task's ``environment:`` applies to the read as it would to a module;
amazon.aws's ``debug_botocore_endpoint_logs`` is accepted but lists no actions here (the reads only describe).
"""

from __future__ import annotations

import datetime
import json
import os
from types import ModuleType
from typing import Any
from typing import ClassVar

try:  # noqa: SIM105 the guarded import every amazon.aws module_utils uses
    import botocore
except ImportError:
    pass  # the module's own import check reports it

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict
from ansible.plugins.action import ActionBase

from ansible_collections.amazon.aws.plugins.module_utils.modules import aws_argument_spec
from ansible_collections.corp.infra.plugins.module_utils.clients import OneSession
from ansible_collections.corp.infra.plugins.module_utils.reads import ReadRefused


def _fail(message: str) -> None:
    raise AnsibleActionFail(message)


def _as_module_returns(value: Any) -> Any:
    """``value`` as it would come back from the module: JSON, with boto3's datetimes in ISO 8601 and sets as lists."""

    def fallback(item: Any) -> Any:
        if isinstance(item, (datetime.date, datetime.datetime)):
            return item.isoformat()
        if isinstance(item, (set, frozenset)):
            return list(item)
        raise TypeError(f"{type(item).__name__} is not JSON serializable")

    return json.loads(json.dumps(value, default=fallback))


class ReadAction(ActionBase):
    """Runs ``reader.read`` here on a local connection, the module ``reader`` elsewhere."""

    TRANSFERS_FILES = False

    # Set by each action: the module file, which defines ARGUMENT_SPEC, FAILURE and read(params, aws).
    reader: ClassVar[ModuleType]

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        name = self._task.resolved_action or self._task.action
        if self._connection.transport != "local":
            result.update(self._execute_module(module_name=name, module_args=self._task.args, task_vars=task_vars))
            return result
        # A module process starts with the task's `environment:` applied (AWS_PROFILE, AWS_CA_BUNDLE...); so does
        # the read here. The worker process ends with the task, so nothing outlives it.
        environment: dict[str, Any] = {}
        self._compute_environment_string(environment)
        os.environ.update({key: str(value) for key, value in environment.items()})
        _validation, params = self.validate_argument_spec(argument_spec={**aws_argument_spec(), **self.reader.ARGUMENT_SPEC})
        try:
            result.update(_as_module_returns(self.reader.read(params, OneSession(params, _fail, name))))
        except ReadRefused as e:
            raise AnsibleActionFail(str(e)) from e
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
            failure = camel_dict_to_snake_dict(getattr(e, "response", None) or {})
            raise AnsibleActionFail(f"{self.reader.FAILURE.format(**params)}: {e}", result=failure) from e
        result["changed"] = False
        return result
