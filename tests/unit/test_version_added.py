"""Every `version_added` in the collection's docs names a release up to galaxy.yml's version: a later one would tell
ansible-doc readers a plugin arrived in a version they cannot install, and antsibull-changelog would leave it out of
its release's "New Modules". Every plugin and role entry point says when it was added."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import yaml
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
VERSION = Version(yaml.safe_load((ROOT / "galaxy.yml").read_text())["version"])
# A plugin was added in a release the changelog records, or is new in the version galaxy.yml is at.
RELEASES = {Version(str(v)) for v in yaml.safe_load((ROOT / "changelogs" / "changelog.yaml").read_text())["releases"]} | {VERSION}
# The plugin types ansible-doc documents; module_utils, action plugins (documented by their module) and the filters'
# and tests' Python files (documented by their .yml) carry no docs of their own.
DOCUMENTED = ("modules", "lookup", "filter", "test", "doc_fragments")


def _docs(path: Path) -> dict[str, object]:
    """DOCUMENTATION and RETURN of a plugin file (.py: its string assignments, anywhere; .yml: its keys)."""
    if path.suffix == ".yml":
        data = yaml.safe_load(path.read_text())
        return {key: data[key] for key in ("DOCUMENTATION", "RETURN") if isinstance(data.get(key), dict)}
    docs = {}
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            for target in node.targets:
                if isinstance(target, ast.Name) and target.id in ("DOCUMENTATION", "RETURN"):
                    docs[target.id] = yaml.safe_load(node.value.value)
    return docs


def _plugin_files() -> list[Path]:
    files = []
    for kind in DOCUMENTED:
        for path in sorted((ROOT / "plugins" / kind).glob("*")):
            if path.suffix == ".yml" or (path.suffix == ".py" and path.name != "__init__.py" and _docs(path)):
                files.append(path)
    return files


def _version_added(node: object, where: str):
    """(where, value) of every version_added below node."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "version_added":
                yield where, str(value)
            else:
                yield from _version_added(value, f"{where}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _version_added(value, f"{where}[{index}]")


def _all_version_added():
    for path in _plugin_files():
        for section, doc in _docs(path).items():
            yield from _version_added(doc, f"{path.relative_to(ROOT)}:{section}")
    for spec in sorted(ROOT.glob("roles/*/meta/argument_specs.yml")):
        yield from _version_added(yaml.safe_load(spec.read_text()), str(spec.relative_to(ROOT)))


def test_plugins_are_found():
    names = {path.relative_to(ROOT / "plugins").as_posix() for path in _plugin_files()}
    assert {"modules/preflight.py", "lookup/stack_names.py", "filter/resource_name.yml", "test/file_holds.yml"} <= names


@pytest.mark.parametrize(("where", "added"), list(_all_version_added()), ids=str)
def test_version_added_fits_the_release(where, added):
    assert Version(added) <= VERSION, f"{where}: version_added {added} is later than galaxy.yml's version {VERSION}"
    assert Version(added) in RELEASES, f"{where}: version_added {added} is no release (changelogs/changelog.yaml) nor galaxy.yml's version"


@pytest.mark.parametrize("path", _plugin_files(), ids=lambda path: path.relative_to(ROOT).as_posix())
def test_every_plugin_says_when_it_was_added(path):
    if path.parent.name == "doc_fragments":
        pytest.skip("a doc fragment is part of the plugins that use it")
    assert "version_added" in _docs(path)["DOCUMENTATION"], f"{path.relative_to(ROOT)}: no version_added"


@pytest.mark.parametrize("spec", sorted(ROOT.glob("roles/*/meta/argument_specs.yml")), ids=lambda path: path.parts[-3])
def test_every_role_entry_point_says_when_it_was_added(spec):
    for name, entry_point in yaml.safe_load(spec.read_text())["argument_specs"].items():
        assert "version_added" in entry_point, f"{spec.relative_to(ROOT)}: entry point {name} has no version_added"
