"""The rds role through site.yml on the emulator: apply -> check -> apply (check mode from empty is
test_stack_drift's), the live instance, no password in any output, drift, static parameters, and absent with and
without confirmation."""

import json
import re

import pytest

from .conftest import ROOT
from .conftest import ansible_playbook
from .conftest import changed

ENVIRONMENT = "rdstest"
pytestmark = pytest.mark.slow(180)  # seconds, about
INSTANCE = f"corp-rds-main-{ENVIRONMENT}"
# Production's settings on the local inventory: multi-AZ and deletion protection are off there by default.
PROD_LIKE = ("-e", "rds_multi_az=true", "-e", "rds_deletion_protection=true", "-e", "backup_vault_lock=true")


def test_rds_quartet_live_instance_secrets_drift_and_absent(emulator):
    rds, secrets = emulator.client("rds"), emulator.client("secretsmanager")
    outputs_file = ROOT / "outputs" / f"{ENVIRONMENT}.json"
    transcripts = []

    def run(*extra, playbook="site.yml", check=True):
        result = ansible_playbook(emulator, playbook, "-i", "inventories/local", "-e", f"corp_environment={ENVIRONMENT}", *PROD_LIKE, *extra, check=check)
        transcripts.append(result.stdout + result.stderr)
        return result

    # Check mode from empty, the database's diff included, is test_stack_drift's first run (one stack, not two).
    assert changed(run("-v")) > 0
    assert changed(run("--check", "--diff", "-v")) == 0
    assert changed(run("-v")) == 0

    (db,) = rds.describe_db_instances(DBInstanceIdentifier=INSTANCE)["DBInstances"]
    outputs = json.loads(outputs_file.read_text())["services"]
    network, iam = outputs["network"], outputs["iam"]
    assert db["Engine"] == "postgres" and db["EngineVersion"] == "17.6"
    assert db["StorageEncrypted"] is True and db["KmsKeyId"].startswith("arn:aws:kms:")
    assert db["MultiAZ"] is True and db["PubliclyAccessible"] is False and db["DeletionProtection"] is True
    assert db["StorageType"] == "gp3" and db["MaxAllocatedStorage"] == 100
    assert db["MonitoringInterval"] == 60 and db["MonitoringRoleArn"] == iam["monitoring_role_arn"]
    assert db["PerformanceInsightsEnabled"] is True and db["PerformanceInsightsRetentionPeriod"] == 7
    assert sorted(db["EnabledCloudwatchLogsExports"]) == ["postgresql", "upgrade"]
    assert db["BackupRetentionPeriod"] == 7 and db["CopyTagsToSnapshot"] and db["AutoMinorVersionUpgrade"] and db["IAMDatabaseAuthenticationEnabled"]
    assert db["DBSubnetGroup"]["DBSubnetGroupName"] == INSTANCE
    assert sorted(s["SubnetIdentifier"] for s in db["DBSubnetGroup"]["Subnets"]) == sorted(network["subnet_ids"])
    assert [g["VpcSecurityGroupId"] for g in db["VpcSecurityGroups"]] == [network["db_security_group_id"]]
    assert db["DBParameterGroups"][0]["DBParameterGroupName"] == INSTANCE
    parameters = {p["ParameterName"]: p.get("ParameterValue") for p in rds.describe_db_parameters(DBParameterGroupName=INSTANCE)["Parameters"]}
    assert (parameters["rds.force_ssl"], parameters["log_connections"], parameters["log_disconnections"]) == ("1", "1", "1")

    secret_arn = db["MasterUserSecret"]["SecretArn"]
    assert outputs["rds"] == {
        "instance_identifier": INSTANCE,
        "instance_arn": db["DBInstanceArn"],
        "resource_id": db["DbiResourceId"],
        "endpoint": db["Endpoint"]["Address"],
        "port": 5433,
        "master_user_secret_arn": secret_arn,
        "parameter_group_name": INSTANCE,
        "subnet_group_name": INSTANCE,
    }
    password = json.loads(secrets.get_secret_value(SecretId=secret_arn)["SecretString"])["password"]
    assert len(password) >= 8
    for text in [*transcripts, outputs_file.read_text()]:
        assert password not in text
        assert "MasterUserPassword" not in text

    assert db["PerformanceInsightsKMSKeyId"].startswith("arn:aws:kms:")
    # Not the engine's default port (RDS.23), and the security group admits that port; the CA is pinned.
    assert db["Endpoint"]["Port"] == 5433 and db["CACertificateIdentifier"] == "rds-ca-rsa2048-g1"
    (group,) = emulator.client("ec2").describe_security_groups(GroupIds=[network["db_security_group_id"]])["SecurityGroups"]
    assert {(p["FromPort"], p["ToPort"]) for p in group["IpPermissions"]} == {(5433, 5433)}

    # The role alone (--tags rds) finds the network and monitoring role by name, and has nothing to do.
    assert changed(run("--tags", "rds")) == 0
    # A version RDS does not offer in the region is refused before anything changes.
    unoffered = run("--tags", "rds", "-e", "rds_engine_version=16.11", check=False)
    assert unoffered.returncode != 0 and "rds_engine_version: PostgreSQL 16.11 is not offered by RDS in us-east-1" in unoffered.stdout

    # site.yml ended with the compliance report: every control passes or is waived with a reason.
    report = json.loads((ROOT / "outputs" / f"{ENVIRONMENT}-compliance.json").read_text())
    assert report["summary"]["FAIL"] == 0 and report["summary"]["PASS"] >= 30
    controls = {r["control"] for r in report["results"]}
    assert {"S3.5", "S3.8", "S3.9", "KMS.4", "RDS.3", "RDS.6", "RDS.8", "RDS.11", "SecretsManager.1", "DynamoDB.2", "EC2.2", "EC2.6", "IAM.21"} <= controls
    assert {r["control"] for r in report["results"] if r["status"] == "WAIVED"} == {"S3.1", "DynamoDB.6"}

    # Out-of-band changes: check mode names them, the compliance job fails on the control, a normal run repairs them.
    rds.modify_db_instance(
        DBInstanceIdentifier=INSTANCE, BackupRetentionPeriod=10, DeletionProtection=False, CACertificateIdentifier="rds-ca-2019", ApplyImmediately=True
    )
    drift = run("--check", "--diff", "--tags", "rds")
    assert changed(drift) == 1 and '-    "backup_retention_period": 10' in drift.stdout and '-    "deletion_protection": false' in drift.stdout
    assert '-    "ca_certificate_identifier": "rds-ca-2019"' in drift.stdout
    failing = run(playbook="playbooks/verify.yml", check=False)
    assert failing.returncode != 0 and f"compliance: 2 control(s) fail in {ENVIRONMENT}: " in failing.stdout
    assert f"RDS.8 {INSTANCE}" in failing.stdout and f"CORP.RDS.CA {INSTANCE}" in failing.stdout
    assert changed(run("--tags", "rds")) == 1
    (repaired,) = rds.describe_db_instances(DBInstanceIdentifier=INSTANCE)["DBInstances"]
    assert (repaired["BackupRetentionPeriod"], repaired["CACertificateIdentifier"]) == (7, "rds-ca-rsa2048-g1")
    assert run(playbook="playbooks/verify.yml").returncode == 0
    # The compliance job resolved the account itself (no account lookup of its own) and named the policy by its ARN.
    standalone = json.loads((ROOT / "outputs" / f"{ENVIRONMENT}-compliance.json").read_text())
    assert standalone["account_id"] == json.loads(outputs_file.read_text())["account_id"] and standalone["summary"]["FAIL"] == 0
    # site.yml's no-op judged what its roles had read (module_utils/observed.py); the standalone job read it all itself.
    assert standalone["results"] == report["results"]
    policy_arn = iam["data_access_policy_arn"]
    assert {(r["control"], r["status"]) for r in standalone["results"] if r["resource"] == policy_arn} == {("IAM.1", "PASS"), ("IAM.21", "PASS")}

    # The vault lock and the backup selection removed out of band: check mode names both, the compliance job fails on
    # the lock and on the coverage controls, a normal run repairs them.
    backup, vault = emulator.client("backup"), f"corp-backup-data-{ENVIRONMENT}"
    backup.delete_backup_vault_lock_configuration(BackupVaultName=vault)
    (plan_id,) = [p["BackupPlanId"] for p in backup.list_backup_plans()["BackupPlansList"] if p["BackupPlanName"] == vault]
    (selection,) = backup.list_backup_selections(BackupPlanId=plan_id)["BackupSelectionsList"]
    backup.delete_backup_selection(BackupPlanId=plan_id, SelectionId=selection["SelectionId"])
    assert changed(run("--check", "--tags", "backup")) == 2
    failing = run(playbook="playbooks/verify.yml", check=False)
    assert failing.returncode != 0 and f"compliance: 3 control(s) fail in {ENVIRONMENT}: " in failing.stdout
    assert f"CORP.Backup.Lock {vault}" in failing.stdout and f"RDS.26 {INSTANCE}" in failing.stdout
    assert changed(run("--tags", "backup")) == 2
    assert backup.describe_backup_vault(BackupVaultName=vault)["Locked"] is True
    assert len(backup.list_backup_selections(BackupPlanId=plan_id)["BackupSelectionsList"]) == 1
    assert run(playbook="playbooks/verify.yml").returncode == 0

    # A static parameter waits for a reboot, reported; the reboot happens only when asked for.
    static = ("-e", '{"rds_parameters": {"shared_preload_libraries": ["pg_stat_statements", "auto_explain"]}}')
    pending = run("--tags", "rds", *static)
    assert "shared_preload_libraries take effect at the instance's next reboot" in pending.stdout
    assert rds.describe_db_instances(DBInstanceIdentifier=INSTANCE)["DBInstances"][0]["DBParameterGroups"][0]["ParameterApplyStatus"] == "pending-reboot"
    assert changed(run("--tags", "rds", *static, "-e", "rds_reboot_for_pending_parameters=true")) == 1
    assert rds.describe_db_instances(DBInstanceIdentifier=INSTANCE)["DBInstances"][0]["DBParameterGroups"][0]["ParameterApplyStatus"] == "in-sync"

    # absent: refused without the confirmation (nothing deleted), then a final snapshot and nothing left.
    refused = run("--tags", "rds", "-e", "rds_state=absent", check=False)
    assert refused.returncode != 0
    assert f"corp_destroy_confirmation: deleting resources of {ENVIRONMENT} needs -e corp_destroy_confirmation={ENVIRONMENT}" in refused.stdout
    assert rds.describe_db_instances(DBInstanceIdentifier=INSTANCE)["DBInstances"][0]["DBInstanceStatus"] == "available"
    gone = run("--tags", "rds", "-e", "rds_state=absent", "-e", f"corp_destroy_confirmation={ENVIRONMENT}")
    assert changed(gone) == 3
    assert not [i for i in rds.describe_db_instances()["DBInstances"] if i["DBInstanceIdentifier"] == INSTANCE]
    # Named by the teardown's UTC time (issue 21), as the task that took it says.
    (snapshot,) = [s["DBSnapshotIdentifier"] for s in rds.describe_db_snapshots(SnapshotType="manual")["DBSnapshots"] if s["DBInstanceIdentifier"] == INSTANCE]
    assert re.fullmatch(rf"{INSTANCE}-final-\d{{14}}", snapshot) and f"keeping the final snapshot {snapshot}" in gone.stdout
    assert INSTANCE not in [g["DBParameterGroupName"] for g in rds.describe_db_parameter_groups()["DBParameterGroups"]]
    assert changed(run("--tags", "rds", "-e", "rds_state=absent", "-e", f"corp_destroy_confirmation={ENVIRONMENT}")) == 0

    destroyed = run("-e", f"corp_destroy_confirmation={ENVIRONMENT}", "-e", "s3_force_destroy=true", playbook="playbooks/destroy.yml")
    assert destroyed.returncode == 0 and not outputs_file.exists()
    assert not (ROOT / "outputs" / f"{ENVIRONMENT}-compliance.json").exists()
