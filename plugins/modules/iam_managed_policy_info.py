#!/usr/bin/python
# Copyright: corp.infra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: iam_managed_policy_info
short_description: Read a customer-managed IAM policy, its default document and its tags
version_added: 1.0.0
description:
  - Returns one customer-managed policy by ARN, with the document of its default version and its tags,
    or RV(exists=false) when there is none.
  - amazon.aws has no info module for managed policies; corp.infra uses this one to show policy changes in
    C(--check --diff) and to remove only the policies it tagged.
author:
  - Corp Platform Team (@corp-platform)
options:
  arn:
    description: The policy's ARN.
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
    description: Talks to the IAM API.
"""

EXAMPLES = r"""
- name: Read the data access policy
  corp.infra.iam_managed_policy_info:
    arn: arn:aws:iam::111122223333:policy/corp-iam-dataaccess-prod
  register: data_access_policy
"""

RETURN = r"""
exists:
  description: Whether the policy exists.
  returned: always
  type: bool
  sample: true
policy:
  description: The policy; empty when it does not exist.
  returned: always
  type: dict
  contains:
    arn:
      description: The policy ARN.
      type: str
      sample: arn:aws:iam::111122223333:policy/corp-iam-dataaccess-prod
    policy_name:
      description: The policy name.
      type: str
      sample: corp-iam-dataaccess-prod
    default_version_id:
      description: The default version.
      type: str
      sample: v1
    attachment_count:
      description: How many identities it is attached to.
      type: int
      sample: 1
    document:
      description: The default version's document, as a dict.
      type: dict
      sample: {"Version": "2012-10-17", "Statement": []}
    tags:
      description: The tags, as a dict.
      type: dict
      sample: {"ManagedBy": "corp.infra"}
"""


from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.corp.infra.plugins.module_utils.reads import read_managed_policy
from ansible_collections.corp.infra.plugins.module_utils.reads import run_reader

ARGUMENT_SPEC = dict(arn=dict(type="str", required=True))
FAILURE = "Failed to read the managed policy"


def get_policy(client, arn):
    """The policy with its default document and tags, or None when IAM has no such policy."""
    policy = read_managed_policy(client, arn)
    if not policy:
        return None
    return {
        "arn": policy["Arn"],
        "policy_name": policy["PolicyName"],
        "default_version_id": policy["DefaultVersionId"],
        "attachment_count": policy.get("AttachmentCount", 0),
        "document": policy["Document"],
        "tags": boto3_tag_list_to_ansible_dict(policy["Tags"]),
    }


def read(params, aws):
    policy = get_policy(aws.client("iam", retry_decorator=AWSRetry.jittered_backoff()), params["arn"])
    return {"exists": policy is not None, "policy": policy or {}}


def main():
    run_reader(ARGUMENT_SPEC, read, FAILURE)


if __name__ == "__main__":
    main()
