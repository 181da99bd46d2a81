# Copyright: corp.infra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters the iam role compares with: iam_drift."""

from __future__ import annotations

import json

from ansible.errors import AnsibleFilterError

from ansible_collections.corp.infra.plugins.module_utils.iam_state import iam_drift as drift


def iam_drift(state, desired):
    try:
        # Plain JSON values, as the modules get them: amazon.aws's compare_policies cannot sort Ansible's
        # tagged strings next to tuples.
        return drift(json.loads(json.dumps(state)), json.loads(json.dumps(desired)))
    except (KeyError, TypeError, ValueError) as error:
        raise AnsibleFilterError(f"corp.infra.iam_drift: {error!r}") from None


class FilterModule:
    def filters(self):
        return {"iam_drift": iam_drift}
