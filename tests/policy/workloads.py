"""What an application of one environment does with the stack, as the requests AWS authorises, and whether the
stack's policy documents let it: the workload table of issue 17.

Each row is one operation a client performs. It lists the authorisation requests AWS makes for it (the IAM
action, the resource, the request-context keys present; a key not listed is absent) and where AWS documents
them, and the expected decision for the environment's own data access role and for another environment's.
evaluate_row() runs a row against a set of documents: the data access role's identity policy, the bucket
policy, the key policy, and the gateway endpoint policy the request goes through (when the stack writes one).

The documents come from two places: the builders (tests/unit/policy/test_workloads.py) and a converged stack read
back from the emulator (tests/integration/test_stack_drift.py). The same table holds for both.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from typing import Any

from tests.policy.evaluator import ALLOW
from tests.policy.evaluator import Request
from tests.policy.evaluator import evaluate

ACCOUNT = "123456789012"
OTHER = "other"  # the environment whose role tries this environment's data

S3_MULTIPART = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html#mpuAndPermissions"
S3_TAGGING = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/tagging-and-policies.html"
S3_SSE_KMS = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html"
S3_BUCKET_KEY = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-key.html"
S3_LIST = "https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html"
S3_KEYS = "https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html"
DYNAMODB_KEYS = "https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazondynamodb.html"
DYNAMODB_KMS = "https://docs.aws.amazon.com/kms/latest/developerguide/services-dynamodb.html"
RDS_IAM_AUTH = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.IAMPolicy.html"


@dataclass(frozen=True)
class Stack:
    """The names of one environment's resources, as corp.infra.resource_name builds them."""

    environment: str
    region: str
    key_arn: str
    account: str = ACCOUNT
    # The database's DbiResourceId (RDS assigns it at creation): the tests pick one per environment, a converged
    # stack reports its own.
    db_resource_id: str = ""

    @property
    def db_resource(self) -> str:
        return self.db_resource_id or f"db-{self.environment.upper()}RESOURCEID0123456789"

    @property
    def bucket_arn(self) -> str:
        return f"arn:aws:s3:::corp-s3-securedata-{self.environment}"

    @property
    def table_arn(self) -> str:
        return f"arn:aws:dynamodb:{self.region}:{self.account}:table/corp-dynamodb-main-{self.environment}"

    @property
    def log_group_arn(self) -> str:
        return f"arn:aws:logs:{self.region}:{self.account}:log-group:corp-vpc-flowlogs-{self.environment}"

    @property
    def role_arn(self) -> str:
        return f"arn:aws:iam::{self.account}:role/corp-iam-dataaccess-{self.environment}"


@dataclass(frozen=True)
class Call:
    """One authorisation request: action, resource and context, with {env}, {bucket_arn}... filled in per stack."""

    action: str
    resource: str
    context: dict[str, Any] = field(default_factory=dict)
    kms: bool = False  # a KMS request a service makes on the caller's behalf (the key policy decides too)


@dataclass(frozen=True)
class Workload:
    name: str
    calls: tuple[Call, ...]
    source: str
    own: str  # expected decision for the environment's own role: ALLOW or "Deny" (explicit or implicit)
    bucket_key: bool | None = None  # the row holds only for this S3 Bucket Key setting
    levels: frozenset[str] = frozenset({"read", "write", "list"})  # the S3 access levels the row is written for


TLS = {"aws:SecureTransport": "true", "s3:TlsVersion": "1.3"}
TAGGED = {"s3:RequestObjectTag/Environment": "{env}", "s3:RequestObjectTagKeys": ["Environment"]}
OBJECT = "{bucket_arn}/{env}/exports/2026-12-04.parquet"


