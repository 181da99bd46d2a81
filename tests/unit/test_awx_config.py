"""The AWX configuration as code (awx/controller/*.yml): every template runs a playbook that exists, every object it
names is defined, every survey variable is one its playbook accepts, and destroy cannot launch unconfirmed."""

from __future__ import annotations

import copy
import re

import pytest
import yaml
from dateutil.rrule import rrulestr

from tests.integration.awx import ROOT
from tests.integration.awx import SurveyRefused
from tests.integration.awx import choices
from tests.integration.awx import controller_config
from tests.integration.awx import survey_extra_vars

ENVIRONMENTS = ("dev", "staging", "prod")
# Variables a playbook reads itself, beyond its roles' argument specs (documented in the playbook's header).
PLAYBOOK_VARIABLES = {"playbooks/destroy.yml": {"corp_destroy_confirmation"}}
CONFIG = controller_config()
TEMPLATES = CONFIG["controller_templates"]


def _role_name(name: str) -> str:
    assert name.startswith("corp.infra."), f"{name}: a role outside corp.infra, whose inputs this test cannot know"
    return name.removeprefix("corp.infra.")


def _tasks(node: dict):
    for key in ("pre_tasks", "tasks", "post_tasks", "handlers", "block", "rescue", "always"):
        for task in node.get(key) or []:
            yield task
            yield from _tasks(task)


def playbook_roles(playbook: str) -> set[str]:
    """Every corp.infra role a playbook runs: its plays' roles, imported and included roles, and their dependencies."""
    roles = set()
    for play in yaml.safe_load((ROOT / playbook).read_text()):
        # site.yml imports the collection's playbooks/site.yml.
        if "ansible.builtin.import_playbook" in play:
            roles |= playbook_roles(str((ROOT / playbook).parent.relative_to(ROOT) / play["ansible.builtin.import_playbook"]))
            continue
        roles.update(_role_name(r if isinstance(r, str) else r.get("role", r.get("name"))) for r in play.get("roles", []))
        for task in _tasks(play):
            for action in ("ansible.builtin.import_role", "ansible.builtin.include_role"):
                if action in task:
                    roles.add(_role_name(task[action]["name"]))
    pending = list(roles)
    while pending:
        meta = yaml.safe_load((ROOT / "roles" / pending.pop() / "meta" / "main.yml").read_text())
        for dependency in meta.get("dependencies") or []:
            name = _role_name(dependency if isinstance(dependency, str) else dependency["role"])
            if name not in roles:
                roles.add(name)
                pending.append(name)
    return roles


def accepted_variables(playbook: str) -> set[str]:
    """What a playbook accepts as input: the options of every entry point of its roles' argument specs, and the
    variables the playbook itself reads."""
    accepted = set(PLAYBOOK_VARIABLES.get(playbook, ()))
    for role in playbook_roles(playbook):
        specs = yaml.safe_load((ROOT / "roles" / role / "meta" / "argument_specs.yml").read_text())["argument_specs"]
        for entry_point in specs.values():
            accepted.update(entry_point.get("options") or {})
    return accepted


def unknown_survey_variables(job_template: dict) -> set[str]:
    if not job_template.get("survey_enabled"):
        return set()
    asked = {q["variable"] for q in job_template["survey_spec"]["spec"]}
    return asked - accepted_variables(job_template["playbook"])


def test_playbook_level_variables_are_read_by_their_playbooks():
    for playbook, variables in PLAYBOOK_VARIABLES.items():
        text = (ROOT / playbook).read_text()
        for variable in variables:
            assert re.search(rf"\b{variable}\b", text), f"{playbook} no longer reads {variable}"


def test_the_roles_each_playbook_runs_are_found():
    assert playbook_roles("site.yml") == {"preflight", "account", "network", "s3", "iam", "rds", "dynamodb", "backup", "outputs", "verify"}
    assert playbook_roles("playbooks/verify.yml") == {"preflight", "account", "verify"}
    assert "rds_apply_immediately" in accepted_variables("site.yml")
    # site.yml takes the confirmation too now (a role's <role>_state=absent through it needs it).
    assert "corp_destroy_confirmation" in accepted_variables("site.yml")
    assert {"corp_destroy_confirmation", "s3_force_destroy"} <= accepted_variables("playbooks/destroy.yml")


