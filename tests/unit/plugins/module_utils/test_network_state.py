"""network_drift: a converged network is in sync, and each setting the role manages, changed alone, makes
exactly its resource differ (so the role calls that resource's module)."""

import copy
import json
from pathlib import Path

import pytest
import yaml

from ansible_collections.corp.infra.plugins.module_utils.endpoint_policy import gateway_endpoint_policy
from ansible_collections.corp.infra.plugins.module_utils.network_state import ENDPOINT_POLICY_SETTINGS
from ansible_collections.corp.infra.plugins.module_utils.network_state import ENDPOINT_SETTINGS
from ansible_collections.corp.infra.plugins.module_utils.network_state import FLOW_LOG_SETTINGS
from ansible_collections.corp.infra.plugins.module_utils.network_state import LOG_GROUP_SETTINGS
from ansible_collections.corp.infra.plugins.module_utils.network_state import NACL_SETTINGS
from ansible_collections.corp.infra.plugins.module_utils.network_state import PARTS
from ansible_collections.corp.infra.plugins.module_utils.network_state import ROUTE_TABLE_SETTINGS
from ansible_collections.corp.infra.plugins.module_utils.network_state import SECURITY_GROUP_SETTINGS
from ansible_collections.corp.infra.plugins.module_utils.network_state import SUBNET_SETTINGS
from ansible_collections.corp.infra.plugins.module_utils.network_state import VPC_SETTINGS
from ansible_collections.corp.infra.plugins.module_utils.network_state import live_rules
from ansible_collections.corp.infra.plugins.module_utils.network_state import network_drift
from ansible_collections.corp.infra.plugins.module_utils.network_state import wanted_rules

ROLE = Path(__file__).resolve().parents[4] / "roles" / "network"
TAGS = {"Environment": "prod", "ManagedBy": "corp.infra"}
ROLE_ARN = "arn:aws:iam::111122223333:role/corp-iam-flowlogs-prod"
TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "vpc-flow-logs.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}
DELIVERY = {
    "Version": "2012-10-17",
    "Statement": [{"Sid": "Deliver", "Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Resource": ["arn:aws:logs:x"]}],
}


def ec2_tags(tags):
    return [{"Key": k, "Value": v} for k, v in tags.items()]


