# Copyright: corp.infra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which of the network role's resources differ from what it asks for, from one read of the live network.

Plain values in, plain values out (unit tested without AWS). ``state`` is corp.infra.network_state_info's
result; ``desired`` is the role's ``__network_desired``, built from the same variables its module tasks get.

The answer only decides whether the role calls a resource's amazon.aws module; that module stays the judge of
what to change. So every test here is stricter than the module's own: a resource is in sync only when each
setting the role passes equals the live value exactly (tags included, as the modules purge tags). Whatever this
cannot judge with certainty counts as different, which costs one module call that then reports ok. The reverse,
calling in sync what the module would change, would hide drift; tests/unit/plugins/module_utils/test_network_state.py
flips each setting one at a time to show it does not.
"""

from __future__ import annotations

import json
from typing import Any
from typing import Callable

from ansible_collections.amazon.aws.plugins.module_utils.policy import compare_policies
from ansible_collections.corp.infra.plugins.module_utils.flow_logs import IMMUTABLE_FIELDS
from ansible_collections.corp.infra.plugins.module_utils.flow_logs import find_flow_log
from ansible_collections.corp.infra.plugins.module_utils.flow_logs import immutable_differences
from ansible_collections.corp.infra.plugins.module_utils.iam_state import inline_policy_differs
from ansible_collections.corp.infra.plugins.module_utils.iam_state import role_differs
from ansible_collections.corp.infra.plugins.module_utils.network import live_nacl_entries
from ansible_collections.corp.infra.plugins.module_utils.network import nacl_entries
from ansible_collections.corp.infra.plugins.module_utils.settings import row_reasons
from ansible_collections.corp.infra.plugins.module_utils.settings import tags_row_differs

# What amazon.aws.ec2_security_group calls all protocols.
_ALL_PROTOCOLS = ("-1", "all", -1)


def tags_of(resource: dict[str, Any]) -> dict[str, str]:
    """An EC2-style Tags list as a dict."""
    return {tag["Key"]: tag["Value"] for tag in resource.get("Tags") or []}


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def live_rules(permissions: list[dict[str, Any]]) -> set[tuple]:
    """IpPermissions flattened to one (protocol, from, to, kind, target, description) per grant."""
    rules = set()
    for permission in permissions:
        protocol = str(permission.get("IpProtocol"))
        ports = (None, None) if protocol == "-1" else (permission.get("FromPort"), permission.get("ToPort"))
        grants = [
            *(("cidr", r.get("CidrIp"), r.get("Description")) for r in permission.get("IpRanges") or []),
            *(("cidr6", r.get("CidrIpv6"), r.get("Description")) for r in permission.get("Ipv6Ranges") or []),
            *(("group", r.get("GroupId"), r.get("Description")) for r in permission.get("UserIdGroupPairs") or []),
            *(("prefix", r.get("PrefixListId"), r.get("Description")) for r in permission.get("PrefixListIds") or []),
        ]
        rules.update((protocol, *ports, *grant) for grant in grants)
    return rules


def _ports(rule: dict[str, Any]) -> list[tuple[int, int]] | None:
    ports = rule.get("ports")
    if ports is None and rule.get("from_port") is not None:
        return [(int(rule["from_port"]), int(rule.get("to_port", rule["from_port"])))]
    spans = []
    for port in _as_list(ports):
        text = str(port)
        low, _sep, high = text.partition("-")
        if not low.isdigit() or (high and not high.isdigit()):
            return None
        spans.append((int(low), int(high or low)))
    return spans or None


def wanted_rules(rules: list[dict[str, Any]]) -> set[tuple] | None:
    """amazon.aws.ec2_security_group rules flattened as live_rules does; None when a rule is not in a form
    this can judge (a port range of text, a group by name, a prefix list...), so the module decides."""
    flat = set()
    for rule in rules:
        if set(rule) - {"proto", "ports", "from_port", "to_port", "cidr_ip", "group_id", "rule_desc"}:
            return None
        protocol = rule.get("proto")
        description = rule.get("rule_desc")
        grants = [("cidr", cidr) for cidr in _as_list(rule.get("cidr_ip"))] + [("group", group) for group in _as_list(rule.get("group_id"))]
        if any(kind == "group" and not str(target).startswith("sg-") for kind, target in grants):
            return None
        if protocol in _ALL_PROTOCOLS:
            spans = [(None, None)]
            protocol = "-1"
        elif protocol in ("tcp", "udp"):
            spans = _ports(rule)
            if spans is None:
                return None
        else:
            return None
        flat.update((protocol, low, high, kind, target, description) for low, high in spans for kind, target in grants)
    return flat


def _flag_differs(option: str) -> Callable[[Any, dict[str, Any]], bool]:
    return lambda live, wanted: live is not bool(wanted[option])


def _equal(option: str) -> Callable[[Any, dict[str, Any]], bool]:
    return lambda live, wanted: live != wanted[option]


# Each resource's settings, one row each, as the other roles' tables (settings.row_reasons): the key in the
# role's __network_desired part (the module option's name unless the row says otherwise) -> (the option the role
# passes, the field of corp.infra.network_state_info's resource it is read from, None for the whole resource, and
# whether the live value differs). A row whose key the desired part leaves out, or gives empty, is not compared.
# test_network_state.py changes each setting alone and holds the role's module tasks to these tables.
Row = tuple[str, "str | None", Callable[[Any, dict[str, Any]], bool]]

# amazon.aws.ec2_vpc_net, found by name and CIDR; its tenancy is fixed at creation (the module cannot change it).
VPC_SETTINGS: dict[str, Row] = {
    "dns_support": ("dns_support", "EnableDnsSupport", _flag_differs("dns_support")),
    "dns_hostnames": ("dns_hostnames", "EnableDnsHostnames", _flag_differs("dns_hostnames")),
    "tags": ("tags", "Tags", tags_row_differs),
}

# amazon.aws.ec2_vpc_subnet, found by its CIDR; the tags are the part's tags with the subnet's Name.
SUBNET_SETTINGS: dict[str, Row] = {
    "az": ("az", "AvailabilityZone", _equal("az")),
    "map_public": ("map_public", "MapPublicIpOnLaunch", _flag_differs("map_public")),
    "assign_instances_ipv6": ("assign_instances_ipv6", "AssignIpv6AddressOnCreation", _flag_differs("assign_instances_ipv6")),
    "tags": ("tags", "Tags", tags_row_differs),
}


def _associations_differ(associations: list[dict[str, Any]] | None, wanted: dict[str, Any]) -> bool:
    associations = associations or []
    if any(a.get("Main") or not a.get("SubnetId") for a in associations):
        return True
    return sorted(a["SubnetId"] for a in associations) != sorted(wanted["subnets"]) or "" in wanted["subnets"]


def _routes_differ(routes: list[dict[str, Any]] | None, wanted: dict[str, Any]) -> bool:
    """Only "no routes but the local ones" is judged (with purge_routes the module removes the others); a gateway
    endpoint's routes belong to the endpoint."""
    if wanted["routes"]:
        return True
    for route in routes or []:
        local = route.get("GatewayId") == "local"
        endpoint = bool(route.get("DestinationPrefixListId")) and str(route.get("GatewayId", "")).startswith("vpce-")
        if not (local or endpoint):
            return True
    return False


