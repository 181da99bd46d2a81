"""tagged_resources_info asks the Tagging API for resources carrying every tag, across pages."""

import boto3
from botocore.stub import Stubber

from ansible_collections.corp.infra.plugins.modules import tagged_resources_info

KEY = "arn:aws:kms:eu-west-1:111122223333:key/{}"


def test_tags_become_filters_a_list_matching_any_value():
    filters = tagged_resources_info.tag_filters({"Name": "corp-kms-data-prod", "Environment": ["prod", "prod2"], "Tier": 1})
    assert filters == [
        {"Key": "Environment", "Values": ["prod", "prod2"]},
        {"Key": "Name", "Values": ["corp-kms-data-prod"]},
        {"Key": "Tier", "Values": ["1"]},
    ]


def test_every_page_is_read():
    client = boto3.client("resourcegroupstaggingapi", region_name="eu-west-1", aws_access_key_id="k", aws_secret_access_key="s")
    filters = tagged_resources_info.tag_filters({"ManagedBy": "corp.infra"})
    with Stubber(client) as stub:
        first = {"ResourceTagMappingList": [{"ResourceARN": KEY.format(1), "Tags": [{"Key": "ManagedBy", "Value": "corp.infra"}]}], "PaginationToken": "p2"}
        stub.add_response("get_resources", first, {"TagFilters": filters, "ResourceTypeFilters": ["kms:key"]})
        second = {"ResourceTagMappingList": [{"ResourceARN": KEY.format(2), "Tags": []}], "PaginationToken": ""}
        stub.add_response("get_resources", second, {"TagFilters": filters, "ResourceTypeFilters": ["kms:key"], "PaginationToken": "p2"})
        found = tagged_resources_info.get_resources(client, TagFilters=filters, ResourceTypeFilters=["kms:key"])
    assert [r["ResourceARN"] for r in found["ResourceTagMappingList"]] == [KEY.format(1), KEY.format(2)]
