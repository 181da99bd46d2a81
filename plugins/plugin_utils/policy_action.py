# Copyright: corp.infra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The controller side of corp.infra's policy-building modules (kms_context_policy, tag_conditioned_policy).

A policy is pure computation, so it is built on the controller: running the module would only add a process
start-up per call. The modules stay, for their documentation and for callers that run modules without action
plugins; both share their argument spec and builder with these actions through module_utils.
"""

from __future__ import annotations

from typing import Any
from typing import Callable
from typing import ClassVar

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.corp.infra.plugins.module_utils.kms_policy import PolicyError
from ansible_collections.corp.infra.plugins.module_utils.kms_policy import policy_result


class PolicyAction(ActionBase):
    """Validates the module's own argument spec as AnsibleModule would, then returns the module's result."""

    TRANSFERS_FILES = False
    _requires_connection = False

    # Set by each action: the module's argument spec, and (a staticmethod) the function that builds its policy.
    argument_spec: ClassVar[dict[str, Any]]
    build: ClassVar[Callable[[dict[str, Any]], dict[str, Any]]]

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        _validation, params = self.validate_argument_spec(**self.argument_spec)
        try:
            policy = self.build(params)
        except PolicyError as e:
            raise AnsibleActionFail(str(e)) from e
        result.update(policy_result(policy))
        return result
