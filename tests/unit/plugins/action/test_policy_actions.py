"""The policy action plugins build on the controller what the modules would return, from the same argument spec."""

from types import SimpleNamespace

import pytest
from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.parsing.dataloader import DataLoader
from ansible.playbook.play_context import PlayContext
from ansible.playbook.task import Task

from ansible_collections.corp.infra.plugins.action import kms_context_policy
from ansible_collections.corp.infra.plugins.action import tag_conditioned_policy
from ansible_collections.corp.infra.plugins.module_utils import kms_policy
from ansible_collections.corp.infra.plugins.module_utils import tag_policy
from ansible_collections.corp.infra.plugins.module_utils.kms_policy import build_kms_policy
from ansible_collections.corp.infra.plugins.module_utils.kms_policy import canonical_json
from ansible_collections.corp.infra.plugins.module_utils.tag_policy import build_tag_policy

KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/0d0c7e4e-1f6b-4a8e-9a57-3b3c0f3f0a11"


def run_action(plugin, args):
    task = Task()
    task.args = args
    connection = SimpleNamespace(_shell=SimpleNamespace(tmpdir="/nonexistent"))  # never used: no module runs
    action = plugin.ActionModule(task, connection, PlayContext(), DataLoader(), None, None)
    return action.run(task_vars={})


def module_params(spec, args):
    """The parameters AnsibleModule would hand the module: the same spec, defaults filled in."""
    return ArgumentSpecValidator(**spec).validate(args).validated_parameters


def test_the_kms_action_returns_the_policy_the_module_builds():
    args = {"service": "s3", "key_arn": KEY_ARN, "access": ["read", "write"], "bucket_name": "corp-s3-securedata-dev"}
    result = run_action(kms_context_policy, args)
    expected = build_kms_policy(module_params(kms_policy.ARGUMENT_SPEC, args))
    assert result["policy"] == expected and result["policy_json"] == canonical_json(expected)
    assert result["changed"] is False and not result.get("failed")
    assert expected["Statement"]


def test_the_tag_action_returns_the_policy_the_module_builds():
    args = {"service": "s3", "tag_value": "dev", "access": ["read"], "bucket_name": "corp-s3-securedata-dev"}
    result = run_action(tag_conditioned_policy, args)
    assert result["policy"] == build_tag_policy(module_params(tag_policy.ARGUMENT_SPEC, args))
    assert "dev" in result["policy_json"]


@pytest.mark.parametrize(
    ("plugin", "args", "message"),
    [
        (kms_context_policy, {"service": "s3", "key_arn": KEY_ARN, "access": ["read"]}, "service is s3 but all of the following are missing: bucket_name"),
        (kms_context_policy, {"service": "s3", "key_arn": KEY_ARN, "access": ["admin"], "bucket_name": "b"}, "access must be one or more of"),
        (kms_context_policy, {"service": "s3", "key_arn": "alias/aws/s3", "access": ["read"], "bucket_name": "b"}, "key_arn"),
        (tag_conditioned_policy, {"service": "s4", "tag_value": "dev"}, "value of service must be one of: s3, dynamodb, got: s4"),
    ],
)
def test_bad_arguments_fail_naming_the_option(plugin, args, message):
    with pytest.raises(AnsibleActionFail, match=message):
        run_action(plugin, args)
