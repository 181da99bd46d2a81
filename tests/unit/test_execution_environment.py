"""execution-environment.yml: its pins are the project's own, and `ansible-builder create` makes, offline, a build
context whose collection and Python stages install corp.infra with only its runtime requirements."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest
import yaml
from ansible.galaxy.dependency_resolution.versioning import meets_requirements

from tests.integration.awx import BIN
from tests.integration.awx import ROOT
from tests.integration.awx import VENV_COLLECTIONS
from tests.integration.awx import build_collection
from tests.integration.awx import link_dependencies

EE = yaml.safe_load((ROOT / "execution-environment.yml").read_text())
GALAXY = yaml.safe_load((ROOT / "galaxy.yml").read_text())
# What corp.infra's modules and the collections it depends on import at run time; no test or lint tool.
RUNTIME_PYTHON = {"boto3", "botocore"}


def pins(path: Path) -> dict[str, str]:
    """name -> version of every `name==version` line of a requirements file (names normalised)."""
    found = {}
    for line in path.read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.\-\[\]]+)==([^\s#]+)", line)
        if match:
            found[re.sub(r"[-_.]+", "-", match.group(1).split("[")[0]).lower()] = match.group(2)
    return found


def split_pin(requirement: str) -> tuple[str, str]:
    assert "==" in requirement, f"{requirement}: the execution environment pins exact versions"
    name, version = requirement.split("==", 1)
    return re.sub(r"[-_.]+", "-", name).lower(), version


def ee_collections() -> dict[str, str]:
    """The Galaxy collections the image installs (not corp.infra's tarball): name -> exact version."""
    entries = [c for c in EE["dependencies"]["galaxy"]["collections"] if c.get("type") != "file"]
    return {c["name"]: c["version"].removeprefix("==") for c in entries}


def installed_version(collection: str) -> str:
    namespace, name = collection.split(".")
    return json.loads((VENV_COLLECTIONS / namespace / name / "MANIFEST.json").read_text())["collection_info"]["version"]


def test_python_pins_agree_with_requirements_txt():
    project = pins(ROOT / "requirements.txt")
    core, runner = (split_pin(EE["dependencies"][key]["package_pip"]) for key in ("ansible_core", "ansible_runner"))
    assert core == ("ansible-core", project["ansible-core"])
    assert runner == ("ansible-runner", project["ansible-runner"])
    python = dict(split_pin(r) for r in EE["dependencies"]["python"])
    assert set(python) == RUNTIME_PYTHON, "the image's Python list is corp.infra's runtime needs, nothing more"
    assert python == {name: project[name] for name in python}


def test_collection_pins_are_the_ones_the_project_runs_and_inside_its_ranges():
    collections = ee_collections()
    # Every collection galaxy.yml depends on, and nothing else.
    assert set(collections) == set(GALAXY["dependencies"])
    requirements_yml = {c["name"]: c["version"] for c in yaml.safe_load((ROOT / "requirements.yml").read_text())["collections"]}
    for name, version in collections.items():
        # The version the pinned `ansible` package of requirements.txt installs, so tests and image run the same code.
        assert version == installed_version(name), name
        assert meets_requirements(version, GALAXY["dependencies"][name]), f"{name} {version} is outside galaxy.yml's range"
        assert meets_requirements(version, requirements_yml[name]), f"{name} {version} is outside requirements.yml's range"


def test_the_image_holds_this_collection_at_galaxy_yml_version():
    tarball = f"corp-infra-{GALAXY['version']}.tar.gz"
    (entry,) = [c for c in EE["dependencies"]["galaxy"]["collections"] if c.get("type") == "file"]
    assert entry["name"] == f"collections/{tarball}"
    assert {"src": f".cache/build/{tarball}", "dest": "collections"} in EE["additional_build_files"]
    assert EE["dependencies"]["exclude"]["all_from_collections"] == ["corp.infra"]


@pytest.fixture(scope="module")
def build_context(tmp_path_factory):
    """`ansible-galaxy collection build` and `ansible-builder create` as docs/awx.md runs them, in a copy of the
    definition (it names no file outside itself but the tarball)."""
    work = tmp_path_factory.mktemp("ee")
    env = build_collection(work)[1]
    shutil.copy(ROOT / "execution-environment.yml", work)
    command = [BIN / "ansible-builder", "create", "--output-filename", "Containerfile", "--context", work / "context"]
    subprocess.run(command, cwd=work, env=env, capture_output=True, text=True, timeout=300, check=True)
    return work, env


def test_create_makes_the_build_context_offline(build_context):
    work = build_context[0]
    context = work / "context"
    containerfile = (context / "Containerfile").read_text()
    assert f'ARG EE_BASE_IMAGE="{EE["images"]["base_image"]["name"]}"' in containerfile
    project = pins(ROOT / "requirements.txt")
    assert f'ARG ANSIBLE_INSTALL_REFS="ansible-core=={project["ansible-core"]} ansible-runner=={project["ansible-runner"]}"' in containerfile
    assert "ansible-galaxy collection install $ANSIBLE_GALAXY_CLI_COLLECTION_OPTS -r requirements.yml" in containerfile
    assert "--exclude-collection-reqs=exclude-collections.txt" in containerfile
    build = context / "_build"
    assert yaml.safe_load((build / "requirements.yml").read_text()) == EE["dependencies"]["galaxy"]
    assert (build / "requirements.txt").read_text().split() == [f"{name}=={project[name]}" for name in sorted(RUNTIME_PYTHON)]
    assert (build / "exclude-collections.txt").read_text().split() == ["corp.infra"]
    with tarfile.open(build / "collections" / f"corp-infra-{GALAXY['version']}.tar.gz") as tarball:
        manifest = json.load(tarball.extractfile("MANIFEST.json"))["collection_info"]
    assert (manifest["namespace"], manifest["name"], manifest["version"]) == ("corp", "infra", GALAXY["version"])


def test_the_context_installs_the_collection_with_only_its_runtime_requirements(build_context, tmp_path):
    """The image's galaxy and builder stages, run here: `ansible-galaxy collection install` from _build (offline,
    with the pinned dependencies already present, as Galaxy would serve them), then ansible-builder's introspection
    of the installed collections, which decides what pip installs into the image."""
    work, env = build_context
    build = work / "context" / "_build"
    collections = tmp_path / "collections"
    link_dependencies(collections, ee_collections())
    installed = subprocess.run(
        [BIN / "ansible-galaxy", "collection", "install", "--offline", "-r", "requirements.yml", "--collections-path", collections],
        cwd=build,
        env=env | {"ANSIBLE_COLLECTIONS_PATH": str(collections), "ANSIBLE_GALAXY_DISABLE_GPG_VERIFY": "1"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    # An EE pin the pinned venv does not hold would need Galaxy, which --offline refuses.
    assert installed.returncode == 0, installed.stdout + installed.stderr
    assert "corp.infra:" + GALAXY["version"] + " was installed successfully" in installed.stdout
    assert (collections / "ansible_collections" / "corp" / "infra" / "roles" / "network" / "meta" / "argument_specs.yml").is_file()

    pip = tmp_path / "pip.txt"
    # The command the Containerfile's builder stage runs (its --user-pip and --exclude-* files are _build's).
    options = ["--user-pip=requirements.txt", "--exclude-pip-reqs=exclude-requirements.txt", "--exclude-collection-reqs=exclude-collections.txt"]
    subprocess.run(
        [BIN / "ansible-builder", "introspect", collections, *options, f"--write-pip={pip}", f"--write-bindep={tmp_path / 'bindep.txt'}"],
        cwd=build,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    lines = [line.split("#")[0].strip() for line in pip.read_text().splitlines() if line.strip()]
    names = {re.split(r"[<>=!~ ]", line)[0].lower() for line in lines}
    # boto3/botocore (pinned), which amazon.aws and community.aws declare too; nothing else.
    assert names == RUNTIME_PYTHON
    project = pins(ROOT / "requirements.txt")
    assert {f"{name}=={project[name]}" for name in RUNTIME_PYTHON} <= set(lines)
    # Without the exclusions the image would get the development toolchain from corp.infra's requirements.txt
    # and an aiobotocore that cannot coexist with the pinned botocore.
    assert not names & {"moto", "pytest", "ansible-lint", "ansible", "aiobotocore"}
