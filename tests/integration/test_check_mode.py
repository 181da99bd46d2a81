"""site.yml --check --diff runs through on an empty account and writes nothing; on a converged stack it reports changed=0."""

import json
import re

from .conftest import ansible_playbook

ENVIRONMENT = "chktest"


def changed_count(output: str) -> int:
    return int(re.search(r"^local\s+: ok=\d+\s+changed=(\d+)", output, re.MULTILINE).group(1))


def test_check_on_empty_and_converged_accounts(emulator, tmp_path):
    outputs = tmp_path / "outputs"
    args = ("-i", "inventories/local", "-e", f"outputs_dir={outputs}", "-e", f"corp_environment={ENVIRONMENT}")
    checked = ansible_playbook(emulator, "site.yml", *args, "--check", "--diff", check=True)
    assert not outputs.exists()
    assert changed_count(checked.stdout) > 0
    assert f"corp-vpc-main-{ENVIRONMENT} does not exist yet" in checked.stdout
    assert f'+    "environment": "{ENVIRONMENT}",' in checked.stdout  # the outputs diff
    try:
        assert changed_count(ansible_playbook(emulator, "site.yml", *args, check=True).stdout) > 0
        document = json.loads((outputs / f"{ENVIRONMENT}.json").read_text())
        assert document["account_id"] == "123456789012" and document["services"]["network"]["vpc_id"].startswith("vpc-")
        assert changed_count(ansible_playbook(emulator, "site.yml", *args, "--check", "--diff", check=True).stdout) == 0
        assert changed_count(ansible_playbook(emulator, "site.yml", *args, check=True).stdout) == 0
    finally:
        ansible_playbook(emulator, "playbooks/destroy.yml", *args, "-e", f"corp_destroy_confirmation={ENVIRONMENT}", "-e", "s3_force_destroy=true", check=True)
