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
    inventory = ROOT / "inventories" / environment
    for path in (inventory / "group_vars" / "all" / "main.yml", inventory / "host_vars" / f"{environment}.yml"):
        if path.is_file():
            values.update(yaml.safe_load(path.read_text()))
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
    from ansible_collections.corp.infra.plugins.action.preflight import role_specs
    from ansible_collections.corp.infra.plugins.module_utils.preflight import check_argument_specs

    problems = check_argument_specs(values, role_specs()) + check_inputs(values, REGIONS)
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
    values["corp_allowed_account_ids"] = ["123456789012"]
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


@pytest.mark.parametrize(
    "names, services, refusal",
    [
        (["corp-vpc-flowlogs-*"], None, "s3_key_log_group_names: 'corp-vpc-flowlogs-*' must be a log group name"),
        (["bad name"], None, "s3_key_log_group_names: 'bad name' must be a log group name"),
        ([], ["s3", "logs"], "s3_key_log_group_names: must name the log groups CloudWatch Logs encrypts with the key"),
    ],
    ids=["wildcard", "space", "none-with-logs"],
)
def test_the_log_groups_the_stack_key_encrypts_are_named_exactly(names, services, refusal):
    values = inventory_inputs("local") | {"s3_key_log_group_names": names}
    if services:
        values["s3_key_usage_services"] = services
    assert refusal in "\n".join(check_inputs(values, REGIONS))
    values |= {
        "s3_key_log_group_names": ["corp-vpc-flowlogs-local", "/aws/app/corp"],
        "s3_key_usage_services": ["s3", "logs"],
        "rds_use_stack_key": False,
        "backup_use_stack_key": False,
    }
    assert check_inputs(values, REGIONS) == []


@pytest.mark.parametrize(
    "extra, refusal",
    [
        ({"rds_port": 5432, "corp_production": True}, "rds_port: must not be PostgreSQL's default port 5432 in production (Security Hub RDS.23)"),
        ({"rds_port": 80}, "rds_port: must be a port RDS accepts, 1150-65535 (got 80)"),
        ({"rds_port": 5433, "network_db_port": 6000}, "network_db_port: must equal rds_port"),
    ],
    ids=["default-port-in-production", "out-of-range", "security-group-elsewhere"],
)
def test_the_database_port_is_not_the_engine_default_and_the_security_group_admits_it(extra, refusal):
    assert refusal in "\n".join(check_inputs(inventory_inputs("local") | extra, REGIONS))


def test_the_default_port_is_allowed_outside_production_and_the_ports_may_agree():
    assert check_inputs(inventory_inputs("local") | {"rds_port": 5432, "network_db_port": 5432}, REGIONS) == []


def test_engine_versions_past_their_rds_standard_support_end_are_refused_by_date():
    import datetime

    values = inventory_inputs("local") | {"rds_engine_version": "17.6", "preflight_rds_engine_version_minimum": "9.6"}
    line = "rds_engine_version: PostgreSQL 17 left RDS standard support on 2030-02-28"
    assert check_inputs(values, REGIONS, today=datetime.date(2030, 2, 28)) == []
    assert line in "\n".join(check_inputs(values, REGIONS, today=datetime.date(2030, 3, 1)))
    # Today (2026-12), 13 is past its end and 14 is not; a major newer than the table is accepted.
    assert "PostgreSQL 13 left RDS standard support on 2026-02-28" in "\n".join(
        check_inputs(values | {"rds_engine_version": "13.20"}, REGIONS, today=datetime.date(2026, 12, 7))
    )
    assert check_inputs(values | {"rds_engine_version": "14.20"}, REGIONS, today=datetime.date(2026, 12, 7)) == []
    assert check_inputs(values | {"rds_engine_version": "18.1"}, REGIONS, today=datetime.date(2026, 12, 7)) == []
    assert "PostgreSQL 10 left RDS standard support" in "\n".join(
        check_inputs(values | {"rds_engine_version": "10.23"}, REGIONS, today=datetime.date(2026, 12, 7))
    )


@pytest.mark.parametrize("quota", [10, 41, "many"])
def test_the_network_acl_rule_quota_is_one_aws_can_grant(quota):
    lines = check_inputs(inventory_inputs("local") | {"network_nacl_rule_quota": quota}, REGIONS)
    assert f"network_nacl_rule_quota: must be the account's quota of rules per network ACL, 20-40 (got {quota!r})" in lines
    assert check_inputs(inventory_inputs("local") | {"network_nacl_rule_quota": 40}, REGIONS) == []


