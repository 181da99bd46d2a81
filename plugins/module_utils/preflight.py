# Copyright: corp.infra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Preflight rules: every stack input checked before a single AWS request.

``check_inputs`` takes the stack's variables as plain values and returns one line per problem, each
naming the variable and the rule. Types and choices are left to the roles' argument specs; these are the
rules an argument spec cannot express. Variables are matched by name pattern (``*_kms_key_arn``,
``*_cidrs``, ``*password*``...) and policy fragments by their shape (a mapping with ``Statement`` or
``Effect``), so a new role is covered without changes here (docs/variables.md).
"""

from __future__ import annotations

import datetime
import ipaddress
import re
from typing import Any
from typing import Iterable
from urllib.parse import urlparse

from ansible_collections.corp.infra.plugins.module_utils.condition_keys import unsupported_actions
from ansible_collections.corp.infra.plugins.module_utils.naming import SERVICE_RULES
from ansible_collections.corp.infra.plugins.module_utils.naming import STACK_NAMES
from ansible_collections.corp.infra.plugins.module_utils.naming import NamingError
from ansible_collections.corp.infra.plugins.module_utils.naming import check_token
from ansible_collections.corp.infra.plugins.module_utils.naming import resource_name
from ansible_collections.corp.infra.plugins.module_utils.naming import stack_names

# Variables with these prefixes belong to the stack; everything else (ansible_*, inventory internals)
# is not ours to judge.
STACK_PREFIXES = ("corp_", "preflight_", "network_", "s3_", "iam_", "rds_", "dynamodb_", "backup_", "outputs_")

# RFC 1918 plus RFC 6598 shared space, which AWS accepts as VPC space. Anything else is reachable from
# the internet and never belongs in a database ingress rule (seed mistake 5).
PRIVATE_NETWORKS = tuple(ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"))
RDS_MONITORING_INTERVALS = (0, 1, 5, 10, 15, 30, 60)
# The rds role's baseline parameters (roles/rds/vars/main.yml, which a unit test holds to this): TLS-only
# connections (Security Hub RDS.x "force SSL"), every connection and disconnection logged. rds_parameters adds
# to them and may not switch them off.
RDS_BASELINE_PARAMETERS = {"rds.force_ssl": 1, "log_connections": 1, "log_disconnections": 1}
_ON = ("1", "on", "true", "yes")
# RDS for PostgreSQL: the end of RDS standard support per major version, from "Release calendars for Amazon RDS
# for PostgreSQL" (https://docs.aws.amazon.com/AmazonRDS/latest/PostgreSQLReleaseNotes/postgresql-release-calendar.html),
# as of 2026-12. Past it, an instance runs under paid RDS Extended Support, or is upgraded by AWS: preflight refuses
# the version. A major version newer than the table is accepted (AWS has not announced its end yet).
RDS_POSTGRES_STANDARD_SUPPORT_END = {
    11: datetime.date(2024, 2, 29),
    12: datetime.date(2025, 2, 28),
    13: datetime.date(2026, 2, 28),
    14: datetime.date(2027, 2, 28),
    15: datetime.date(2028, 2, 29),
    16: datetime.date(2029, 2, 28),
    17: datetime.date(2030, 2, 28),
}
RDS_CALENDAR = "https://docs.aws.amazon.com/AmazonRDS/latest/PostgreSQLReleaseNotes/postgresql-release-calendar.html"
# PostgreSQL's own port, which Security Hub RDS.23 fails; RDS for PostgreSQL accepts 1150-65535.
POSTGRES_DEFAULT_PORT = 5432
RDS_PORTS = (1150, 65535)
# Variables that no longer exist, and what replaced them: set, they would be ignored silently.
RETIRED_VARIABLES = {
    "s3_bucket_key_enabled": "corp_s3_bucket_key_enabled",
    "iam_data_bucket_key_enabled": "corp_s3_bucket_key_enabled",
    "rds_confirm_destroy": "corp_destroy_confirmation",
    "dynamodb_confirm_destroy": "corp_destroy_confirmation",
    # Each named another role's resource a second time; the roles now share one set of names (naming.stack_names).
    "iam_data_bucket_purpose": "s3_bucket_purpose",
    "iam_data_table_purpose": "dynamodb_purpose",
    "iam_data_key_purpose": "s3_key_purpose",
    "iam_monitored_db_purpose": "rds_purpose",
    "network_endpoint_bucket_purpose": "s3_bucket_purpose",
    "network_endpoint_table_purpose": "dynamodb_purpose",
    "backup_iam_role_purpose": None,
}
# The service roles' state variables: absent deletes what the role created.
STATE_VARIABLES = ("network_state", "s3_state", "iam_state", "rds_state", "dynamodb_state", "backup_state")

_KMS_KEY_ARN = re.compile(
    r"^arn:aws(?:-cn|-us-gov|-iso|-iso-b)?:kms:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
    r"key/(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$"
)
_IAM_ROLE_ARN = re.compile(r"^arn:aws(?:-cn|-us-gov|-iso|-iso-b)?:iam::\d{12}:role/[\w+=,.@/-]{1,512}$")
_ENGINE_VERSION = re.compile(r"^\d+(?:\.\d+)?$")
PASSWORD_NAME = re.compile(r"pass(word|wd)|secret_string", re.IGNORECASE)
# Names that mention the password without holding one: the switch for AWS management, and references.
_PASSWORD_REFERENCE = re.compile(r"manage_master_user_password$|(_secret_arn|_kms_key_arn|_kms_key_id)$", re.IGNORECASE)
_KMS_KEY_NAME = re.compile(r"kms_key(_arn|_id)?$|kms_arn$")
_CIDR_NAME = re.compile(r"_cidrs?$|_cidr_blocks?$")
_PRINCIPAL_NAME = re.compile(r"trusted|principal")
_AZ_LIST_NAME = re.compile(r"(availability_zones|_azs)$")
_RETENTION_NAME = re.compile(r"^rds_.*backup_retention")
# Pre-existing network resources: the stack builds its own (security groups allowed as ingress sources aside).
_EXISTING_NETWORK_NAME = re.compile(r"(vpc_id|subnet_ids?|db_subnet_group_name|db_subnet_group)$")
_EXISTING_SG_NAME = re.compile(r"security_group_ids?$|_sg_ids?$")
_INGRESS_SOURCE_NAME = re.compile(r"ingress|source|allowed")
# User-given names are checked against the service's rules; the type comes from what the name is for.
_NAME_TYPES = (
    (re.compile(r"bucket_name$"), "s3"),
    (re.compile(r"(instance_identifier|db_identifier|cluster_identifier)$"), "rds"),
    (re.compile(r"table_name$"), "dynamodb"),
    (re.compile(r"role_name$"), "iam"),
    (re.compile(r"(security_group_name|sg_name)$"), "sg"),
    (re.compile(r"kms_(key_)?alias(_name)?$"), "kms"),
)


def _is_set(value: Any) -> bool:
    return value not in (None, "", [], {}) and not (isinstance(value, str) and value.startswith("__omit_place_holder__"))


def _is_loopback(url: Any) -> bool:
    """Whether ``url`` names this machine (the local emulator), never a remote endpoint."""
    if not _is_set(url):
        return False
    host = urlparse(str(url)).hostname or ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        return int(str(value).strip())
    except ValueError:
        return None


def _as_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on", "y")
    return bool(value)


def _version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


class _Problems:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, variable: str, rule: str) -> None:
        self.lines.append(f"{variable}: {rule}")


def _check_names(values: dict[str, Any], problems: _Problems, regions: Iterable[str] | None) -> None:
    for variable, kind in (("corp_environment", "environment"), ("corp_name_prefix", "prefix")):
        if variable not in values:
            if variable == "corp_environment":
                problems.add(variable, "is required (the environment suffix, e.g. prod)")
            continue
        problem = check_token(kind, values[variable])
        if problem:
            problems.add(variable, problem)
    region = values.get("corp_region")
    if region is None:
        problems.add("corp_region", "is required (e.g. ap-south-1)")
    elif regions is not None and region not in set(regions):
        problems.add("corp_region", f"must be an AWS region botocore knows (got {region!r})")
    environment = values.get("corp_environment")
    if isinstance(environment, str) and environment.startswith("prod") and not _as_bool(values.get("corp_production")):
        problems.add("corp_production", f"must be true for environment {environment!r}: production rules apply to it")
    prefix = values.get("corp_name_prefix", "corp")
    for variable, value in values.items():
        if not variable.endswith("_purpose"):
            continue
        problem = check_token("purpose", value)
        if problem:
            problems.add(variable, problem)
            continue
        resource_type = _type_of_purpose(variable)
        if isinstance(environment, str) and not check_token("environment", environment) and not check_token("prefix", prefix):
            try:
                resource_name(resource_type, value, environment, prefix)
            except NamingError as error:
                problems.add(variable, str(error))


def _check_given_names(values: dict[str, Any], problems: _Problems) -> None:
    for variable, value in values.items():
        if not _is_set(value):
            continue
        for pattern, resource_type in _NAME_TYPES:
            if pattern.search(variable):
                name = str(value)
                if resource_type == "kms":
                    name = name.removeprefix("alias/")
                problem = SERVICE_RULES[resource_type](name)
                if problem:
                    problems.add(variable, f"{value!r}: {problem}")
                elif name != name.lower():
                    problems.add(variable, f"{value!r}: names are lowercase (seed mistake 8)")
                break


def _type_of_purpose(variable: str) -> str:
    # The stack's own purposes name the resource type in the one table (s3_key_purpose names a KMS alias).
    for resource_type, purpose_variable, _default in STACK_NAMES.values():
        if purpose_variable == variable:
            return resource_type
    for token, resource_type in (("_sg_", "sg"), ("_subnet", "subnet"), ("_vpc_", "vpc"), ("_kms_", "kms"), ("_role", "iam")):
        if token in variable:
            return resource_type
    role = variable.split("_", 1)[0]
    return {"network": "vpc", "iam": "iam"}.get(role, role)


def _check_secrets(values: dict[str, Any], problems: _Problems) -> None:
    for variable, value in values.items():
        if PASSWORD_NAME.search(variable) and not _PASSWORD_REFERENCE.search(variable) and _is_set(value):
            # Seed mistake 1: a password in code, vars or history. RDS creates and rotates it in
            # Secrets Manager (ManageMasterUserPassword); only the secret's ARN ever leaves AWS.
            problems.add(variable, "must not be set: the database master password is AWS-managed (ManageMasterUserPassword); use the secret's ARN")
    if not _is_loopback(values.get("corp_aws_endpoint_url")):
        for variable in ("corp_aws_access_key", "corp_aws_secret_key"):
            if _is_set(values.get(variable)):
                problems.add(
                    variable,
                    "static keys are only for the local emulator (a loopback corp_aws_endpoint_url); use a profile, environment credentials or an IAM role",
                )


def _check_kms_and_roles(values: dict[str, Any], problems: _Problems) -> None:
    region = values.get("corp_region")
    for variable, value in values.items():
        if _KMS_KEY_NAME.search(variable) and _is_set(value):
            text = str(value)
            match = _KMS_KEY_ARN.match(text)
            if text.startswith("alias/") or ":alias/" in text:
                # Seed mistakes 6 and 12: alias/aws/dynamodb and alias/aws/rds where an ARN belongs.
                problems.add(variable, f"must be a KMS key ARN, not an alias (got {text!r}); omit it to use the AWS-managed key")
            elif "*" in text:
                problems.add(variable, f"must be one exact KMS key ARN, not a wildcard (got {text!r})")
            elif not match:
                problems.add(variable, f"must be a KMS key ARN arn:aws:kms:<region>:<account>:key/<key-id> (got {text!r})")
            elif region and match.group("region") != region:
                problems.add(variable, f"must be a key in corp_region {region} (got a key in {match.group('region')})")
        elif variable.endswith(("role_arn", "role_arns")) and _is_set(value):
            for item in _as_list(value):
                if not _IAM_ROLE_ARN.match(str(item)):
                    problems.add(variable, f"must be IAM role ARNs arn:aws:iam::<account>:role/<name>, not an account root or user (got {item!r})")


# Wildcards an Allow may keep: object keys under an exact bucket, indexes and streams of an exact table,
# streams of an exact log group. Anything else with "*" matches resources nobody named.
_SCOPED_WILDCARDS = (
    re.compile(r"^arn:[a-z-]+:s3:::[a-z0-9][a-z0-9.-]*/[^*]*\*$"),
    re.compile(r"^arn:[a-z-]+:dynamodb:[a-z0-9-]+:\d{12}:table/[A-Za-z0-9_.-]+/(index|stream)/\*$"),
    re.compile(r"^arn:[a-z-]+:logs:[a-z0-9-]+:\d{12}:log-group:[^*:]+:(log-stream:)?\*$"),
)


def _wildcard_resource(resource: str) -> bool:
    if resource == "*":
        return True
    if "*" in resource and not any(pattern.match(resource) for pattern in _SCOPED_WILDCARDS):
        return True
    parts = resource.split(":", 5)
    if len(parts) < 6:
        return "*" in resource
    partition, service, resource_region, account, rest = parts[1], parts[2], parts[3], parts[4], parts[5]
    if "*" in (partition + service + resource_region + account):
        return True
    if service == "kms" and "*" in rest:
        # arn:aws:kms:<region>:<account>:key/* is every key in the account (the seed's "fix" for mistake 3).
        return True
    return rest in ("*", "/*") or rest.split("/", 1)[0] == "*"


def _wildcard_principal(principal: Any) -> bool:
    if principal == "*":
        return True
    if isinstance(principal, dict):
        return any("*" in str(v) for item in principal.values() for v in _as_list(item))
    return False


def _statements(value: Any) -> list[Any] | None:
    """The IAM statements in ``value`` if it is shaped like a policy, a statement or a list of statements."""
    if isinstance(value, dict):
        if "Statement" in value:
            return _as_list(value["Statement"])
        if "Effect" in value:
            return [value]
    if isinstance(value, list) and value and all(isinstance(item, dict) and "Effect" in item for item in value):
        return value
    return None


def _check_s3_resource_tags(values: dict[str, Any], statement: dict[str, Any], where: str, problems: _Problems) -> None:
    """S3 evaluates aws:ResourceTag on a general purpose bucket only once ABAC is on for it: without it the key
    is absent, so an Allow never matches and a Deny never applies."""
    if _as_bool(values.get("s3_abac")):
        return
    actions = [str(a).lower() for a in _as_list(statement.get("Action")) + _as_list(statement.get("NotAction"))]
    condition = statement.get("Condition")
    if not any(a.startswith("s3:") or a == "*" for a in actions) or not isinstance(condition, dict):
        return
    for pairs in condition.values():
        for condition_key in pairs if isinstance(pairs, dict) else {}:
            if str(condition_key).lower().startswith("aws:resourcetag/"):
                problems.add(where, f"condition key {condition_key} on S3 is evaluated only on buckets with ABAC on: set s3_abac: true")
                return


def _check_policy_statements(values: dict[str, Any], problems: _Problems) -> None:
    for variable, value in values.items():
        if _PRINCIPAL_NAME.search(variable) and any("*" in str(item) for item in _as_list(value)):
            problems.add(variable, "must name exact principals, never '*'")
        statements = _statements(value)
        if statements is None and variable.endswith(("_policy_statements", "_policy", "_statements")) and _is_set(value):
            statements = _as_list(value)
        for index, statement in enumerate(statements or []):
            where = f"{variable}[{index}]"
            if not isinstance(statement, dict):
                problems.add(where, "must be an IAM policy statement (a mapping)")
                continue
            if statement.get("Effect") not in ("Allow", "Deny"):
                problems.add(where, f"Effect must be Allow or Deny (got {statement.get('Effect')!r})")
            _check_s3_resource_tags(values, statement, where, problems)
            if statement.get("Effect") == "Deny":
                # A Deny only narrows: "*" principals, s3:* and wildcard resources are how guardrails such as
                # "deny every request without TLS" are written.
                continue
            for key in ("Resource", "NotResource"):
                for resource in _as_list(statement.get(key)):
                    if key == "NotResource" or _wildcard_resource(str(resource)):
                        problems.add(where, f"{key} {resource!r} is a wildcard: name exact ARNs")
            if "NotPrincipal" in statement or _wildcard_principal(statement.get("Principal")):
                problems.add(where, "Principal must name exact principals, never '*' (and NotPrincipal is refused)")
            actions = [str(a) for a in _as_list(statement.get("Action"))]
            for action in actions:
                if "*" in action:
                    problems.add(where, f"Action {action!r} is a wildcard: list the exact actions")
            if "NotAction" in statement:
                problems.add(where, "NotAction grants everything it does not name: list the actions")
            condition = statement.get("Condition") or {}
            if not isinstance(condition, dict) or not all(isinstance(pairs, dict) for pairs in condition.values()):
                problems.add(where, "Condition must map operators to mappings of condition keys and values")
                continue
            if statement.get("Effect") == "Allow":
                for operator in condition.values():
                    for condition_key in operator:
                        unsupported = unsupported_actions(actions, str(condition_key))
                        if unsupported:
                            problems.add(
                                where,
                                f"condition key {condition_key} is not supported by {', '.join(unsupported)} "
                                "(AWS Service Authorization Reference); those actions would be denied or unconditioned",
                            )


def _network(text: Any) -> ipaddress.IPv4Network | None:
    try:
        network = ipaddress.ip_network(str(text), strict=True)
    except ValueError:
        return None
    return network if isinstance(network, ipaddress.IPv4Network) else None


def _is_private(network: ipaddress.IPv4Network) -> bool:
    return any(network.subnet_of(private) for private in PRIVATE_NETWORKS)


def _check_network(values: dict[str, Any], problems: _Problems) -> None:
    vpc = None
    if "network_vpc_cidr" in values:
        vpc = _network(values["network_vpc_cidr"])
        if vpc is None:
            problems.add("network_vpc_cidr", f"must be an IPv4 CIDR block such as 10.0.0.0/16 (got {values['network_vpc_cidr']!r})")
        elif not 16 <= vpc.prefixlen <= 28:
            problems.add("network_vpc_cidr", f"must be between /16 and /28, as AWS requires (got {vpc})")
            vpc = None
        elif not _is_private(vpc):
            problems.add("network_vpc_cidr", f"must be private address space (RFC 1918 or 100.64.0.0/10) (got {vpc})")
    subnets: list[ipaddress.IPv4Network] = []
    for index, text in enumerate(_as_list(values.get("network_subnet_cidrs"))):
        subnet = _network(text)
        where = f"network_subnet_cidrs[{index}]"
        if subnet is None:
            problems.add(where, f"must be an IPv4 CIDR block (got {text!r})")
        elif not 16 <= subnet.prefixlen <= 28:
            problems.add(where, f"must be between /16 and /28, as AWS requires (got {subnet})")
        elif vpc is not None and not subnet.subnet_of(vpc):
            problems.add(where, f"{subnet} is outside network_vpc_cidr {vpc}")
        else:
            for other in subnets:
                if subnet.overlaps(other):
                    problems.add(where, f"{subnet} overlaps {other}")
            subnets.append(subnet)
    for variable, value in values.items():
        if not _CIDR_NAME.search(variable) or variable in ("network_vpc_cidr", "network_subnet_cidrs"):
            continue
        for index, text in enumerate(_as_list(value)):
            where = f"{variable}[{index}]" if isinstance(value, (list, tuple)) else variable
            network = _network(text)
            if network is None:
                problems.add(where, f"must be an IPv4 CIDR block (got {text!r})")
            elif not _is_private(network):
                problems.add(where, f"{network} is public: database ingress is private address space only")
    az_count = values.get("network_az_count")
    if az_count is not None:
        count = _as_int(az_count)
        if count is None or count < 2:
            problems.add("network_az_count", f"must be at least 2: the private subnets span two or more AZs (got {az_count!r})")
        elif subnets and len(_as_list(values.get("network_subnet_cidrs"))) != count:
            problems.add("network_subnet_cidrs", f"must list one CIDR per AZ: {count} (network_az_count), got {len(subnets)}")
    elif 0 < len(_as_list(values.get("network_subnet_cidrs"))) < 2:
        problems.add("network_subnet_cidrs", "must list at least two CIDRs: one private subnet per AZ, two AZs at least")
    for variable, value in values.items():
        if _AZ_LIST_NAME.search(variable) and value is not None and len(set(_as_list(value))) < 2:
            problems.add(variable, f"must list at least two distinct AZs: the private subnets span two or more (got {value!r})")
    if _as_bool(values.get("rds_multi_az")):
        count = _as_int(values.get("network_az_count", 2))
        if count is not None and count < 2:
            problems.add("network_az_count", "must be at least 2 when rds_multi_az is true")
    for variable in values:
        existing = _EXISTING_NETWORK_NAME.search(variable) or (_EXISTING_SG_NAME.search(variable) and not _INGRESS_SOURCE_NAME.search(variable))
        if existing and _is_set(values[variable]):
            # Seed mistakes 5, 11 and 13: the default VPC, its subnets and its default security group.
            problems.add(variable, "is not accepted: the stack builds its own VPC, subnets and security groups and never uses the default ones")


def _check_engine_support(version: str, today: datetime.date, problems: _Problems) -> None:
    major = _version_tuple(version)[0]
    end = RDS_POSTGRES_STANDARD_SUPPORT_END.get(major)
    if end is None and major < min(RDS_POSTGRES_STANDARD_SUPPORT_END):
        end = RDS_POSTGRES_STANDARD_SUPPORT_END[min(RDS_POSTGRES_STANDARD_SUPPORT_END)]
    if end is not None and today > end:
        problems.add("rds_engine_version", f"PostgreSQL {major} left RDS standard support on {end.isoformat()} ({RDS_CALENDAR}): choose a newer major version")


def _check_ports(values: dict[str, Any], production: bool, problems: _Problems) -> None:
    ports = {variable: _as_int(values[variable]) for variable in ("rds_port", "network_db_port") if variable in values}
    for variable, port in ports.items():
        if port is None or not RDS_PORTS[0] <= port <= RDS_PORTS[1]:
            problems.add(variable, f"must be a port RDS accepts, {RDS_PORTS[0]}-{RDS_PORTS[1]} (got {values[variable]!r})")
        elif production and port == POSTGRES_DEFAULT_PORT:
            problems.add(variable, f"must not be PostgreSQL's default port {POSTGRES_DEFAULT_PORT} in production (Security Hub RDS.23)")
    if len(set(ports.values())) > 1:
        problems.add("network_db_port", f"must equal rds_port, or the database security group admits another port than the database's (got {ports})")


# CreateDBSnapshot's DBSnapshotIdentifier (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBSnapshot.html).
_SNAPSHOT_NAME = re.compile(r"^(?!.*--)[A-Za-z][A-Za-z0-9-]{0,254}(?<!-)$")


def _check_database(values: dict[str, Any], problems: _Problems, today: datetime.date | None = None) -> None:
    production = _as_bool(values.get("corp_production"))
    _check_ports(values, production, problems)
    minimum = str(values.get("preflight_rds_engine_version_minimum", "0"))
    version = values.get("rds_engine_version")
    if version is not None:
        if isinstance(version, float):
            problems.add("rds_engine_version", f'must be quoted in YAML ("16.10", not 16.10, which reads as {version})')
        elif not _ENGINE_VERSION.match(str(version)):
            problems.add("rds_engine_version", f"must be a PostgreSQL version such as 17.6 (got {version!r})")
        elif _ENGINE_VERSION.match(minimum) and _version_tuple(str(version)) < _version_tuple(minimum):
            problems.add("rds_engine_version", f"must be at least {minimum} (preflight_rds_engine_version_minimum) (got {version})")
        else:
            _check_engine_support(str(version), today or datetime.date.today(), problems)
    for variable, retention in values.items():
        if not _RETENTION_NAME.search(variable) or retention is None:
            continue
        days = _as_int(retention)
        floor = _as_int(values.get("preflight_min_backup_retention_days", 7)) or 7
        if days is None or not floor <= days <= 35:
            problems.add(variable, f"must be {floor}-35 days: automated backups are kept at least {floor} days (got {retention!r})")
    snapshot = values.get("rds_final_snapshot_identifier")
    if snapshot and not _SNAPSHOT_NAME.match(str(snapshot)):
        problems.add(
            "rds_final_snapshot_identifier",
            f"must be 1-255 letters, digits or hyphens, start with a letter, with no '--' and no trailing hyphen (got {snapshot!r})",
        )
    interval = values.get("rds_monitoring_interval")
    if interval is not None:
        seconds = _as_int(interval)
        if seconds not in RDS_MONITORING_INTERVALS:
            problems.add("rds_monitoring_interval", f"must be one of {', '.join(map(str, RDS_MONITORING_INTERVALS))} (got {interval!r})")
        elif production and seconds == 0:
            problems.add("rds_monitoring_interval", "must be above 0 in production: enhanced monitoring is required")
    parameters = values.get("rds_parameters")
    if isinstance(parameters, dict):
        for name, baseline in RDS_BASELINE_PARAMETERS.items():
            if name in parameters and str(parameters[name]).strip().lower() not in _ON:
                problems.add(
                    "rds_parameters", f"{name} must stay {baseline}: it is the stack's baseline, which input cannot switch off (got {parameters[name]!r})"
                )
    # Settings that may never be weakened, and those that production requires.
    always = {"rds_publicly_accessible": False, "rds_storage_encrypted": True, "s3_block_public_access": True, "s3_versioning": True}
    in_production = {
        "rds_multi_az": True,
        "rds_deletion_protection": True,
        "dynamodb_deletion_protection": True,
        "dynamodb_point_in_time_recovery": True,
        "backup_vault_lock": True,
    }
    for variable, required in list(always.items()) + (list(in_production.items()) if production else []):
        if variable in values and _as_bool(values[variable]) is not required:
            scope = "in production" if variable in in_production else "always"
            problems.add(variable, f"must be {str(required).lower()} ({scope}) (got {values[variable]!r})")


def _check_retired(values: dict[str, Any], problems: _Problems) -> None:
    why = {
        "corp_s3_bucket_key_enabled": "which sets the bucket's S3 Bucket Key and the KMS encryption context of the policies together",
        "corp_destroy_confirmation": "the one confirmation every deleting path asks for",
    }
    for variable, replacement in RETIRED_VARIABLES.items():
        if variable not in values:
            continue
        if replacement is None:
            problems.add(variable, "is gone: the role it named has the fixed name <prefix>-iam-backup-<environment> (corp.infra.stack_names)")
        elif replacement.endswith("_purpose"):
            problems.add(variable, f"is gone: every role names that resource from {replacement}, set once for the stack (corp.infra.stack_names)")
        else:
            problems.add(variable, f"is replaced by {replacement}, {why[replacement]}")


def destroy_refusal(environment: Any, confirmation: Any) -> str | None:
    """Why deleting ``environment``'s resources is refused, in one line, or None when ``confirmation`` names it."""
    environment, confirmation = str(environment or ""), str(confirmation or "")
    if environment and confirmation == environment:
        return None
    if not confirmation:
        return f"corp_destroy_confirmation: deleting resources of {environment} needs -e corp_destroy_confirmation={environment}"
    return (
        f"corp_destroy_confirmation: {confirmation!r} is not this host's environment {environment}; "
        f"pass -e corp_destroy_confirmation={environment} to delete it"
    )


