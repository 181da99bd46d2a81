"""The read actions run a read-only module's read in the worker process on a local connection, the module elsewhere."""

import datetime
import json
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import boto3
import botocore.exceptions
import pytest
from ansible.errors import AnsibleActionFail
from ansible.parsing.dataloader import DataLoader
from ansible.playbook.play_context import PlayContext
from ansible.playbook.task import Task
from botocore.stub import Stubber

from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper
from ansible_collections.corp.infra.plugins.action import read_in_worker
from ansible_collections.corp.infra.plugins.modules import account_info
from ansible_collections.corp.infra.plugins.plugin_utils import read_action

COLLECTION = Path(read_action.__file__).parents[2]  # <collections path>/ansible_collections/corp/infra


def reader(read):
    return SimpleNamespace(ARGUMENT_SPEC={"name": {"type": "str", "required": True}}, FAILURE="Failed to read {name}", read=read)


def action_for(read, transport="local", args=None, environment=None):
    class Action(read_action.ReadAction):
        def reader(self, name):
            return reader(read)

    task = Task()
    task.action = "corp.infra.fake_info"
    task.args = args if args is not None else {"name": "corp-vpc-main-dev", "region": "eu-west-1"}
    task.environment = environment
    connection = SimpleNamespace(transport=transport, _shell=SimpleNamespace(tmpdir="/nonexistent", env_prefix=lambda **kwargs: ""))
    return Action(task, connection, PlayContext(), DataLoader(), None, None)


def test_a_local_connection_reads_in_process_and_returns_what_the_module_would(monkeypatch):
    seen = {}

    def read(params, aws):
        seen.update(params=params, aws=aws)
        return {"created": datetime.datetime(2026, 11, 28, 10, 0, tzinfo=datetime.UTC), "zones": ("eu-west-1a",)}

    action = action_for(read)
    monkeypatch.setattr(action, "_execute_module", lambda **kwargs: pytest.fail("no module process on a local connection"))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDFROMENV")
    result = action.run(task_vars={})
    assert result["created"] == "2026-11-28T10:00:00+00:00" and result["zones"] == ["eu-west-1a"] and result["changed"] is False
    # amazon.aws's common options, environment fallbacks included, alongside the module's own.
    assert seen["params"]["name"] == "corp-vpc-main-dev" and seen["params"]["region"] == "eu-west-1"
    assert seen["params"]["access_key"] == "AKIDFROMENV" and seen["params"]["validate_certs"] is True


def test_the_tasks_environment_reaches_the_read_as_it_would_reach_a_module(monkeypatch):
    seen = {}
    monkeypatch.setenv("AWS_PROFILE", "from-the-shell")  # restored after the test, whatever the action sets
    action = action_for(lambda params, aws: seen.update(params) or {}, environment=[{"AWS_PROFILE": "corp-prod"}])
    action._templar = SimpleNamespace(template=lambda value: value)
    action.run(task_vars={})
    assert seen["profile"] == "corp-prod"


@pytest.mark.parametrize(
    "where",
    ["another connection", "become", "async", "no boto3 in ansible-playbook's Python"],
)
def test_the_module_runs_where_the_worker_cannot_stand_in_for_its_process(monkeypatch, where):
    action = action_for(lambda params, aws: pytest.fail(f"read in the worker with {where}"), transport="ssh" if where == "another connection" else "local")
    if where == "become":
        action._play_context.become = True
    if where == "async":
        action._task.async_val = 60
    if where.startswith("no boto3"):
        monkeypatch.setattr(read_action, "HAS_BOTO3", False)
    calls = []
    monkeypatch.setattr(action, "_execute_module", lambda **kwargs: calls.append(kwargs) or {"vpcs": [], "changed": False})
    monkeypatch.setattr(action, "_remove_tmp_path", lambda path: None)
    assert action.run(task_vars={})["vpcs"] == []
    assert calls[0]["module_name"] == "corp.infra.fake_info" and calls[0]["module_args"]["name"] == "corp-vpc-main-dev"
    assert calls[0]["wrap_async"] == (60 if where == "async" else 0)


def test_an_aws_error_fails_the_task_in_one_line_naming_what_was_read():
    def read(params, aws):
        raise botocore.exceptions.ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "DescribeVpcs")

    with pytest.raises(AnsibleActionFail, match=r"^Failed to read corp-vpc-main-dev: An error occurred \(AccessDenied\)") as failure:
        action_for(read).run(task_vars={})
    assert failure.value.result["error"]["code"] == "AccessDenied"
    # No chained cause: ansible-core would print the AWS error a second time under "caused by".
    assert failure.value.__cause__ is None and failure.value.__suppress_context__


