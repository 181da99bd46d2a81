"""The iam role on the emulator: policies IAM stores equal the modules' output, pass parliament, and go away."""

import json
import sys
from pathlib import Path

import pytest

from tests.policy.workloads import Stack
from tests.policy.workloads import backup_trust_failures
from tests.policy.workloads import read_backup_trust
from tests.policy.workloads import read_trusts
from tests.policy.workloads import trust_failures

from .conftest import ansible_playbook
from .conftest import changed

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / ".collections"))
from ansible_collections.corp.infra.plugins.module_utils.kms_policy import build_kms_policy
from ansible_collections.corp.infra.plugins.module_utils.tag_policy import build_tag_policy

ENVIRONMENT = "iamtest"
PLAYBOOK = "tests/integration/playbooks/iam.yml"


def test_iam_role_policies_match_the_modules_and_pass_parliament(emulator, tmp_path, parliament_findings):
    kms, iam = emulator.client("kms"), emulator.client("iam")
    key_arn = kms.create_key(Description="stack key for the iam test")["KeyMetadata"]["Arn"]
    kms.create_alias(AliasName=f"alias/corp-kms-data-{ENVIRONMENT}", TargetKeyId=key_arn)
    outputs_file = tmp_path / "iam.json"

    def run(*extra):
        return ansible_playbook(emulator, PLAYBOOK, "-i", "inventories/local", "-e", f"corp_environment={ENVIRONMENT}", *extra, check=True)

    assert changed(run("--check", "--diff")) > 0
    assert changed(run("-e", f"iam_outputs_file={outputs_file}")) > 0
    assert changed(run("--check", "--diff")) == 0
    assert changed(run()) == 0
    narrower = run("--check", "--diff", "-e", '{"iam_data_access_s3_levels": ["read", "list"]}')
    assert changed(narrower) > 0
    assert '-                "s3:PutObject"' in narrower.stdout  # the document diff shows the grant going away

    outputs = json.loads(outputs_file.read_text())
    policy_arn = f"arn:aws:iam::123456789012:policy/corp-iam-dataaccess-{ENVIRONMENT}"
    version = iam.get_policy(PolicyArn=policy_arn)["Policy"]["DefaultVersionId"]
    stored = iam.get_policy_version(PolicyArn=policy_arn, VersionId=version)["PolicyVersion"]["Document"]
    stored = json.loads(stored) if isinstance(stored, str) else stored
    assert outputs["data_access_policy_arn"] == policy_arn and outputs["data_key_arn"] == key_arn
    assert parliament_findings(stored) == []

    # Every statement is one the policy modules produce for the stack's bucket, table and key.
    bucket, table = f"corp-s3-securedata-{ENVIRONMENT}", f"corp-dynamodb-main-{ENVIRONMENT}"
    expected = (
        build_tag_policy(
            {
                "service": "s3",
                "bucket_name": bucket,
                "tag_key": "Environment",
                "tag_value": ENVIRONMENT,
                "prefix": f"{ENVIRONMENT}/",
                "access": ["read", "write", "list"],
            }
        )["Statement"]
        + build_kms_policy({"service": "s3", "key_arn": key_arn, "bucket_name": bucket, "access": ["read", "write"]})["Statement"]
        + build_tag_policy(
            {
                "service": "dynamodb",
                "table_name": table,
                "region": "us-east-1",
                "account_id": "123456789012",
                "tag_key": "Environment",
                "tag_value": ENVIRONMENT,
                "access": ["read", "write"],
            }
        )["Statement"]
        + build_kms_policy({"service": "dynamodb", "key_arn": key_arn, "table_name": table, "access": ["read", "write"]})["Statement"]
    )
    assert stored["Statement"] == expected
    assert not any(a in ("s3:*", "kms:*", "dynamodb:*", "*") for s in stored["Statement"] for a in s["Action"])

    role = iam.get_role(RoleName=f"corp-iam-dataaccess-{ENVIRONMENT}")["Role"]
    assert role["AssumeRolePolicyDocument"]["Statement"] == [
        {"Sid": "TrustedByEc2ThroughTheInstanceProfile", "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "ec2.amazonaws.com"}}
    ]
    # The EC2 trust has its use: the instance profile of the same name, holding the role.
    profile = iam.get_instance_profile(InstanceProfileName=f"corp-iam-dataaccess-{ENVIRONMENT}")["InstanceProfile"]
    assert [r["RoleName"] for r in profile["Roles"]] == [f"corp-iam-dataaccess-{ENVIRONMENT}"]
    assert {"Key": "ManagedBy", "Value": "corp.infra"} in profile["Tags"]
    # Who AWS lets assume the two roles, on the trust policies IAM holds (the emulator does not judge them).
    stack = Stack(ENVIRONMENT, "us-east-1", key_arn)
    assert trust_failures(*read_trusts(emulator.client, ENVIRONMENT), stack) == []
    attached = iam.list_attached_role_policies(RoleName=f"corp-iam-dataaccess-{ENVIRONMENT}")["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == [policy_arn]
    monitoring = iam.get_role(RoleName=f"corp-iam-rdsmonitoring-{ENVIRONMENT}")["Role"]
    assert monitoring["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "monitoring.rds.amazonaws.com"}
    monitoring_policies = iam.list_attached_role_policies(RoleName=f"corp-iam-rdsmonitoring-{ENVIRONMENT}")["AttachedPolicies"]
    assert [p["PolicyName"] for p in monitoring_policies] == ["AmazonRDSEnhancedMonitoringRole"]
    assert backup_trust_failures(read_backup_trust(emulator.client, ENVIRONMENT), stack) == []
    backup_policies = iam.list_attached_role_policies(RoleName=f"corp-iam-backup-{ENVIRONMENT}")["AttachedPolicies"]
    assert [p["PolicyName"] for p in backup_policies] == ["AWSBackupServiceRolePolicyForBackup"]
    assert outputs["monitoring_role_arn"] == monitoring["Arn"]
    # Trust policies have no Resource, which parliament does not model: check their principals instead.
    for name in (f"corp-iam-dataaccess-{ENVIRONMENT}", f"corp-iam-rdsmonitoring-{ENVIRONMENT}", f"corp-iam-backup-{ENVIRONMENT}"):
        trust = iam.get_role(RoleName=name)["Role"]["AssumeRolePolicyDocument"]
        assert "*" not in json.dumps([statement["Principal"] for statement in trust["Statement"]])

    # Drift on each role and the policy, through settings the policy test above leaves alone. A run reads the
    # roles and policy once and calls a module only where something differs: none may hide behind that.
    data_role, monitoring_role = f"corp-iam-dataaccess-{ENVIRONMENT}", f"corp-iam-rdsmonitoring-{ENVIRONMENT}"
    extra = iam.create_policy(PolicyName=f"extra-{ENVIRONMENT}", PolicyDocument=json.dumps(stored))["Policy"]["Arn"]
    iam.attach_role_policy(RoleName=data_role, PolicyArn=extra)
    iam.update_role(RoleName=data_role, MaxSessionDuration=43200)
    iam.untag_role(RoleName=monitoring_role, TagKeys=["ManagedBy"])
    iam.create_policy_version(PolicyArn=policy_arn, PolicyDocument=json.dumps(stored), SetAsDefault=False)
    iam.remove_role_from_instance_profile(InstanceProfileName=data_role, RoleName=data_role)
    repaired = run()
    lines = repaired.stdout.splitlines()
    tasks = {next(t for t in reversed(lines[:i]) if t.startswith("TASK")) for i, line in enumerate(lines) if line.startswith("changed:")}
    assert sorted(task.split(" : ")[1].rstrip(" *]") for task in tasks) == [
        f"Create the RDS enhanced monitoring role {monitoring_role}",
        f"Create the data access policy {data_role}",
        f"Create the data access role {data_role}",
        f"Create the instance profile through which EC2 instances run as {data_role}",
    ]
    assert [r["RoleName"] for r in iam.get_instance_profile(InstanceProfileName=data_role)["InstanceProfile"]["Roles"]] == [data_role]
    assert [p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName=data_role)["AttachedPolicies"]] == [policy_arn]
    assert iam.get_role(RoleName=data_role)["Role"]["MaxSessionDuration"] == 3600
    assert {"Key": "ManagedBy", "Value": "corp.infra"} in iam.get_role(RoleName=monitoring_role)["Role"]["Tags"]
    assert len(iam.list_policy_versions(PolicyArn=policy_arn)["Versions"]) == 1
    assert changed(run()) == 0
    iam.delete_policy(PolicyArn=extra)

    assert changed(run("-e", "iam_state=absent", "-e", f"corp_destroy_confirmation={ENVIRONMENT}")) > 0
    assert changed(run("-e", "iam_state=absent", "-e", f"corp_destroy_confirmation={ENVIRONMENT}")) == 0
    for name in (f"corp-iam-dataaccess-{ENVIRONMENT}", f"corp-iam-rdsmonitoring-{ENVIRONMENT}", f"corp-iam-backup-{ENVIRONMENT}"):
        with pytest.raises(iam.exceptions.NoSuchEntityException):
            iam.get_role(RoleName=name)
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_policy(PolicyArn=policy_arn)
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_instance_profile(InstanceProfileName=data_role)


def test_iam_role_refuses_without_the_stack_key(emulator):
    result = ansible_playbook(emulator, PLAYBOOK, "-i", "inventories/local", "-e", "corp_environment=nokey")
    assert result.returncode != 0
    assert "iam_data_key_arn: the stack key alias/corp-kms-data-nokey does not exist in us-east-1" in result.stdout
