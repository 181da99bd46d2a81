"""--check --diff runs through on an empty account and predicts the first run; the real run then matches it."""

import json
import re

from .conftest import ansible_playbook


def changed_count(output: str) -> int:
    return int(re.search(r"^local\s+: ok=\d+\s+changed=(\d+)", output, re.MULTILINE).group(1))


def test_check_predicts_the_first_run_and_writes_nothing(emulator, tmp_path):
    outputs = tmp_path / "outputs"
    args = ("site.yml", "-i", "inventories/local", "-e", f"outputs_dir={outputs}")
    checked = ansible_playbook(emulator, *args, "--check", "--diff", check=True)
    assert not outputs.exists()
    assert '+    "environment": "local",' in checked.stdout  # the diff shows what would be written
    applied = ansible_playbook(emulator, *args, check=True)
    assert changed_count(checked.stdout) == changed_count(applied.stdout) > 0
    document = json.loads((outputs / "local.json").read_text())
    assert document["account_id"] == "123456789012" and document["region"] == "us-east-1"
    assert changed_count(ansible_playbook(emulator, *args, "--check", "--diff", check=True).stdout) == 0
    assert changed_count(ansible_playbook(emulator, *args, check=True).stdout) == 0