# amazon.aws.ec2_vpc_route_table with purge_subnets and purge_routes, found by its tags (or the id read).
ROUTE_TABLE_SETTINGS: dict[str, Row] = {
    "tags": ("tags", "Tags", tags_row_differs),
    "subnets": ("subnets", "Associations", _associations_differ),
    "routes": ("routes", "Routes", _routes_differ),
}


def _rules_differ(direction: str) -> Callable[[Any, dict[str, Any]], bool]:
    def differs(permissions: Any, wanted: dict[str, Any]) -> bool:
        rules = wanted_rules(wanted[direction])
        return rules is None or rules != live_rules(permissions or [])

    return differs


# amazon.aws.ec2_security_group with purge_rules and purge_rules_egress, found by name in the VPC.
SECURITY_GROUP_SETTINGS: dict[str, Row] = {
    "description": ("description", "Description", _equal("description")),
    "tags": ("tags", "Tags", tags_row_differs),
    "ingress": ("rules", "IpPermissions", _rules_differ("ingress")),
    "egress": ("rules_egress", "IpPermissionsEgress", _rules_differ("egress")),
}

# amazon.aws.cloudwatchlogs_log_group, found by name. It sets a key only when it creates the group: the role refuses
# an existing group without it (the row makes the role look).
LOG_GROUP_SETTINGS: dict[str, Row] = {
    "retention": ("retention", "retentionInDays", _equal("retention")),
    "kms_key_id": ("kms_key_id", "kmsKeyId", _equal("kms_key_id")),
    "tags": ("tags", "tags", tags_row_differs),
}


