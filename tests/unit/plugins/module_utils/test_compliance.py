"""Security Hub controls over the stack's live state: which pass, which fail and why, and waivers."""

import json

from ansible_collections.corp.infra.plugins.module_utils.compliance import evaluate
from ansible_collections.corp.infra.plugins.module_utils.compliance import summary
from ansible_collections.corp.infra.plugins.module_utils.compliance import summary_lines

BLOCKED = dict.fromkeys(("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"), True)
TLS_ONLY = {
    "Statement": [
        {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
    ]
}


def good_state():
    bucket = {"public_access_block": BLOCKED, "policy": json.dumps(TLS_ONLY), "ownership": "BucketOwnerEnforced", "versioning": "Enabled"}
    return {
        "s3": {
            "account_public_access_block": BLOCKED,
            "buckets": {
                "corp-s3-securedata-prod": bucket
                | {
                    "role": "data",
                    "logging": {"TargetBucket": "corp-s3-accesslogs-prod"},
                    "lifecycle": [{"ID": "x"}],
                    "encryption": {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}},
                },
                "corp-s3-accesslogs-prod": bucket | {"role": "logs"},
            },
        },
        "kms": {"arn:aws:kms:ap-south-1:1:key/k": {"rotation": True}},
        "rds": {
            "corp-rds-main-prod": {
                "PubliclyAccessible": False,
                "StorageEncrypted": True,
                "MultiAZ": True,
                "MonitoringInterval": 60,
                "MonitoringRoleArn": "arn:aws:iam::1:role/m",
                "DeletionProtection": True,
                "EnabledCloudwatchLogsExports": ["postgresql", "upgrade"],
                "IAMDatabaseAuthenticationEnabled": True,
                "BackupRetentionPeriod": 14,
                "AutoMinorVersionUpgrade": True,
                "CopyTagsToSnapshot": True,
                "Engine": "postgres",
                "Endpoint": {"Port": 5433},
                "CACertificateIdentifier": "rds-ca-rsa2048-g1",
            }
        },
        "secrets": {"arn:aws:secretsmanager:ap-south-1:1:secret:rds!db": {"RotationEnabled": True}},
        "dynamodb": {"corp-dynamodb-main-prod": {"billing_mode": "PAY_PER_REQUEST", "pitr": "ENABLED", "deletion_protection": True}},
        "ec2": {"vpc-1": {"default_security_group": {"IpPermissions": [], "IpPermissionsEgress": []}, "flow_logs": [{"FlowLogId": "fl-1"}]}},
        "iam": {"arn:aws:iam::1:policy/p": {"Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::b/*"}]}},
    }


def failures(state, waivers=None):
    return {(r["control"], r["resource"]): r["reason"] for r in evaluate(state, waivers) if r["status"] != "PASS"}


def test_the_stack_as_built_passes_every_control():
    results = evaluate(good_state())
    assert summary(results) == {"PASS": len(results), "FAIL": 0, "WAIVED": 0}
    assert {r["control"] for r in results} >= {
        "S3.1", "S3.2", "S3.3", "S3.5", "S3.8", "S3.9", "S3.12", "S3.13", "S3.14", "S3.17", "KMS.4", "RDS.2", "RDS.3", "RDS.5", "RDS.6",
        "RDS.8", "RDS.9", "RDS.10", "RDS.11", "RDS.13", "RDS.17", "SecretsManager.1", "DynamoDB.1", "DynamoDB.2", "DynamoDB.6",
        "EC2.2", "EC2.6", "IAM.1", "IAM.21",
    }  # fmt: skip


def test_drifted_settings_fail_their_controls_with_a_reason():
    state = good_state()
    data = state["s3"]["buckets"]["corp-s3-securedata-prod"]
    data["versioning"] = "Suspended"
    data["policy"] = json.dumps({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}]})
    state["dynamodb"]["corp-dynamodb-main-prod"]["pitr"] = "DISABLED"
    state["ec2"]["vpc-1"]["default_security_group"]["IpPermissions"] = [{"IpProtocol": "-1"}]
    state["rds"]["corp-rds-main-prod"]["BackupRetentionPeriod"] = 3
    assert failures(state) == {
        ("S3.2", "corp-s3-securedata-prod"): "public read possible: s3:GetObject",
        ("S3.5", "corp-s3-securedata-prod"): "no Deny for aws:SecureTransport false",
        ("S3.14", "corp-s3-securedata-prod"): "versioning is Suspended",
        ("DynamoDB.2", "corp-dynamodb-main-prod"): "point-in-time recovery off",
        ("EC2.2", "vpc-1 default security group"): "1 rule(s)",
        ("RDS.11", "corp-rds-main-prod"): "automated backups kept 3 days, fewer than 7",
    }


