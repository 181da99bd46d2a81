#!/usr/bin/python
# Copyright: corp.infra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: kms_context_policy
short_description: Build the least-privilege KMS statements to use one key through one AWS service
version_added: 1.0.0
description:
  - Returns an IAM policy document that lets a principal use one customer-managed KMS key only through
    one service, for the data that service encrypts, and nothing else.
  - C(Resource) is the exact key ARN; an alias or a wildcard is refused. C(kms:ViaService) is
    C(<service>.<region>.amazonaws.com). The encryption-context condition is the service's real context,
    attached only to the actions that carry one.
  - S3 - C(kms:EncryptionContext:aws:s3:arn) is the bucket ARN when S3 Bucket Keys are on (the context S3
    then sends), the object ARN pattern when they are off.
  - DynamoDB - C(aws:dynamodb:tableName) and C(aws:dynamodb:subscriberId). Secrets Manager - C(SecretARN).
    RDS Performance Insights - C(aws:pi:service), C(service) and C(aws:rds:db-id).
  - Actions are the minimum for the access asked for, never C(kms:*) or key administration.
  - Makes no AWS request. The same input always gives byte-identical JSON (RV(policy_json)), so applying
    it with M(amazon.aws.iam_managed_policy) is idempotent.
author:
  - Corp Platform Team (@corp-platform)
options:
  service:
    description: The service that uses the key on the principal's behalf.
    type: str
    required: true
    choices: [s3, dynamodb, secretsmanager, rds]
  key_arn:
    description: The key's ARN, C(arn:aws:kms:<region>:<account>:key/<key-id>). Aliases and wildcards are refused.
    type: str
    required: true
  access:
    description: What the principal does with the service's data.
    type: list
    elements: str
    choices: [read, write]
    required: true
  bucket_name:
    description: The bucket, for O(service=s3).
    type: str
  bucket_key_enabled:
    description: Whether the bucket uses S3 Bucket Keys, which changes the encryption context to the bucket ARN.
    type: bool
    default: true
  object_prefix:
    description: With O(bucket_key_enabled=false), limit the context to objects under this key prefix.
    type: str
  table_name:
    description: The table, for O(service=dynamodb).
    type: str
  secret_arn:
    description: The secret's ARN, for O(service=secretsmanager).
    type: str
  db_resource_id:
    description: The DB instance's C(DbiResourceId) (C(db-...)), for O(service=rds) (Performance Insights).
    type: str
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
- name: Let the data role read and write the bucket's objects with the stack key
  corp.infra.kms_context_policy:
    service: s3
    key_arn: arn:aws:kms:ap-south-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab
    bucket_name: corp-s3-securedata-prod
    access: [read, write]
  register: kms_statements

- name: Read items of a DynamoDB table encrypted with the key
  corp.infra.kms_context_policy:
    service: dynamodb
    key_arn: arn:aws:kms:ap-south-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab
    table_name: corp-dynamodb-main-prod
    access: [read]
"""

RETURN = r"""
policy:
  description: The IAM policy document.
  returned: success
  type: dict
  sample:
    Version: "2012-10-17"
    Statement:
      - Sid: UseS3KeyReadWrite
        Effect: Allow
        Action: ["kms:Decrypt", "kms:GenerateDataKey"]
        Resource: arn:aws:kms:ap-south-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab
        Condition:
          StringEquals:
            kms:ViaService: s3.ap-south-1.amazonaws.com
            kms:EncryptionContext:aws:s3:arn: arn:aws:s3:::corp-s3-securedata-prod
policy_json:
  description: The same document as canonical JSON (sorted keys, no spaces).
  returned: success
  type: str
  sample: '{"Statement":[...],"Version":"2012-10-17"}'
summary:
  description: One line per statement, saying what it allows on what and when.
  returned: success
  type: str
  sample: "UseS3KeyReadWrite: allow kms:Decrypt, kms:GenerateDataKey on arn:aws:kms:... when ..."
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.corp.infra.plugins.module_utils.kms_policy import ARGUMENT_SPEC
from ansible_collections.corp.infra.plugins.module_utils.kms_policy import PolicyError
from ansible_collections.corp.infra.plugins.module_utils.kms_policy import build_kms_policy
from ansible_collections.corp.infra.plugins.module_utils.kms_policy import policy_result


def main():
    module = AnsibleModule(**ARGUMENT_SPEC, supports_check_mode=True)
    try:
        policy = build_kms_policy(module.params)
    except PolicyError as e:
        module.fail_json(msg=str(e))
    module.exit_json(**policy_result(policy))


if __name__ == "__main__":
    main()
