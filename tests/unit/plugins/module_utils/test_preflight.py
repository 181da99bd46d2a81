from pathlib import Path

import pytest
import yaml

from ansible_collections.corp.infra.plugins.module_utils.preflight import check_inputs

ROOT = Path(__file__).resolve().parents[4]
BAD_INPUTS = yaml.safe_load((ROOT / "tests" / "bad_inputs.yml").read_text())
REGIONS = {"us-east-1", "eu-west-1", "ap-south-1"}
DEFAULTS = yaml.safe_load((ROOT / "roles" / "preflight" / "defaults" / "main.yml").read_text())


def inventory_inputs(environment: str) -> dict:
    values = dict(DEFAULTS)
    values.update(yaml.safe_load((ROOT / "inventories" / environment / "group_vars" / "all" / "main.yml").read_text()))
    if "{{" in str(values.get("corp_aws_endpoint_url", "")):
        values["corp_aws_endpoint_url"] = "http://127.0.0.1:5000"  # what Ansible renders the local inventory's lookup to
    return values


@pytest.mark.parametrize("environment", ["local", "dev", "staging", "prod"])
def test_shipped_inventories_pass(environment):
    assert check_inputs(inventory_inputs(environment), REGIONS) == []


@pytest.mark.parametrize("case", BAD_INPUTS, ids=[c["id"] for c in BAD_INPUTS])
def test_bad_input_is_refused_with_its_rule(case):
    values = inventory_inputs("local")
    values.update(case["vars"])
    problems = check_inputs(values, REGIONS)
    assert any(case["expect"] in line for line in problems), problems
    assert all("\n" not in line for line in problems)


def test_every_seed_mistake_with_an_input_is_covered():
    # Mistake 2 (a monolith) is structural: one role per service. Every other one has a bad-input case.
    assert {c["seed"] for c in BAD_INPUTS if "seed" in c} >= set(range(1, 16)) - {2}


def test_required_shared_inputs():
    problems = check_inputs({}, REGIONS)
    assert "corp_environment: is required (the environment suffix, e.g. prod)" in problems
    assert "corp_region: is required (e.g. ap-south-1)" in problems


def test_variables_outside_the_stack_are_ignored():
    values = inventory_inputs("local")
    values["ansible_password"] = "conn"
    assert check_inputs(values, REGIONS) == []


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        "arn:aws:kms:us-east-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab",
    ],
)
def test_kms_key_arns_are_accepted(arn):
    values = inventory_inputs("local")
    values["rds_kms_key_arn"] = arn
    assert check_inputs(values, REGIONS) == []


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        ("arn:aws:kms:us-east-1:111122223333:alias/corp-kms-data-local", "not an alias"),
        ("1234abcd-12ab-34cd-56ef-1234567890ab", "must be a KMS key ARN arn:aws:kms"),
        ("arn:aws:kms:us-east-1:111122223333:key/*", "not a wildcard"),
    ],
)
def test_kms_key_values_that_are_not_key_arns(value, rule):
    values = inventory_inputs("local")
    values["dynamodb_kms_key_arn"] = value
    assert any(rule in line for line in check_inputs(values, REGIONS))


def test_exact_policy_statements_pass():
    values = inventory_inputs("local")
    values["iam_extra_policy_statements"] = [
        {
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:GetObjectVersion"],
            "Resource": ["arn:aws:s3:::corp-s3-securedata-local/*"],
            "Condition": {"StringEquals": {"s3:ExistingObjectTag/Environment": "local"}},
        },
        {"Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": ["arn:aws:s3:::corp-s3-securedata-local"]},
    ]
    assert check_inputs(values, REGIONS) == []


