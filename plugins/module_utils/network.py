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
