import pytest

from ansible_collections.corp.infra.plugins.module_utils.kms_policy import PolicyError
from ansible_collections.corp.infra.plugins.module_utils.kms_policy import canonical_json
from ansible_collections.corp.infra.plugins.module_utils.tag_policy import build_tag_policy

S3 = {"service": "s3", "bucket_name": "corp-s3-securedata-prod", "tag_key": "Environment", "tag_value": "prod", "prefix": "prod/"}
DDB = {
    "service": "dynamodb",
    "table_name": "corp-dynamodb-main-prod",
    "region": "ap-south-1",
    "account_id": "111122223333",
    "tag_key": "Environment",
    "tag_value": "prod",
}
SEED_FIX_4_ACTIONS = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:GetObjectVersion", "s3:ListBucket"]


def by_sid(policy):
    return {s["Sid"]: s for s in policy["Statement"]}


@pytest.mark.parametrize("access", [["read"], ["write"], ["delete"], ["list"], ["read", "write", "delete", "list"]])
def test_s3_access_levels_pass_parliament(access, parliament_findings):
    policy = build_tag_policy({**S3, "access": access})
    assert parliament_findings(policy) == []
    for statement in policy["Statement"]:
        resource = statement["Resource"]
        # The Deny covers the whole bucket: a write tagged for another environment is refused anywhere.
        allowed = ("arn:aws:s3:::corp-s3-securedata-prod", "arn:aws:s3:::corp-s3-securedata-prod/prod/*")
        assert resource in allowed or (statement["Effect"] == "Deny" and resource == "arn:aws:s3:::corp-s3-securedata-prod/*")


def test_s3_each_action_gets_the_key_it_supports():
    statements = by_sid(build_tag_policy({**S3, "access": ["read", "write", "delete", "list"]}))
    read = statements["ReadObjectsTaggedForTheEnvironment"]
    assert read["Condition"] == {"StringEquals": {"s3:ExistingObjectTag/Environment": "prod"}}
    assert "s3:GetObject" in read["Action"] and "s3:PutObject" not in read["Action"]
    # Writes, multipart uploads and deletes by key prefix: no request tag, which UploadPart cannot carry.
    by_prefix = statements["ObjectsUnderTheEnvironmentPrefix"]
    assert by_prefix["Action"] == ["s3:AbortMultipartUpload", "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:ListMultipartUploadParts", "s3:PutObject"]
    assert "Condition" not in by_prefix and by_prefix["Resource"] == "arn:aws:s3:::corp-s3-securedata-prod/prod/*"
    assert "WriteObjectsTaggedForTheEnvironment" not in statements
    retag = statements["RetagObjectsWithinTheEnvironment"]["Condition"]
    assert retag == {"StringEquals": {"s3:RequestObjectTag/Environment": "prod"}, "StringEqualsIfExists": {"s3:ExistingObjectTag/Environment": "prod"}}
    deny = statements["DenyObjectsTaggedForAnotherEnvironment"]
    assert deny["Effect"] == "Deny" and deny["Action"] == ["s3:PutObject", "s3:PutObjectTagging"]
    assert deny["Condition"] == {"Null": {"s3:RequestObjectTag/Environment": "false"}, "StringNotEquals": {"s3:RequestObjectTag/Environment": "prod"}}
    listing = statements["ListTheEnvironmentPrefix"]
    assert listing["Resource"] == "arn:aws:s3:::corp-s3-securedata-prod" and listing["Condition"] == {"StringLike": {"s3:prefix": ["prod/", "prod/*"]}}


def test_put_object_conditioned_on_a_request_tag_is_refused():
    # The earlier design: every multipart upload would be denied on AWS.
    with pytest.raises(PolicyError, match=r"s3:PutObject cannot be conditioned on s3:RequestObjectTag: .*UploadPart"):
        build_tag_policy({**S3, "requests": [{"actions": ["s3:PutObject"], "condition": "request_object_tag"}]})


