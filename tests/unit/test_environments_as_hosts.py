"""Environments are inventory hosts, so one run with forks converges several in parallel: nothing in the playbooks
or roles may share state across hosts, and inventories/multi keeps each environment's values in its host vars."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
PLAYBOOKS = [ROOT / "site.yml", *sorted((ROOT / "playbooks").glob("*.yml"))]
ROLE_FILES = sorted(p for p in (ROOT / "roles").glob("*/*/*.yml") if p.parent.name in ("tasks", "handlers", "defaults", "vars"))
# Keywords that run a task once for the whole play, on another host, or read another host's variables.
SHARING = re.compile(r"^\s*-?\s*(run_once|delegate_to|delegate_facts)\s*:|\bhostvars\[(?!\s*inventory_hostname\s*\])|\bgroups\[", re.MULTILINE)
PER_ENVIRONMENT = ("corp_environment", "corp_region", "network_vpc_cidr")


@pytest.mark.parametrize("playbook", PLAYBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_play_runs_per_environment_host(playbook):
    for play in yaml.safe_load(playbook.read_text()):
        if "ansible.builtin.import_playbook" in play:  # site.yml: its plays are playbooks/site.yml's, checked there
            assert playbook.parent / play["ansible.builtin.import_playbook"] in PLAYBOOKS
            continue
        assert play["hosts"] == "all", f"{playbook.name}: play {play['name']!r} runs on {play['hosts']!r}, not on each environment"
        assert not play.get("run_once") and not play.get("serial")


@pytest.mark.parametrize("path", [*PLAYBOOKS, *ROLE_FILES], ids=lambda p: str(p.relative_to(ROOT)))
def test_no_task_shares_state_across_environments(path):
    found = [m.group(0).strip() for m in SHARING.finditer(path.read_text())]
    assert not found, f"{path.relative_to(ROOT)}: {found}"


def test_the_sharing_check_finds_what_it_looks_for():
    text = "- name: x\n  run_once: true\n- debug:\n    msg: \"{{ hostvars['envtwo'].corp_region }}\"\n  delegate_to: localhost\n"
    assert [m.group(1) or m.group(0) for m in SHARING.finditer(text)] == ["run_once", "hostvars[", "delegate_to"]
    assert not SHARING.search('x: "{{ hostvars[inventory_hostname].corp_region }}"')


def test_multi_inventory_keeps_environments_in_host_vars():
    hosts = yaml.safe_load((ROOT / "inventories" / "multi" / "hosts.yml").read_text())["all"]["hosts"]
    assert len(hosts) >= 3
    shared = yaml.safe_load((ROOT / "inventories" / "multi" / "group_vars" / "all" / "main.yml").read_text())
    assert not set(PER_ENVIRONMENT) & set(shared), "a per-environment value in group_vars/all would be every environment's"
    seen = {}
    for host in hosts:
        host_vars = yaml.safe_load((ROOT / "inventories" / "multi" / "host_vars" / f"{host}.yml").read_text())
        assert host_vars["corp_environment"] == host
        seen[host] = tuple(host_vars[key] for key in PER_ENVIRONMENT)
    assert len({values[2] for values in seen.values()}) == len(seen), "two environments share a VPC CIDR"


SHIPPED = ("dev", "staging", "prod")


def test_combined_inventories_give_each_host_its_own_environment():
    # How teams run several environments: -i per environment. group_vars/all of each would be every host's, the
    # last one read winning; host_vars keep each environment's values on its own host.
    import json
    import os
    import subprocess
    import sys

    command = [str(Path(sys.executable).parent / "ansible-inventory"), "--list"]
    for environment in SHIPPED:
        command += ["-i", f"inventories/{environment}"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")} | {"ANSIBLE_CONFIG": str(ROOT / "ansible.cfg")}
    listed = json.loads(subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True).stdout)
    hostvars = listed["_meta"]["hostvars"]
    assert sorted(hostvars) == sorted(SHIPPED)
    for environment in SHIPPED:
        own = yaml.safe_load((ROOT / "inventories" / environment / "host_vars" / f"{environment}.yml").read_text())
        assert hostvars[environment]["corp_environment"] == environment
        assert {k: hostvars[environment][k] for k in own} == own, environment
    assert hostvars["prod"]["corp_production"] is True and not hostvars["dev"]["corp_production"]
    assert len({hostvars[e]["network_vpc_cidr"] for e in SHIPPED}) == 3


@pytest.mark.parametrize("environment", SHIPPED)
def test_no_shipped_environment_keeps_its_values_in_group_vars(environment):
    assert not (ROOT / "inventories" / environment / "group_vars").exists()
    hosts = yaml.safe_load((ROOT / "inventories" / environment / "hosts.yml").read_text())["all"]["hosts"]
    assert list(hosts) == [environment]
