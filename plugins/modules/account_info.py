#!/usr/bin/python
# Copyright: corp.infra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: account_info
short_description: The AWS account and partition of the credentials in use
version_added: 1.0.0
description:
  - Asks STS who the caller is (GetCallerIdentity) and returns the account id, the partition and the caller's ARN.
  - The same request as M(amazon.aws.aws_caller_info).
author:
  - Corp Platform Team (@corp-platform)
options: {}
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - corp.infra.read_only
attributes:
  platform:
    support: full
    platforms: aws
    description: Talks to STS. GetCallerIdentity needs no IAM permission.
"""

EXAMPLES = r"""
- name: Resolve the account the stack is deployed in
  corp.infra.account_info:
  register: account
"""

RETURN = r"""
account_id:
  description: The account of the credentials.
  returned: always
  type: str
  sample: "123456789012"
partition:
  description: The partition of that account.
  returned: always
  type: str
  sample: aws
arn:
  description: The ARN of the caller.
  returned: always
  type: str
  sample: arn:aws:iam::123456789012:user/deployer
"""

from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.corp.infra.plugins.module_utils.reads import run_reader

ARGUMENT_SPEC: dict = {}
FAILURE = "Failed to read the caller identity"


def read(params, aws):
    caller = aws.client("sts", retry_decorator=AWSRetry.jittered_backoff()).get_caller_identity(aws_retry=True)
    return {"account_id": caller["Account"], "partition": caller["Arn"].split(":")[1], "arn": caller["Arn"]}


def main():
    run_reader(ARGUMENT_SPEC, read, FAILURE)


if __name__ == "__main__":
    main()