@pytest.mark.parametrize(
    ("statement", "rule"),
    [
        ({"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::b"}, "Action '*' is a wildcard"),
        ({"Effect": "Allow", "Action": "kms:*", "Resource": "arn:aws:kms:us-east-1:111122223333:key/k"}, "Action 'kms:*' is a wildcard"),
        ({"Effect": "Allow", "NotAction": "s3:GetObject", "Resource": "arn:aws:s3:::b"}, "NotAction"),
        ({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::*"}, "is a wildcard"),
        ({"Effect": "Allow", "Action": "s3:GetObject", "Principal": {"AWS": ["*"]}, "Resource": "arn:aws:s3:::b/*"}, "Principal"),
        ({"Effect": "allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}, "Effect must be Allow or Deny"),
        ("not a statement", "must be an IAM policy statement"),
    ],
)
def test_wide_policy_statements_are_refused(statement, rule):
    values = inventory_inputs("local")
    values["s3_bucket_policy_statements"] = [statement]
    problems = check_inputs(values, REGIONS)
    assert any(rule in line for line in problems), problems


def test_numbers_given_as_strings_are_read_as_numbers():
    # -e on the command line passes strings.
    values = inventory_inputs("local")
    values.update(corp_production="true", corp_environment="prod", rds_backup_retention_period="14", rds_monitoring_interval="60", rds_multi_az="yes")
    assert check_inputs(values, REGIONS) == []


def test_all_problems_are_reported_together():
    values = inventory_inputs("local")
    values.update(corp_environment="Dev", rds_master_user_password="x" * 12, network_db_ingress_cidrs=["0.0.0.0/0"])
    assert len(check_inputs(values, REGIONS)) == 3


def test_references_to_the_managed_password_are_not_passwords():
    values = inventory_inputs("local")
    values.update(
        rds_manage_master_user_password=True,
        rds_master_user_secret_kms_key_arn="arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        ansible_become_password="conn",
    )
    assert check_inputs(values, REGIONS) == []


def test_security_groups_as_ingress_sources_are_accepted():
    values = inventory_inputs("local")
    values["network_db_ingress_security_group_ids"] = ["sg-0123456789abcdef0"]
    assert check_inputs(values, REGIONS) == []


def test_valid_given_names_are_accepted():
    values = inventory_inputs("local")
    values.update(s3_bucket_name="corp-s3-securedata-local", dynamodb_table_name="corp-dynamodb-main-local", s3_kms_key_alias="alias/corp-kms-data-local")
    assert check_inputs(values, REGIONS) == []


def test_statement_lists_are_found_by_shape_whatever_their_name():
    values = inventory_inputs("local")
    values["extra_grants"] = [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]
    values["corp_extra_grants"] = values.pop("extra_grants")
    assert any("Principal must name exact principals" in line for line in check_inputs(values, REGIONS))


def test_deny_guardrails_may_use_wildcards():
    values = inventory_inputs("local")
    values["s3_bucket_policy_statements"] = [
        {
            "Sid": "DenyUploadsWithoutKms",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:PutObject",
            "Resource": "arn:aws:s3:::corp-s3-securedata-local/*",
            "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}},
        }
    ]
    assert check_inputs(values, REGIONS) == []


def test_allow_with_not_resource_is_refused():
    values = inventory_inputs("local")
    values["s3_bucket_policy_statements"] = [
        {"Effect": "Allow", "Action": "s3:GetObject", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "NotResource": "arn:aws:s3:::x"}
    ]
    assert any("NotResource" in line for line in check_inputs(values, REGIONS))


@pytest.mark.parametrize("endpoint", ["https://s3.amazonaws.com", "http://10.0.0.5:5000", ""])
def test_static_keys_need_a_loopback_endpoint(endpoint):
    values = inventory_inputs("local")
    values["corp_aws_endpoint_url"] = endpoint
    assert any(line.startswith("corp_aws_access_key: static keys are only for the local emulator") for line in check_inputs(values, REGIONS))


@pytest.mark.parametrize(
    ("resource", "refused"),
    [
        ("arn:aws:s3:::corp-s3-securedata-local/local/*", False),
        ("arn:aws:dynamodb:us-east-1:111122223333:table/corp-dynamodb-main-local/index/*", False),
        ("arn:aws:dynamodb:us-east-1:111122223333:table/*", True),
        ("arn:aws:s3:::corp-*", True),
        ("arn:aws:s3:::corp-*/x", True),
    ],
)
def test_allow_resources_keep_only_scoped_wildcards(resource, refused):
    values = inventory_inputs("local")
    values["iam_extra_policy_statements"] = [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": resource}]
    assert any("is a wildcard" in line for line in check_inputs(values, REGIONS)) is refused


def test_wildcard_actions_and_bad_conditions_are_reported_not_raised():
    values = inventory_inputs("local")
    values["iam_extra_policy_statements"] = [
        {"Effect": "Allow", "Action": ["s3:Get*"], "Resource": "arn:aws:s3:::b/*"},
        {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::b/*", "Condition": ["not", "a", "mapping"]},
    ]
    values["preflight_min_backup_retention_days"] = "x"
    problems = check_inputs(values, REGIONS)
    assert any("Action 's3:Get*' is a wildcard" in line for line in problems)
    assert any("Condition must map operators" in line for line in problems)


def test_trusted_role_arns_must_be_roles():
    values = inventory_inputs("local")
    values["iam_data_access_trusted_role_arns"] = ["arn:aws:iam::111122223333:root"]
    assert any("not an account root or user" in line for line in check_inputs(values, REGIONS))


def test_unquoted_engine_versions_are_refused_with_the_reason():
    values = inventory_inputs("local")
    values["rds_engine_version"] = 16.10
    assert any('must be quoted in YAML ("16.10", not 16.10, which reads as 16.1)' in line for line in check_inputs(values, REGIONS))


def test_the_rds_baseline_preflight_protects_is_the_one_the_role_applies():
    from ansible_collections.corp.infra.plugins.module_utils.preflight import RDS_BASELINE_PARAMETERS

    role_vars = yaml.safe_load((ROOT / "roles" / "rds" / "vars" / "main.yml").read_text())
    assert role_vars["__rds_baseline_parameters"] == RDS_BASELINE_PARAMETERS
    # Adding to the baseline, or restating it, is accepted.
    values = inventory_inputs("local") | {"rds_parameters": {"rds.force_ssl": "1", "log_connections": "on", "work_mem": 65536}}
    assert check_inputs(values, REGIONS) == []
