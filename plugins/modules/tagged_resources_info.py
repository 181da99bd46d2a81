#!/usr/bin/python
# Copyright: corp.infra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: tagged_resources_info
short_description: Find resources by their tags through the Resource Groups Tagging API
version_added: 1.0.0
description:
  - Returns the ARN and tags of every resource in the region that carries all the given tags, optionally of
    given resource types, in one paginated GetResources call.
  - amazon.aws has no module for the Tagging API. Its info modules find resources by listing and describing
    each one (M(amazon.aws.kms_key_info) makes several requests per key in the region), which on a real account
    costs requests in proportion to everything the account holds.
  - corp.infra uses it to find a stack key that a killed run created but never aliased.
author:
  - Corp Platform Team (@corp-platform)
options:
  tags:
    description:
      - Tags every returned resource carries, as a mapping of key to value; a list of values matches any of them.
    type: dict
    required: true
  resource_types:
    description:
      - Resource types to return, in the Tagging API's C(service[:resourceType]) form, for example C(kms:key) or C(s3).
      - All types when empty.
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
    description: Talks to the Resource Groups Tagging API.
notes:
  - The Tagging API returns resources that are or were tagged, which can include a KMS key pending deletion;
    read the resource itself before acting on it.
"""

EXAMPLES = r"""
- name: Find the stack's customer-managed keys by their tags
  corp.infra.tagged_resources_info:
    resource_types: [kms:key]
    tags:
      Name: corp-kms-data-prod
      Environment: prod
      ManagedBy: corp.infra
  register: stack_keys
"""

RETURN = r"""
resources:
  description: The resources carrying every tag, in the order the API returns them.
  returned: always
  type: list
  elements: dict
  contains:
    resource_arn:
      description: The resource's ARN.
      type: str
      sample: arn:aws:kms:eu-west-1:111122223333:key/0d0c7e4e-1f6b-4a8e-9a57-3b3c0f3f0a11
    tags:
      description: Its tags, as a dict.
      type: dict
      sample: {"Environment": "prod", "ManagedBy": "corp.infra"}
"""

from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.corp.infra.plugins.module_utils.reads import ReadRefused
from ansible_collections.corp.infra.plugins.module_utils.reads import run_reader

ARGUMENT_SPEC = dict(
    tags=dict(type="dict", required=True),
    resource_types=dict(type="list", elements="str", default=[]),
)
FAILURE = "Failed to find resources tagged {tags}"


@AWSRetry.jittered_backoff()
def get_resources(client, **params):
    return client.get_paginator("get_resources").paginate(**params).build_full_result()


def tag_filters(tags):
    """The API's TagFilters for a mapping of key to value or list of values."""
    return [{"Key": key, "Values": [str(v) for v in (value if isinstance(value, list) else [value])]} for key, value in sorted(tags.items())]


def read(params, aws):
    if not params["tags"]:
        raise ReadRefused("tags: give at least one tag, or every resource in the region would match")
    request = {"TagFilters": tag_filters(params["tags"])}
    if params["resource_types"]:
        request["ResourceTypeFilters"] = params["resource_types"]
    found = get_resources(aws.client("resourcegroupstaggingapi"), **request).get("ResourceTagMappingList", [])
    return {"resources": [{"resource_arn": item["ResourceARN"], "tags": boto3_tag_list_to_ansible_dict(item.get("Tags", []))} for item in found]}


def main():
    run_reader(ARGUMENT_SPEC, read, FAILURE)


if __name__ == "__main__":
    main()
