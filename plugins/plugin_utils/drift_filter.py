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


# The reason given for a part that is in sync when the caller asks for every part (skip_unchanged=false).
NOT_SKIPPED = "in sync, called anyway (corp_skip_unchanged is false)"


def every_part(differs: dict[str, str], parts: Any) -> dict[str, str]:
    """``differs`` with every one of ``parts`` in it: the parts in sync get NOT_SKIPPED as their reason."""
    return {part: differs.get(part, NOT_SKIPPED) for part in parts} | differs


def drift_filter(name: str, compare: Callable[[Any, Any], Any], force: Callable[[Any, Any], Any] | None = None) -> Callable[..., Any]:
    """``compare(state, desired)`` as filter ``corp.infra.<name>``, given plain values, its errors as one filter error.

    With ``skip_unchanged=false`` the filter reports every part as differing (``force(found, desired)``; by default
    every key of ``desired`` is a part), so the role calls every module: the contract test's way to show that the
    comparison and the modules agree (a converged stack then reports changed=0 with every module called).
    """

    def every_desired_part(found: dict[str, str], desired: dict[str, Any]) -> dict[str, str]:
        return every_part(found, desired)

    def run(state: Any, desired: Any, skip_unchanged: Any = True) -> Any:
        if not isinstance(skip_unchanged, bool):
            raise AnsibleFilterError(f"corp.infra.{name}: skip_unchanged must be a boolean, got {skip_unchanged!r}")
        try:
            wanted = plain(desired)
            found = compare(plain(state), wanted)
            return found if skip_unchanged else (force or every_desired_part)(found, wanted)
        except (KeyError, TypeError, ValueError) as error:
            raise AnsibleFilterError(f"corp.infra.{name}: incomplete or invalid input ({error!r})") from None

    return run