def kms_via_s3(action: str, *, bucket_key: bool) -> Call:
    # S3 asks KMS on the caller's behalf; the encryption context is the bucket ARN with Bucket Keys on, the
    # object ARN without (S3 User Guide, "Encryption context" and "S3 Bucket Keys").
    arn = "{bucket_arn}" if bucket_key else OBJECT
    context = {
        "kms:ViaService": "s3.{region}.amazonaws.com",
        "kms:CallerAccount": "{account}",
        "kms:EncryptionContext:aws:s3:arn": arn,
        "kms:EncryptionContextKeys": ["aws:s3:arn"],
    }
    return Call(action, "{key_arn}", context, kms=True)


def s3_uploads(bucket_key: bool) -> list[Workload]:
    suffix = " (Bucket Key on)" if bucket_key else " (Bucket Key off)"
    generate, decrypt = kms_via_s3("kms:GenerateDataKey", bucket_key=bucket_key), kms_via_s3("kms:Decrypt", bucket_key=bucket_key)
    return [
        Workload(
            "PutObject, one request, tagged Environment=<env>" + suffix,
            (Call("s3:PutObject", OBJECT, TLS | TAGGED), generate),
            f"{S3_TAGGING}; {S3_SSE_KMS}",
            ALLOW,
            bucket_key,
        ),
        Workload(
            "PutObject, one request, without tags" + suffix,
            (Call("s3:PutObject", OBJECT, TLS), generate),
            f"{S3_TAGGING}; {S3_SSE_KMS}",
            ALLOW,
            bucket_key,
        ),
        Workload(
            "CreateMultipartUpload, tagged Environment=<env>" + suffix,
            (Call("s3:PutObject", OBJECT, TLS | TAGGED), generate),
            f"{S3_MULTIPART}; {S3_SSE_KMS}",
            ALLOW,
            bucket_key,
        ),
        # UploadPart and CompleteMultipartUpload cannot carry x-amz-tagging: no s3:RequestObjectTag key.
        Workload("UploadPart" + suffix, (Call("s3:PutObject", OBJECT, TLS), generate), S3_MULTIPART, ALLOW, bucket_key),
        Workload("CompleteMultipartUpload" + suffix, (Call("s3:PutObject", OBJECT, TLS), decrypt), f"{S3_MULTIPART}; {S3_SSE_KMS}", ALLOW, bucket_key),
        Workload(
            "GetObject / HeadObject of an object tagged Environment=<env>" + suffix,
            (Call("s3:GetObject", OBJECT, TLS | {"s3:ExistingObjectTag/Environment": "{env}"}), decrypt),
            f"{S3_TAGGING}; {S3_SSE_KMS}",
            ALLOW,
            bucket_key,
        ),
    ]