def _fixed_at_creation(option: str) -> Callable[[Any, dict[str, Any]], bool]:
    # corp.infra.ec2_vpc_flow_log's own comparison: AWS has no ModifyFlowLog, so the module recreates the flow log.
    return lambda flow_log, wanted: option in immutable_differences({**wanted, "resource_id": flow_log.get("ResourceId")}, flow_log)


# corp.infra.ec2_vpc_flow_log, found by the VPC and its destination: every setting but the tags is fixed at creation.
FLOW_LOG_SETTINGS: dict[str, Row] = {
    **{option: (option, None, _fixed_at_creation(option)) for option in IMMUTABLE_FIELDS if option != "resource_id"},
    "tags": ("tags", "Tags", tags_row_differs),
}

# amazon.aws.ec2_vpc_endpoint, found by its service (a Gateway endpoint, available). It sets a policy only at
# creation: the policy is corp.infra.ec2_vpc_endpoint_policy's, ENDPOINT_POLICY_SETTINGS.
ENDPOINT_SETTINGS: dict[str, Row] = {
    "route_table_ids": ("route_table_ids", "RouteTableIds", _equal("route_table_ids")),
    "tags": ("tags", "Tags", tags_row_differs),
}


def _policy_differs(document: Any, wanted: dict[str, Any]) -> bool:
    document = json.loads(document) if isinstance(document, str) else document
    return bool(compare_policies(document or {}, wanted["policy"]))


ENDPOINT_POLICY_SETTINGS: dict[str, Row] = {
    "policy": ("policy", "PolicyDocument", _policy_differs),
}


def _entries_differ(egress: bool) -> Callable[[Any, dict[str, Any]], bool]:
    direction = "egress" if egress else "ingress"
    return lambda acl, wanted: live_nacl_entries(acl, egress) != nacl_entries(wanted[direction])


# amazon.aws.ec2_vpc_nacl (it replaces the rules and associations with exactly these, purge_tags), found by Name.
NACL_SETTINGS: dict[str, Row] = {
    "ingress": ("ingress", None, _entries_differ(False)),
    "egress": ("egress", None, _entries_differ(True)),
    "subnets": ("subnets", "Associations", lambda live, wanted: _associations_differ(live, wanted) or not all(wanted["subnets"])),
    "tags": ("tags", "Tags", tags_row_differs),
}


def _rows(settings: dict[str, Row], live: dict[str, Any], wanted: dict[str, Any], prefix: str = "") -> str | None:
    return ", ".join(prefix + reason for reason in row_reasons(settings, live, wanted)) or None


def _vpc(state: dict[str, Any], wanted: dict[str, Any]) -> str | None:
    vpcs = state.get("vpcs") or []
    if len(vpcs) != 1:
        return f"{len(vpcs)} VPCs named {wanted['name']} with CIDR {wanted['cidr_block']}"
    return _rows(VPC_SETTINGS, vpcs[0], wanted)


def _subnet_of(state: dict[str, Any], cidr: str) -> dict[str, Any] | None:
    found = [subnet for subnet in state.get("subnets") or [] if subnet.get("CidrBlock") == cidr]
    return found[0] if len(found) == 1 else None


