# Copyright: corp.infra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Subnet and AZ planning for the network role: plain values in, plain values out."""

from __future__ import annotations

import ipaddress
from typing import Any


def subnet_cidrs(vpc_cidr: str, count: int, newbits: int = 4) -> list[str]:
    """The first ``count`` subnets of ``vpc_cidr``, each ``newbits`` longer (a /16 gives /20s)."""
    network = ipaddress.ip_network(vpc_cidr, strict=True)
    new_prefix = network.prefixlen + newbits
    if new_prefix > 28:
        raise ValueError(f"{vpc_cidr} split by {newbits} bits gives /{new_prefix}: AWS subnets are /28 at the smallest")
    available = 2**newbits
    if count > available:
        raise ValueError(f"{vpc_cidr} holds {available} subnets of /{new_prefix}, not {count}")
    subnets = network.subnets(new_prefix=new_prefix)
    return [str(subnet) for subnet, unused_index in zip(subnets, range(count))]


def choose_zones(zones: list[dict[str, Any]], count: int, minimum: int = 2) -> list[str]:
    """Pick ``count`` available AZs (fewer if the region has fewer, never below ``minimum``), in name order.

    ``zones`` is amazon.aws.aws_az_info's ``availability_zones``. Local and Wavelength zones are left out:
    RDS subnet groups and gateway endpoints need regular AZs.
    """
    if count < minimum:
        raise ValueError(f"count must be at least {minimum} AZs (got {count})")
    names = sorted(
        zone["zone_name"] for zone in zones if zone.get("state") == "available" and zone.get("zone_type", "availability-zone") == "availability-zone"
    )
    if len(names) < minimum:
        raise ValueError(f"the region has {len(names)} available AZ(s); the network needs at least {minimum}")
    return names[:count]


def zone_suffix(zone_name: str, region: str) -> str:
    """The part of an AZ name after its region, as a name token: ap-south-1a -> a."""
    suffix = zone_name[len(region) :] if zone_name.startswith(region) else zone_name
    token = "".join(ch for ch in suffix.lower() if ch.isalnum())
    if not token:
        raise ValueError(f"cannot name a subnet after AZ {zone_name!r} in {region}")
    return token


def plan_subnets(zones: list[str], cidrs: list[str], region: str) -> list[dict[str, str]]:
    """Pair AZs and CIDRs: one private subnet per AZ."""
    if len(zones) != len(cidrs):
        raise ValueError(f"{len(zones)} AZs but {len(cidrs)} subnet CIDRs: give one CIDR per AZ")
    return [{"az": zone, "cidr": cidr, "suffix": zone_suffix(zone, region)} for zone, cidr in zip(zones, cidrs)]


# A network ACL's rule quota per direction ("Amazon VPC quotas": rules per network ACL, 20 by default).
NACL_RULE_QUOTA = 20
# Return traffic reaches a client on an ephemeral port: 1024-65535 covers every OS's range ("Network ACLs",
# "Ephemeral ports").
EPHEMERAL_PORTS = (1024, 65535)


def private_nacl_rules(
    vpc_cidr: str, service_cidrs: dict[str, list[str]], rule_quota: int = NACL_RULE_QUOTA, services: list[str] | None = None
) -> dict[str, list[list[Any]]]:
    """The private subnets' network ACL, in amazon.aws.ec2_vpc_nacl's rule lists; everything else is denied.

    Inside the VPC everything flows (the security groups decide there). Beyond it only HTTPS to the CIDRs of the
    gateway endpoints' services (their AWS-managed prefix lists) and its return traffic: a network ACL cannot name
    a prefix list, and S3 and DynamoDB answer from those public ranges ("Gateway endpoints": "the network ACLs for
    the subnets must allow traffic to the service"). No rule admits 0.0.0.0/0 (Security Hub EC2.21 fails one that
    admits port 22 or 3389 from it).
    """
    missing = [service for service in services or [] if not service_cidrs.get(service)]
    if missing:
        raise ValueError(f"no AWS-managed prefix list with CIDRs for {', '.join(missing)} in this region: the network ACL would block its gateway endpoint")
    network = ipaddress.ip_network(vpc_cidr, strict=True)
    cidrs = sorted({str(ipaddress.ip_network(c, strict=True)) for cidr_list in service_cidrs.values() for c in cidr_list})
    if any(ipaddress.ip_network(c).prefixlen == 0 for c in cidrs):
        raise ValueError("a gateway endpoint service's prefix list holds 0.0.0.0/0, which the network ACL never admits")
    if 1 + len(cidrs) > rule_quota:
        raise ValueError(
            f"the gateway endpoints' prefix lists hold {len(cidrs)} CIDRs; with the VPC's rule that is more than the {rule_quota} rules a "
            "network ACL takes per direction (raise the quota and network_nacl_rule_quota, or drop an endpoint)"
        )
    ingress: list[list[Any]] = [[100, "all", "allow", str(network), None, None, None, None]]
    egress: list[list[Any]] = [[100, "all", "allow", str(network), None, None, None, None]]
    for number, cidr in enumerate(cidrs, start=1):
        ingress.append([100 + number * 10, "tcp", "allow", cidr, None, None, EPHEMERAL_PORTS[0], EPHEMERAL_PORTS[1]])
        egress.append([100 + number * 10, "tcp", "allow", cidr, None, None, 443, 443])
    return {"ingress": ingress, "egress": egress}


_NACL_PROTOCOLS = {"all": "-1", "-1": "-1", "tcp": "6", "udp": "17", "icmp": "1"}


def nacl_entries(rules: list[list[Any]]) -> set[tuple]:
    """ec2_vpc_nacl rule lists as (number, protocol number, action, cidr, from port, to port)."""
    entries = set()
    for rule in rules:
        number, protocol, action, cidr = rule[0], _NACL_PROTOCOLS.get(str(rule[1]), str(rule[1])), rule[2], rule[3]
        ports = (None, None) if protocol == "-1" else (rule[6], rule[7])
        entries.add((int(number), protocol, str(action), str(cidr), *ports))
    return entries


def live_nacl_entries(acl: dict[str, Any], egress: bool) -> set[tuple]:
    """DescribeNetworkAcls entries of one direction, in nacl_entries' shape, without AWS's own deny-all (32767)."""
    entries = set()
    for entry in acl.get("Entries") or []:
        if bool(entry.get("Egress")) != egress or entry.get("RuleNumber") == 32767:
            continue
        protocol = str(entry.get("Protocol"))
        ports = (None, None) if protocol == "-1" else ((entry.get("PortRange") or {}).get("From"), (entry.get("PortRange") or {}).get("To"))
        entries.add((int(entry["RuleNumber"]), protocol, str(entry.get("RuleAction")), str(entry.get("CidrBlock") or entry.get("Ipv6CidrBlock")), *ports))
    return entries
