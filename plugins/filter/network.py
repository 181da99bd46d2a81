# Copyright: corp.infra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters the network role plans and compares with: subnet_plan, network_drift."""

from __future__ import annotations

import json

from ansible.errors import AnsibleFilterError

from ansible_collections.corp.infra.plugins.module_utils.naming import NamingError
from ansible_collections.corp.infra.plugins.module_utils.naming import resource_name
from ansible_collections.corp.infra.plugins.module_utils.network import choose_zones
from ansible_collections.corp.infra.plugins.module_utils.network import plan_subnets
from ansible_collections.corp.infra.plugins.module_utils.network import subnet_cidrs
from ansible_collections.corp.infra.plugins.module_utils.network_state import network_drift as drift


def subnet_plan(zones, region, vpc_cidr, count, cidrs=None, newbits=4, environment=None, prefix="corp"):
    try:
        chosen = choose_zones(list(zones), int(count))
        wanted = list(cidrs) if cidrs else subnet_cidrs(str(vpc_cidr), len(chosen), int(newbits))
        if cidrs and len(wanted) > len(chosen):
            raise ValueError(f"{len(wanted)} subnet CIDRs but the region has only {len(chosen)} usable AZs")
        plan = plan_subnets(chosen, wanted[: len(chosen)], str(region))
        if environment is not None:
            for subnet in plan:
                subnet["name"] = resource_name("subnet", f"private{subnet['suffix']}", str(environment), str(prefix))
        return plan
    except (ValueError, NamingError) as error:
        raise AnsibleFilterError(f"corp.infra.subnet_plan: {error}") from None


def network_drift(state, desired):
    try:
        # Plain JSON values, as the modules get them: amazon.aws's compare_policies cannot sort Ansible's
        # tagged strings next to tuples.
        return drift(json.loads(json.dumps(state)), json.loads(json.dumps(desired)))
    except (KeyError, TypeError) as error:
        raise AnsibleFilterError(f"corp.infra.network_drift: incomplete input ({error!r})") from None


class FilterModule:
    def filters(self):
        return {"subnet_plan": subnet_plan, "network_drift": network_drift}
