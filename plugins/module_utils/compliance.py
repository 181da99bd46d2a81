# Copyright: corp.infra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""AWS Security Hub Foundational Security Best Practices (FSBP) controls over the stack's live state.

Plain values in, plain values out (unit tested without AWS): ``evaluate(state, waivers)`` takes what the
describe calls returned for the stack's resources and gives one result per control and resource - the control
id, the resource, PASS / FAIL / WAIVED, and a one-line reason. Control ids and wording follow the Security Hub
controls reference (https://docs.aws.amazon.com/securityhub/latest/userguide/securityhub-controls-reference.html).
"""

from __future__ import annotations

import json
from typing import Any

from ansible_collections.corp.infra.plugins.module_utils.backup import selection_covers

PASS, FAIL, WAIVED = "PASS", "FAIL", "WAIVED"
_BLOCK_FLAGS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")


def _result(control: str, resource: str, ok: bool, passed: str, failed: str) -> dict[str, str]:
    return {"control": control, "resource": resource, "status": PASS if ok else FAIL, "reason": passed if ok else failed}


def _statements(policy: Any) -> list[dict[str, Any]]:
    if isinstance(policy, str):
        policy = json.loads(policy) if policy else {}
    statements = (policy or {}).get("Statement", [])
    return statements if isinstance(statements, list) else [statements]


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _public_principal(principal: Any) -> bool:
    if principal == "*":
        return True
    return isinstance(principal, dict) and any("*" in _listed(v) for v in principal.values())


def _public_allows(policy: Any, verbs: tuple[str, ...]) -> list[str]:
    """Actions an unconditioned Allow to everyone grants, among those starting with ``verbs`` (or wildcards)."""
    granted = []
    for statement in _statements(policy):
        if statement.get("Effect") != "Allow" or not _public_principal(statement.get("Principal")) or statement.get("Condition"):
            continue
        for action in _listed(statement.get("Action", [])):
            name = str(action).rsplit(":", maxsplit=1)[-1]
            if name == "*" or name.startswith(verbs):
                granted.append(str(action))
    return granted


def _denies_insecure_transport(policy: Any) -> bool:
    for statement in _statements(policy):
        condition = statement.get("Condition") or {}
        secure = {k.lower(): v for k, v in (condition.get("Bool") or {}).items()}.get("aws:securetransport")
        if statement.get("Effect") == "Deny" and _public_principal(statement.get("Principal")) and str(secure).lower() == "false":
            return True
    return False


def _s3(state: dict[str, Any]) -> list[dict[str, str]]:
    results = []
    account_block = state.get("account_public_access_block") or {}
    missing = [f for f in _BLOCK_FLAGS if not account_block.get(f)]
    results.append(
        _result("S3.1", "account", not missing, "account-level Block Public Access is on", f"account-level Block Public Access is off: {', '.join(missing)}")
    )
    for name, bucket in sorted((state.get("buckets") or {}).items()):
        if bucket is None:
            results.append(_result("S3.8", name, False, "", "bucket not found"))
            continue
        flags = bucket.get("public_access_block") or {}
        off = [f for f in _BLOCK_FLAGS if not flags.get(f)]
        ownership = bucket.get("ownership")
        reads = _public_allows(bucket.get("policy"), ("Get", "List"))
        writes = _public_allows(bucket.get("policy"), ("Put", "Delete", "Restore", "Abort"))
        results += [
            _result(
                "S3.2",
                name,
                not reads and not off,
                "no public read: Block Public Access on and no public Allow",
                f"public read possible: {', '.join(reads or off)}",
            ),
            _result(
                "S3.3",
                name,
                not writes and not off,
                "no public write: Block Public Access on and no public Allow",
                f"public write possible: {', '.join(writes or off)}",
            ),
            _result(
                "S3.5",
                name,
                _denies_insecure_transport(bucket.get("policy")),
                "the policy denies requests without TLS",
                "no Deny for aws:SecureTransport false",
            ),
            _result("S3.8", name, not off, "all four Block Public Access flags on", f"Block Public Access off: {', '.join(off)}"),
            _result(
                "S3.12",
                name,
                ownership == "BucketOwnerEnforced",
                "ACLs disabled (BucketOwnerEnforced)",
                f"object ownership is {ownership or 'unset'}: ACLs still apply",
            ),
            _result(
                "S3.14",
                name,
                bucket.get("versioning") == "Enabled",
                "versioning enabled",
                f"versioning is {bucket.get('versioning') or 'never enabled'}",
            ),
        ]
        if bucket.get("role") == "data":
            algorithm = ((bucket.get("encryption") or {}).get("ApplyServerSideEncryptionByDefault") or {}).get("SSEAlgorithm")
            results += [
                _result("S3.9", name, bool(bucket.get("logging")), "server access logging on", "server access logging off"),
                _result("S3.13", name, bool(bucket.get("lifecycle")), "lifecycle rules configured", "no lifecycle rules"),
                _result(
                    "S3.17", name, algorithm in ("aws:kms", "aws:kms:dsse"), "encrypted with KMS", f"default encryption is {algorithm or 'unset'}, not KMS"
                ),
            ]
            if "notifications" in bucket:
                destinations = bucket.get("notifications") or []
                results.append(
                    _result(
                        "S3.11",
                        name,
                        bool(destinations),
                        f"event notifications to {', '.join(d.replace('Configurations', '').replace('Configuration', '') for d in destinations)}",
                        "no event notifications",
                    )
                )
    return results


def _kms(keys: dict[str, Any]) -> list[dict[str, str]]:
    return [
        _result("KMS.4", arn, bool(key and key.get("rotation")), "automatic key rotation on", "key not found" if key is None else "automatic key rotation off")
        for arn, key in sorted(keys.items())
    ]


# RDS.23 ("RDS instances should not use a database engine default port").
ENGINE_DEFAULT_PORTS = {"postgres": 5432, "mysql": 3306, "mariadb": 3306}
# The certificate authorities RDS rotates server certificates with today ("Using SSL/TLS to encrypt a connection to
# a DB instance", Certificate authorities); rds-ca-2019 expired in August 2024.
CURRENT_RDS_CAS = ("rds-ca-rsa2048-g1", "rds-ca-rsa4096-g1", "rds-ca-ecc384-g1")


def _rds(instances: dict[str, Any]) -> list[dict[str, str]]:
    results = []
    for name, db in sorted(instances.items()):
        if db is None:
            results.append(_result("RDS.3", name, False, "", "DB instance not found"))
            continue
        exports = db.get("EnabledCloudwatchLogsExports") or []
        port = (db.get("Endpoint") or {}).get("Port") or db.get("DbInstancePort")
        retention = db.get("BackupRetentionPeriod") or 0
        results += [
            _result("RDS.2", name, not db.get("PubliclyAccessible"), "not publicly accessible", "publicly accessible"),
            _result("RDS.3", name, bool(db.get("StorageEncrypted")), "storage encrypted", "storage not encrypted"),
            _result("RDS.5", name, bool(db.get("MultiAZ")), "multi-AZ", "single-AZ"),
            _result(
                "RDS.6",
                name,
                (db.get("MonitoringInterval") or 0) > 0 and bool(db.get("MonitoringRoleArn")),
                f"enhanced monitoring every {db.get('MonitoringInterval')} s",
                "enhanced monitoring off",
            ),
            _result("RDS.8", name, bool(db.get("DeletionProtection")), "deletion protection on", "deletion protection off"),
            _result("RDS.9", name, "postgresql" in exports, "PostgreSQL logs exported to CloudWatch Logs", f"log exports are {exports or 'off'}"),
            _result("RDS.10", name, bool(db.get("IAMDatabaseAuthenticationEnabled")), "IAM authentication on", "IAM authentication off"),
            _result("RDS.11", name, retention >= 7, f"automated backups kept {retention} days", f"automated backups kept {retention} days, fewer than 7"),
            _result("RDS.13", name, bool(db.get("AutoMinorVersionUpgrade")), "automatic minor upgrades on", "automatic minor upgrades off"),
            _result("RDS.17", name, bool(db.get("CopyTagsToSnapshot")), "tags copied to snapshots", "tags not copied to snapshots"),
            _result(
                "RDS.23",
                name,
                port not in (None, ENGINE_DEFAULT_PORTS.get(db.get("Engine"))),
                f"listens on port {port}",
                f"listens on the engine's default port {port}",
            ),
            _result(
                "CORP.RDS.CA",
                name,
                db.get("CACertificateIdentifier") in CURRENT_RDS_CAS,
                f"server certificate from {db.get('CACertificateIdentifier')}",
                f"server certificate from {db.get('CACertificateIdentifier')}, not one of {', '.join(CURRENT_RDS_CAS)}",
            ),
        ]
    return results


def _secrets(secrets: dict[str, Any]) -> list[dict[str, str]]:
    return [
        _result(
            "SecretsManager.1",
            arn,
            bool(secret and secret.get("RotationEnabled")),
            "automatic rotation on",
            "secret not found" if secret is None else "rotation off",
        )
        for arn, secret in sorted(secrets.items())
    ]


def _dynamodb(tables: dict[str, Any]) -> list[dict[str, str]]:
    results = []
    for name, table in sorted(tables.items()):
        if table is None:
            results.append(_result("DynamoDB.2", name, False, "", "table not found"))
            continue
        on_demand = table.get("billing_mode") == "PAY_PER_REQUEST"
        results += [
            _result(
                "DynamoDB.1", name, on_demand or bool(table.get("autoscaling")), "capacity scales with demand", "provisioned capacity without auto scaling"
            ),
            _result("DynamoDB.2", name, table.get("pitr") == "ENABLED", "point-in-time recovery on", "point-in-time recovery off"),
            _result("DynamoDB.6", name, bool(table.get("deletion_protection")), "deletion protection on", "deletion protection off"),
        ]
    return results


def _admin_ports_open(acl: dict[str, Any]) -> list[str]:
    """The SSH / RDP ports a network ACL's ingress allows from anywhere (EC2.21), honouring rule order."""
    open_ports = []
    for port, label in ((22, "port 22"), (3389, "port 3389")):
        for entry in sorted((e for e in acl.get("Entries") or [] if not e.get("Egress")), key=lambda e: e.get("RuleNumber", 0)):
            if (entry.get("CidrBlock") or entry.get("Ipv6CidrBlock")) not in ("0.0.0.0/0", "::/0"):
                continue
            ports = entry.get("PortRange") or {}
            if str(entry.get("Protocol")) == "-1" or (str(entry.get("Protocol")) == "6" and ports.get("From", 0) <= port <= ports.get("To", 65535)):
                if entry.get("RuleAction") == "allow":
                    open_ports.append(label)
                break
    return open_ports


def _ec2(vpcs: dict[str, Any]) -> list[dict[str, str]]:
    results = []
    for name, vpc in sorted(vpcs.items()):
        if vpc is None:
            results.append(_result("EC2.6", name, False, "", "VPC not found"))
            continue
        group = vpc.get("default_security_group") or {}
        rules = len(group.get("IpPermissions") or []) + len(group.get("IpPermissionsEgress") or [])
        results += [
            _result("EC2.2", f"{name} default security group", rules == 0, "no inbound or outbound rules", f"{rules} rule(s)"),
            _result("EC2.6", name, bool(vpc.get("flow_logs")), "flow logs delivering", "no flow log"),
        ]
        for acl in vpc.get("network_acls") or []:
            # EC2.21 does not judge a VPC's default network ACL.
            if acl.get("IsDefault"):
                continue
            open_ports = _admin_ports_open(acl)
            results.append(
                _result(
                    "EC2.21",
                    acl.get("NetworkAclId", "?"),
                    not open_ports,
                    "no ingress from 0.0.0.0/0 or ::/0 to port 22 or 3389",
                    f"admits {', '.join(open_ports)} from anywhere",
                )
            )
    return results


def _iam(policies: dict[str, Any]) -> list[dict[str, str]]:
    results = []
    for arn, document in sorted(policies.items()):
        if document is None:
            results.append(_result("IAM.1", arn, False, "", "policy not found"))
            continue
        admin, service_wildcards = False, []
        for statement in _statements(document):
            if statement.get("Effect") != "Allow":
                continue
            actions = [str(a) for a in _listed(statement.get("Action", []))]
            resources = [str(r) for r in _listed(statement.get("Resource", []))]
            admin |= "*" in actions and "*" in resources
            service_wildcards += [a for a in actions if a.endswith(":*")]
        results += [
            _result("IAM.1", arn, not admin, 'no "Action": "*" on "Resource": "*"', "grants full administrative privileges"),
            _result("IAM.21", arn, not service_wildcards, "no service-wide wildcard actions", f"wildcard actions: {', '.join(sorted(set(service_wildcards)))}"),
        ]
    return results


# corp.infra's own controls (no Security Hub control checks which key a resource uses): every encrypted resource
# of the stack uses a customer-managed key, the stack key or one the user named. One id per service, so that an
# AWS-managed key chosen for one service (e.g. rds_use_stack_key: false) is waived for that service only.
STACK_KEY_CONTROLS = {
    "s3": "CORP.KMS.S3",
    "dynamodb": "CORP.KMS.DynamoDB",
    "rds": "CORP.KMS.RDS",
    "pi": "CORP.KMS.PerformanceInsights",
    "secret": "CORP.KMS.SecretsManager",
    "logs": "CORP.KMS.Logs",
    "backup": "CORP.KMS.Backup",
}


def _key_id(arn: Any) -> str:
    """The key id of a key ARN or id, for comparing how services name one key."""
    return str(arn or "").rsplit("/", maxsplit=1)[-1]


def _stack_keys(state: dict[str, Any]) -> list[dict[str, str]]:
    """Each encrypted resource's key against the customer-managed keys the stack uses (state["stack_keys"])."""
    wanted = {_key_id(k) for k in state.get("stack_keys") or [] if k}
    if not wanted:
        return []
    used: list[tuple[str, str, Any]] = []
    for name, bucket in sorted(((state.get("s3") or {}).get("buckets") or {}).items()):
        if bucket and bucket.get("role") == "data":
            default = (bucket.get("encryption") or {}).get("ApplyServerSideEncryptionByDefault") or {}
            used.append(("s3", name, default.get("KMSMasterKeyID")))
    for name, table in sorted((state.get("dynamodb") or {}).items()):
        if table:
            used.append(("dynamodb", name, table.get("kms_key_arn")))
    for name, db in sorted((state.get("rds") or {}).items()):
        if db:
            used.append(("rds", f"{name} storage", db.get("KmsKeyId")))
            if db.get("PerformanceInsightsEnabled"):
                used.append(("pi", f"{name} Performance Insights", db.get("PerformanceInsightsKMSKeyId")))
            secret = db.get("MasterUserSecret") or {}
            if secret.get("SecretArn"):
                used.append(("secret", secret["SecretArn"], secret.get("KmsKeyId")))
    for name, vault in sorted(((state.get("backup") or {}).get("vaults") or {}).items()):
        if vault:
            used.append(("backup", f"vault {name}", vault.get("EncryptionKeyArn")))
    results = []
    for name, group in sorted((state.get("logs") or {}).items()):
        if group is None:
            results.append(_result(STACK_KEY_CONTROLS["logs"], name, False, "", "log group not found"))
        else:
            used.append(("logs", name, group.get("kmsKeyId")))
    return results + [
        _result(
            STACK_KEY_CONTROLS[service],
            resource,
            _key_id(key) in wanted,
            f"encrypted with the customer-managed key {key}",
            f"encrypted with {key}, not the stack's customer-managed key" if key else "not encrypted with a customer-managed key",
        )
        for service, resource, key in used
    ]


def _tag_dict(tags: Any) -> dict[str, str]:
    if isinstance(tags, dict):
        return {str(k): str(v) for k, v in tags.items()}
    return {str(t.get("Key")): str(t.get("Value")) for t in tags or []}


def _backup(state: dict[str, Any]) -> list[dict[str, str]]:
    """RDS.26 and DynamoDB.4 (the resource is in a backup plan: one of the plans' selections assigns it, by the AWS
    Backup selection rules, to a plan whose rule targets a vault), and CORP.Backup.Lock (the vault's retention is
    locked, AWS Backup Vault Lock)."""
    backup = state.get("backup")
    if backup is None:
        return []
    results = []
    for name, vault in sorted((backup.get("vaults") or {}).items()):
        if vault is None:
            results.append(_result("CORP.Backup.Lock", name, False, "", "vault not found"))
            continue
        mode = "compliance" if vault.get("LockDate") else "governance"
        results.append(
            _result(
                "CORP.Backup.Lock",
                name,
                bool(vault.get("Locked")),
                f"retention locked to {vault.get('MinRetentionDays')}-{vault.get('MaxRetentionDays')} days ({mode} mode)",
                "vault not locked",
            )
        )
    assignments = []
    for plan_name, plan in sorted((backup.get("plans") or {}).items()):
        rules = ((plan or {}).get("BackupPlan") or {}).get("Rules") or []
        if not any(rule.get("TargetBackupVaultName") for rule in rules):
            continue
        assignments += [(plan_name, selection) for selection in (plan or {}).get("Selections") or []]

    def covered(control: str, name: str, arn: str | None, tags: Any) -> dict[str, str]:
        plans = sorted({plan for plan, selection in assignments if arn and selection_covers(selection, arn, _tag_dict(tags))})
        return _result(control, name, bool(plans), f"backed up by plan {', '.join(plans)}", "in no backup plan")

    for name, db in sorted((state.get("rds") or {}).items()):
        if db:
            results.append(covered("RDS.26", name, db.get("DBInstanceArn"), db.get("TagList")))
    for name, table in sorted((state.get("dynamodb") or {}).items()):
        if table:
            results.append(covered("DynamoDB.4", name, table.get("arn"), table.get("tags")))
    return results


def evaluate(state: dict[str, Any], waivers: dict[str, str] | None = None) -> list[dict[str, str]]:
    """One result per control and resource; a FAIL whose control id is in ``waivers`` becomes WAIVED with that reason."""
    results = (
        _s3(state.get("s3") or {})
        + _kms(state.get("kms") or {})
        + _rds(state.get("rds") or {})
        + _secrets(state.get("secrets") or {})
        + _dynamodb(state.get("dynamodb") or {})
        + _ec2(state.get("ec2") or {})
        + _iam(state.get("iam") or {})
        + _backup(state)
        + _stack_keys(state)
    )
    for result in results:
        if result["status"] == FAIL and result["control"] in (waivers or {}):
            result["status"], result["reason"] = WAIVED, f"{result['reason']} (waived: {waivers[result['control']]})"
    return results


def summary(results: list[dict[str, str]]) -> dict[str, int]:
    return {status: sum(1 for r in results if r["status"] == status) for status in (PASS, FAIL, WAIVED)}


def summary_lines(results: list[dict[str, str]]) -> list[str]:
    """A short table: pass / fail / waived per service, then one line per result that did not pass."""
    services: dict[str, dict[str, int]] = {}
    for result in results:
        counts = services.setdefault(result["control"].split(".")[0], {PASS: 0, FAIL: 0, WAIVED: 0})
        counts[result["status"]] += 1
    lines = [f"{'service':<16} {'pass':>4} {'fail':>4} {'waived':>6}"]
    lines += [f"{name:<16} {c[PASS]:>4} {c[FAIL]:>4} {c[WAIVED]:>6}" for name, c in sorted(services.items())]
    lines += [f"{r['status']} {r['control']} {r['resource']}: {r['reason']}" for r in results if r["status"] != PASS]
    return lines
