# Copyright: corp.infra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin for corp.infra.preflight: runs on the controller, reads the stack's variables, never AWS."""

from __future__ import annotations

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.corp.infra.plugins.module_utils.preflight import check_argument_specs
from ansible_collections.corp.infra.plugins.module_utils.preflight import check_inputs
from ansible_collections.corp.infra.plugins.module_utils.preflight import is_stack_variable


def known_regions() -> set[str] | None:
    """Every region of every partition in botocore's partition data (the source its endpoint rules resolve from),
    without the ``*-global`` pseudo-regions."""
    try:
        import botocore.loaders
    except ImportError:
        return None
    partitions = botocore.loaders.create_loader().load_data("partitions")["partitions"]
    regions = {name for partition in partitions for name in partition.get("regions", {}) if not name.endswith("-global")}
    return regions or None


def role_specs() -> dict[str, dict]:
    """Each of the collection's roles: its main entry point's options (meta/argument_specs.yml)."""
    from pathlib import Path

    import yaml

    specs = {}
    for path in sorted((Path(__file__).resolve().parents[2] / "roles").glob("*/meta/argument_specs.yml")):
        entry = (yaml.safe_load(path.read_text()) or {}).get("argument_specs", {}).get("main", {})
        specs[path.parents[1].name] = entry.get("options") or {}
    return specs


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(("inputs",))
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        task_vars = task_vars or {}
        inputs = self._task.args.get("inputs")
        if inputs is None:
            names = [name for name in task_vars if is_stack_variable(name)]
            inputs = {name: self._templar.template(task_vars[name]) for name in names}
        elif not isinstance(inputs, dict):
            raise AnsibleActionFail("inputs must be a mapping of variable names to values")
        regions = known_regions()
        host = task_vars.get("inventory_hostname") if self._task.args.get("inputs") is None else None
        problems = check_argument_specs(inputs, role_specs()) + check_inputs(inputs, regions, host=host)
        result.update(changed=False, problems=problems)
        if problems:
            result["failed"] = True
            # One line, every problem: the user fixes them all in one pass.
            result["msg"] = "preflight: " + " | ".join(problems)
        else:
            result["checked"] = sorted(inputs)
            result["msg"] = f"preflight: {len(inputs)} stack inputs checked, no problem found"
        return result
