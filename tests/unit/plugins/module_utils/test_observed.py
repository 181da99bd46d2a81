"""The compliance report evaluates what site.yml's roles already read (module_utils/observed.py) instead of reading
again. Both descriptions of a resource must agree: fed the same AWS answers, the report's own reader and the roles'
readers turned by observed.py give the same state and the same results, for a compliant stack and for one that
fails. The answers follow the shapes of the AWS API references (one fake client per service, no network)."""

import copy
import json

import botocore.exceptions
import pytest

from ansible_collections.corp.infra.plugins.module_utils import observed
from ansible_collections.corp.infra.plugins.module_utils.compliance import evaluate
from ansible_collections.corp.infra.plugins.modules import backup_state_info
from ansible_collections.corp.infra.plugins.modules import dynamodb_state_info
from ansible_collections.corp.infra.plugins.modules import iam_state_info
from ansible_collections.corp.infra.plugins.modules import network_state_info
from ansible_collections.corp.infra.plugins.modules import rds_state_info
from ansible_collections.corp.infra.plugins.modules import s3_state_info
from ansible_collections.corp.infra.plugins.modules import security_controls_info

ACCOUNT = "123456789012"
KEY_ARN = f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/0a1b2c3d-1111-2222-3333-444455556666"
ALIAS = "alias/corp-kms-data-unit"
DATA, LOGS = "corp-s3-securedata-unit", "corp-s3-accesslogs-unit"
TABLE, DB, VPC = "corp-dynamodb-main-unit", "corp-rds-main-unit", "corp-vpc-main-unit"
LOG_GROUP = "corp-vpc-flowlogs-unit"
POLICY_ARN = f"arn:aws:iam::{ACCOUNT}:policy/corp-iam-dataaccess-unit"
BACKUP = "corp-backup-data-unit"
SECRET_ARN = f"arn:aws:secretsmanager:eu-west-1:{ACCOUNT}:secret:rds!db-1234-AbCdEf"


def missing(code):
    return botocore.exceptions.ClientError({"Error": {"Code": code, "Message": code}}, "Get")