def test_every_roles_argument_spec_is_checked_before_any_role_starts():
    from ansible_collections.corp.infra.plugins.action.preflight import role_specs
    from ansible_collections.corp.infra.plugins.module_utils.preflight import check_argument_specs

    specs = role_specs()
    assert {"network", "s3", "iam", "rds", "dynamodb", "verify"} <= set(specs)
    for environment in ("local", "dev", "staging", "prod"):
        assert check_argument_specs(inventory_inputs(environment), specs) == [], environment
    values = inventory_inputs("local")
    lines = check_argument_specs(
        values | {"rds_ca_certificate_identifier": "rds-ca-2019", "s3_eventbridge": "sometimes", "network_nacl_rule_quota": "twenty"}, specs
    )
    assert [line.split(":")[0] for line in lines] == ["network_nacl_rule_quota", "rds_ca_certificate_identifier", "s3_eventbridge"]
    assert "value of rds_ca_certificate_identifier must be one of: rds-ca-rsa2048-g1, rds-ca-rsa4096-g1, rds-ca-ecc384-g1, got: rds-ca-2019" in lines[1]
    assert lines[1].endswith("(roles/rds/meta/argument_specs.yml)")


def test_deleting_tasks_take_their_state_from_the_confirmation():
    from ansible.errors import AnsibleFilterError

    from ansible_collections.corp.infra.plugins.filter.destroy import destroy_refusal
    from ansible_collections.corp.infra.plugins.filter.destroy import destroy_state

    assert destroy_state("prod", "prod") == "absent" and destroy_refusal("prod", "prod") == ""
    with pytest.raises(AnsibleFilterError, match="corp_destroy_confirmation: deleting resources of prod needs -e corp_destroy_confirmation=prod"):
        destroy_state("prod", "")
    with pytest.raises(AnsibleFilterError, match="'dev' is not this host's environment prod"):
        destroy_state("prod", "dev")
    # Every task that deletes takes its state from the filter: none may delete unconfirmed.
    for path in ROOT.glob("roles/*/tasks/*.yml"):
        text = path.read_text()
        assert "state: absent" not in text, path


def test_a_host_whose_environment_is_not_its_name_is_refused():
    values = inventory_inputs("prod")
    assert check_inputs(values, REGIONS, host="prod") == []
    (line,) = check_inputs(values, REGIONS, host="dev")
    assert line.startswith("corp_environment: 'prod' is not this host's name 'dev': one host is one environment; keep each environment's values")
    # The emulator's host stands for any environment, by its documented setting.
    assert check_inputs(inventory_inputs("local") | {"corp_environment": "nettest"}, REGIONS, host="local") == []


def test_production_names_its_accounts_and_each_is_an_account_id():
    values = inventory_inputs("prod")
    assert check_inputs(values, REGIONS, host="prod") == []
    del values["corp_allowed_account_ids"]
    assert check_inputs(values, REGIONS, host="prod") == [
        "corp_allowed_account_ids: must name the production account(s) in production: a run with another account's credentials is then refused"
    ]
    assert check_inputs(inventory_inputs("dev") | {"corp_allowed_account_ids": ["1234", 123456789012]}, REGIONS, host="dev") == [
        "corp_allowed_account_ids: '1234' must be a 12-digit AWS account id (quote it in YAML)"
    ]


@pytest.mark.parametrize(
    "extra, refusal",
    [
        ({"s3_key_usage_services": ["s3", "dynamodb"]}, "s3_key_usage_services: must list rds, secretsmanager: rds_use_stack_key is true"),
        ({"s3_key_usage_services": ["s3", "dynamodb", "rds", "secretsmanager"]}, "s3_key_usage_services: must list logs: network_flow_logs_use_stack_key"),
        ({"s3_key_log_group_names": ["/aws/app/corp"]}, "s3_key_log_group_names: must list the flow log group corp-vpc-flowlogs-local"),
        (
            {"s3_key_usage_services": ["s3", "dynamodb", "rds", "secretsmanager", "logs"]},
            "s3_key_usage_services: must list backup: backup_use_stack_key is true",
        ),
    ],
    ids=["no-rds", "no-logs", "no-flow-log-group", "no-backup"],
)
def test_what_uses_the_stack_key_is_in_its_policy(extra, refusal):
    assert refusal in "\n".join(check_inputs(inventory_inputs("local") | extra, REGIONS))


