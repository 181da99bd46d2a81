"""Bad input is refused by site.yml with one line naming the variable and the rule, and AWS hears nothing."""

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml

from .conftest import ansible_playbook

ROOT = Path(__file__).resolve().parents[2]
BAD_INPUTS = yaml.safe_load((ROOT / "tests" / "bad_inputs.yml").read_text())
# Failures Ansible's own argument-spec validation catches (types), before corp.infra.preflight runs.
SPEC_CASES = [
    {"id": "production-not-a-bool", "vars": {"corp_production": "maybe"}, "expect": "corp_production"},
    {"id": "tags-not-a-mapping", "vars": {"corp_tags": ["Owner", "data"]}, "expect": "corp_tags"},
]


def _failure_message(output: str) -> str:
    match = re.search(r"^fatal: \[local\]: FAILED! => (\{.*\})$", output, re.MULTILINE)
    assert match, output[-3000:]
    return json.loads(match.group(1))["msg"]


@pytest.mark.parametrize("case", BAD_INPUTS + SPEC_CASES, ids=[c["id"] for c in BAD_INPUTS + SPEC_CASES])
def test_bad_input_is_refused_before_any_aws_request(emulator, tmp_path, case):
    extra = tmp_path / "extra.json"
    extra.write_text(json.dumps(case["vars"]))
    emulator.reset()
    result = ansible_playbook(emulator, "site.yml", "-i", "inventories/local", "-e", f"@{extra}")
    output = result.stdout + result.stderr
    assert result.returncode != 0
    message = _failure_message(output)
    assert case["expect"] in message, message
    if case in BAD_INPUTS:
        assert "\n" not in message and message.startswith("preflight: ")
    assert emulator.requests()["total"] == 0, emulator.requests()
    assert "TASK [corp.infra.outputs" not in output


def test_good_input_reaches_aws(emulator):
    # The control: the same playbook with valid input does call AWS, so a zero above means something.
    emulator.reset()
    ansible_playbook(emulator, "site.yml", "-i", "inventories/local", "--tags", "outputs", check=True)
    assert emulator.requests()["total"] > 0


# The same rules hold wherever the bad value comes from: an inventory's group_vars, or the vars a user's own
# playbook gives one of the roles (preflight runs as each role's dependency, before its first AWS request).
ENTRY_POINT_CASES = [
    c
    for c in BAD_INPUTS
    if c["id"] in {"hard-coded-db-password", "kms-wildcard-resource", "wildcard-principal", "public-database-ingress", "dynamodb-alias-not-arn"}
]
ROLE_OF_PREFIX = {"rds": "rds", "iam": "iam", "s3": "s3", "network": "network", "dynamodb": "dynamodb"}


def _assert_refused_before_aws(emulator, result, case):
    output = result.stdout + result.stderr
    assert result.returncode != 0, output[-3000:]
    message = _failure_message(output)
    assert case["expect"] in message and "\n" not in message and message.startswith("preflight: "), message
    assert emulator.requests()["total"] == 0, emulator.requests()


@pytest.mark.parametrize("case", ENTRY_POINT_CASES, ids=[c["id"] for c in ENTRY_POINT_CASES])
def test_bad_inventory_vars_are_refused_before_any_aws_request(emulator, tmp_path, case):
    inventory = tmp_path / "inventory"
    shutil.copytree(ROOT / "inventories" / "local", inventory)
    (inventory / "group_vars" / "all" / "zz-team.yml").write_text(yaml.safe_dump(case["vars"]))
    emulator.reset()
    _assert_refused_before_aws(emulator, ansible_playbook(emulator, "site.yml", "-i", str(inventory)), case)


@pytest.mark.parametrize("case", ENTRY_POINT_CASES, ids=[c["id"] for c in ENTRY_POINT_CASES])
def test_bad_role_vars_are_refused_before_any_aws_request(emulator, tmp_path, case):
    (variable,) = case["vars"]
    role = variable.split("_", 1)[0]
    assert (ROOT / "roles" / role).is_dir(), variable
    playbook = tmp_path / "team.yml"
    play = {"name": "A team's own play", "hosts": "all", "gather_facts": False}
    play["tasks"] = [{"name": f"Use corp.infra.{role}", "ansible.builtin.import_role": {"name": f"corp.infra.{role}"}, "vars": case["vars"]}]
    playbook.write_text(yaml.safe_dump([play], sort_keys=False))
    emulator.reset()
    _assert_refused_before_aws(emulator, ansible_playbook(emulator, str(playbook), "-i", "inventories/local"), case)


@pytest.mark.parametrize("playbook", ["playbooks/verify.yml", "playbooks/destroy.yml"])
def test_the_other_playbooks_refuse_bad_input_before_any_aws_request(emulator, playbook):
    (case,) = [c for c in BAD_INPUTS if c["id"] == "public-database-ingress"]
    extra = json.dumps(case["vars"] | {"corp_destroy_confirmation": "local"})
    emulator.reset()
    _assert_refused_before_aws(emulator, ansible_playbook(emulator, playbook, "-i", "inventories/local", "-e", extra), case)


