"""The benchmark's baseline playbook parses, and is what it claims to be: upstream AWS modules, no validation."""

import os
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[3]
BASELINE = ROOT / "benchmarks" / "baseline"
BIN = Path(sys.executable).parent


def test_baseline_passes_syntax_check():
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), ANSIBLE_NOCOLOR="1")
    result = subprocess.run(
        [str(BIN / "ansible-playbook"), "--syntax-check", str(BASELINE / "site.yml"), "-i", str(BASELINE / "inventory")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_baseline_uses_upstream_aws_modules_only():
    (play,) = yaml.safe_load((BASELINE / "site.yml").read_text())
    # A task's module is its only dotted key (FQCN); keywords such as register or loop have no dot.
    modules = {key for task in play["tasks"] for key in task if "." in key}
    # No upstream module creates VPC flow logs (community.aws issue 1747): the one corp.infra module it uses.
    assert {m for m in modules if not m.startswith(("amazon.aws.", "community.aws."))} == {"corp.infra.ec2_vpc_flow_log"}
    # No assert, set_fact or role: no validation and no verification.
    assert "roles" not in play and not any(m.startswith("ansible.") for m in modules)
