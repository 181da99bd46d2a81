"""Interruption: a converge killed mid-run, again and again, then run to the end, leaves one stack: nothing
duplicated, nothing orphaned, counted through the API.

The kills are harsh on purpose. A fault proxy forwards a chosen create call to the emulator and then answers
nothing, so AWS has acted but the module never hears it, and the whole run is killed with SIGKILL there:
ansible-playbook and its workers and module processes (ansible-core starts those in sessions of their own).
CreateKey is always one of the points: amazon.aws.kms_key creates the key before its alias, so a run killed
between the two leaves a key that no alias finds. The other points are drawn from the stack's create calls,
plus one kill at a random task of the next run; CORP_INTERRUPT_SEED replays a draw.
"""

import contextlib
import json
import os
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest

from .conftest import BIN
from .conftest import ROOT
from .conftest import ansible_playbook
from .conftest import changed
from .conftest import fault_proxy
from .conftest import faults

ENVIRONMENT = "interrupttest"
# Outside make test (make test-extras; CI runs both): make test keeps within its 15 minutes on two cores.
pytestmark = [pytest.mark.slow(155), pytest.mark.extras]  # seconds, about
# The stack's create calls, in the order site.yml makes them (the proxy names them, see corp_emulator.faults).
CREATE_CALLS = [
    "CreateKey",
    "CreateBucket",
    "CreateVpc",
    "CreateSubnet",
    "CreateRouteTable",
    "CreateSecurityGroup",
    "CreateLogGroup",
    "CreateFlowLogs",
    "CreateVpcEndpoint",
    "CreateRole",
    "CreatePolicy",
    "CreateDBSubnetGroup",
    "CreateDBParameterGroup",
    "CreateDBInstance",
    "CreateTable",
]
SEED = int(os.environ.get("CORP_INTERRUPT_SEED", "20261128"))
SITE = ["site.yml", "-i", "inventories/local", "-e", f"corp_environment={ENVIRONMENT}"]


@pytest.fixture
def proxy(emulator):
    with fault_proxy(emulator, "--throttle-rate", "0") as endpoint:
        yield endpoint


