"""The workload table (tests/policy/workloads.py) holds on the documents the builders write: the data access
policy as the iam role assembles it from corp.infra.tag_conditioned_policy and corp.infra.kms_context_policy,
the stack key's policy (corp.infra.stack_key_policy) and the data bucket's (corp.infra.s3_bucket_policy)."""

import functools
import tempfile
from pathlib import Path

import pytest
import yaml

from ansible_collections.corp.infra.plugins.module_utils.bucket_policy import bucket_policy
from ansible_collections.corp.infra.plugins.module_utils.endpoint_policy import gateway_endpoint_policy
from ansible_collections.corp.infra.plugins.module_utils.kms_policy import build_kms_policy
from ansible_collections.corp.infra.plugins.module_utils.kms_policy import stack_key_policy
from ansible_collections.corp.infra.plugins.module_utils.tag_policy import build_tag_policy
from tests.policy.evaluator import ALLOW
from tests.policy.workloads import OTHER
from tests.policy.workloads import WORKLOADS
from tests.policy.workloads import Documents
from tests.policy.workloads import Stack
from tests.policy.workloads import evaluate_row
from tests.policy.workloads import failures
from tests.policy.workloads import outcome

ROOT = Path(__file__).resolve().parents[3]
IAM_DEFAULTS = yaml.safe_load((ROOT / "roles" / "iam" / "defaults" / "main.yml").read_text())
S3_DEFAULTS = yaml.safe_load((ROOT / "roles" / "s3" / "defaults" / "main.yml").read_text())
PREFLIGHT_DEFAULTS = yaml.safe_load((ROOT / "roles" / "preflight" / "defaults" / "main.yml").read_text())
REGION = "eu-west-1"
THIS = Stack("prod", REGION, f"arn:aws:kms:{REGION}:123456789012:key/11111111-2222-3333-4444-555555555555")
ANOTHER = Stack(OTHER, REGION, f"arn:aws:kms:{REGION}:123456789012:key/66666666-7777-8888-9999-000000000000")


def data_access_policy(stack: Stack, levels: list[str], bucket_key: bool) -> dict:
    """The data access policy as roles/iam/tasks/roles.yml assembles it, with the role's defaults."""
    bucket, table = stack.bucket_arn.split(":::")[1], stack.table_arn.split("/")[1]
    dynamodb_levels = IAM_DEFAULTS["iam_data_access_dynamodb_levels"]
    statements = (
        build_tag_policy(
            {
                "service": "s3",
                "bucket_name": bucket,
                "tag_key": "Environment",
                "tag_value": stack.environment,
                "prefix": f"{stack.environment}/",
                "access": levels,
            }
        )["Statement"]
        + build_kms_policy(
            {
                "service": "s3",
                "key_arn": stack.key_arn,
                "bucket_name": bucket,
                "bucket_key_enabled": bucket_key,
                "access": ["read"] + (["write"] if "write" in levels else []),
            }
        )["Statement"]
        + build_tag_policy(
            {
                "service": "dynamodb",
                "table_name": table,
                "region": stack.region,
                "account_id": stack.account,
                "tag_key": "Environment",
                "tag_value": stack.environment,
                "access": dynamodb_levels,
            }
        )["Statement"]
        + build_kms_policy({"service": "dynamodb", "key_arn": stack.key_arn, "table_name": table, "access": dynamodb_levels})["Statement"]
    )
    return {"Version": "2012-10-17", "Statement": statements}


@functools.cache
def db_connect_policy(stack: Stack) -> dict:
    """The data access role's inline rds-db-connect policy as roles/iam/vars/main.yml writes it, with the role's defaults."""
    from tests.unit.role_vars import render_role_vars

    inventory = {
        "corp_environment": stack.environment,
        "corp_region": stack.region,
        "corp_aws_account_id": stack.account,
        "corp_aws_partition": "aws",
        "corp_name_prefix": "corp",
        "__iam_db_resource_id": stack.db_resource,
    }
    return render_role_vars("iam", inventory, ["__iam_db_connect_policy"], Path(tempfile.mkdtemp(prefix="corp-iam-vars-")))["__iam_db_connect_policy"]


