"""Render variables of a role's vars/main.yml (over its defaults) as Ansible does, with the collection's filters:
a unit test then checks the documents the role really writes, not a copy rebuilt in Python. No AWS request: one
ansible-playbook on localhost that only prints them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def render_role_vars(role: str, inventory: dict[str, Any], names: list[str], tmp_path: Path) -> dict[str, Any]:
    """``names`` from roles/<role>/vars/main.yml; ``inventory`` as extra vars over the role's defaults."""
    playbook = tmp_path / "render.yml"
    output = tmp_path / "rendered.json"
    play = [
        {
            "hosts": "localhost",
            "gather_facts": False,
            "vars_files": [str(ROOT / "roles" / role / "defaults" / "main.yml"), str(ROOT / "roles" / role / "vars" / "main.yml")],
            "tasks": [
                {
                    "name": "Write the rendered variables",
                    "ansible.builtin.copy": {"dest": str(output), "content": "{{ __rendered | to_json }}", "mode": "0600"},
                    "vars": {"__rendered": {name: "{{ " + name + " }}" for name in names}},
                }
            ],
        }
    ]
    playbook.write_text(json.dumps(play))
    extra = tmp_path / "inventory.json"
    extra.write_text(json.dumps(inventory | {"ansible_python_interpreter": sys.executable}))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANSIBLE_", "AWS_"))} | {"ANSIBLE_CONFIG": str(ROOT / "ansible.cfg")}
    command = [str(Path(sys.executable).parent / "ansible-playbook"), "-i", "localhost,", "-c", "local", "-e", f"@{extra}", str(playbook)]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return json.loads(output.read_text())
