# Copyright: corp.infra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin for corp.infra.preflight: runs on the controller, reads the stack's variables, never AWS."""

from __future__ import annotations

try:
    import botocore.loaders

    HAS_BOTOCORE = True
except ImportError:
    HAS_BOTOCORE = False

from ansible.errors import AnsibleActionFail
from ansible.errors import AnsibleError
from ansible.plugins.action import ActionBase

from ansible_collections.corp.infra.plugins.module_utils.preflight import check_argument_specs
from ansible_collections.corp.infra.plugins.module_utils.preflight import check_inputs
from ansible_collections.corp.infra.plugins.module_utils.preflight import is_stack_variable

# Imported for speed, not used here. ansible-playbook's strategy loads a task's action class in its own process
# before it forks the task's worker (to ask it about BYPASS_HOST_LOOP); preflight is the first task of every
# corp.infra play (each role depends on it), so this import runs once in that process, and every worker forked
# after starts with botocore, boto3, amazon.aws's module utils and the read action already imported. Each read the
# worker runs (read_in_worker, routed by the modules' action_plugin, which the strategy does not load) then skips
# about 0.2 s of imports: 0.4-0.8 s of a no-op converge (benchmarks/run.py, docs/benchmark.md).
from ansible_collections.corp.infra.plugins.plugin_utils import read_action  # noqa: F401  pylint: disable=unused-import


def known_regions() -> set[str] | None:
    """Every region of every partition in botocore's partition data (the source its endpoint rules resolve from),
    without the ``*-global`` pseudo-regions."""
    if not HAS_BOTOCORE:
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
        unresolved = {}
        if inputs is None:
            inputs = {}
            for name in (name for name in task_vars if is_stack_variable(name)):
                try:
                    inputs[name] = self._templar.template(task_vars[name])
                except AnsibleError as e:
                    # A role default derived from another input (a name from corp_environment, say) fails with it:
                    # that input's problem is the one to report, and this one only when nothing else explains it.
                    unresolved[name] = e.message
        elif not isinstance(inputs, dict):
            raise AnsibleActionFail("inputs must be a mapping of variable names to values")
        regions = known_regions()
        host = task_vars.get("inventory_hostname") if self._task.args.get("inputs") is None else None
        problems = check_argument_specs(inputs, role_specs()) + check_inputs(inputs, regions, host=host)
        if not problems:
            problems = [f"{name}: cannot be evaluated ({message})" for name, message in sorted(unresolved.items())]
        result.update(changed=False, problems=problems)
        if problems:
            result["failed"] = True
            # One line, every problem: the user fixes them all in one pass.
            result["msg"] = "preflight: " + " | ".join(problems)
        else:
            result["checked"] = sorted(inputs)
            result["msg"] = f"preflight: {len(inputs)} stack inputs checked, no problem found"
        return result
