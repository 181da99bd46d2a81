#!/usr/bin/python
# Copyright: corp.infra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: tag_conditioned_policy
short_description: Build S3 or DynamoDB access statements scoped to one environment's tag
version_added: 1.0.0
description:
  - Returns an IAM policy document that grants S3 object or DynamoDB table access only within one
    environment, with each condition key attached only to the actions that support it, per the AWS
    Service Authorization Reference (the table lives in the collection's C(module_utils/condition_keys.py)).
  - S3 - reads and tag reads get C(s3:ExistingObjectTag/<key>). C(PutObject), C(AbortMultipartUpload) and
    C(ListMultipartUploadParts) are scoped by a key-prefix resource with no tag condition - PutObject also
    authorises C(UploadPart) and C(CompleteMultipartUpload), which cannot carry C(x-amz-tagging), so a request-tag
    condition would deny every multipart upload (and is refused). An explicit Deny refuses any write whose
    request carries the tag with another value. C(Put*Tagging) keeps the tag to the environment's value, on an
    object that is untagged or already the environment's. C(DeleteObject), which supports no tag key, is scoped
    by the key prefix; C(ListBucket) gets C(s3:prefix).
  - DynamoDB - C(aws:ResourceTag/<key>) on the table and named index ARNs; with O(leading_keys),
    C(dynamodb:LeadingKeys) on the item actions, and C(Scan), which does not support it, is left out.
  - A request for an action and condition AWS does not evaluate together fails with a message naming both.
  - Makes no AWS request; the same input always gives byte-identical JSON (RV(policy_json)).
author:
  - Corp Platform Team (@corp-platform)
options:
  service:
    description: The service the access is for.
    type: str
    required: true
    choices: [s3, dynamodb]
  tag_key:
    description: The tag that names the environment.
    type: str
    default: Environment
  tag_value:
    description: The environment the access is scoped to.
    type: str
    required: true
  access:
    description:
      - Access levels. S3 - C(read), C(write) (single and multipart uploads, aborts, part listings, tagging),
        C(delete), C(list). DynamoDB - C(read), C(write).
    type: list
    elements: str
    default: []
  requests:
    description: Explicit actions, each list with an optional condition to check and use.
    type: list
    elements: dict
    default: []
    suboptions:
      actions:
        description: Exact actions (no wildcards).
        type: list
        elements: str
        required: true
      condition:
        description:
          - For S3, the condition to put on these actions. Omitted, each action gets the one it supports.
          - C(key_prefix) scopes by a resource prefix instead of a condition key.
        type: str
        choices: [existing_object_tag, request_object_tag, prefix, key_prefix]
  bucket_name:
    description: The bucket, for O(service=s3).
    type: str
  prefix:
    description: The environment's key prefix in the bucket. Required for C(delete) and C(list).
    type: str
  partition:
    description: The AWS partition of the ARNs.
    type: str
    default: aws
  table_name:
    description: The table, for O(service=dynamodb).
    type: str
  region:
    description: The table's region, for its ARN.
    type: str
  account_id:
    description: The table's account, for its ARN.
    type: str
  index_names:
    description: Indexes of the table the access also covers.
    type: list
    elements: str
    default: []
  leading_keys:
    description: Partition key values the principal may touch (C(dynamodb:LeadingKeys)).
    type: list
    elements: str
    default: []
attributes:
  check_mode:
    support: full
    description: Computes the same document; it changes nothing in any mode.
  diff_mode:
    support: none
    description: Returns a document; nothing to diff.
  platform:
    support: full
    platforms: all
    description: Pure computation, no AWS request.
"""

EXAMPLES = r"""
- name: Read, write, delete and list the prod objects of the data bucket
  corp.infra.tag_conditioned_policy:
    service: s3
    bucket_name: corp-s3-securedata-prod
    tag_value: prod
    prefix: prod/
    access: [read, write, delete, list]

- name: Read and write the prod table
  corp.infra.tag_conditioned_policy:
    service: dynamodb
    table_name: corp-dynamodb-main-prod
    region: ap-south-1
    account_id: "111122223333"
    tag_value: prod
    access: [read, write]
"""

RETURN = r"""
policy:
  description: The IAM policy document.
  returned: success
  type: dict
  sample:
    Version: "2012-10-17"
    Statement:
      - Sid: ReadObjectsTaggedForTheEnvironment
        Effect: Allow
        Action: ["s3:GetObject", "s3:GetObjectVersion"]
        Resource: arn:aws:s3:::corp-s3-securedata-prod/prod/*
        Condition:
          StringEquals:
            s3:ExistingObjectTag/Environment: prod
policy_json:
  description: The same document as canonical JSON (sorted keys, no spaces).
  returned: success
  type: str
  sample: '{"Statement":[...],"Version":"2012-10-17"}'
summary:
  description: One line per statement, saying what it allows on what and when.
  returned: success
  type: str
  sample: "ReadObjectsTaggedForTheEnvironment: allow s3:GetObject on arn:aws:s3:::corp-s3-securedata-prod/prod/* when ..."
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.corp.infra.plugins.module_utils.kms_policy import PolicyError
from ansible_collections.corp.infra.plugins.module_utils.kms_policy import policy_result
from ansible_collections.corp.infra.plugins.module_utils.tag_policy import ARGUMENT_SPEC
from ansible_collections.corp.infra.plugins.module_utils.tag_policy import build_tag_policy


def main():
    module = AnsibleModule(**ARGUMENT_SPEC, supports_check_mode=True)
    try:
        policy = build_tag_policy(module.params)
    except PolicyError as e:
        module.fail_json(msg=str(e))
    module.exit_json(**policy_result(policy))


if __name__ == "__main__":
    main()
