# Copyright: corp.infra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin for corp.infra.document_diff: the diff is computed on the controller, without a module process."""

from __future__ import annotations

from ansible.plugins.action import ActionBase

from ansible_collections.corp.infra.plugins.module_utils.document_diff import ARGUMENT_SPEC
from ansible_collections.corp.infra.plugins.module_utils.document_diff import document_diff


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        _validation, params = self.validate_argument_spec(**ARGUMENT_SPEC)
        result.update(document_diff(params))
        return result