def test_a_conditioned_public_statement_is_not_public_access():
    state = good_state()
    state["s3"]["buckets"]["corp-s3-securedata-prod"]["policy"] = {
        "Statement": TLS_ONLY["Statement"]
        + [
            {
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": "s3:GetObject",
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-1"}},
            }
        ]
    }
    assert failures(state) == {}


def test_admin_and_service_wildcard_policies_fail_iam_controls():
    state = good_state()
    state["iam"]["arn:aws:iam::1:policy/p"] = {"Statement": {"Effect": "Allow", "Action": ["*", "kms:*"], "Resource": "*"}}
    assert failures(state) == {
        ("IAM.1", "arn:aws:iam::1:policy/p"): "grants full administrative privileges",
        ("IAM.21", "arn:aws:iam::1:policy/p"): "wildcard actions: kms:*",
    }


def test_missing_resources_fail_and_waivers_say_why():
    state = good_state()
    state["rds"]["corp-rds-main-prod"] = None
    state["s3"]["account_public_access_block"] = None
    results = evaluate(state, {"S3.1": "account-level setting outside the stack"})
    waived = [r for r in results if r["status"] == "WAIVED"]
    assert [(r["control"], r["reason"]) for r in waived] == [
        ("S3.1", "account-level Block Public Access is off: BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets "
         "(waived: account-level setting outside the stack)")
    ]  # fmt: skip
    assert [(r["control"], r["reason"]) for r in results if r["status"] == "FAIL"] == [("RDS.3", "DB instance not found")]


def test_provisioned_tables_need_auto_scaling():
    state = good_state()
    state["dynamodb"]["corp-dynamodb-main-prod"].update(billing_mode="PROVISIONED", autoscaling=False)
    assert failures(state) == {("DynamoDB.1", "corp-dynamodb-main-prod"): "provisioned capacity without auto scaling"}


def test_summary_lines_count_per_service_then_list_what_did_not_pass():
    state = good_state()
    state["kms"]["arn:aws:kms:ap-south-1:1:key/k"]["rotation"] = False
    lines = summary_lines(evaluate(state))
    assert lines[0].split() == ["service", "pass", "fail", "waived"]
    assert "KMS                 0    1      0" in lines
    assert lines[-1] == "FAIL KMS.4 arn:aws:kms:ap-south-1:1:key/k: automatic key rotation off"