def _check_destroy(values: dict[str, Any], problems: _Problems) -> None:
    """Every deleting path (a role's <role>_state: absent, playbooks/destroy.yml) needs the environment's own name,
    and a confirmation naming another environment is refused wherever it is given."""
    absent = [variable for variable in STATE_VARIABLES if str(values.get(variable, "")) == "absent"]
    confirmation = values.get("corp_destroy_confirmation")
    destroying = bool(absent) or _as_bool(values.get("preflight_destroying"))
    if destroying or confirmation not in (None, ""):
        refusal = destroy_refusal(values.get("corp_environment"), confirmation)
        if refusal:
            variable, rule = refusal.split(": ", 1)
            problems.add(variable, rule + (f" ({', '.join(v + '=absent' for v in absent)})" if absent else ""))


# CloudWatch Logs log group names (CreateLogGroup): 1-512 of these characters.
_LOG_GROUP_NAME = re.compile(r"^[A-Za-z0-9_./#-]{1,512}$")


def _check_key_log_groups(values: dict[str, Any], problems: _Problems) -> None:
    """The log groups the stack key's policy lets CloudWatch Logs encrypt: exact names, and some when logs uses it."""
    names = values.get("s3_key_log_group_names")
    services = values.get("s3_key_usage_services")
    if names is not None:
        for name in _as_list(names):
            if not _LOG_GROUP_NAME.match(str(name)):
                problems.add("s3_key_log_group_names", f"{name!r} must be a log group name (1-512 of A-Z a-z 0-9 _ . / # -), never a wildcard")
    if services is not None and "logs" in [str(s) for s in _as_list(services)] and names is not None and not _as_list(names):
        problems.add("s3_key_log_group_names", "must name the log groups CloudWatch Logs encrypts with the key when s3_key_usage_services lists logs")
    # What the other roles encrypt with the stack key must be in its policy, or AWS refuses CreateDBInstance or
    # CreateLogGroup half-way through a run (the emulator does not).
    listed = [str(s) for s in _as_list(services)] if services is not None else None
    uses = {
        "rds_use_stack_key": ("rds", "secretsmanager"),
        "network_flow_logs_use_stack_key": ("logs",),
        "backup_use_stack_key": ("backup",),
    }
    for variable, needed in uses.items():
        if listed is not None and _as_bool(values.get(variable, True)) and not values.get(variable.replace("use_stack_key", "kms_key_arn")):
            missing = [service for service in needed if service not in listed]
            if missing:
                problems.add("s3_key_usage_services", f"must list {', '.join(missing)}: {variable} is true, so that service uses the stack key")
    if names is not None and _as_bool(values.get("network_flow_logs_use_stack_key", True)) and not values.get("network_flow_logs_kms_key_arn"):
        try:
            flow_log_group = stack_names(str(values.get("corp_environment")), str(values.get("corp_name_prefix") or "corp"))["flow_log_group"]
        except NamingError:
            flow_log_group = None  # the environment or prefix is reported by _check_names
        if flow_log_group and flow_log_group not in [str(n) for n in _as_list(names)]:
            problems.add("s3_key_log_group_names", f"must list the flow log group {flow_log_group}, which is encrypted with the stack key")


