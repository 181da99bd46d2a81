import pytest

from ansible_collections.corp.infra.plugins.module_utils.endpoint_policy import gateway_endpoint_policy
from ansible_collections.corp.infra.plugins.module_utils.kms_policy import PolicyError
from ansible_collections.corp.infra.plugins.module_utils.tag_policy import S3_ACCESS

ACCOUNT = "111122223333"


def test_s3_endpoint_names_the_buckets_objects_and_this_account_only(parliament_findings):
    policy = gateway_endpoint_policy("s3", ACCOUNT, "aws", "eu-west-1", bucket_names=["corp-s3-securedata-prod"])
    (statement,) = policy["Statement"]
    assert statement["Resource"] == ["arn:aws:s3:::corp-s3-securedata-prod", "arn:aws:s3:::corp-s3-securedata-prod/*"]
    assert statement["Condition"] == {"StringEquals": {"aws:PrincipalAccount": ACCOUNT}}
    # Every action a stack role can be given passes, and nothing else (no s3:*).
    assert statement["Action"] == sorted({a for level in S3_ACCESS.values() for a in level})
    assert parliament_findings(policy) == []


def test_dynamodb_endpoint_names_the_table_and_its_indexes():
    policy = gateway_endpoint_policy("dynamodb", ACCOUNT, "aws", "eu-west-1", table_names=["corp-dynamodb-main-prod"])
    table = f"arn:aws:dynamodb:eu-west-1:{ACCOUNT}:table/corp-dynamodb-main-prod"
    assert policy["Statement"][0]["Resource"] == [table, f"{table}/index/*"]


def test_extra_statements_go_to_the_endpoint_of_their_service():
    repos = {"Sid": "Repos", "Effect": "Allow", "Principal": "*", "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::al2023-repos-eu-west-1-de612dc2/*"]}
    s3 = gateway_endpoint_policy("s3", ACCOUNT, "aws", "eu-west-1", ["b"], ["t"], [repos])
    dynamodb = gateway_endpoint_policy("dynamodb", ACCOUNT, "aws", "eu-west-1", ["b"], ["t"], [repos])
    assert s3["Statement"][1] == repos and len(dynamodb["Statement"]) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("s3", ACCOUNT, "aws", "eu-west-1", ["*"]), "bucket_names must name the stack's buckets exactly"),
        (("dynamodb", ACCOUNT, "aws", None, [], ["t"]), "table_names and region"),
        (("sqs", ACCOUNT), "service must be one of s3, dynamodb"),
        (("s3", "123", "aws", "eu-west-1", ["b"]), "account_id must be 12 digits"),
        (("s3", ACCOUNT, "aws", "eu-west-1", ["b"], [], [{"Effect": "Allow", "Action": ["s3:GetObject", "dynamodb:GetItem"]}]), "not both"),
    ],
)
def test_what_cannot_be_an_endpoint_policy_is_refused(args, message):
    with pytest.raises(PolicyError, match=message):
        gateway_endpoint_policy(*args)
