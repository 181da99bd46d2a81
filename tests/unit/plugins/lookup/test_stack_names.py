"""corp.infra.stack_names: every name the roles share, from one table, a purpose set once reaching every role."""

from pathlib import Path

import pytest
import yaml
from ansible.errors import AnsibleLookupError
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar
from ansible.template import trust_as_template

from ansible_collections.corp.infra.plugins.lookup.stack_names import LookupModule
from ansible_collections.corp.infra.plugins.module_utils.naming import PURPOSE_VARIABLES
from ansible_collections.corp.infra.plugins.module_utils.naming import NamingError
from ansible_collections.corp.infra.plugins.module_utils.naming import stack_names

ROLES = Path(__file__).resolve().parents[4] / "roles"


def lookup(variables):
    return LookupModule(loader=DataLoader(), templar=Templar(loader=DataLoader())).run([], variables=variables)[0]


def test_the_names_follow_the_convention_with_each_purpose_defaulted():
    names = stack_names("prod")
    assert names["bucket"] == "corp-s3-securedata-prod" and names["log_bucket"] == "corp-s3-accesslogs-prod"
    assert names["key_alias"] == "alias/corp-kms-data-prod" and names["table"] == "corp-dynamodb-main-prod"
    assert names["database"] == "corp-rds-main-prod" and names["monitoring_role"] == "corp-iam-rdsmonitoring-prod"
    assert names["vpc"] == "corp-vpc-main-prod" and names["s3_endpoint"] == "corp-vpc-s3endpoint-prod"
    assert all(name == name.lower() for name in names.values())


def test_a_purpose_set_once_renames_that_resource_for_everyone_and_nothing_else():
    default = stack_names("prod", "acme")
    renamed = stack_names("prod", "acme", {"s3_key_purpose": "secrets", "rds_purpose": "orders"})
    assert renamed["key_alias"] == "alias/acme-kms-secrets-prod" and renamed["database"] == "acme-rds-orders-prod"
    assert {k for k in default if default[k] != renamed[k]} == {"key", "key_alias", "database"}


def test_a_bad_purpose_fails_naming_its_variable():
    with pytest.raises(NamingError, match=r"^s3_bucket_purpose: purpose must be 1-24 lowercase"):
        stack_names("prod", purposes={"s3_bucket_purpose": "Secure_Data"})


def test_each_purpose_default_is_the_one_its_role_documents():
    # The owning role's defaults/main.yml says the same, so a role's README and the names it gets agree.
    defaults = {}
    for path in ROLES.glob("*/defaults/main.yml"):
        defaults |= yaml.safe_load(path.read_text()) or {}
    assert {variable: defaults[variable] for variable in PURPOSE_VARIABLES} == PURPOSE_VARIABLES


def test_no_role_builds_a_shared_name_itself():
    # The resource_name filter stays for users; inside the roles every name comes from stack_names.
    builders = [str(path.relative_to(ROLES)) for path in ROLES.rglob("*.yml") if "corp.infra.resource_name(" in path.read_text()]
    assert builders == []


def test_the_lookup_reads_the_hosts_variables_templated():
    # As inventory variables reach it: trusted strings, templated on use.
    names = lookup({"corp_environment": trust_as_template("{{ 'st' ~ 'aging' }}"), "corp_name_prefix": "acme", "dynamodb_purpose": "orders"})
    assert names["table"] == "acme-dynamodb-orders-staging" and names["bucket"] == "acme-s3-securedata-staging"


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({}, r"^corp.infra.stack_names: corp_environment is not set$"),
        ({"corp_environment": "prod", "backup_purpose": "Daily"}, r"^corp.infra.stack_names: backup_purpose: purpose must be"),
    ],
)
def test_the_lookup_fails_in_one_line(variables, message):
    with pytest.raises(AnsibleLookupError, match=message):
        lookup(variables)
