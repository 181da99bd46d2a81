"""The stack launched the way AWX launches a job template: ansible-runner with a private data dir holding the
project (the playbooks of a git checkout), the inventory AWX imported from the project, the extra vars the survey
sends and the environment the AWS credential injects; corp.infra comes from where the execution environment
installs it (the built collection tarball), not from this checkout."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import NamedTuple

import ansible_runner
import pytest
import yaml

from .awx import BIN
from .awx import ROOT
from .awx import SurveyRefused
from .awx import build_collection
from .awx import link_dependencies
from .awx import survey_extra_vars
from .awx import template

ENVIRONMENT = "awxtest"
pytestmark = [pytest.mark.slow(110), pytest.mark.extras]  # seconds, about; a rehearsal: make test-extras
# Variables AWX adds to every job's extra vars.
AWX_VARS = {"awx_job_id": 42, "awx_job_template_name": "", "awx_user_name": "admin", "tower_job_id": 42}
# What the template's "corp.infra AWS role" credential injects (awx/controller/credential_types.yml): the role to
# assume, here in the emulator's account.
ROLE_CREDENTIAL_VARS = {"corp_aws_assume_role_arn": "arn:aws:iam::123456789012:role/corp-deploy", "corp_aws_assume_role_external_id": "corp-infra-awx"}


@pytest.fixture(scope="module")
def ee_collections(tmp_path_factory) -> Path:
    """What the image's /usr/share/ansible/collections holds: the built corp.infra tarball, installed, beside the
    pinned amazon.aws and community.aws."""
    work = tmp_path_factory.mktemp("ee")
    tarball, env = build_collection(work)
    collections = work / "collections"
    command = [BIN / "ansible-galaxy", "collection", "install", "--no-deps", "-p", collections, tarball]
    subprocess.run(command, cwd=work, env=env | {"ANSIBLE_COLLECTIONS_PATH": str(collections)}, capture_output=True, text=True, timeout=300, check=True)
    link_dependencies(collections, yaml.safe_load((ROOT / "galaxy.yml").read_text())["dependencies"])
    return collections


def awx_inventory() -> dict:
    """inventories/local as AWX imports it from the project (hosts with their group vars), for this test's environment."""
    hosts = yaml.safe_load((ROOT / "inventories" / "local" / "hosts.yml").read_text())["all"]["hosts"]
    group_vars = yaml.safe_load((ROOT / "inventories" / "local" / "group_vars" / "all" / "main.yml").read_text())
    (host_vars,) = hosts.values()
    return {"all": {"hosts": {ENVIRONMENT: host_vars}, "vars": group_vars | {"corp_environment": ENVIRONMENT}}}


class Job(NamedTuple):
    status: str
    rc: int
    events: list[dict]
    stats: dict
    project: Path

    @property
    def failed_tasks(self) -> list[str]:
        return [e["event_data"]["task"] for e in self.events if e["event"] == "runner_on_failed" and not e["event_data"].get("ignore_errors")]

    @property
    def task_paths(self) -> set[str]:
        # Only callback events carry event_data: output ansible-runner cannot tie to one (a warning the
        # playbook prints unbuffered, say) comes as a `verbose` event with stdout alone.
        return {e["event_data"]["task_path"] for e in self.events if "task_path" in e.get("event_data", {})}


