"""The stack report (outputs/<environment>.md): its Mermaid diagram parses with Mermaid's own parser (tests/mermaid)
and names every resource of the outputs; the key's edges follow the compliance results; the summary and outputs."""

import copy

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.corp.infra.plugins.filter.stack_report import stack_report
from ansible_collections.corp.infra.plugins.module_utils.stack_report import diagram
from ansible_collections.corp.infra.plugins.module_utils.stack_report import label
from ansible_collections.corp.infra.plugins.module_utils.stack_report import report
from ansible_collections.corp.infra.plugins.module_utils.stack_report import resources
from tests.mermaid import diagram_of
from tests.mermaid import parse

ACCOUNT, REGION = "123456789012", "eu-west-1"
KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/2e4242cb-d03a-4b7a-8ff3-8f384e70c34e"
SECRET = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:rds!db-bf51eb5a-2a55-47c9-a953-ecb9262e9163-xdSpUp"
DOCUMENT = {
    "account_id": ACCOUNT,
    "environment": "dev",
    "name_prefix": "corp",
    "production": False,
    "region": REGION,
    "services": {
        "backup": {
            "plan_arn": f"arn:aws:backup:{REGION}:{ACCOUNT}:backup-plan:2b29781d-01f0-4ea8-80d5-54e8a9586340",
            "plan_name": "corp-backup-data-dev",
            "retention_days": 35,
            "role_arn": f"arn:aws:iam::{ACCOUNT}:role/corp-iam-backup-dev",
            "selection_name": "corp-backup-data-dev",
            "vault_arn": f"arn:aws:backup:{REGION}:{ACCOUNT}:backup-vault:corp-backup-data-dev",
            "vault_key_arn": KEY,
            "vault_lock": "none",
            "vault_name": "corp-backup-data-dev",
        },
        "dynamodb": {
            "kms_key_arn": KEY,
            "stream_arn": "",
            "table_arn": f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/corp-dynamodb-main-dev",
            "table_name": "corp-dynamodb-main-dev",
        },
        "iam": {
            "backup_role_arn": f"arn:aws:iam::{ACCOUNT}:role/corp-iam-backup-dev",
            "data_access_grants": {"db_users": ["app"], "dynamodb": ["read", "write"], "s3": ["read", "write", "list"], "s3_prefix": "dev/"},
            "data_access_policy_arn": f"arn:aws:iam::{ACCOUNT}:policy/corp-iam-dataaccess-dev",
            "data_access_role_arn": f"arn:aws:iam::{ACCOUNT}:role/corp-iam-dataaccess-dev",
            "data_access_role_name": "corp-iam-dataaccess-dev",
            "data_key_arn": KEY,
            "monitoring_role_arn": f"arn:aws:iam::{ACCOUNT}:role/corp-iam-rdsmonitoring-dev",
        },
        "network": {
            "availability_zones": ["eu-west-1a", "eu-west-1b"],
            "db_ingress_cidrs": ["10.30.0.0/16"],
            "db_ingress_security_group_ids": ["sg-0aaaabbbbccccdddd"],
            "db_port": 5433,
            "db_security_group_id": "sg-886fc3c7d7b4f597b",
            "default_security_group_id": "sg-bbb2d39f4cfa620a2",
            "flow_log_group": "corp-vpc-flowlogs-dev",
            "flow_log_id": "fl-fb1ae8ee1d4dc532b",
            "flow_logs_role_arn": f"arn:aws:iam::{ACCOUNT}:role/corp-iam-flowlogs-dev",
            "gateway_endpoint_ids": ["vpce-be78327728f0f3836", "vpce-2c2fd1c214062fc26"],
            "nacl_id": "acl-d224d12f585170c4d",
            "route_table_id": "rtb-38b1d0384342f3b72",
            "subnet_cidrs": ["10.30.0.0/20", "10.30.16.0/20"],
            "subnet_ids": ["subnet-9012eaf15df5b00ff", "subnet-ed58dd9e0bd03f87c"],
            "vpc_cidr": "10.30.0.0/16",
            "vpc_id": "vpc-1eda260cb94073aa9",
            "vpc_name": "corp-vpc-main-dev",
        },
        "rds": {
            "endpoint": "corp-rds-main-dev.aaaaaaaaaa.eu-west-1.rds.amazonaws.com",
            "instance_arn": f"arn:aws:rds:{REGION}:{ACCOUNT}:db:corp-rds-main-dev",
            "instance_identifier": "corp-rds-main-dev",
            "master_user_secret_arn": SECRET,
            "parameter_group_name": "corp-rds-main-dev",
            "port": 5433,
            "resource_id": "db-BKKHSNF9T024XIC6JK07QBEVPR",
            "subnet_group_name": "corp-rds-main-dev",
        },
        "s3": {
            "bucket_arn": "arn:aws:s3:::corp-s3-securedata-dev",
            "bucket_name": "corp-s3-securedata-dev",
            "key_alias": "alias/corp-kms-data-dev",
            "key_arn": KEY,
            "log_bucket_name": "corp-s3-accesslogs-dev",
        },
    },
}


