# Copyright: corp.infra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin for corp.infra.kms_context_policy: the policy is pure computation, so it is built on the controller. Running
the module would only add a process start-up per call (the module stays, for its documentation and for
callers that run modules without action plugins)."""

from __future__ import annotations

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.corp.infra.plugins.module_utils.kms_policy import ARGUMENT_SPEC
from ansible_collections.corp.infra.plugins.module_utils.kms_policy import PolicyError
from ansible_collections.corp.infra.plugins.module_utils.kms_policy import build_kms_policy
from ansible_collections.corp.infra.plugins.module_utils.kms_policy import policy_result


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        # The module's own argument spec, validated the way AnsibleModule would (types, choices, required_if).
        _validation, params = self.validate_argument_spec(**ARGUMENT_SPEC)
        try:
            policy = build_kms_policy(params)
        except PolicyError as e:
            raise AnsibleActionFail(str(e)) from e
        result.update(policy_result(policy))
        return result
