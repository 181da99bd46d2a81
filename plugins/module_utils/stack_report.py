# Copyright: corp.infra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The stack report (outputs/<environment>.md): a Mermaid diagram of the live stack, the compliance summary and the
outputs, rendered from the outputs document and the compliance document a run already holds. Pure: no AWS call."""

from __future__ import annotations

import re

# Outputs that are not resources (addresses, sizes, settings): the diagram shows some of them, but need not.
NOT_RESOURCES = frozenset(
    {
        "availability_zones",
        "db_ingress_cidrs",
        "db_port",
        "data_access_grants",
        "endpoint",
        "port",
        "retention_days",
        "subnet_cidrs",
        "vault_lock",
        "vpc_cidr",
    }
)
# The compliance controls that say which key encrypts what: (control, diagram node).
KEY_CONTROLS = (
    ("CORP.KMS.S3", "bucket"),
    ("CORP.KMS.Logs", "log_group"),
    ("CORP.KMS.RDS", "db"),
    ("CORP.KMS.PerformanceInsights", "db"),
    ("CORP.KMS.SecretsManager", "secret"),
    ("CORP.KMS.DynamoDB", "table"),
    ("CORP.KMS.Backup", "vault"),
)
STATUS_ORDER = {"FAIL": 0, "WAIVED": 1, "PASS": 2}


def label(*lines) -> str:
    """A quoted Mermaid label: lines joined by <br/>, the characters Mermaid's grammar or its HTML would take as
    syntax written as entity codes."""
    text = "<br/>".join(str(line) for line in lines if line not in (None, ""))
    for char, code in (("&", "#amp;"), ('"', "#quot;"), ("<br/>", "\0"), ("<", "#lt;"), (">", "#gt;"), ("\0", "<br/>")):
        text = text.replace(char, code)
    return '"' + text + '"'


def resource_tail(arn: str) -> str:
    """What names a resource in its ARN: the part after the last '/' (or ':' when there is none)."""
    resource = arn.split(":", 5)[5] if arn.startswith("arn:") and arn.count(":") >= 5 else arn
    return re.split(r"[/:]", resource)[-1]


def key_id(arn: str) -> str:
    return resource_tail(arn) if arn else ""


def resources(document: dict) -> list[str]:
    """Every resource the outputs name, as the diagram must show it: names and ids as they are, ARNs by the name or
    id at their end (empty values skipped)."""
    found = []
    for outputs in (document.get("services") or {}).values():
        for name, value in sorted((outputs or {}).items()):
            if name in NOT_RESOURCES:
                continue
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, str) and item:
                    found.append(resource_tail(item) if item.startswith("arn:") else item)
    return list(dict.fromkeys(found))


def _key_edges(compliance: dict, key_arn: str) -> dict:
    """{node: [labels]} the stack key encrypts, from the CORP.KMS results that pass naming the stack key."""
    edges = {}
    results = {r.get("control"): r for r in (compliance or {}).get("results") or []}
    for control, node in KEY_CONTROLS:
        result = results.get(control)
        if result and result.get("status") == "PASS" and key_arn and key_arn in result.get("reason", ""):
            part = {"CORP.KMS.RDS": "storage", "CORP.KMS.PerformanceInsights": "Performance Insights"}.get(control, "")
            edges.setdefault(node, []).append(part)
    return edges


SHAPES = {"box": ("[", "]"), "store": ("[(", ")]"), "guard": ("{{", "}}"), "actor": ("([", "])")}
CLASSES = (
    "  classDef data fill:#e8f1fb,stroke:#2f6db5,color:#10243e",
    "  classDef guard fill:#fdf3e1,stroke:#b7791f,color:#3d2a05",
    "  classDef role fill:#eef7ee,stroke:#3a8a3a,color:#0f2e0f",
    "  classDef client fill:#f6f6f6,stroke:#777777,color:#222222,stroke-dasharray: 4 3",
    "  classDef net fill:#ffffff,stroke:#999999,color:#222222",
)

EDGE_STYLES = {
    "key": "stroke:#b7791f,stroke-width:1.5px,stroke-dasharray:5 4",
    "role": "stroke:#3a8a3a,stroke-width:1.5px",
    "client": "stroke:#c0392b,stroke-width:2px",
    "place": "stroke:#999999,stroke-width:1px",
}

SUBGRAPH_STYLES = {
    "vpc": "fill:#f7fafd,stroke:#2f6db5,stroke-width:2px",
    "az": "fill:#ffffff,stroke:#8aa9cf,stroke-dasharray:4 3",
    "iam": "fill:#f6fbf6,stroke:#3a8a3a",
}


class _Chart:
    """Lines of a Mermaid flowchart, with each node's class remembered for the class lines at the end."""

    def __init__(self):
        # Labels wrap at 320 px rather than 200, so that ids and names stay on one line.
        self.lines = ['%%{init: {"flowchart": {"wrappingWidth": 320, "curve": "basis"}}}%%', "flowchart LR"]
        self.edges = []
        self.edge_styles = {}
        self.subgraphs = []
        self.classes = {}
        self.indent = "  "

    def node(self, node_id, shape, css, *text):
        opening, closing = SHAPES[shape]
        self.lines.append(f"{self.indent}{node_id}{opening}{label(*text)}{closing}")
        self.classes.setdefault(css, []).append(node_id)

    def edge(self, start, end, text="", style=""):
        """An arrow from start to end; style: one of EDGE_STYLES, so that a kind of edge has one colour."""
        self.edges.append(f"  {start} -- {label(text)} --> {end}" if text else f"  {start} --> {end}")
        if style:
            self.edge_styles.setdefault(style, []).append(len(self.edges) - 1)

    def link(self, start, end):
        """A dotted line without arrow: where a resource lives."""
        self.edges.append(f"  {start} -.- {end}")
        self.edge_styles.setdefault("place", []).append(len(self.edges) - 1)

    def open(self, node_id, *text):
        self.subgraphs.append(node_id)
        self.lines += [f"{self.indent}subgraph {node_id}[{label(*text)}]", f"{self.indent}  direction TB"]
        self.indent += "  "

    def close(self):
        self.indent = self.indent[:-2]
        self.lines.append(f"{self.indent}end")

    def text(self):
        classes = [f"  class {','.join(nodes)} {css}" for css, nodes in self.classes.items()]
        styles = [f"  linkStyle {','.join(map(str, edges))} {EDGE_STYLES[style]}" for style, edges in self.edge_styles.items()]
        frames = [f"  style {name} {SUBGRAPH_STYLES[name.rstrip('0123456789')]}" for name in self.subgraphs]
        return "\n".join([*self.lines, *self.edges, *CLASSES, *classes, *styles, *frames]) + "\n"