def test_every_encrypted_resource_must_use_the_stack_key_or_a_key_the_user_named():
    stack_key = "arn:aws:kms:ap-south-1:111122223333:key/1111"
    aws_rds = "arn:aws:kms:ap-south-1:111122223333:key/aws-rds-managed"
    state = good_state()
    state["stack_keys"] = [stack_key]
    state["s3"]["buckets"]["corp-s3-securedata-prod"]["encryption"]["ApplyServerSideEncryptionByDefault"]["KMSMasterKeyID"] = stack_key
    table = {"billing_mode": "PAY_PER_REQUEST", "pitr": "ENABLED", "deletion_protection": True, "kms_key_arn": stack_key}
    state["dynamodb"] = {"corp-dynamodb-main-prod": table}
    state["rds"]["corp-rds-main-prod"] |= {
        "KmsKeyId": aws_rds,
        "PerformanceInsightsEnabled": True,
        "PerformanceInsightsKMSKeyId": stack_key,
        "MasterUserSecret": {"SecretArn": "arn:aws:secretsmanager:ap-south-1:111122223333:secret:rds!db-1", "KmsKeyId": "1111"},
    }
    state["logs"] = {"corp-vpc-flowlogs-prod": {"logGroupName": "corp-vpc-flowlogs-prod"}, "corp-vpc-gone-prod": None}
    results = {(r["control"], r["resource"]): r for r in evaluate(state) if r["control"].startswith("CORP.KMS")}
    assert {k: r["status"] for k, r in results.items()} == {
        ("CORP.KMS.S3", "corp-s3-securedata-prod"): "PASS",
        ("CORP.KMS.DynamoDB", "corp-dynamodb-main-prod"): "PASS",
        ("CORP.KMS.RDS", "corp-rds-main-prod storage"): "FAIL",
        ("CORP.KMS.PerformanceInsights", "corp-rds-main-prod Performance Insights"): "PASS",
        # A key id names the same key as its ARN.
        ("CORP.KMS.SecretsManager", "arn:aws:secretsmanager:ap-south-1:111122223333:secret:rds!db-1"): "PASS",
        ("CORP.KMS.Logs", "corp-vpc-flowlogs-prod"): "FAIL",
        ("CORP.KMS.Logs", "corp-vpc-gone-prod"): "FAIL",
    }
    assert results[("CORP.KMS.RDS", "corp-rds-main-prod storage")]["reason"] == f"encrypted with {aws_rds}, not the stack's customer-managed key"
    assert results[("CORP.KMS.Logs", "corp-vpc-flowlogs-prod")]["reason"] == "not encrypted with a customer-managed key"
    assert results[("CORP.KMS.Logs", "corp-vpc-gone-prod")]["reason"] == "log group not found"
    # The key a user named is accepted; an AWS-managed key chosen for one service is waived for that service only.
    state["stack_keys"].append(aws_rds)
    waived = {(r["control"], r["resource"]): r["status"] for r in evaluate(state, {"CORP.KMS.Logs": "by choice"}) if r["control"].startswith("CORP.KMS")}
    assert waived[("CORP.KMS.RDS", "corp-rds-main-prod storage")] == "PASS"
    assert waived[("CORP.KMS.Logs", "corp-vpc-flowlogs-prod")] == "WAIVED"
    # Without a stack key to compare with (no kms_keys read), no CORP.KMS result at all.
    state["stack_keys"] = []
    assert not [r for r in evaluate(state) if r["control"].startswith("CORP.KMS")]


def test_the_database_listens_on_another_port_than_the_engines_and_has_a_current_ca():
    state = good_state()
    state["rds"]["corp-rds-main-prod"] |= {"Endpoint": {"Port": 5432}, "CACertificateIdentifier": "rds-ca-2019"}
    assert failures(state) == {
        ("RDS.23", "corp-rds-main-prod"): "listens on the engine's default port 5432",
        ("CORP.RDS.CA", "corp-rds-main-prod"): "server certificate from rds-ca-2019, not one of rds-ca-rsa2048-g1, rds-ca-rsa4096-g1, rds-ca-ecc384-g1",
    }


def test_network_acls_may_not_admit_ssh_or_rdp_from_anywhere():
    state = good_state()
    entry = {"RuleNumber": 100, "Protocol": "-1", "RuleAction": "allow", "Egress": False, "CidrBlock": "10.0.0.0/16"}
    deny_all = {"RuleNumber": 32767, "Protocol": "-1", "RuleAction": "deny", "Egress": False, "CidrBlock": "0.0.0.0/0"}
    ssh = {"RuleNumber": 90, "Protocol": "6", "RuleAction": "allow", "Egress": False, "CidrBlock": "0.0.0.0/0", "PortRange": {"From": 20, "To": 25}}
    deny_ssh = {**ssh, "RuleNumber": 80, "RuleAction": "deny"}
    default_open = {"NetworkAclId": "acl-default", "IsDefault": True, "Entries": [{**entry, "CidrBlock": "0.0.0.0/0"}]}
    state["ec2"]["vpc-1"]["network_acls"] = [default_open, {"NetworkAclId": "acl-1", "IsDefault": False, "Entries": [entry, deny_all]}]
    assert [r["status"] for r in evaluate(state) if r["control"] == "EC2.21"] == ["PASS"]
    state["ec2"]["vpc-1"]["network_acls"][1]["Entries"].append(ssh)
    assert failures(state) == {("EC2.21", "acl-1"): "admits port 22 from anywhere"}
    # An earlier deny rule wins, as AWS evaluates rules in order.
    state["ec2"]["vpc-1"]["network_acls"][1]["Entries"].append(deny_ssh)
    assert failures(state) == {}


