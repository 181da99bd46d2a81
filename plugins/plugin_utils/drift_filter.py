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


def plain(value: Any) -> Any:
    """``value`` as plain JSON values, as a module gets it: Ansible's lazily templated containers are slow to
    deep-copy, and amazon.aws's compare_policies cannot sort Ansible's tagged strings next to tuples."""
    return json.loads(json.dumps(value))


def drift_filter(name: str, compare: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    """``compare(state, desired)`` as filter ``corp.infra.<name>``, given plain values, its errors as one filter error."""

    def run(state: Any, desired: Any) -> Any:
        try:
            return compare(plain(state), plain(desired))
        except (KeyError, TypeError, ValueError) as error:
            raise AnsibleFilterError(f"corp.infra.{name}: incomplete or invalid input ({error!r})") from None

    return run
