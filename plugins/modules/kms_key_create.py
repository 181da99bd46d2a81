#!/usr/bin/python
# Copyright: corp.infra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: kms_key_create
short_description: Create a symmetric KMS key with its policy, tags, rotation and alias, through KMS's eventual consistency
version_added: 1.0.0
description:
  - Creates a symmetric encryption key (C(SYMMETRIC_DEFAULT), C(ENCRYPT_DECRYPT)) with its key policy, description and
    tags, turns automatic rotation on, and points O(alias) at it.
  - Does nothing when O(alias) already names a key. Changing an existing key (policy, tags, rotation, enabling a
    disabled key) is M(amazon.aws.kms_key)'s job; this module fills the one gap that module has, its creation path.
  - AWS KMS is eventually consistent. Right after C(CreateKey), KMS may answer C(NotFoundException) for the new key
    (AWS KMS Developer Guide, "AWS KMS eventual consistency"). M(amazon.aws.kms_key) sends C(CreateAlias) at once and
    does not retry it, so a run fails with the key created and no alias. This module retries every request naming
    the new key on C(NotFoundException), with amazon.aws's jittered backoff (10 retries, each a random wait up to 3,
    6, 12... 60 seconds), and C(CreateKey) itself while KMS does not yet see a principal its policy names
    (C(MalformedPolicyDocumentException) "invalid principals", AWS KMS API Reference, CreateKey).
author:
  - Corp Platform Team (@corp-platform)
options:
  alias:
    description: The alias, with or without its C(alias/) prefix.
    type: str
    required: true
  description:
    description: The key's description.
    type: str
    default: ""
  policy:
    description: The key policy (a JSON document, as a dict or a string).
    type: json
    required: true
  tags:
    description: The key's tags.
    type: dict
    default: {}
  enable_key_rotation:
    description: Turn automatic yearly rotation on (Security Hub KMS.4).
    type: bool
    default: true
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
attributes:
  check_mode:
    support: full
    description: Reads the alias and reports whether a key would be created.
  diff_mode:
    support: none
    description: A creation has no before; the run's result names the new key.
  platform:
    support: full
    platforms: aws
    description: Talks to AWS KMS.
notes:
  - "IAM actions: C(kms:DescribeKey), C(kms:CreateKey), C(kms:TagResource), C(kms:EnableKeyRotation),
    C(kms:CreateAlias) (on the alias and the key)."
  - A run that fails after C(CreateKey) (KMS never showed the key within the retries) leaves a key with its tags and
    no alias. The error names it; corp.infra's s3 role adopts such a key on its next run instead of creating another.
seealso:
  - name: AWS KMS eventual consistency
    description: AWS KMS Developer Guide.
    link: https://docs.aws.amazon.com/kms/latest/developerguide/accessing-kms.html#programming-eventual-consistency
  - module: amazon.aws.kms_key
"""

EXAMPLES = r"""
- name: Create the prod data key unless alias/corp-kms-data-prod names one
  corp.infra.kms_key_create:
    alias: corp-kms-data-prod
    description: corp.infra data key for prod
    policy: "{{ lookup('ansible.builtin.file', 'key-policy.json') }}"
    tags:
      Environment: prod
      ManagedBy: corp.infra
"""

RETURN = r"""
key_arn:
  description: The ARN of the key the alias names (empty in check mode when the key would be created).
  returned: always
  type: str
  sample: arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab
key_id:
  description: Its key id (empty in check mode when the key would be created).
  returned: always
  type: str
  sample: 1234abcd-12ab-34cd-56ef-1234567890ab
alias:
  description: The alias, with its C(alias/) prefix.
  returned: always
  type: str
  sample: alias/corp-kms-data-prod
"""

import json

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.corp.infra.plugins.module_utils.propagation import propagation_retry

# Requests naming a key KMS has just created: NotFoundException until the key has propagated.
new_key_retry = AWSRetry.jittered_backoff(retries=10, delay=3, max_delay=60, catch_extra_error_codes=["NotFoundException"])


def alias_name(alias):
    return alias if alias.startswith("alias/") else f"alias/{alias}"


def key_of_alias(client, alias):
    """The metadata of the key ``alias`` names, or None."""
    try:
        return client.describe_key(aws_retry=True, KeyId=alias)["KeyMetadata"]
    except is_boto3_error_code("NotFoundException"):
        return None


def create(client, params):
    """Create the key, then turn rotation on and name it, each request retried while the new key propagates."""
    policy = params["policy"] if isinstance(params["policy"], str) else json.dumps(params["policy"])
    tags = ansible_dict_to_boto3_tag_list(params["tags"], tag_name_key_name="TagKey", tag_value_key_name="TagValue")
    request = dict(Policy=policy, Description=params["description"], KeySpec="SYMMETRIC_DEFAULT", KeyUsage="ENCRYPT_DECRYPT", Tags=tags)
    key = client.create_key(aws_retry=True, **request)["KeyMetadata"]
    try:
        if params["enable_key_rotation"]:
            new_key_retry(client.enable_key_rotation)(KeyId=key["KeyId"])
        new_key_retry(client.create_alias)(AliasName=alias_name(params["alias"]), TargetKeyId=key["KeyId"])
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as error:
        error.corp_key_arn = key["Arn"]
        raise
    return key


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            alias=dict(type="str", required=True),
            description=dict(type="str", default=""),
            policy=dict(type="json", required=True),
            tags=dict(type="dict", default={}),
            enable_key_rotation=dict(type="bool", default=True),
        ),
        supports_check_mode=True,
    )
    alias = alias_name(module.params["alias"])
    # CreateKey is retried while KMS does not yet see a principal the policy names (module_utils/propagation.py).
    client = module.client("kms", retry_decorator=propagation_retry())
    try:
        existing = key_of_alias(client, alias)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as error:
        module.fail_json_aws(error, msg=f"Failed to read {alias}")
    if existing:
        module.exit_json(changed=False, key_arn=existing["Arn"], key_id=existing["KeyId"], alias=alias)
    if module.check_mode:
        module.exit_json(changed=True, key_arn="", key_id="", alias=alias)
    try:
        key = create(client, module.params)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as error:
        made = getattr(error, "corp_key_arn", "")
        module.fail_json_aws(error, msg=f"Failed to create {alias}" + (f": {made} was created without it (the next run adopts it)" if made else ""))
    module.exit_json(changed=True, key_arn=key["Arn"], key_id=key["KeyId"], alias=alias)


if __name__ == "__main__":
    main()