def test_bad_arguments_are_refused_before_any_read():
    action = action_for(lambda params, aws: pytest.fail("read with invalid arguments"), args={"region": "eu-west-1"})
    with pytest.raises(AnsibleActionFail, match="missing required arguments: name"):
        action.run(task_vars={})


@pytest.mark.parametrize(("arn", "partition"), [("arn:aws:iam::123456789012:user/ci", "aws"), ("arn:aws-cn:sts::123456789012:assumed-role/r/s", "aws-cn")])
def test_account_info_reads_the_account_and_partition_of_the_caller(arn, partition):
    sts = boto3.client("sts", region_name="us-east-1", aws_access_key_id="k", aws_secret_access_key="s")
    with Stubber(sts) as stub:
        stub.add_response("get_caller_identity", {"Account": "123456789012", "Arn": arn, "UserId": "AID"}, {})
        found = account_info.read({}, SimpleNamespace(client=lambda service, retry_decorator=None: RetryingBotoClientWrapper(sts, retry_decorator)))
    assert found == {"account_id": "123456789012", "partition": partition, "arn": arn}


def routed_action(name, args):
    task = Task()
    task.action = name
    task.args = args
    connection = SimpleNamespace(transport="local", _shell=SimpleNamespace(tmpdir="/nonexistent", env_prefix=lambda **kwargs: ""))
    return read_in_worker.ActionModule(task, connection, PlayContext(), DataLoader(), None, None)


def test_a_read_refused_by_its_module_is_refused_by_the_action_too():
    action = routed_action("corp.infra.tagged_resources_info", {"tags": {}, "region": "eu-west-1"})
    with pytest.raises(AnsibleActionFail, match=r"^tags: give at least one tag, or every resource in the region would match$"):
        action.run(task_vars={})


@pytest.mark.parametrize("name", ["corp.infra.read_in_worker", "corp.infra.dynamodb_table", "amazon.aws.s3_bucket_info", "corp.infra.no_such_info"])
def test_the_shared_action_runs_only_corp_infra_read_only_modules(name):
    # dynamodb_table changes things; a task naming the action itself, or another collection's module, has no read here.
    with pytest.raises(AnsibleActionFail, match=rf"^{name} is not one of corp\.infra's read-only modules"):
        routed_action(name, {"region": "eu-west-1"}).run(task_vars={})


def test_every_read_only_module_and_only_those_is_routed_to_the_shared_action():
    modules = sorted(path.stem for path in (COLLECTION / "plugins" / "modules").glob("*.py"))
    readers = [name for name in modules if "run_reader(" in (COLLECTION / "plugins" / "modules" / f"{name}.py").read_text()]
    script = (
        "import json, sys\n"
        "from ansible.plugins.loader import init_plugin_loader, module_loader, action_loader\n"
        "init_plugin_loader([sys.argv[1]])\n"
        "routed = {}\n"
        "for name in sys.argv[2:]:\n"
        "    found = module_loader.find_plugin_with_context('corp.infra.' + name)\n"
        "    routed[name] = found.action_plugin or action_loader.find_plugin_with_context('corp.infra.' + name).resolved_fqcn\n"
        "print(json.dumps(routed))\n"
    )
    # As ansible-playbook resolves them: a fresh interpreter with only the collections path.
    command = [sys.executable, "-c", script, str(COLLECTION.parents[2]), *modules]
    done = subprocess.run(command, capture_output=True, text=True, check=True, cwd=COLLECTION.parents[3])
    routed = json.loads(done.stdout)
    assert len(readers) >= 10
    assert {name for name, action in routed.items() if action == "corp.infra.read_in_worker"} == set(readers)
    # No reader keeps an action file of its own: the routing wins over it, and it would be dead code.
    assert not [name for name in readers if (COLLECTION / "plugins" / "action" / f"{name}.py").exists()]


def test_a_reader_whose_own_import_fails_shows_that_failure_not_a_wrong_name(monkeypatch):
    def broken(path):
        raise ModuleNotFoundError("No module named 'boto3'", name="boto3")

    monkeypatch.setattr(read_action.importlib, "import_module", broken)
    with pytest.raises(ModuleNotFoundError, match="boto3"):
        routed_action("corp.infra.s3_state_info", {"region": "eu-west-1"}).run(task_vars={})
