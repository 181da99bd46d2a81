# Copyright: corp.infra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""How long each of corp.infra's reads takes with its requests side by side, against one at a time.

    make run && .venv/bin/python benchmarks/reads.py [--latency-ms 50] [--runs 5] [--environment local]

The emulator answers in a few milliseconds, so on it a read's time is mostly Python; real AWS answers in tens of
milliseconds, and there a read's time is its round trips. This script reads a converged stack (``make run``) with
each read-only module's own ``read(params, aws)``, every request delayed by ``--latency-ms`` (botocore's
``before-send`` event) to stand for the round trip, once with ``reads.concurrently`` as it is and once with it
replaced by a plain loop. It prints the median of ``--runs`` reads of each kind, the requests per read and the
ratio, and exits 1 when a read fails. The figures are reported, not enforced (docs/benchmark.md).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / ".collections"))

import boto3  # noqa: E402

from ansible_collections.corp.infra.plugins.module_utils import reads  # noqa: E402
from ansible_collections.corp.infra.plugins.module_utils.clients import OneSession  # noqa: E402

MODULES = ("network_state_info", "s3_state_info", "iam_state_info", "rds_state_info", "dynamodb_state_info", "backup_state_info", "security_controls_info")


def stack_names(environment: str) -> dict[str, str]:
    """The stack's names as the roles compute them (the corp.infra.stack_names lookup, on the local inventory)."""
    command = [str(ROOT / ".venv" / "bin" / "ansible"), "-i", str(ROOT / "inventories" / "local"), "local", "-m", "ansible.builtin.debug"]
    command += ["-a", "msg={{ lookup('corp.infra.stack_names') }}", "-e", f"corp_environment={environment}"]
    done = subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(done.stdout.partition(" => ")[2])["msg"]


def parameters(names: dict[str, str], account: str = "123456789012") -> dict[str, dict]:
    """Each read's parameters, as the roles' read tasks give them (roles/*/tasks)."""
    policy = f"arn:aws:iam::{account}:policy/{names['data_access_role']}"
    return {
        "network_state_info": {
            "vpc_name": names["vpc"],
            "vpc_cidr": "10.20.0.0/16",
            "route_table_name": names["route_table"],
            "security_group_names": ["default", names["db_security_group"]],
            "log_group_name": names["flow_log_group"],
            "role_name": names["flow_logs_role"],
            "role_policy_name": "flow-log-delivery",
            "nacl_name": names["nacl"],
            "prefix_list_services": ["s3", "dynamodb"],
        },
        "s3_state_info": {"key_alias": names["key_alias"], "buckets": [names["bucket"], names["log_bucket"]]},
        "iam_state_info": {
            "roles": [names["data_access_role"], names["monitoring_role"]],
            "policies": [policy],
            "instance_profiles": [names["data_access_role"]],
            "role_policies": [f"{names['data_access_role']}/rds-db-connect"],
        },
        "rds_state_info": {
            "engine": "postgres",
            "engine_version": "17.6",
            "subnet_group": names["database"],
            "parameter_group": names["database"],
            "parameters": ["log_connections", "rds.force_ssl"],
            "db_instance_identifier": names["database"],
        },
        "dynamodb_state_info": {"name": names["table"]},
        "backup_state_info": {"vault_name": names["backup"], "plan_name": names["backup"], "selection_name": names["backup"]},
        # The standalone compliance job's read: nothing observed by a role, everything read.
        "security_controls_info": {
            "buckets": [{"name": names["bucket"], "role": "data"}, {"name": names["log_bucket"], "role": "logs"}],
            "account_id": account,
            "partition": "aws",
            "observed": {},
            "kms_keys": [names["key_alias"]],
            "customer_managed_key_arns": [],
            "log_groups": [names["flow_log_group"]],
            "db_instance_identifiers": [names["database"]],
            "dynamodb_tables": [names["table"]],
            "vpcs": [names["vpc"]],
            "iam_policy_arns": [policy],
            "iam_policy_names": [],
            "backup_vaults": [names["backup"]],
            "backup_plans": [names["backup"]],
            "waivers": {},
            # As inventories/local's corp_aws_s3_control_config: S3 Control's <account>.<host> through the emulator.
            "aws_config": {"proxies": {"http": os.environ.get("AWS_ENDPOINT_URL", "http://127.0.0.1:5000")}},
        },
    }


def one_at_a_time(calls):
    return {key: call() for key, call in calls.items()}


def measure(module, params, latency: float, runs: int, sequential: bool) -> tuple[float, int]:
    """The median seconds of ``runs`` reads (each from a new session, as each task's is) and the requests of one."""
    sent = []
    make_client = boto3.session.Session.client

    def delay(**event):  # pylint: disable=unused-argument
        sent.append(1)
        time.sleep(latency)  # and return None: a before-send handler that returns something answers the request

    def client(session, *args, **kwargs):
        made = make_client(session, *args, **kwargs)
        made.meta.events.register("before-send", delay)
        return made

    replaced = [m for m in (reads, module) if getattr(m, "concurrently", None) is reads.concurrently]
    original = reads.concurrently
    boto3.session.Session.client = client
    if sequential:
        for found in replaced:
            found.concurrently = one_at_a_time
    try:
        times = []
        for _run in range(runs):
            sent.clear()
            aws = OneSession(params, sys.exit, module.__name__)
            start = time.perf_counter()
            module.read(params, aws)
            times.append(time.perf_counter() - start)
    finally:
        boto3.session.Session.client = make_client
        for found in replaced:
            found.concurrently = original
    return statistics.median(times), len(sent)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=float, default=50.0, help="delay added to every request (default 50)")
    parser.add_argument("--runs", type=int, default=5, help="reads of each kind; each figure is their median (default 5)")
    parser.add_argument("--environment", default="local", help="the converged environment of the local inventory (default local)")
    args = parser.parse_args()
    os.environ.setdefault("AWS_ENDPOINT_URL", "http://127.0.0.1:5000")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    common = {key: None for key in ("region", "endpoint_url", "access_key", "secret_key", "session_token", "profile", "aws_ca_bundle", "aws_config")}
    common.update(validate_certs=True, debug_botocore_endpoint_logs=False)
    every = parameters(stack_names(args.environment))
    print(f"| read ({args.latency_ms:g} ms per request, median of {args.runs}) | requests | one at a time | side by side | ratio |")
    print("|---|---:|---:|---:|---:|")
    for name in MODULES:
        module = importlib.import_module(f"ansible_collections.corp.infra.plugins.modules.{name}")
        params = {**common, **every[name]}
        before, requests = measure(module, params, args.latency_ms / 1000, args.runs, sequential=True)
        after, _requests = measure(module, params, args.latency_ms / 1000, args.runs, sequential=False)
        print(f"| {name} | {requests} | {before:.2f} s | {after:.2f} s | {after / before:.2f}x |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