# Every deleting path refuses without the environment's own name, and with another's, before any AWS request:
# the destroy playbook, the destroy playbook started past its checks, and a role's absent state through site.yml
# narrowed by --tags (bad_inputs.yml has the site.yml cases). The multi-environment test destroys with it.
DESTROY_PATHS = {
    "destroy-playbook": ("playbooks/destroy.yml",),
    "destroy-started-at-the-database": ("playbooks/destroy.yml", "--start-at-task", "Delete the database, keeping a final snapshot"),
    "destroy-started-at-the-network": ("playbooks/destroy.yml", "--start-at-task", "Remove the network"),
    "network-role-by-tag": ("site.yml", "--tags", "network", "-e", "network_state=absent"),
}


@pytest.mark.parametrize("confirmation", [None, "prod"], ids=["unconfirmed", "another-environment"])
@pytest.mark.parametrize("path", DESTROY_PATHS.values(), ids=DESTROY_PATHS.keys())
def test_every_deleting_path_needs_the_environments_own_name(emulator, path, confirmation):
    extra = ("-e", f"corp_destroy_confirmation={confirmation}") if confirmation else ()
    emulator.reset()
    result = ansible_playbook(emulator, *path, "-i", "inventories/local", *extra)
    assert result.returncode != 0
    message = _failure_message(result.stdout + result.stderr)
    assert "corp_destroy_confirmation: " in message and "-e corp_destroy_confirmation=local" in message, message
    assert "\n" not in message
    assert emulator.requests()["total"] == 0, emulator.requests()


def test_an_environment_leaking_into_another_host_is_refused_before_any_aws_request(emulator, tmp_path):
    # Two inventories of the old layout, each with its environment in group_vars/all, combined with -i: every
    # host gets the last one's values. Preflight sees host dev calling itself prod.
    sources = []
    for environment in ("dev", "prod"):
        inventory = tmp_path / environment
        (inventory / "group_vars" / "all").mkdir(parents=True)
        shutil.copy(ROOT / "inventories" / environment / "hosts.yml", inventory / "hosts.yml")
        shutil.copy(ROOT / "inventories" / environment / "host_vars" / f"{environment}.yml", inventory / "group_vars" / "all" / "main.yml")
        sources += ["-i", str(inventory)]
    emulator.reset()
    result = ansible_playbook(emulator, "site.yml", *sources, "--limit", "dev", "--check")
    assert result.returncode != 0
    match = re.search(r"^fatal: \[dev\]: FAILED! => (\{.*\})$", result.stdout, re.MULTILINE)
    assert match, result.stdout[-3000:]
    message = json.loads(match.group(1))["msg"]
    assert "corp_environment: 'prod' is not this host's name 'dev': one host is one environment" in message and "\n" not in message
    assert emulator.requests()["total"] == 0, emulator.requests()


def test_a_run_with_another_accounts_credentials_is_refused_after_one_get_caller_identity(emulator):
    emulator.reset()
    refused = ansible_playbook(emulator, "site.yml", "-i", "inventories/local", "-e", '{"corp_allowed_account_ids": ["210987654321"]}')
    assert refused.returncode != 0
    match = re.search(r"^fatal: \[local\]: FAILED! => (\{.*\})$", refused.stdout, re.MULTILINE)
    assert match, refused.stdout[-3000:]
    message = json.loads(match.group(1))["msg"]
    assert message.startswith("corp_allowed_account_ids: the credentials act in account 123456789012") and "\n" not in message
    assert emulator.requests()["total"] == 1 and emulator.requests()["by_action"] == {"sts:GetCallerIdentity": 1}, emulator.requests()
    # The account allowed: the run goes on (checked here with --check, which only reads).
    emulator.reset()
    allowed = ansible_playbook(
        emulator, "site.yml", "-i", "inventories/local", "--check", "--tags", "s3", "-e", '{"corp_allowed_account_ids": ["123456789012"]}'
    )
    assert allowed.returncode == 0 and emulator.requests()["total"] > 1


def test_a_role_in_an_account_the_environment_does_not_allow_is_refused_before_any_request(emulator):
    emulator.reset()
    extra = '{"corp_allowed_account_ids": ["210987654321"], "corp_aws_assume_role_arn": "arn:aws:iam::111111111111:role/corp-deploy"}'
    refused = ansible_playbook(emulator, "site.yml", "-i", "inventories/local", "-e", extra)
    assert refused.returncode != 0
    assert "corp_aws_assume_role_arn: is in account 111111111111, which is not one of corp_allowed_account_ids (210987654321)" in refused.stdout
    assert emulator.requests()["total"] == 0, emulator.requests()
    # An allowed role: the run assumes it, then reads the caller, whose account is the role's, before anything else.
    emulator.reset()
    extra = '{"corp_allowed_account_ids": ["111111111111"], "corp_aws_assume_role_arn": "arn:aws:iam::111111111111:role/corp-deploy"}'
    allowed = ansible_playbook(emulator, "site.yml", "-i", "inventories/local", "--check", "--tags", "s3", "-e", extra)
    assert allowed.returncode == 0, allowed.stdout[-3000:]
    by_action = emulator.requests()["by_action"]
    assert by_action.get("sts:AssumeRole") == 1 and by_action.get("sts:GetCallerIdentity") == 1, by_action
