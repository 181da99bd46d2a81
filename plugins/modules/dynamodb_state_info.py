#!/usr/bin/python
# Copyright: corp.infra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: dynamodb_state_info
short_description: Read a DynamoDB table with its point-in-time recovery, TTL, key kind and tags, in one process
version_added: 1.0.0
description:
  - Reads a table (DescribeTable), its point-in-time recovery (DescribeContinuousBackups), its TTL (DescribeTimeToLive),
    whether its key is AWS managed (DescribeKey) and its tags (ListTagsOfResource) - what M(corp.infra.dynamodb_table)
    reads before it decides anything.
  - The dynamodb role reads its table with it once, compares it with what it asks for (the filter
    R(corp.infra.dynamodb_drift,ansible_collections.corp.infra.dynamodb_drift_filter), the module's own comparison), and
    calls M(corp.infra.dynamodb_table) only when something differs.
author:
  - Corp Platform Team (@corp-platform)
options:
  name:
    description: The table.
    type: str
    required: true
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - corp.infra.read_only
attributes:
  platform:
    support: full
    platforms: aws
    description: Talks to DynamoDB and KMS.
"""

EXAMPLES = r"""
- name: Read the prod table once
  corp.infra.dynamodb_state_info:
    name: corp-dynamodb-main-prod
  register: table_state
"""

RETURN = r"""
table:
  description: The table as DescribeTable returns it; an empty dict when it does not exist.
  returned: always
  type: dict
continuous_backups:
  description: The table's C(ContinuousBackupsDescription); an empty dict without a table.
  returned: always
  type: dict
ttl:
  description: DescribeTimeToLive's answer; an empty dict without a table.
  returned: always
  type: dict
key_is_aws_managed:
  description: Whether the table's KMS key is AWS managed (C(alias/aws/dynamodb)).
  returned: always
  type: bool
tags:
  description: The table's tags, as a dict.
  returned: always
  type: dict
"""

from functools import partial

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.corp.infra.plugins.module_utils.reads import all_pages
from ansible_collections.corp.infra.plugins.module_utils.reads import concurrently
from ansible_collections.corp.infra.plugins.module_utils.reads import run_reader

ARGUMENT_SPEC = dict(name=dict(type="str", required=True))
FAILURE = "Failed to read the DynamoDB table {name}"


def read(params, aws):
    dynamodb = aws.client("dynamodb", retry_decorator=AWSRetry.jittered_backoff())
    name = params["name"]
    try:
        table = dynamodb.describe_table(aws_retry=True, TableName=name)["Table"]
    except is_boto3_error_code("ResourceNotFoundException"):
        return {"table": {}, "continuous_backups": {}, "ttl": {}, "key_is_aws_managed": False, "tags": {}}
    state = {"table": table, "continuous_backups": {}, "ttl": {}, "key_is_aws_managed": False, "tags": {}}
    if table.get("TableStatus") != "ACTIVE":
        return state  # the module waits for it first
    key = (table.get("SSEDescription") or {}).get("KMSMasterKeyArn")
    kms = aws.client("kms", retry_decorator=AWSRetry.jittered_backoff()) if key else None
    # The four reads that follow DescribeTable, side by side.
    calls = {
        "continuous_backups": partial(dynamodb.describe_continuous_backups, aws_retry=True, TableName=name),
        "ttl": partial(dynamodb.describe_time_to_live, aws_retry=True, TableName=name),
        "tags": partial(all_pages, dynamodb, "list_tags_of_resource", "Tags", ResourceArn=table["TableArn"]),
    }
    if kms:
        calls["key"] = partial(kms.describe_key, aws_retry=True, KeyId=key)
    found = concurrently(calls)
    state["continuous_backups"] = found["continuous_backups"]["ContinuousBackupsDescription"]
    state["ttl"] = {k: v for k, v in found["ttl"].items() if k != "ResponseMetadata"}
    state["key_is_aws_managed"] = bool(kms) and found["key"]["KeyMetadata"].get("KeyManager") == "AWS"
    state["tags"] = boto3_tag_list_to_ansible_dict(found["tags"])
    return state


def main():
    run_reader(ARGUMENT_SPEC, read, FAILURE)


if __name__ == "__main__":
    main()
