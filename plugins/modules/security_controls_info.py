#!/usr/bin/python
# Copyright: corp.infra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: security_controls_info
short_description: Check the live state of named AWS resources against Security Hub's foundational controls
version_added: 1.0.0
description:
  - Reads the live state of the resources it is given (buckets, KMS keys, DB instances and their master secrets,
    DynamoDB tables, VPCs, customer-managed IAM policies) and evaluates the AWS Security Hub Foundational Security
    Best Practices controls that apply to them - S3.1, S3.2, S3.3, S3.5, S3.8, S3.9, S3.12, S3.13, S3.14, S3.17,
    KMS.4, RDS.2, RDS.3, RDS.5, RDS.6, RDS.8, RDS.9, RDS.10, RDS.11, RDS.13, RDS.17, SecretsManager.1, DynamoDB.1,
    DynamoDB.2, DynamoDB.6, EC2.2, EC2.6, IAM.1, IAM.21.
  - One module call reads everything (one process, one boto3 session), so a scheduled compliance job is cheap.
  - It also resolves the account and partition of the credentials it reads with (one STS request), so a job
    needs no other module process to name the account in its report. Given O(account_id) and O(partition), it
    makes no STS request.
  - Given O(observed), it evaluates what the service roles already read in this run, for the resources they left
    unchanged, and reads only the rest.
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
  partition:
    description:
      - The partition of O(account_id) (C(aws), C(aws-cn), C(aws-us-gov)), for the ARNs of O(iam_policy_names).
      - With O(account_id), the module trusts both and does not ask STS; the caller has checked the credentials
        (the account role does).
    type: str
  observed:
    description:
      - What the service roles' readers returned earlier in this run, for the resources they did not change since.
        Each resource found here is evaluated as read there; every other one is read.
      - The verify role passes C(corp_observed_state), which site.yml's roles fill; a standalone compliance job
        passes nothing and reads everything.
    type: dict
    default: {}
    suboptions:
      s3:
        description: corp.infra.s3_state_info's result, with C(key_alias) (the alias it read the key by).
        type: dict
      network:
        description: corp.infra.network_state_info's result (its C(log_group)).
        type: dict
      iam:
        description: corp.infra.iam_state_info's result (its C(policies)).
        type: dict
      rds:
        description: corp.infra.rds_state_info's result (its C(instance)).
        type: dict
      dynamodb:
        description: corp.infra.dynamodb_state_info's result (an on-demand table; a provisioned one is read).
        type: dict
      backup:
        description: corp.infra.backup_state_info's result (its C(vault), C(plan) and C(selections)).
        type: dict
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
  backup_plans:
    description:
      - AWS Backup plans, by name. With them, RDS.26 and DynamoDB.4 check that one of their selections assigns each of
        O(db_instance_identifiers) and O(dynamodb_tables) to a plan whose rule targets a vault.
    type: list
    elements: str
    default: []
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


import threading
from functools import partial

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.corp.infra.plugins.module_utils import observed
from ansible_collections.corp.infra.plugins.module_utils import reads
from ansible_collections.corp.infra.plugins.module_utils.backup_reads import read_plan
from ansible_collections.corp.infra.plugins.module_utils.backup_reads import read_selections
from ansible_collections.corp.infra.plugins.module_utils.backup_reads import read_vault
from ansible_collections.corp.infra.plugins.module_utils.compliance import evaluate
from ansible_collections.corp.infra.plugins.module_utils.compliance import summary
from ansible_collections.corp.infra.plugins.module_utils.compliance import summary_lines
from ansible_collections.corp.infra.plugins.module_utils.reads import all_pages
from ansible_collections.corp.infra.plugins.module_utils.reads import concurrently
from ansible_collections.corp.infra.plugins.module_utils.reads import run_reader

