import pytest

from ansible_collections.corp.infra.plugins.module_utils.naming import RESOURCE_TYPES
from ansible_collections.corp.infra.plugins.module_utils.naming import NamingError
from ansible_collections.corp.infra.plugins.module_utils.naming import resource_name


@pytest.mark.parametrize(
    ("resource_type", "purpose", "environment", "expected"),
    [
        ("s3", "securedata", "prod", "corp-s3-securedata-prod"),
        ("rds", "primary", "prod", "corp-rds-primary-prod"),
        ("dynamodb", "main", "staging", "corp-dynamodb-main-staging"),
        ("kms", "data", "dev", "corp-kms-data-dev"),
        ("sg", "database", "dev2", "corp-sg-database-dev2"),
        ("backup", "data", "prod", "corp-backup-data-prod"),
    ],
)
def test_builds_the_four_part_name(resource_type, purpose, environment, expected):
    assert resource_name(resource_type, purpose, environment) == expected


def test_uses_the_given_prefix():
    assert resource_name("iam", "monitoring", "prod", prefix="acme") == "acme-iam-monitoring-prod"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("s3", "secure-data", "prod"), "purpose must be 1-24 lowercase letters"),  # seed mistake 15
        (("s3", "SecureData", "prod"), "purpose must be"),  # seed mistake 8
        (("s3", "data", "Prod"), "environment must be"),
        (("s3", "data", "prod", "Corp"), "prefix must be"),
        (("s3", "data", "prod-1"), "environment must be"),
        (("s3", "data", ""), "environment must be"),
        (("bucket", "data", "prod"), "type must be one of"),
        (("rds", "1primary", "prod"), "purpose must be"),
    ],
)
def test_refuses_bad_parts_naming_the_part(args, message):
    with pytest.raises(NamingError, match=message):
        resource_name(*args)


def test_every_type_but_backup_accepts_the_longest_tokens():
    # 10-character prefix, 24-character purpose, 16-character environment: within every service limit but AWS
    # Backup's 50 characters, which refuses the longest names with its rule (preflight says so before any request).
    for resource_type in RESOURCE_TYPES:
        if resource_type == "backup":
            with pytest.raises(NamingError, match="2-50 characters"):
                resource_name(resource_type, "p" * 24, "e" * 16, prefix="c" * 10)
            continue
        name = resource_name(resource_type, "p" * 24, "e" * 16, prefix="c" * 10)
        assert len(name) <= 63


@pytest.mark.parametrize(
    ("resource_type", "name", "rule"),
    [
        ("s3", "ab", "3-63"),
        ("s3", "a" * 64, "3-63"),
        ("s3", "corp--data", "no '--'"),
        ("s3", "sthree-corp", "reserves"),
        ("s3", "corp-data-s3alias", "reserves"),
        ("s3", "Corp-data", "lowercase"),
        ("rds", "1corp", "start with a letter"),
        ("rds", "corp-", "do not end"),
        ("rds", "corp--db", "no '--'"),
        ("rds", "c" * 64, "1-63"),
        ("iam", "r" * 65, "1-64"),
        ("dynamodb", "ab", "3-255"),
        ("dynamodb", "table name", "letters, digits"),
        ("sg", "sg-database", "cannot start with 'sg-'"),
        ("sg", "default", "VPC's own"),
        ("kms", "aws/rds", "reserved"),
        ("backup", "b" * 51, "2-50"),
        ("backup", "corp.backup", "letters, digits"),
    ],
)
def test_service_rules(resource_type, name, rule):
    from ansible_collections.corp.infra.plugins.module_utils.naming import SERVICE_RULES

    problem = SERVICE_RULES[resource_type](name)
    assert problem is not None and rule in problem


def test_service_rules_accept_valid_names():
    from ansible_collections.corp.infra.plugins.module_utils.naming import SERVICE_RULES

    assert SERVICE_RULES["s3"]("corp-s3-securedata-prod") is None
    assert SERVICE_RULES["rds"]("corp-rds-primary-prod") is None
    assert SERVICE_RULES["dynamodb"]("Corp_Table.v1") is None
    assert SERVICE_RULES["kms"]("corp-kms-data-prod") is None
