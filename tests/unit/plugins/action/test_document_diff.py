"""corp.infra.document_diff: the task's diff between two documents, rendered by ansible-core as amazon.aws modules' are."""

from types import SimpleNamespace

import pytest
from ansible.errors import AnsibleActionFail
from ansible.parsing.dataloader import DataLoader
from ansible.playbook.play_context import PlayContext
from ansible.playbook.task import Task
from ansible.plugins.callback import CallbackBase

from ansible_collections.corp.infra.plugins.action import document_diff

BEFORE = {"Version": "2012-10-17", "Statement": [{"Sid": "Data", "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "*"}]}
AFTER = {"Version": "2012-10-17", "Statement": [{"Sid": "Data", "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "*"}]}


def run_action(args):
    task = Task()
    task.args = args
    connection = SimpleNamespace(_shell=SimpleNamespace(tmpdir="/nonexistent"))  # never used: no module runs
    action = document_diff.ActionModule(task, connection, PlayContext(), DataLoader(), None, None)
    return action.run(task_vars={})


def test_a_changed_document_is_changed_and_its_diff_is_a_unified_diff_of_the_json():
    result = run_action({"before": BEFORE, "after": AFTER, "name": "corp-iam-dataaccess-dev"})
    assert result["changed"] is True and not result.get("failed")
    assert result["diff"]["before"] == BEFORE and result["diff"]["after"] == AFTER
    # What the default callback prints for it (the lines tests/integration/test_iam_role.py looks for).
    text = CallbackBase()._get_diff(result["diff"])
    lines = text.splitlines()
    assert lines[:2] == ["--- before: corp-iam-dataaccess-dev", "+++ after: corp-iam-dataaccess-dev"]
    assert '-                "s3:PutObject"' in lines


def test_an_unchanged_document_is_not_changed_and_an_absent_one_diffs_from_empty():
    assert run_action({"before": AFTER, "after": AFTER})["changed"] is False
    created = run_action({"before": {}, "after": AFTER})
    assert created["changed"] is True and "before_header" not in created["diff"]
    assert '+    "Version": "2012-10-17"' in CallbackBase()._get_diff(created["diff"]).splitlines()


def test_before_and_after_are_required():
    with pytest.raises(AnsibleActionFail, match="missing required arguments: before"):
        run_action({"after": AFTER})
