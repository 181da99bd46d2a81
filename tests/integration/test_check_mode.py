"""site.yml --check --diff runs through on an empty account and writes nothing; on a converged stack it reports changed=0."""

import json

from .conftest import ansible_playbook
from .conftest import changed

ENVIRONMENT = "chktest"


def test_check_on_empty_and_converged_accounts(emulator, tmp_path):
    outputs = tmp_path / "outputs"
    args = ("-i", "inventories/local", "-e", f"outputs_dir={outputs}", "-e", f"corp_environment={ENVIRONMENT}")
    checked = ansible_playbook(emulator, "site.yml", *args, "--check", "--diff", check=True)
    assert not outputs.exists()
    assert changed(checked) > 0
    assert f"corp-vpc-main-{ENVIRONMENT} does not exist yet" in checked.stdout
    assert f'+    "environment": "{ENVIRONMENT}",' in checked.stdout  # the outputs diff
    try:
        assert changed(ansible_playbook(emulator, "site.yml", *args, check=True)) > 0
        document = json.loads((outputs / f"{ENVIRONMENT}.json").read_text())
        assert document["account_id"] == "123456789012" and document["services"]["network"]["vpc_id"].startswith("vpc-")
        assert changed(ansible_playbook(emulator, "site.yml", *args, "--check", "--diff", check=True)) == 0
        assert changed(ansible_playbook(emulator, "site.yml", *args, check=True)) == 0
    finally:
        ansible_playbook(emulator, "playbooks/destroy.yml", *args, "-e", f"corp_destroy_confirmation={ENVIRONMENT}", "-e", "s3_force_destroy=true", check=True)