def _check_allowed_accounts(values: dict[str, Any], problems: _Problems) -> None:
    """corp_allowed_account_ids: 12-digit account ids; production must name its accounts (the account role then
    refuses other credentials after one GetCallerIdentity)."""
    allowed = values.get("corp_allowed_account_ids")
    for account in _as_list(allowed):
        if not re.fullmatch(r"\d{12}", str(account)):
            problems.add("corp_allowed_account_ids", f"{account!r} must be a 12-digit AWS account id (quote it in YAML)")
    if _as_bool(values.get("corp_production")) and not _as_list(allowed):
        problems.add("corp_allowed_account_ids", "must name the production account(s) in production: a run with another account's credentials is then refused")


# AWS Backup rule schedules: "cron(...)" (six fields) or "rate(...)" (API_BackupRule.html, ScheduleExpression).
_BACKUP_SCHEDULE = re.compile(r"^(cron\((\S+ ){5}\S+\)|rate\(\d+ (minute|minutes|hour|hours|day|days)\))$")


def _check_backup(values: dict[str, Any], problems: _Problems) -> None:
    """The backup plan's rule and the vault lock, as AWS Backup would refuse them (or fail every job) later."""
    schedule = values.get("backup_schedule_expression")
    if schedule is not None and not _BACKUP_SCHEDULE.match(str(schedule)):
        problems.add("backup_schedule_expression", f"must be cron(<6 fields>) or rate(<n> <unit>) (got {schedule!r})")
    start, completion = _as_int(values.get("backup_start_window_minutes")), _as_int(values.get("backup_completion_window_minutes"))
    if "backup_start_window_minutes" in values and (start is None or start < 60):
        problems.add("backup_start_window_minutes", f"must be at least 60, AWS Backup's minimum (got {values['backup_start_window_minutes']!r})")
    if "backup_completion_window_minutes" in values and (completion is None or completion < (start or 60)):
        problems.add("backup_completion_window_minutes", f"must be at least the start window (got {values['backup_completion_window_minutes']!r})")
    retention = _as_int(values.get("backup_retention_days"))
    if "backup_retention_days" in values and (retention is None or not 1 <= retention <= 36500):
        problems.add("backup_retention_days", f"must be 1-36500 days (got {values['backup_retention_days']!r})")
    changeable = _as_int(values.get("backup_vault_lock_changeable_for_days"))
    if "backup_vault_lock_changeable_for_days" in values and (changeable is None or 0 < changeable < 3 or changeable < 0):
        problems.add("backup_vault_lock_changeable_for_days", "must be 0 (governance mode) or at least 3, AWS's cooling-off time (compliance mode)")
    if not _as_bool(values.get("backup_vault_lock", False)):
        return
    low, high = _as_int(values.get("backup_vault_lock_min_retention_days")), _as_int(values.get("backup_vault_lock_max_retention_days"))
    if "backup_vault_lock_min_retention_days" in values and (low is None or low < 1):
        problems.add("backup_vault_lock_min_retention_days", f"must be at least 1 (got {values['backup_vault_lock_min_retention_days']!r})")
    elif "backup_vault_lock_max_retention_days" in values and (high is None or high < (low or 1) or high > 36500):
        problems.add("backup_vault_lock_max_retention_days", f"must be between the minimum and 36500 (got {values['backup_vault_lock_max_retention_days']!r})")
    elif retention is not None and low is not None and high is not None and not low <= retention <= high:
        problems.add(
            "backup_retention_days", f"must be within the vault lock's {low}-{high} days: the locked vault fails every job outside them (got {retention})"
        )