def diagram(document: dict, compliance: dict | None = None) -> str:
    """The Mermaid flowchart of the stack the outputs document describes (and the keys the compliance document
    found on each encrypted resource)."""
    services = document.get("services") or {}
    network, s3, iam = services.get("network") or {}, services.get("s3") or {}, services.get("iam") or {}
    rds, dynamodb, backup = services.get("rds") or {}, services.get("dynamodb") or {}, services.get("backup") or {}
    chart = _Chart()
    present = set()

    if network:
        chart.open("vpc", f"VPC {network.get('vpc_name', '')}", f"{network.get('vpc_id', '')} · {network.get('vpc_cidr', '')}")
        zones = list(zip(network.get("availability_zones") or [], network.get("subnet_ids") or [], network.get("subnet_cidrs") or []))
        for index, (zone, subnet, cidr) in enumerate(zones):
            chart.open(f"az{index}", zone)
            chart.node(f"subnet{index}", "box", "net", "private subnet", subnet, cidr)
            chart.close()
        endpoints = network.get("gateway_endpoint_ids") or []
        chart.node(
            "routing",
            "box",
            "net",
            f"route table {network.get('route_table_id', '')}",
            "no route to the internet",
            f"network ACL {network.get('nacl_id', '')}",
            f"default SG {network.get('default_security_group_id', '')}",
            "(no rules)",
            *(["gateway endpoints S3, DynamoDB", *endpoints] if endpoints else []),
        )
        if network.get("flow_log_group"):
            chart.node("flow_log", "box", "net", f"flow log {network.get('flow_log_id', '')}")
        chart.node("sg_db", "guard", "guard", "database security group", network.get("db_security_group_id", ""))
        if rds:
            present.add("db")
            chart.node(
                "db",
                "store",
                "data",
                f"RDS PostgreSQL {rds.get('instance_identifier', '')}",
                rds.get("resource_id", ""),
                f"port {rds.get('port', '')}",
                f"subnet group {rds.get('subnet_group_name', '')}",
                f"parameter group {rds.get('parameter_group_name', '')}",
            )
            chart.edge("sg_db", "db", "admits", "client")
            # The database lives in the private subnets (its subnet group).
            for index in range(len(zones)):
                chart.link(f"subnet{index}", "db")
        chart.close()
        port = network.get("db_port") or rds.get("port", "")
        sources = [*(network.get("db_ingress_cidrs") or []), *(network.get("db_ingress_security_group_ids") or [])]
        for index, source in enumerate(sources):
            chart.node(f"client{index}", "actor", "client", f"clients in {source}")
            chart.edge(f"client{index}", "sg_db", f"tcp {port}", "client")
        if network.get("flow_log_group"):
            present.add("log_group")
            chart.node("log_group", "store", "data", f"log group {network['flow_log_group']}")
            chart.edge("flow_log", "log_group", "VPC flow logs")

    if s3:
        present.add("bucket")
        chart.node("key", "guard", "guard", f"KMS key {s3.get('key_alias', '')}", key_id(s3.get("key_arn", "")))
        chart.node("bucket", "store", "data", f"S3 {s3.get('bucket_name', '')}", "versioned, private, TLS only")
        if s3.get("log_bucket_name"):
            chart.node("log_bucket", "store", "data", f"S3 {s3['log_bucket_name']}", "access logs")
            chart.edge("bucket", "log_bucket", "access logs")
    if rds.get("master_user_secret_arn"):
        present.add("secret")
        chart.node("secret", "store", "data", "master user secret", resource_tail(rds["master_user_secret_arn"]))
        chart.edge("db", "secret", "password, managed by RDS")
    if dynamodb:
        present.add("table")
        stream = resource_tail(dynamodb["stream_arn"]) if dynamodb.get("stream_arn") else ""
        chart.node("table", "store", "data", f"DynamoDB {dynamodb.get('table_name', '')}", f"stream {stream}" if stream else "")
    if backup:
        present.add("vault")
        chart.node("vault", "store", "data", f"backup vault {backup.get('vault_name', '')}", f"lock: {backup.get('vault_lock', 'none')}")
        chart.node(
            "plan",
            "box",
            "net",
            f"backup plan {backup.get('plan_name', '')}",
            resource_tail(backup.get("plan_arn", "")),
            f"selection {backup.get('selection_name', '')}, {backup.get('retention_days', '')} days",
        )
        chart.edge("plan", "vault", "recovery points")
        for node in sorted(present & {"db", "table"}):
            chart.edge("plan", node, "backs up")

    for node, parts in _key_edges(compliance, s3.get("key_arn", "")).items():
        if node in present:
            detail = ", ".join(p for p in parts if p)
            chart.edge("key", node, f"encrypts {detail}" if detail else "encrypts", "key")

    roles = []
    if iam.get("data_access_role_name"):
        roles.append(("role_data", iam["data_access_role_name"], resource_tail(iam.get("data_access_policy_arn", ""))))
    for node, arn in (
        ("role_monitoring", iam.get("monitoring_role_arn")),
        ("role_backup", iam.get("backup_role_arn") or backup.get("role_arn")),
        ("role_flowlogs", network.get("flow_logs_role_arn")),
    ):
        if arn:
            roles.append((node, resource_tail(arn), ""))
    if roles:
        chart.open("iam", "IAM roles")
        for node, name, policy in roles:
            chart.node(node, "actor", "role", name, f"policy {policy}" if policy else "")
        chart.close()
    grants = iam.get("data_access_grants") or {}
    if iam.get("data_access_role_name"):
        if "bucket" in present and grants.get("s3"):
            chart.edge("role_data", "bucket", f"{', '.join(grants['s3'])} under {grants.get('s3_prefix', '')}", "role")
        if "table" in present and grants.get("dynamodb"):
            chart.edge("role_data", "table", ", ".join(grants["dynamodb"]), "role")
        if "db" in present and grants.get("db_users"):
            chart.edge("role_data", "db", f"IAM auth as {', '.join(grants['db_users'])}", "role")
    if "db" in present and iam.get("monitoring_role_arn"):
        chart.edge("role_monitoring", "db", "enhanced monitoring", "role")
    if backup and (iam.get("backup_role_arn") or backup.get("role_arn")):
        chart.edge("role_backup", "plan", "runs the jobs", "role")
    if "log_group" in present and network.get("flow_logs_role_arn"):
        chart.edge("role_flowlogs", "log_group", "writes", "role")
    return chart.text()