@pytest.mark.parametrize("job_template", TEMPLATES, ids=lambda t: t["name"])
def test_every_template_runs_an_existing_playbook_with_defined_objects(job_template):
    playbook = ROOT / job_template["playbook"]
    assert playbook.is_file(), f"{job_template['name']}: {job_template['playbook']} is not in the project"
    assert isinstance(yaml.safe_load(playbook.read_text()), list), f"{job_template['playbook']} is not a playbook"
    assert job_template["job_type"] in ("run", "check")
    assert job_template["project"] in {p["name"] for p in CONFIG["controller_projects"]}
    assert job_template["inventory"] in {i["name"] for i in CONFIG["controller_inventories"]}
    assert job_template["execution_environment"] in {e["name"] for e in CONFIG["controller_execution_environments"]}
    credentials = {c["name"]: c for c in CONFIG["controller_credentials"]}
    assert job_template["credentials"] and set(job_template["credentials"]) <= set(credentials)
    # The template's AWS credential is its environment's, never another's.
    environment = job_template["inventory"].removeprefix("corp.infra ")
    assert all(name.endswith(f" {environment}") for name in job_template["credentials"]), job_template["credentials"]
    # An assumed role, never IAM user keys (issue 18).
    assert all(credentials[name]["credential_type"] == "corp.infra AWS role" for name in job_template["credentials"])


@pytest.mark.parametrize("job_template", TEMPLATES, ids=lambda t: t["name"])
def test_every_survey_variable_is_one_the_playbook_accepts(job_template):
    unknown = unknown_survey_variables(job_template)
    assert not unknown, f"{job_template['name']}: {job_template['playbook']} accepts no {sorted(unknown)}"
    if job_template.get("survey_enabled"):
        spec = job_template["survey_spec"]["spec"]
        assert len({q["variable"] for q in spec}) == len(spec), "a variable asked twice"
        for question in spec:
            assert question["type"] in ("text", "textarea", "password", "integer", "float", "multiplechoice", "multiselect")
            if question["type"] == "multiplechoice" and "default" in question:
                assert question["default"] in choices(question)
        # The defaults alone make a valid launch, or AWX refuses it; never an invalid one.
        try:
            survey_extra_vars(job_template)
        except SurveyRefused:
            assert any(q.get("required") and q.get("default", "") == "" for q in spec)


def test_an_unknown_survey_variable_is_caught():
    converge = copy.deepcopy(next(t for t in TEMPLATES if t["playbook"] == "site.yml" and t.get("survey_enabled")))
    converge["survey_spec"]["spec"][0]["variable"] = "rds_aply_immediately"
    assert unknown_survey_variables(converge) == {"rds_aply_immediately"}
    # A retired variable is unknown: asked in a survey it would do nothing (preflight refuses it anyway).
    converge["survey_spec"]["spec"][0]["variable"] = "rds_confirm_destroy"
    assert unknown_survey_variables(converge) == {"rds_confirm_destroy"}


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_each_environment_has_converge_drift_compliance_and_destroy(environment):
    mine = {t["name"].split()[1]: t for t in TEMPLATES if t["inventory"] == f"corp.infra {environment}"}
    assert set(mine) == {"converge", "drift", "compliance", "destroy"}
    assert (mine["converge"]["playbook"], mine["converge"]["job_type"]) == ("site.yml", "run")
    assert (mine["drift"]["playbook"], mine["drift"]["job_type"], mine["drift"]["diff_mode"]) == ("site.yml", "check", True)
    assert (mine["compliance"]["playbook"], mine["compliance"]["job_type"]) == ("playbooks/verify.yml", "run")
    assert (mine["destroy"]["playbook"], mine["destroy"]["job_type"]) == ("playbooks/destroy.yml", "run")
    # The inventory is the environment's own folder in the project.
    (source,) = [s for s in CONFIG["controller_inventory_sources"] if s["inventory"] == f"corp.infra {environment}"]
    assert source["source"] == "scm" and source["source_project"] in {p["name"] for p in CONFIG["controller_projects"]}
    assert (ROOT / source["source_path"] / "hosts.yml").is_file()
    host_vars = yaml.safe_load((ROOT / source["source_path"] / "host_vars" / f"{environment}.yml").read_text())
    assert host_vars["corp_environment"] == environment


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_destroy_cannot_launch_without_the_confirmation(environment):
    (destroy,) = [t for t in TEMPLATES if t["name"] == f"corp.infra destroy {environment}"]
    assert destroy["survey_enabled"] is True
    (question,) = [q for q in destroy["survey_spec"]["spec"] if q["variable"] == "corp_destroy_confirmation"]
    assert question["required"] is True and question.get("default", "") == "" and question["type"] == "text"
    # Nothing else can answer it for the user: no template extra var, no prompt for extra vars.
    assert "corp_destroy_confirmation" not in (destroy.get("extra_vars") or {})
    assert not destroy.get("ask_variables_on_launch")
    with pytest.raises(SurveyRefused, match="corp_destroy_confirmation is required"):
        survey_extra_vars(destroy)
    with pytest.raises(SurveyRefused, match="corp_destroy_confirmation is required"):
        survey_extra_vars(destroy, {"s3_force_destroy": "true"})
    sent = survey_extra_vars(destroy, {"corp_destroy_confirmation": environment})
    assert sent == {"corp_destroy_confirmation": environment, "s3_force_destroy": "false"}


