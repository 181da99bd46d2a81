# Copyright: corp.infra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The KMS statements a principal needs to use one key through one AWS service, and nothing more.

Plain values in, a policy document out (unit tested, and checked with parliament). Each service's
encryption context and actions come from its documentation, cited per service below:

- S3 (https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html,
  .../bucket-key.html): the context is ``aws:s3:arn`` = the object ARN, or the bucket ARN once S3 Bucket
  Keys are on ("update your IAM policies to use the bucket ARN for the encryption context"). GET needs
  kms:Decrypt; PUT needs kms:GenerateDataKey, and multipart uploads also kms:Decrypt.
- DynamoDB (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/encryption.howitworks.html):
  the context is ``aws:dynamodb:tableName`` and ``aws:dynamodb:subscriberId`` (the account); the table
  key is decrypted with kms:Decrypt as the principal that reads or writes items.
- Secrets Manager (https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html):
  the context is ``SecretARN``; GetSecretValue needs kms:Decrypt, writing a value kms:GenerateDataKey.
- RDS Performance Insights (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PerfInsights.access-control.cmk-policy.html):
  the context is ``aws:pi:service`` = rds, ``service`` = pi and ``aws:rds:db-id``; reading needs
  kms:Decrypt, writing kms:GenerateDataKey.

