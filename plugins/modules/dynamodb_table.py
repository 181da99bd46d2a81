#!/usr/bin/python
# Copyright: corp.infra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: dynamodb_table
short_description: A DynamoDB table encrypted with the key you name, with point-in-time recovery and deletion protection
version_added: 1.0.0
description:
  - Creates a DynamoDB table encrypted with a customer-managed KMS key (by ARN) or the AWS-managed key, and with
    deletion protection and a stream as asked, from the CreateTable call on; then turns point-in-time recovery and
    TTL on or off (their own APIs).
  - Brings an existing table to the wanted billing mode and throughput, table class, encryption key, deletion
    protection, stream, global secondary indexes (created or deleted one at a time, as DynamoDB requires),
    point-in-time recovery, TTL and tags, with check mode and diff. A key schema or index definition that differs is an
    error, never a replacement.
  - M(community.aws.dynamodb_table) creates tables without an encryption specification (so a customer-managed key could
    only arrive by a later update), and manages neither point-in-time recovery, deletion protection nor streams, nor
    reports a diff; this module does the whole table so every setting holds from the first call.
  - Deletes a table only when its deletion protection is off or O(disable_deletion_protection=true).
author:
  - Corp Platform Team (@corp-platform)
options:
  name:
    description: The table name.
    type: str
    required: true
  state:
    description: Whether the table exists.
    type: str
    choices: [present, absent]
    default: present
  hash_key_name:
    description: The partition key (required to create; cannot change).
    type: str
  hash_key_type:
    description: The partition key's type.
    type: str
    choices: [S, N, B]
    default: S
  range_key_name:
    description: The sort key (cannot change).
    type: str
  range_key_type:
    description: The sort key's type.
    type: str
    choices: [S, N, B]
    default: S
  billing_mode:
    description: On-demand or provisioned capacity.
    type: str
    choices: [PAY_PER_REQUEST, PROVISIONED]
    default: PAY_PER_REQUEST
  read_capacity:
    description: Read capacity units with O(billing_mode=PROVISIONED).
    type: int
  write_capacity:
    description: Write capacity units with O(billing_mode=PROVISIONED).
    type: int
  autoscaled_capacity:
    description:
      - Application Auto Scaling manages the table's provisioned capacity, so O(read_capacity) and O(write_capacity)
        only set it at creation or when switching to C(PROVISIONED), and later differences are left to the scaler.
    type: bool
    default: false
  global_secondary_indexes:
    description:
      - The table's global secondary indexes; indexes not listed are deleted. Unset, indexes are not managed.
      - An index whose keys or projection differ is an error (DynamoDB cannot change one; give the new one another name).
    type: list
    elements: dict
    suboptions:
      name:
        description: The index name.
        type: str
        required: true
      hash_key_name:
        description: The index partition key.
        type: str
        required: true
      hash_key_type:
        description: Its type.
        type: str
        choices: [S, N, B]
        default: S
      range_key_name:
        description: The index sort key.
        type: str
      range_key_type:
        description: Its type.
        type: str
        choices: [S, N, B]
        default: S
      projection:
        description: Which attributes the index holds.
        type: str
        choices: [ALL, KEYS_ONLY, INCLUDE]
        default: ALL
      non_key_attributes:
        description: The attributes an C(INCLUDE) projection holds.
        type: list
        elements: str
      read_capacity:
        description: Read capacity units (provisioned tables).
        type: int
      write_capacity:
        description: Write capacity units (provisioned tables).
        type: int
  table_class:
    description: The table class. Unset, not managed.
    type: str
    choices: [STANDARD, STANDARD_INFREQUENT_ACCESS]
  kms_key_arn:
    description:
      - The customer-managed KMS key that encrypts the table, by ARN.
      - Unset, the AWS-managed key C(alias/aws/dynamodb) (SSE type KMS without a key id, as the DynamoDB API documents).
    type: str
  deletion_protection:
    description: Refuse DeleteTable. Unset, not managed.
    type: bool
  point_in_time_recovery:
    description: Continuous backups with point-in-time recovery. Unset, not managed.
    type: bool
  ttl_attribute_name:
    description:
      - The attribute holding each item's expiry time; an empty string turns TTL off. Unset, not managed.
      - DynamoDB changes the attribute only by turning TTL off and, an hour later, on again; a different name is an error.
    type: str
  stream_view_type:
    description: The stream's view type, or C(disabled). Unset, not managed.
    type: str
    choices: [disabled, KEYS_ONLY, NEW_IMAGE, OLD_IMAGE, NEW_AND_OLD_IMAGES]
  disable_deletion_protection:
    description: Let O(state=absent) turn deletion protection off first; without it a protected table is not deleted.
    type: bool
    default: false
  wait:
    description: Wait (boto3 waiters) for the table and its indexes to be active after each change, or the table gone after deletion.
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait before failing.
    type: int
    default: 600
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
    description: The managed settings before and after.
  platform:
    support: full
    platforms: aws
    description: Talks to the DynamoDB API (and KMS DescribeKey to recognise the AWS-managed key).