def test_the_seeds_fix_4_is_refused_as_written(parliament_findings):
    seed = {"actions": SEED_FIX_4_ACTIONS, "condition": "existing_object_tag"}
    with pytest.raises(PolicyError, match=r"s3:DeleteObject, s3:ListBucket, s3:PutObject does not support the condition key s3:ExistingObjectTag/Environment"):
        build_tag_policy({**S3, "requests": [seed]})


def test_the_seeds_fix_4_is_corrected_when_conditions_are_left_to_the_module(parliament_findings):
    policy = build_tag_policy({**S3, "requests": [{"actions": SEED_FIX_4_ACTIONS}]})
    granted = sorted(a for s in policy["Statement"] if s["Effect"] == "Allow" for a in s["Action"])
    assert granted == sorted(SEED_FIX_4_ACTIONS)
    assert parliament_findings(policy) == []


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({**S3, "access": ["delete"], "prefix": None}, "prefix is required"),
        ({**S3, "access": ["list"], "prefix": "*"}, "prefix is required without wildcards"),
        ({**S3, "bucket_name": "*", "access": ["read"]}, "bucket_name must name one bucket"),
        ({**S3, "access": ["admin"]}, "access for s3 must be among"),
        ({**S3, "requests": [{"actions": ["s3:*"]}]}, "exact S3 actions"),
        ({**S3, "requests": [{"actions": ["s3:ListBucket"], "condition": "request_object_tag"}]}, "s3:ListBucket does not support"),
        ({**S3, "tag_value": "", "access": ["read"]}, "tag_key and tag_value are required"),
        ({**S3}, "access or requests must say what to allow"),
        ({**DDB, "access": ["read"], "leading_keys": ["t1"], "requests": [{"actions": ["dynamodb:Scan"]}]}, "Scan does not support dynamodb:LeadingKeys"),
        ({**DDB, "requests": [{"actions": ["dynamodb:ListTables"]}]}, "dynamodb:ListTables does not support the condition key aws:ResourceTag/Environment"),
        ({**DDB, "access": ["read"], "account_id": None}, "account_id is required"),
    ],
)
def test_requests_aws_cannot_honour_are_refused(params, message):
    with pytest.raises(PolicyError, match=message):
        build_tag_policy(params)


@pytest.mark.parametrize("leading_keys", [[], ["tenant-a", "tenant-b"]])
@pytest.mark.parametrize("access", [["read"], ["write"], ["read", "write"]])
def test_dynamodb_statements_pass_parliament(access, leading_keys, parliament_findings):
    policy = build_tag_policy({**DDB, "access": access, "leading_keys": leading_keys, "index_names": ["byOwner"]})
    assert parliament_findings(policy) == []
    table = "arn:aws:dynamodb:ap-south-1:111122223333:table/corp-dynamodb-main-prod"
    for statement in policy["Statement"]:
        assert statement["Resource"] == [table, f"{table}/index/byOwner"]
        assert statement["Condition"]["StringEquals"] == {"aws:ResourceTag/Environment": "prod"}


def test_dynamodb_leading_keys_only_on_item_actions_and_never_with_scan():
    statements = by_sid(build_tag_policy({**DDB, "access": ["read"], "leading_keys": ["tenant-a"]}))
    items = statements["DynamodbItemsOfThisEnvironment"]
    assert items["Condition"]["ForAllValues:StringEquals"] == {"dynamodb:LeadingKeys": ["tenant-a"]}
    assert "dynamodb:Scan" not in items["Action"] and "dynamodb:Query" in items["Action"]
    assert statements["DynamodbTableOfThisEnvironment"]["Action"] == ["dynamodb:DescribeTable"]
    without = {a for s in build_tag_policy({**DDB, "access": ["read"]})["Statement"] for a in s["Action"]}
    assert "dynamodb:Scan" in without


def test_deterministic_json():
    one = canonical_json(build_tag_policy({**S3, "access": ["list", "read", "write"]}))
    two = canonical_json(build_tag_policy({**S3, "access": ["write", "read", "list"]}))
    assert one == two
