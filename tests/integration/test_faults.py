"""Faults: the stack converges from empty through a proxy that throttles a fifth of the AWS requests and plays AWS's
eventual consistency (every rule of corp_emulator/consistency.py), creates nothing twice, and reports nothing
misleading."""

import pytest

from .conftest import ansible_playbook
from .conftest import changed
from .conftest import fault_proxy
from .conftest import faults
from .conftest import states

ENVIRONMENT = "faulttest"
pytestmark = [pytest.mark.slow(220), pytest.mark.extras]  # seconds, about; a rehearsal: make test-extras
# The rules a converge from empty meets. The module that creates the thing uses it at once for the first four: they
# always refuse something. The last three are met only when the thing is used within the window: a later task uses
# the new role, and the table module reaches UpdateContinuousBackups after waiting for the table and a few reads, any
# of which may be throttled. That depends on the machine's speed, so the test also injects their errors (see below).
# The other rules (a key or bucket policy, a trust policy or AssumeRole naming a role created in the same run; the
# backup selection, requested long after its role) have no such consumer in the stack and must refuse nothing.
ALWAYS_MET = ("kms-key", "s3-bucket", "ec2-vpc", "ec2-subnet")
MET = (*ALWAYS_MET, "dynamodb-continuous-backups", "iam-role-flow-logs", "iam-role-rds-monitoring")
MONITORING = "IAM role ARN value is invalid or does not include the required permissions for: ENHANCED_MONITORING"


@pytest.fixture
def throttling_proxy(emulator):
    # Every request that uses something still propagating is refused (share 1) for as long as AWS's sources report.
    options = ("--throttle-rate", "0.2", "--seed", "11", "--consistency-scale", "1", "--consistency-share", "1")
    with fault_proxy(emulator, *options) as endpoint:
        yield endpoint


def test_the_stack_converges_through_throttling_and_eventual_consistency_without_duplicates(emulator, throttling_proxy):
    # A fifth of the requests throttled, and each new thing unknown to the requests that use it for a while: a new key
    # to KMS, a new VPC and subnet to EC2, a new role to EC2 flow logs and RDS monitoring, a new table's backups.
    # The stack converges from empty anyway, each error retried (propagation errors by code and message), nothing
    # twice. Whatever the timing, EC2 and RDS also refuse the new roles the first time or two, and DynamoDB the new
    # table's continuous backups once, as they do on AWS.
    flow_logs_role = "Unable to assume given IAM role: 'arn:aws:iam::123456789012:role/corp-iam-flowlogs-faulttest'"
    faults(throttling_proxy, "fail", action="CreateFlowLogs", code="InvalidParameter", message=flow_logs_role, times=1)
    faults(throttling_proxy, "fail", action="CreateDBInstance", code="InvalidParameterValue", message=MONITORING, times=2)
    backups = f"Backups are being enabled for the table: corp-dynamodb-main-{ENVIRONMENT}. Please retry later"
    faults(throttling_proxy, "fail", action="UpdateContinuousBackups", code="ContinuousBackupsUnavailableException", message=backups, times=1)

    def run():
        args = ["site.yml", "-i", "inventories/local", "-e", f"corp_environment={ENVIRONMENT}", "--tags", "network,s3,iam,rds,dynamodb"]
        return ansible_playbook(emulator, *args, check=True, endpoint=throttling_proxy)

    # And the new instance "creating" for its first two DescribeDBInstances answers, as AWS keeps it for minutes, the
    # new table CREATING for one DescribeTable: site.yml's wait at its end and the table module wait for them (the
    # emulator's asynchronous-state rehearsal).
    states(emulator, "POST", rds_describes=2, dynamodb_describes=1)
    try:
        first = run()
        answers = states(emulator, "GET")["answers"]
        assert answers.get("creating", 0) == 2 and answers.get("CREATING", 0) == 1
    finally:
        states(emulator, "DELETE")
    assert "TASK [corp.infra.rds : Wait for the instance to be available corp-rds-main-faulttest]" in first.stdout
    counts = faults(throttling_proxy)
    assert counts["throttled"] >= 0.15 * (counts["throttled"] + counts["forwarded"]) and counts["throttled"] >= 20
    assert counts["failed"] == 4 and counts["failing"] == []
    answered = {name for name, rule in counts["consistency"]["rules"].items() if rule["answered"]}
    assert set(ALWAYS_MET) <= answered <= set(MET), counts["consistency"]
    assert changed(first) > 0 and "Rate exceeded" not in first.stdout + first.stderr and "fatal" not in first.stdout
    assert changed(run()) == 0

    # Count through the emulator directly: one of everything.
    ec2, s3, kms, dynamodb, rds = (emulator.client(s) for s in ("ec2", "s3", "kms", "dynamodb", "rds"))
    owned = [{"Name": "tag:Environment", "Values": [ENVIRONMENT]}, {"Name": "tag:ManagedBy", "Values": ["corp.infra"]}]
    (vpc,) = ec2.describe_vpcs(Filters=owned)["Vpcs"]
    assert len(ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])["Subnets"]) == 2
    groups = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])["SecurityGroups"]
    assert sorted(g["GroupName"] for g in groups) == ["corp-sg-database-faulttest", "default"]
    assert len(ec2.describe_flow_logs(Filters=[{"Name": "resource-id", "Values": [vpc["VpcId"]]}])["FlowLogs"]) == 1
    assert len(ec2.describe_vpc_endpoints(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])["VpcEndpoints"]) == 2
    assert sorted(b["Name"] for b in s3.list_buckets()["Buckets"] if b["Name"].endswith(ENVIRONMENT)) == [
        "corp-s3-accesslogs-faulttest",
        "corp-s3-securedata-faulttest",
    ]
    stack_keys = [
        k["KeyId"]
        for k in kms.list_keys()["Keys"]
        if {"TagKey": "Environment", "TagValue": ENVIRONMENT} in kms.list_resource_tags(KeyId=k["KeyId"]).get("Tags", [])
    ]
    assert len(stack_keys) == 1
    assert [t for t in dynamodb.list_tables()["TableNames"] if t.endswith(ENVIRONMENT)] == ["corp-dynamodb-main-faulttest"]
    instances = rds.describe_db_instances(Filters=[{"Name": "db-instance-id", "Values": [f"corp-rds-main-{ENVIRONMENT}"]}])
    assert len(instances["DBInstances"]) == 1
