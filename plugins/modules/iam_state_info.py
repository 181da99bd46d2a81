#!/usr/bin/python
# Copyright: corp.infra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: iam_state_info
short_description: Read IAM roles and customer managed policies by name and ARN, in one process
version_added: 1.0.0
description:
  - Reads IAM roles by name (GetRole, with the ARNs of their attached managed policies) and customer managed
    policies by ARN (GetPolicy, every version's id and the default version's document).
  - The iam role reads its roles and policy with it once, compares them with what it asks for (the filter
    R(corp.infra.iam_drift,ansible_collections.corp.infra.iam_drift_filter)), and calls M(amazon.aws.iam_role) or
    M(amazon.aws.iam_managed_policy) only for what differs. Reading a policy by its ARN costs three requests;
    M(amazon.aws.iam_managed_policy) finds it by name by listing every policy in the account, AWS-managed ones
    included.
author:
  - Corp Platform Team (@corp-platform)
options:
  roles:
    description: Names of the roles to read.
    type: list
    elements: str
    default: []
  policies:
    description: ARNs of the customer managed policies to read.
    type: list
    elements: str
    default: []
  instance_profiles:
    description: Names of the instance profiles to read.
    type: list
    elements: str
    default: []
  role_policies:
    description: Inline policies of roles to read, each C(<role name>/<policy name>).
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
    description: Talks to IAM.
"""

EXAMPLES = r"""
- name: Read the data access role and its policy once
  corp.infra.iam_state_info:
    roles: [corp-iam-dataaccess-prod]
    policies: [arn:aws:iam::123456789012:policy/corp-iam-dataaccess-prod]
    instance_profiles: [corp-iam-dataaccess-prod]
  register: iam_state
"""

RETURN = r"""
roles:
  description:
    - Role name -> the role as GetRole returns it (its trust policy decoded), with C(AttachedPolicyArns) added
      (ListAttachedRolePolicies); an empty dict for a role that does not exist.
  returned: always
  type: dict
policies:
  description:
    - Policy ARN -> the policy as GetPolicy returns it, with C(VersionIds) (ListPolicyVersions) and C(Document),
      the default version's document (GetPolicyVersion), added; an empty dict for a policy that does not exist.
  returned: always
  type: dict
instance_profiles:
  description:
    - Instance profile name -> the instance profile as GetInstanceProfile returns it (with its C(Roles) and
      C(Tags)); an empty dict for one that does not exist.
  returned: always
  type: dict
role_policies:
  description:
    - C(<role name>/<policy name>) -> the inline policy's document (GetRolePolicy, decoded); an empty dict when the role
      or the policy does not exist.
  returned: always
  type: dict
"""


from functools import partial

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.corp.infra.plugins.module_utils.reads import all_pages
from ansible_collections.corp.infra.plugins.module_utils.reads import concurrently
from ansible_collections.corp.infra.plugins.module_utils.reads import policy_document
from ansible_collections.corp.infra.plugins.module_utils.reads import read_managed_policy
from ansible_collections.corp.infra.plugins.module_utils.reads import run_reader

ARGUMENT_SPEC = dict(
    roles=dict(type="list", elements="str", default=[]),
    policies=dict(type="list", elements="str", default=[]),
    instance_profiles=dict(type="list", elements="str", default=[]),
    role_policies=dict(type="list", elements="str", default=[]),
)
FAILURE = "Failed to read the IAM roles and policies"


def read_role(iam, name):
    try:
        role = iam.get_role(aws_retry=True, RoleName=name)["Role"]
    except is_boto3_error_code("NoSuchEntity"):
        return {}
    role["AttachedPolicyArns"] = [p["PolicyArn"] for p in all_pages(iam, "list_attached_role_policies", "AttachedPolicies", RoleName=name)]
    return role


def read_instance_profile(iam, name):
    try:
        return iam.get_instance_profile(aws_retry=True, InstanceProfileName=name)["InstanceProfile"]
    except is_boto3_error_code("NoSuchEntity"):
        return {}


def read_role_policy(iam, role_and_name):
    role, _sep, name = role_and_name.partition("/")
    try:
        document = iam.get_role_policy(aws_retry=True, RoleName=role, PolicyName=name)["PolicyDocument"]
    except is_boto3_error_code("NoSuchEntity"):
        return {}
    return policy_document(document)


def read(params, aws):
    iam = aws.client("iam", retry_decorator=AWSRetry.jittered_backoff())
    # Every role, policy, instance profile and inline policy side by side.
    kinds = {
        "roles": (read_role, params["roles"]),
        "policies": (read_managed_policy, params["policies"]),
        "instance_profiles": (read_instance_profile, params.get("instance_profiles") or []),
        "role_policies": (read_role_policy, params.get("role_policies") or []),
    }
    found = concurrently({(kind, name): partial(reader, iam, name) for kind, (reader, names) in kinds.items() for name in names})
    return {kind: {name: found[(kind, name)] for name in names} for kind, (_reader, names) in kinds.items()}


def main():
    run_reader(ARGUMENT_SPEC, read, FAILURE)


if __name__ == "__main__":
    main()