def test_services_that_opt_out_of_the_stack_key_need_no_statement():
    values = inventory_inputs("local") | {
        "s3_key_usage_services": ["s3", "dynamodb"],
        "rds_use_stack_key": False,
        "network_flow_logs_use_stack_key": False,
        "backup_use_stack_key": False,
    }
    assert check_inputs(values, REGIONS) == []


@pytest.mark.parametrize(
    ("variable", "replacement"),
    [
        ("iam_data_bucket_purpose", "s3_bucket_purpose"),
        ("iam_data_table_purpose", "dynamodb_purpose"),
        ("iam_data_key_purpose", "s3_key_purpose"),
        ("iam_monitored_db_purpose", "rds_purpose"),
        ("network_endpoint_bucket_purpose", "s3_bucket_purpose"),
        ("network_endpoint_table_purpose", "dynamodb_purpose"),
    ],
)
def test_a_second_name_for_another_roles_resource_is_refused_naming_the_one_variable_left(variable, replacement):
    # Set, it would be ignored: the roles name that resource from the one purpose variable now.
    problems = check_inputs(inventory_inputs("local") | {variable: "orders"}, REGIONS)
    assert problems == [f"{variable}: is gone: every role names that resource from {replacement}, set once for the stack (corp.infra.stack_names)"]


def test_the_backup_roles_purpose_is_refused_as_fixed():
    problems = check_inputs(inventory_inputs("local") | {"backup_iam_role_purpose": "jobs"}, REGIONS)
    assert problems == ["backup_iam_role_purpose: is gone: the role it named has the fixed name <prefix>-iam-backup-<environment> (corp.infra.stack_names)"]


@pytest.mark.parametrize(
    "extra, refusal",
    [
        ({"backup_schedule_expression": "daily"}, "backup_schedule_expression: must be cron(<6 fields>) or rate(<n> <unit>)"),
        ({"backup_schedule_expression": "cron(0 3 * * *)"}, "backup_schedule_expression: must be cron(<6 fields>)"),
        ({"backup_start_window_minutes": 30}, "backup_start_window_minutes: must be at least 60"),
        ({"backup_start_window_minutes": 120, "backup_completion_window_minutes": 90}, "backup_completion_window_minutes: must be at least the start window"),
        ({"backup_retention_days": 0}, "backup_retention_days: must be 1-36500 days"),
        ({"backup_vault_lock_changeable_for_days": 2}, "backup_vault_lock_changeable_for_days: must be 0 (governance mode) or at least 3"),
        ({"backup_vault_lock": True, "backup_vault_lock_min_retention_days": 0}, "backup_vault_lock_min_retention_days: must be at least 1"),
        (
            {"backup_vault_lock": True, "backup_vault_lock_min_retention_days": 30, "backup_vault_lock_max_retention_days": 7},
            "backup_vault_lock_max_retention_days",
        ),
        (
            {"backup_vault_lock": True, "backup_vault_lock_min_retention_days": 7, "backup_vault_lock_max_retention_days": 30, "backup_retention_days": 35},
            "backup_retention_days: must be within the vault lock's 7-30 days",
        ),
        ({"backup_purpose": "p" * 24, "corp_environment": "e" * 16}, "backup_purpose: 'corp-backup-pppppppppppppppppppppppp-eeeeeeeeeeeeeeee': AWS Backup"),
    ],
    ids=[
        "not-a-schedule",
        "five-field-cron",
        "short-start",
        "completion-before-start",
        "no-retention",
        "short-cooling-off",
        "min-0",
        "max-below-min",
        "retention-outside-lock",
        "name-too-long",
    ],
)
def test_backup_inputs_are_refused_before_any_request(extra, refusal):
    assert refusal in "\n".join(check_inputs(inventory_inputs("local") | extra, REGIONS))


def test_production_requires_the_vault_lock_and_accepts_sound_backup_settings():
    prod = inventory_inputs("prod")
    assert "backup_vault_lock: must be true (in production)" in "\n".join(check_inputs(prod | {"backup_vault_lock": False}, REGIONS))
    sound = {
        "backup_vault_lock": True,
        "backup_schedule_expression": "cron(30 2 ? * SUN *)",
        "backup_retention_days": 90,
        "backup_vault_lock_changeable_for_days": 3,
        "backup_start_window_minutes": 60,
        "backup_completion_window_minutes": 60,
    }
    assert [p for p in check_inputs(prod | sound, REGIONS) if p.startswith("backup_")] == []


