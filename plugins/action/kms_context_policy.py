# Copyright: corp.infra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin for corp.infra.kms_context_policy: builds the policy on the controller (see plugin_utils/policy_action.py)."""

from __future__ import annotations

from ansible_collections.corp.infra.plugins.module_utils.kms_policy import ARGUMENT_SPEC
from ansible_collections.corp.infra.plugins.module_utils.kms_policy import build_kms_policy
from ansible_collections.corp.infra.plugins.plugin_utils.policy_action import PolicyAction


class ActionModule(PolicyAction):
    argument_spec = ARGUMENT_SPEC
    build = staticmethod(build_kms_policy)