def kms(control, resource, status="PASS", key=KEY):
    return {"control": control, "resource": resource, "status": status, "reason": f"encrypted with the customer-managed key {key}"}


COMPLIANCE = {
    "account_id": ACCOUNT,
    "summary": {"PASS": 9, "FAIL": 1, "WAIVED": 1},
    "results": [
        kms("CORP.KMS.S3", "corp-s3-securedata-dev"),
        kms("CORP.KMS.Logs", "corp-vpc-flowlogs-dev"),
        kms("CORP.KMS.RDS", "corp-rds-main-dev storage"),
        kms("CORP.KMS.PerformanceInsights", "corp-rds-main-dev Performance Insights"),
        kms("CORP.KMS.SecretsManager", SECRET),
        kms("CORP.KMS.DynamoDB", "corp-dynamodb-main-dev"),
        kms("CORP.KMS.Backup", "vault corp-backup-data-dev"),
        {"control": "S3.1", "resource": "account", "status": "WAIVED", "reason": "account-level | setting"},
        {"control": "RDS.5", "resource": "corp-rds-main-dev", "status": "FAIL", "reason": "single-AZ"},
    ],
}


@pytest.fixture(scope="module")
def parsed():
    return parse(diagram_of(report(DOCUMENT, COMPLIANCE)))


def shown(found) -> str:
    """Every text the parsed diagram shows: node labels, subgraph titles and edge labels."""
    texts = [v["text"] for v in found["vertices"]] + [s["title"] for s in found["subgraphs"]] + [e["text"] for e in found["edges"]]
    return "\n".join(texts)


def edges(found) -> set[tuple[str, str, str]]:
    return {(e["start"], e["end"], e["text"]) for e in found["edges"]}


def test_the_diagram_parses_as_a_flowchart_and_names_every_resource_of_the_outputs(parsed):
    assert parsed["type"] == "flowchart-v2"
    names = resources(DOCUMENT)
    # Names, ids, and ARNs by what ends them: the key's id, the secret's name, the roles', the plan's id.
    assert {"corp-vpc-main-dev", "subnet-9012eaf15df5b00ff", "2e4242cb-d03a-4b7a-8ff3-8f384e70c34e", "corp-iam-flowlogs-dev"} <= set(names)
    assert "rds!db-bf51eb5a-2a55-47c9-a953-ecb9262e9163-xdSpUp" in names and "2b29781d-01f0-4ea8-80d5-54e8a9586340" in names
    assert not {"10.30.0.0/20", "35", "5433"} & set(names)  # addresses and settings are not resources
    text = shown(parsed)
    assert [name for name in names if name not in text] == []


def test_the_vpc_holds_one_frame_per_zone_with_its_subnet_and_the_database_behind_its_group(parsed):
    subgraphs = {s["id"]: s for s in parsed["subgraphs"]}
    assert subgraphs["az0"]["title"] == "eu-west-1a" and subgraphs["az0"]["nodes"] == ["subnet0"]
    assert subgraphs["az1"]["title"] == "eu-west-1b" and subgraphs["az1"]["nodes"] == ["subnet1"]
    assert {"az0", "az1", "sg_db", "db", "routing", "flow_log"} <= set(subgraphs["vpc"]["nodes"])
    assert set(subgraphs["iam"]["nodes"]) == {"role_data", "role_monitoring", "role_backup", "role_flowlogs"}
    found = edges(parsed)
    # Who may reach the database, on which port: the CIDR and the security group the inputs admit, through its group.
    assert {("client0", "sg_db", "tcp 5433"), ("client1", "sg_db", "tcp 5433"), ("sg_db", "db", "admits")} <= found
    labels = {v["id"]: v["text"] for v in parsed["vertices"]}
    assert labels["client0"] == "clients in 10.30.0.0/16" and labels["client1"] == "clients in sg-0aaaabbbbccccdddd"