notes:
  - "IAM actions: C(dynamodb:DescribeTable), C(dynamodb:CreateTable), C(dynamodb:UpdateTable), C(dynamodb:DeleteTable),
    C(dynamodb:DescribeContinuousBackups), C(dynamodb:UpdateContinuousBackups), C(dynamodb:DescribeTimeToLive),
    C(dynamodb:UpdateTimeToLive), C(dynamodb:ListTagsOfResource), C(dynamodb:TagResource), C(dynamodb:UntagResource),
    C(kms:DescribeKey), and on a customer-managed key C(kms:CreateGrant), C(kms:Decrypt), C(kms:Encrypt),
    C(kms:GenerateDataKey*), C(kms:ReEncrypt*) through DynamoDB."
"""

EXAMPLES = r"""
- name: The stack table, encrypted with the stack key, recoverable and protected
  corp.infra.dynamodb_table:
    name: corp-dynamodb-main-prod
    hash_key_name: pk
    range_key_name: sk
    billing_mode: PAY_PER_REQUEST
    kms_key_arn: arn:aws:kms:ap-south-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab
    point_in_time_recovery: true
    deletion_protection: true
    ttl_attribute_name: expires_at
    global_secondary_indexes:
      - name: by-owner
        hash_key_name: owner
    tags:
      Environment: prod

- name: Delete it
  corp.infra.dynamodb_table:
    name: corp-dynamodb-main-prod
    state: absent
    disable_deletion_protection: true
"""

RETURN = r"""
table_name:
  description: The table name.
  returned: always
  type: str
exists:
  description: Whether the table exists after the run (predicted in check mode).
  returned: always
  type: bool
table_arn:
  description: The table ARN.
  returned: when the table exists
  type: str
stream_arn:
  description: The latest stream's ARN, empty without a stream.
  returned: when the table exists
  type: str
table_status:
  description: The table status last read.
  returned: when the table exists
  type: str
settings:
  description: The managed settings as DynamoDB reports them.
  returned: when the table exists
  type: dict
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
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags
from ansible_collections.community.aws.plugins.module_utils.dynamodb import wait_indexes_active
from ansible_collections.corp.infra.plugins.module_utils.dynamodb import ARGUMENT_SPEC
from ansible_collections.corp.infra.plugins.module_utils.dynamodb import DynamoDBError
from ansible_collections.corp.infra.plugins.module_utils.dynamodb import create_request
from ansible_collections.corp.infra.plugins.module_utils.dynamodb import current_settings
from ansible_collections.corp.infra.plugins.module_utils.dynamodb import update_steps
from ansible_collections.corp.infra.plugins.module_utils.dynamodb import wanted_settings


def describe(client, name):
    try:
        return client.describe_table(aws_retry=True, TableName=name)["Table"]
    except is_boto3_error_code("ResourceNotFoundException"):
        return None


