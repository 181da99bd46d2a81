"""The fault proxy's eventual-consistency mode: AWS's answers while something just created propagates.

AWS accepts a create and then, for a while, answers requests that use the new thing with an error: another service
does not see a new IAM role yet, EC2 does not know a new VPC's id. Each RULE below plays one such answer. When the
proxy forwards a successful ``creates`` call, it notes the thing the answer (or, for S3, the request) names; then, for
the rule's ``window`` seconds, a request to ``service`` whose action is one of ``consumers`` (any action when empty) and whose
text names the thing is answered with the rule's error, for a ``share`` of such requests (seeded, so a run can be
replayed). After the window everything passes, as it does on AWS once the change has propagated.

The errors are AWS's own (code, HTTP status, message); each rule cites where AWS documents the behaviour or where
users of AWS reported it. docs/eventual-consistency.md lists which of them the stack meets and how it copes.
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass
from typing import Callable

_IAM_ROLE_ARN = re.compile(r"<Arn>(arn:[^<]+:role/[^<]+)</Arn>")


def _found(pattern: str) -> Callable[[str, str], list[str]]:
    compiled = re.compile(pattern)
    return lambda _path, answer: compiled.findall(answer)


def _created_role(_path: str, answer: str) -> list[str]:
    return _IAM_ROLE_ARN.findall(answer)


def _created_bucket(path: str, _answer: str) -> list[str]:
    # CreateBucket answers with no name; the request's path names the bucket (path-style, as botocore addresses a
    # bucket at an IP endpoint).
    name = urllib.parse.urlsplit(path).path.strip("/")
    return [name] if name else []


@dataclass(frozen=True)
class Rule:
    name: str
    creates: str  # the API operation whose successful answer makes the thing
    created: Callable[[str, str], list[str]]  # (request path, answer body) -> the things made
    service: str  # the signing name of the requests that fail
    consumers: frozenset[str]  # their operations (empty: every operation of ``service`` naming the thing)
    status: int
    code: str
    message: str  # "{thing}" is replaced
    source: str
    window: float  # seconds the thing propagates, as long as AWS's sources report (the proxy may scale it)

    def error(self, thing: str) -> tuple[int, str, str]:
        return self.status, self.code, self.message.format(thing=thing)


_IAM_UG = "IAM User Guide, 'Changes that I make are not always immediately visible' (troubleshoot_general.html#troubleshoot_general_eventual-consistency)"
# How long each kind of change propagates here: IAM "usually within seconds" but reported up to ten and more;
# EC2 and KMS "typically less than a few seconds" (their eventual-consistency pages); DynamoDB enables continuous
# backups a while after CreateTable; S3 bucket configuration follows its creation within seconds.
_IAM_SECONDS, _EC2_SECONDS, _KMS_SECONDS = 10.0, 2.0, 2.0
_EC2 = "Amazon EC2 Developer Guide, 'Eventual consistency in the Amazon EC2 API' (ec2/latest/devguide/eventual-consistency.html)"

RULES: tuple[Rule, ...] = (
    Rule(
        "iam-role-rds-monitoring",
        "CreateRole",
        _created_role,
        "rds",
        frozenset({"CreateDBInstance", "ModifyDBInstance"}),
        400,
        "InvalidParameterValue",
        "IAM role ARN value is invalid or does not include the required permissions for: ENHANCED_MONITORING",
        f"{_IAM_UG}; the race reported in claranet/terraform-aws-aurora#23",
        _IAM_SECONDS,
    ),
    Rule(
        "iam-role-flow-logs",
        "CreateRole",
        _created_role,
        "ec2",
        frozenset({"CreateFlowLogs"}),
        400,
        "InvalidParameter",
        "Unable to assume given IAM role: '{thing}'",
        f"{_IAM_UG}; reported in hashicorp/terraform-provider-aws#29323 (aws_flow_log right after its aws_iam_role)",
        _IAM_SECONDS,
    ),
    Rule(
        "iam-role-backup-selection",
        "CreateRole",
        _created_role,
        "backup",
        frozenset({"CreateBackupSelection"}),
        400,
        "InvalidParameterValueException",
        "IAM Role {thing} cannot be assumed by AWS Backup",
        f"{_IAM_UG}; the Terraform AWS provider's aws_backup_selection retries this answer for IAM eventual consistency",
        _IAM_SECONDS,
    ),
    Rule(
        "iam-role-kms-key-policy",
        "CreateRole",
        _created_role,
        "kms",
        frozenset({"CreateKey", "PutKeyPolicy"}),
        400,
        "MalformedPolicyDocumentException",
        "Policy contains a statement with one or more invalid principals.",
        "AWS KMS API Reference, CreateKey and PutKeyPolicy, Policy: a new principal 'might not be immediately visible to AWS KMS'",
        _IAM_SECONDS,
    ),
    Rule(
        "iam-role-s3-bucket-policy",
        "CreateRole",
        _created_role,
        "s3",
        frozenset({"PutBucketPolicy"}),
        400,
        "MalformedPolicy",
        "Invalid principal in policy",
        f"{_IAM_UG}; the Terraform AWS provider's aws_s3_bucket_policy retries 'MalformedPolicy: Invalid principal in policy'",
        _IAM_SECONDS,
    ),
    Rule(
        "iam-role-trust",
        "CreateRole",
        _created_role,
        "iam",
        frozenset({"CreateRole", "UpdateAssumeRolePolicy"}),
        400,
        "MalformedPolicyDocument",
        'Invalid principal in policy: "AWS":"{thing}"',
        f"{_IAM_UG} (a trust policy naming a role created moments ago)",
        _IAM_SECONDS,
    ),
    Rule(
        "iam-role-assume",
        "CreateRole",
        _created_role,
        "sts",
        frozenset({"AssumeRole"}),
        403,
        "AccessDenied",
        "User: arn:aws:iam::123456789012:user/moto is not authorized to perform: sts:AssumeRole on resource: {thing}",
        f"{_IAM_UG} (a role's trust policy takes effect after it propagates)",
        _IAM_SECONDS,
    ),
    Rule(
        "ec2-vpc",
        "CreateVpc",
        _found(r"<vpcId>(vpc-[0-9a-f]+)</vpcId>"),
        "ec2",
        frozenset(),
        400,
        "InvalidVpcID.NotFound",
        "The vpc ID '{thing}' does not exist",
        _EC2,
        _EC2_SECONDS,
    ),
    Rule(
        "ec2-subnet",
        "CreateSubnet",
        _found(r"<subnetId>(subnet-[0-9a-f]+)</subnetId>"),
        "ec2",
        frozenset(),
        400,
        "InvalidSubnetID.NotFound",
        "The subnet ID '{thing}' does not exist",
        _EC2,
        _EC2_SECONDS,
    ),
    Rule(
        "ec2-security-group",
        "CreateSecurityGroup",
        _found(r"<groupId>(sg-[0-9a-f]+)</groupId>"),
        "ec2",
        frozenset(),
        400,
        "InvalidGroup.NotFound",
        "The security group '{thing}' does not exist",
        _EC2,
        _EC2_SECONDS,
    ),
    Rule(
        "kms-key",
        "CreateKey",
        _found(r'"KeyId":\s*"([0-9a-f-]{36})"'),
        "kms",
        frozenset(),
        400,
        "NotFoundException",
        "Key '{thing}' does not exist",
        "AWS KMS Developer Guide, 'AWS KMS eventual consistency' (accessing-kms.html#programming-eventual-consistency): NotFoundException after CreateKey",
        _KMS_SECONDS,
    ),
    Rule(
        "dynamodb-continuous-backups",
        "CreateTable",
        _found(r'"TableName":\s*"([^"]+)"'),
        "dynamodb",
        frozenset({"UpdateContinuousBackups"}),
        400,
        "ContinuousBackupsUnavailableException",
        "Backups are being enabled for the table: {thing}. Please retry later",
        "Amazon DynamoDB API Reference, UpdateContinuousBackups, Errors: ContinuousBackupsUnavailableException",
        10.0,
    ),
    Rule(
        "s3-bucket",
        "CreateBucket",
        _created_bucket,
        "s3",
        frozenset(),
        404,
        "NoSuchBucket",
        "The specified bucket does not exist",
        "Amazon S3 User Guide, 'Amazon S3 data consistency model': bucket configurations are eventually consistent; amazon.aws.s3_bucket retries NoSuchBucket",
        2.0,
    ),
)

RULES_BY_NAME = {rule.name: rule for rule in RULES}


def request_text(method: str, path: str, headers: dict[str, str], body: bytes) -> str:
    """What a request names, as one searchable string: its path and body, URL-decoded (query protocol), and its host."""
    return urllib.parse.unquote_plus(f"{method} {path} {headers.get('Host', '')} {body.decode(errors='replace')}")
