#!/usr/bin/python
# Copyright: corp.infra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: security_controls_info
short_description: Check the live state of named AWS resources against Security Hub's foundational controls
version_added: 0.2.0
description:
  - Reads the live state of the resources it is given (buckets, KMS keys, DB instances and their master secrets,
    DynamoDB tables, VPCs, customer-managed IAM policies) and evaluates the AWS Security Hub Foundational Security
    Best Practices controls that apply to them - S3.1, S3.2, S3.3, S3.5, S3.8, S3.9, S3.12, S3.13, S3.14, S3.17,
    KMS.4, RDS.2, RDS.3, RDS.5, RDS.6, RDS.8, RDS.9, RDS.10, RDS.11, RDS.13, RDS.17, SecretsManager.1, DynamoDB.1,
    DynamoDB.2, DynamoDB.6, EC2.2, EC2.6, IAM.1, IAM.21.
  - One module call reads everything (one process, one boto3 session), so a scheduled compliance job is cheap.
  - It also resolves the account and partition of the credentials it reads with (one STS request), so a job
    needs no other module process to name the account in its report.
  - Only reads; a resource that does not exist fails its controls.
author:
  - Corp Platform Team (@corp-platform)
options:
  buckets:
    description: S3 buckets, each with its C(role) - C(data) (also checked for S3.9, S3.13, S3.17) or C(logs).
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: The bucket.
        type: str
        required: true
      role:
        description: What the bucket is for.
        type: str
        choices: [data, logs]
        default: data
  account_id:
    description:
      - The account whose account-level S3 Block Public Access (S3.1) is read.
      - Default is the account of the credentials (RV(account_id)).
    type: str
  kms_keys:
    description:
      - Customer-managed KMS keys (KMS.4), by ARN, id or alias.
      - They are also the keys the CORP.KMS controls expect the stack's encrypted resources to use - the data
        buckets, the tables, RDS storage, Performance Insights and master user secrets, and O(log_groups).
    type: list
    elements: str
    default: []
  customer_managed_key_arns:
    description:
      - Other customer-managed keys, by ARN, that the CORP.KMS controls accept (keys a user named instead of the
        stack key).
    type: list
    elements: str
    default: []
  log_groups:
    description: CloudWatch Logs log groups, by name, whose key the C(CORP.KMS.Logs) control checks.
    type: list
    elements: str
    default: []
  db_instance_identifiers:
    description: RDS DB instances (RDS controls, and SecretsManager.1 for their RDS-managed master secret).
    type: list
    elements: str
    default: []
  dynamodb_tables:
    description: DynamoDB tables.
    type: list
    elements: str
    default: []
  vpcs:
    description: VPCs by id (C(vpc-...)) or C(Name) tag (EC2.2 on their default security group, EC2.6, EC2.21 on their network ACLs).
    type: list
    elements: str
    default: []
  iam_policy_arns:
    description: Customer-managed IAM policies (IAM.1, IAM.21), by ARN.
    type: list
    elements: str
    default: []
  iam_policy_names:
    description:
      - Customer-managed IAM policies (IAM.1, IAM.21) at path C(/) of the credentials' account, by name.
      - Results name them by ARN.
    type: list
    elements: str
    default: []
  backup_vaults:
    description: AWS Backup vaults, by name (C(CORP.Backup.Lock), and C(CORP.KMS.Backup) on their key).
    type: list
    elements: str
    default: []
    version_added: 0.2.0
  backup_plans:
    description:
      - AWS Backup plans, by name. With them, RDS.26 and DynamoDB.4 check that one of their selections assigns each of
        O(db_instance_identifiers) and O(dynamodb_tables) to a plan whose rule targets a vault.
    type: list
    elements: str
    default: []
    version_added: 0.2.0
  waivers:
    description: Control ids whose failures are accepted, each with the reason shown in the report.
    type: dict
    default: {}
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - corp.infra.read_only
attributes:
  platform:
    support: full
    platforms: aws
    description: Reads STS, S3, S3 Control, KMS, RDS, Secrets Manager, DynamoDB, Application Auto Scaling, EC2, IAM, CloudWatch Logs and AWS Backup.
