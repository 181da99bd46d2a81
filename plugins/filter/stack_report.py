# Copyright: corp.infra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The stack report filter: outputs/<environment>.md from the outputs document and the compliance results."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.corp.infra.plugins.module_utils.stack_report import report


def stack_report(document, compliance=None):
    if not isinstance(document, dict):
        raise AnsibleFilterError(f"stack_report: the outputs document must be a dict, not {type(document).__name__}")
    if compliance is not None and not isinstance(compliance, dict):
        raise AnsibleFilterError(f"stack_report: the compliance results must be a dict, not {type(compliance).__name__}")
    return report(document, compliance or {})


class FilterModule:
    def filters(self):
        return {"stack_report": stack_report}