def documents(stack: Stack, levels: list[str], bucket_key: bool) -> Documents:
    return Documents(
        identity=[data_access_policy(stack, levels, bucket_key), db_connect_policy(stack)],
        bucket=bucket_policy(stack.bucket_arn.split(":::")[1], "aws", [], [], S3_DEFAULTS["s3_min_tls_version"], True, stack.key_arn),
        key=stack_key_policy(stack.account, "aws", stack.region, S3_DEFAULTS["s3_key_usage_services"], [stack.log_group_arn]),
        s3_endpoint=gateway_endpoint_policy("s3", stack.account, "aws", stack.region, bucket_names=[stack.bucket_arn.split(":::")[1]]),
        dynamodb_endpoint=gateway_endpoint_policy("dynamodb", stack.account, "aws", stack.region, table_names=[stack.table_arn.split("/")[1]]),
    )


def test_the_role_defaults_are_the_levels_the_table_is_written_for():
    assert set(IAM_DEFAULTS["iam_data_access_s3_levels"]) == {"read", "write", "list"}
    assert IAM_DEFAULTS["iam_data_access_dynamodb_levels"] == ["read", "write"]
    assert PREFLIGHT_DEFAULTS["corp_s3_bucket_key_enabled"] is True


@pytest.mark.parametrize("bucket_key", [True, False], ids=["bucket-key-on", "bucket-key-off"])
@pytest.mark.parametrize("levels", [["read", "write", "list"], ["read", "write", "list", "delete"]], ids=["default-levels", "with-delete"])
def test_every_workload_row_holds_on_the_builders_documents(bucket_key, levels):
    rows = [r for r in WORKLOADS if r.levels == frozenset(levels) or (r.levels <= frozenset(levels) and r.own == ALLOW)]
    rows = [r for r in rows if r.bucket_key in (None, bucket_key)]
    this = documents(THIS, levels, bucket_key)
    other = documents(ANOTHER, levels, bucket_key)
    assert failures(rows, THIS, ANOTHER, this, other.identity) == []


def test_the_earlier_write_statement_fails_the_multipart_rows():
    # The statement issue 17 reported (PutObject only with the Environment request tag, no abort): the table
    # finds what AWS would refuse.
    policy = data_access_policy(THIS, ["read", "write", "list"], True)
    for statement in policy["Statement"]:
        if statement.get("Sid") == "ObjectsUnderTheEnvironmentPrefix":
            statement["Action"] = ["s3:PutObject"]
            statement["Condition"] = {"StringEquals": {"s3:RequestObjectTag/Environment": "prod"}}
    old = Documents([policy], documents(THIS, ["read"], True).bucket, documents(THIS, ["read"], True).key)
    found = failures([r for r in WORKLOADS if r.bucket_key in (None, True) and r.levels == frozenset({"read", "write", "list"})], THIS, ANOTHER, old, [])
    assert any(f.startswith("UploadPart (Bucket Key on): own role Deny") for f in found), found
    assert any(f.startswith("CompleteMultipartUpload (Bucket Key on): own role Deny") for f in found), found
    assert any(f.startswith("AbortMultipartUpload: own role Deny") for f in found), found


def test_bucket_key_context_must_follow_the_bucket():
    # Policies written for Bucket Keys on deny the object-ARN context S3 sends with them off, and the reverse.
    on, off = documents(THIS, ["read", "write", "list"], True), documents(THIS, ["read", "write", "list"], False)
    rows_off = [r for r in WORKLOADS if r.bucket_key is False]
    rows_on = [r for r in WORKLOADS if r.bucket_key is True]
    assert all(outcome(evaluate_row(r, THIS, THIS, on.identity, on)) == "Deny" for r in rows_off)
    assert all(outcome(evaluate_row(r, THIS, THIS, off.identity, off)) == "Deny" for r in rows_on)


