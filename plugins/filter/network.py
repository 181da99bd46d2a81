# Copyright: corp.infra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters the network role plans and compares with: subnet_plan, gateway_endpoint_policy, private_nacl_rules, network_drift."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.corp.infra.plugins.module_utils.endpoint_policy import gateway_endpoint_policy as build_gateway_endpoint_policy
from ansible_collections.corp.infra.plugins.module_utils.kms_policy import PolicyError
from ansible_collections.corp.infra.plugins.module_utils.naming import NamingError
from ansible_collections.corp.infra.plugins.module_utils.naming import resource_name
from ansible_collections.corp.infra.plugins.module_utils.network import choose_zones
from ansible_collections.corp.infra.plugins.module_utils.network import plan_subnets
from ansible_collections.corp.infra.plugins.module_utils.network import private_nacl_rules as build_private_nacl_rules
from ansible_collections.corp.infra.plugins.module_utils.network import subnet_cidrs
from ansible_collections.corp.infra.plugins.module_utils.network_state import PARTS as NETWORK_PARTS
from ansible_collections.corp.infra.plugins.module_utils.network_state import network_drift
from ansible_collections.corp.infra.plugins.plugin_utils.drift_filter import drift_filter
from ansible_collections.corp.infra.plugins.plugin_utils.drift_filter import every_part
from ansible_collections.corp.infra.plugins.plugin_utils.drift_filter import plain


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


def gateway_endpoint_policy(service, account_id, partition="aws", region=None, bucket_names=None, table_names=None, extra_statements=None):
    try:
        return build_gateway_endpoint_policy(
            str(service),
            str(account_id),
            str(partition),
            str(region) if region else None,
            [str(n) for n in plain(bucket_names or [])],
            [str(n) for n in plain(table_names or [])],
            plain(extra_statements or []),
        )
    except PolicyError as error:
        raise AnsibleFilterError(f"corp.infra.gateway_endpoint_policy: {error}") from None


def private_nacl_rules(vpc_cidr, prefix_lists, rule_quota=20, services=None):
    try:
        return build_private_nacl_rules(
            str(vpc_cidr),
            {str(k): [str(c) for c in v] for k, v in plain(prefix_lists or {}).items()},
            int(rule_quota),
            [str(s) for s in plain(services or [])],
        )
    except ValueError as error:
        raise AnsibleFilterError(f"corp.infra.private_nacl_rules: {error}") from None


def every_network_part(found, desired):
    """The ids found, with every part of the network (the nacl when the role asks for one) in ``differs``."""
    parts = [part for part in NETWORK_PARTS if part != "nacl" or "nacl" in desired]
    return {**found, "differs": every_part(found["differs"], parts)}


class FilterModule:
    def filters(self):
        return {
            "subnet_plan": subnet_plan,
            "gateway_endpoint_policy": gateway_endpoint_policy,
            "private_nacl_rules": private_nacl_rules,
            "network_drift": drift_filter("network_drift", network_drift, every_network_part),
        }
