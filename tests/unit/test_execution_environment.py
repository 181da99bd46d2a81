"""execution-environment.yml: its pins are the project's own, `ansible-builder create` makes, offline, a build
context whose collection and Python stages install corp.infra with only its runtime requirements, and every Python
package the image installs is pinned by requirements.txt (the build's pip constraints)."""

from __future__ import annotations

import importlib.metadata
import json
import re
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest
import yaml
from ansible.galaxy.dependency_resolution.versioning import meets_requirements
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

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


def test_ansible_pins_agree_with_requirements_txt():
    project = pins(ROOT / "requirements.txt")
    core, runner = (split_pin(EE["dependencies"][key]["package_pip"]) for key in ("ansible_core", "ansible_runner"))
    assert core == ("ansible-core", project["ansible-core"])
    assert runner == ("ansible-runner", project["ansible-runner"])
    # No Python list of the image's own: the collections declare their needs, the constraints pin them.
    assert "python" not in EE["dependencies"]


def test_every_pip_install_is_constrained_by_requirements_txt():
    assert {"src": "requirements.txt", "dest": "constraints"} in EE["additional_build_files"]
    steps = EE["additional_build_steps"]["prepend_base"]
    assert steps == ["COPY _build/constraints/requirements.txt /etc/corp-infra/constraints.txt", "ENV PIP_CONSTRAINT=/etc/corp-infra/constraints.txt"]


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


def test_the_image_holds_this_collection_whatever_its_version():
    # A fixed name (`make ee` copies the tarball of galaxy.yml's version to it): a version bump touches galaxy.yml alone.
    (entry,) = [c for c in EE["dependencies"]["galaxy"]["collections"] if c.get("type") == "file"]
    assert entry["name"] == "collections/corp-infra.tar.gz"
    assert {"src": ".cache/build/corp-infra.tar.gz", "dest": "collections"} in EE["additional_build_files"]
    assert "corp-infra-$$version.tar.gz .cache/build/corp-infra.tar.gz" in (ROOT / "Makefile").read_text()
    # corp.infra's requirements are its runtime ones (meta/execution-environment.yml): nothing to exclude.
    assert "all_from_collections" not in EE["dependencies"]["exclude"]


@pytest.fixture(scope="module")
def build_context(tmp_path_factory):
    """`make ee` without make: `ansible-galaxy collection build`, the tarball copied to its fixed name, and
    `ansible-builder create`, in a copy of the definition and the files it names (the tarball and requirements.txt)."""
    work = tmp_path_factory.mktemp("ee")
    tarball, env = build_collection(work)
    assert tarball.name == f"corp-infra-{GALAXY['version']}.tar.gz"
    shutil.copy(tarball, work / ".cache" / "build" / "corp-infra.tar.gz")
    for name in ("execution-environment.yml", "requirements.txt"):
        shutil.copy(ROOT / name, work)
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
    # The constraints are in force before the first pip install of the first stage, which every other stage
    # starts from (FROM base), and pip comes from the base image's packages, not from ensurepip.
    lines = containerfile.splitlines()
    installs = [i for i, line in enumerate(lines) if " pip install " in line]
    assert installs and lines.index("ENV PIP_CONSTRAINT=/etc/corp-infra/constraints.txt") < installs[0]
    assert [line for line in lines if line.startswith("FROM ")][1:] == ["FROM base AS galaxy", "FROM base AS builder", "FROM base AS final"]
    assert "pip_install" not in containerfile
    build = context / "_build"
    assert (build / "constraints" / "requirements.txt").read_text() == (ROOT / "requirements.txt").read_text()
    assert yaml.safe_load((build / "requirements.yml").read_text()) == EE["dependencies"]["galaxy"]
    assert not (build / "requirements.txt").exists() and not (build / "exclude-collections.txt").exists()
    assert (build / "exclude-requirements.txt").read_text().split() == ["aiobotocore"]
    with tarfile.open(build / "collections" / "corp-infra.tar.gz") as tarball:
        manifest = json.load(tarball.extractfile("MANIFEST.json"))["collection_info"]
        shipped = set(tarball.getnames())
    assert (manifest["namespace"], manifest["name"], manifest["version"]) == ("corp", "infra", GALAXY["version"])
    # The collection-level metadata ansible-builder reads, for those who build their own image.
    assert {"meta/execution-environment.yml", "meta/ee-requirements.txt"} <= shipped