def test_no_other_template_asks_for_or_sends_the_confirmation():
    for job_template in TEMPLATES:
        if job_template["playbook"] == "playbooks/destroy.yml":
            continue
        asked = {q["variable"] for q in job_template.get("survey_spec", {}).get("spec", [])}
        assert "corp_destroy_confirmation" not in asked | set(job_template.get("extra_vars") or {})


def test_credentials_hold_no_secret():
    for credential in CONFIG["controller_credentials"]:
        for name, value in credential["inputs"].items():
            assert re.fullmatch(r"\{\{ [^{}]+ \}\}", value), f"{credential['name']}: {name} must come from the vault, not the repository"


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_compliance_runs_daily_for_every_environment(environment):
    (schedule,) = [s for s in CONFIG["controller_schedules"] if s["unified_job_template"] == f"corp.infra compliance {environment}"]
    (target,) = [t for t in TEMPLATES if t["name"] == schedule["unified_job_template"]]
    assert target["playbook"] == "playbooks/verify.yml"
    assert schedule["enabled"] is True
    # AWX writes the rule on one line; dateutil reads it with DTSTART and RRULE on lines of their own.
    rule = rrulestr(schedule["rrule"].replace(" RRULE:", "\nRRULE:"))
    first, second = rule[0], rule[1]
    assert (second - first).days == 1 and first.tzinfo is not None and first.utcoffset().total_seconds() == 0


def test_the_project_defaults_to_the_execution_environment():
    (project,) = CONFIG["controller_projects"]
    (ee,) = CONFIG["controller_execution_environments"]
    assert project["default_environment"] == ee["name"]
    # The image carries the collection version the project's galaxy.yml names.
    version = yaml.safe_load((ROOT / "galaxy.yml").read_text())["version"]
    assert ee["image"].endswith(f":{version}")


def test_the_dispatcher_applies_every_object_after_the_objects_it_names():
    order = [(entry["role"], entry["var"]) for entry in CONFIG["controller_configuration_dispatcher_roles"]]
    first = {}
    for position, (_role, var) in enumerate(order):
        first.setdefault(var, position)
    # Every controller_* list the files define is applied by some role of the pinned order.
    defined = {name for name in CONFIG if name.startswith("controller_") and name != "controller_configuration_dispatcher_roles"}
    assert defined == set(first), defined ^ set(first)
    # What each kind of object names, and so must exist before it.
    needs = {
        "controller_credentials": ["controller_credential_types"],
        "controller_execution_environments": ["controller_credentials"],
        "controller_projects": ["controller_credentials", "controller_execution_environments"],
        "controller_inventory_sources": ["controller_inventories", "controller_projects"],
        "controller_templates": ["controller_projects", "controller_inventories", "controller_execution_environments", "controller_credentials"],
        "controller_schedules": ["controller_templates"],
    }
    for var, earlier in needs.items():
        for dependency in earlier:
            assert first[dependency] < first[var], f"{var} is applied before {dependency}, which it names"
    # The project syncs before the inventory sources read their inventories from it.
    assert order.index(("project_update", "controller_projects")) < order.index(("inventory_sources", "controller_inventory_sources"))
    (project,) = CONFIG["controller_projects"]
    assert project["default_environment"] in {e["name"] for e in CONFIG["controller_execution_environments"]}


def test_the_credential_type_injects_the_role_the_account_role_assumes():
    (credential_type,) = CONFIG["controller_credential_types"]
    # As AWX receives it, once Ansible has rendered the configuration: AWX's own templates of the credential's inputs.
    rendered = {k: v.replace("{{ '{{' }}", "{{").replace("{{ '}}' }}", "}}") for k, v in credential_type["injectors"]["extra_vars"].items()}
    assert rendered == {"corp_aws_assume_role_arn": "{{ role_arn }}", "corp_aws_assume_role_external_id": "{{ external_id }}"}
    fields = {f["id"]: f for f in credential_type["inputs"]["fields"]}
    assert fields["external_id"].get("secret") is True and credential_type["inputs"]["required"] == ["role_arn"]
    # The variables it injects are ones the roles take (the account role's argument spec).
    specs = yaml.safe_load((ROOT / "roles" / "account" / "meta" / "argument_specs.yml").read_text())["argument_specs"]["main"]["options"]
    assert set(rendered) <= set(specs)
    for credential in CONFIG["controller_credentials"]:
        assert credential["credential_type"] == credential_type["name"] and "password" not in credential["inputs"]