ARGUMENT_SPEC = dict(
    buckets=dict(
        type="list",
        elements="dict",
        default=[],
        options=dict(name=dict(type="str", required=True), role=dict(type="str", choices=["data", "logs"], default="data")),
    ),
    account_id=dict(type="str"),
    partition=dict(type="str"),
    observed=dict(
        type="dict",
        default={},
        options={service: dict(type="dict") for service in ("s3", "network", "iam", "rds", "dynamodb", "backup")},
    ),
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


def read_bucket(reader, name, role):
    # The one bucket read (corp.infra.s3_state_info's), seen as observed.bucket sees what the s3 role read.
    found = reads.read_bucket(reader.client("s3"), name)
    return observed.bucket({"buckets": [found]}, name, role) if found["exists"] else None


def read_key(reader, key):
    """``(name, key)``: by ARN when found, else by the name given and None."""
    kms = reader.client("kms")
    described = _or_none(lambda: kms.describe_key(aws_retry=True, KeyId=key), "NotFoundException")
    if described is None:
        return key, None
    arn = described["KeyMetadata"]["Arn"]  # GetKeyRotationStatus takes no alias
    return arn, {"rotation": kms.get_key_rotation_status(aws_retry=True, KeyId=arn).get("KeyRotationEnabled")}


def read_table(reader, name, with_tags):
    dynamodb = reader.client("dynamodb")
    found = _or_none(lambda: dynamodb.describe_table(aws_retry=True, TableName=name), "ResourceNotFoundException")
    if found is None:
        return None
    table = found["Table"]
    backups = dynamodb.describe_continuous_backups(aws_retry=True, TableName=name)["ContinuousBackupsDescription"]
    targets = []
    if observed.billing_mode_of(table) == "PROVISIONED":
        autoscaling = reader.client("application-autoscaling")
        targets = autoscaling.describe_scalable_targets(aws_retry=True, ServiceNamespace="dynamodb", ResourceIds=[f"table/{name}"])["ScalableTargets"]
    tags = None
    if with_tags:  # the tags a backup selection's conditions match
        tags = boto3_tag_list_to_ansible_dict(all_pages(dynamodb, "list_tags_of_resource", "Tags", ResourceArn=table["TableArn"]))
    return observed.table_state(table, backups, len(targets) >= 2, tags)


def read_vpc(reader, vpc):
    """``(name, state)`` of a VPC by id or Name tag (None when missing)."""
    ec2 = reader.client("ec2")
    vpc_id = vpc
    if not vpc.startswith("vpc-"):
        found = ec2.describe_vpcs(aws_retry=True, Filters=[{"Name": "tag:Name", "Values": [vpc]}])["Vpcs"]
        if not found:
            return vpc, None
        vpc_id = found[0]["VpcId"]
    groups = ec2.describe_security_groups(aws_retry=True, Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "group-name", "Values": ["default"]}])
    if not groups["SecurityGroups"]:
        return vpc, None
    found = concurrently(
        {
            "flow_logs": partial(ec2.describe_flow_logs, aws_retry=True, Filters=[{"Name": "resource-id", "Values": [vpc_id]}]),
            "acls": partial(ec2.describe_network_acls, aws_retry=True, Filters=[{"Name": "vpc-id", "Values": [vpc_id]}]),
        }
    )
    flow_logs, acls = found["flow_logs"]["FlowLogs"], found["acls"]["NetworkAcls"]
    return vpc if vpc == vpc_id else f"{vpc} ({vpc_id})", {
        "default_security_group": groups["SecurityGroups"][0],
        "network_acls": acls,
        "flow_logs": [f for f in flow_logs if f.get("FlowLogStatus") == "ACTIVE" and f.get("DeliverLogsStatus", "SUCCESS") == "SUCCESS"],
    }


def read_db_instance(reader, name):
    found = _or_none(lambda: reader.client("rds").describe_db_instances(aws_retry=True, DBInstanceIdentifier=name), "DBInstanceNotFound")
    return found["DBInstances"][0] if found else None


def read_policy_document(reader, arn):
    # The one managed policy read (corp.infra.iam_state_info's), seen as observed.policy_document sees that role's.
    return observed.policy_document({"policies": {arn: reads.read_managed_policy(reader.client("iam"), arn)}}, arn)


class Reader:
    """Each resource from ``observed`` (what this run's roles read and left unchanged) when it is there, else from AWS,
    with one client per service, made when first needed (under a lock: reads run side by side, the session is not
    thread-safe)."""

    def __init__(self, aws, seen):
        self.aws, self.seen, self.clients = aws, seen, {}
        self.retry = AWSRetry.jittered_backoff()
        self.lock = threading.Lock()

    def client(self, service):
        with self.lock:
            if service not in self.clients:
                self.clients[service] = self.aws.client(service, retry_decorator=self.retry)
            return self.clients[service]

    def get(self, service, observe, read, *args):
        """``observe(observed[service], *args)``, or ``read(self, *args)`` when that is UNSEEN."""
        found = observe(self.seen[service], *args) if self.seen.get(service) else observed.UNSEEN
        return read(self, *args) if found is observed.UNSEEN else found


def caller(params, reader):
    """The account and partition: as given, or as STS says for these credentials."""
    if params["account_id"] and params["partition"]:
        return {"account_id": params["account_id"], "partition": params["partition"]}
    identity = reader.client("sts").get_caller_identity(aws_retry=True)
    return {"account_id": identity["Account"], "partition": identity["Arn"].split(":")[1]}


def read_secret(reader, arn):
    secrets = reader.client("secretsmanager")
    return _or_none(lambda: secrets.describe_secret(aws_retry=True, SecretId=arn), "ResourceNotFoundException")


def read_log_group(reader, name):
    groups = all_pages(reader.client("logs"), "describe_log_groups", "logGroups", logGroupNamePrefix=name)
    return next((g for g in groups if g["logGroupName"] == name), None)


