"""corp.infra.ec2_vpc_flow_log through its lifecycle on the emulator (assertions live in the playbook)."""

import re

from .conftest import ansible_playbook


def test_flow_log_module_lifecycle(emulator):
    result = ansible_playbook(emulator, "tests/integration/playbooks/ec2_vpc_flow_log.yml", "-i", "inventories/local")
    assert result.returncode == 0, result.stdout[-5000:]
    assert re.search(r"^local\s+: ok=\d+\s+changed=\d+\s+unreachable=0\s+failed=0", result.stdout, re.MULTILINE)
    assert "Check a fixed setting recreates the flow log, once" in result.stdout