Every statement names the exact key ARN (an alias or a wildcard is refused) and pins kms:ViaService to
``<service>.<region>.amazonaws.com``; context conditions go only on the actions that carry a context
(condition_keys.CONDITION_KEY_ACTIONS).
"""

from __future__ import annotations

import json
import re
from typing import Any

from ansible_collections.corp.infra.plugins.module_utils.condition_keys import unsupported_actions

KEY_ARN = re.compile(
    r"^arn:(?P<partition>aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b):kms:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
    r"key/(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$"
)
SERVICES = ("s3", "dynamodb", "secretsmanager", "rds")
ACCESS = ("read", "write")

# Per service and access: the KMS actions. write includes what multipart uploads and read-modify-write
# paths need; nothing here ever is kms:* or key administration.
ACTIONS = {
    "s3": {"read": ["kms:Decrypt"], "write": ["kms:GenerateDataKey", "kms:Decrypt"]},
    "dynamodb": {"read": ["kms:Decrypt"], "write": ["kms:Decrypt"]},
    "secretsmanager": {"read": ["kms:Decrypt"], "write": ["kms:GenerateDataKey", "kms:Decrypt"]},
    "rds": {"read": ["kms:Decrypt"], "write": ["kms:GenerateDataKey"]},
}
# Actions that carry no encryption context but that a client of the service calls on the key.
CONTEXT_FREE_ACTIONS = {"dynamodb": ["kms:DescribeKey"]}

# The options of corp.infra.kms_context_policy, for the module and for its action plugin (which builds the policy on
# the controller, without starting a module process).
ARGUMENT_SPEC = {
    "argument_spec": dict(
        service=dict(type="str", required=True, choices=list(SERVICES)),
        key_arn=dict(type="str", required=True, no_log=False),
        access=dict(type="list", elements="str", required=True, choices=list(ACCESS)),
        bucket_name=dict(type="str"),
        bucket_key_enabled=dict(type="bool", default=True),
        object_prefix=dict(type="str"),
        table_name=dict(type="str"),
        secret_arn=dict(type="str", no_log=False),
        db_resource_id=dict(type="str"),
    ),
    "required_if": [
        ("service", "s3", ["bucket_name"]),
        ("service", "dynamodb", ["table_name"]),
        ("service", "secretsmanager", ["secret_arn"]),
        ("service", "rds", ["db_resource_id"]),
    ],
}


class PolicyError(ValueError):
    """A request that cannot be turned into a least-privilege policy; the message names the option."""


def parse_key_arn(key_arn: str) -> dict[str, str]:
    if not isinstance(key_arn, str) or key_arn.startswith("alias/") or ":alias/" in key_arn:
        raise PolicyError(f"key_arn must be a key ARN, not an alias (got {key_arn!r})")
    if "*" in key_arn:
        raise PolicyError(f"key_arn must name one key, not a wildcard (got {key_arn!r})")
    match = KEY_ARN.match(key_arn)
    if not match:
        raise PolicyError(f"key_arn must be arn:aws:kms:<region>:<account>:key/<key-id> (got {key_arn!r})")
    return match.groupdict()


def _access(access: list[str]) -> list[str]:
    wanted = sorted(set(access or []))
    unknown = [a for a in wanted if a not in ACCESS]
    if not wanted or unknown:
        raise PolicyError(f"access must list read and/or write (got {access!r})")
    return wanted


def _require(value: Any, option: str, service: str) -> Any:
    if value in (None, "", []):
        raise PolicyError(f"{option} is required for service {service}")
    return value


def encryption_context(service: str, key: dict[str, str], params: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The condition operator and the kms:EncryptionContext conditions for ``service``."""
    partition = key["partition"]
    if service == "s3":
        bucket = _require(params.get("bucket_name"), "bucket_name", service)
        bucket_arn = f"arn:{partition}:s3:::{bucket}"
        if params.get("bucket_key_enabled", True):
            return "StringEquals", {"kms:EncryptionContext:aws:s3:arn": bucket_arn}
        prefix = params.get("object_prefix") or ""
        return "StringLike", {"kms:EncryptionContext:aws:s3:arn": f"{bucket_arn}/{prefix}*"}
    if service == "dynamodb":
        table = _require(params.get("table_name"), "table_name", service)
        return "StringEquals", {
            "kms:EncryptionContext:aws:dynamodb:subscriberId": key["account"],
            "kms:EncryptionContext:aws:dynamodb:tableName": table,
        }
    if service == "secretsmanager":
        secret_arn = _require(params.get("secret_arn"), "secret_arn", service)
        if "*" in secret_arn or not secret_arn.startswith(f"arn:{partition}:secretsmanager:{key['region']}:"):
            raise PolicyError(f"secret_arn must be one secret's ARN in the key's region {key['region']} (got {secret_arn!r})")
        return "StringEquals", {"kms:EncryptionContext:SecretARN": secret_arn}
    if service == "rds":
        db_id = _require(params.get("db_resource_id"), "db_resource_id", service)
        if not re.match(r"^db-[A-Z0-9]+$", str(db_id)):
            raise PolicyError(f"db_resource_id must be the instance's DbiResourceId, db-... (got {db_id!r})")
        return "StringEquals", {
            "kms:EncryptionContext:aws:pi:service": "rds",
            "kms:EncryptionContext:aws:rds:db-id": db_id,
            "kms:EncryptionContext:service": "pi",
        }
    raise PolicyError(f"service must be one of {', '.join(SERVICES)} (got {service!r})")


def build_kms_policy(params: dict[str, Any]) -> dict[str, Any]:
    """The policy document for ``params`` (service, key_arn, access and the service's own options)."""
    service = params.get("service")
    if service not in SERVICES:
        raise PolicyError(f"service must be one of {', '.join(SERVICES)} (got {service!r})")
    key = parse_key_arn(params.get("key_arn"))
    access = _access(params.get("access"))
    via_service = f"{service}.{key['region']}.amazonaws.com"
    operator, context = encryption_context(service, key, params)

    actions = sorted({action for level in access for action in ACTIONS[service][level]})
    for context_key in context:
        if unsupported_actions(actions, context_key):
            raise PolicyError(f"{context_key} is not supported by {', '.join(unsupported_actions(actions, context_key))}")
    sid = re.sub(r"[^A-Za-z0-9]", "", f"Use{service.title()}Key{''.join(a.title() for a in access)}")
    conditions: dict[str, dict[str, Any]] = {"StringEquals": {"kms:ViaService": via_service}}
    conditions.setdefault(operator, {}).update(context)
    statements = [{"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": params["key_arn"], "Condition": conditions}]
    if CONTEXT_FREE_ACTIONS.get(service):
        statements.append(
            {
                "Sid": f"Describe{service.title()}Key",
                "Effect": "Allow",
                "Action": sorted(CONTEXT_FREE_ACTIONS[service]),
                "Resource": params["key_arn"],
                "Condition": {"StringEquals": {"kms:ViaService": via_service}},
            }
        )
    return {"Version": "2012-10-17", "Statement": statements}