def _cell(value) -> str:
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    elif isinstance(value, dict):
        value = "; ".join(f"{k}: {_cell(v)}" for k, v in sorted(value.items()))
    text = str(value).replace("|", "\\|")
    return f"`{text}`" if text else ""


def report(document: dict, compliance: dict | None = None) -> str:
    """The whole outputs/<environment>.md: title, diagram, compliance summary, outputs."""
    environment = document.get("environment", "")
    out = [
        f"# corp.infra stack: {environment}",
        "",
        f"Account {document.get('account_id', '')}, region {document.get('region', '')}"
        + (", production" if document.get("production") else "")
        + ". Written by the last run that converged the stack, from what it read and built.",
        "",
        "```mermaid",
        diagram(document, compliance).rstrip("\n"),
        "```",
        "",
        "Red: who may reach the database, on which port. Dashed orange: what the stack key encrypts (as the compliance "
        "report found it). Green: what each IAM role may do. Dotted grey: the subnets the database lives in.",
        "",
        "## Compliance",
        "",
    ]
    if compliance and compliance.get("results") is not None:
        summary = compliance.get("summary") or {}
        out.append(
            f"{summary.get('PASS', 0)} pass, {summary.get('FAIL', 0)} fail, {summary.get('WAIVED', 0)} waived "
            f"(AWS Security Hub foundational controls and corp.infra's own; every result in `{environment}-compliance.md`)."
        )
        shown = [r for r in compliance["results"] if r.get("status") != "PASS"]
        shown.sort(key=lambda r: (STATUS_ORDER.get(r.get("status"), 3), r.get("control", "")))
        if shown:
            out += ["", "| control | resource | status | reason |", "|---|---|---|---|"]
            for result in shown:
                reason = str(result.get("reason", "")).replace("|", "\\|")
                out.append(f"| {result.get('control')} | {_cell(result.get('resource', ''))} | {result.get('status')} | {reason} |")
    else:
        out.append("No compliance report in this run (check mode, or `--tags` without verify).")
    out += ["", "## Outputs", "", "| service | output | value |", "|---|---|---|"]
    for service, outputs in sorted((document.get("services") or {}).items()):
        for name, value in sorted((outputs or {}).items()):
            out.append(f"| {service} | {name} | {_cell(value)} |")
    return "\n".join(out) + "\n"