def killed_run(emulator, endpoint, log, *, after=None, task=None):
    """Start a converge and SIGKILL it (with its module processes) once the proxy hangs after the operation
    ``after``, or a moment (0-0.5 s, drawn) after the run announces its ``task``-th task: a point within any run,
    however fast the machine. Returns what the run printed before it died."""
    if after:
        faults(endpoint, "hang", after=after)
    env = emulator.env() | {"AWS_ENDPOINT_URL": endpoint}
    with open(os.devnull, "rb") as stdin, open(log, "w") as stdout:
        process = subprocess.Popen([str(BIN / "ansible-playbook"), *SITE], cwd=ROOT, env=env, stdin=stdin, stdout=stdout, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and process.poll() is None:
        if after and faults(endpoint)["hung"]:
            break
        if task and Path(log).read_text().count("\nTASK [") >= task:
            time.sleep(random.Random(task).uniform(0, 0.5))
            break
        time.sleep(0.05)
    assert process.poll() is None, f"the run ended before the kill point ({after or task}):\n{Path(log).read_text()[-3000:]}"
    kill_tree(process.pid)
    process.wait(timeout=30)
    faults(endpoint, "release")
    return Path(log).read_text()


def descendants(pid):
    children = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def kill_tree(pid):
    """SIGKILL a process and everything it started, as a dying controller would lose them: ansible-core moves its
    workers into sessions of their own, so killing the process group would leave them running."""
    for signal_number in (signal.SIGSTOP, signal.SIGKILL):  # freeze first, so nothing forks while we look
        for victim in [pid, *descendants(pid)]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(victim, signal_number)


def kill_plan():
    draw = random.Random(SEED)
    points = {"CreateKey"} | set(draw.sample([call for call in CREATE_CALLS if call != "CreateKey"], 2))
    # A converge announces about 110 tasks; the last kill lands in the first 80 of the run after the others.
    return [call for call in CREATE_CALLS if call in points], draw.randint(5, 80)


def owned_keys(kms):
    keys = []
    for key in kms.list_keys()["Keys"]:
        tags = kms.list_resource_tags(KeyId=key["KeyId"]).get("Tags", [])
        if {"TagKey": "Environment", "TagValue": ENVIRONMENT} in tags:
            keys.append(kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"])
    return keys


def test_a_converge_killed_at_several_points_reruns_to_one_stack(emulator, proxy, tmp_path):
    secrets = emulator.client("secretsmanager")
    secrets_before = {s["ARN"] for s in secrets.list_secrets()["SecretList"]}
    calls, task = kill_plan()
    where = f"seed {SEED}: killed after {', '.join(calls)} and at task {task}"
    for number, call in enumerate(calls):
        killed_run(emulator, proxy, tmp_path / f"run{number}.log", after=call)
    killed_run(emulator, proxy, tmp_path / "last.log", task=task)

    final = ansible_playbook(emulator, *SITE, endpoint=proxy)
    assert final.returncode == 0, where + "\n" + final.stdout[-4000:]
    assert changed(ansible_playbook(emulator, *SITE, check=True)) == 0, where

    ec2, kms, s3, iam, rds, dynamodb, logs = (emulator.client(s) for s in ("ec2", "kms", "s3", "iam", "rds", "dynamodb", "logs"))
    owned = [{"Name": "tag:Environment", "Values": [ENVIRONMENT]}]
    vpcs = ec2.describe_vpcs(Filters=owned)["Vpcs"]
    assert len(vpcs) == 1, where
    in_vpc = [{"Name": "vpc-id", "Values": [vpcs[0]["VpcId"]]}]
    assert len(ec2.describe_subnets(Filters=in_vpc)["Subnets"]) == 2, where
    assert len(ec2.describe_route_tables(Filters=in_vpc)["RouteTables"]) == 2, where  # the main one and the stack's
    groups = ec2.describe_security_groups(Filters=in_vpc)["SecurityGroups"]
    assert sorted(g["GroupName"] for g in groups) == [f"corp-sg-database-{ENVIRONMENT}", "default"], where
    assert len(ec2.describe_flow_logs(Filters=[{"Name": "resource-id", "Values": [vpcs[0]["VpcId"]]}])["FlowLogs"]) == 1, where
    assert len(ec2.describe_vpc_endpoints(Filters=in_vpc)["VpcEndpoints"]) == 2, where
    assert len([g for g in logs.describe_log_groups()["logGroups"] if ENVIRONMENT in g["logGroupName"]]) == 1, where

    # One key, behind the stack's alias, and no second key created, orphaned or scheduled for deletion.
    keys = owned_keys(kms)
    assert [k["KeyState"] for k in keys] == ["Enabled"], f"{where}: {keys}"
    aliases = [a for a in kms.list_aliases()["Aliases"] if a["AliasName"].endswith(ENVIRONMENT)]
    assert [a.get("TargetKeyId") for a in aliases] == [keys[0]["KeyId"]], where

    assert sorted(b["Name"] for b in s3.list_buckets()["Buckets"] if b["Name"].endswith(ENVIRONMENT)) == [
        f"corp-s3-accesslogs-{ENVIRONMENT}",
        f"corp-s3-securedata-{ENVIRONMENT}",
    ], where
    outputs = json.loads((ROOT / "outputs" / f"{ENVIRONMENT}.json").read_text())
    roles = [r["RoleName"] for r in iam.list_roles()["Roles"] if r["RoleName"].endswith(ENVIRONMENT)]
    assert sorted(roles) == sorted({arn.rsplit("/", 1)[1] for arn in _role_arns(outputs)}), where
    assert [d["DBInstanceIdentifier"] for d in rds.describe_db_instances()["DBInstances"] if d["DBInstanceIdentifier"].endswith(ENVIRONMENT)] == [
        f"corp-rds-main-{ENVIRONMENT}"
    ], where
    assert len([g for g in rds.describe_db_subnet_groups()["DBSubnetGroups"] if g["DBSubnetGroupName"].endswith(ENVIRONMENT)]) == 1, where
    assert len([g for g in rds.describe_db_parameter_groups()["DBParameterGroups"] if g["DBParameterGroupName"].endswith(ENVIRONMENT)]) == 1, where
    # RDS creates the master secret with the instance: one instance, one new secret.
    new_secrets = [s["ARN"] for s in secrets.list_secrets()["SecretList"] if s["ARN"] not in secrets_before]
    assert new_secrets == [outputs["services"]["rds"]["master_user_secret_arn"]], where
    assert [t for t in dynamodb.list_tables()["TableNames"] if t.endswith(ENVIRONMENT)] == [f"corp-dynamodb-main-{ENVIRONMENT}"], where

    # Destroy finds a key left without its alias too: plant one, as a run killed after CreateKey would.
    stack_tags = {t["TagKey"]: t["TagValue"] for t in kms.list_resource_tags(KeyId=keys[0]["KeyId"])["Tags"]}
    assert stack_tags["Name"] == f"corp-kms-data-{ENVIRONMENT}", stack_tags
    kms.create_key(Description="left by a killed run", Tags=[{"TagKey": k, "TagValue": v} for k, v in stack_tags.items()])
    destroyed = ansible_playbook(
        emulator, "playbooks/destroy.yml", "-i", "inventories/local", "-e", f"corp_environment={ENVIRONMENT}",
        "-e", f"corp_destroy_confirmation={ENVIRONMENT}", "-e", "s3_force_destroy=true", check=True,
    )  # fmt: skip
    assert "failed=0" in destroyed.stdout
    # The planted key goes; the stack key stays while the database's final snapshot needs it, and says so.
    states = {k["Arn"]: k["KeyState"] for k in owned_keys(kms)}
    assert states.pop(keys[0]["Arn"]) == "Enabled" and list(states.values()) == ["PendingDeletion"], states
    assert f"kept the stack key alias/corp-kms-data-{ENVIRONMENT}: the snapshot(s) corp-rds-main-{ENVIRONMENT}-final" in destroyed.stdout


def _role_arns(outputs):
    """Every IAM role ARN the outputs file publishes, wherever it sits."""
    found = []

    def walk(value):
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, str) and value.startswith("arn:aws:iam::") and ":role/" in value:
            found.append(value)

    walk(outputs)
    return found