def read_account_public_access_block(reader, account_id):
    s3control = reader.client("s3control")
    found = _or_none(lambda: s3control.get_public_access_block(aws_retry=True, AccountId=account_id), "NoSuchPublicAccessBlockConfiguration")
    return (found or {}).get("PublicAccessBlockConfiguration")


def read_db_and_secret(reader, name):
    """``(instance, {secret name: secret})``: the instance (None when missing) and its master user secret."""
    db = reader.get("rds", observed.db_instance, read_db_instance, name)
    secret_arn = ((db or {}).get("MasterUserSecret") or {}).get("SecretArn")
    if secret_arn:
        return db, {secret_arn: read_secret(reader, secret_arn)}
    return db, {f"{name} master password": None} if db else {}


def read_state(params, aws):
    reader = Reader(aws, params["observed"] or {})
    state = {"s3": {"buckets": {}}, "kms": {}, "rds": {}, "secrets": {}, "dynamodb": {}, "ec2": {}, "iam": {}, "logs": {}}
    state["account"] = account = caller(params, reader)
    policies = params["iam_policy_arns"] + [f"arn:{account['partition']}:iam::{account['account_id']}:policy/{name}" for name in params["iam_policy_names"]]
    # Every resource side by side, each from what a role read when it did; assembled below in the order asked.
    calls = {("account_public_access_block",): partial(read_account_public_access_block, reader, params["account_id"] or account["account_id"])}
    calls.update({("bucket", b["name"]): partial(reader.get, "s3", observed.bucket, read_bucket, b["name"], b["role"]) for b in params["buckets"]})
    calls.update({("key", key): partial(reader.get, "s3", observed.key, read_key, key) for key in params["kms_keys"]})
    calls.update({("db", name): partial(read_db_and_secret, reader, name) for name in params["db_instance_identifiers"]})
    # With backup plans, the tables' tags: what a backup selection's conditions match.
    with_tags = bool(params["backup_plans"])
    calls.update({("table", name): partial(reader.get, "dynamodb", observed.table, read_table, name, with_tags) for name in params["dynamodb_tables"]})
    calls.update({("vpc", vpc): partial(read_vpc, reader, vpc) for vpc in params["vpcs"]})
    calls.update({("log_group", name): partial(reader.get, "network", observed.log_group, read_log_group, name) for name in params["log_groups"]})
    calls.update({("policy", arn): partial(reader.get, "iam", observed.policy_document, read_policy_document, arn) for arn in policies})
    calls.update({("vault", name): partial(reader.get, "backup", observed.vault, read_untagged_vault, name) for name in params["backup_vaults"]})
    calls.update({("plan", name): partial(reader.get, "backup", observed.plan, read_plan_with_selections, name) for name in params["backup_plans"]})
    found = concurrently(calls)

    state["s3"]["account_public_access_block"] = found[("account_public_access_block",)]
    for bucket in params["buckets"]:
        state["s3"]["buckets"][bucket["name"]] = found[("bucket", bucket["name"])]
    for key in params["kms_keys"]:
        arn, described = found[("key", key)]
        state["kms"][arn] = described
    state["stack_keys"] = [arn for arn, key in state["kms"].items() if key is not None] + params["customer_managed_key_arns"]
    for name in params["db_instance_identifiers"]:
        state["rds"][name], secrets = found[("db", name)]
        state["secrets"].update(secrets)
    for name in params["dynamodb_tables"]:
        state["dynamodb"][name] = found[("table", name)]
    for vpc in params["vpcs"]:
        name, described = found[("vpc", vpc)]
        state["ec2"][name] = described
    for name in params["log_groups"]:
        state["logs"][name] = found[("log_group", name)]
    for arn in policies:
        state["iam"][arn] = found[("policy", arn)]
    if params["backup_vaults"] or params["backup_plans"]:
        state["backup"] = {
            "vaults": {name: found[("vault", name)] for name in params["backup_vaults"]},
            "plans": {name: found[("plan", name)] for name in params["backup_plans"]},
        }
    return state


def read_untagged_vault(reader, name):
    return read_vault(reader.client("backup"), name, with_tags=False) or None


def read_plan_with_selections(reader, name):
    """The plan (None when missing) with ``Selections``: each of its BackupSelections."""
    backup = reader.client("backup")
    plan = read_plan(backup, name, with_tags=False)
    if not plan:
        return None
    plan["Selections"] = [selection["BackupSelection"] for selection in read_selections(backup, plan["BackupPlanId"])]
    return plan


def read(params, aws):
    state = read_state(params, aws)
    results = evaluate(state, params["waivers"])
    return dict(results=results, summary=summary(results), summary_lines=summary_lines(results), **state["account"])


def main():
    run_reader(ARGUMENT_SPEC, read, FAILURE)


if __name__ == "__main__":
    main()
