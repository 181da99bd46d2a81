# Copyright: corp.infra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The controller side of corp.infra's drift filters (network_drift, s3_drift, iam_drift, rds_drift).

Each compares a state_info module's read with what a role passes its modules, in module_utils (unit tested
without Ansible); this wraps such a comparison as a filter.
"""

from __future__ import annotations

import json
from typing import Any
from typing import Callable

from ansible.errors import AnsibleFilterError


def drift_filter(name: str, compare: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    """``compare(state, desired)`` as filter ``corp.infra.<name>``, given plain JSON values as the modules get
    them (amazon.aws's compare_policies cannot sort Ansible's tagged strings next to tuples), its errors as one
    filter error."""

    def run(state: Any, desired: Any) -> Any:
        try:
            return compare(json.loads(json.dumps(state)), json.loads(json.dumps(desired)))
        except (KeyError, TypeError, ValueError) as error:
            raise AnsibleFilterError(f"corp.infra.{name}: incomplete or invalid input ({error!r})") from None

    return run
