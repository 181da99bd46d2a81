"""The collection builds, installs into an empty collections path, and every plugin's documentation renders."""

import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import yaml

from .conftest import ROOT

BIN = Path(sys.executable).parent


def _run(*args, cwd=ROOT, env=None):
    result = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result


def test_build_install_and_document(installed_collection, tmp_path):
    # No ansible.cfg: the checkout's collections path (a link to itself) must not count as "installed"; the installed
    # copy's collections path is the only one (conftest.install_collection).
    bare = dict(os.environ, ANSIBLE_NOCOLOR="1") | installed_collection.env()
    tarball = installed_collection.tarball
    # What the tarball holds: the license galaxy.yml names and every role's README (Galaxy's importer refuses a role
    # without one); not the repository's tooling or the company's inventories.
    with tarfile.open(tarball) as archive:
        shipped = {name.split("/", 1)[0] for name in archive.getnames()}
        readmes = {name for name in archive.getnames() if name.startswith("roles/") and name.endswith("/README.md")}
        # ansible-builder's collection-level metadata: what an execution environment needs for corp.infra.
        ee_meta = yaml.safe_load(archive.extractfile("meta/execution-environment.yml"))
        ee_python = archive.extractfile(ee_meta["dependencies"]["python"]).read().decode()
        license_text = archive.extractfile("LICENSE").read().decode() if "LICENSE" in shipped else ""
    assert "GNU GENERAL PUBLIC LICENSE" in license_text[:200]
    assert {"plugins", "roles", "playbooks", "meta", "docs", "README.md", "MANIFEST.json", "FILES.json"} <= shipped
    tooling = {"Makefile", "scripts", "tests", "molecule", "awx", "inventories", "benchmarks", ".ci", "execution-environment.yml", "requirements.txt"}
    tooling |= {"requirements", "ansible.cfg", "requirements.yml", "site.yml"}
    assert not shipped & tooling, shipped & tooling
    assert readmes == {f"roles/{role.name}/README.md" for role in (ROOT / "roles").iterdir() if role.is_dir()}
    assert ee_meta == {"version": 1, "dependencies": {"python": "meta/ee-requirements.txt"}}
    assert [line for line in ee_python.splitlines() if not line.startswith("#")] == ["boto3>=1.35.0", "botocore>=1.35.0"]
    installed = installed_collection.collection
    manifest = json.loads((installed / "MANIFEST.json").read_text())
    dependencies = {"amazon.aws": ">=11.0.0,<12.0.0", "community.aws": ">=11.0.0,<12.0.0"}
    assert manifest["collection_info"]["dependencies"] == dependencies
    assert not (installed / ".venv").exists() and not (installed / "outputs").exists()
    # The stack's playbooks ship, reachable as corp.infra.site, corp.infra.verify and corp.infra.destroy.
    assert {p.name for p in (installed / "playbooks").glob("*.yml")} >= {"site.yml", "verify.yml", "destroy.yml"}

    # Only the installed copy is on the collections path: no ansible.cfg, no link to this checkout.
    env = bare
    modules = sorted(p.stem for p in (ROOT / "plugins" / "modules").glob("*.py") if p.stem != "__init__")
    assert modules
    listed = json.loads(_run(BIN / "ansible-doc", "-t", "module", "--list", "--json", "corp.infra", env=env, cwd=tmp_path).stdout)
    assert sorted(name.removeprefix("corp.infra.") for name in listed) == modules
    # One ansible-doc for every module (and one for every filter): the same rendering, not a process per plugin.
    names = [f"corp.infra.{module}" for module in modules]
    docs = json.loads(_run(BIN / "ansible-doc", "--json", *names, env=env, cwd=tmp_path).stdout)
    assert sorted(docs) == names
    for name, entry in docs.items():
        assert entry["doc"]["short_description"] and entry["examples"] and entry["return"] is not None, name
    text = _run(BIN / "ansible-doc", *names, env=env, cwd=tmp_path).stdout
    assert text.count("EXAMPLES:") == len(names) and text.count("RETURN VALUES:") == len(names)
    filters = sorted(p.stem for p in (ROOT / "plugins" / "filter").glob("*.yml"))
    text = _run(BIN / "ansible-doc", "-t", "filter", *(f"corp.infra.{name}" for name in filters), env=env, cwd=tmp_path).stdout
    assert [name for name in filters if f"corp.infra.{name}" not in text] == []
    roles = _run(BIN / "ansible-doc", "-t", "role", "--list", "--json", "corp.infra", env=env, cwd=tmp_path).stdout
    assert {"corp.infra.preflight", "corp.infra.outputs"} <= set(json.loads(roles))
