"""Many environments in one run: the shipped dev, staging and prod inventories combined with -i (one host each,
their values in host_vars); one `ansible-playbook site.yml --forks 3` converges them all, each into its own account
(a role assumed per host, corp_aws_assume_role_arn) and region, with its own network, key, bucket, table, database and
roles, none naming another's and no account holding another's; destroying one leaves the others whole."""

from __future__ import annotations

import functools
import itertools
import json
import re
import subprocess
import time

import boto3
import pytest
import yaml

from tests.policy.workloads import Stack
from tests.policy.workloads import default_rows
from tests.policy.workloads import failures
from tests.policy.workloads import flow_log_failures
from tests.policy.workloads import key_use_failures
from tests.policy.workloads import read_documents
from tests.policy.workloads import read_flow_log_documents
from tests.policy.workloads import read_trusts
from tests.policy.workloads import trust_failures

from .conftest import BIN
from .conftest import ROOT
from .conftest import ansible_playbook

# Outside make test (make test-extras; CI runs both): make test keeps within its 15 minutes on two cores.
pytestmark = [pytest.mark.slow(135), pytest.mark.extras]  # seconds, about
ENVIRONMENTS = {"dev": ("eu-west-1", "10.30.0.0/16"), "staging": ("eu-west-1", "10.40.0.0/16"), "prod": ("ap-south-1", "10.50.0.0/16")}
INVENTORIES = ("-i", "inventories/dev", "-i", "inventories/staging", "-i", "inventories/prod")
# The shipped inventories reach AWS; here the emulator, for every host (extra vars: shared, as nothing per environment is).
EMULATOR_VARS = {
    "corp_aws_endpoint_url": "{{ lookup('ansible.builtin.env', 'AWS_ENDPOINT_URL') }}",
    "corp_aws_access_key": "testing",
    "corp_aws_secret_key": "testing",
    "corp_aws_s3_control_config": {"proxies": {"http": "{{ corp_aws_endpoint_url }}"}},
}
# One account per environment: each host assumes a role in its own (moto answers AssumeRole into another account's
# role ARN with credentials that act in that account), and allows only it. prod's is the one inventories/prod allows
# (its host_vars file outranks the host vars of the inventory source below).
ACCOUNTS = {"dev": "111111111111", "staging": "222222222222", "prod": "210987654321"}


def role_arn(environment: str) -> str:
    return f"arn:aws:iam::{ACCOUNTS[environment]}:role/corp-deploy"


def accounts_inventory(tmp_path) -> tuple[str, str]:
    """A fourth inventory source with each host's role and allowed account (host vars, which extra vars would override for every host)."""
    path = tmp_path / "accounts.yml"
    hosts = {e: {"corp_aws_assume_role_arn": role_arn(e), "corp_allowed_account_ids": [ACCOUNTS[e]]} for e in ACCOUNTS}
    path.write_text(yaml.safe_dump({"all": {"hosts": hosts}}))
    return ("-i", str(path))


def names(environment: str, text: str) -> bool:
    """Whether ``text`` names ``environment`` as a word (corp-s3-securedata-prod does; "production" does not)."""
    return re.search(rf"(?<![a-z0-9]){re.escape(environment)}(?![a-z0-9])", text) is not None


