"""The AWX configuration as code (awx/controller/*.yml) read the way AWX uses it: templates, their surveys, and the
extra vars a launch sends. Shared by tests/unit/test_awx_config.py and the ansible-runner tests."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CONTROLLER = ROOT / "awx" / "controller"
# The collections the pinned `ansible` package of requirements.txt installs into the venv.
VENV_COLLECTIONS = Path(sysconfig.get_paths()["purelib"]) / "ansible_collections"


class SurveyRefused(Exception):
    """AWX refuses the launch: a required question has no answer, or an answer breaks the question's rules."""


def controller_config() -> dict:
    """Every controller_* variable from awx/controller/*.yml, as include_vars reads the folder (one name, one file)."""
    config: dict = {}
    for path in sorted(CONTROLLER.glob("*.yml")):
        data = yaml.safe_load(path.read_text()) or {}
        duplicated = set(config) & set(data)
        assert not duplicated, f"{path.name} defines {sorted(duplicated)} again"
        config.update(data)
    return config


def template(name: str, config: dict | None = None) -> dict:
    (found,) = [t for t in (config or controller_config())["controller_templates"] if t["name"] == name]
    return found


def choices(question: dict) -> list[str]:
    """A multiple choice question's choices: a list, or AWX's older newline-separated string."""
    value = question.get("choices", [])
    return value.splitlines() if isinstance(value, str) else [str(c) for c in value]


def survey_extra_vars(job_template: dict, answers: dict | None = None) -> dict:
    """The extra vars AWX sends for a launch with these survey answers (AWX's survey rules: an unanswered question
    takes its default; a required one with neither answer nor default, an answer outside the choices, or text
    outside min/max refuses the launch)."""
    answers = dict(answers or {})
    if not job_template.get("survey_enabled"):
        assert not answers, f"{job_template['name']} has no survey to answer"
        return {}
    extra_vars = {}
    for question in job_template["survey_spec"]["spec"]:
        variable = question["variable"]
        value = answers.pop(variable, question.get("default", ""))
        if value in ("", None):
            if question.get("required"):
                raise SurveyRefused(f"{job_template['name']}: {variable} is required")
            continue
        if question["type"] in ("multiplechoice", "multiselect") and str(value) not in choices(question):
            raise SurveyRefused(f"{job_template['name']}: {variable}={value!r} is not one of {choices(question)}")
        if question["type"] in ("text", "textarea", "password") and not question.get("min", 0) <= len(value) <= question.get("max", 1024):
            raise SurveyRefused(f"{job_template['name']}: {variable} must be {question.get('min', 0)}-{question.get('max', 1024)} characters")
        extra_vars[variable] = value
    assert not answers, f"{job_template['name']} asks no question for {sorted(answers)}"
    return extra_vars


def build_collection(work: Path) -> tuple[Path, dict[str, str]]:
    """`ansible-galaxy collection build` of this checkout into work/.cache/build (as docs/awx.md runs it), with no
    ansible.cfg of the checkout's; returns the tarball and the environment used."""
    (work / "ansible.cfg").write_text("[defaults]\n")
    env = dict(os.environ, ANSIBLE_CONFIG=str(work / "ansible.cfg"), ANSIBLE_NOCOLOR="1")
    output = work / ".cache" / "build"
    command = [BIN / "ansible-galaxy", "collection", "build", "--force", "--output-path", output, ROOT]
    subprocess.run(command, cwd=work, env=env, capture_output=True, text=True, timeout=300, check=True)
    (tarball,) = output.glob("corp-infra-*.tar.gz")
    return tarball, env


def link_dependencies(collections: Path, names) -> None:
    """Put the pinned venv's copies of these collections (namespace.name) under a collections path."""
    for collection in names:
        namespace, name = collection.split(".")
        (collections / "ansible_collections" / namespace).mkdir(parents=True, exist_ok=True)
        (collections / "ansible_collections" / namespace / name).symlink_to(VENV_COLLECTIONS / namespace / name)
