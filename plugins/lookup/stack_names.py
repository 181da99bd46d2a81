# Copyright: corp.infra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
name: stack_names
short_description: Every resource name the corp.infra roles share, computed once
version_added: 1.0.0
author: Corp Platform Team (@corp-platform)
description:
  - Returns the names of the stack's resources for the host's environment, C({prefix}-{type}-{purpose}-{environment}),
    from C(corp_environment), C(corp_name_prefix) and the purpose variables (C(s3_bucket_purpose),
    C(s3_log_bucket_purpose), C(s3_key_purpose), C(dynamodb_purpose), C(rds_purpose), C(backup_purpose)); a purpose
    variable that is not set takes its default.
  - Every role, the verify role and the destroy playbook name resources through it, so a purpose set once reaches
    every role that names that resource (the iam role's policy, the network's endpoint policy, the stack key's
    users). The preflight role publishes it as C(corp_stack_names); a role run alone computes it itself.
  - Takes no terms. The names are checked against each service's naming rules; a bad one fails naming its variable.
"""

EXAMPLES = r"""
- name: Show where the data bucket is
  ansible.builtin.debug:
    msg: "{{ lookup('corp.infra.stack_names').bucket }}"  # corp-s3-securedata-prod
"""

RETURN = r"""
_raw:
  description:
    - One mapping. C(vpc), C(route_table), C(nacl), C(internet_gateway), C(s3_endpoint), C(dynamodb_endpoint),
      C(flow_log_group), C(flow_logs_role), C(db_security_group), C(key), C(key_alias), C(bucket), C(log_bucket),
      C(table), C(database), C(data_access_role), C(monitoring_role), C(backup_role), C(backup).
  type: list
  elements: dict
"""

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase

from ansible_collections.corp.infra.plugins.module_utils.naming import PURPOSE_VARIABLES
from ansible_collections.corp.infra.plugins.module_utils.naming import NamingError
from ansible_collections.corp.infra.plugins.module_utils.naming import stack_names


class LookupModule(LookupBase):
    def run(self, terms, variables=None, **kwargs):
        if terms:
            raise AnsibleLookupError("corp.infra.stack_names takes no terms")
        variables = variables or {}
        if "corp_environment" not in variables:
            raise AnsibleLookupError("corp.infra.stack_names: corp_environment is not set")

        def value(name, default=None):
            return self._templar.template(variables[name]) if name in variables else default

        purposes = {name: value(name) for name in PURPOSE_VARIABLES}
        try:
            return [stack_names(str(value("corp_environment")), str(value("corp_name_prefix", "corp")), purposes)]
        except NamingError as error:
            raise AnsibleLookupError(f"corp.infra.stack_names: {error}") from None