# PostgreSQL role names as corp.infra accepts them for IAM database authentication: plain identifiers, never a
# wildcard (rds-db:connect on dbuser:<id>/* would admit every user, the master user included).
_DB_USER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def _check_db_users(values: dict[str, Any], problems: _Problems) -> None:
    users = values.get("iam_data_access_db_users")
    if users is None:
        return
    master = str(values.get("rds_master_username") or "corpadmin")
    for user in _as_list(users):
        if not _DB_USER.match(str(user)):
            problems.add("iam_data_access_db_users", f"{user!r} must be a PostgreSQL user name (lowercase letters, digits, '_'; no wildcard)")
        elif str(user) == master:
            problems.add("iam_data_access_db_users", f"{user!r} is the master user, which applications never connect as")


# STS AssumeRole (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html).
_EXTERNAL_ID = re.compile(r"^[\w+=,.@:/-]{2,1224}$")
_SESSION_NAME = re.compile(r"^[\w+=,.@-]{2,64}$")


def _check_credentials(values: dict[str, Any], problems: _Problems) -> None:
    """The profile and the role a run assumes: well-formed, not mixed with static keys, in an allowed account."""
    profile, role = values.get("corp_aws_profile"), values.get("corp_aws_assume_role_arn")
    if _is_set(profile) and (_is_set(values.get("corp_aws_access_key")) or _is_set(values.get("corp_aws_secret_key"))):
        problems.add("corp_aws_profile", "cannot be combined with corp_aws_access_key / corp_aws_secret_key: give one source of credentials")
    if _is_set(role):
        match = re.match(r"^arn:aws(?:-cn|-us-gov|-iso|-iso-b)?:iam::(\d{12}):role/[\w+=,.@/-]{1,512}$", str(role))
        if not match:
            problems.add("corp_aws_assume_role_arn", f"must be an IAM role ARN, arn:aws:iam::<account>:role/<name> (got {role!r})")
        else:
            allowed = [str(a) for a in _as_list(values.get("corp_allowed_account_ids"))]
            if allowed and match.group(1) not in allowed:
                problems.add("corp_aws_assume_role_arn", f"is in account {match.group(1)}, which is not one of corp_allowed_account_ids ({', '.join(allowed)})")
    elif any(_is_set(values.get(v)) for v in ("corp_aws_assume_role_external_id", "corp_aws_assume_role_session_name")):
        problems.add("corp_aws_assume_role_arn", "is required when corp_aws_assume_role_external_id or corp_aws_assume_role_session_name is set")
    external_id = values.get("corp_aws_assume_role_external_id")
    if _is_set(external_id) and not _EXTERNAL_ID.match(str(external_id)):
        problems.add("corp_aws_assume_role_external_id", "must be 2-1224 of letters, digits and +=,.@:/-")
    session = values.get("corp_aws_assume_role_session_name")
    if _is_set(session) and not _SESSION_NAME.match(str(session)):
        problems.add("corp_aws_assume_role_session_name", f"must be 2-64 of letters, digits and +=,.@- (got {session!r})")
    if "corp_aws_assume_role_duration_seconds" in values:
        duration = _as_int(values["corp_aws_assume_role_duration_seconds"])
        if duration is None or not 900 <= duration <= 43200:
            problems.add("corp_aws_assume_role_duration_seconds", f"must be 900-43200 seconds (got {values['corp_aws_assume_role_duration_seconds']!r})")