notes:
  - "IAM actions: C(sts:GetCallerIdentity) (which needs no permission), C(s3:GetBucketPublicAccessBlock), C(s3:GetBucketPolicy),
    C(s3:GetBucketOwnershipControls),
    C(s3:GetBucketVersioning), C(s3:GetBucketLogging), C(s3:GetBucketNotification), C(s3:GetLifecycleConfiguration), C(s3:GetEncryptionConfiguration),
    C(s3:GetAccountPublicAccessBlock), C(kms:DescribeKey), C(kms:GetKeyRotationStatus), C(rds:DescribeDBInstances),
    C(secretsmanager:DescribeSecret), C(dynamodb:DescribeTable), C(dynamodb:DescribeContinuousBackups),
    C(application-autoscaling:DescribeScalableTargets), C(ec2:DescribeVpcs), C(ec2:DescribeSecurityGroups), C(ec2:DescribeFlowLogs), C(ec2:DescribeNetworkAcls),
    C(iam:GetPolicy), C(iam:GetPolicyVersion), C(logs:DescribeLogGroups), C(backup:DescribeBackupVault), C(backup:ListBackupPlans),
    C(backup:GetBackupPlan), C(backup:ListBackupSelections), C(backup:GetBackupSelection), C(dynamodb:ListTagsOfResource) (with O(backup_plans))."
  - The C(CORP.KMS.*) controls are corp.infra's own. Security Hub has no control for which key a resource uses.
    They pass when each encrypted resource uses one of O(kms_keys) or O(customer_managed_key_arns).
"""

EXAMPLES = r"""
- name: Check the prod stack
  corp.infra.security_controls_info:
    buckets:
      - {name: corp-s3-securedata-prod, role: data}
      - {name: corp-s3-accesslogs-prod, role: logs}
    kms_keys: [alias/corp-kms-data-prod]
    log_groups: [corp-vpc-flowlogs-prod]
    db_instance_identifiers: [corp-rds-main-prod]
    dynamodb_tables: [corp-dynamodb-main-prod]
    vpcs: [corp-vpc-main-prod]
    iam_policy_names: [corp-iam-dataaccess-prod]
  register: compliance
"""

RETURN = r"""
account_id:
  description: The account of the credentials the module read with.
  returned: always
  type: str
  sample: "123456789012"
partition:
  description: The partition of that account (C(aws), C(aws-cn), C(aws-us-gov)).
  returned: always
  type: str
  sample: aws
results:
  description: One result per control and resource.
  returned: always
  type: list
  elements: dict
  contains:
    control:
      description: The Security Hub control id.
      type: str
      sample: RDS.8
    resource:
      description: The resource checked.
      type: str
      sample: corp-rds-main-prod
    status:
      description: C(PASS), C(FAIL), or C(WAIVED) (a failure accepted by O(waivers)).
      type: str
    reason:
      description: One line on why.
      type: str
      sample: deletion protection on
summary_lines:
  description: A short table of pass / fail / waived per service, then one line per result that did not pass.
  returned: always
  type: list
  elements: str
summary:
  description: How many results have each status.
  returned: always
  type: dict
  sample: {"PASS": 41, "FAIL": 0, "WAIVED": 2}