@functools.cache
def _session(endpoint: str, environment: str) -> dict:
    sts = boto3.client("sts", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
    credentials = sts.assume_role(RoleArn=role_arn(environment), RoleSessionName="corp-infra-test")["Credentials"]
    return {
        "aws_access_key_id": credentials["AccessKeyId"],
        "aws_secret_access_key": credentials["SecretAccessKey"],
        "aws_session_token": credentials["SessionToken"],
    }


def client(emulator, service: str, region: str, environment: str):
    """A client acting in ``environment``'s account."""
    return boto3.client(service, endpoint_url=emulator.endpoint, region_name=region, **_session(emulator.endpoint, environment))


def recap(result, host: str) -> dict[str, int]:
    (line,) = [line for line in result.stdout.splitlines() if line.startswith(f"{host} ") and " : ok=" in line]
    return {k: int(v) for k, v in (field.split("=") for field in line.split(":", 1)[1].split())}


def vpcs_named(emulator, environment: str, region: str, account_of: str | None = None) -> list[dict]:
    ec2 = client(emulator, "ec2", region, account_of or environment)
    return ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": [f"corp-vpc-main-{environment}"]}])["Vpcs"]


def check_environment(emulator, environment: str) -> None:
    """The environment's stack, read from AWS in its own region, is its own and names no other environment."""
    region, cidr = ENVIRONMENTS[environment]
    others = [e for e in ENVIRONMENTS if e != environment]
    outputs = json.loads((ROOT / "outputs" / f"{environment}.json").read_text())
    assert (outputs["environment"], outputs["region"]) == (environment, region)
    services = outputs["services"]
    text = json.dumps(outputs)
    assert not [other for other in others if names(other, text)], f"{environment}'s outputs name another environment"

    (vpc,) = vpcs_named(emulator, environment, region)
    assert vpc["VpcId"] == services["network"]["vpc_id"] and vpc["CidrBlock"] == cidr
    assert {"Key": "Environment", "Value": environment} in vpc["Tags"]
    assert outputs["account_id"] == ACCOUNTS[environment]
    for other in others:
        if ENVIRONMENTS[other][0] != region:
            assert not vpcs_named(emulator, environment, ENVIRONMENTS[other][0]), f"{environment}'s network in {other}'s region"
        # No other account holds anything of this environment, in any of the regions.
        for any_region in {r for r, _cidr in ENVIRONMENTS.values()}:
            assert not vpcs_named(emulator, environment, any_region, account_of=other), f"{environment}'s network in {other}'s account"
        buckets = {b["Name"] for b in client(emulator, "s3", region, other).list_buckets()["Buckets"]}
        assert not [b for b in buckets if names(environment, b)], f"{environment}'s buckets in {other}'s account"
    assert all(az.startswith(region) for az in services["network"]["availability_zones"])

    kms = client(emulator, "kms", region, environment)
    key_arn = services["s3"]["key_arn"]
    assert key_arn.startswith(f"arn:aws:kms:{region}:")
    assert kms.describe_key(KeyId=f"alias/corp-kms-data-{environment}")["KeyMetadata"]["Arn"] == key_arn

    s3 = client(emulator, "s3", region, environment)
    bucket = f"corp-s3-securedata-{environment}"
    assert (s3.get_bucket_location(Bucket=bucket)["LocationConstraint"] or "us-east-1") == region
    (rule,) = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rule["ApplyServerSideEncryptionByDefault"]["KMSMasterKeyID"] == key_arn
    policy = s3.get_bucket_policy(Bucket=bucket)["Policy"]
    assert bucket in policy and not [other for other in others if names(other, policy)]

    dynamodb = client(emulator, "dynamodb", region, environment)
    table = dynamodb.describe_table(TableName=f"corp-dynamodb-main-{environment}")["Table"]
    assert table["SSEDescription"]["KMSMasterKeyArn"] == key_arn

    rds = client(emulator, "rds", region, environment)
    (database,) = rds.describe_db_instances(DBInstanceIdentifier=f"corp-rds-main-{environment}")["DBInstances"]
    assert database["DBSubnetGroup"]["VpcId"] == vpc["VpcId"]
    assert [g["VpcSecurityGroupId"] for g in database["VpcSecurityGroups"]] == [services["network"]["db_security_group_id"]]
    # One key story: storage, Performance Insights and the master user secret use the stack key, as does the flow log group.
    assert (database["KmsKeyId"], database["PerformanceInsightsKMSKeyId"], database["MasterUserSecret"]["KmsKeyId"]) == (key_arn,) * 3
    (group,) = client(emulator, "logs", region, environment).describe_log_groups(logGroupNamePrefix=f"corp-vpc-flowlogs-{environment}")["logGroups"]
    assert group["kmsKeyId"] == key_arn

    iam = client(emulator, "iam", region, environment)
    policy_arn = services["iam"]["data_access_policy_arn"]
    version = iam.get_policy(PolicyArn=policy_arn)["Policy"]["DefaultVersionId"]
    document = json.dumps(iam.get_policy_version(PolicyArn=policy_arn, VersionId=version)["PolicyVersion"]["Document"])
    assert key_arn in document and f"table/corp-dynamodb-main-{environment}" in document
    assert not [other for other in others if names(other, document)], f"{environment}'s data access policy reaches another environment"

    # The backup vault uses the stack key, locked in production only; its selection assigns this environment's
    # database and table (RDS.26, DynamoDB.4 in the report below).
    vault = client(emulator, "backup", region, environment).describe_backup_vault(BackupVaultName=f"corp-backup-data-{environment}")
    assert vault["EncryptionKeyArn"] == key_arn
    assert (vault["Locked"], vault.get("MinRetentionDays"), vault.get("MaxRetentionDays")) == ((True, 7, 365) if environment == "prod" else (False, None, None))
    assert services["backup"]["vault_lock"] == ("governance" if environment == "prod" else "none")

    report = json.loads((ROOT / "outputs" / f"{environment}-compliance.json").read_text())
    assert report["region"] == region and report["summary"].get("FAIL", 0) == 0
    covered = {(r["control"], r["resource"]) for r in report["results"] if r["status"] == "PASS"}
    assert {("RDS.26", f"corp-rds-main-{environment}"), ("DynamoDB.4", f"corp-dynamodb-main-{environment}")} <= covered


def workloads_hold(emulator) -> None:
    """The workload table (tests/policy/workloads.py) on the documents each environment holds, read back: each
    environment's role does what its application needs, and no environment's role reaches another's data."""
    documents, stacks = {}, {}
    for environment, (region, _cidr) in ENVIRONMENTS.items():
        clients = functools.partial(client, emulator, region=region, environment=environment)
        documents[environment] = read_documents(clients, environment)
        assert documents[environment].identity and documents[environment].bucket and documents[environment].key
        services = json.loads((ROOT / "outputs" / f"{environment}.json").read_text())["services"]
        # The database's resource id as RDS gave it, which the data access role's rds-db-connect policy names.
        assert services["rds"]["resource_id"].startswith("db-")
        stacks[environment] = Stack(
            environment, region, services["s3"]["key_arn"], account=ACCOUNTS[environment], db_resource_id=services["rds"]["resource_id"]
        )
        trust, delivery = read_flow_log_documents(clients, environment)
        assert flow_log_failures(trust, delivery, environment=environment, region=region, account=ACCOUNTS[environment]) == []
        # What CloudWatch Logs, RDS and Secrets Manager ask of the key, on the key policy the stack holds.
        assert key_use_failures(documents[environment].key, stacks[environment]) == []
        assert trust_failures(*read_trusts(clients, environment), stacks[environment]) == []
    for this, other in itertools.permutations(ENVIRONMENTS, 2):
        assert failures(default_rows(), stacks[this], stacks[other], documents[this], documents[other].identity) == [], (this, other)


def stack_gone(emulator, environment: str) -> bool:
    region = ENVIRONMENTS[environment][0]
    tables = client(emulator, "dynamodb", region, environment).list_tables()["TableNames"]
    buckets = {b["Name"] for b in client(emulator, "s3", region, environment).list_buckets()["Buckets"]}
    return not (
        vpcs_named(emulator, environment, region)
        or f"corp-dynamodb-main-{environment}" in tables
        or f"corp-s3-securedata-{environment}" in buckets
        or (ROOT / "outputs" / f"{environment}.json").exists()
    )


def test_three_environments_converge_in_one_run_without_sharing_state(emulator, tmp_path):
    # Each host is one environment, with its own name, region and network from its host_vars.
    inventory = json.loads(inventory_list(emulator).stdout)
    hostvars = inventory["_meta"]["hostvars"]
    assert sorted(hostvars) == sorted(ENVIRONMENTS)
    assert {host: (v["corp_environment"], v["corp_region"], v["network_vpc_cidr"]) for host, v in hostvars.items()} == {
        host: (host, *ENVIRONMENTS[host]) for host in ENVIRONMENTS
    }

    started = time.monotonic()
    converged = ansible_playbook(
        emulator, "site.yml", *INVENTORIES, *accounts_inventory(tmp_path), "-e", f"@{emulator_vars(tmp_path)}", "--forks", "3", check=True
    )
    elapsed = time.monotonic() - started
    for environment in ENVIRONMENTS:
        counts = recap(converged, environment)
        assert counts["failed"] == 0 and counts["unreachable"] == 0 and counts["changed"] > 0
    print(f"three environments converged in {elapsed:.0f} s")
    # Each host kept its production rules: prod's database is multi-AZ and protected, dev's and staging's per their sizing.
    instances = {
        e: client(emulator, "rds", ENVIRONMENTS[e][0], e).describe_db_instances(DBInstanceIdentifier=f"corp-rds-main-{e}")["DBInstances"][0]
        for e in ENVIRONMENTS
    }
    assert {e: (i["MultiAZ"], i["DeletionProtection"]) for e, i in instances.items()} == {
        "dev": (False, False),
        "staging": (True, False),
        "prod": (True, True),
    }

    # Each host's confirmation its own, as host vars in a second inventory source: one run, forks 3, destroys all.
    confirmations = tmp_path / "confirm.yml"
    confirmations.write_text(yaml.safe_dump({"all": {"hosts": {e: {"corp_destroy_confirmation": e} for e in ENVIRONMENTS}}}))
    try:
        for environment in ENVIRONMENTS:
            check_environment(emulator, environment)
        workloads_hold(emulator)

        # One name confirms one environment: staging goes; the others refuse, change nothing and stay whole.
        single = destroy(emulator, tmp_path, "-e", "corp_destroy_confirmation=staging")
        assert single.returncode != 0
        assert recap(single, "staging")["failed"] == 0 and recap(single, "staging")["changed"] > 0
        for environment in ("dev", "prod"):
            assert recap(single, environment)["failed"] == 1 and recap(single, environment)["changed"] == 0
        assert stack_gone(emulator, "staging")
        for environment in ("dev", "prod"):
            check_environment(emulator, environment)
    finally:
        fleet = destroy(emulator, tmp_path, "-i", str(confirmations))
    assert fleet.returncode == 0, fleet.stdout[-3000:]
    for environment in ENVIRONMENTS:
        assert stack_gone(emulator, environment), environment


def inventory_list(emulator) -> subprocess.CompletedProcess:
    command = [str(BIN / "ansible-inventory"), *INVENTORIES, "--list"]
    return subprocess.run(command, cwd=ROOT, env=emulator.env(), capture_output=True, text=True, timeout=120, check=True)


def emulator_vars(tmp_path) -> str:
    path = tmp_path / "emulator.json"
    path.write_text(json.dumps(EMULATOR_VARS))
    return str(path)


def destroy(emulator, tmp_path, *args: str) -> subprocess.CompletedProcess:
    """playbooks/destroy.yml on every environment at once (buckets with their objects)."""
    return ansible_playbook(
        emulator,
        "playbooks/destroy.yml",
        *INVENTORIES,
        *accounts_inventory(tmp_path),
        "-e",
        f"@{emulator_vars(tmp_path)}",
        *args,
        "--forks",
        "3",
        "-e",
        "s3_force_destroy=true",
    )