def _check_nacl_quota(values: dict[str, Any], problems: _Problems) -> None:
    """Amazon VPC quotas: rules per network ACL, 20 by default, adjustable to at most 40."""
    if "network_nacl_rule_quota" in values:
        quota = _as_int(values["network_nacl_rule_quota"])
        if quota is None or not 20 <= quota <= 40:
            problems.add("network_nacl_rule_quota", f"must be the account's quota of rules per network ACL, 20-40 (got {values['network_nacl_rule_quota']!r})")


def _check_tags(values: dict[str, Any], problems: _Problems) -> None:
    tags = values.get("corp_tags")
    if tags is None:
        return
    if not isinstance(tags, dict):
        problems.add("corp_tags", "must be a mapping of tag keys to values")
        return
    for key, value in tags.items():
        if not 1 <= len(str(key)) <= 128 or str(key).lower().startswith("aws:"):
            problems.add("corp_tags", f"tag key {key!r} must be 1-128 characters and not start with 'aws:'")
        elif len(str(value)) > 256:
            problems.add("corp_tags", f"tag {key!r} value must be at most 256 characters")


_SPEC_KEYS = ("type", "elements", "choices", "options", "no_log")


def _validation_spec(option: dict[str, Any]) -> dict[str, Any]:
    """A role argument spec option as ArgumentSpecValidator takes it, without what the role's defaults supply."""
    spec = {key: value for key, value in option.items() if key in _SPEC_KEYS}
    if isinstance(spec.get("options"), dict):
        spec["options"] = {name: _validation_spec(sub) for name, sub in spec["options"].items()}
    return spec