def subnet_wanted(common: dict[str, Any], plan: dict[str, Any]) -> dict[str, Any]:
    """What the role passes ec2_vpc_subnet for one subnet of the plan."""
    return {**common, "az": plan["az"], "tags": {**common.get("tags", {}), "Name": plan["name"]}}


def _subnets(state: dict[str, Any], wanted: list[dict[str, Any]], common: dict[str, Any]) -> str | None:
    reasons = []
    for plan in wanted:
        subnet = _subnet_of(state, plan["cidr"])
        if subnet is None:
            return f"no subnet {plan['cidr']}"
        # ec2_vpc_subnet without ipv6_cidr (the role passes none) disassociates any IPv6 block.
        if any(block.get("Ipv6CidrBlockState", {}).get("State") != "disassociated" for block in subnet.get("Ipv6CidrBlockAssociationSet") or []):
            reasons.append(f"{plan['cidr']} ipv6 block")
        reasons.extend(f"{plan['cidr']} {reason}" for reason in row_reasons(SUBNET_SETTINGS, subnet, subnet_wanted(common, plan)))
    return ", ".join(reasons) or None


def _route_table(state: dict[str, Any], wanted: dict[str, Any], subnet_ids: list[str]) -> str | None:
    tables = state.get("route_tables") or []
    if len(tables) != 1:
        return f"{len(tables)} route tables named {wanted['tags'].get('Name')}"
    # ec2_vpc_route_table leaves route propagation alone unless told: more than the role can judge.
    extra = ["propagating virtual private gateways"] if tables[0].get("PropagatingVgws") else []
    return ", ".join(extra + row_reasons(ROUTE_TABLE_SETTINGS, tables[0], {**wanted, "subnets": subnet_ids})) or None


def _security_group(state: dict[str, Any], wanted: dict[str, Any]) -> str | None:
    groups = [group for group in state.get("security_groups") or [] if group.get("GroupName") == wanted["name"]]
    if len(groups) != 1:
        return f"{len(groups)} security groups named {wanted['name']}"
    return _rows(SECURITY_GROUP_SETTINGS, groups[0], wanted)


def _log_group(state: dict[str, Any], wanted: dict[str, Any]) -> str | None:
    group = state.get("log_group") or {}
    return _rows(LOG_GROUP_SETTINGS, group, wanted) if group else "missing"


def _role(state: dict[str, Any], wanted: dict[str, Any]) -> str | None:
    return role_differs(state.get("role") or {}, wanted)


def _role_policy(state: dict[str, Any], wanted: dict[str, Any]) -> str | None:
    return inline_policy_differs(state.get("role_policy") or {}, wanted)


def _flow_log(state: dict[str, Any], wanted: dict[str, Any], vpc_id: str) -> str | None:
    flow_log = find_flow_log(state.get("flow_logs") or [], {**wanted, "resource_id": vpc_id})
    return "missing" if flow_log is None else _rows(FLOW_LOG_SETTINGS, flow_log, wanted)


def _endpoints(state: dict[str, Any], wanted: list[dict[str, Any]], route_table_id: str) -> tuple[str | None, list[str]]:
    ids, reasons = [], []
    for endpoint in wanted:
        found = [e for e in state.get("vpc_endpoints") or [] if e.get("ServiceName") == endpoint["service"]]
        if len(found) != 1:
            return f"{len(found)} endpoints for {endpoint['service']}", []
        live = found[0]
        if str(live.get("State", "")).lower() != "available" or live.get("VpcEndpointType") != "Gateway":
            return f"{endpoint['service']} is {live.get('State')} {live.get('VpcEndpointType')}", []
        reason = _rows(ENDPOINT_SETTINGS, live, {**endpoint, "route_table_ids": [route_table_id]}, f"{endpoint['service']} ")
        if reason:
            reasons.append(reason)
        ids.append(live["VpcEndpointId"])
    return ", ".join(reasons) or None, ([] if reasons else ids)


def _endpoint_policies(state: dict[str, Any], wanted: list[dict[str, Any]]) -> str | None:
    """Which gateway endpoints hold another policy than the stack's (AWS's default full access, say)."""
    differing = []
    for endpoint in wanted:
        for live in [e for e in state.get("vpc_endpoints") or [] if e.get("ServiceName") == endpoint["service"]]:
            differing.extend(f"{endpoint['service']} {reason}" for reason in row_reasons(ENDPOINT_POLICY_SETTINGS, live, endpoint))
    return ", ".join(differing) or None