def aws_answers(compliant):
    """The answers of a converged stack (compliant) or of one drifted everywhere the report looks."""
    block = {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True}
    tls_only = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [f"arn:aws:s3:::{DATA}", f"arn:aws:s3:::{DATA}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ],
    }
    public_read = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{DATA}/*"}],
    }

    def bucket(name):
        data = name == DATA
        return {
            "head_bucket": {},
            "get_bucket_versioning": {"Status": "Enabled"} if compliant else {"Status": "Suspended"},
            "get_bucket_encryption": {
                "ServerSideEncryptionConfiguration": {
                    "Rules": [
                        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": KEY_ARN}, "BucketKeyEnabled": True}
                        if compliant or not data
                        else {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": False}
                    ]
                }
            },
            "get_public_access_block": {"PublicAccessBlockConfiguration": block} if compliant else missing("NoSuchPublicAccessBlockConfiguration"),
            "get_bucket_ownership_controls": {"OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}}
            if compliant
            else missing("OwnershipControlsNotFoundError"),
            "get_bucket_policy": {"Policy": json.dumps(tls_only if compliant else public_read)} if data or compliant else missing("NoSuchBucketPolicy"),
            "get_bucket_tagging": {"TagSet": [{"Key": "Environment", "Value": "unit"}]},
            "get_bucket_lifecycle_configuration": {"Rules": [{"ID": "expire-noncurrent", "Status": "Enabled", "Filter": {}}]}
            if compliant
            else missing("NoSuchLifecycleConfiguration"),
            "get_bucket_logging": {"LoggingEnabled": {"TargetBucket": LOGS, "TargetPrefix": f"{DATA}/"}} if compliant and data else {},
            "get_bucket_abac": {"AbacStatus": {"Status": "Enabled"}},
            "get_bucket_notification_configuration": {"EventBridgeConfiguration": {}} if compliant else {"TopicConfigurations": []},
        }

    buckets = {DATA: bucket(DATA), LOGS: bucket(LOGS)}
    table = {
        "TableName": TABLE,
        "TableStatus": "ACTIVE",
        "TableArn": f"arn:aws:dynamodb:eu-west-1:{ACCOUNT}:table/{TABLE}",
        "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST"},
        "SSEDescription": {"Status": "ENABLED", "SSEType": "KMS", "KMSMasterKeyArn": KEY_ARN},
        "DeletionProtectionEnabled": compliant,
    }
    instance = {
        "DBInstanceIdentifier": DB,
        "DBInstanceArn": f"arn:aws:rds:eu-west-1:{ACCOUNT}:db:{DB}",
        "DBInstanceStatus": "available",
        "Engine": "postgres",
        "Endpoint": {"Address": f"{DB}.abc.eu-west-1.rds.amazonaws.com", "Port": 5433 if compliant else 5432},
        "PubliclyAccessible": not compliant,
        "StorageEncrypted": compliant,
        "KmsKeyId": KEY_ARN,
        "MultiAZ": compliant,
        "MonitoringInterval": 60 if compliant else 0,
        "MonitoringRoleArn": f"arn:aws:iam::{ACCOUNT}:role/corp-iam-rdsmonitoring-unit",
        "EnabledCloudwatchLogsExports": ["postgresql", "upgrade"] if compliant else [],
        "BackupRetentionPeriod": 7 if compliant else 0,
        "DeletionProtection": compliant,
        "IAMDatabaseAuthenticationEnabled": compliant,
        "AutoMinorVersionUpgrade": compliant,
        "CopyTagsToSnapshot": compliant,
        "CACertificateIdentifier": "rds-ca-rsa2048-g1" if compliant else "rds-ca-2019",
        "PerformanceInsightsEnabled": True,
        "PerformanceInsightsKMSKeyId": KEY_ARN,
        "MasterUserSecret": {"SecretArn": SECRET_ARN, "SecretStatus": "active", "KmsKeyId": KEY_ARN},
        "TagList": [{"Key": "Environment", "Value": "unit"}, {"Key": "ManagedBy", "Value": "corp.infra"}],
    }
    document = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{DATA}/unit/*"}]}
    if not compliant:
        # Deliberately bad: the full-admin statement IAM.1 exists to catch, which the report must fail on both paths.
        document["Statement"].append({"Effect": "Allow", "Action": "*", "Resource": "*"})
    vault_arn = f"arn:aws:backup:eu-west-1:{ACCOUNT}:backup-vault:{BACKUP}"
    plan_id = "b1c2d3e4-aaaa-bbbb-cccc-ddddeeeeffff"
    plan = {
        "BackupPlan": {"BackupPlanName": BACKUP, "Rules": [{"RuleName": "daily", "TargetBackupVaultName": BACKUP, "Lifecycle": {"DeleteAfterDays": 35}}]},
        "BackupPlanId": plan_id,
        "BackupPlanArn": f"arn:aws:backup:eu-west-1:{ACCOUNT}:backup-plan:{plan_id}",
        "VersionId": "v1",
    }
    selection = {
        "BackupSelection": {
            "SelectionName": BACKUP,
            "IamRoleArn": f"arn:aws:iam::{ACCOUNT}:role/corp-iam-backup-unit",
            "Resources": ["arn:aws:rds:*:*:db:*", "arn:aws:dynamodb:*:*:table/*"],
            "Conditions": {
                "StringEquals": [
                    {"ConditionKey": "aws:ResourceTag/Environment", "ConditionValue": "unit"},
                    {"ConditionKey": "aws:ResourceTag/ManagedBy", "ConditionValue": "corp.infra"},
                ]
            },
        },
        "SelectionId": "s-1",
        "BackupPlanId": plan_id,
    }
    return {
        "sts": {"get_caller_identity": {"Account": ACCOUNT, "Arn": f"arn:aws:iam::{ACCOUNT}:user/ci"}},
        "s3": {op: (lambda op=op, **p: buckets[p["Bucket"]][op]) for op in buckets[DATA]},
        "s3control": {"get_public_access_block": missing("NoSuchPublicAccessBlockConfiguration")},
        "kms": {
            "describe_key": {"KeyMetadata": {"KeyId": KEY_ARN.rsplit("/", 1)[1], "Arn": KEY_ARN, "KeyManager": "CUSTOMER", "KeyState": "Enabled"}},
            "get_key_policy": {"Policy": json.dumps({"Version": "2012-10-17", "Statement": []})},
            "get_key_rotation_status": {"KeyRotationEnabled": compliant},
            "list_resource_tags": {"Tags": [{"TagKey": "Environment", "TagValue": "unit"}]},
        },
        "dynamodb": {
            "describe_table": {"Table": table},
            "describe_continuous_backups": {
                "ContinuousBackupsDescription": {
                    "ContinuousBackupsStatus": "ENABLED",
                    "PointInTimeRecoveryDescription": {"PointInTimeRecoveryStatus": "ENABLED" if compliant else "DISABLED"},
                }
            },
            "describe_time_to_live": {"TimeToLiveDescription": {"TimeToLiveStatus": "DISABLED"}},
            "list_tags_of_resource": {"Tags": [{"Key": "Environment", "Value": "unit" if compliant else "other"}, {"Key": "ManagedBy", "Value": "corp.infra"}]},
        },
        "rds": {"describe_db_instances": {"DBInstances": [instance]}},
        "secretsmanager": {"describe_secret": {"ARN": SECRET_ARN, "RotationEnabled": compliant, "KmsKeyId": KEY_ARN}},
        "ec2": {
            "describe_vpcs": {"Vpcs": [{"VpcId": "vpc-0abc"}]},
            "describe_security_groups": {"SecurityGroups": [{"GroupId": "sg-0def", "GroupName": "default", "IpPermissions": [], "IpPermissionsEgress": []}]},
            "describe_flow_logs": {"FlowLogs": [{"FlowLogId": "fl-1", "FlowLogStatus": "ACTIVE", "DeliverLogsStatus": "SUCCESS"}]},
            "describe_network_acls": {"NetworkAcls": []},
        },
        "logs": {
            "describe_log_groups": {"logGroups": [{"logGroupName": LOG_GROUP, "kmsKeyId": KEY_ARN if compliant else None, "retentionInDays": 365}]},
            "list_tags_log_group": {"tags": {"Environment": "unit"}},
        },
        "iam": {
            "get_policy": {"Policy": {"PolicyName": "corp-iam-dataaccess-unit", "Arn": POLICY_ARN, "DefaultVersionId": "v2"}},
            "list_policy_versions": {"Versions": [{"VersionId": "v2", "IsDefaultVersion": True}]},
            "get_policy_version": {"PolicyVersion": {"VersionId": "v2", "Document": document}},
            "list_policy_tags": {"Tags": [{"Key": "Environment", "Value": "unit"}]},
        },
        "backup": {
            "describe_backup_vault": {
                "BackupVaultName": BACKUP,
                "BackupVaultArn": vault_arn,
                "EncryptionKeyArn": KEY_ARN,
                "Locked": compliant,
                "MinRetentionDays": 7,
            },
            "list_backup_plans": {"BackupPlansList": [{"BackupPlanName": BACKUP, "BackupPlanId": plan_id}]},
            "get_backup_plan": plan,
            "list_backup_selections": {"BackupSelectionsList": [{"SelectionName": BACKUP, "SelectionId": "s-1"}] if compliant else []},
            "get_backup_selection": selection,
            "list_tags": {"Tags": {"Environment": "unit"}},
        },
    }


class FakeClient:
    def __init__(self, service, answers, calls):
        self.service, self.answers, self.calls = service, answers, calls

    def _answer(self, operation, params):
        self.calls.append(f"{self.service}:{operation}")
        answer = self.answers[operation]
        if callable(answer):
            answer = answer(**params)
        if isinstance(answer, Exception):
            raise answer
        return copy.deepcopy(answer)

    def __getattr__(self, operation):
        if operation not in self.answers:
            raise AttributeError(f"{self.service} has no canned answer for {operation}")
        return lambda aws_retry=False, **params: self._answer(operation, params)

    def get_paginator(self, operation):  # amazon.aws's paginated_query_with_retries: one page holds everything
        client = self

        class Pages:
            def paginate(self, **params):
                return type("Result", (), {"build_full_result": lambda _self: client._answer(operation, params)})()

        return Pages()


class FakeAWS:
    def __init__(self, answers):
        self.answers, self.calls = answers, []

    def client(self, service, retry_decorator=None):
        return FakeClient(service, self.answers.get(service, {}), self.calls)


def as_module_result(value):
    """What a registered module result holds: JSON (Ansible turns dates into strings on the way)."""
    return json.loads(json.dumps(value, default=str))


def roles_reads(aws):
    """What each role's reader returns in site.yml, as the role publishes it in corp_observed_state."""
    s3 = s3_state_info.read({"key_alias": ALIAS, "buckets": [DATA, LOGS]}, aws) | {"key_alias": ALIAS}
    return as_module_result(
        {
            "s3": s3,
            "network": {"log_group": network_state_info.read_log_group(aws.client("logs"), LOG_GROUP)},
            "iam": iam_state_info.read({"roles": [], "policies": [POLICY_ARN], "instance_profiles": [], "role_policies": []}, aws),
            "rds": {"instance": rds_state_info.read_instance(aws.client("rds"), DB)},
            "dynamodb": dynamodb_state_info.read({"name": TABLE}, aws),
            "backup": backup_state_info.read({"vault_name": BACKUP, "plan_name": BACKUP, "selection_name": BACKUP}, aws),
        }
    )


def report_params(seen):
    return {
        "buckets": [{"name": DATA, "role": "data"}, {"name": LOGS, "role": "logs"}],
        "account_id": ACCOUNT,
        "partition": "aws",
        "observed": seen,
        "kms_keys": [ALIAS],
        "customer_managed_key_arns": [],
        "log_groups": [LOG_GROUP],
        "db_instance_identifiers": [DB],
        "dynamodb_tables": [TABLE],
        "vpcs": [VPC],
        "iam_policy_arns": [],
        "iam_policy_names": ["corp-iam-dataaccess-unit"],
        "backup_vaults": [BACKUP],
        "backup_plans": [BACKUP],
        "waivers": {},
    }


@pytest.mark.parametrize("compliant", [True, False], ids=["converged", "drifted"])
def test_the_report_reads_the_same_state_from_the_roles_reads_as_from_aws(compliant):
    answers = aws_answers(compliant)
    own = security_controls_info.read_state(report_params({}), FakeAWS(answers))
    seen = roles_reads(FakeAWS(answers))
    aws = FakeAWS(answers)
    reused = security_controls_info.read_state(report_params(seen), aws)

    assert as_module_result(reused) == as_module_result(own)
    results = evaluate(reused, {})
    assert results == evaluate(own, {})
    failed = {r["control"] for r in results if r["status"] == "FAIL"}
    if compliant:
        assert failed == {"S3.1"}  # the account-level block is the account's, not the stack's
    else:  # the drifted answers fail where a reviewer would look, through both readers
        assert {"S3.8", "S3.14", "S3.17", "KMS.4", "RDS.8", "DynamoDB.2", "IAM.1", "CORP.Backup.Lock", "RDS.26"} <= failed
    # Only what no role reads is asked again: the account's S3 block, the VPC's default group, ACLs and flow logs,
    # and the master secret.
    assert sorted(set(aws.calls)) == [
        "ec2:describe_flow_logs",
        "ec2:describe_network_acls",
        "ec2:describe_security_groups",
        "ec2:describe_vpcs",
        "s3control:get_public_access_block",
        "secretsmanager:describe_secret",
    ]


def test_a_resource_the_roles_did_not_read_or_left_changed_is_read_again():
    answers = aws_answers(True)
    seen = roles_reads(FakeAWS(answers))
    # A role that changed something publishes {} for its service; another resource's read is not this one's.
    seen["s3"] = {}
    seen["dynamodb"]["table"]["TableName"] = "corp-dynamodb-other-unit"
    seen["iam"]["policies"] = {}
    aws = FakeAWS(answers)
    state = security_controls_info.read_state(report_params(seen), aws)
    assert {"s3:get_bucket_versioning", "kms:describe_key", "dynamodb:describe_table", "iam:get_policy"} <= set(aws.calls)
    assert "rds:describe_db_instances" not in aws.calls and "backup:get_backup_plan" not in aws.calls
    assert state["dynamodb"][TABLE]["pitr"] == "ENABLED" and state["kms"][KEY_ARN] == {"rotation": True}


def test_a_provisioned_tables_auto_scaling_is_read_from_application_auto_scaling():
    answers = aws_answers(True)
    answers["dynamodb"]["describe_table"]["Table"]["BillingModeSummary"] = {"BillingMode": "PROVISIONED"}
    answers["application-autoscaling"] = {"describe_scalable_targets": {"ScalableTargets": [{"ScalableDimension": "dynamodb:table:ReadCapacityUnits"}]}}
    seen = roles_reads(FakeAWS(answers))
    assert observed.table(seen["dynamodb"], TABLE, with_tags=True) is observed.UNSEEN
    aws = FakeAWS(answers)
    state = security_controls_info.read_state(report_params(seen), aws)
    assert "application-autoscaling:describe_scalable_targets" in aws.calls and state["dynamodb"][TABLE]["autoscaling"] is False


def test_without_account_and_partition_the_report_asks_sts():
    aws = FakeAWS(aws_answers(True))
    params = report_params({}) | {"account_id": None, "partition": None}
    state = security_controls_info.read_state(params, aws)
    assert aws.calls.count("sts:get_caller_identity") == 1 and state["account"] == {"account_id": ACCOUNT, "partition": "aws"}
    assert f"arn:aws:iam::{ACCOUNT}:policy/corp-iam-dataaccess-unit" in state["iam"]
