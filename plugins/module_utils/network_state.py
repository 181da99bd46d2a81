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

from ansible_collections.amazon.aws.plugins.module_utils.policy import compare_policies
from ansible_collections.corp.infra.plugins.module_utils.flow_logs import find_flow_log
from ansible_collections.corp.infra.plugins.module_utils.flow_logs import immutable_differences
from ansible_collections.corp.infra.plugins.module_utils.iam_state import role_differs
from ansible_collections.corp.infra.plugins.module_utils.network import live_nacl_entries
from ansible_collections.corp.infra.plugins.module_utils.network import nacl_entries

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


def _vpc(state: dict[str, Any], wanted: dict[str, Any]) -> str | None:
    vpcs = state.get("vpcs") or []
    if len(vpcs) != 1:
        return f"{len(vpcs)} VPCs named {wanted['name']} with CIDR {wanted['cidr_block']}"
    vpc = vpcs[0]
    if tags_of(vpc) != wanted["tags"]:
        return "tags"
    if vpc.get("EnableDnsSupport") is not True or vpc.get("EnableDnsHostnames") is not True:
        return "DNS support or hostnames off"
    return None


def _subnet_of(state: dict[str, Any], cidr: str) -> dict[str, Any] | None:
    found = [subnet for subnet in state.get("subnets") or [] if subnet.get("CidrBlock") == cidr]
    return found[0] if len(found) == 1 else None


def _subnets(state: dict[str, Any], wanted: list[dict[str, Any]], common_tags: dict[str, str]) -> str | None:
    for plan in wanted:
        subnet = _subnet_of(state, plan["cidr"])
        if subnet is None:
            return f"no subnet {plan['cidr']}"
        if subnet.get("AvailabilityZone") != plan["az"]:
            return f"{plan['cidr']} is in {subnet.get('AvailabilityZone')}"
        if subnet.get("MapPublicIpOnLaunch") is not False or subnet.get("AssignIpv6AddressOnCreation") is not False:
            return f"{plan['cidr']} maps public or IPv6 addresses"
        # ec2_vpc_subnet without ipv6_cidr disassociates any IPv6 block.
        if any(block.get("Ipv6CidrBlockState", {}).get("State") != "disassociated" for block in subnet.get("Ipv6CidrBlockAssociationSet") or []):
            return f"{plan['cidr']} has an IPv6 block"
        if tags_of(subnet) != {**common_tags, "Name": plan["name"]}:
            return f"{plan['cidr']} tags"
    return None


def _route_table(state: dict[str, Any], wanted: dict[str, Any], subnet_ids: list[str]) -> str | None:
    tables = state.get("route_tables") or []
    if len(tables) != 1:
        return f"{len(tables)} route tables named {wanted['tags'].get('Name')}"
    table = tables[0]
    if tags_of(table) != wanted["tags"]:
        return "tags"
    associations = table.get("Associations") or []
    if any(a.get("Main") or not a.get("SubnetId") for a in associations):
        return "a main or gateway association"
    if sorted(a["SubnetId"] for a in associations) != sorted(subnet_ids) or "" in subnet_ids:
        return "subnet associations"
    for route in table.get("Routes") or []:
        local = route.get("GatewayId") == "local"
        endpoint = bool(route.get("DestinationPrefixListId")) and str(route.get("GatewayId", "")).startswith("vpce-")
        if not (local or endpoint):
            return f"route to {route.get('DestinationCidrBlock') or route.get('DestinationIpv6CidrBlock') or route.get('DestinationPrefixListId')}"
    if table.get("PropagatingVgws"):
        return "propagating virtual private gateways"
    return None


def _security_group(state: dict[str, Any], wanted: dict[str, Any]) -> str | None:
    groups = [group for group in state.get("security_groups") or [] if group.get("GroupName") == wanted["name"]]
    if len(groups) != 1:
        return f"{len(groups)} security groups named {wanted['name']}"
    group = groups[0]
    if "description" in wanted and group.get("Description") != wanted["description"]:
        return "description"
    if "tags" in wanted and tags_of(group) != wanted["tags"]:
        return "tags"
    for direction, field in (("ingress", "IpPermissions"), ("egress", "IpPermissionsEgress")):
        rules = wanted_rules(wanted[direction])
        if rules is None or rules != live_rules(group.get(field) or []):
            return f"{direction} rules"
    return None


