# Copyright: corp.infra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters the network role plans with: subnet_plan."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.corp.infra.plugins.module_utils.network import choose_zones
from ansible_collections.corp.infra.plugins.module_utils.network import plan_subnets
from ansible_collections.corp.infra.plugins.module_utils.network import subnet_cidrs


def subnet_plan(zones, region, vpc_cidr, count, cidrs=None, newbits=4):
    try:
        chosen = choose_zones(list(zones), int(count))
        wanted = list(cidrs) if cidrs else subnet_cidrs(str(vpc_cidr), len(chosen), int(newbits))
        if cidrs and len(wanted) > len(chosen):
            raise ValueError(f"{len(wanted)} subnet CIDRs but the region has only {len(chosen)} usable AZs")
        return plan_subnets(chosen, wanted[: len(chosen)], str(region))
    except ValueError as error:
        raise AnsibleFilterError(f"corp.infra.subnet_plan: {error}") from None


class FilterModule:
    def filters(self):
        return {"subnet_plan": subnet_plan}
