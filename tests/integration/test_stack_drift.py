"""The whole stack on the emulator, in two environments that run side by side.

drifttest: check mode on an empty account predicts the first run and writes nothing; on the converged stack it
reports nothing and no gated module runs; out-of-band changes to rows of every kind of resource in six services are
reported by check mode, exactly (each role prints its comparison's rows), and repaired by one normal run, after which
check mode reports nothing. lifetest: with corp_skip_unchanged false every module runs and reports changed=0; the
environment is destroyed, converged again under the same name and destroyed again. Every run is the installed
collection's (corp.infra.site, corp.infra.verify, corp.infra.destroy from a built tarball, no checkout on the
collections path), in a directory of the test's own, where the outputs land by default."""

import json
import re

import pytest
import yaml

from ansible_collections.corp.infra.plugins.module_utils import stack_report
from tests import mermaid

from .conftest import ROOT
from .conftest import ansible_playbook
from .conftest import changed

ENVIRONMENT = "drifttest"
LIFE = "lifetest"
pytestmark = pytest.mark.slow(200)  # seconds, about, each


def test_check_mode_reports_exactly_the_drift_and_a_run_repairs_it(emulator, installed_collection, tmp_path):
    s3, ec2, dynamodb, iam, backup = (emulator.client(s) for s in ("s3", "ec2", "dynamodb", "iam", "backup"))
    # outputs/ in the directory ansible-playbook runs in: the default outputs_dir and verify_outputs_dir.
    outputs = tmp_path / "outputs"

    def run(*extra, playbook="corp.infra.site", check=True):
        args = ("-i", str(ROOT / "inventories" / "local"), "-e", f"corp_environment={ENVIRONMENT}")
        return ansible_playbook(emulator, playbook, *args, *extra, check=check, installed=installed_collection, cwd=tmp_path)

    predicted = run("--check", "--diff")
    assert changed(predicted) > 0 and not outputs.exists()
    assert f"corp-vpc-main-{ENVIRONMENT} does not exist yet" in predicted.stdout
    assert f'+    "environment": "{ENVIRONMENT}",' in predicted.stdout  # the outputs file's diff
    assert '"master_username": "corpadmin"' in predicted.stdout  # the database's diff
    assert not ec2.describe_vpcs(Filters=[{"Name": "tag:Environment", "Values": [ENVIRONMENT]}])["Vpcs"]

    assert changed(run()) > 0
    document = json.loads((outputs / f"{ENVIRONMENT}.json").read_text())
    assert document["account_id"] == "123456789012" and document["services"]["network"]["vpc_id"].startswith("vpc-")
    # The stack report beside it: its diagram parses (Mermaid's own parser) and names every resource the outputs do.
    report = (outputs / f"{ENVIRONMENT}.md").read_text()
    found = mermaid.parse(mermaid.diagram_of(report))
    shown = "\n".join([v["text"] for v in found["vertices"]] + [s["title"] for s in found["subgraphs"]])
    assert [name for name in stack_report.resources(document) if name not in shown] == []
    assert " pass, 0 fail, " in report and "| network | vpc_id |" in report
    clean = run("--check", "--diff")
    assert changed(clean) == 0
    # Every row of every table found in sync from one read: no gated module was called (a row the readers do not
    # supply, or compare differently from how they read it, would call its module here).
    assert not [task for task in gated_module_tasks() if ran(clean.stdout, task)]
    assert differences(clean.stdout) == {}
    # The scheduled compliance job, from the installed copy: the converge wrote its report already.
    assert changed(run(playbook="corp.infra.verify")) == 0
    assert json.loads((outputs / f"{ENVIRONMENT}-compliance.json").read_text())["environment"] == ENVIRONMENT
    collection = installed_collection.collection
    assert not (collection / "outputs").exists() and not (collection / "playbooks" / "outputs").exists()

    bucket, table = f"corp-s3-securedata-{ENVIRONMENT}", f"corp-dynamodb-main-{ENVIRONMENT}"
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
    (group,) = ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": [f"corp-sg-database-{ENVIRONMENT}"]}])["SecurityGroups"]
    ec2.authorize_security_group_ingress(
        GroupId=group["GroupId"], IpPermissions=[{"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]
    )
    dynamodb.update_continuous_backups(TableName=table, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": False})
    policy_arn = f"arn:aws:iam::123456789012:policy/corp-iam-dataaccess-{ENVIRONMENT}"
    policy = iam.get_policy(PolicyArn=policy_arn)["Policy"]
    document = iam.get_policy_version(PolicyArn=policy_arn, VersionId=policy["DefaultVersionId"])["PolicyVersion"]["Document"]
    document["Statement"].append({"Sid": "Widened", "Effect": "Allow", "Action": "s3:*", "Resource": "*"})
    iam.create_policy_version(PolicyArn=policy_arn, PolicyDocument=json.dumps(document), SetAsDefault=True)
    plan_name = f"corp-backup-data-{ENVIRONMENT}"
    (plan_id,) = [p["BackupPlanId"] for p in backup.list_backup_plans()["BackupPlansList"] if p["BackupPlanName"] == plan_name]
    plan = backup.get_backup_plan(BackupPlanId=plan_id)["BackupPlan"]
    rule = {k: v for k, v in plan["Rules"][0].items() if k != "RuleId"} | {"Lifecycle": {"DeleteAfterDays": 1}}
    backup.update_backup_plan(BackupPlanId=plan_id, BackupPlan={"BackupPlanName": plan_name, "Rules": [rule]})
    data_role = f"corp-iam-dataaccess-{ENVIRONMENT}"
    connect = iam.get_role_policy(RoleName=data_role, PolicyName="rds-db-connect")["PolicyDocument"]
    assert connect["Statement"][0]["Resource"] == [f"arn:aws:rds-db:us-east-1:123456789012:dbuser:{document_rds_id(outputs)}/app"]
    connect["Statement"][0]["Resource"] = [connect["Statement"][0]["Resource"][0].replace("/app", "/*")]
    iam.put_role_policy(RoleName=data_role, PolicyName="rds-db-connect", PolicyDocument=json.dumps(connect))
    # Rows of every other kind of resource, changed out of band (issue 19): check mode must print exactly these rows.
    logs, rds = emulator.client("logs"), emulator.client("rds")
    (vpc,) = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": [f"corp-vpc-main-{ENVIRONMENT}"]}])["Vpcs"]
    ec2.modify_vpc_attribute(VpcId=vpc["VpcId"], EnableDnsHostnames={"Value": False})
    subnet = min(ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])["Subnets"], key=lambda found: found["CidrBlock"])
    ec2.modify_subnet_attribute(SubnetId=subnet["SubnetId"], MapPublicIpOnLaunch={"Value": True})
    (route_table,) = ec2.describe_route_tables(Filters=[{"Name": "tag:Name", "Values": [f"corp-vpc-private-{ENVIRONMENT}"]}])["RouteTables"]
    (acl,) = ec2.describe_network_acls(Filters=[{"Name": "tag:Name", "Values": [f"corp-vpc-privateacl-{ENVIRONMENT}"]}])["NetworkAcls"]
    (endpoint,) = ec2.describe_vpc_endpoints(
        Filters=[{"Name": "service-name", "Values": ["com.amazonaws.us-east-1.s3"]}, {"Name": "vpc-id", "Values": [vpc["VpcId"]]}]
    )["VpcEndpoints"]
    owner = [{"Key": "Owner", "Value": "someone"}]
    ec2.create_tags(Resources=[subnet["SubnetId"], route_table["RouteTableId"], group["GroupId"], acl["NetworkAclId"], endpoint["VpcEndpointId"]], Tags=owner)
    ec2.authorize_security_group_egress(
        GroupId=group["GroupId"], IpPermissions=[{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]
    )
    ec2.create_network_acl_entry(
        NetworkAclId=acl["NetworkAclId"], RuleNumber=90, Protocol="6", RuleAction="allow", Egress=False, CidrBlock="0.0.0.0/0", PortRange={"From": 22, "To": 22}
    )
    full_access = {"Version": "2008-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}
    ec2.modify_vpc_endpoint(VpcEndpointId=endpoint["VpcEndpointId"], PolicyDocument=json.dumps(full_access))
    flow_log_group = f"corp-vpc-flowlogs-{ENVIRONMENT}"
    logs.put_retention_policy(logGroupName=flow_log_group, retentionInDays=1)
    logs.tag_log_group(logGroupName=flow_log_group, tags={"Owner": "someone"})
    iam.update_role(RoleName=f"corp-iam-flowlogs-{ENVIRONMENT}", Description="edited out of band")
    iam.update_role(RoleName=f"corp-iam-rdsmonitoring-{ENVIRONMENT}", Description="edited out of band")
    iam.tag_role(RoleName=data_role, Tags=owner)
    iam.attach_role_policy(RoleName=data_role, PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    iam.tag_policy(PolicyArn=policy_arn, Tags=owner)
    database = f"corp-rds-main-{ENVIRONMENT}"
    (subnet_group,) = rds.describe_db_subnet_groups(DBSubnetGroupName=database)["DBSubnetGroups"]
    rds.modify_db_subnet_group(
        DBSubnetGroupName=database,
        DBSubnetGroupDescription="edited out of band",
        SubnetIds=[found["SubnetIdentifier"] for found in subnet_group["Subnets"]],
    )
    rds.modify_db_parameter_group(
        DBParameterGroupName=database, Parameters=[{"ParameterName": "log_connections", "ParameterValue": "0", "ApplyMethod": "immediate"}]
    )
    rds.modify_db_instance(DBInstanceIdentifier=database, BackupRetentionPeriod=3, ApplyImmediately=True)
    dynamodb.update_table(TableName=table, DeletionProtectionEnabled=True)
    dynamodb.update_time_to_live(TableName=table, TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires"})
    vault_arn = backup.describe_backup_vault(BackupVaultName=plan_name)["BackupVaultArn"]
    plan_arn = backup.get_backup_plan(BackupPlanId=plan_id)["BackupPlanArn"]
    backup.tag_resource(ResourceArn=vault_arn, Tags={"Owner": "someone"})
    backup.tag_resource(ResourceArn=plan_arn, Tags={"Owner": "someone"})
    # The data bucket's other rows, the log bucket's lifecycle rule, the key's rows.
    s3.put_public_access_block(
        Bucket=bucket,
        PublicAccessBlockConfiguration={"BlockPublicAcls": False, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True},
    )
    s3.delete_bucket_policy(Bucket=bucket)
    bucket_tags = s3.get_bucket_tagging(Bucket=bucket)["TagSet"]
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [*bucket_tags, *owner]})
    s3.put_bucket_encryption(
        Bucket=bucket,
        ServerSideEncryptionConfiguration={"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": False}]},
    )
    s3.put_bucket_ownership_controls(Bucket=bucket, OwnershipControls={"Rules": [{"ObjectOwnership": "ObjectWriter"}]})
    s3.put_bucket_logging(Bucket=bucket, BucketLoggingStatus={})
    log_bucket = f"corp-s3-accesslogs-{ENVIRONMENT}"
    s3.delete_bucket_lifecycle(Bucket=log_bucket)
    kms = emulator.client("kms")
    key_id, key_arn = (kms.describe_key(KeyId=f"alias/corp-kms-data-{ENVIRONMENT}")["KeyMetadata"][field] for field in ("KeyId", "Arn"))
    kms.update_key_description(KeyId=key_id, Description="edited out of band")
    kms.disable_key_rotation(KeyId=key_id)
    kms.tag_resource(KeyId=key_id, Tags=[{"TagKey": "Owner", "TagValue": "someone"}])
    # The data role's trust and session length, the instance profile's role, the VPC's and the table's tags, more of the
    # database's settings.
    iam.update_role(RoleName=data_role, MaxSessionDuration=7200)
    trust = iam.get_role(RoleName=data_role)["Role"]["AssumeRolePolicyDocument"]
    trust["Statement"].append({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "sts:AssumeRole"})
    iam.update_assume_role_policy(RoleName=data_role, PolicyDocument=json.dumps(trust))
    iam.remove_role_from_instance_profile(InstanceProfileName=data_role, RoleName=data_role)
    ec2.create_tags(Resources=[vpc["VpcId"]], Tags=owner)
    table_arn = dynamodb.describe_table(TableName=table)["Table"]["TableArn"]
    dynamodb.tag_resource(ResourceArn=table_arn, Tags=owner)
    rds.modify_db_instance(
        DBInstanceIdentifier=database,
        CopyTagsToSnapshot=False,
        AutoMinorVersionUpgrade=False,
        DeletionProtection=True,
        PubliclyAccessible=True,
        EnableIAMDatabaseAuthentication=False,
        ApplyImmediately=True,
    )
    # The rest of the rows that can change out of band on AWS (a subnet's zone, a group's description, a vault's key
    # and a table's key schema cannot; the role refuses or replaces those, as unit tests show). Not the flow log
    # group's key: moto implements neither AssociateKmsKey nor DisassociateKmsKey.
    key_policy = json.loads(kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"])
    widened = {"Sid": "Widened", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}
    key_policy["Statement"].append(widened)
    kms.put_key_policy(KeyId=key_id, PolicyName="default", Policy=json.dumps(key_policy))
    kms.disable_key(KeyId=key_id)
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={})
    ec2.modify_vpc_attribute(VpcId=vpc["VpcId"], EnableDnsSupport={"Value": False})
    (association,) = [a for a in route_table["Associations"] if a.get("SubnetId") == subnet["SubnetId"]]
    ec2.disassociate_route_table(AssociationId=association["RouteTableAssociationId"])
    ec2.create_network_acl_entry(
        NetworkAclId=acl["NetworkAclId"], RuleNumber=90, Protocol="6", RuleAction="allow", Egress=True, CidrBlock="0.0.0.0/0", PortRange={"From": 22, "To": 22}
    )
    ec2.modify_vpc_endpoint(VpcEndpointId=endpoint["VpcEndpointId"], RemoveRouteTableIds=[route_table["RouteTableId"]])
    iam.tag_instance_profile(InstanceProfileName=data_role, Tags=owner)
    dynamodb.update_table(TableName=table, TableClass="STANDARD_INFREQUENT_ACCESS")

    drift = run("--check", "--diff")
    # Check mode prints each role's comparison: exactly the rows changed above, by their keys.
    s3_endpoint, cidr = "com.amazonaws.us-east-1.s3", subnet["CidrBlock"]
    assert differences(drift.stdout) == {
        "s3": {
            "data_bucket": "; ".join(
                [
                    "versioning is Suspended, would enable it",
                    "public access block BlockPublicAcls is off, would turn it on",
                    "no bucket policy, would set it",
                    "tags differ, would set them (and remove others)",
                    f"default encryption is AES256, would set aws:kms {key_arn}",
                    "S3 Bucket Key is off, would turn it on",
                    "object ownership is ObjectWriter, would set BucketOwnerEnforced",
                    f"access logging is off, would log to {log_bucket}/{bucket}/",
                ]
            ),
            "key": "; ".join(
                [
                    "the key is Disabled, would enable it",
                    "the description differs, would set it",
                    "automatic rotation is off, would turn it on",
                    "tags differ, would set them (and remove others)",
                    "the key policy differs, would replace it",
                ]
            ),
            "log_lifecycle": "rule expire-access-logs",
            "data_eventbridge": "EventBridge notifications",
        },
        "network": {
            "vpc": "dns_support, dns_hostnames, tags",
            "subnets": f"{cidr} map_public, {cidr} tags",
            "route_table": "tags, subnets",
            "db_security_group": "tags, ingress, egress",
            "log_group": "retention, tags",
            "role": "description",
            "endpoints": f"{s3_endpoint} route_table_ids, {s3_endpoint} tags",
            "endpoint_policies": f"{s3_endpoint} policy",
            "nacl": "ingress, egress, tags",
        },
        # The widened policy is a new default version: the old one is kept too.
        "iam": {
            "data_access_policy": "document; only_version; tags",
            "data_access_role": "tags; trust_policy; managed_policies; max_session_duration",
            "data_access_instance_profile": "role; tags",
            "monitoring_role": "description",
        },
        "rds": {
            "subnet_group": "description",
            "parameter_group": "parameters log_connections",
            "instance": "settings "
            + ", ".join(
                [
                    "AutoMinorVersionUpgrade",
                    "BackupRetentionPeriod",
                    "CopyTagsToSnapshot",
                    "DeletionProtection",
                    "EnableIAMDatabaseAuthentication",
                    "PubliclyAccessible",
                ]
            ),
        },
        "dynamodb": {"table": "deletion_protection, point_in_time_recovery, table_class, ttl_attribute_name, tags"},
        "backup": {"plan": "rules, tags", "vault": "tags"},
    }, json.dumps(differences(drift.stdout), indent=1)
    lines = drift.stdout.splitlines()
    reported = [next(t for t in reversed(lines[:i]) if t.startswith("TASK")) for i, line in enumerate(lines) if line.startswith("changed:")]
    # One task per drifted resource; the iam role shows its policy diff in a task of its own.
    assert [task.split(" : ")[1].split(" corp-")[0].rstrip(" *]") for task in reported] == [
        f"Bring the stack key to what it should be alias/corp-kms-data-{ENVIRONMENT}",
        "Send the data bucket's events to EventBridge, as s3_eventbridge says",
        "Report what a real run would change in the buckets and their lifecycle rules",
        "Create the VPC",
        "Create one private subnet per AZ, without public IPs",
        "Create the private route table, with local routes only and no way to the internet",
        "Put the private subnets behind their network ACL",
        "Create the database security group",
        "Report what a real run would change in the flow log group",
        "Create the role that delivers flow logs,",
        "Attach the gateway endpoints to the private route table",
        "Limit what passes the gateway endpoints to the stack's bucket and table",
        "Show how the data access policy document changes",
        "Create the data access policy",
        "Create the data access role",
        "Create the instance profile through which EC2 instances run as",
        "Create the RDS enhanced monitoring role",
        "Create the DB subnet group",
        "Set the parameter group",
        "Create or update the instance",
        "Create or update the table",
        "Create the vault",
        "Create or update the plan",
        "Let the data access role connect to the database as app",
    ]
    assert "versioning is Suspended, would enable it" in drift.stdout
    assert "0.0.0.0/0" in drift.stdout
    assert '-    "point_in_time_recovery": false' in drift.stdout
    assert '"Sid": "Widened"' in drift.stdout

    repaired = run()
    lines = repaired.stdout.splitlines()
    repairs = [next(t for t in reversed(lines[:i]) if t.startswith("TASK")) for i, line in enumerate(lines) if line.startswith("changed:")]
    # Every task check mode reported but the policy's diff (which shows, and changes nothing).
    # The s3 role's check is one report task; a run repairs the data bucket and the log bucket's lifecycle apart.
    assert changed(repaired) == 24, "\n".join(repairs)
    (rule,) = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rule["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key_arn} and rule["BucketKeyEnabled"]
    assert s3.get_bucket_logging(Bucket=bucket)["LoggingEnabled"]["TargetBucket"] == log_bucket
    assert kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"]
    assert [r["RoleName"] for r in iam.get_instance_profile(InstanceProfileName=data_role)["InstanceProfile"]["Roles"]] == [data_role]
    assert "Owner" not in {t["Key"] for t in dynamodb.list_tags_of_resource(ResourceArn=table_arn)["Tags"]}
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "Enabled"
    assert "EventBridgeConfiguration" in s3.get_bucket_notification_configuration(Bucket=bucket)
    (route_table,) = ec2.describe_route_tables(RouteTableIds=[route_table["RouteTableId"]])["RouteTables"]
    assert subnet["SubnetId"] in {a.get("SubnetId") for a in route_table["Associations"]}
    (instance,) = rds.describe_db_instances(DBInstanceIdentifier=database)["DBInstances"]
    assert not instance["PubliclyAccessible"] and instance["IAMDatabaseAuthenticationEnabled"] and not instance["DeletionProtection"]
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    (group,) = ec2.describe_security_groups(GroupIds=[group["GroupId"]])["SecurityGroups"]
    assert not [r for p in group["IpPermissions"] for r in p.get("IpRanges", []) if r["CidrIp"] == "0.0.0.0/0"]
    backups = dynamodb.describe_continuous_backups(TableName=table)["ContinuousBackupsDescription"]
    assert backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"
    policy = iam.get_policy(PolicyArn=policy_arn)["Policy"]
    document = iam.get_policy_version(PolicyArn=policy_arn, VersionId=policy["DefaultVersionId"])["PolicyVersion"]["Document"]
    assert "Widened" not in json.dumps(document)
    plan = backup.get_backup_plan(BackupPlanId=plan_id)["BackupPlan"]
    assert plan["Rules"][0]["Lifecycle"] == {"DeleteAfterDays": 35}
    connect = iam.get_role_policy(RoleName=data_role, PolicyName="rds-db-connect")["PolicyDocument"]
    assert connect["Statement"][0]["Resource"] == [f"arn:aws:rds-db:us-east-1:123456789012:dbuser:{document_rds_id(outputs)}/app"]
    assert changed(run("--check")) == 0


def test_an_environment_lives_twice_and_the_comparisons_agree_with_the_modules(emulator, installed_collection, tmp_path):
    """An environment of its own, so that it runs beside the test above on another worker."""
    s3, ec2, iam, backup, kms, rds = (emulator.client(s) for s in ("s3", "ec2", "iam", "backup", "kms", "rds"))
    outputs, environment = tmp_path / "outputs", LIFE

    def run(*extra, playbook="corp.infra.site", check=True):
        args = ("-i", str(ROOT / "inventories" / "local"), "-e", f"corp_environment={environment}")
        return ansible_playbook(emulator, playbook, *args, *extra, check=check, installed=installed_collection, cwd=tmp_path)

    assert changed(run()) > 0
    # The contract between the comparisons and the modules (issue 19): with corp_skip_unchanged false every role
    # calls every module its comparison would skip, and on the converged stack each one reports changed=0. A
    # comparison stricter than its module would show here as a change; one laxer than its module shows in the
    # drift test above, as a change check mode does not report.
    contract = run("-e", "corp_skip_unchanged=false", check=False)
    assert changed(contract) == 0, "\n".join(changed_tasks(contract.stdout))
    assert not [task for task in gated_module_tasks() if not ran(contract.stdout, task)]

    # A short-lived environment lives more than once under the same name (issue 21): converge, destroy, converge,
    # destroy. The first teardown lets the stack key go (pending deletion, its alias still on it).
    plan_name = f"corp-backup-data-{environment}"
    key_arn = kms.describe_key(KeyId=f"alias/corp-kms-data-{environment}")["KeyMetadata"]["Arn"]
    destroy = ("-e", f"corp_destroy_confirmation={environment}", "-e", "s3_force_destroy=true")
    assert run(*destroy, "-e", "s3_key_keep_for_snapshots=false", playbook="corp.infra.destroy").returncode == 0
    assert plan_name not in [p["BackupPlanName"] for p in backup.list_backup_plans()["BackupPlansList"]]
    assert plan_name not in [v["BackupVaultName"] for v in backup.list_backup_vaults()["BackupVaultList"]]
    assert kms.describe_key(KeyId=key_arn)["KeyMetadata"]["KeyState"] == "PendingDeletion"
    first = final_snapshots(rds, environment)
    assert len(first) == 1 and destroyed_record(outputs, environment)["final_snapshot"] == first[0]

    # The second converge restores the key the alias names rather than adopting it pending deletion or making another.
    assert changed(run()) > 0
    assert kms.describe_key(KeyId=f"alias/corp-kms-data-{environment}")["KeyMetadata"]["Arn"] == key_arn
    assert kms.describe_key(KeyId=key_arn)["KeyMetadata"]["KeyState"] == "Enabled"

    # The second teardown keeps a final snapshot of its own: a fixed name would stop it at the database.
    assert run(*destroy, playbook="corp.infra.destroy").returncode == 0
    second = final_snapshots(rds, environment)
    assert len(second) == 2 and first[0] in second and destroyed_record(outputs, environment)["final_snapshot"] == max(second)
    assert changed(run(*destroy, playbook="corp.infra.destroy")) == 0
    assert destroyed_record(outputs, environment)["final_snapshot"] == max(second)
    assert not [p.name for p in outputs.iterdir() if p.name != f"{environment}-destroyed.json"]
    # Nothing of the environment is left but its final snapshots and the key they are encrypted with.
    tagged = emulator.client("resourcegroupstaggingapi").get_resources(TagFilters=[{"Key": "Environment", "Values": [environment]}])
    assert [r["ResourceARN"] for r in tagged["ResourceTagMappingList"] if ":snapshot:" not in r["ResourceARN"]] == [key_arn]
    assert not ec2.describe_vpcs(Filters=[{"Name": "tag:Environment", "Values": [environment]}])["Vpcs"]
    assert not [b for b in s3.list_buckets()["Buckets"] if b["Name"].endswith(f"-{environment}")]
    assert not [r for r in iam.list_roles()["Roles"] if r["RoleName"].endswith(f"-{environment}")]


def gated_module_tasks() -> list[tuple[str, str]]:
    """(role, the start of the task's name) of every module task a role runs only when its comparison finds drift."""

    def tasks(items):
        for task in items or []:
            for key in ("block", "rescue", "always"):
                yield from tasks(task.get(key))
            yield task

    found = []
    for path in sorted(ROOT.glob("roles/*/tasks/*.yml")):
        for task in tasks(yaml.safe_load(path.read_text())):
            when = " ".join(map(str, task["when"])) if isinstance(task.get("when"), list) else str(task.get("when", ""))
            module = next((key for key in task if "." in key and not key.startswith("ansible.builtin.")), None)
            # document_diff shows a policy's diff in check and diff mode only; it changes nothing.
            if module and module != "corp.infra.document_diff" and "_drift" in when:
                found.append((path.parts[-3], task["name"].split("{{")[0].strip()))
    assert len(found) >= 30, found
    # Gated through a variable derived from the drift (__rds_instance_called) or an include's condition (key.yml).
    return [*found, ("rds", "Create or update the instance"), ("s3", "Bring the stack key to what it should be")]


def differences(stdout: str) -> dict[str, dict]:
    """Role -> what its "Show what differs" task printed (check mode prints it when something differs)."""
    found = {}
    for role, name, block in task_blocks(stdout):
        if name == "Show what differs" and "=> {" in block:
            (value,) = json.loads(block[block.index("=> {") + 3 : block.rindex("}") + 1]).values()
            found[role] = value
    return found


def task_blocks(stdout: str) -> list[tuple[str, str, str]]:
    """(role, task name, the task's output) for each task ansible-playbook printed."""
    blocks = re.split(r"^(?=TASK \[)", stdout, flags=re.M)
    named = [(re.match(r"TASK \[corp\.infra\.(\w+) : (.+?)\] \*", block), block) for block in blocks]
    return [(match.group(1), match.group(2), block) for match, block in named if match]


def ran(stdout: str, task: tuple[str, str]) -> bool:
    role, start = task
    return any(r == role and name.startswith(start) and re.search(r"^(ok|changed):", block, re.M) for r, name, block in task_blocks(stdout))


def changed_tasks(stdout: str) -> list[str]:
    return [f"{role}: {name}" for role, name, block in task_blocks(stdout) if re.search(r"^changed:", block, re.M)]


def final_snapshots(rds, environment: str) -> list[str]:
    """The environment's final snapshots, oldest first (their names end in the UTC time of their teardown)."""
    names = [s["DBSnapshotIdentifier"] for s in rds.describe_db_snapshots(SnapshotType="manual")["DBSnapshots"]]
    found = sorted(n for n in names if re.fullmatch(rf"corp-rds-main-{environment}-final-\d{{14}}", n))
    assert len(found) == len([n for n in names if f"-{environment}-" in n]), names
    return found


def destroyed_record(outputs, environment: str) -> dict:
    return json.loads((outputs / f"{environment}-destroyed.json").read_text())


def document_rds_id(outputs) -> str:
    """The database's resource id the outputs file publishes."""
    return json.loads((outputs / f"{ENVIRONMENT}.json").read_text())["services"]["rds"]["resource_id"]