# What each service calls on a customer-managed key on a principal's behalf, by its encryption documentation:
# - s3: GenerateDataKey to write, Decrypt to read and to complete multipart uploads (S3 User Guide,
#   "Using server-side encryption with AWS KMS keys", "Multipart upload API and permissions");
# - dynamodb: the list of "Key policy for a customer managed key" (DynamoDB Developer Guide, "Encryption at rest:
#   How it works"): the table's own key material is created, re-encrypted and granted through these;
# - secretsmanager: GenerateDataKey and Decrypt (Secrets Manager User Guide, "Secret encryption and decryption");
# - rds: storage encryption works through grants (RDS User Guide, "Key management": CreateGrant, DescribeKey), and
#   Performance Insights encrypts with GenerateDataKey and Decrypt;
# - backup: CreateBackupVault with a customer-managed key needs the caller's CreateGrant, DescribeKey, RetireGrant,
#   Decrypt and GenerateDataKey on it (AWS Backup Developer Guide, "Create a backup vault"; the vault encrypts the
#   backups AWS Backup fully manages with it, "Encryption for backups in AWS Backup"). RDS snapshots and DynamoDB
#   backups keep the source's key and reach it through rds and dynamodb.
KEY_POLICY_ACTIONS = {
    "s3": ["kms:Decrypt", "kms:GenerateDataKey"],
    "dynamodb": [
        "kms:CreateGrant",
        "kms:Decrypt",
        "kms:DescribeKey",
        "kms:Encrypt",
        "kms:GenerateDataKey",
        "kms:GenerateDataKeyWithoutPlaintext",
        "kms:ReEncryptFrom",
        "kms:ReEncryptTo",
    ],
    "secretsmanager": ["kms:Decrypt", "kms:GenerateDataKey"],
    "rds": ["kms:CreateGrant", "kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey"],
    "backup": ["kms:CreateGrant", "kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey", "kms:RetireGrant"],
}
# CloudWatch Logs uses the key as its own service principal, logs.<region>.amazonaws.com, not through a caller
# ("Encrypt log data in CloudWatch Logs using AWS KMS", step 2): the page lists kms:Encrypt*, Decrypt*, ReEncrypt*,
# GenerateDataKey* and Describe*, conditioned on kms:EncryptionContext:aws:logs:arn. Here as the actions those
# wildcards match for a symmetric key. Describe* is left out: DescribeKey carries no encryption context, so the
# page's own condition never allows it.
LOGS_KEY_POLICY_ACTIONS = [
    "kms:Decrypt",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
]
LOG_GROUP_ARN = re.compile(r"^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b):logs:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):log-group:[A-Za-z0-9_./#-]{1,512}$")
KEY_SERVICES = (*KEY_POLICY_ACTIONS, "logs")
# Administration by the account, without any usage action: CreateGrant is usage (kms:Create* would let a principal
# grant itself use), and no kms:*.
KEY_ADMINISTRATION_ACTIONS = [
    "kms:CancelKeyDeletion",
    "kms:CreateAlias",
    "kms:Delete*",
    "kms:Describe*",
    "kms:Disable*",
    "kms:Enable*",
    "kms:Get*",
    "kms:List*",
    "kms:Put*",
    "kms:Revoke*",
    "kms:RotateKeyOnDemand",
    "kms:ScheduleKeyDeletion",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:Update*",
]


