"""The network role on the emulator: check -> apply -> check -> apply, the live state through the API, drift on every
kind of resource repaired, then absent."""

import json

import pytest

from tests.policy.workloads import flow_log_failures

from .conftest import ansible_playbook
from .conftest import changed

ENVIRONMENT = "nettest"
pytestmark = pytest.mark.slow(90)  # seconds, about
PLAYBOOK = "tests/integration/playbooks/network.yml"
VPC_CIDR = "10.20.0.0/16"


def run(emulator, *extra):
    return ansible_playbook(emulator, PLAYBOOK, "-i", "inventories/local", "-e", f"corp_environment={ENVIRONMENT}", *extra, check=True)


def our_vpcs(ec2):
    filters = [{"Name": "tag:ManagedBy", "Values": ["corp.infra"]}, {"Name": "tag:Environment", "Values": [ENVIRONMENT]}]
    return ec2.describe_vpcs(Filters=filters)["Vpcs"]


def test_network_quartet_live_state_and_absent(emulator):
    ec2, iam, logs = emulator.client("ec2"), emulator.client("iam"), emulator.client("logs")
    # Something the role did not create, with the same Name: absent must leave it alone.
    bystander = ec2.create_vpc(CidrBlock="10.99.0.0/16")["Vpc"]["VpcId"]
    ec2.create_tags(Resources=[bystander], Tags=[{"Key": "Name", "Value": f"corp-vpc-main-{ENVIRONMENT}"}])

    first_check = run(emulator, "--check", "--diff")
    assert changed(first_check) > 0 and "a real run would also create 10.20.0.0/20 in us-east-1a" in first_check.stdout
    assert our_vpcs(ec2) == []
    # The flow log group is encrypted with the stack key, which the s3 role creates: without it the role stops
    # before it creates anything, in one line that says what to do.
    refused = ansible_playbook(emulator, PLAYBOOK, "-i", "inventories/local", "-e", f"corp_environment={ENVIRONMENT}")
    assert refused.returncode != 0 and our_vpcs(ec2) == []
    assert f"network_flow_logs_use_stack_key: the stack key alias/corp-kms-data-{ENVIRONMENT} does not exist in us-east-1" in refused.stdout
    kms = emulator.client("kms")
    key_arn = kms.create_key(Description="the s3 role's stack key, as it would be")["KeyMetadata"]["Arn"]
    kms.create_alias(AliasName=f"alias/corp-kms-data-{ENVIRONMENT}", TargetKeyId=key_arn)
    assert changed(run(emulator)) > 0
    assert changed(run(emulator, "--check", "--diff")) == 0
    assert changed(run(emulator)) == 0

    (vpc,) = our_vpcs(ec2)
    vpc_id = vpc["VpcId"]
    assert vpc["CidrBlock"] == VPC_CIDR
    assert ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute="enableDnsSupport")["EnableDnsSupport"]["Value"]
    assert ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute="enableDnsHostnames")["EnableDnsHostnames"]["Value"]

    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"]
    assert len(subnets) == 2 and len({s["AvailabilityZone"] for s in subnets}) == 2
    assert sorted(s["CidrBlock"] for s in subnets) == ["10.20.0.0/20", "10.20.16.0/20"]
    assert not any(s["MapPublicIpOnLaunch"] for s in subnets)

    assert ec2.describe_internet_gateways(Filters=[{"Name": "attachment.vpc-id", "Values": [vpc_id]}])["InternetGateways"] == []
    (route_table,) = ec2.describe_route_tables(
        Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "tag:Name", "Values": [f"corp-vpc-private-{ENVIRONMENT}"]}]
    )["RouteTables"]
    assert {a["SubnetId"] for a in route_table["Associations"] if a.get("SubnetId")} == {s["SubnetId"] for s in subnets}
    assert not any(r.get("GatewayId", "").startswith("igw-") or r.get("DestinationCidrBlock") == "0.0.0.0/0" for r in route_table["Routes"])

    groups = {g["GroupName"]: g for g in ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["SecurityGroups"]}
    assert groups["default"]["IpPermissions"] == [] and groups["default"]["IpPermissionsEgress"] == []
    database = groups[f"corp-sg-database-{ENVIRONMENT}"]
    assert [(p["IpProtocol"], p["FromPort"], p["ToPort"], [r["CidrIp"] for r in p["IpRanges"]]) for p in database["IpPermissions"]] == [
        ("tcp", 5433, 5433, [VPC_CIDR])
    ]
    assert [(p["IpProtocol"], [r["CidrIp"] for r in p["IpRanges"]]) for p in database["IpPermissionsEgress"]] == [("-1", [VPC_CIDR])]

    (flow_log,) = ec2.describe_flow_logs(Filters=[{"Name": "resource-id", "Values": [vpc_id]}])["FlowLogs"]
    assert flow_log["TrafficType"] == "ALL" and flow_log["FlowLogStatus"] == "ACTIVE"
    assert flow_log["LogGroupName"] == f"corp-vpc-flowlogs-{ENVIRONMENT}"
    assert flow_log["DeliverLogsPermissionArn"] == f"arn:aws:iam::123456789012:role/corp-iam-flowlogs-{ENVIRONMENT}"
    (group,) = logs.describe_log_groups(logGroupNamePrefix=f"corp-vpc-flowlogs-{ENVIRONMENT}")["logGroups"]
    assert group["retentionInDays"] == 90 and group["kmsKeyId"] == key_arn
    trust = iam.get_role(RoleName=f"corp-iam-flowlogs-{ENVIRONMENT}")["Role"]["AssumeRolePolicyDocument"]
    assert trust["Statement"][0]["Principal"] == {"Service": "vpc-flow-logs.amazonaws.com"}
    delivery = iam.get_role_policy(RoleName=f"corp-iam-flowlogs-{ENVIRONMENT}", PolicyName="flow-log-delivery")["PolicyDocument"]
    # What VPC Flow Logs sends to deliver, evaluated on the documents IAM stores (the emulator does not judge them).
    assert flow_log_failures(trust, delivery, environment=ENVIRONMENT, region="us-east-1") == []

    endpoints = ec2.describe_vpc_endpoints(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["VpcEndpoints"]
    assert sorted(e["ServiceName"] for e in endpoints) == ["com.amazonaws.us-east-1.dynamodb", "com.amazonaws.us-east-1.s3"]
    assert all(e["VpcEndpointType"] == "Gateway" and e["RouteTableIds"] == [route_table["RouteTableId"]] for e in endpoints)

    # The private subnets' network ACL: the VPC, and HTTPS to the CIDRs of the endpoints' prefix lists (as the
    # emulator's are), nothing from 0.0.0.0/0.
    (acl,) = ec2.describe_network_acls(Filters=[{"Name": "tag:Name", "Values": [f"corp-vpc-privateacl-{ENVIRONMENT}"]}])["NetworkAcls"]
    assert sorted(a["SubnetId"] for a in acl["Associations"]) == sorted(s["SubnetId"] for s in subnets)
    service_cidrs = set()
    for service in ("s3", "dynamodb"):
        (prefix_list,) = ec2.describe_managed_prefix_lists(Filters=[{"Name": "prefix-list-name", "Values": [f"com.amazonaws.us-east-1.{service}"]}])[
            "PrefixLists"
        ]
        service_cidrs |= {e["Cidr"] for e in ec2.get_managed_prefix_list_entries(PrefixListId=prefix_list["PrefixListId"])["Entries"]}
    entries = [e for e in acl["Entries"] if e["RuleNumber"] != 32767]
    assert {(e["Egress"], e["Protocol"], e["CidrBlock"]) for e in entries if e["RuleNumber"] == 100} == {(False, "-1", VPC_CIDR), (True, "-1", VPC_CIDR)}
    assert {e["CidrBlock"] for e in entries if not e["Egress"] and e["RuleNumber"] != 100} == service_cidrs
    assert {(e["Protocol"], e["PortRange"]["From"], e["PortRange"]["To"]) for e in entries if e["Egress"] and e["RuleNumber"] != 100} == {("6", 443, 443)}
    assert not [e for e in entries if e["CidrBlock"] == "0.0.0.0/0"]

    # Out-of-band drift on every kind of resource but the database group (test_stack_drift covers it). A run
    # reads the live network once and calls a resource's module only where it differs: no drift may hide behind
    # that. Check mode names exactly the eleven drifted resources, a run repairs those eleven, the next changes none.
    role = f"corp-iam-flowlogs-{ENVIRONMENT}"
    ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsHostnames={"Value": False})
    ec2.modify_subnet_attribute(SubnetId=subnets[0]["SubnetId"], MapPublicIpOnLaunch={"Value": True})
    gateway = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=vpc_id)
    ec2.create_route(RouteTableId=route_table["RouteTableId"], DestinationCidrBlock="0.0.0.0/0", GatewayId=gateway)
    ec2.authorize_security_group_egress(GroupId=groups["default"]["GroupId"], IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    logs.put_retention_policy(logGroupName=f"corp-vpc-flowlogs-{ENVIRONMENT}", retentionInDays=1)
    iam.update_role(RoleName=role, Description="edited by hand")
    iam.put_role_policy(
        RoleName=role,
        PolicyName="flow-log-delivery",
        PolicyDocument='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "logs:*", "Resource": "*"}]}',
    )
    ec2.delete_flow_logs(FlowLogIds=[flow_log["FlowLogId"]])
    s3_endpoint = next(e for e in endpoints if e["ServiceName"].endswith(".s3"))
    ec2.delete_tags(Resources=[s3_endpoint["VpcEndpointId"]], Tags=[{"Key": "Name"}])
    # The DynamoDB endpoint back to AWS's default: anything in the VPC may reach any table of any account.
    dynamodb_endpoint = next(e for e in endpoints if e["ServiceName"].endswith(".dynamodb"))
    stack_policy = dynamodb_endpoint["PolicyDocument"]
    full_access = '{"Version": "2008-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}'
    ec2.modify_vpc_endpoint(VpcEndpointId=dynamodb_endpoint["VpcEndpointId"], PolicyDocument=full_access)
    # SSH from anywhere on the private subnets (what Security Hub EC2.21 fails).
    ec2.create_network_acl_entry(
        NetworkAclId=acl["NetworkAclId"], RuleNumber=90, Protocol="6", RuleAction="allow", Egress=False, CidrBlock="0.0.0.0/0", PortRange={"From": 22, "To": 22}
    )

    def changed_tasks(result):
        lines = result.stdout.splitlines()
        return sorted(
            {
                next(t for t in reversed(lines[:i]) if t.startswith("TASK")).split(" : ")[1].rstrip(" *]")
                for i, line in enumerate(lines)
                if line.startswith("changed:")
            }
        )

    expected = [
        f"Create the VPC corp-vpc-main-{ENVIRONMENT}",
        f"Create the role that delivers flow logs, {role}",
        f"Create the flow log group corp-vpc-flowlogs-{ENVIRONMENT}",
        "Attach the gateway endpoints to the private route table",
        "Create one private subnet per AZ, without public IPs",
        "Limit what passes the gateway endpoints to the stack's bucket and table",
        "Create the private route table, with local routes only and no way to the internet",
        "Let the role write to the flow log group only",
        f"Log all the VPC's traffic to corp-vpc-flowlogs-{ENVIRONMENT}",
        "Strip every rule from the VPC's default security group",
        f"Put the private subnets behind their network ACL corp-vpc-privateacl-{ENVIRONMENT}",
    ]
    # amazon.aws.cloudwatchlogs_log_group would change the retention in check mode: the role reports it instead.
    predicted = [f"Report what a real run would change in the flow log group corp-vpc-flowlogs-{ENVIRONMENT}", *expected[:2], *expected[3:]]
    assert changed_tasks(run(emulator, "--check", "--diff")) == sorted(predicted)
    assert logs.describe_log_groups(logGroupNamePrefix=f"corp-vpc-flowlogs-{ENVIRONMENT}")["logGroups"][0]["retentionInDays"] == 1
    assert changed_tasks(run(emulator)) == sorted(expected)
    assert changed(run(emulator)) == 0
    assert ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute="enableDnsHostnames")["EnableDnsHostnames"]["Value"]
    assert not ec2.describe_subnets(SubnetIds=[subnets[0]["SubnetId"]])["Subnets"][0]["MapPublicIpOnLaunch"]
    routes = ec2.describe_route_tables(RouteTableIds=[route_table["RouteTableId"]])["RouteTables"][0]["Routes"]
    assert not [r for r in routes if r.get("DestinationCidrBlock") == "0.0.0.0/0"]
    assert ec2.describe_security_groups(GroupIds=[groups["default"]["GroupId"]])["SecurityGroups"][0]["IpPermissionsEgress"] == []
    assert logs.describe_log_groups(logGroupNamePrefix=f"corp-vpc-flowlogs-{ENVIRONMENT}")["logGroups"][0]["retentionInDays"] == 90
    assert iam.get_role(RoleName=role)["Role"]["Description"] == f"Lets VPC Flow Logs write to corp-vpc-flowlogs-{ENVIRONMENT}"
    assert iam.get_role_policy(RoleName=role, PolicyName="flow-log-delivery")["PolicyDocument"] == delivery
    assert len(ec2.describe_flow_logs(Filters=[{"Name": "resource-id", "Values": [vpc_id]}])["FlowLogs"]) == 1
    tags = ec2.describe_vpc_endpoints(VpcEndpointIds=[s3_endpoint["VpcEndpointId"]])["VpcEndpoints"][0]["Tags"]
    assert {"Key": "Name", "Value": f"corp-vpc-s3endpoint-{ENVIRONMENT}"} in tags
    repaired = ec2.describe_vpc_endpoints(VpcEndpointIds=[dynamodb_endpoint["VpcEndpointId"]])["VpcEndpoints"][0]["PolicyDocument"]
    assert json.loads(repaired) == json.loads(stack_policy) and "StackTablesFromThisAccount" in repaired
    acl_entries = ec2.describe_network_acls(NetworkAclIds=[acl["NetworkAclId"]])["NetworkAcls"][0]["Entries"]
    assert not [e for e in acl_entries if e["RuleNumber"] == 90]
    ec2.detach_internet_gateway(InternetGatewayId=gateway, VpcId=vpc_id)
    ec2.delete_internet_gateway(InternetGatewayId=gateway)

    # absent: check, apply, apply again (a no-op); nothing of ours is left, the bystander is untouched.
    assert changed(run(emulator, "-e", "network_state=absent", "-e", f"corp_destroy_confirmation={ENVIRONMENT}", "--check")) > 0
    assert our_vpcs(ec2) != []
    assert changed(run(emulator, "-e", "network_state=absent", "-e", f"corp_destroy_confirmation={ENVIRONMENT}")) > 0
    assert changed(run(emulator, "-e", "network_state=absent", "-e", f"corp_destroy_confirmation={ENVIRONMENT}")) == 0
    assert our_vpcs(ec2) == []
    assert [v["VpcId"] for v in ec2.describe_vpcs(VpcIds=[bystander])["Vpcs"]] == [bystander]
    assert ec2.describe_flow_logs(Filters=[{"Name": "resource-id", "Values": [vpc_id]}])["FlowLogs"] == []
    live_endpoints = [e for e in ec2.describe_vpc_endpoints(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["VpcEndpoints"] if e["State"] != "deleted"]
    assert live_endpoints == []
    assert logs.describe_log_groups(logGroupNamePrefix=f"corp-vpc-flowlogs-{ENVIRONMENT}")["logGroups"] == []
    assert ec2.describe_network_acls(Filters=[{"Name": "tag:Name", "Values": [f"corp-vpc-privateacl-{ENVIRONMENT}"]}])["NetworkAcls"] == []
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_role(RoleName=f"corp-iam-flowlogs-{ENVIRONMENT}")
    ec2.delete_vpc(VpcId=bystander)