def check_argument_specs(values: dict[str, Any], specs: dict[str, dict[str, Any]]) -> list[str]:
    """Types and choices of every variable a role's argument spec declares, with Ansible's own validator.

    ``specs`` maps a role to its ``main`` entry point's options. The roles validate their specs when they start,
    but a role late in site.yml would start after the earlier ones had changed AWS: preflight checks them all
    first. One line per variable, naming it and the role.
    """
    from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

    lines = []
    for role, options in sorted(specs.items()):
        for name, option in sorted(options.items()):
            if name not in values or not isinstance(option, dict):
                continue
            result = ArgumentSpecValidator({name: _validation_spec(option)}).validate({name: values[name]})
            for error in result.errors:
                line = f"{name}: {error} (roles/{role}/meta/argument_specs.yml)"
                if line not in lines:
                    lines.append(line)
    return lines


def is_stack_variable(name: str) -> bool:
    """Variables preflight judges: the stack's own, and any password-like variable outside Ansible's
    connection settings (``ansible_password`` and friends are not the database's)."""
    return name.startswith(STACK_PREFIXES) or (not name.startswith("ansible_") and bool(PASSWORD_NAME.search(name)))


def _check_host(values: dict[str, Any], host: str | None, problems: _Problems) -> None:
    """One environment per host: a host whose corp_environment is not its own name got another environment's values
    (two inventories combined, each with the environment in group_vars/all: the last one read wins for every host)."""
    environment = values.get("corp_environment")
    if not host or environment in (None, "") or not _as_bool(values.get("preflight_environment_per_host", True)):
        return
    if str(environment) != str(host):
        problems.add(
            "corp_environment",
            f"{environment!r} is not this host's name {host!r}: one host is one environment; keep each environment's values in its "
            f"inventory's host_vars/{host}.yml (never group_vars/all), or set preflight_environment_per_host: false for a host "
            "that stands for any environment",
        )


def check_inputs(values: dict[str, Any], regions: Iterable[str] | None = None, today: datetime.date | None = None, host: str | None = None) -> list[str]:
    """Return one line per broken rule in ``values`` (variable name -> value); [] when all hold.

    ``regions`` is the set of valid region names (None skips the region check); ``today`` dates the engine
    support table (default: the controller's date); ``host`` is the inventory host, whose name is the environment's.
    """
    stack = {k: v for k, v in values.items() if is_stack_variable(k)}
    problems = _Problems()
    _check_names(stack, problems, regions)
    _check_given_names(stack, problems)
    _check_secrets(stack, problems)
    _check_kms_and_roles(stack, problems)
    _check_policy_statements(stack, problems)
    _check_network(stack, problems)
    _check_database(stack, problems, today)
    _check_tags(stack, problems)
    _check_key_log_groups(stack, problems)
    _check_nacl_quota(stack, problems)
    _check_backup(stack, problems)
    _check_allowed_accounts(stack, problems)
    _check_credentials(stack, problems)
    _check_db_users(stack, problems)
    _check_retired(stack, problems)
    _check_destroy(stack, problems)
    _check_host(stack, host, problems)
    return problems.lines
