#!/usr/bin/python
# Copyright: corp.infra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: s3_state_info
short_description: Read the s3 role's key and buckets, in one process
version_added: 1.0.0
description:
  - Reads a KMS key found by its alias (metadata, key policy, rotation status, tags) and a list of S3 buckets
    (default encryption, versioning, Block Public Access, object ownership, policy, access logging, tags,
    lifecycle rules and ABAC status).
  - The s3 role reads the live key and buckets with it once, compares them with what it asks for (the filter
    R(corp.infra.s3_drift,ansible_collections.corp.infra.s3_drift_filter)), and calls the module of a resource
    only when that resource differs. Each module call is a process that loads boto3, about half a second
    whatever it does.
  - Bucket settings are returned in M(amazon.aws.s3_bucket_info)'s C(bucket_facts) form, as the AWS API returns
    them.
author:
  - Corp Platform Team (@corp-platform)
options:
  key_alias:
    description: The key's alias, C(alias/...).
    type: str
  buckets:
    description: The buckets to read.
    type: list
    elements: str
    default: []
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - corp.infra.read_only
attributes:
  platform:
    support: full
    platforms: aws
    description: Talks to KMS and S3.
"""

EXAMPLES = r"""
- name: Read the stack key and buckets once
  corp.infra.s3_state_info:
    key_alias: alias/corp-kms-data-prod
    buckets: [corp-s3-securedata-prod, corp-s3-accesslogs-prod]
  register: s3_state
"""

RETURN = r"""
key:
  description:
    - The key's C(KeyMetadata) (DescribeKey) with C(Policy) (GetKeyPolicy, decoded), C(KeyRotationEnabled)
      (GetKeyRotationStatus) and C(Tags) (ListResourceTags) added; empty when no key has the alias.
  returned: always
  type: dict
buckets:
  description: One entry per bucket of O(buckets), in that order.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The bucket's name.
      type: str
    exists:
      description: Whether the bucket exists; the other keys are returned only when it does.
      type: bool
    bucket_encryption:
      description: GetBucketEncryption's C(ServerSideEncryptionConfiguration); empty when none is set.
      type: dict
    bucket_versioning:
      description: GetBucketVersioning's answer (C(Status), C(MFADelete) when set).
      type: dict
    public_access_block:
      description: GetPublicAccessBlock's C(PublicAccessBlockConfiguration); empty when none is set.
      type: dict
    bucket_ownership_controls:
      description: GetBucketOwnershipControls' C(OwnershipControls); empty when none are set.
      type: dict
    bucket_policy:
      description: The bucket policy, decoded; empty when there is none.
      type: dict
    bucket_logging:
      description: GetBucketLogging's C(LoggingEnabled); empty when access logging is off.
      type: dict
    bucket_tags:
      description: The bucket's tags, as a dict.
      type: dict
    lifecycle_rules:
      description: GetBucketLifecycleConfiguration's C(Rules); empty when there are none.
      type: list
      elements: dict
    abac_status:
      description: The bucket's ABAC status (GetBucketAbac), C(Enabled) or C(Disabled).
      type: str
    eventbridge:
      description: Whether the bucket sends its events to EventBridge (GetBucketNotificationConfiguration).
      type: bool
    notifications:
      description: Where the bucket sends its events (the C(*Configuration) keys of GetBucketNotificationConfiguration that are set).
      type: list
      elements: str
      sample: [EventBridgeConfiguration]
"""

import json
from functools import partial

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.botocore import paginated_query_with_retries
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.corp.infra.plugins.module_utils.reads import concurrently
from ansible_collections.corp.infra.plugins.module_utils.reads import read_bucket
from ansible_collections.corp.infra.plugins.module_utils.reads import run_reader

ARGUMENT_SPEC = dict(
    key_alias=dict(type="str", no_log=False),
    buckets=dict(type="list", elements="str", default=[]),
)
FAILURE = "Failed to read the stack key and buckets"


def read_key(kms, alias):
    try:
        key = kms.describe_key(aws_retry=True, KeyId=alias)["KeyMetadata"]
    except is_boto3_error_code("NotFoundException"):
        return {}
    key_id = key["KeyId"]
    found = concurrently(
        {
            "Policy": lambda: json.loads(kms.get_key_policy(aws_retry=True, KeyId=key_id, PolicyName="default")["Policy"]),
            "KeyRotationEnabled": lambda: kms.get_key_rotation_status(aws_retry=True, KeyId=key_id)["KeyRotationEnabled"],
            "Tags": lambda: paginated_query_with_retries(kms, "list_resource_tags", KeyId=key_id).get("Tags", []),
        }
    )
    found["Tags"] = {tag["TagKey"]: tag["TagValue"] for tag in found["Tags"]}
    return {**key, **found}


def read(params, aws):
    retry = AWSRetry.jittered_backoff(catch_extra_error_codes=["OperationAborted"])
    kms = aws.client("kms", retry_decorator=retry) if params["key_alias"] else None
    s3 = aws.client("s3", retry_decorator=retry) if params["buckets"] else None
    # The key and every bucket side by side (clients first: the session that makes them is not thread-safe).
    calls = {"key": partial(read_key, kms, params["key_alias"])} if kms else {}
    calls.update({f"bucket {index}": partial(read_bucket, s3, name) for index, name in enumerate(params["buckets"])})
    found = concurrently(calls)
    return {"key": found.get("key", {}), "buckets": [found[f"bucket {index}"] for index in range(len(params["buckets"]))]}


def main():
    run_reader(ARGUMENT_SPEC, read, FAILURE)


if __name__ == "__main__":
    main()
