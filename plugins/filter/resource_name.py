# Copyright: corp.infra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The corp.infra.resource_name filter: the one place resource names are built."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.corp.infra.plugins.module_utils.naming import NamingError
from ansible_collections.corp.infra.plugins.module_utils.naming import resource_name as build_name


def resource_name(resource_type, purpose, environment, prefix="corp"):
    try:
        return build_name(str(resource_type), str(purpose), str(environment), str(prefix))
    except NamingError as error:
        raise AnsibleFilterError(f"corp.infra.resource_name: {error}") from None


class FilterModule:
    def filters(self):
        return {"resource_name": resource_name}
