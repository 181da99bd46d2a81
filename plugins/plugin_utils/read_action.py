# Copyright: corp.infra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The controller side of corp.infra's read-only AWS modules (account_info, the *_state_info readers, security_controls_info and the other *_info modules).

meta/runtime.yml names ``corp.infra.read_in_worker`` as the action plugin of every one of them (the modules'
``action_plugin`` routing field), so one action serves them all; it finds the module's ``read`` by the name the
task resolved to.

Every corp.infra host is an environment reached over a local connection: a module would run on the controller
anyway, in a new Python process that imports Ansible, boto3 and amazon.aws again (about 0.4 s before its first
request). On a local connection this action runs the module's own ``read(params, aws)`` in the task's worker
process instead, with the module's argument spec plus amazon.aws's common AWS options (the same parameters and
environment variables) and amazon.aws's connection handling (``OneSession``). It runs the module as usual on any
other connection, and wherever the worker could not stand in for the module's process: with ``become``, with
``async``, or when ansible-playbook's own Python has no boto3 (the host's interpreter may have it). The task's
``environment:`` applies to the read as it would to a module; amazon.aws's ``debug_botocore_endpoint_logs`` is
accepted but lists no actions here (the reads only describe). The worker reads with ansible-playbook's Python and
its boto3, not with the host's ``ansible_python_interpreter`` (corp.infra's inventories set it to the same).
"""

from __future__ import annotations

import importlib
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
from ansible.utils.vars import merge_hash

from ansible_collections.amazon.aws.plugins.module_utils.botocore import HAS_BOTO3
from ansible_collections.amazon.aws.plugins.module_utils.botocore import normalize_boto3_result
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import aws_argument_spec
from ansible_collections.corp.infra.plugins.module_utils.clients import OneSession
from ansible_collections.corp.infra.plugins.module_utils.reads import ReadRefused


def _fail(message: str) -> None:
    # from None: the message is the whole error, as the module's fail_json would give it.
    raise AnsibleActionFail(message) from None


class ReadAction(ActionBase):
    """Runs ``reader.read`` here on a local connection, the module ``reader`` elsewhere."""

    TRANSFERS_FILES = False
    _supports_async = True

    COLLECTION: ClassVar[str] = "corp.infra"

    def reader(self, name: str) -> ModuleType:
        """The module file the task names, which defines ARGUMENT_SPEC, FAILURE and read(params, aws)."""
        collection, _dot, module = name.rpartition(".")
        found = None
        if collection == self.COLLECTION and module.isidentifier():
            path = f"ansible_collections.{collection}.plugins.modules.{module}"
            try:
                found = importlib.import_module(path)
            except ModuleNotFoundError as e:
                if e.name != path:
                    raise  # the module exists and an import inside it failed: that is the error to show
                found = None
        if not all(hasattr(found, attribute) for attribute in ("ARGUMENT_SPEC", "FAILURE", "read")):
            raise AnsibleActionFail(f"{name} is not one of {self.COLLECTION}'s read-only modules, which are the only modules this action runs") from None
        return found

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        name = self._task.resolved_action or self._task.action
        reader = self.reader(name)
        in_worker = self._connection.transport == "local" and HAS_BOTO3 and not self._play_context.become and not self._task.async_val
        if not in_worker:
            wrap_async = self._task.async_val
            result = merge_hash(result, self._execute_module(module_name=name, module_args=self._task.args, task_vars=task_vars, wrap_async=wrap_async))
            if not wrap_async:
                self._remove_tmp_path(self._connection._shell.tmpdir)
            return result
        # A module process starts with the task's `environment:` applied (AWS_PROFILE, AWS_CA_BUNDLE...); so does
        # the read here. The worker process ends with the task, so nothing outlives it.
        environment: dict[str, Any] = {}
        self._compute_environment_string(environment)
        os.environ.update({key: str(value) for key, value in environment.items()})
        _validation, params = self.validate_argument_spec(argument_spec={**aws_argument_spec(), **reader.ARGUMENT_SPEC})
        try:
            # As the module returns it: JSON, boto3's datetimes in ISO 8601 (amazon.aws's own normalisation).
            result.update(normalize_boto3_result(reader.read(params, OneSession(params, _fail, name))))
        except ReadRefused as e:
            raise AnsibleActionFail(str(e)) from None
        except AnsibleAWSError as e:  # amazon.aws's module_utils helpers raise it
            raise AnsibleActionFail(f"{reader.FAILURE.format(**params)}: {e}") from None
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
            # One line, as fail_json_aws gives it (from None: ansible-core would print the cause again).
            failure = camel_dict_to_snake_dict(getattr(e, "response", None) or {})
            raise AnsibleActionFail(f"{reader.FAILURE.format(**params)}: {e}", result=failure) from None
        result["changed"] = False
        return result