def image_requirements(build: Path, collections: Path, tmp_path: Path) -> list[str]:
    """The pip requirements the Containerfile's builder stage writes: ansible-builder's introspection of the installed
    collections, with the stage's own options."""
    pip, bindep = tmp_path / "pip.txt", tmp_path / "bindep.txt"
    options = ["--exclude-pip-reqs=exclude-requirements.txt", f"--write-pip={pip}", f"--write-bindep={bindep}"]
    subprocess.run(
        [BIN / "ansible-builder", "introspect", collections, *options],
        cwd=build,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return [line.strip() for line in pip.read_text().splitlines() if line.strip()]


def closure(names: set[str]) -> set[str]:
    """Every distribution these need, transitively, as this venv (installed from requirements.txt) resolves them
    for its Python (3.12, UBI's)."""
    seen: set[str] = set()
    todo = list(names)
    while todo:
        name = canonicalize_name(todo.pop())
        if name in seen:
            continue
        seen.add(name)
        for line in importlib.metadata.distribution(name).requires or []:
            requirement = Requirement(line)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                todo.append(requirement.name)
    return seen


def test_the_context_installs_the_collection_and_every_python_package_is_pinned(build_context, tmp_path):
    """The image's galaxy and builder stages, run here: `ansible-galaxy collection install` from _build (offline,
    with the pinned dependencies already present, as Galaxy would serve them), then ansible-builder's introspection
    of the installed collections, which decides what pip installs into the image; then every package any stage
    installs, with what it pulls in, must be pinned by the constraints (requirements.txt)."""
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

    lines = image_requirements(build, collections, tmp_path)
    requirements = [Requirement(line.split("#")[0]) for line in lines]
    # boto3 and botocore, declared by corp.infra (meta/execution-environment.yml) as by amazon.aws and community.aws.
    assert {canonicalize_name(r.name) for r in requirements} == RUNTIME_PYTHON
    assert [line for line in lines if "corp.infra" in line], lines
    # Not amazon.aws's aiobotocore (no release of it accepts the pinned botocore), no development tool.
    assert not {canonicalize_name(r.name) for r in requirements} & {"moto", "pytest", "ansible-lint", "ansible", "aiobotocore"}

    constraints = pins(ROOT / "requirements.txt")
    # Each requirement introspection yields is pinned, by a version it accepts (else pip would refuse the build).
    for requirement in requirements:
        name = canonicalize_name(requirement.name)
        assert name in constraints, f"{requirement}: introspection yields it, requirements.txt does not pin it"
        assert requirement.specifier.contains(constraints[name]), f"{requirement} refuses the pinned {constraints[name]}"
    # And everything any stage's pip installs: ansible-core and ansible-runner (base), bindep, pyyaml and packaging
    # (builder), the introspected requirements (final), with all they pull in. dumb-init is pinned by the Containerfile.
    containerfile = (work / "context" / "Containerfile").read_text()
    (builder_tools,) = re.findall(r"pip install --no-cache-dir (bindep pyyaml packaging)$", containerfile, re.M)
    seeds = {"ansible-core", "ansible-runner", *builder_tools.split(), *(r.name for r in requirements)}
    needed = closure(seeds)
    assert {"ansible-core", "jinja2", "boto3", "s3transfer", "jmespath", "pexpect", "python-daemon", "bindep"} <= needed
    assert sorted(needed - set(constraints)) == [], "installed in the image, not pinned by requirements.txt"
    assert all(importlib.metadata.version(name) == constraints[name] for name in needed)
    assert "'dumb-init==" in containerfile