def _log_group(state: dict[str, Any], wanted: dict[str, Any]) -> str | None:
    group = state.get("log_group") or {}
    if not group:
        return "missing"
    if group.get("retentionInDays") != wanted["retention"]:
        return "retention"
    if (group.get("tags") or {}) != wanted["tags"]:
        return "tags"
    if wanted.get("kms_key_id") and group.get("kmsKeyId") != wanted["kms_key_id"]:
        return "key"
    return None


def _role(state: dict[str, Any], wanted: dict[str, Any]) -> str | None:
    return role_differs(state.get("role") or {}, wanted)


def _role_policy(state: dict[str, Any], wanted: dict[str, Any]) -> str | None:
    document = state.get("role_policy") or {}
    if not document:
        return "missing"
    if compare_policies(document, wanted["document"]):
        return "document"
    return None


def _flow_log(state: dict[str, Any], wanted: dict[str, Any], vpc_id: str) -> str | None:
    params = {**wanted, "resource_id": vpc_id}
    flow_log = find_flow_log(state.get("flow_logs") or [], params)
    if flow_log is None:
        return "missing"
    differences = immutable_differences({key: value for key, value in params.items() if key != "tags"}, flow_log)
    if differences:
        return ", ".join(sorted(differences))
    if tags_of(flow_log) != wanted["tags"]:
        return "tags"
    return None


def _endpoints(state: dict[str, Any], wanted: list[dict[str, Any]], route_table_id: str) -> tuple[str | None, list[str]]:
    ids = []
    for endpoint in wanted:
        found = [e for e in state.get("vpc_endpoints") or [] if e.get("ServiceName") == endpoint["service"]]
        if len(found) != 1:
            return f"{len(found)} endpoints for {endpoint['service']}", []
        live = found[0]
        if str(live.get("State", "")).lower() != "available" or live.get("VpcEndpointType") != "Gateway":
            return f"{endpoint['service']} is {live.get('State')} {live.get('VpcEndpointType')}", []
        if live.get("RouteTableIds") != [route_table_id]:
            return f"{endpoint['service']} route tables", []
        if tags_of(live) != endpoint["tags"]:
            return f"{endpoint['service']} tags", []
        ids.append(live["VpcEndpointId"])
    return None, ids


def _endpoint_policies(state: dict[str, Any], wanted: list[dict[str, Any]]) -> str | None:
    """Which gateway endpoints hold another policy than the stack's (AWS's default full access, say)."""
    differing = []
    for endpoint in wanted:
        for live in [e for e in state.get("vpc_endpoints") or [] if e.get("ServiceName") == endpoint["service"]]:
            document = live.get("PolicyDocument") or {}
            document = json.loads(document) if isinstance(document, str) else document
            if compare_policies(document, endpoint["policy"]):
                differing.append(endpoint["service"])
    return f"{', '.join(differing)} policy" if differing else None


def _nacl(state: dict[str, Any], wanted: dict[str, Any], subnet_ids: list[str]) -> str | None:
    """ec2_vpc_nacl: one ACL of that name, exactly these rules each way, these subnets, these tags."""
    acls = [a for a in state.get("network_acls") or [] if tags_of(a).get("Name") == wanted["name"]]
    if len(acls) != 1:
        return "missing" if not acls else f"{len(acls)} network ACLs named {wanted['name']}"
    acl = acls[0]
    for direction in ("ingress", "egress"):
        if live_nacl_entries(acl, direction == "egress") != nacl_entries(wanted[direction]):
            return f"{direction} rules"
    if sorted(a.get("SubnetId") for a in acl.get("Associations") or []) != sorted(subnet_ids) or not all(subnet_ids):
        return "subnets"
    if tags_of(acl) != wanted["tags"]:
        return "tags"
    return None


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
    check("subnets", _subnets(state, desired["subnets"], desired["subnet_tags"]))
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
