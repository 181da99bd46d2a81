#!/usr/bin/python
# Copyright: corp.infra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: rds_parameter_group
short_description: An RDS DB parameter group whose parameters are each applied the way their type allows
version_added: 1.0.0
description:
  - Creates or deletes a DB parameter group and sets the given parameters.
  - Each parameter is applied with the method RDS allows for it, read from RDS (its C(ApplyType)), never
    hard-coded - dynamic parameters C(immediate), static ones C(pending-reboot). M(amazon.aws.rds_instance_param_group)
    applies one method to every parameter, which RDS refuses for a static parameter applied immediately.
  - An unknown or unmodifiable parameter fails the task before anything is changed (M(amazon.aws.rds_instance_param_group)
    reports it in C(errors) and carries on).
  - Parameters not given are left alone.
author:
  - Corp Platform Team (@corp-platform)
options:
  name:
    description: The parameter group name.
    type: str
    required: true
  state:
    description: Whether the group exists.
    type: str
    choices: [present, absent]
    default: present
  family:
    description: The parameter group family, for example C(postgres17) (required to create; cannot change).
    type: str
  description:
    description: The group description (required to create; cannot change).
    type: str
  parameters:
    description: Parameter names and values. Booleans are sent as C(1)/C(0), lists comma-separated.
    type: dict
    default: {}
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
attributes:
  check_mode:
    support: full
    description: Reports what it would create or set (a new group's current values are the family's engine defaults).
  diff_mode:
    support: full
    description: The parameter values before and after.
  platform:
    support: full
    platforms: aws
    description: Talks to the RDS API.
notes:
  - "IAM actions: C(rds:DescribeDBParameterGroups), C(rds:DescribeDBParameters), C(rds:DescribeEngineDefaultParameters),
    C(rds:CreateDBParameterGroup), C(rds:ModifyDBParameterGroup), C(rds:DeleteDBParameterGroup), C(rds:AddTagsToResource),
    C(rds:RemoveTagsFromResource), C(rds:ListTagsForResource)."
"""

EXAMPLES = r"""
- name: TLS-only connections and connection logging for PostgreSQL 17
  corp.infra.rds_parameter_group:
    name: corp-rds-main-prod
    family: postgres17
    description: corp main database, prod
    parameters:
      rds.force_ssl: true
      log_connections: true
      log_disconnections: true
      shared_preload_libraries: [pg_stat_statements]
  register: pg
"""

RETURN = r"""
name:
  description: The parameter group name.
  returned: always
  type: str
arn:
  description: The parameter group ARN.
  returned: when the group exists (not in check mode before it is created)
  type: str
applied_immediately:
  description: The dynamic parameters changed now.
  returned: always
  type: list
  elements: str
pending_reboot:
  description: The static parameters changed that take effect at each instance's next reboot.
  returned: always
  type: list
  elements: str
"""

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.corp.infra.plugins.module_utils.rds import RdsError
from ansible_collections.corp.infra.plugins.module_utils.rds import parameter_changes
from ansible_collections.corp.infra.plugins.module_utils.rds import sync_tags


def describe_group(client, name):
    try:
        return client.describe_db_parameter_groups(aws_retry=True, DBParameterGroupName=name)["DBParameterGroups"][0]
    except is_boto3_error_code("DBParameterGroupNotFound"):
        return None


def described_parameters(client, name, family, wanted):
    """The wanted parameters' entries: the group's own, or the family's engine defaults for a group not yet created."""
    if name:
        pages = client.get_paginator("describe_db_parameters").paginate(DBParameterGroupName=name).build_full_result()
        entries = pages["Parameters"]
    else:
        pages = client.get_paginator("describe_engine_default_parameters").paginate(DBParameterGroupFamily=family).build_full_result()
        entries = pages["EngineDefaults"]["Parameters"]
    return {entry["ParameterName"]: entry for entry in entries if entry["ParameterName"] in wanted}


def update_tags(module, client, arn):
    if module.params["tags"] is None or not arn:
        return False
    current = boto3_tag_list_to_ansible_dict(client.list_tags_for_resource(aws_retry=True, ResourceName=arn)["TagList"])
    return any(sync_tags(client, arn, current, module.params["tags"], module.params["purge_tags"], module.check_mode))


def ensure_present(module, client):
    params, name = module.params, module.params["name"]
    wanted = {str(k): v for k, v in params["parameters"].items()}
    group = describe_group(client, name)
    changed = False
    if group is None:
        if not (params["family"] and params["description"]):
            module.fail_json(msg=f"family and description are required to create parameter group {name}")
        entries = described_parameters(client, None, params["family"], wanted)
    else:
        if params["family"] and params["family"] != group["DBParameterGroupFamily"]:
            module.fail_json(msg=f"parameter group {name} is of family {group['DBParameterGroupFamily']}, not {params['family']}: RDS cannot change it")
        entries = described_parameters(client, name, None, wanted)
    changes, before, after = parameter_changes(wanted, entries)

    if group is None:
        changed = True
        if not module.check_mode:
            group = client.create_db_parameter_group(
                aws_retry=True,
                DBParameterGroupName=name,
                DBParameterGroupFamily=params["family"],
                Description=params["description"],
                Tags=ansible_dict_to_boto3_tag_list(params["tags"] or {}),
            )["DBParameterGroup"]
    elif update_tags(module, client, group.get("DBParameterGroupArn")):
        changed = True
    if changes:
        changed = True
        if not module.check_mode:
            for start in range(0, len(changes), 20):  # ModifyDBParameterGroup takes at most 20 at a time
                client.modify_db_parameter_group(aws_retry=True, DBParameterGroupName=name, Parameters=changes[start : start + 20])
    return dict(
        changed=changed,
        name=name,
        arn=(group or {}).get("DBParameterGroupArn", ""),
        applied_immediately=[c["ParameterName"] for c in changes if c["ApplyMethod"] == "immediate"],
        pending_reboot=[c["ParameterName"] for c in changes if c["ApplyMethod"] == "pending-reboot"],
        diff=dict(before=before if group else {}, after=after),
    )


def ensure_absent(module, client):
    name = module.params["name"]
    group = describe_group(client, name)
    result = dict(name=name, applied_immediately=[], pending_reboot=[])
    if group is None:
        return dict(changed=False, **result)
    if not module.check_mode:
        client.delete_db_parameter_group(aws_retry=True, DBParameterGroupName=name)
    return dict(changed=True, diff=dict(before={"name": name}, after={}), **result)


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            family=dict(type="str"),
            description=dict(type="str"),
            parameters=dict(type="dict", default={}),
            tags=dict(type="dict", aliases=["resource_tags"]),
            purge_tags=dict(type="bool", default=True),
        ),
        supports_check_mode=True,
    )
    client = module.client("rds", retry_decorator=AWSRetry.jittered_backoff(catch_extra_error_codes=["InvalidDBParameterGroupState"]))
    try:
        result = ensure_present(module, client) if module.params["state"] == "present" else ensure_absent(module, client)
    except RdsError as e:
        module.fail_json(msg=f"parameter group {module.params['name']}: {e}")
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
        module.fail_json_aws(e, msg=f"Failed to manage parameter group {module.params['name']}")
    if not module._diff:
        result.pop("diff", None)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