def wait_for(module, client, waiter_name, name):
    delay = 5
    try:
        client.get_waiter(waiter_name).wait(TableName=name, WaiterConfig={"Delay": delay, "MaxAttempts": max(1, module.params["wait_timeout"] // delay)})
    except botocore.exceptions.WaiterError as e:
        state = "active" if waiter_name == "table_exists" else "deleted"
        module.fail_json(msg=f"table {name} was not {state} after {module.params['wait_timeout']} s (wait_timeout): {e.last_response.get('Error', e)}")


def key_is_aws_managed(module, table):
    arn = (table.get("SSEDescription") or {}).get("KMSMasterKeyArn")
    if not arn:
        return False
    kms = module.client("kms", retry_decorator=AWSRetry.jittered_backoff())
    return kms.describe_key(aws_retry=True, KeyId=arn)["KeyMetadata"].get("KeyManager") == "AWS"


def read_settings(module, client, table):
    name = table["TableName"]
    pitr = client.describe_continuous_backups(aws_retry=True, TableName=name)["ContinuousBackupsDescription"]
    ttl = client.describe_time_to_live(aws_retry=True, TableName=name)
    return current_settings(table, pitr, ttl, key_is_aws_managed(module, table))


def result_of(table, settings):
    return dict(
        exists=True,
        table_arn=table["TableArn"],
        stream_arn=table.get("LatestStreamArn", "") if (table.get("StreamSpecification") or {}).get("StreamEnabled") else "",
        table_status=table.get("TableStatus"),
        settings=settings,
    )


def apply_and_reread(module, client, table, steps, settings):
    """Apply ``steps``; the table and its settings as they are now (read again only when something changed)."""
    if not steps or module.check_mode:
        return table, settings
    apply_steps(module, client, table["TableName"], steps)
    table = describe(client, table["TableName"])
    return table, read_settings(module, client, table)


def apply_steps(module, client, name, steps):
    for kind, request in steps:
        if kind == "update_table":
            client.update_table(aws_retry=True, TableName=name, **request)
        elif kind == "continuous_backups":
            client.update_continuous_backups(aws_retry=True, TableName=name, **request)
        else:
            client.update_time_to_live(aws_retry=True, TableName=name, **request)
        wait_settled(module, client, name)


def wait_settled(module, client, name):
    """Wait for the table and every index to be ACTIVE: DynamoDB takes the next change only then. After an index is
    added the table is ACTIVE again while the index backfills (IndexStatus CREATING), and another index change meanwhile
    is refused (one online index creation or deletion at a time, GSI.OnlineOps)."""
    wait_for(module, client, "table_exists", name)
    wait_indexes_active(module, module.params["wait_timeout"], name)


def update_tags(module, client, table):
    if module.params["tags"] is None:
        return {}, {}
    current = boto3_tag_list_to_ansible_dict(client.list_tags_of_resource(aws_retry=True, ResourceArn=table["TableArn"]).get("Tags", []))
    to_set, to_unset = compare_aws_tags(current, module.params["tags"], module.params["purge_tags"])
    if not module.check_mode:
        if to_set:
            client.tag_resource(aws_retry=True, ResourceArn=table["TableArn"], Tags=ansible_dict_to_boto3_tag_list(to_set))
        if to_unset:
            client.untag_resource(aws_retry=True, ResourceArn=table["TableArn"], TagKeys=to_unset)
    if not (to_set or to_unset):
        return {}, {}
    return {"tags": current}, {"tags": {k: v for k, v in current.items() if k not in to_unset} | to_set}


def ensure_present(module, client):
    params, name = module.params, module.params["name"]
    table = describe(client, name)
    if table is None:
        request = create_request(params, ansible_dict_to_boto3_tag_list(params["tags"] or {}))
        after = {k: v for k, v in wanted_settings(params).items() if v is not None}
        if module.check_mode:
            return dict(changed=True, exists=True, diff=dict(before={}, after=after))
        client.create_table(aws_retry=True, **request)
        wait_settled(module, client, name)
        table = describe(client, name)
        # Point-in-time recovery and TTL have their own APIs, usable once the table is ACTIVE.
        settings = read_settings(module, client, table)
        steps = [step for step in update_steps(params, settings)[0] if step[0] != "update_table"]
        table, settings = apply_and_reread(module, client, table, steps, settings)
        return dict(changed=True, diff=dict(before={}, after=after), **result_of(table, settings))

    settling = table.get("TableStatus") != "ACTIVE" or any(i.get("IndexStatus") != "ACTIVE" for i in table.get("GlobalSecondaryIndexes") or [])
    if settling and not module.check_mode:
        wait_settled(module, client, name)
        table = describe(client, name)
    settings = read_settings(module, client, table)
    steps, before, after = update_steps(params, settings)
    tag_before, tag_after = update_tags(module, client, table)
    table, settings = apply_and_reread(module, client, table, steps, settings)
    changed = bool(steps or tag_after)
    return dict(changed=changed, diff=dict(before=before | tag_before, after=after | tag_after), **result_of(table, settings))


def ensure_absent(module, client):
    name = module.params["name"]
    table = describe(client, name)
    if table is None or table.get("TableStatus") == "DELETING":
        return dict(changed=False, exists=False)
    if table.get("DeletionProtectionEnabled") and not module.params["disable_deletion_protection"]:
        module.fail_json(msg=f"table {name} has deletion protection on: it is turned off only with disable_deletion_protection: true")
    result = dict(changed=True, exists=False, diff=dict(before={"table_name": name, "table_status": table.get("TableStatus")}, after={}))
    if module.check_mode:
        return result
    if table.get("DeletionProtectionEnabled"):
        client.update_table(aws_retry=True, TableName=name, DeletionProtectionEnabled=False)
        wait_for(module, client, "table_exists", name)
    client.delete_table(aws_retry=True, TableName=name)
    if module.params["wait"]:
        wait_for(module, client, "table_not_exists", name)
    return result


def main():
    module = AnsibleAWSModule(
        argument_spec=ARGUMENT_SPEC,
        supports_check_mode=True,
    )
    key = module.params["kms_key_arn"] or ""
    # In check mode an alias ARN may stand in for a key a real run creates first (nothing is sent then).
    if key and (not key.startswith("arn:") or (":alias/" in key and not module.check_mode)):
        module.fail_json(msg=f"kms_key_arn must be a key ARN, not an alias or key id (got {module.params['kms_key_arn']})")
    client = module.client(
        "dynamodb", retry_decorator=AWSRetry.jittered_backoff(catch_extra_error_codes=["ResourceInUseException", "ContinuousBackupsUnavailableException"])
    )
    try:
        result = ensure_present(module, client) if module.params["state"] == "present" else ensure_absent(module, client)
    except DynamoDBError as e:
        module.fail_json(msg=str(e))
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
        module.fail_json_aws(e, msg=f"Failed to manage DynamoDB table {module.params['name']}")
    if not module._diff:
        result.pop("diff", None)
    module.exit_json(table_name=module.params["name"], **result)


if __name__ == "__main__":
    main()
