"""Bad input is refused by site.yml with one line naming the variable and the rule, and AWS hears nothing."""

import json
import re
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
