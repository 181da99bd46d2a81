"""The preflight action judges every stack variable as the play sees it, role defaults included. A default derived
from a bad input (a name built from corp_environment) cannot be evaluated: the bad input is what the one-line error
names, and the derived variable only when nothing else explains it."""

from types import SimpleNamespace

from ansible.parsing.dataloader import DataLoader
from ansible.playbook.play_context import PlayContext
from ansible.playbook.task import Task
from ansible.template import Templar
from ansible.template import trust_as_template

from ansible_collections.corp.infra.plugins.action import preflight

GOOD = {"corp_environment": "dev", "corp_region": "eu-west-1", "inventory_hostname": "dev"}


def run(task_vars):
    task = Task()
    task.action = "corp.infra.preflight"
    task.args = {}
    loader = DataLoader()
    connection = SimpleNamespace(transport="local", _shell=SimpleNamespace(tmpdir="/nonexistent"))
    action = preflight.ActionModule(task, connection, PlayContext(), loader, Templar(loader=loader, variables=task_vars), None)
    return action.run(task_vars=task_vars)


def test_good_inputs_pass():
    assert run(GOOD)["problems"] == []


def test_a_derived_default_that_fails_is_not_reported_over_the_input_it_derives_from():
    derived = {"s3_key_log_group_names": [trust_as_template("{{ undefined_stack_name }}")]}
    result = run({**GOOD, "corp_environment": "Dev", "preflight_environment_per_host": False, **derived})
    assert result["failed"] and result["problems"] == ["corp_environment: must be 1-16 lowercase letters and digits, starting with a letter (got 'Dev')"]


def test_a_variable_that_cannot_be_evaluated_is_named_when_nothing_else_explains_it():
    result = run({**GOOD, "s3_key_log_group_names": [trust_as_template("{{ undefined_stack_name }}")]})
    assert result["failed"] and result["msg"] == "preflight: s3_key_log_group_names: cannot be evaluated ('undefined_stack_name' is undefined)"