ENDPOINT_POLICIES = {
    "s3": gateway_endpoint_policy("s3", "111122223333", "aws", "eu-west-1", bucket_names=["corp-s3-securedata-prod"]),
    "dynamodb": gateway_endpoint_policy("dynamodb", "111122223333", "aws", "eu-west-1", table_names=["corp-dynamodb-main-prod"]),
}
FULL_ACCESS = {"Version": "2008-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}

DESIRED = {
    "vpc": {
        "name": "corp-vpc-main-prod",
        "cidr_block": "10.0.0.0/16",
        "dns_support": True,
        "dns_hostnames": True,
        "tenancy": "default",
        "tags": {**TAGS, "Name": "corp-vpc-main-prod"},
    },
    "subnets": [
        {"az": "eu-west-1a", "cidr": "10.0.0.0/20", "suffix": "a", "name": "corp-subnet-privatea-prod"},
        {"az": "eu-west-1b", "cidr": "10.0.16.0/20", "suffix": "b", "name": "corp-subnet-privateb-prod"},
    ],
    "subnet": {"map_public": False, "assign_instances_ipv6": False, "tags": {**TAGS, "Tier": "private"}},
    "route_table": {"tags": {**TAGS, "Name": "corp-vpc-private-prod"}, "routes": []},
    "default_security_group": {"name": "default", "description": "default VPC security group", "ingress": [], "egress": []},
    "db_security_group": {
        "name": "corp-sg-database-prod",
        "description": "corp prod database: port 5432 from private networks only",
        "tags": {**TAGS, "Name": "corp-sg-database-prod"},
        "ingress": [{"proto": "tcp", "ports": [5432], "cidr_ip": ["10.0.0.0/16"], "rule_desc": "database clients on private networks"}],
        "egress": [{"proto": "all", "cidr_ip": "10.0.0.0/16", "rule_desc": "inside the VPC only"}],
    },
    "log_group": {"name": "corp-vpc-flowlogs-prod", "retention": 90, "kms_key_id": "", "tags": TAGS},
    "role": {"name": "corp-iam-flowlogs-prod", "description": "Lets VPC Flow Logs write", "trust_policy": TRUST, "tags": TAGS},
    "role_policy": {"name": "flow-log-delivery", "document": DELIVERY},
    "flow_log": {
        "traffic_type": "ALL",
        "log_group_name": "corp-vpc-flowlogs-prod",
        "deliver_logs_permission_arn": ROLE_ARN,
        "max_aggregation_interval": 60,
        "tags": {**TAGS, "Name": "corp-vpc-flowlogs-prod"},
    },
    "endpoints": [
        {"service": f"com.amazonaws.eu-west-1.{service}", "policy": ENDPOINT_POLICIES[service], "tags": {**TAGS, "Name": f"corp-vpc-{service}endpoint-prod"}}
        for service in ("s3", "dynamodb")
    ],
    "nacl": {
        "name": "corp-vpc-privateacl-prod",
        "ingress": [[100, "all", "allow", "10.0.0.0/16", None, None, None, None], [110, "tcp", "allow", "52.216.0.0/15", None, None, 1024, 65535]],
        "egress": [[100, "all", "allow", "10.0.0.0/16", None, None, None, None], [110, "tcp", "allow", "52.216.0.0/15", None, None, 443, 443]],
        "tags": {**TAGS, "Name": "corp-vpc-privateacl-prod"},
    },
}

CONVERGED = {
    "vpcs": [{"VpcId": "vpc-1", "EnableDnsSupport": True, "EnableDnsHostnames": True, "Tags": ec2_tags({**TAGS, "Name": "corp-vpc-main-prod"})}],
    "subnets": [
        {
            "SubnetId": f"subnet-{zone}",
            "CidrBlock": cidr,
            "AvailabilityZone": f"eu-west-1{zone}",
            "MapPublicIpOnLaunch": False,
            "AssignIpv6AddressOnCreation": False,
            "Ipv6CidrBlockAssociationSet": [],
            "Tags": ec2_tags({**TAGS, "Tier": "private", "Name": f"corp-subnet-private{zone}-prod"}),
        }
        for zone, cidr in (("b", "10.0.16.0/20"), ("a", "10.0.0.0/20"))
    ],
    "route_tables": [
        {
            "RouteTableId": "rtb-1",
            "Tags": ec2_tags({**TAGS, "Name": "corp-vpc-private-prod"}),
            "Associations": [{"SubnetId": "subnet-a", "Main": False}, {"SubnetId": "subnet-b", "Main": False}],
            "Routes": [
                {"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local", "Origin": "CreateRouteTable"},
                {"DestinationPrefixListId": "pl-1", "GatewayId": "vpce-1", "Origin": "CreateRoute"},
            ],
            "PropagatingVgws": [],
        }
    ],
    "security_groups": [
        {"GroupId": "sg-default", "GroupName": "default", "Description": "default VPC security group", "IpPermissions": [], "IpPermissionsEgress": []},
        {
            "GroupId": "sg-db",
            "GroupName": "corp-sg-database-prod",
            "Description": "corp prod database: port 5432 from private networks only",
            "Tags": ec2_tags({**TAGS, "Name": "corp-sg-database-prod"}),
            "IpPermissions": [
                {
                    "IpProtocol": "tcp",
                    "FromPort": 5432,
                    "ToPort": 5432,
                    "IpRanges": [{"CidrIp": "10.0.0.0/16", "Description": "database clients on private networks"}],
                }
            ],
            "IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "10.0.0.0/16", "Description": "inside the VPC only"}]}],
        },
    ],
    "log_group": {"logGroupName": "corp-vpc-flowlogs-prod", "retentionInDays": 90, "tags": TAGS},
    "role": {"RoleName": "corp-iam-flowlogs-prod", "Description": "Lets VPC Flow Logs write", "AssumeRolePolicyDocument": TRUST, "Tags": ec2_tags(TAGS)},
    "role_policy": DELIVERY,
    "flow_logs": [
        {
            "FlowLogId": "fl-1",
            "ResourceId": "vpc-1",
            "TrafficType": "ALL",
            "LogDestinationType": "cloud-watch-logs",
            "LogGroupName": "corp-vpc-flowlogs-prod",
            "DeliverLogsPermissionArn": ROLE_ARN,
            "MaxAggregationInterval": 60,
            "Tags": ec2_tags({**TAGS, "Name": "corp-vpc-flowlogs-prod"}),
        }
    ],
    "vpc_endpoints": [
        {
            "VpcEndpointId": f"vpce-{service}",
            "ServiceName": f"com.amazonaws.eu-west-1.{service}",
            "VpcEndpointType": "Gateway",
            "State": "available",
            "RouteTableIds": ["rtb-1"],
            "Tags": ec2_tags({**TAGS, "Name": f"corp-vpc-{service}endpoint-prod"}),
            # As DescribeVpcEndpoints returns it: a JSON string.
            "PolicyDocument": json.dumps(ENDPOINT_POLICIES[service]),
        }
        for service in ("dynamodb", "s3")
    ],
    # As DescribeNetworkAcls returns it: protocol numbers as strings, AWS's own deny-all rule 32767 each way.
    "network_acls": [
        {
            "NetworkAclId": "acl-1",
            "VpcId": "vpc-1",
            "IsDefault": False,
            "Tags": ec2_tags({**TAGS, "Name": "corp-vpc-privateacl-prod"}),
            "Associations": [{"SubnetId": "subnet-b"}, {"SubnetId": "subnet-a"}],
            "Entries": [
                {"RuleNumber": 100, "Protocol": "-1", "RuleAction": "allow", "Egress": False, "CidrBlock": "10.0.0.0/16"},
                {
                    "RuleNumber": 110,
                    "Protocol": "6",
                    "RuleAction": "allow",
                    "Egress": False,
                    "CidrBlock": "52.216.0.0/15",
                    "PortRange": {"From": 1024, "To": 65535},
                },
                {"RuleNumber": 32767, "Protocol": "-1", "RuleAction": "deny", "Egress": False, "CidrBlock": "0.0.0.0/0"},
                {"RuleNumber": 100, "Protocol": "-1", "RuleAction": "allow", "Egress": True, "CidrBlock": "10.0.0.0/16"},
                {
                    "RuleNumber": 110,
                    "Protocol": "6",
                    "RuleAction": "allow",
                    "Egress": True,
                    "CidrBlock": "52.216.0.0/15",
                    "PortRange": {"From": 443, "To": 443},
                },
                {"RuleNumber": 32767, "Protocol": "-1", "RuleAction": "deny", "Egress": True, "CidrBlock": "0.0.0.0/0"},
            ],
        }
    ],
}


def test_a_converged_network_is_in_sync_and_gives_every_id_in_the_role_order():
    drift = network_drift(copy.deepcopy(CONVERGED), DESIRED)
    assert drift["differs"] == {}
    assert drift["vpc_id"] == "vpc-1"
    assert drift["subnet_ids"] == ["subnet-a", "subnet-b"]
    assert drift["route_table_id"] == "rtb-1"
    assert (drift["default_security_group_id"], drift["db_security_group_id"]) == ("sg-default", "sg-db")
    assert drift["flow_log_id"] == "fl-1"
    assert drift["endpoint_ids"] == ["vpce-s3", "vpce-dynamodb"]
    assert drift["nacl_id"] == "acl-1"


def test_policy_documents_compare_as_amazon_aws_does_not_as_text():
    live = copy.deepcopy(CONVERGED)
    live["role_policy"] = {"Statement": [{**DELIVERY["Statement"][0], "Action": ["logs:PutLogEvents", "logs:CreateLogStream"]}], "Version": "2012-10-17"}
    assert network_drift(live, DESIRED)["differs"] == {}


def test_an_empty_account_differs_everywhere_with_no_ids():
    empty = {"vpcs": [], "log_group": {}, "role": {}, "role_policy": {}}
    drift = network_drift(empty, DESIRED)
    # Every part but the endpoint policies, which exist only on endpoints; PARTS is what corp_skip_unchanged=false
    # makes the role call, so it must name every part the comparison can report.
    assert set(drift["differs"]) == set(PARTS) - {"endpoint_policies"}
    assert (drift["vpc_id"], drift["subnet_ids"], drift["route_table_id"], drift["endpoint_ids"]) == ("", ["", ""], "", [])


def _set(path, value):
    def change(state):
        target = state
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


def _tag(path, key, value):
    def change(state):
        target = state
        for step in path:
            target = target[step]
        target["Tags"] = [t for t in target.get("Tags", []) if t["Key"] != key] + ([{"Key": key, "Value": value}] if value is not None else [])

    return change


DRIFTS = {
    "vpc tag removed": (_tag(("vpcs", 0), "Environment", None), "vpc"),
    "vpc tag added": (_tag(("vpcs", 0), "Owner", "someone"), "vpc"),
    "vpc DNS hostnames off": (_set(("vpcs", 0, "EnableDnsHostnames"), False), "vpc"),
    "second VPC with the name": (lambda s: s["vpcs"].append({**s["vpcs"][0], "VpcId": "vpc-2"}), "vpc"),
    "subnet maps public IPs": (_set(("subnets", 0, "MapPublicIpOnLaunch"), True), "subnets"),
    "subnet assigns IPv6": (_set(("subnets", 1, "AssignIpv6AddressOnCreation"), True), "subnets"),
    "subnet has an IPv6 block": (
        _set(("subnets", 0, "Ipv6CidrBlockAssociationSet"), [{"Ipv6CidrBlock": "2600::/64", "Ipv6CidrBlockState": {"State": "associated"}}]),
        "subnets",
    ),
    "subnet Name tag changed": (_tag(("subnets", 1), "Name", "other"), "subnets"),
    "subnet deleted": (lambda s: s["subnets"].pop(0), "subnets"),
    "route to the internet": (lambda s: s["route_tables"][0]["Routes"].append({"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "igw-1"}), "route_table"),
    "route to a NAT": (lambda s: s["route_tables"][0]["Routes"].append({"DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": "nat-1"}), "route_table"),
    "subnet moved to another table": (lambda s: s["route_tables"][0]["Associations"].pop(), "route_table"),
    "extra subnet associated": (lambda s: s["route_tables"][0]["Associations"].append({"SubnetId": "subnet-x", "Main": False}), "route_table"),
    "route table made main": (lambda s: s["route_tables"][0]["Associations"].append({"Main": True}), "route_table"),
    "route table tag changed": (_tag(("route_tables", 0), "Environment", "dev"), "route_table"),
    "two route tables with the name": (lambda s: s["route_tables"].append(copy.deepcopy(s["route_tables"][0])), "route_table"),
    "default group allows ingress": (
        _set(("security_groups", 0, "IpPermissions"), [{"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": "sg-default"}]}]),
        "default_security_group",
    ),
    "default group allows egress": (
        _set(("security_groups", 0, "IpPermissionsEgress"), [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]),
        "default_security_group",
    ),
    "database port opened to the world": (
        lambda s: s["security_groups"][1]["IpPermissions"][0]["IpRanges"].append({"CidrIp": "0.0.0.0/0"}),
        "db_security_group",
    ),
    "database rule description changed": (
        _set(("security_groups", 1, "IpPermissions", 0, "IpRanges", 0, "Description"), "edited"),
        "db_security_group",
    ),
    "database port changed": (_set(("security_groups", 1, "IpPermissions", 0, "ToPort"), 5433), "db_security_group"),
    "database egress opened": (
        _set(("security_groups", 1, "IpPermissionsEgress", 0, "IpRanges"), [{"CidrIp": "0.0.0.0/0", "Description": "inside the VPC only"}]),
        "db_security_group",
    ),
    "database group tag removed": (_tag(("security_groups", 1), "Name", None), "db_security_group"),
    "database group deleted": (lambda s: s["security_groups"].pop(1), "db_security_group"),
    "log retention changed": (_set(("log_group", "retentionInDays"), 1), "log_group"),
    "log retention removed": (lambda s: s["log_group"].pop("retentionInDays"), "log_group"),
    "log group tag added": (_set(("log_group", "tags"), {**TAGS, "Owner": "x"}), "log_group"),
    "log group deleted": (_set(("log_group",), {}), "log_group"),
    "role description changed": (_set(("role", "Description"), "edited"), "role"),
    "role trusts anyone": (_set(("role", "AssumeRolePolicyDocument"), {**TRUST, "Statement": [{**TRUST["Statement"][0], "Principal": {"AWS": "*"}}]}), "role"),
    "role tag removed": (_tag(("role",), "ManagedBy", None), "role"),
    "role deleted": (_set(("role",), {}), "role"),
    "delivery policy widened": (_set(("role_policy",), {**DELIVERY, "Statement": [{**DELIVERY["Statement"][0], "Resource": "*"}]}), "role_policy"),
    "delivery policy deleted": (_set(("role_policy",), {}), "role_policy"),
    "flow log of rejected traffic only": (_set(("flow_logs", 0, "TrafficType"), "REJECT"), "flow_log"),
    "flow log aggregates over 10 minutes": (_set(("flow_logs", 0, "MaxAggregationInterval"), 600), "flow_log"),
    "flow log delivered by another role": (_set(("flow_logs", 0, "DeliverLogsPermissionArn"), "arn:aws:iam::1:role/x"), "flow_log"),
    "flow log tag removed": (_tag(("flow_logs", 0), "Name", None), "flow_log"),
    "flow log deleted": (_set(("flow_logs",), []), "flow_log"),
    "endpoint on another table": (_set(("vpc_endpoints", 0, "RouteTableIds"), ["rtb-2"]), "endpoints"),
    "endpoint pending": (_set(("vpc_endpoints", 1, "State"), "pending"), "endpoints"),
    "endpoint tag changed": (_tag(("vpc_endpoints", 1), "Name", "x"), "endpoints"),
    "endpoint deleted": (lambda s: s["vpc_endpoints"].pop(0), "endpoints"),
    "endpoint policy back to AWS's full access": (_set(("vpc_endpoints", 1, "PolicyDocument"), json.dumps(FULL_ACCESS)), "endpoint_policies"),
    "endpoint policy without a document": (_set(("vpc_endpoints", 0, "PolicyDocument"), None), "endpoint_policies"),
    "network ACL admits the world": (
        lambda s: s["network_acls"][0]["Entries"].append(
            {"RuleNumber": 90, "Protocol": "6", "RuleAction": "allow", "Egress": False, "CidrBlock": "0.0.0.0/0", "PortRange": {"From": 22, "To": 22}}
        ),
        "nacl",
    ),
    "network ACL return ports narrowed": (_set(("network_acls", 0, "Entries", 1, "PortRange"), {"From": 1024, "To": 2048}), "nacl"),
    "network ACL egress rule removed": (lambda s: s["network_acls"][0]["Entries"].pop(4), "nacl"),
    "network ACL egress allows all": (_set(("network_acls", 0, "Entries", 3, "CidrBlock"), "0.0.0.0/0"), "nacl"),
    "subnet back on the default ACL": (lambda s: s["network_acls"][0]["Associations"].pop(), "nacl"),
    "network ACL tag changed": (_tag(("network_acls", 0), "Environment", "dev"), "nacl"),
    "network ACL deleted": (_set(("network_acls",), []), "nacl"),
}


@pytest.mark.parametrize("change, part", DRIFTS.values(), ids=DRIFTS.keys())
def test_one_changed_setting_makes_its_resource_differ(change, part):
    live = copy.deepcopy(CONVERGED)
    change(live)
    differs = network_drift(live, DESIRED)["differs"]
    assert part in differs
    if part not in ("subnets", "vpc"):  # a subnet or VPC change can also leave the route table's associations unknown
        assert set(differs) == {part}


def test_a_log_group_key_is_required_when_asked_for():
    desired = copy.deepcopy(DESIRED)
    desired["log_group"]["kms_key_id"] = "arn:aws:kms:eu-west-1:111122223333:key/1"
    assert network_drift(copy.deepcopy(CONVERGED), desired)["differs"] == {"log_group": "kms_key_id"}


def test_rules_flatten_to_one_grant_each_and_all_protocols_have_no_ports():
    assert live_rules(
        [{"IpProtocol": "-1", "FromPort": -1, "ToPort": -1, "IpRanges": [{"CidrIp": "10.0.0.0/16"}], "UserIdGroupPairs": [{"GroupId": "sg-1"}]}]
    ) == {
        ("-1", None, None, "cidr", "10.0.0.0/16", None),
        ("-1", None, None, "group", "sg-1", None),
    }
    assert wanted_rules([{"proto": "tcp", "ports": ["8000-8010", 22], "cidr_ip": "10.0.0.0/8", "group_id": ["sg-1"], "rule_desc": "d"}]) == {
        ("tcp", 8000, 8010, "cidr", "10.0.0.0/8", "d"),
        ("tcp", 8000, 8010, "group", "sg-1", "d"),
        ("tcp", 22, 22, "cidr", "10.0.0.0/8", "d"),
        ("tcp", 22, 22, "group", "sg-1", "d"),
    }


@pytest.mark.parametrize(
    "rule",
    [
        {"proto": "icmp", "from_port": 8, "to_port": -1, "cidr_ip": "10.0.0.0/8"},
        {"proto": "tcp", "ports": [5432], "group_name": "other"},
        {"proto": "tcp", "ports": [5432], "group_id": "123456789012/sg-1/other"},
        {"proto": "tcp", "ports": ["http"], "cidr_ip": "10.0.0.0/8"},
        {"proto": "tcp", "cidr_ip": "10.0.0.0/8"},
    ],
)
def test_rules_this_cannot_judge_leave_the_decision_to_the_module(rule):
    assert wanted_rules([rule]) is None


# Each network module task, its settings table, and where each row's value comes from: the part of
# __network_desired (or the loop item) by default, or the id the role read or created. What the task passes
# besides the rows is named here: how the module finds the resource, and how it applies a row (purge_*).
TASKS = {
    "amazon.aws.ec2_vpc_net": ("vpc.yml", VPC_SETTINGS, "vpc", {"name", "cidr_block", "tenancy"}, {}),
    "amazon.aws.ec2_vpc_subnet": ("subnets.yml", SUBNET_SETTINGS, "subnet", {"vpc_id", "cidr", "wait"}, {"az": "item.az"}),
    "amazon.aws.ec2_vpc_route_table": (
        "subnets.yml",
        ROUTE_TABLE_SETTINGS,
        "route_table",
        {"vpc_id", "lookup", "route_table_id", "purge_subnets", "purge_routes"},
        {"subnets": "__network_subnet_ids"},
    ),
    "amazon.aws.ec2_security_group": (
        "security_groups.yml",
        SECURITY_GROUP_SETTINGS,
        "db_security_group",
        {"name", "vpc_id", "purge_rules", "purge_rules_egress"},
        {},
    ),
    "amazon.aws.cloudwatchlogs_log_group": ("flow_logs.yml", LOG_GROUP_SETTINGS, "log_group", {"log_group_name", "state"}, {}),
    "corp.infra.ec2_vpc_flow_log": ("flow_logs.yml", FLOW_LOG_SETTINGS, "flow_log", {"resource_id"}, {}),
    "amazon.aws.ec2_vpc_endpoint": (
        "endpoints.yml",
        ENDPOINT_SETTINGS,
        "endpoints",
        # ec2_vpc_endpoint applies a policy at creation only: ENDPOINT_POLICY_SETTINGS is the next task's.
        {"vpc_id", "service", "vpc_endpoint_type", "policy", "wait", "state"},
        {"route_table_ids": "__network_route_table_id", "tags": "item.tags"},
    ),
    "corp.infra.ec2_vpc_endpoint_policy": ("endpoints.yml", ENDPOINT_POLICY_SETTINGS, "endpoints", {"vpc_endpoint_id"}, {"policy": "item.1.policy"}),
    "amazon.aws.ec2_vpc_nacl": ("nacl.yml", NACL_SETTINGS, "nacl", {"vpc_id", "name", "state", "purge_tags"}, {"subnets": "__network_subnet_ids"}),
}


@pytest.mark.parametrize("module", TASKS, ids=TASKS)
def test_each_network_task_passes_its_module_exactly_what_its_table_compares(module):
    path, settings, part, unjudged, sources = TASKS[module]
    tasks = [task for task in yaml.safe_load((ROLE / "tasks" / path).read_text()) if module in task]
    assert tasks
    desired = yaml.safe_load((ROLE / "vars" / "main.yml").read_text())["__network_desired"]
    for task in tasks:
        own = task_part(task, part)
        keys = set(desired[own]) if isinstance(desired[own], dict) else set(DESIRED[own][0])
        options = task[module]
        options_of_rows = {option for option, _field, _compare in settings.values()}
        assert set(options) - unjudged <= options_of_rows, set(options) - unjudged - options_of_rows
        for key, (option, _field, _compare) in settings.items():
            source = sources.get(key, f"__network_desired.{own}.{key}" if isinstance(desired[own], dict) else f"item.{key}")
            if key in keys or key in sources:
                assert source in str(options.get(option)), (module, option, options.get(option))
            else:
                # A row the role does not give is a setting the task must not pass either (the module's default).
                assert option not in options, (module, option)


def task_part(task, part):
    """The default security group's task takes its settings from its own part."""
    return "default_security_group" if "default" in str(task.get("name", "")).lower() and "security" in part else part


def test_every_desired_setting_has_a_row():
    desired = yaml.safe_load((ROLE / "vars" / "main.yml").read_text())["__network_desired"]
    identity = {"name", "cidr_block", "tenancy", "service"}
    for module, (_path, settings, part, _unjudged, _sources) in TASKS.items():
        keys = set(desired[part]) if isinstance(desired[part], dict) else set(DESIRED[part][0])
        if part == "endpoints":
            keys = {"policy"} if settings is ENDPOINT_POLICY_SETTINGS else keys - {"policy"}
        assert keys - identity <= set(settings), (module, keys - identity - set(settings))


TABLES = {
    "vpc": VPC_SETTINGS,
    "subnet": SUBNET_SETTINGS,
    "route_table": ROUTE_TABLE_SETTINGS,
    "security_group": SECURITY_GROUP_SETTINGS,
    "log_group": LOG_GROUP_SETTINGS,
    "flow_log": FLOW_LOG_SETTINGS,
    "endpoint": ENDPOINT_SETTINGS,
    "endpoint_policy": ENDPOINT_POLICY_SETTINGS,
    "nacl": NACL_SETTINGS,
}


# One out-of-band change per table row at least (each row changed alone is noticed by that row only).
ROW_CASES = {
    ("vpc", "dns_support"): "vpc DNS support off",
    ("vpc", "dns_hostnames"): "vpc DNS hostnames off",
    ("vpc", "tags"): "vpc tag added",
    ("subnet", "az"): "subnet in another AZ",
    ("subnet", "map_public"): "subnet maps public IPs",
    ("subnet", "assign_instances_ipv6"): "subnet assigns IPv6",
    ("subnet", "tags"): "subnet Name tag changed",
    ("route_table", "tags"): "route table tag changed",
    ("route_table", "subnets"): "subnet moved to another table",
    ("route_table", "routes"): "route to the internet",
    ("security_group", "description"): "database group description changed",
    ("security_group", "tags"): "database group tag removed",
    ("security_group", "ingress"): "database port opened to the world",
    ("security_group", "egress"): "database egress opened",
    ("log_group", "retention"): "log retention changed",
    ("log_group", "kms_key_id"): "log group key removed",
    ("log_group", "tags"): "log group tag added",
    ("flow_log", "traffic_type"): "flow log of rejected traffic only",
    ("flow_log", "max_aggregation_interval"): "flow log aggregates over 10 minutes",
    ("flow_log", "deliver_logs_permission_arn"): "flow log delivered by another role",
    ("flow_log", "tags"): "flow log tag removed",
    ("endpoint", "route_table_ids"): "endpoint on another table",
    ("endpoint", "tags"): "endpoint tag changed",
    ("endpoint_policy", "policy"): "endpoint policy back to AWS's full access",
    ("nacl", "ingress"): "network ACL admits the world",
    ("nacl", "egress"): "network ACL egress allows all",
    ("nacl", "subnets"): "subnet back on the default ACL",
    ("nacl", "tags"): "network ACL tag changed",
}
ROW_DRIFTS = {
    **DRIFTS,
    "vpc DNS support off": (_set(("vpcs", 0, "EnableDnsSupport"), False), "vpc"),
    "subnet in another AZ": (_set(("subnets", 0, "AvailabilityZone"), "eu-west-1c"), "subnets"),
    "database group description changed": (_set(("security_groups", 1, "Description"), "edited"), "db_security_group"),
    "log group key removed": (lambda s: s["log_group"].pop("kmsKeyId"), "log_group"),
}
KEYED = copy.deepcopy(DESIRED)
KEYED["log_group"]["kms_key_id"] = "arn:aws:kms:eu-west-1:111122223333:key/1"
KEYED_LIVE = copy.deepcopy(CONVERGED)
KEYED_LIVE["log_group"]["kmsKeyId"] = KEYED["log_group"]["kms_key_id"]


@pytest.mark.parametrize(("table", "key"), ROW_CASES, ids=ROW_CASES.values())
def test_each_row_changed_alone_is_that_rows_reason_only(table, key):
    change, part = ROW_DRIFTS[ROW_CASES[table, key]]
    assert network_drift(copy.deepcopy(KEYED_LIVE), KEYED)["differs"] == {}
    live = copy.deepcopy(KEYED_LIVE)
    change(live)
    reason = network_drift(live, KEYED)["differs"][part]
    # The reason is the row's key (for a subnet or endpoint, after its CIDR or service), and only that row's.
    assert reason.split(" ")[-1] == key and "," not in reason, reason


def test_every_row_has_an_out_of_band_case():
    missing = {(name, key) for name, table in TABLES.items() for key in table} - set(ROW_CASES)
    # The flow log rows the role does not give (it delivers to CloudWatch Logs in AWS's format) have nothing to change.
    assert missing == {("flow_log", "log_destination_type"), ("flow_log", "log_destination"), ("flow_log", "log_format"), ("flow_log", "log_group_name")}