def _nacl(state: dict[str, Any], wanted: dict[str, Any], subnet_ids: list[str]) -> str | None:
    """ec2_vpc_nacl: one ACL of that name, exactly these rules each way, these subnets, these tags."""
    acls = [a for a in state.get("network_acls") or [] if tags_of(a).get("Name") == wanted["name"]]
    if len(acls) != 1:
        return "missing" if not acls else f"{len(acls)} network ACLs named {wanted['name']}"
    return _rows(NACL_SETTINGS, acls[0], {**wanted, "subnets": subnet_ids})


PARTS = (
    "vpc",
    "subnets",
    "route_table",
    "default_security_group",
    "db_security_group",
    "log_group",
    "role",
    "role_policy",
    "flow_log",
    "endpoints",
    "endpoint_policies",
    "nacl",
)


def network_drift(state: dict[str, Any], desired: dict[str, Any]) -> dict[str, Any]:
    """What differs, and the live ids the role's later tasks need when it skips a module.

    Returns ``differs`` (part -> short reason; the parts are PARTS, nacl only when ``desired`` has one) and the ids it found: ``vpc_id``,
    ``subnet_ids`` (in the order of ``desired['subnets']``), ``route_table_id``, ``default_security_group_id``,
    ``db_security_group_id``, ``flow_log_id``, ``endpoint_ids`` and ``nacl_id`` (empty strings or lists when unknown).
    """
    differs: dict[str, str] = {}
    vpcs = state.get("vpcs") or []
    vpc_id = vpcs[0]["VpcId"] if len(vpcs) == 1 else ""
    result: dict[str, Any] = {"vpc_id": vpc_id}

    def check(part: str, reason: str | None) -> None:
        if reason:
            differs[part] = reason

    check("vpc", _vpc(state, desired["vpc"]))
    check("subnets", _subnets(state, desired["subnets"], desired["subnet"]))
    subnets = [_subnet_of(state, plan["cidr"]) for plan in desired["subnets"]]
    result["subnet_ids"] = [subnet["SubnetId"] if subnet else "" for subnet in subnets]
    check("route_table", _route_table(state, desired["route_table"], result["subnet_ids"]))
    # The first, as the role looked it up before: with more than one, ec2_vpc_route_table is called to judge.
    tables = state.get("route_tables") or []
    result["route_table_id"] = tables[0]["RouteTableId"] if tables else ""
    for part in ("default_security_group", "db_security_group"):
        check(part, _security_group(state, desired[part]))
        group = [g for g in state.get("security_groups") or [] if g.get("GroupName") == desired[part]["name"]]
        result[f"{part}_id"] = group[0]["GroupId"] if len(group) == 1 else ""
    check("log_group", _log_group(state, desired["log_group"]))
    check("role", _role(state, desired["role"]))
    check("role_policy", _role_policy(state, desired["role_policy"]))
    check("flow_log", _flow_log(state, desired["flow_log"], vpc_id) if vpc_id else "no VPC")
    flow_log = find_flow_log(state.get("flow_logs") or [], {**desired["flow_log"], "resource_id": vpc_id}) if vpc_id else None
    result["flow_log_id"] = flow_log["FlowLogId"] if flow_log else ""
    reason, result["endpoint_ids"] = _endpoints(state, desired["endpoints"], result["route_table_id"])
    check("endpoints", reason)
    check("endpoint_policies", _endpoint_policies(state, desired["endpoints"]))
    if "nacl" in desired:
        check("nacl", _nacl(state, desired["nacl"], result["subnet_ids"]) if vpc_id else "no VPC")
        acls = [a for a in state.get("network_acls") or [] if tags_of(a).get("Name") == desired["nacl"]["name"]]
        result["nacl_id"] = acls[0]["NetworkAclId"] if len(acls) == 1 else ""
    result["differs"] = differs
    return result