def stack_key_policy(account_id: str, partition: str, region: str, services: list[str], log_group_arns: list[str] | None = None) -> dict[str, Any]:
    """The stack key's policy: administration by the account, and for each service one statement with the
    actions that service uses, only through it (kms:ViaService) and for this account (kms:CallerAccount).

    The account principal delegates to IAM: which roles may use the key is up to their policies (built by
    build_kms_policy with each service's encryption context). In a key policy "Resource": "*" means this key.
    CloudWatch Logs ("logs") is the exception: its service principal uses the key itself, for the log groups in
    ``log_group_arns`` only (their ARNs are the encryption context), which must be this account's and region's.
    """
    if not re.fullmatch(r"\d{12}", str(account_id)):
        raise PolicyError(f"account_id must be 12 digits (got {account_id!r})")
    unknown = sorted(set(services or []) - set(KEY_SERVICES))
    if not services or unknown:
        raise PolicyError(f"services must list some of {', '.join(KEY_SERVICES)} (got {services!r})")
    log_group_arns = sorted(set(log_group_arns or []))
    if "logs" in services:
        if not log_group_arns:
            raise PolicyError("log_group_arns must name the log groups CloudWatch Logs encrypts with the key when services lists logs")
        for arn in log_group_arns:
            match = LOG_GROUP_ARN.match(str(arn))
            if not match or match["account"] != str(account_id) or match["region"] != region:
                raise PolicyError(f"log_group_arns must be log group ARNs in account {account_id} and region {region}, without wildcards (got {arn!r})")
    root = {"AWS": f"arn:{partition}:iam::{account_id}:root"}
    statements: list[dict[str, Any]] = [
        {"Sid": "KeyAdministrationByTheAccount", "Effect": "Allow", "Principal": root, "Action": KEY_ADMINISTRATION_ACTIONS, "Resource": "*"}
    ]
    for service in sorted(set(services) - {"logs"}):
        statements.append(
            {
                "Sid": f"UseThrough{service.title()}",
                "Effect": "Allow",
                "Principal": root,
                "Action": KEY_POLICY_ACTIONS[service],
                "Resource": "*",
                "Condition": {"StringEquals": {"kms:CallerAccount": str(account_id), "kms:ViaService": f"{service}.{region}.amazonaws.com"}},
            }
        )
    if "logs" in services:
        statements.append(
            {
                "Sid": "UseByCloudWatchLogsForTheStackLogGroups",
                "Effect": "Allow",
                "Principal": {"Service": f"logs.{region}.amazonaws.com"},
                "Action": LOGS_KEY_POLICY_ACTIONS,
                # In a key policy "*" is the only Resource AWS accepts, and it means this key.
                "Resource": "*",
                "Condition": {"ArnEquals": {"kms:EncryptionContext:aws:logs:arn": log_group_arns[0] if len(log_group_arns) == 1 else log_group_arns}},
            }
        )
    return {"Version": "2012-10-17", "Statement": statements}


def summarize(policy: dict[str, Any]) -> str:
    """One line per statement: what it allows, on what, under which conditions."""
    lines = []
    for statement in policy["Statement"]:
        resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        conditions = "; ".join(f"{k} {op} {v}" for op, pairs in statement.get("Condition", {}).items() for k, v in sorted(pairs.items()))
        lines.append(f"{statement['Sid']}: allow {', '.join(statement['Action'])} on {', '.join(resources)}" + (f" when {conditions}" if conditions else ""))
    return "\n".join(lines)


def policy_result(policy: dict[str, Any]) -> dict[str, Any]:
    """What the policy modules return: the document, its canonical JSON and the summary; they change nothing."""
    return {"changed": False, "policy": policy, "policy_json": canonical_json(policy), "summary": summarize(policy)}


def canonical_json(policy: dict[str, Any]) -> str:
    """Byte-identical JSON for the same policy: sorted keys, no whitespace variation."""
    return json.dumps(policy, sort_keys=True, separators=(",", ":"))