WORKLOADS: list[Workload] = [
    *s3_uploads(bucket_key=True),
    *s3_uploads(bucket_key=False),
    Workload("AbortMultipartUpload", (Call("s3:AbortMultipartUpload", OBJECT, TLS),), S3_MULTIPART, ALLOW),
    Workload("ListParts", (Call("s3:ListMultipartUploadParts", OBJECT, TLS),), S3_MULTIPART, ALLOW),
    Workload(
        "PutObjectTagging Environment=<env> on an upload sent without tags",
        (Call("s3:PutObjectTagging", OBJECT, TLS | TAGGED),),
        S3_TAGGING,
        ALLOW,
    ),
    Workload(
        "PutObject tagged with another environment's name, under the environment's prefix",
        (Call("s3:PutObject", OBJECT, TLS | {"s3:RequestObjectTag/Environment": OTHER, "s3:RequestObjectTagKeys": ["Environment"]}),),
        S3_TAGGING,
        "Deny",
    ),
    Workload(
        "PutObjectTagging that moves an object to another environment",
        (Call("s3:PutObjectTagging", OBJECT, TLS | {"s3:ExistingObjectTag/Environment": "{env}", "s3:RequestObjectTag/Environment": OTHER}),),
        S3_TAGGING,
        "Deny",
    ),
    Workload(
        "GetObject of an object tagged for another environment",
        (Call("s3:GetObject", OBJECT, TLS | {"s3:ExistingObjectTag/Environment": OTHER}),),
        S3_TAGGING,
        "Deny",
    ),
    Workload("GetObject of an untagged object", (Call("s3:GetObject", OBJECT, TLS),), S3_TAGGING, "Deny"),
    Workload("PutObject outside the environment's prefix", (Call("s3:PutObject", "{bucket_arn}/" + OTHER + "/x", TLS),), S3_KEYS, "Deny"),
    Workload(
        "GetObject over plain HTTP",
        (Call("s3:GetObject", OBJECT, {"aws:SecureTransport": "false", "s3:ExistingObjectTag/Environment": "{env}"}),),
        S3_KEYS,
        "Deny",
    ),
    Workload("PutObject over TLS 1.1", (Call("s3:PutObject", OBJECT, {"aws:SecureTransport": "true", "s3:TlsVersion": "1.1"}),), S3_KEYS, "Deny"),
    Workload(
        "PutObject naming SSE-KMS and the stack key by ARN",
        (Call("s3:PutObject", OBJECT, TLS | {"s3:x-amz-server-side-encryption": "aws:kms", "s3:x-amz-server-side-encryption-aws-kms-key-id": "{key_arn}"}),),
        S3_SSE_KMS,
        ALLOW,
    ),
    Workload("PutObject asking for SSE-S3", (Call("s3:PutObject", OBJECT, TLS | {"s3:x-amz-server-side-encryption": "AES256"}),), S3_SSE_KMS, "Deny"),
    Workload(
        "CreateMultipartUpload naming another KMS key",
        (
            Call(
                "s3:PutObject",
                OBJECT,
                TLS | {"s3:x-amz-server-side-encryption": "aws:kms", "s3:x-amz-server-side-encryption-aws-kms-key-id": "{key_arn}0"},
            ),
        ),
        S3_SSE_KMS,
        "Deny",
    ),
    Workload("ListObjectsV2 under the environment's prefix", (Call("s3:ListBucket", "{bucket_arn}", TLS | {"s3:prefix": "{env}/exports/"}),), S3_LIST, ALLOW),
    Workload("ListObjectsV2 of the whole bucket", (Call("s3:ListBucket", "{bucket_arn}", TLS),), S3_LIST, "Deny"),
    Workload("ListObjectsV2 under another environment's prefix", (Call("s3:ListBucket", "{bucket_arn}", TLS | {"s3:prefix": OTHER + "/"}),), S3_LIST, "Deny"),
    Workload("DeleteObject, read/write/list access", (Call("s3:DeleteObject", OBJECT, TLS),), S3_KEYS, "Deny"),
    Workload(
        "DeleteObject, with the delete level", (Call("s3:DeleteObject", OBJECT, TLS),), S3_KEYS, ALLOW, levels=frozenset({"read", "write", "list", "delete"})
    ),
    *[
        Workload(
            f"DynamoDB {operation}",
            (
                Call(f"dynamodb:{operation}", "{table_arn}", {"aws:SecureTransport": "true", "aws:ResourceTag/Environment": "{env}"}),
                Call(
                    "kms:Decrypt",
                    "{key_arn}",
                    {
                        "kms:ViaService": "dynamodb.{region}.amazonaws.com",
                        "kms:CallerAccount": "{account}",
                        "kms:EncryptionContext:aws:dynamodb:tableName": "corp-dynamodb-main-{env}",
                        "kms:EncryptionContext:aws:dynamodb:subscriberId": "{account}",
                        "kms:EncryptionContextKeys": ["aws:dynamodb:tableName", "aws:dynamodb:subscriberId"],
                    },
                    kms=True,
                ),
            ),
            f"{DYNAMODB_KEYS}; {DYNAMODB_KMS}",
            ALLOW,
        )
        for operation in ("GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "BatchGetItem", "BatchWriteItem", "ConditionCheckItem", "DescribeTable")
    ],
    # IAM database authentication: the client signs a token locally; when it connects, RDS authorises rds-db:connect
    # on arn:aws:rds-db:<region>:<account>:dbuser:<DbiResourceId>/<user> (no other context key than the global ones).
    Workload(
        "Connect to the database with IAM authentication as the application user",
        (Call("rds-db:connect", "arn:aws:rds-db:{region}:{account}:dbuser:{db_resource_id}/app"),),
        RDS_IAM_AUTH,
        ALLOW,
    ),
    Workload(
        "Connect to the database with IAM authentication as the master user",
        (Call("rds-db:connect", "arn:aws:rds-db:{region}:{account}:dbuser:{db_resource_id}/corpadmin"),),
        RDS_IAM_AUTH,
        "Deny",
    ),
]


def fill(value: Any, stack: Stack) -> Any:
    if isinstance(value, str):
        names = {
            "env": stack.environment,
            "region": stack.region,
            "account": stack.account,
            "bucket_arn": stack.bucket_arn,
            "table_arn": stack.table_arn,
            "key_arn": stack.key_arn,
            "log_group_arn": stack.log_group_arn,
            "db_resource_id": stack.db_resource,
        }
        return value.format(**names)
    if isinstance(value, list):
        return [fill(v, stack) for v in value]
    return value


@dataclass
class Documents:
    """The policies that decide a request to one environment's data: the caller's identity policies, and the
    target environment's bucket, key and endpoint policies."""

    identity: list[dict[str, Any]]
    bucket: dict[str, Any] | None = None
    key: dict[str, Any] | None = None
    s3_endpoint: dict[str, Any] | None = None
    dynamodb_endpoint: dict[str, Any] | None = None


def evaluate_row(row: Workload, target: Stack, caller: Stack, caller_policies: list[dict[str, Any]], target_documents: Documents) -> list[tuple[Call, str]]:
    """Each call of the row as ``caller``'s role, against ``target``'s resources: (call, decision)."""
    decisions = []
    for call in row.calls:
        request = Request(
            action=call.action,
            resource=fill(call.resource, target),
            principal=caller.role_arn,
            account=caller.account,
            context={key: fill(value, target) for key, value in call.context.items()},
        )
        service = call.action.split(":")[0]
        endpoint = {"s3": target_documents.s3_endpoint, "dynamodb": target_documents.dynamodb_endpoint}.get(service)
        decision = evaluate(
            request,
            identity=caller_policies,
            resource=target_documents.bucket if service == "s3" else None,
            key_policy=target_documents.key if call.kms else None,
            endpoint=endpoint,
        )
        decisions.append((call, decision))
    return decisions


def outcome(decisions: list[tuple[Call, str]]) -> str:
    """A client's operation succeeds only when every request it needs is allowed."""
    return ALLOW if all(decision == ALLOW for _call, decision in decisions) else "Deny"


def failures(rows: list[Workload], this: Stack, other: Stack, documents: Documents, other_policies: list[dict[str, Any]]) -> list[str]:
    """Rows whose outcome differs from the table, for this environment's role and for another environment's."""
    found = []
    for row in rows:
        own = evaluate_row(row, this, this, documents.identity, documents)
        if outcome(own) != row.own:
            denied = [f"{c.action} -> {d}" for c, d in own if d != ALLOW]
            found.append(f"{row.name}: own role {outcome(own)}, expected {row.own} ({'; '.join(denied) or 'all allowed'})")
        foreign = evaluate_row(row, this, other, other_policies, documents)
        if outcome(foreign) != "Deny":
            found.append(f"{row.name}: another environment's role is allowed")
    return found


CWL_FLOW_LOGS = "https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-iam-role.html"
CWL_ARNS = "https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatchlogs.html"
# What VPC Flow Logs does to deliver to a log group: assume the delivery role (as its service principal, with
# the flow log as source), then, as that role, find the group, create a stream per network interface and put
# events. {group} is the log group's ARN; DescribeLogGroups has no resource type, so its resource is "*".
FLOW_LOG_DELIVERY: list[tuple[str, str, str]] = [
    ("logs:DescribeLogGroups", "*", CWL_ARNS),
    ("logs:DescribeLogStreams", "{group}:*", CWL_ARNS),
    ("logs:CreateLogStream", "{group}:log-stream:eni-0123456789abcdef0-all", CWL_FLOW_LOGS),
    ("logs:PutLogEvents", "{group}:log-stream:eni-0123456789abcdef0-all", CWL_FLOW_LOGS),
]


def flow_log_failures(trust: dict[str, Any], delivery: dict[str, Any], *, environment: str, region: str, account: str = ACCOUNT) -> list[str]:
    """What VPC Flow Logs could not do with the network role's documents, or could do for another account."""
    role = f"arn:aws:iam::{account}:role/corp-iam-flowlogs-{environment}"
    group = f"arn:aws:logs:{region}:{account}:log-group:corp-vpc-flowlogs-{environment}"
    found = []
    source = {"aws:SourceAccount": account, "aws:SourceArn": f"arn:aws:ec2:{region}:{account}:vpc-flow-log/fl-0123456789abcdef0"}
    assume = Request("sts:AssumeRole", role, "vpc-flow-logs.amazonaws.com", None, source)
    if evaluate(assume, resource=trust) != ALLOW:
        found.append("vpc-flow-logs.amazonaws.com cannot assume the delivery role")
    foreign = {"aws:SourceAccount": "444455556666", "aws:SourceArn": "arn:aws:ec2:eu-west-1:444455556666:vpc-flow-log/fl-0"}
    if evaluate(Request("sts:AssumeRole", role, "vpc-flow-logs.amazonaws.com", None, foreign), resource=trust) == ALLOW:
        found.append("another account's flow log can assume the delivery role (confused deputy)")
    for action, resource, _source in FLOW_LOG_DELIVERY:
        request = Request(action, resource.format(group=group), role, account)
        if evaluate(request, identity=[delivery]) != ALLOW:
            found.append(f"the delivery role cannot {action} on {request.resource}")
    other_group = f"arn:aws:logs:{region}:{account}:log-group:corp-vpc-flowlogs-{OTHER}:log-stream:x"
    if evaluate(Request("logs:PutLogEvents", other_group, role, account), identity=[delivery]) == ALLOW:
        found.append("the delivery role can write to another environment's log group")
    return found


CWL_KMS = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html"
RDS_KMS = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.Encryption.Keys.html"
PI_KMS = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PerfInsights.access-control.cmk-policy.html"
SM_KMS = "https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html"
BACKUP_KMS = "https://docs.aws.amazon.com/aws-backup/latest/devguide/create-a-vault.html"
# The converge principal: an administrator of the account. The key policy delegates to IAM, so what it may do
# with the key is decided by the key policy's conditions (the service, the account) and nothing else.
ADMIN = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
_LOGS_CONTEXT = {"kms:EncryptionContextKeys": ["aws:logs:arn"]}


@dataclass(frozen=True)
class KeyUse:
    """A request an AWS service makes to the stack key for one of the stack's encrypted resources."""

    name: str
    principal: str  # "{admin}" (the converge principal, through a service) or a service principal
    calls: tuple[Call, ...]
    source: str
    expected: str


def _via(service: str, context: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"kms:ViaService": f"{service}.{{region}}.amazonaws.com", "kms:CallerAccount": "{account}", **(context or {})}


_PI = {
    "kms:EncryptionContext:aws:pi:service": "rds",
    "kms:EncryptionContext:service": "pi",
    "kms:EncryptionContext:aws:rds:db-id": "db-ABCDEFGHIJKLMNOPQRSTUVWXY",
    "kms:EncryptionContextKeys": ["aws:pi:service", "service", "aws:rds:db-id"],
}
_SECRET = {
    "kms:EncryptionContext:SecretARN": "arn:aws:secretsmanager:{region}:{account}:secret:rds!db-0123-AbCdEf",
    "kms:EncryptionContextKeys": ["SecretARN"],
}
KEY_USES = [
    KeyUse(
        "CloudWatch Logs encrypts and reads the flow log group's events",
        "logs.{region}.amazonaws.com",
        tuple(
            Call(a, "{key_arn}", {"kms:EncryptionContext:aws:logs:arn": "{log_group_arn}", **_LOGS_CONTEXT}, kms=True)
            for a in ("kms:GenerateDataKey", "kms:Decrypt", "kms:Encrypt")
        ),
        CWL_KMS,
        ALLOW,
    ),
    KeyUse(
        "CloudWatch Logs for a log group the stack does not own",
        "logs.{region}.amazonaws.com",
        (Call("kms:GenerateDataKey", "{key_arn}", {"kms:EncryptionContext:aws:logs:arn": "{log_group_arn}-copy", **_LOGS_CONTEXT}, kms=True),),
        CWL_KMS,
        "Deny",
    ),
    KeyUse(
        "CloudWatch Logs with no log group as context",
        "logs.{region}.amazonaws.com",
        (Call("kms:Decrypt", "{key_arn}", {}, kms=True),),
        CWL_KMS,
        "Deny",
    ),
    KeyUse(
        "CreateDBInstance with the key: RDS checks it and creates its grant",
        "{admin}",
        (Call("kms:DescribeKey", "{key_arn}", _via("rds"), kms=True), Call("kms:CreateGrant", "{key_arn}", _via("rds"), kms=True)),
        RDS_KMS,
        ALLOW,
    ),
    KeyUse(
        "Performance Insights writes and reads its data",
        "{admin}",
        (Call("kms:GenerateDataKey", "{key_arn}", _via("rds", _PI), kms=True), Call("kms:Decrypt", "{key_arn}", _via("rds", _PI), kms=True)),
        PI_KMS,
        ALLOW,
    ),
    KeyUse(
        "Secrets Manager stores and reads the RDS master user secret",
        "{admin}",
        (
            Call("kms:GenerateDataKey", "{key_arn}", _via("secretsmanager", _SECRET), kms=True),
            Call("kms:Decrypt", "{key_arn}", _via("secretsmanager", _SECRET), kms=True),
        ),
        SM_KMS,
        ALLOW,
    ),
    KeyUse(
        "CreateBackupVault with the key: AWS Backup checks it and creates the vault's grant",
        "{admin}",
        tuple(
            Call(action, "{key_arn}", _via("backup"), kms=True)
            for action in ("kms:DescribeKey", "kms:CreateGrant", "kms:GenerateDataKey", "kms:Decrypt", "kms:RetireGrant")
        ),
        BACKUP_KMS,
        ALLOW,
    ),
    KeyUse(
        "An administrator decrypts with the key directly, through no service",
        "{admin}",
        (Call("kms:Decrypt", "{key_arn}", {"kms:CallerAccount": "{account}"}, kms=True),),
        RDS_KMS,
        "Deny",
    ),
    KeyUse(
        "RDS in another region uses the key",
        "{admin}",
        (Call("kms:CreateGrant", "{key_arn}", {"kms:ViaService": "rds.ap-south-2.amazonaws.com", "kms:CallerAccount": "{account}"}, kms=True),),
        RDS_KMS,
        "Deny",
    ),
]


def key_use_failures(key_policy: dict[str, Any], stack: Stack) -> list[str]:
    """KEY_USES whose decision on the stack key's policy differs from the table."""
    admin = f"arn:aws:iam::{stack.account}:role/corp-platform-admin"
    found = []
    for use in KEY_USES:
        decisions = []
        for call in use.calls:
            context = {key: fill(value, stack) for key, value in call.context.items()}
            service = use.principal != "{admin}"
            request = Request(
                call.action,
                fill(call.resource, stack),
                fill(use.principal, stack) if service else admin,
                None if service else stack.account,
                context,
            )
            decisions.append(evaluate(request, identity=[] if service else [ADMIN], key_policy=key_policy))
        decision = ALLOW if all(d == ALLOW for d in decisions) else "Deny"
        if decision != use.expected:
            found.append(f"{use.name}: {decision}, expected {use.expected} ({', '.join(decisions)})")
    return found


RDS_MONITORING_TRUST = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Monitoring.OS.Enabling.html"
CONFUSED_DEPUTY = "https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html"
FOREIGN_ACCOUNT = "444455556666"


def trust_failures(data_trust: dict[str, Any], monitoring_trust: dict[str, Any], stack: Stack, services: tuple[str, ...] = ()) -> list[str]:
    """Who can assume the data access and monitoring roles, against who should (CONFUSED_DEPUTY, RDS_MONITORING_TRUST).

    EC2 assumes the data role for an instance profile and sends no source keys; every other service sends
    aws:SourceAccount (and RDS enhanced monitoring the instance's ARN as aws:SourceArn): the roles must admit
    those of this account and environment only.
    """
    found = []
    data_role, monitoring_role = stack.role_arn, f"arn:aws:iam::{stack.account}:role/corp-iam-rdsmonitoring-{stack.environment}"

    def assume(role: str, trust: dict[str, Any], principal: str, context: dict[str, Any]) -> str:
        return evaluate(Request("sts:AssumeRole", role, principal, None, context), resource=trust)

    if assume(data_role, data_trust, "ec2.amazonaws.com", {}) != ALLOW:
        found.append("EC2 cannot assume the data access role for its instance profile")
    for service in services:
        if assume(data_role, data_trust, service, {"aws:SourceAccount": stack.account}) != ALLOW:
            found.append(f"{service} cannot assume the data access role for this account")
        if assume(data_role, data_trust, service, {"aws:SourceAccount": FOREIGN_ACCOUNT}) == ALLOW:
            found.append(f"{service} can assume the data access role for another account (confused deputy)")
        if assume(data_role, data_trust, service, {}) == ALLOW:
            found.append(f"{service} can assume the data access role without a source account")
    if assume(data_role, data_trust, "lambda.amazonaws.com", {"aws:SourceAccount": stack.account}) == ALLOW and "lambda.amazonaws.com" not in services:
        found.append("a service nobody listed can assume the data access role")
    own_db = f"arn:aws:rds:{stack.region}:{stack.account}:db:corp-rds-main-{stack.environment}"
    other_db = f"arn:aws:rds:{stack.region}:{stack.account}:db:corp-rds-main-{OTHER}"
    monitoring = "monitoring.rds.amazonaws.com"
    if assume(monitoring_role, monitoring_trust, monitoring, {"aws:SourceAccount": stack.account, "aws:SourceArn": own_db}) != ALLOW:
        found.append("RDS cannot assume the monitoring role for this environment's database")
    if assume(monitoring_role, monitoring_trust, monitoring, {"aws:SourceAccount": stack.account, "aws:SourceArn": other_db}) == ALLOW:
        found.append("RDS can assume the monitoring role for another environment's database")
    foreign_db = f"arn:aws:rds:{stack.region}:{FOREIGN_ACCOUNT}:db:corp-rds-main-{stack.environment}"
    if assume(monitoring_role, monitoring_trust, monitoring, {"aws:SourceAccount": FOREIGN_ACCOUNT, "aws:SourceArn": foreign_db}) == ALLOW:
        found.append("RDS can assume the monitoring role for another account's database (confused deputy)")
    return found


def read_trusts(client, environment: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The data access and monitoring roles' trust policies, read back."""
    iam = client("iam")
    return tuple(
        _document(iam.get_role(RoleName=f"corp-iam-{name}-{environment}")["Role"]["AssumeRolePolicyDocument"]) for name in ("dataaccess", "rdsmonitoring")
    )


def _document(value: Any) -> dict[str, Any] | None:
    import json
    import urllib.parse

    if value in (None, ""):
        return None
    if isinstance(value, str):
        value = json.loads(urllib.parse.unquote(value) if value.startswith("%7B") else value)
    return value


def read_documents(client, environment: str) -> Documents:
    """The documents a converged environment holds, read back through the AWS API (``client(service)``)."""
    iam, s3, kms, ec2 = client("iam"), client("s3"), client("kms"), client("ec2")
    role = f"corp-iam-dataaccess-{environment}"
    identity = []
    for attached in iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]:
        version = iam.get_policy(PolicyArn=attached["PolicyArn"])["Policy"]["DefaultVersionId"]
        identity.append(_document(iam.get_policy_version(PolicyArn=attached["PolicyArn"], VersionId=version)["PolicyVersion"]["Document"]))
    for name in iam.list_role_policies(RoleName=role)["PolicyNames"]:
        identity.append(_document(iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]))
    key_id = kms.describe_key(KeyId=f"alias/corp-kms-data-{environment}")["KeyMetadata"]["KeyId"]
    endpoints = {}
    (vpc,) = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": [f"corp-vpc-main-{environment}"]}])["Vpcs"]
    for endpoint in ec2.describe_vpc_endpoints(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])["VpcEndpoints"]:
        endpoints[endpoint["ServiceName"].rsplit(".", 1)[1]] = _document(endpoint.get("PolicyDocument"))
    return Documents(
        identity=identity,
        bucket=_document(s3.get_bucket_policy(Bucket=f"corp-s3-securedata-{environment}")["Policy"]),
        key=_document(kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"]),
        s3_endpoint=endpoints.get("s3"),
        dynamodb_endpoint=endpoints.get("dynamodb"),
    )


def default_rows(bucket_key: bool = True) -> list[Workload]:
    """The rows for the roles' default settings: read, write and list access, S3 Bucket Keys as given."""
    defaults = frozenset({"read", "write", "list"})
    return [r for r in WORKLOADS if r.bucket_key in (None, bucket_key) and (r.levels == defaults or (r.own == ALLOW and r.levels <= defaults))]


def read_flow_log_documents(client, environment: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The flow log delivery role's trust and inline policy, read back."""
    iam, role = client("iam"), f"corp-iam-flowlogs-{environment}"
    trust = _document(iam.get_role(RoleName=role)["Role"]["AssumeRolePolicyDocument"])
    (name,) = iam.list_role_policies(RoleName=role)["PolicyNames"]
    return trust, _document(iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"])


BACKUP_TRUST = "https://docs.aws.amazon.com/aws-backup/latest/devguide/iam-service-roles.html"


def backup_trust_failures(backup_trust: dict[str, Any], stack: Stack) -> list[str]:
    """Who can assume the AWS Backup role (BACKUP_TRUST): AWS Backup for this account, with or without a source account
    in the request (AWS documents none), never for another account, and no other service."""
    found = []
    role = f"arn:aws:iam::{stack.account}:role/corp-iam-backup-{stack.environment}"

    def assume(principal: str, context: dict[str, Any]) -> str:
        return evaluate(Request("sts:AssumeRole", role, principal, None, context), resource=backup_trust)

    if assume("backup.amazonaws.com", {}) != ALLOW:
        found.append("AWS Backup cannot assume the backup role")
    if assume("backup.amazonaws.com", {"aws:SourceAccount": stack.account}) != ALLOW:
        found.append("AWS Backup cannot assume the backup role for this account")
    if assume("backup.amazonaws.com", {"aws:SourceAccount": FOREIGN_ACCOUNT}) == ALLOW:
        found.append("AWS Backup can assume the backup role for another account (confused deputy)")
    if assume("rds.amazonaws.com", {"aws:SourceAccount": stack.account}) == ALLOW:
        found.append("another service can assume the backup role")
    return found


def read_backup_trust(client, environment: str) -> dict[str, Any]:
    """The AWS Backup role's trust policy, read back."""
    return _document(client("iam").get_role(RoleName=f"corp-iam-backup-{environment}")["Role"]["AssumeRolePolicyDocument"])
