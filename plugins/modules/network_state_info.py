#!/usr/bin/python
# Copyright: corp.infra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: network_state_info
short_description: Read everything the network role manages, in one process
version_added: 1.0.0
description:
  - Reads, for one VPC found by its C(Name) tag and CIDR, the region's availability zones, the VPC and its DNS
    attributes, its subnets, the route tables carrying a given C(Name), its security groups of given names, its
    flow logs and gateway endpoints, and, outside the VPC, a CloudWatch Logs group and an IAM role with one inline
    policy.
  - The network role reads the live network with it once, compares it with what it asks for (the filter
    R(corp.infra.network_drift,ansible_collections.corp.infra.network_drift_filter)), and calls the
    amazon.aws module of a resource only when that resource differs. Each amazon.aws module call is a process
    that loads boto3 and the service model, about half a second whatever it does; a converged network needs
    none of them.
  - The VPC's contents are read only when exactly one VPC has the name and CIDR.
  - Every value is as the AWS API returns it (boto3's field names), except the availability zones, which are
    in M(amazon.aws.aws_az_info)'s form.
author:
  - Corp Platform Team (@corp-platform)
options:
  vpc_name:
    description: The VPC's C(Name) tag.
    type: str
    required: true
  vpc_cidr:
    description: The VPC's primary CIDR block; M(amazon.aws.ec2_vpc_net) identifies a VPC by name and CIDR.
    type: str
    required: true
  route_table_name:
    description: The C(Name) tag of the route tables to read.
    type: str
    required: true
  security_group_names:
    description: The names of the VPC's security groups to read.
    type: list
    elements: str
    default: []
  log_group_name:
    description: A CloudWatch Logs group to read, with its tags.
    type: str
  role_name:
    description: An IAM role to read, with its tags.
    type: str
  role_policy_name:
    description: The name of an inline policy of O(role_name) to read.
    type: str
  nacl_name:
    description: The C(Name) tag of a network ACL of the VPC to read.
    type: str
  prefix_list_services:
    description:
      - Services (C(s3), C(dynamodb)) whose AWS-managed prefix list C(com.amazonaws.<region>.<service>) to read, with
        its CIDRs (DescribeManagedPrefixLists, GetManagedPrefixListEntries).
    type: list
    elements: str
    default: []
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - corp.infra.read_only
attributes:
  platform:
    support: full
    platforms: aws
    description: Talks to EC2, CloudWatch Logs and IAM.
notes:
  - "IAM actions: C(ec2:DescribeAvailabilityZones), C(ec2:DescribeVpcs), C(ec2:DescribeVpcAttribute), C(ec2:DescribeSubnets),
    C(ec2:DescribeFlowLogs), C(ec2:DescribeVpcEndpoints), C(ec2:DescribeRouteTables), C(ec2:DescribeSecurityGroups),
    C(ec2:DescribeNetworkAcls), C(ec2:DescribeManagedPrefixLists), C(ec2:GetManagedPrefixListEntries),
    C(logs:DescribeLogGroups), C(logs:ListTagsLogGroup), C(iam:GetRole), C(iam:GetRolePolicy)."
"""

EXAMPLES = r"""
- name: Read the live network once
  corp.infra.network_state_info:
    vpc_name: corp-vpc-main-prod
    vpc_cidr: 10.20.0.0/16
    route_table_name: corp-vpc-private-prod
    security_group_names: [default, corp-sg-database-prod]
    log_group_name: corp-vpc-flowlogs-prod
    role_name: corp-iam-flowlogs-prod
    role_policy_name: flow-log-delivery
    nacl_name: corp-vpc-private-prod
    prefix_list_services: [s3, dynamodb]
  register: network_state
"""

RETURN = r"""
availability_zones:
  description: The region's availability zones, as M(amazon.aws.aws_az_info) returns them.
  returned: always
  type: list
  elements: dict
  sample: [{"zone_name": "eu-west-1a", "zone_id": "euw1-az1", "zone_type": "availability-zone", "state": "available"}]
vpcs:
  description:
    - The VPCs with that name and CIDR (DescribeVpcs), each with C(EnableDnsSupport) and C(EnableDnsHostnames)
      added (DescribeVpcAttribute). More than one is an error M(amazon.aws.ec2_vpc_net) reports.
  returned: always
  type: list
  elements: dict
subnets:
  description: The VPC's subnets (DescribeSubnets); empty unless exactly one VPC matched.
  returned: always
  type: list
  elements: dict
route_tables:
  description: The VPC's route tables with the C(Name) tag O(route_table_name) (DescribeRouteTables).
  returned: always
  type: list
  elements: dict
security_groups:
  description: The VPC's security groups named in O(security_group_names) (DescribeSecurityGroups).
  returned: always
  type: list
  elements: dict
flow_logs:
  description: The flow logs of the VPC (DescribeFlowLogs).
  returned: always
  type: list
  elements: dict
vpc_endpoints:
  description: The VPC's endpoints that are not deleted or failed (DescribeVpcEndpoints).
  returned: always
  type: list
  elements: dict
log_group:
  description: The log group (DescribeLogGroups) with its C(tags) (ListTagsLogGroup); empty when it does not exist.
  returned: always
  type: dict
network_acls:
  description: The VPC's network ACLs with the C(Name) tag O(nacl_name) (DescribeNetworkAcls).
  returned: always
  type: list
  elements: dict
prefix_lists:
  description: Service -> the sorted CIDRs of its AWS-managed prefix list, for each of O(prefix_list_services).
  returned: always
  type: dict
  sample: {"s3": ["3.5.0.0/19", "52.216.0.0/15"]}
role:
  description: The role (GetRole), its trust policy decoded; empty when it does not exist.
  returned: always
  type: dict
role_policy:
  description: The inline policy's document (GetRolePolicy); empty when the role or the policy does not exist.
  returned: always
  type: dict
"""

from functools import partial

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.corp.infra.plugins.module_utils.reads import all_pages
from ansible_collections.corp.infra.plugins.module_utils.reads import concurrently
from ansible_collections.corp.infra.plugins.module_utils.reads import run_reader

ARGUMENT_SPEC = dict(
    vpc_name=dict(type="str", required=True),
    vpc_cidr=dict(type="str", required=True),
    route_table_name=dict(type="str", required=True),
    security_group_names=dict(type="list", elements="str", default=[]),
    log_group_name=dict(type="str"),
    role_name=dict(type="str"),
    role_policy_name=dict(type="str"),
    nacl_name=dict(type="str"),
    prefix_list_services=dict(type="list", elements="str", default=[]),
)
FAILURE = "Failed to read the network {vpc_name}"


def read_vpc(ec2, params, vpc_id):
    """The VPC's contents, each a DescribeX call filtered on the VPC, sent side by side."""
    by_vpc = [{"Name": "vpc-id", "Values": [vpc_id]}]

    def named(operation, key, tag_filter):
        return partial(all_pages, ec2, operation, key, Filters=[*by_vpc, tag_filter])

    calls = {
        "subnets": partial(all_pages, ec2, "describe_subnets", "Subnets", Filters=by_vpc),
        "flow_logs": partial(all_pages, ec2, "describe_flow_logs", "FlowLogs", Filters=[{"Name": "resource-id", "Values": [vpc_id]}]),
        "vpc_endpoints": partial(all_pages, ec2, "describe_vpc_endpoints", "VpcEndpoints", Filters=by_vpc),
        "route_tables": named("describe_route_tables", "RouteTables", {"Name": "tag:Name", "Values": [params["route_table_name"]]}),
    }
    if params.get("nacl_name"):
        calls["network_acls"] = named("describe_network_acls", "NetworkAcls", {"Name": "tag:Name", "Values": [params["nacl_name"]]})
    if params["security_group_names"]:
        calls["security_groups"] = named("describe_security_groups", "SecurityGroups", {"Name": "group-name", "Values": params["security_group_names"]})
    found = concurrently(calls)
    found["vpc_endpoints"] = [e for e in found["vpc_endpoints"] if e.get("State", "").lower() not in ("deleted", "deleting", "failed", "rejected", "expired")]
    return found


def read_prefix_lists(ec2, services):
    """Service -> the CIDRs of its AWS-managed prefix list (com.amazonaws.<region>.<service>), sorted."""
    if not services:
        return {}
    region = ec2.meta.region_name
    names = {f"com.amazonaws.{region}.{service}": service for service in services}
    prefix_lists = all_pages(ec2, "describe_managed_prefix_lists", "PrefixLists", Filters=[{"Name": "prefix-list-name", "Values": sorted(names)}])
    entries = concurrently(
        {
            names[found["PrefixListName"]]: partial(all_pages, ec2, "get_managed_prefix_list_entries", "Entries", PrefixListId=found["PrefixListId"])
            for found in prefix_lists
        }
    )
    return {service: sorted(entry["Cidr"] for entry in found) for service, found in entries.items()}


def read_vpcs(ec2, params):
    """The VPCs of the stack's name and CIDR, each with its two DNS attributes (DescribeVpcAttribute)."""
    named = [{"Name": "tag:Name", "Values": [params["vpc_name"]]}, {"Name": "cidr-block", "Values": [params["vpc_cidr"]]}]
    vpcs = all_pages(ec2, "describe_vpcs", "Vpcs", Filters=named)
    attributes = (("enableDnsSupport", "EnableDnsSupport"), ("enableDnsHostnames", "EnableDnsHostnames"))
    found = concurrently(
        {
            (index, field): partial(ec2.describe_vpc_attribute, aws_retry=True, VpcId=vpc["VpcId"], Attribute=attribute)
            for index, vpc in enumerate(vpcs)
            for attribute, field in attributes
        }
    )
    for (index, field), answer in found.items():
        vpcs[index][field] = answer[field]["Value"]
    return vpcs


def read_network(params, ec2, other_reads):
    """The network, and ``other_reads`` (key -> call) beside it: the zones, the prefix lists, the VPCs and the other
    reads side by side, then what is in the VPC when there is exactly one."""
    found = concurrently(
        {
            "availability_zones": partial(ec2.describe_availability_zones, aws_retry=True),
            "prefix_lists": partial(read_prefix_lists, ec2, params.get("prefix_list_services") or []),
            "vpcs": partial(read_vpcs, ec2, params),
            **other_reads,
        }
    )
    state = {
        "subnets": [],
        "route_tables": [],
        "security_groups": [],
        "flow_logs": [],
        "vpc_endpoints": [],
        "network_acls": [],
        **found,
        "availability_zones": [camel_dict_to_snake_dict(zone) for zone in found["availability_zones"]["AvailabilityZones"]],
    }
    if len(state["vpcs"]) == 1:
        state.update(read_vpc(ec2, params, state["vpcs"][0]["VpcId"]))
    return state


def read_log_group(logs, name):
    groups = all_pages(logs, "describe_log_groups", "logGroups", logGroupNamePrefix=name)
    group = next((g for g in groups if g["logGroupName"] == name), None)
    if group is None:
        return {}
    group["tags"] = logs.list_tags_log_group(aws_retry=True, logGroupName=name).get("tags", {})
    return group


def read_role(iam, name, policy_name):
    try:
        role = iam.get_role(aws_retry=True, RoleName=name)["Role"]
    except is_boto3_error_code("NoSuchEntity"):
        return {}, {}
    if not policy_name:
        return role, {}
    try:
        policy = iam.get_role_policy(aws_retry=True, RoleName=name, PolicyName=policy_name)["PolicyDocument"]
    except is_boto3_error_code("NoSuchEntity"):
        policy = {}
    return role, policy


def read(params, aws):
    retry = AWSRetry.jittered_backoff()
    ec2 = aws.client("ec2", retry_decorator=retry)
    other_reads = {"log_group": dict, "role": tuple}
    if params["log_group_name"]:
        other_reads["log_group"] = partial(read_log_group, aws.client("logs", retry_decorator=retry), params["log_group_name"])
    if params["role_name"]:
        other_reads["role"] = partial(read_role, aws.client("iam", retry_decorator=retry), params["role_name"], params["role_policy_name"])
    state = read_network(params, ec2, other_reads)
    state["role"], state["role_policy"] = state["role"] or ({}, {})
    return state


def main():
    run_reader(ARGUMENT_SPEC, read, FAILURE)


if __name__ == "__main__":
    main()