def test_the_data_bucket_sends_event_notifications():
    state = good_state()
    data = state["s3"]["buckets"]["corp-s3-securedata-prod"]
    data["notifications"] = ["EventBridgeConfiguration"]
    assert [(r["status"], r["reason"]) for r in evaluate(state) if r["control"] == "S3.11"] == [("PASS", "event notifications to EventBridge")]
    data["notifications"] = []
    assert failures(state) == {("S3.11", "corp-s3-securedata-prod"): "no event notifications"}


def _backed_up_state(selection_tags=("prod", "corp.infra"), locked=True):
    state = good_state()
    state["rds"]["corp-rds-main-prod"] |= {
        "DBInstanceArn": "arn:aws:rds:ap-south-1:111122223333:db:corp-rds-main-prod",
        "TagList": [{"Key": "Environment", "Value": "prod"}, {"Key": "ManagedBy", "Value": "corp.infra"}],
    }
    state["dynamodb"]["corp-dynamodb-main-prod"] |= {
        "arn": "arn:aws:dynamodb:ap-south-1:111122223333:table/corp-dynamodb-main-prod",
        "tags": {"Environment": "prod", "ManagedBy": "corp.infra"},
    }
    environment, managed_by = selection_tags
    selection = {
        "Resources": ["arn:aws:rds:ap-south-1:111122223333:db:*", "arn:aws:dynamodb:ap-south-1:111122223333:table/*"],
        "Conditions": {
            "StringEquals": [
                {"ConditionKey": "aws:ResourceTag/Environment", "ConditionValue": environment},
                {"ConditionKey": "aws:ResourceTag/ManagedBy", "ConditionValue": managed_by},
            ]
        },
    }
    vault = {
        "BackupVaultName": "corp-backup-data-prod",
        "EncryptionKeyArn": "arn:aws:kms:ap-south-1:1:key/k",
        "Locked": locked,
        "MinRetentionDays": 7,
        "MaxRetentionDays": 365,
    }
    state["backup"] = {
        "vaults": {"corp-backup-data-prod": vault},
        "plans": {"corp-backup-data-prod": {"BackupPlan": {"Rules": [{"TargetBackupVaultName": "corp-backup-data-prod"}]}, "Selections": [selection]}},
    }
    return state


def test_the_database_and_table_are_in_the_backup_plan_and_the_vault_is_locked():
    results = {(r["control"], r["resource"]): r for r in evaluate(_backed_up_state())}
    assert results[("RDS.26", "corp-rds-main-prod")]["status"] == "PASS"
    assert results[("DynamoDB.4", "corp-dynamodb-main-prod")]["reason"] == "backed up by plan corp-backup-data-prod"
    assert results[("CORP.Backup.Lock", "corp-backup-data-prod")]["reason"] == "retention locked to 7-365 days (governance mode)"


def test_a_selection_for_another_environment_or_an_unlocked_vault_fails():
    assert failures(_backed_up_state(selection_tags=("staging", "corp.infra"), locked=False)) == {
        ("RDS.26", "corp-rds-main-prod"): "in no backup plan",
        ("DynamoDB.4", "corp-dynamodb-main-prod"): "in no backup plan",
        ("CORP.Backup.Lock", "corp-backup-data-prod"): "vault not locked",
    }
    # A plan whose rules target no vault protects nothing; a missing vault fails its control.
    state = _backed_up_state()
    state["backup"]["plans"]["corp-backup-data-prod"]["BackupPlan"]["Rules"] = []
    state["backup"]["vaults"]["corp-backup-data-prod"] = None
    assert failures(state) == {
        ("RDS.26", "corp-rds-main-prod"): "in no backup plan",
        ("DynamoDB.4", "corp-dynamodb-main-prod"): "in no backup plan",
        ("CORP.Backup.Lock", "corp-backup-data-prod"): "vault not found",
    }


def test_the_vault_must_use_the_stack_key():
    state = _backed_up_state()
    state["stack_keys"] = ["arn:aws:kms:ap-south-1:1:key/other"]
    assert ("CORP.KMS.Backup", "vault corp-backup-data-prod") in failures(state)
    state["stack_keys"] = ["arn:aws:kms:ap-south-1:1:key/k"]
    assert ("CORP.KMS.Backup", "vault corp-backup-data-prod") not in failures(state)