"""

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.corp.infra.plugins.module_utils.backup_reads import read_plan
from ansible_collections.corp.infra.plugins.module_utils.backup_reads import read_selections
from ansible_collections.corp.infra.plugins.module_utils.backup_reads import read_vault
from ansible_collections.corp.infra.plugins.module_utils.compliance import evaluate
from ansible_collections.corp.infra.plugins.module_utils.compliance import summary
from ansible_collections.corp.infra.plugins.module_utils.compliance import summary_lines
from ansible_collections.corp.infra.plugins.module_utils.reads import all_pages
from ansible_collections.corp.infra.plugins.module_utils.reads import run_reader

ARGUMENT_SPEC = dict(
    buckets=dict(
        type="list",
        elements="dict",
        default=[],
        options=dict(name=dict(type="str", required=True), role=dict(type="str", choices=["data", "logs"], default="data")),
    ),
    account_id=dict(type="str"),
    kms_keys=dict(type="list", elements="str", default=[], no_log=False),
    customer_managed_key_arns=dict(type="list", elements="str", default=[], no_log=False),
    log_groups=dict(type="list", elements="str", default=[]),
    db_instance_identifiers=dict(type="list", elements="str", default=[]),
    dynamodb_tables=dict(type="list", elements="str", default=[]),
    vpcs=dict(type="list", elements="str", default=[]),
    iam_policy_arns=dict(type="list", elements="str", default=[]),
    iam_policy_names=dict(type="list", elements="str", default=[]),
    backup_vaults=dict(type="list", elements="str", default=[]),
    backup_plans=dict(type="list", elements="str", default=[]),
    waivers=dict(type="dict", default={}),
)
FAILURE = "Failed to read the live state for the compliance checks"


def _or_none(call, *codes):
    """``call()``, or None when AWS answers one of ``codes`` (the thing is absent)."""
    try:
        return call()
    except is_boto3_error_code(list(codes)):
        return None


def read_bucket(s3, name, role):
    if _or_none(lambda: s3.head_bucket(aws_retry=True, Bucket=name), "404", "NoSuchBucket", "NotFound") is None:
        return None
    block = _or_none(lambda: s3.get_public_access_block(aws_retry=True, Bucket=name), "NoSuchPublicAccessBlockConfiguration")
    policy = _or_none(lambda: s3.get_bucket_policy(aws_retry=True, Bucket=name), "NoSuchBucketPolicy")
    ownership = _or_none(lambda: s3.get_bucket_ownership_controls(aws_retry=True, Bucket=name), "OwnershipControlsNotFoundError")
    bucket = {
        "role": role,
        "public_access_block": (block or {}).get("PublicAccessBlockConfiguration"),
        "policy": (policy or {}).get("Policy"),
        "ownership": ((ownership or {}).get("OwnershipControls", {}).get("Rules") or [{}])[0].get("ObjectOwnership"),
        "versioning": s3.get_bucket_versioning(aws_retry=True, Bucket=name).get("Status"),
    }
    if role == "data":
        encryption = _or_none(lambda: s3.get_bucket_encryption(aws_retry=True, Bucket=name), "ServerSideEncryptionConfigurationNotFoundError")
        lifecycle = _or_none(lambda: s3.get_bucket_lifecycle_configuration(aws_retry=True, Bucket=name), "NoSuchLifecycleConfiguration")
        notifications = s3.get_bucket_notification_configuration(aws_retry=True, Bucket=name)
        bucket.update(
            notifications=sorted(k for k in notifications if k.endswith("Configuration") or (k.endswith("Configurations") and notifications[k])),
            logging=s3.get_bucket_logging(aws_retry=True, Bucket=name).get("LoggingEnabled"),
            lifecycle=(lifecycle or {}).get("Rules"),
            encryption=((encryption or {}).get("ServerSideEncryptionConfiguration", {}).get("Rules") or [{}])[0],
        )
    return bucket


def read_state(params, aws):
    retry = AWSRetry.jittered_backoff()
    caller = aws.client("sts", retry_decorator=retry).get_caller_identity(aws_retry=True)
    partition = caller["Arn"].split(":")[1]
    state = {"s3": {"buckets": {}}, "kms": {}, "rds": {}, "secrets": {}, "dynamodb": {}, "ec2": {}, "iam": {}, "logs": {}}
    state["account"] = {"account_id": caller["Account"], "partition": partition}
    account_id = params["account_id"] or caller["Account"]
    if params["buckets"]:
        s3 = aws.client("s3", retry_decorator=retry)
        for bucket in params["buckets"]:
            state["s3"]["buckets"][bucket["name"]] = read_bucket(s3, bucket["name"], bucket["role"])
    s3control = aws.client("s3control", retry_decorator=retry)
    found = _or_none(lambda: s3control.get_public_access_block(aws_retry=True, AccountId=account_id), "NoSuchPublicAccessBlockConfiguration")
    state["s3"]["account_public_access_block"] = (found or {}).get("PublicAccessBlockConfiguration")
    if params["kms_keys"]:
        kms = aws.client("kms", retry_decorator=retry)
        for key in params["kms_keys"]:
            described = _or_none(lambda key=key: kms.describe_key(aws_retry=True, KeyId=key), "NotFoundException")
            if described is None:
                state["kms"][key] = None
                continue
            arn = described["KeyMetadata"]["Arn"]  # GetKeyRotationStatus takes no alias
            state["kms"][arn] = {"rotation": kms.get_key_rotation_status(aws_retry=True, KeyId=arn).get("KeyRotationEnabled")}
    state["stack_keys"] = [arn for arn, key in state["kms"].items() if key is not None] + params["customer_managed_key_arns"]
    if params["db_instance_identifiers"]:
        rds = aws.client("rds", retry_decorator=retry)
        secrets = aws.client("secretsmanager", retry_decorator=retry)
        for name in params["db_instance_identifiers"]:
            found = _or_none(lambda name=name: rds.describe_db_instances(aws_retry=True, DBInstanceIdentifier=name), "DBInstanceNotFound")
            db = found["DBInstances"][0] if found else None
            state["rds"][name] = db
            secret_arn = ((db or {}).get("MasterUserSecret") or {}).get("SecretArn")
            if secret_arn:
                state["secrets"][secret_arn] = _or_none(
                    lambda arn=secret_arn: secrets.describe_secret(aws_retry=True, SecretId=arn), "ResourceNotFoundException"
                )
            elif db is not None:
                state["secrets"][f"{name} master password"] = None
    if params["dynamodb_tables"]:
        dynamodb = aws.client("dynamodb", retry_decorator=retry)
        autoscaling = aws.client("application-autoscaling", retry_decorator=retry)
        for name in params["dynamodb_tables"]:
            found = _or_none(lambda name=name: dynamodb.describe_table(aws_retry=True, TableName=name), "ResourceNotFoundException")
            if found is None:
                state["dynamodb"][name] = None
                continue
            table = found["Table"]
            billing_mode = (table.get("BillingModeSummary") or {}).get("BillingMode") or "PROVISIONED"
            backups = dynamodb.describe_continuous_backups(aws_retry=True, TableName=name)["ContinuousBackupsDescription"]
            targets = []
            if billing_mode == "PROVISIONED":
                targets = autoscaling.describe_scalable_targets(aws_retry=True, ServiceNamespace="dynamodb", ResourceIds=[f"table/{name}"])["ScalableTargets"]
            state["dynamodb"][name] = {
                "billing_mode": billing_mode,
                "autoscaling": len(targets) >= 2,
                "pitr": (backups.get("PointInTimeRecoveryDescription") or {}).get("PointInTimeRecoveryStatus"),
                "deletion_protection": table.get("DeletionProtectionEnabled"),
                "kms_key_arn": (table.get("SSEDescription") or {}).get("KMSMasterKeyArn"),
                "arn": table.get("TableArn"),
            }
            if params["backup_plans"]:
                # The tags a backup selection's conditions match.
                tags = all_pages(dynamodb, "list_tags_of_resource", "Tags", ResourceArn=table["TableArn"])
                state["dynamodb"][name]["tags"] = {t["Key"]: t["Value"] for t in tags}
    if params["vpcs"]:
        ec2 = aws.client("ec2", retry_decorator=retry)
        for vpc in params["vpcs"]:
            vpc_id = vpc
            if not vpc.startswith("vpc-"):
                found = ec2.describe_vpcs(aws_retry=True, Filters=[{"Name": "tag:Name", "Values": [vpc]}])["Vpcs"]
                if not found:
                    state["ec2"][vpc] = None
                    continue
                vpc_id = found[0]["VpcId"]
            groups = ec2.describe_security_groups(
                aws_retry=True, Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "group-name", "Values": ["default"]}]
            )
            if not groups["SecurityGroups"]:
                state["ec2"][vpc] = None
                continue
            flow_logs = ec2.describe_flow_logs(aws_retry=True, Filters=[{"Name": "resource-id", "Values": [vpc_id]}])["FlowLogs"]
            acls = ec2.describe_network_acls(aws_retry=True, Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["NetworkAcls"]
            state["ec2"][vpc if vpc == vpc_id else f"{vpc} ({vpc_id})"] = {
                "default_security_group": groups["SecurityGroups"][0],
                "network_acls": acls,
                "flow_logs": [f for f in flow_logs if f.get("FlowLogStatus") == "ACTIVE" and f.get("DeliverLogsStatus", "SUCCESS") == "SUCCESS"],
            }
    if params["log_groups"]:
        logs = aws.client("logs", retry_decorator=retry)
        for name in params["log_groups"]:
            groups = logs.describe_log_groups(aws_retry=True, logGroupNamePrefix=name)["logGroups"]
            state["logs"][name] = next((g for g in groups if g["logGroupName"] == name), None)
    policy_arns = params["iam_policy_arns"] + [f"arn:{partition}:iam::{caller['Account']}:policy/{name}" for name in params["iam_policy_names"]]
    if policy_arns:
        iam = aws.client("iam", retry_decorator=retry)
        for arn in policy_arns:
            policy = _or_none(lambda arn=arn: iam.get_policy(aws_retry=True, PolicyArn=arn), "NoSuchEntity")
            document = None
            if policy:
                version = iam.get_policy_version(aws_retry=True, PolicyArn=arn, VersionId=policy["Policy"]["DefaultVersionId"])
                document = version["PolicyVersion"]["Document"]
            state["iam"][arn] = document
    if params["backup_vaults"] or params["backup_plans"]:
        state["backup"] = read_backup(aws.client("backup", retry_decorator=retry), params["backup_vaults"], params["backup_plans"])
    return state


def read_backup(backup, vault_names, plan_names):
    """The vaults by name (None when missing), and the plans by name with their selections (``Selections``: each BackupSelection)."""
    vaults = {name: read_vault(backup, name, with_tags=False) or None for name in vault_names}
    plans = {}
    for name in plan_names:
        plan = read_plan(backup, name, with_tags=False)
        if plan:
            plan["Selections"] = [selection["BackupSelection"] for selection in read_selections(backup, plan["BackupPlanId"])]
        plans[name] = plan or None
    return {"vaults": vaults, "plans": plans}


def read(params, aws):
    state = read_state(params, aws)
    results = evaluate(state, params["waivers"])
    return dict(results=results, summary=summary(results), summary_lines=summary_lines(results), **state["account"])


def main():
    run_reader(ARGUMENT_SPEC, read, FAILURE)


if __name__ == "__main__":
    main()