def test_the_key_policy_grants_each_service_only_what_it_uses():
    policy = stack_key_policy("123456789012", "aws", REGION, ["s3", "dynamodb"])
    by_sid = {s["Sid"]: s for s in policy["Statement"]}
    assert by_sid["UseThroughS3"]["Action"] == ["kms:Decrypt", "kms:GenerateDataKey"]
    assert by_sid["UseThroughS3"]["Condition"]["StringEquals"]["kms:ViaService"] == f"s3.{REGION}.amazonaws.com"
    admin = by_sid["KeyAdministrationByTheAccount"]["Action"]
    assert not any(a in admin for a in ("kms:CreateGrant", "kms:Decrypt", "kms:Encrypt", "kms:*"))
    # A principal of the account cannot use the key directly, only through the two services.
    from tests.policy.evaluator import Request
    from tests.policy.evaluator import evaluate

    direct = Request("kms:Decrypt", THIS.key_arn, THIS.role_arn, THIS.account, {"kms:CallerAccount": THIS.account})
    anything = [{"Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}]
    assert evaluate(direct, identity=anything, key_policy=policy) != ALLOW
    encrypt_via_s3 = Request(
        "kms:Encrypt", THIS.key_arn, THIS.role_arn, THIS.account, {"kms:CallerAccount": THIS.account, "kms:ViaService": f"s3.{REGION}.amazonaws.com"}
    )
    assert evaluate(encrypt_via_s3, identity=anything, key_policy=policy) != ALLOW


def test_the_flow_log_rows_find_a_group_arn_where_describe_log_groups_needs_star():
    # The earlier FindTheFlowLogGroup statement (parliament: RESOURCE_MISMATCH): DescribeLogGroups is evaluated
    # against "*", which an ARN pattern never matches.
    from tests.policy.workloads import flow_log_failures

    group = "arn:aws:logs:eu-west-1:123456789012:log-group:corp-vpc-flowlogs-prod"
    trust = {
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "vpc-flow-logs.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}},
            }
        ]
    }
    deliver = {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"], "Resource": [group, f"{group}:*"]}
    earlier = {"Statement": [deliver, {"Effect": "Allow", "Action": "logs:DescribeLogGroups", "Resource": "arn:aws:logs:eu-west-1:123456789012:log-group:*"}]}
    now = {"Statement": [deliver, {"Effect": "Allow", "Action": "logs:DescribeLogGroups", "Resource": "*"}]}
    assert flow_log_failures(trust, earlier, environment="prod", region="eu-west-1") == ["the delivery role cannot logs:DescribeLogGroups on *"]
    assert flow_log_failures(trust, now, environment="prod", region="eu-west-1") == []
    unconditioned = {"Statement": [{**trust["Statement"][0], "Condition": {}}]}
    assert flow_log_failures(unconditioned, now, environment="prod", region="eu-west-1") == [
        "another account's flow log can assume the delivery role (confused deputy)"
    ]


def test_the_gateway_endpoints_let_only_this_accounts_requests_to_the_stacks_data_through():
    from tests.policy.evaluator import Request
    from tests.policy.evaluator import evaluate

    endpoint = documents(THIS, ["read", "write", "list"], True).s3_endpoint
    anything = [{"Statement": [{"Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"}]}]
    own = Request("s3:PutObject", f"{THIS.bucket_arn}/prod/x", THIS.role_arn, THIS.account)
    assert evaluate(own, identity=anything, endpoint=endpoint) == ALLOW
    # Data carried out of the VPC to a bucket that is not the stack's, even by a role allowed to write anywhere.
    elsewhere = Request("s3:PutObject", "arn:aws:s3:::somebody-elses-bucket/x", THIS.role_arn, THIS.account)
    assert evaluate(elsewhere, identity=anything, endpoint=endpoint) != ALLOW
    # Credentials of another account used inside the VPC.
    foreign = Request("s3:PutObject", f"{THIS.bucket_arn}/prod/x", "arn:aws:iam::444455556666:role/x", "444455556666", {"aws:PrincipalAccount": "444455556666"})
    assert evaluate(foreign, identity=anything, endpoint=endpoint) != ALLOW


def test_every_service_the_stack_key_encrypts_for_can_use_it_and_nothing_else():
    from tests.policy.workloads import key_use_failures

    policy = documents(THIS, ["read", "write", "list"], True).key
    assert key_use_failures(policy, THIS) == []
    # The other environment's flow log group is not this key's to encrypt.
    assert key_use_failures(policy, ANOTHER)[0].startswith("CloudWatch Logs encrypts and reads the flow log group's events: Deny")


def test_the_key_uses_find_a_key_policy_without_the_services_the_stack_encrypts_with():
    from tests.policy.workloads import key_use_failures

    # The key policy before one key served the whole stack: S3 and DynamoDB only.
    earlier = stack_key_policy(THIS.account, "aws", REGION, ["s3", "dynamodb"])
    assert [f.split(":")[0] for f in key_use_failures(earlier, THIS)] == [
        "CloudWatch Logs encrypts and reads the flow log group's events",
        "CreateDBInstance with the key",
        "Performance Insights writes and reads its data",
        "Secrets Manager stores and reads the RDS master user secret",
        "CreateBackupVault with the key",
    ]
    # The CloudWatch Logs statement of AWS's page without its condition lets the service encrypt any log group.
    loose = stack_key_policy(THIS.account, "aws", REGION, S3_DEFAULTS["s3_key_usage_services"], [THIS.log_group_arn])
    for statement in loose["Statement"]:
        if statement["Sid"] == "UseByCloudWatchLogsForTheStackLogGroups":
            del statement["Condition"]
    assert [f.split(":")[0] for f in key_use_failures(loose, THIS)] == [
        "CloudWatch Logs for a log group the stack does not own",
        "CloudWatch Logs with no log group as context",
    ]


def role_trusts(stack: Stack, services: list[str], tmp_path) -> tuple[dict, dict]:
    """The data access and monitoring trust policies as roles/iam/vars/main.yml writes them."""
    from tests.unit.role_vars import render_role_vars

    rendered = render_role_vars(
        "iam",
        {
            "corp_environment": stack.environment,
            "corp_region": stack.region,
            "corp_aws_account_id": stack.account,
            "corp_aws_partition": "aws",
            "corp_name_prefix": "corp",
            "iam_data_access_trusted_services": services,
        },
        ["__iam_data_access_trust_policy", "__iam_monitoring_trust_policy"],
        tmp_path,
    )
    return rendered["__iam_data_access_trust_policy"], rendered["__iam_monitoring_trust_policy"]


@pytest.mark.parametrize("services", [["ec2.amazonaws.com"], ["ec2.amazonaws.com", "ecs-tasks.amazonaws.com"]], ids=["default", "with-ecs-tasks"])
def test_the_roles_trust_each_service_for_this_account_and_environment_only(services, tmp_path):
    from tests.policy.workloads import trust_failures

    data, monitoring = role_trusts(THIS, services, tmp_path)
    assert trust_failures(data, monitoring, THIS, tuple(s for s in services if s != "ec2.amazonaws.com")) == []
    # The trusts before: the data role trusted its services with no condition, the monitoring role any instance.
    loose_data = {"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": services}}]}
    loose_monitoring = {"Statement": [{**monitoring["Statement"][0], "Condition": {"StringEquals": {"aws:SourceAccount": THIS.account}}}]}
    found = trust_failures(loose_data, loose_monitoring, THIS, tuple(s for s in services if s != "ec2.amazonaws.com"))
    assert "RDS can assume the monitoring role for another environment's database" in found
    if len(services) > 1:
        assert "ecs-tasks.amazonaws.com can assume the data access role for another account (confused deputy)" in found


def test_only_aws_backup_assumes_the_backup_role_and_never_for_another_account(tmp_path):
    from tests.policy.workloads import backup_trust_failures
    from tests.unit.role_vars import render_role_vars

    rendered = render_role_vars(
        "iam",
        {
            "corp_environment": THIS.environment,
            "corp_region": THIS.region,
            "corp_aws_account_id": THIS.account,
            "corp_aws_partition": "aws",
            "corp_name_prefix": "corp",
        },
        ["__iam_backup_trust_policy"],
        tmp_path,
    )
    trust = rendered["__iam_backup_trust_policy"]
    assert backup_trust_failures(trust, THIS) == []
    # A plain StringEquals would lock AWS Backup out if its request carries no source account; no condition at all
    # would let it act for another account's plan.
    strict = {"Statement": [{**trust["Statement"][0], "Condition": {"StringEquals": {"aws:SourceAccount": THIS.account}}}]}
    assert backup_trust_failures(strict, THIS) == ["AWS Backup cannot assume the backup role"]
    loose = {"Statement": [{**trust["Statement"][0], "Condition": {}}]}
    assert backup_trust_failures(loose, THIS) == ["AWS Backup can assume the backup role for another account (confused deputy)"]