def test_the_key_encrypts_what_the_compliance_report_found_on_it_and_the_roles_show_their_verbs(parsed):
    found = edges(parsed)
    encrypted = {end: text for start, end, text in found if start == "key"}
    assert encrypted == {
        "bucket": "encrypts",
        "log_group": "encrypts",
        "db": "encrypts storage, Performance Insights",
        "secret": "encrypts",
        "table": "encrypts",
        "vault": "encrypts",
    }
    assert {
        ("role_data", "bucket", "read, write, list under dev/"),
        ("role_data", "table", "read, write"),
        ("role_data", "db", "IAM auth as app"),
        ("role_monitoring", "db", "enhanced monitoring"),
        ("role_backup", "plan", "runs the jobs"),
        ("role_flowlogs", "log_group", "writes"),
        ("plan", "db", "backs up"),
        ("plan", "table", "backs up"),
        ("plan", "vault", "recovery points"),
    } <= found


def test_a_resource_on_another_key_or_waived_has_no_edge_from_the_stack_key():
    compliance = copy.deepcopy(COMPLIANCE)
    compliance["results"][5] = kms("CORP.KMS.DynamoDB", "corp-dynamodb-main-dev", key="arn:aws:kms:eu-west-1:123456789012:key/other")
    compliance["results"][6] = {"control": "CORP.KMS.Backup", "resource": "vault", "status": "WAIVED", "reason": "backup_use_stack_key is false"}
    text = diagram(DOCUMENT, compliance)
    assert "key -- " in text and not [line for line in text.splitlines() if line.startswith("  key --") and line.endswith(("table", "vault"))]
    # Without compliance results (the report of a run that did not verify) the key has no edges at all.
    assert "  key --" not in diagram(DOCUMENT, {})


def test_labels_that_hold_mermaid_syntax_still_parse():
    document = copy.deepcopy(DOCUMENT)
    document["services"]["s3"]["bucket_name"] = 'odd"name[with]{brackets}<and>&|pipes'
    assert label('a"b', "<c>") == '"a#quot;b<br/>#lt;c#gt;"'
    found = parse(diagram(document, COMPLIANCE))
    assert any("odd" in v["text"] and "pipes" in v["text"] for v in found["vertices"])


def test_a_broken_diagram_is_refused_by_the_parser():
    with pytest.raises(AssertionError, match="does not parse"):
        parse("flowchart LR\n  a --> [b\n")


def test_the_report_has_the_diagram_the_compliance_summary_and_the_outputs():
    text = report(DOCUMENT, COMPLIANCE)
    assert text.startswith("# corp.infra stack: dev\n") and text.count("```mermaid\n") == 1
    compliance = text[text.index("## Compliance") : text.index("## Outputs")]
    assert "9 pass, 1 fail, 1 waived" in compliance
    # What did not pass, failures first; a pipe in a reason does not break the table.
    assert compliance.index("| RDS.5 |") < compliance.index("| S3.1 |") and "account-level \\| setting" in compliance
    assert "CORP.KMS.S3" not in compliance
    outputs = text[text.index("## Outputs") :]
    assert "| network | vpc_id | `vpc-1eda260cb94073aa9` |" in outputs
    assert "| network | subnet_ids | `subnet-9012eaf15df5b00ff, subnet-ed58dd9e0bd03f87c` |" in outputs
    assert "No compliance report in this run" in report(DOCUMENT, {})


def test_a_partial_stack_still_parses():
    # A run narrowed with --tags publishes some services' outputs only.
    document = {"environment": "dev", "services": {"s3": DOCUMENT["services"]["s3"], "dynamodb": DOCUMENT["services"]["dynamodb"]}}
    found = parse(diagram(document, COMPLIANCE))
    assert {v["id"] for v in found["vertices"]} == {"key", "bucket", "log_bucket", "table"}
    assert ("key", "table", "encrypts") in edges(found)


def test_the_filter_takes_dicts_only():
    assert stack_report(DOCUMENT) == report(DOCUMENT, {})
    with pytest.raises(AnsibleFilterError, match="must be a dict"):
        stack_report("outputs")
    with pytest.raises(AnsibleFilterError, match="must be a dict"):
        stack_report(DOCUMENT, ["results"])