@pytest.mark.parametrize(
    "extra, refusal",
    [
        ({"corp_aws_assume_role_arn": "corp-deploy"}, "corp_aws_assume_role_arn: must be an IAM role ARN"),
        ({"corp_aws_assume_role_arn": "arn:aws:iam::111111111111:user/deploy"}, "corp_aws_assume_role_arn: must be an IAM role ARN"),
        (
            {"corp_aws_assume_role_arn": "arn:aws:iam::111111111111:role/corp-deploy", "corp_allowed_account_ids": ["222222222222"]},
            "corp_aws_assume_role_arn: is in account 111111111111, which is not one of corp_allowed_account_ids (222222222222)",
        ),
        ({"corp_aws_assume_role_external_id": "abc"}, "corp_aws_assume_role_arn: is required when corp_aws_assume_role_external_id"),
        (
            {"corp_aws_assume_role_arn": "arn:aws:iam::111111111111:role/corp-deploy", "corp_aws_assume_role_external_id": "x"},
            "corp_aws_assume_role_external_id: must be 2-1224",
        ),
        (
            {"corp_aws_assume_role_arn": "arn:aws:iam::111111111111:role/corp-deploy", "corp_aws_assume_role_session_name": "a session"},
            "corp_aws_assume_role_session_name: must be 2-64",
        ),
        ({"corp_aws_assume_role_duration_seconds": 600}, "corp_aws_assume_role_duration_seconds: must be 900-43200"),
        ({"corp_aws_profile": "prod-admin"}, "corp_aws_profile: cannot be combined with corp_aws_access_key"),
    ],
    ids=["not-an-arn", "a-user", "account-not-allowed", "external-id-alone", "short-external-id", "session-with-space", "short-session", "profile-and-keys"],
)
def test_credential_inputs_are_refused_before_any_request(extra, refusal):
    assert refusal in "\n".join(check_inputs(inventory_inputs("local") | extra, REGIONS))


def test_a_role_in_an_allowed_account_with_a_profile_is_accepted():
    prod = inventory_inputs("prod") | {
        "corp_aws_profile": "org-deployer",
        "corp_aws_assume_role_arn": "arn:aws:iam::210987654321:role/corp-deploy",
        "corp_aws_assume_role_external_id": "corp-infra-prod",
        "corp_aws_assume_role_session_name": "awx-job-42",
        "corp_aws_assume_role_duration_seconds": 3600,
    }
    assert [p for p in check_inputs(prod, REGIONS) if p.startswith("corp_aws")] == []


@pytest.mark.parametrize(
    "users, refusal",
    [
        (["*"], "iam_data_access_db_users: '*' must be a PostgreSQL user name"),
        (["app*"], "iam_data_access_db_users: 'app*' must be a PostgreSQL user name"),
        (["App"], "iam_data_access_db_users: 'App' must be a PostgreSQL user name"),
        (["corpadmin"], "iam_data_access_db_users: 'corpadmin' is the master user"),
    ],
    ids=["wildcard", "pattern", "upper-case", "master"],
)
def test_database_users_are_plain_names_and_never_the_master(users, refusal):
    assert refusal in "\n".join(check_inputs(inventory_inputs("local") | {"iam_data_access_db_users": users}, REGIONS))
    assert [p for p in check_inputs(inventory_inputs("local") | {"iam_data_access_db_users": ["app", "reporting_ro"]}, REGIONS) if "db_users" in p] == []


@pytest.mark.parametrize(
    "name, refused",
    [
        ("corp-rds-main-dev-final-20261207153000", False),
        ("keep-this-one", False),
        ("1st-final", True),
        ("corp--final", True),
        ("corp-final-", True),
        ("corp_final", True),
        ("c" * 256, True),
    ],
    ids=["default-shape", "own-name", "digit-first", "double-hyphen", "trailing-hyphen", "underscore", "too-long"],
)
def test_a_final_snapshot_name_follows_rds_rules(name, refused):
    problems = [p for p in check_inputs(inventory_inputs("local") | {"rds_final_snapshot_identifier": name}, REGIONS) if "final_snapshot" in p]
    assert bool(problems) is refused
    if refused:
        assert problems[0].startswith("rds_final_snapshot_identifier: must be 1-255 letters, digits or hyphens")
