#!/usr/bin/python
# Copyright: corp.infra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: rds_instance
short_description: An RDS DB instance whose master password RDS manages from the first call
version_added: 1.0.0
description:
  - Creates an RDS DB instance with C(ManageMasterUserPassword), so the master password is generated and
    rotated by RDS in Secrets Manager and never passes through Ansible. M(amazon.aws.rds_instance) has no such
    option and requires O(amazon.aws.rds_instance#module:master_user_password) to create an instance.
  - Modifies an existing instance in place with ModifyDBInstance, applying changes immediately or in the
    maintenance window (O(apply_immediately)); pending changes count as made. An instance created with a
    password is switched to an RDS-managed one.
  - Options left unset are not managed. Settings RDS fixes at creation (engine, master user name, storage
    encryption and its key, subnet group) are compared, and a difference is an error rather than a replacement.
  - Deletes with a final snapshot unless told otherwise, and refuses while deletion protection is on unless
    O(disable_deletion_protection=true).
  - Never returns a password; the master secret is returned by ARN.
author:
  - Corp Platform Team (@corp-platform)
options:
  db_instance_identifier:
    description: The instance identifier.
    type: str
    required: true
    aliases: [id]
  state:
    description: Whether the instance exists.
    type: str
    choices: [present, absent]
    default: present
  engine:
    description: The engine (required to create).
    type: str
  engine_version:
    description:
      - The engine version (required to create). A lower minor version than the instance runs (for example after
        an automatic minor upgrade) is in sync; a new major version is upgraded with C(AllowMajorVersionUpgrade).
    type: str
  db_instance_class:
    description: The instance class (required to create).
    type: str
  master_username:
    description: The master user name (required to create). Its password is RDS-managed.
    type: str
  master_user_secret_kms_key_id:
    description: The KMS key ARN that encrypts the master user secret; unset, Secrets Manager's AWS-managed key.
    type: str
  db_name:
    description: The database created with the instance.
    type: str
  allocated_storage:
    description: Storage in GiB (required to create). Never shrunk; a larger size grown by storage autoscaling is in sync.
    type: int
  max_allocated_storage:
    description: The storage autoscaling ceiling in GiB.
    type: int
  storage_type:
    description: The storage type.
    type: str
    choices: [gp2, gp3, io1, io2, standard]
  iops:
    description: Provisioned IOPS (io1, io2, or gp3 above its baseline).
    type: int
  storage_throughput:
    description: gp3 storage throughput in MiB/s above its baseline.
    type: int
  storage_encrypted:
    description: Encrypt the storage.
    type: bool
  kms_key_id:
    description: The KMS key ARN for storage encryption; unset, the AWS-managed key C(aws/rds).
    type: str
  multi_az:
    description: Keep a synchronous standby in another availability zone.
    type: bool
  publicly_accessible:
    description: Whether the instance has a public address.
    type: bool
  db_subnet_group_name:
    description: The DB subnet group.
    type: str
  vpc_security_group_ids:
    description: The security groups.
    type: list
    elements: str
  db_parameter_group_name:
    description: The DB parameter group.
    type: str
  port:
    description: The port the database listens on.
    type: int
  ca_certificate_identifier:
    description:
      - The certificate authority of the instance's server certificate, for example C(rds-ca-rsa2048-g1).
      - Compared with C(CACertificateIdentifier) on every run and changed with ModifyDBInstance (applied as
        O(apply_immediately) says; held until the maintenance window otherwise, as C(PendingModifiedValues) shows).
    type: str
  monitoring_interval:
    description: Enhanced monitoring interval in seconds (0 turns it off).
    type: int
    choices: [0, 1, 5, 10, 15, 30, 60]
  monitoring_role_arn:
    description: The role enhanced monitoring uses to publish to CloudWatch Logs.
    type: str
  enable_performance_insights:
    description: Turn Performance Insights on.
    type: bool
  performance_insights_retention_period:
    description: Days Performance Insights data is kept (7, or 31 times a number of months up to 731).
    type: int
  performance_insights_kms_key_id:
    description: The KMS key ARN for Performance Insights data.
    type: str
  enable_cloudwatch_logs_exports:
    description: Log types exported to CloudWatch Logs.
    type: list
    elements: str
  deletion_protection:
    description: Refuse DeleteDBInstance.
    type: bool
  backup_retention_period:
    description: Days automated backups are kept.
    type: int
  preferred_backup_window:
    description: The daily backup window (hh24:mi-hh24:mi, UTC).
    type: str
  preferred_maintenance_window:
    description: The weekly maintenance window (ddd:hh24:mi-ddd:hh24:mi, UTC).
    type: str
  copy_tags_to_snapshot:
    description: Copy the instance's tags to its snapshots.
    type: bool
  auto_minor_version_upgrade:
    description: Apply minor engine upgrades in the maintenance window.
    type: bool
  enable_iam_database_authentication:
    description: Allow IAM database authentication.
    type: bool
  apply_immediately:
    description:
      - Apply modifications now rather than in the next maintenance window.
      - Changes RDS holds for the window are returned in RV(pending_modified_values).
    type: bool
    default: false
  reboot_for_pending_parameters:
    description:
      - Reboot the instance when its parameter group has static parameter changes waiting for a reboot.
      - Off, they are reported in RV(parameter_apply_status) and left for the user's next reboot.
    type: bool
    default: false
  final_snapshot_identifier:
    description:
      - The snapshot O(state=absent) takes before deleting. Required unless O(skip_final_snapshot=true).
      - If a snapshot of that name already exists the module fails before deleting anything.
    type: str
  skip_final_snapshot:
    description: Delete without a final snapshot.
    type: bool
    default: false
  disable_deletion_protection:
    description: Let O(state=absent) turn deletion protection off first; without it a protected instance is not deleted.
    type: bool
    default: false
  wait:
    description:
      - Wait until the instance is available (or deleted), with the boto3 waiter.
      - Without it the module returns once RDS has accepted the request, so a long multi-AZ creation can run while
        other work proceeds; call it again with O(wait=true) to wait.
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait before failing.
    type: int
    default: 2400
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
attributes:
  check_mode:
    support: full
    description: Reports what it would create, change or delete.
  diff_mode:
    support: full
    description: The managed settings before and after (never a password).
  platform:
    support: full
    platforms: aws
    description: Talks to the RDS API.
notes:
  - "IAM actions: C(rds:DescribeDBInstances), C(rds:CreateDBInstance), C(rds:ModifyDBInstance), C(rds:RebootDBInstance),
    C(rds:DeleteDBInstance), C(rds:DescribeDBSnapshots), C(rds:CreateDBSnapshot) (final snapshot),
    C(rds:AddTagsToResource), C(rds:RemoveTagsFromResource), C(rds:ListTagsForResource), C(iam:PassRole) on the
    monitoring role, and for the managed password C(secretsmanager:CreateSecret), C(secretsmanager:TagResource) and
    C(kms:DescribeKey), C(kms:CreateGrant), C(kms:GenerateDataKey), C(kms:Decrypt) on O(master_user_secret_kms_key_id)."
seealso:
  - name: Password management with RDS and Secrets Manager
    description: AWS RDS User Guide.
    link: https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-secrets-manager.html
  - module: amazon.aws.rds_instance
"""

EXAMPLES = r"""
- name: A multi-AZ PostgreSQL instance whose master password RDS manages
  corp.infra.rds_instance:
    db_instance_identifier: corp-rds-main-prod
    engine: postgres
    engine_version: "17.6"
    db_instance_class: db.m7g.large
    master_username: corpadmin
    allocated_storage: 100
    max_allocated_storage: 500
    storage_type: gp3
    storage_encrypted: true
    multi_az: true
    publicly_accessible: false
    db_subnet_group_name: corp-rds-main-prod
    vpc_security_group_ids: [sg-0123456789abcdef0]
    monitoring_interval: 60
    monitoring_role_arn: arn:aws:iam::123456789012:role/corp-iam-rdsmonitoring-prod
    enable_performance_insights: true
    enable_cloudwatch_logs_exports: [postgresql, upgrade]
    deletion_protection: true
    backup_retention_period: 14
    tags:
      Environment: prod
  register: db

- name: Delete it with a final snapshot
  corp.infra.rds_instance:
    db_instance_identifier: corp-rds-main-prod
    state: absent
    final_snapshot_identifier: corp-rds-main-prod-final
    disable_deletion_protection: true
"""

RETURN = r"""
db_instance_identifier:
  description: The instance identifier.
  returned: always
  type: str
  sample: corp-rds-main-prod
exists:
  description: Whether the instance exists after the run (predicted in check mode).
  returned: always
  type: bool
status:
  description: The instance status (C(DBInstanceStatus)) last read.
  returned: when the instance exists
  type: str
  sample: available
db_instance_arn:
  description: The instance ARN.
  returned: when the instance exists
  type: str
dbi_resource_id:
  description:
    - The instance's resource id (C(DbiResourceId)), fixed for its life; IAM database authentication policies name it
      (C(arn:aws:rds-db:<region>:<account>:dbuser:<DbiResourceId>/<user>)).
  returned: when the instance exists
  type: str
  sample: db-ABCDEFGHIJKLMNOPQRSTUVWXY0
endpoint:
  description: The address clients connect to (empty while RDS is still creating it).
  returned: when the instance exists
  type: str
port:
  description: The port.
  returned: when the instance exists
  type: int
master_user_secret_arn:
  description: The ARN of the Secrets Manager secret that holds the master credentials. The only trace of the password.
  returned: when the instance exists
  type: str
settings:
  description: The managed settings as RDS reports them, pending modifications included.
  returned: when the instance exists
  type: dict
pending_modified_values:
  description: Changes RDS holds for the next maintenance window (C(PendingModifiedValues)).
  returned: when the instance exists
  type: dict
parameter_apply_status:
  description: C(in-sync), or C(pending-reboot) when static parameter changes wait for a reboot.
  returned: when the instance exists
  type: str
rebooted:
  description: Whether the module rebooted the instance to apply static parameters.
  returned: always
  type: bool
final_snapshot_identifier:
  description: The final snapshot taken by O(state=absent).
  returned: when an instance was deleted with a final snapshot
  type: str
"""

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.corp.infra.plugins.module_utils.propagation import propagation_retry
from ansible_collections.corp.infra.plugins.module_utils.rds import SETTINGS
from ansible_collections.corp.infra.plugins.module_utils.rds import RdsError
from ansible_collections.corp.infra.plugins.module_utils.rds import create_request
from ansible_collections.corp.infra.plugins.module_utils.rds import modify_request
from ansible_collections.corp.infra.plugins.module_utils.rds import result_of
from ansible_collections.corp.infra.plugins.module_utils.rds import sync_tags
from ansible_collections.corp.infra.plugins.module_utils.rds import wanted_settings


def describe(client, identifier):
    try:
        return client.describe_db_instances(aws_retry=True, DBInstanceIdentifier=identifier)["DBInstances"][0]
    except is_boto3_error_code("DBInstanceNotFound"):
        return None


def wait_for(module, client, waiter_name, identifier):
    """Wait with the boto3 waiter; a timeout fails naming the instance, the state and the timeout option."""
    delay = 15
    attempts = max(1, module.params["wait_timeout"] // delay)
    try:
        client.get_waiter(waiter_name).wait(DBInstanceIdentifier=identifier, WaiterConfig={"Delay": delay, "MaxAttempts": attempts})
    except botocore.exceptions.WaiterError as e:
        state = "available" if waiter_name == "db_instance_available" else "deleted"
        reason = e.last_response.get("Error", e)
        module.fail_json(msg=f"DB instance {identifier} was not {state} after {module.params['wait_timeout']} s (wait_timeout): {reason}")


def update_tags(module, client, described):
    current = boto3_tag_list_to_ansible_dict(described.get("TagList") or [])
    to_set, to_unset = sync_tags(client, described["DBInstanceArn"], current, module.params["tags"], module.params["purge_tags"], module.check_mode)
    if not (to_set or to_unset):
        return {}, {}
    return {"tags": current}, {"tags": {k: v for k, v in current.items() if k not in to_unset} | to_set}


def ensure_present(module, client):
    params, identifier = module.params, module.params["db_instance_identifier"]
    described = describe(client, identifier)
    if described is None:
        tags = ansible_dict_to_boto3_tag_list(params["tags"] or {})
        request = create_request(params, tags)
        diff = dict(before={}, after=wanted_settings(params))
        if module.check_mode:
            return dict(changed=True, exists=True, rebooted=False, diff=diff)
        client.create_db_instance(aws_retry=True, **request)
        if params["wait"]:
            wait_for(module, client, "db_instance_available", identifier)
        return dict(changed=True, diff=diff, **result_of(describe(client, identifier)))

    if described.get("DBInstanceStatus") == "creating" and not params["wait"]:
        # Started by an earlier run that did not wait: nothing can be compared or modified until it is available.
        return dict(changed=False, **result_of(described))
    request, before, after = modify_request(params, described)
    tag_before, tag_after = update_tags(module, client, described)
    changed = bool(request or tag_after)
    if request and not module.check_mode:
        if described.get("DBInstanceStatus") != "available":
            if not params["wait"]:
                module.fail_json(msg=f"DB instance {identifier} is {described.get('DBInstanceStatus')}: it can be modified once available (wait: true waits)")
            wait_for(module, client, "db_instance_available", identifier)
        described = client.modify_db_instance(aws_retry=True, DBInstanceIdentifier=identifier, ApplyImmediately=params["apply_immediately"], **request)[
            "DBInstance"
        ]
    rebooted = False
    if params["wait"] and not module.check_mode:
        wait_for(module, client, "db_instance_available", identifier)
        described = describe(client, identifier)
    if params["reboot_for_pending_parameters"] and result_of(described)["parameter_apply_status"] == "pending-reboot":
        rebooted = changed = True
        if not module.check_mode:
            client.reboot_db_instance(aws_retry=True, DBInstanceIdentifier=identifier)
            if params["wait"]:
                wait_for(module, client, "db_instance_available", identifier)
            described = describe(client, identifier)
    result = result_of(described, rebooted)
    return dict(changed=changed, diff=dict(before=before | tag_before, after=after | tag_after), **result)


def ensure_absent(module, client):
    params, identifier = module.params, module.params["db_instance_identifier"]
    described = describe(client, identifier)
    if described is None or described.get("DBInstanceStatus") == "deleting":
        return dict(changed=False, exists=False, rebooted=False)
    snapshot = params["final_snapshot_identifier"]
    if not params["skip_final_snapshot"]:
        if not snapshot:
            module.fail_json(msg=f"final_snapshot_identifier is required to delete DB instance {identifier} (or skip_final_snapshot: true)")
        try:
            client.describe_db_snapshots(aws_retry=True, DBSnapshotIdentifier=snapshot)
            module.fail_json(msg=f"final snapshot {snapshot} already exists: delete or rename it before deleting DB instance {identifier}")
        except is_boto3_error_code("DBSnapshotNotFound"):
            pass
    if described.get("DeletionProtection") and not params["disable_deletion_protection"]:
        module.fail_json(msg=f"DB instance {identifier} has deletion protection on: it is turned off only with disable_deletion_protection: true")
    diff = dict(before={"db_instance_identifier": identifier, "status": described.get("DBInstanceStatus")}, after={})
    result = dict(changed=True, exists=False, rebooted=False, diff=diff)
    if not params["skip_final_snapshot"]:
        result["final_snapshot_identifier"] = snapshot
    if module.check_mode:
        return result
    if described.get("DeletionProtection"):
        client.modify_db_instance(aws_retry=True, DBInstanceIdentifier=identifier, DeletionProtection=False, ApplyImmediately=True)
    request = {"SkipFinalSnapshot": True} if params["skip_final_snapshot"] else {"FinalDBSnapshotIdentifier": snapshot}
    client.delete_db_instance(aws_retry=True, DBInstanceIdentifier=identifier, DeleteAutomatedBackups=False, **request)
    if params["wait"]:
        wait_for(module, client, "db_instance_deleted", identifier)
    return result


def main():
    argument_spec = dict(
        db_instance_identifier=dict(type="str", required=True, aliases=["id"]),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        engine=dict(type="str"),
        master_username=dict(type="str"),
        db_name=dict(type="str"),
        storage_encrypted=dict(type="bool"),
        kms_key_id=dict(type="str"),
        db_subnet_group_name=dict(type="str"),
        apply_immediately=dict(type="bool", default=False),
        reboot_for_pending_parameters=dict(type="bool", default=False),
        final_snapshot_identifier=dict(type="str"),
        skip_final_snapshot=dict(type="bool", default=False),
        disable_deletion_protection=dict(type="bool", default=False),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=2400),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    types = {
        "allocated_storage": "int",
        "max_allocated_storage": "int",
        "iops": "int",
        "storage_throughput": "int",
        "port": "int",
        "monitoring_interval": "int",
        "performance_insights_retention_period": "int",
        "backup_retention_period": "int",
        "multi_az": "bool",
        "publicly_accessible": "bool",
        "enable_performance_insights": "bool",
        "deletion_protection": "bool",
        "copy_tags_to_snapshot": "bool",
        "auto_minor_version_upgrade": "bool",
        "enable_iam_database_authentication": "bool",
        "vpc_security_group_ids": "list",
        "enable_cloudwatch_logs_exports": "list",
    }
    for option in SETTINGS:
        spec = dict(type=types.get(option, "str"))
        if spec["type"] == "list":
            spec["elements"] = "str"
        argument_spec[option] = spec
    argument_spec["monitoring_interval"]["choices"] = [0, 1, 5, 10, 15, 30, 60]
    argument_spec["storage_type"]["choices"] = ["gp2", "gp3", "io1", "io2", "standard"]

    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    for option in ("kms_key_id", "performance_insights_kms_key_id", "master_user_secret_kms_key_id"):
        if "alias/" in (module.params[option] or ""):
            module.fail_json(msg=f"{option} must name a key by ARN or id, not an alias (got {module.params[option]})")
    # In check mode on an empty account the monitoring role may not exist yet: nothing is sent then.
    if (module.params["monitoring_interval"] or 0) > 0 and not module.params["monitoring_role_arn"] and not module.check_mode:
        module.fail_json(msg="monitoring_role_arn is required when monitoring_interval is above 0")
    # A monitoring role created moments ago is refused until IAM has propagated it (module_utils/propagation.py).
    client = module.client("rds", retry_decorator=propagation_retry(["InvalidDBInstanceState"]))
    try:
        result = ensure_present(module, client) if module.params["state"] == "present" else ensure_absent(module, client)
    except RdsError as e:
        module.fail_json(msg=str(e))
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
        module.fail_json_aws(e, msg=f"Failed to manage DB instance {module.params['db_instance_identifier']}")
    if not module._diff:
        result.pop("diff", None)
    module.exit_json(db_instance_identifier=module.params["db_instance_identifier"], **result)


if __name__ == "__main__":
    main()
