"""The network role on the emulator: check -> apply -> check -> apply, the live state through the API, then absent."""

import pytest

from .conftest import ansible_playbook
from .conftest import changed

ENVIRONMENT = "nettest"
pytestmark = pytest.mark.slow(70)  # seconds, about
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
        ("tcp", 5432, 5432, [VPC_CIDR])
    ]
    assert [(p["IpProtocol"], [r["CidrIp"] for r in p["IpRanges"]]) for p in database["IpPermissionsEgress"]] == [("-1", [VPC_CIDR])]

    (flow_log,) = ec2.describe_flow_logs(Filters=[{"Name": "resource-id", "Values": [vpc_id]}])["FlowLogs"]
    assert flow_log["TrafficType"] == "ALL" and flow_log["FlowLogStatus"] == "ACTIVE"
    assert flow_log["LogGroupName"] == f"corp-vpc-flowlogs-{ENVIRONMENT}"
    assert flow_log["DeliverLogsPermissionArn"] == f"arn:aws:iam::123456789012:role/corp-iam-flowlogs-{ENVIRONMENT}"
    (group,) = logs.describe_log_groups(logGroupNamePrefix=f"corp-vpc-flowlogs-{ENVIRONMENT}")["logGroups"]
    assert group["retentionInDays"] == 90
    trust = iam.get_role(RoleName=f"corp-iam-flowlogs-{ENVIRONMENT}")["Role"]["AssumeRolePolicyDocument"]
    assert trust["Statement"][0]["Principal"] == {"Service": "vpc-flow-logs.amazonaws.com"}
    delivery = iam.get_role_policy(RoleName=f"corp-iam-flowlogs-{ENVIRONMENT}", PolicyName="flow-log-delivery")["PolicyDocument"]
    group_arn = f"arn:aws:logs:us-east-1:123456789012:log-group:corp-vpc-flowlogs-{ENVIRONMENT}"
    assert delivery["Statement"][0]["Resource"] == [group_arn, f"{group_arn}:log-stream:*"]
    assert delivery["Statement"][1]["Action"] == ["logs:DescribeLogGroups"]
    assert delivery["Statement"][1]["Resource"] == ["arn:aws:logs:us-east-1:123456789012:log-group:*"]

    endpoints = ec2.describe_vpc_endpoints(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["VpcEndpoints"]
    assert sorted(e["ServiceName"] for e in endpoints) == ["com.amazonaws.us-east-1.dynamodb", "com.amazonaws.us-east-1.s3"]
    assert all(e["VpcEndpointType"] == "Gateway" and e["RouteTableIds"] == [route_table["RouteTableId"]] for e in endpoints)

    # absent: check, apply, apply again (a no-op); nothing of ours is left, the bystander is untouched.
    assert changed(run(emulator, "-e", "network_state=absent", "--check")) > 0
    assert our_vpcs(ec2) != []
    assert changed(run(emulator, "-e", "network_state=absent")) > 0
    assert changed(run(emulator, "-e", "network_state=absent")) == 0
    assert our_vpcs(ec2) == []
    assert [v["VpcId"] for v in ec2.describe_vpcs(VpcIds=[bystander])["Vpcs"]] == [bystander]
    assert ec2.describe_flow_logs(Filters=[{"Name": "resource-id", "Values": [vpc_id]}])["FlowLogs"] == []
    live_endpoints = [e for e in ec2.describe_vpc_endpoints(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["VpcEndpoints"] if e["State"] != "deleted"]
    assert live_endpoints == []
    assert logs.describe_log_groups(logGroupNamePrefix=f"corp-vpc-flowlogs-{ENVIRONMENT}")["logGroups"] == []
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_role(RoleName=f"corp-iam-flowlogs-{ENVIRONMENT}")
    ec2.delete_vpc(VpcId=bystander)