def launch(tmp_path: Path, emulator, collections: Path, job_template: dict, extra_vars: dict, ident: str) -> Job:
    """One job: a fresh private data dir, as AWX writes it, run by ansible-runner."""
    data = tmp_path / ident
    project = data / "project"
    project.mkdir(parents=True)
    for name in ("site.yml", "ansible.cfg"):
        shutil.copy(ROOT / name, project)
    shutil.copytree(ROOT / "playbooks", project / "playbooks")
    (data / "inventory").mkdir()
    (data / "inventory" / "hosts.yml").write_text(yaml.safe_dump(awx_inventory()))
    (data / "env").mkdir()
    extravars = extra_vars | AWX_VARS | ROLE_CREDENTIAL_VARS | {"awx_job_template_name": job_template["name"]}
    (data / "env" / "extravars").write_text(yaml.safe_dump(extravars))
    envvars = {
        # The execution node's own credentials (an instance or pod role on AWS), from which the job assumes the role;
        # the endpoint stands in for AWS.
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_ENDPOINT_URL": emulator.endpoint,
        # As AWX builds it: the project's requirements, the project's ansible.cfg setting (./.collections, absent
        # from a git checkout), then the image's collections.
        "ANSIBLE_COLLECTIONS_PATH": f"{data / 'requirements_collections'}:./.collections:{collections}",
        # AWX reads the project's ansible.cfg from the job's working directory; a caller's own must not count.
        "ANSIBLE_CONFIG": str(project / "ansible.cfg"),
        "ANSIBLE_NOCOLOR": "1",
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    (data / "env" / "envvars").write_text(yaml.safe_dump(envvars))
    runner = ansible_runner.run(private_data_dir=str(data), playbook=job_template["playbook"], ident=ident, quiet=True, timeout=900)
    events = list(runner.events)
    (stats,) = [e["event_data"] for e in events if e["event"] == "playbook_on_stats"]
    return Job(runner.status, runner.rc, events, stats, project)


def stack_exists(emulator) -> dict[str, bool]:
    s3, dynamodb, rds, ec2 = (emulator.client(s) for s in ("s3", "dynamodb", "rds", "ec2"))
    buckets = {b["Name"] for b in s3.list_buckets()["Buckets"]}
    vpcs = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": [f"corp-vpc-main-{ENVIRONMENT}"]}])["Vpcs"]
    databases = rds.describe_db_instances(Filters=[{"Name": "db-instance-id", "Values": [f"corp-rds-main-{ENVIRONMENT}"]}])["DBInstances"]
    return {
        "bucket": f"corp-s3-securedata-{ENVIRONMENT}" in buckets,
        "table": f"corp-dynamodb-main-{ENVIRONMENT}" in dynamodb.list_tables()["TableNames"],
        "database": bool(databases),
        "network": bool(vpcs),
    }


def test_converge_and_a_confirmed_destroy_as_awx_launches_them(emulator, ee_collections, tmp_path):
    # Converge, with the survey's answers as AWX sends them (strings from multiple choice questions).
    converge = template("corp.infra converge dev")
    answers = survey_extra_vars(converge)
    assert answers == {"rds_apply_immediately": "false", "rds_reboot_for_pending_parameters": "false"}
    job = launch(tmp_path, emulator, ee_collections, converge, answers, "converge")
    assert (job.status, job.rc) == ("successful", 0), job.failed_tasks
    assert job.stats["failures"] == {} and job.stats["dark"] == {}
    assert job.stats["ok"][ENVIRONMENT] > 0 and job.stats["changed"][ENVIRONMENT] > 0
    # The job assumed the credential's role first, and its session never reached the output.
    assumed = [e["event_data"] for e in job.events if e["event"] == "runner_on_ok" and e["event_data"]["task"].startswith("Assume the environment's role")]
    assert len(assumed) == 1 and "censored" in assumed[0]["res"], assumed
    assert not [e for e in job.events if "session_token" in e.get("stdout", "")]
    # The roles that ran are the image's corp.infra, not this checkout's.
    role_tasks = {path for path in job.task_paths if "/corp/infra/roles/" in path}
    assert role_tasks and all(path.startswith(str(ee_collections)) for path in role_tasks), sorted(role_tasks)[:3]
    outputs = json.loads((job.project / "outputs" / f"{ENVIRONMENT}.json").read_text())
    assert (outputs["environment"], outputs["region"]) == (ENVIRONMENT, "us-east-1")
    assert outputs["services"]["s3"]["bucket_name"] == f"corp-s3-securedata-{ENVIRONMENT}"
    # AWX deletes the project copy after the job: the outputs are the job's artifacts too (set_stats).
    assert job.stats["artifact_data"]["corp_outputs"][ENVIRONMENT] == outputs
    report = json.loads((job.project / "outputs" / f"{ENVIRONMENT}-compliance.json").read_text())
    assert report["summary"].get("FAIL", 0) == 0 and report["summary"]["PASS"] > 0
    assert stack_exists(emulator) == {"bucket": True, "table": True, "database": True, "network": True}

    # Destroy with only the survey's defaults: AWX refuses the launch; sent anyway, the playbook refuses too.
    destroy = template("corp.infra destroy dev")
    with pytest.raises(SurveyRefused, match="corp_destroy_confirmation is required"):
        survey_extra_vars(destroy)
    defaults = {q["variable"]: q["default"] for q in destroy["survey_spec"]["spec"] if q.get("default", "") != ""}
    assert "corp_destroy_confirmation" not in defaults
    # Preflight refuses it, before any AWS request (playbooks/destroy.yml sets preflight_destroying).
    refused = "Check every stack input against corp.infra's rules"
    job = launch(tmp_path, emulator, ee_collections, destroy, defaults, "destroy-unconfirmed")
    assert job.status == "failed" and job.stats["failures"] == {ENVIRONMENT: 1}
    assert job.failed_tasks == [refused] and job.stats["changed"] == {}
    # Another environment's name does not confirm this one.
    wrong = survey_extra_vars(destroy, {"corp_destroy_confirmation": "dev"})
    job = launch(tmp_path, emulator, ee_collections, destroy, wrong, "destroy-wrong-name")
    assert job.status == "failed" and job.failed_tasks == [refused] and job.stats["changed"] == {}
    assert stack_exists(emulator) == {"bucket": True, "table": True, "database": True, "network": True}

    # Confirmed: the stack goes.
    confirmed = survey_extra_vars(destroy, {"corp_destroy_confirmation": ENVIRONMENT, "s3_force_destroy": "true"})
    job = launch(tmp_path, emulator, ee_collections, destroy, confirmed, "destroy")
    assert (job.status, job.rc) == ("successful", 0), job.failed_tasks
    assert job.stats["changed"][ENVIRONMENT] > 0
    assert stack_exists(emulator) == {"bucket": False, "table": False, "database": False, "network": False}
    # What a restore needs outlives the project copy: the final snapshot, as the job's artifact.
    record = job.stats["artifact_data"]["corp_destroyed"][ENVIRONMENT]
    assert record["final_snapshot"].startswith(f"corp-rds-main-{ENVIRONMENT}-final-") and record["region"] == "us-east-1"
