#!/usr/bin/python
# Copyright: corp.infra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: ec2_vpc_flow_log
short_description: Create and delete VPC flow logs
version_added: 1.0.0
description:
  - Creates, re-tags and deletes the flow log of a VPC, subnet or network interface.
  - Neither amazon.aws nor community.aws has a flow log module (community.aws issue 1747).
  - A flow log is identified by its resource and its destination (AWS refuses two with the same ones).
  - AWS cannot modify a flow log. When a setting other than the tags differs, the module deletes and
    recreates it, and the diff shows the settings that differ.
author:
  - Corp Platform Team (@corp-platform)
options:
  state:
    description: Whether the flow log should exist.
    type: str
    choices: [present, absent]
    default: present
  resource_id:
    description: The VPC (C(vpc-)), subnet (C(subnet-)) or network interface (C(eni-)) id.
    type: str
    required: true
  traffic_type:
    description: Which traffic to log. Security Hub EC2.6 asks for C(REJECT) at least; C(ALL) logs both.
    type: str
    choices: [ACCEPT, REJECT, ALL]
    default: ALL
  log_destination_type:
    description: Where the records go.
    type: str
    choices: [cloud-watch-logs, s3, kinesis-data-firehose]
    default: cloud-watch-logs
  log_group_name:
    description: The CloudWatch Logs group, for O(log_destination_type=cloud-watch-logs).
    type: str
  log_destination:
    description: The ARN of the destination (S3 bucket, Firehose stream, or log group).
    type: str
  deliver_logs_permission_arn:
    description:
      - The ARN of the IAM role that publishes to CloudWatch Logs.
      - Required by AWS for C(cloud-watch-logs).
    type: str
  max_aggregation_interval:
    description: Seconds over which packets are aggregated into one record. AWS uses 600 when unset.
    type: int
    choices: [60, 600]
  log_format:
    description: A custom record format. AWS uses the default format when unset.
    type: str
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
attributes:
  check_mode:
    support: full
    description: Reports what would be created, recreated, re-tagged or deleted.
  diff_mode:
    support: full
    description: Shows the flow log's settings before and after.
  platform:
    support: full
    platforms: aws
    description: Talks to the EC2 API.
"""

EXAMPLES = r"""
- name: Log all traffic of a VPC to CloudWatch Logs
  corp.infra.ec2_vpc_flow_log:
    resource_id: vpc-0123456789abcdef0
    traffic_type: ALL
    log_group_name: corp-vpc-flowlogs-prod
    deliver_logs_permission_arn: arn:aws:iam::111122223333:role/corp-iam-flowlogs-prod
    max_aggregation_interval: 60
    tags:
      Name: corp-vpc-flowlogs-prod

- name: Remove it
  corp.infra.ec2_vpc_flow_log:
    state: absent
    resource_id: vpc-0123456789abcdef0
    log_group_name: corp-vpc-flowlogs-prod
"""

RETURN = r"""
flow_log:
  description: The flow log, as DescribeFlowLogs returns it, in snake case; empty when absent.
  returned: always
  type: dict
  contains:
    flow_log_id:
      description: The flow log id.
      type: str
      sample: fl-0123456789abcdef0
    resource_id:
      description: The logged resource.
      type: str
      sample: vpc-0123456789abcdef0
    traffic_type:
      description: The logged traffic.
      type: str
      sample: ALL
    log_group_name:
      description: The CloudWatch Logs group.
      type: str
      sample: corp-vpc-flowlogs-prod
    deliver_logs_status:
      description: Whether AWS can deliver the records.
      type: str
      sample: SUCCESS
    tags:
      description: The tags, as a dict.
      type: dict
      sample: {"Name": "corp-vpc-flowlogs-prod"}
recreated:
  description: The settings that differed and made the module delete and recreate the flow log.
  returned: when the flow log was (or would be) recreated
  type: list
  elements: str
  sample: ["traffic_type"]
