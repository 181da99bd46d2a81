# Copyright: corp.infra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Resource names ``{prefix}-{type}-{purpose}-{environment}`` and each AWS service's naming rules.

Pure functions on plain values: used by the ``corp.infra.resource_name`` filter, by preflight, and unit
tested in tests/unit/plugins/module_utils/test_naming.py.
"""

from __future__ import annotations

import re

# A token is one lowercase word: the name splits back into its four parts unambiguously, and no
# service that forbids upper case (S3, RDS) ever sees one (seed mistakes 8 and 15).
TOKEN_RULES = {
    "prefix": (re.compile(r"^[a-z][a-z0-9]{0,9}$"), "1-10 lowercase letters and digits, starting with a letter"),
    "environment": (re.compile(r"^[a-z][a-z0-9]{0,15}$"), "1-16 lowercase letters and digits, starting with a letter"),
    "purpose": (re.compile(r"^[a-z][a-z0-9]{0,23}$"), "1-24 lowercase letters and digits, starting with a letter"),
}

_S3_FORBIDDEN_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_S3_FORBIDDEN_SUFFIXES = ("-s3alias", "--ol-s3", "--x-s3", "--table-s3", ".mrap")


def _s3_rules(name: str) -> str | None:
    # https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
    if not 3 <= len(name) <= 63:
        return "S3 bucket names are 3-63 characters"
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*[a-z0-9]", name):
        return "S3 bucket names use lowercase letters, digits and hyphens, and start and end with a letter or digit"
    if "--" in name:
        return "S3 bucket names in corp.infra contain no '--'"
    if name.startswith(_S3_FORBIDDEN_PREFIXES) or name.endswith(_S3_FORBIDDEN_SUFFIXES):
        return "S3 reserves this bucket name prefix or suffix"
    return None


def _rds_rules(name: str) -> str | None:
    # https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_Limits.html#RDS_Limits.Constraints
    if not 1 <= len(name) <= 63:
        return "RDS identifiers are 1-63 characters"
    if not re.fullmatch(r"[a-z][a-z0-9-]*", name):
        return "RDS identifiers start with a letter and use lowercase letters, digits and hyphens"
    if "--" in name or name.endswith("-"):
        return "RDS identifiers contain no '--' and do not end with '-'"
    return None


def _iam_rules(name: str) -> str | None:
    # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html (role names: 64)
    if not 1 <= len(name) <= 64:
        return "IAM role names are 1-64 characters"
    if not re.fullmatch(r"[\w+=,.@-]+", name):
        return "IAM role names use letters, digits and +=,.@_-"
    return None


def _dynamodb_rules(name: str) -> str | None:
    # https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html
    if not 3 <= len(name) <= 255:
        return "DynamoDB table names are 3-255 characters"
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", name):
        return "DynamoDB table names use letters, digits, '_', '-' and '.'"
    return None


def _sg_rules(name: str) -> str | None:
    # https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html
    if not 1 <= len(name) <= 255:
        return "security group names are 1-255 characters"
    if name.lower().startswith("sg-"):
        return "security group names cannot start with 'sg-'"
    if name == "default":
        return "'default' is the VPC's own security group"
    return None


def _kms_rules(name: str) -> str | None:
    # https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html
    alias = "alias/" + name
    if len(alias) > 256:
        return "KMS alias names are at most 256 characters"
    if not re.fullmatch(r"alias/[a-zA-Z0-9/_-]+", alias):
        return "KMS alias names use letters, digits, '/', '_' and '-'"
    if alias.startswith("alias/aws/"):
        return "the alias/aws/ prefix is reserved for AWS-managed keys"
    return None


def _backup_rules(name: str) -> str | None:
    # The vault, plan and selection share the name; the strictest rules are the vault's and the selection's:
    # https://docs.aws.amazon.com/aws-backup/latest/devguide/API_CreateBackupVault.html (2-50, letters, digits, '-', '_')
    # https://docs.aws.amazon.com/aws-backup/latest/devguide/API_BackupSelection.html (1-50)
    if not 2 <= len(name) <= 50:
        return "AWS Backup vault and selection names are 2-50 characters"
    if not re.fullmatch(r"[A-Za-z0-9_-]+", name):
        return "AWS Backup vault names use letters, digits, '-' and '_'"
    return None


def _tag_name_rules(name: str) -> str | None:
    # VPCs and subnets are named by their Name tag: https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html
    if not 1 <= len(name) <= 256:
        return "a Name tag value is 1-256 characters"
    return None


SERVICE_RULES = {
    "vpc": _tag_name_rules,
    "subnet": _tag_name_rules,
    "sg": _sg_rules,
    "kms": _kms_rules,
    "s3": _s3_rules,
    "iam": _iam_rules,
    "rds": _rds_rules,
    "dynamodb": _dynamodb_rules,
    "backup": _backup_rules,
}
RESOURCE_TYPES = tuple(SERVICE_RULES)


class NamingError(ValueError):
    """A name part or a composed name breaks a rule; the message names the part and the rule."""


def check_token(kind: str, value: object) -> str | None:
    """Return why ``value`` is not a valid ``kind`` token (prefix, environment, purpose), or None."""
    pattern, rule = TOKEN_RULES[kind]
    if not isinstance(value, str) or not pattern.match(value):
        return f"must be {rule} (got {value!r})"
    return None


def resource_name(resource_type: str, purpose: str, environment: str, prefix: str = "corp") -> str:
    """Build ``{prefix}-{type}-{purpose}-{environment}`` and check it against the service's rules.

    For ``kms`` the result is the alias name without ``alias/``.
    """
    if resource_type not in SERVICE_RULES:
        raise NamingError(f"type must be one of {', '.join(RESOURCE_TYPES)} (got {resource_type!r})")
    for kind, value in (("prefix", prefix), ("purpose", purpose), ("environment", environment)):
        problem = check_token(kind, value)
        if problem:
            raise NamingError(f"{kind} {problem}")
    name = f"{prefix}-{resource_type}-{purpose}-{environment}"
    problem = SERVICE_RULES[resource_type](name)
    if problem:
        raise NamingError(f"{name!r}: {problem}")
    return name


# Every name the roles share, computed once (stack_names): name -> (resource type, the variable that sets its
# purpose or None for a fixed one, the default purpose). A role, verify and destroy read a name here; none
# builds it again, so a purpose set once (s3_key_purpose, say) reaches every role that names that resource.
STACK_NAMES = {
    "vpc": ("vpc", None, "main"),
    "route_table": ("vpc", None, "private"),
    "nacl": ("vpc", None, "privateacl"),
    "internet_gateway": ("vpc", None, "igw"),
    "s3_endpoint": ("vpc", None, "s3endpoint"),
    "dynamodb_endpoint": ("vpc", None, "dynamodbendpoint"),
    "flow_log_group": ("vpc", None, "flowlogs"),
    "flow_logs_role": ("iam", None, "flowlogs"),
    "db_security_group": ("sg", None, "database"),
    "key": ("kms", "s3_key_purpose", "data"),
    "bucket": ("s3", "s3_bucket_purpose", "securedata"),
    "log_bucket": ("s3", "s3_log_bucket_purpose", "accesslogs"),
    "table": ("dynamodb", "dynamodb_purpose", "main"),
    "database": ("rds", "rds_purpose", "main"),
    "data_access_role": ("iam", None, "dataaccess"),
    "monitoring_role": ("iam", None, "rdsmonitoring"),
    "backup_role": ("iam", None, "backup"),
    "backup": ("backup", "backup_purpose", "data"),
}

# The variables that set a purpose, and their defaults (each owning role's defaults/main.yml says the same).
PURPOSE_VARIABLES = {variable: default for _type, variable, default in STACK_NAMES.values() if variable}


def stack_names(environment: str, prefix: str = "corp", purposes: dict[str, object] | None = None) -> dict[str, str]:
    """Every name in STACK_NAMES for this environment, plus ``key_alias`` (``alias/<key>``).

    ``purposes`` maps purpose variables to their values; a variable not given takes its default.
    """
    given = {variable: value for variable, value in (purposes or {}).items() if variable in PURPOSE_VARIABLES and value is not None}
    names = {}
    for name, (resource_type, variable, default) in STACK_NAMES.items():
        purpose = given.get(variable, default) if variable else default
        try:
            names[name] = resource_name(resource_type, purpose, environment, prefix)  # type: ignore[arg-type]
        except NamingError as error:
            raise NamingError(f"{variable or name}: {error}") from None
    names["key_alias"] = f"alias/{names['key']}"
    return names