"""

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.ec2 import ensure_ec2_tags
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_specifications
from ansible_collections.corp.infra.plugins.module_utils.flow_logs import create_request
from ansible_collections.corp.infra.plugins.module_utils.flow_logs import find_flow_log
from ansible_collections.corp.infra.plugins.module_utils.flow_logs import immutable_differences
from ansible_collections.corp.infra.plugins.module_utils.flow_logs import planned_tags
from ansible_collections.corp.infra.plugins.module_utils.flow_logs import planned_view
from ansible_collections.corp.infra.plugins.module_utils.flow_logs import resource_type_of
from ansible_collections.corp.infra.plugins.module_utils.propagation import propagation_retry


def describe_flow_logs(client, resource_id):
    paginator = client.get_paginator("describe_flow_logs")
    filters = [{"Name": "resource-id", "Values": [resource_id]}]
    return paginator.paginate(Filters=filters).build_full_result()["FlowLogs"]


def delete_flow_log(client, flow_log_id):
    response = client.delete_flow_logs(aws_retry=True, FlowLogIds=[flow_log_id])
    if response.get("Unsuccessful"):
        raise ValueError(response["Unsuccessful"][0]["Error"]["Message"])


def create_flow_log(client, request):
    response = client.create_flow_logs(aws_retry=True, **request)
    if response.get("Unsuccessful"):
        raise ValueError(response["Unsuccessful"][0]["Error"]["Message"])
    return response["FlowLogIds"][0]


def to_result(flow_log):
    if not flow_log:
        return {}
    result = camel_dict_to_snake_dict(flow_log, ignore_list=["Tags"])
    result["tags"] = boto3_tag_list_to_ansible_dict(flow_log.get("Tags", []))
    return result


def diff_view(result):
    """The settings worth comparing, from a snake-cased result."""
    view = dict(result)
    for volatile in ("creation_time", "deliver_logs_status", "deliver_logs_error_message"):
        view.pop(volatile, None)
    return view


def ensure_present(module, client, current):
    params = module.params
    resource_type = resource_type_of(params["resource_id"])
    differences = immutable_differences(params, current) if current else {}
    result = {"changed": False}
    if current and not differences:
        if params.get("tags") is not None:
            result["changed"] = ensure_ec2_tags(client, module, current["FlowLogId"], tags=params["tags"], purge_tags=params["purge_tags"])
        refreshed = find_flow_log(describe_flow_logs(client, params["resource_id"]), params) if result["changed"] and not module.check_mode else current
        result["flow_log"] = to_result(refreshed)
        return result

    request = create_request(params, resource_type)
    if params.get("tags"):
        request["TagSpecifications"] = boto3_tag_specifications(params["tags"], ["vpc-flow-log"])
    result.update(changed=True)
    if differences:
        result["recreated"] = sorted(differences)
    if module.check_mode:
        result["flow_log"] = to_result(current) if current else {}
        return result
    if current:
        delete_flow_log(client, current["FlowLogId"])
    create_flow_log(client, request)
    result["flow_log"] = to_result(find_flow_log(describe_flow_logs(client, params["resource_id"]), params))
    return result


def main():
    argument_spec = dict(
        state=dict(type="str", choices=["present", "absent"], default="present"),
        resource_id=dict(type="str", required=True),
        traffic_type=dict(type="str", choices=["ACCEPT", "REJECT", "ALL"], default="ALL"),
        log_destination_type=dict(type="str", choices=["cloud-watch-logs", "s3", "kinesis-data-firehose"], default="cloud-watch-logs"),
        log_group_name=dict(type="str"),
        log_destination=dict(type="str"),
        deliver_logs_permission_arn=dict(type="str"),
        max_aggregation_interval=dict(type="int", choices=[60, 600]),
        log_format=dict(type="str"),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
        required_one_of=[("log_group_name", "log_destination")],
    )
    # The delivery role is often created moments before (the network role does so): EC2 refuses it until IAM has
    # propagated it, and propagation_retry rides that out (module_utils/propagation.py).
    client = module.client("ec2", retry_decorator=propagation_retry())

    try:
        resource_type_of(module.params["resource_id"])
        current = find_flow_log(describe_flow_logs(client, module.params["resource_id"]), module.params)
        before = diff_view(to_result(current))
        if module.params["state"] == "absent":
            result = {"changed": bool(current), "flow_log": {}}
            if current and not module.check_mode:
                delete_flow_log(client, current["FlowLogId"])
            after = {}
        else:
            result = ensure_present(module, client, current)
            if not module.check_mode:
                after = diff_view(result["flow_log"])
            elif current and not result.get("recreated"):
                after = dict(before, tags=planned_tags(before.get("tags", {}), module.params["tags"], module.params["purge_tags"]))
            else:
                after = planned_view(module.params)
    except ValueError as e:
        module.fail_json(msg=str(e))
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
        module.fail_json_aws(e, msg="Failed to manage the flow log")

    if module._diff:
        result["diff"] = {"before": before, "after": after}
    module.exit_json(**result)


if __name__ == "__main__":
    main()
