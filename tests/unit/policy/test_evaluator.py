"""The test evaluator decides as AWS documents: the examples of "IAM JSON policy elements: Condition operators",
"Multivalued context keys" and "Policy evaluation logic" (IAM User Guide), and the KMS key-policy delegation of
"Key policies in AWS KMS" (KMS Developer Guide)."""

import pytest

from tests.policy.evaluator import ALLOW
from tests.policy.evaluator import EXPLICIT_DENY
from tests.policy.evaluator import IMPLICIT_DENY
from tests.policy.evaluator import Request
from tests.policy.evaluator import UnsupportedPolicy
from tests.policy.evaluator import conditions_hold
from tests.policy.evaluator import evaluate

ACCOUNT = "111122223333"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/app"


def holds(condition, **context):
    return conditions_hold(condition, Request("s3:GetObject", "arn:aws:s3:::b/k", ROLE, ACCOUNT, context))


# Condition operators page, "String condition operators": aws:PrincipalTag/job-category must be iamuser-admin;
# "If the key that you specify in a policy condition is not present in the request context, the values do not match".
def test_string_equals_and_an_absent_key():
    condition = {"StringEquals": {"aws:PrincipalTag/job-category": "iamuser-admin"}}
    assert holds(condition, **{"aws:PrincipalTag/job-category": "iamuser-admin"})
    assert not holds(condition, **{"aws:PrincipalTag/job-category": "IAMUSER-ADMIN"})  # values are case-sensitive
    assert holds(condition, **{"AWS:principaltag/JOB-CATEGORY": "iamuser-admin"})  # keys are not
    assert not holds(condition)


# "If the policy condition requires that the key is not matched, such as StringNotLike or ArnNotLike, and the right
# key is not present, the condition is true."
def test_negated_operators_hold_for_an_absent_key():
    assert holds({"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}})
    assert holds({"ArnNotLike": {"aws:SourceArn": "arn:aws:s3:::b"}})
    assert not holds({"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}, **{"s3:x-amz-server-side-encryption": "aws:kms"})
    # Several values for a negated operator: true only when the request matches none of them.
    assert not holds({"StringNotEquals": {"k": ["a", "b"]}}, k="b")
    assert holds({"StringNotEquals": {"k": ["a", "b"]}}, k="c")


# "StringLike ... can include a multi-character match wildcard (*) and a single-character match wildcard (?)".
def test_string_like_wildcards():
    condition = {"StringLike": {"s3:prefix": ["", "home/", "home/David/*"]}}
    assert holds(condition, **{"s3:prefix": "home/David/photos/"})
    assert holds(condition, **{"s3:prefix": ""})
    assert not holds(condition, **{"s3:prefix": "home/Bob/"})
    assert holds({"StringLike": {"k": "a?c"}}, k="abc") and not holds({"StringLike": {"k": "a?c"}}, k="abbc")
    assert not holds({"StringLike": {"k": "a[b]c"}}, k="abc")  # brackets are literal in IAM


# "Numeric condition operators": NumericLessThanEquals s3:max-keys 10.
def test_numeric():
    condition = {"NumericLessThanEquals": {"s3:max-keys": "10"}}
    assert holds(condition, **{"s3:max-keys": "10"}) and not holds(condition, **{"s3:max-keys": "11"})
    assert holds({"NumericLessThan": {"s3:TlsVersion": 1.2}}, **{"s3:TlsVersion": "1.1"})
    assert not holds({"NumericLessThan": {"s3:TlsVersion": 1.2}}, **{"s3:TlsVersion": "1.3"})


# "Boolean condition operators": aws:SecureTransport.
def test_bool():
    assert holds({"Bool": {"aws:SecureTransport": "true"}}, **{"aws:SecureTransport": "true"})
    assert holds({"Bool": {"aws:SecureTransport": "false"}}, **{"aws:SecureTransport": False})
    assert not holds({"Bool": {"aws:SecureTransport": "false"}})


# "Condition operator to check existence of condition keys": Null true when the key is absent.
def test_null():
    assert holds({"Null": {"aws:TokenIssueTime": "true"}})
    assert not holds({"Null": {"aws:TokenIssueTime": "true"}}, **{"aws:TokenIssueTime": "2026-01-01T00:00:00Z"})
    assert holds({"Null": {"aws:TokenIssueTime": "false"}}, **{"aws:TokenIssueTime": "2026-01-01T00:00:00Z"})


# "...IfExists condition operators": StringLikeIfExists ec2:InstanceType ["t1.*", "t2.*", "m3.*"].
def test_if_exists():
    condition = {"StringLikeIfExists": {"ec2:InstanceType": ["t1.*", "t2.*", "m3.*"]}}
    assert holds(condition)
    assert holds(condition, **{"ec2:InstanceType": "t2.micro"})
    assert not holds(condition, **{"ec2:InstanceType": "m5.large"})


# "ARN condition operators": each of the six colon-delimited parts is matched separately.
def test_arn_like():
    condition = {"ArnLike": {"aws:SourceArn": "arn:aws:ec2:eu-west-1:111122223333:vpc-flow-log/*"}}
    assert holds(condition, **{"aws:SourceArn": "arn:aws:ec2:eu-west-1:111122223333:vpc-flow-log/fl-1"})
    assert not holds(condition, **{"aws:SourceArn": "arn:aws:ec2:eu-west-1:444455556666:vpc-flow-log/fl-1"})
    assert not holds({"ArnLike": {"aws:SourceArn": "arn:aws:*"}}, **{"aws:SourceArn": "arn:aws:s3:::b"})  # five parts short


# "Multivalued context keys": ForAllValues is true when the key is absent or every value matches; ForAnyValue
# needs one match, and is false for an absent key.
def test_set_operators():
    all_of = {"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["tenant-a", "tenant-b"]}}
    assert holds(all_of, **{"dynamodb:LeadingKeys": ["tenant-a"]})
    assert not holds(all_of, **{"dynamodb:LeadingKeys": ["tenant-a", "tenant-c"]})
    assert holds(all_of)
    any_of = {"ForAnyValue:StringEquals": {"aws:TagKeys": ["Environment"]}}
    assert holds(any_of, **{"aws:TagKeys": ["Owner", "Environment"]})
    assert not holds(any_of)


def test_several_keys_and_operators_all_hold():
    condition = {"StringEquals": {"a": "1", "b": "2"}, "Bool": {"aws:SecureTransport": "true"}}
    assert holds(condition, a="1", b="2", **{"aws:SecureTransport": "true"})
    assert not holds(condition, a="1", b="3", **{"aws:SecureTransport": "true"})


def test_what_it_cannot_judge_fails_loudly():
    with pytest.raises(UnsupportedPolicy, match="DateGreaterThan"):
        holds({"DateGreaterThan": {"aws:CurrentTime": "2026-01-01T00:00:00Z"}}, **{"aws:CurrentTime": "2026-06-01T00:00:00Z"})
    with pytest.raises(UnsupportedPolicy, match="policy variables"):
        holds({"StringLike": {"s3:prefix": "home/${aws:username}/*"}}, **{"s3:prefix": "home/x/"})
    with pytest.raises(UnsupportedPolicy, match="multivalued"):
        holds({"StringEquals": {"aws:TagKeys": "a"}}, **{"aws:TagKeys": ["a"]})


READ = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}


# "Policy evaluation logic": an explicit deny in any policy overrides any allow; without an allow, the
# request is implicitly denied.
def test_explicit_deny_wins_and_the_default_is_deny():
    request = Request("s3:GetObject", "arn:aws:s3:::b/k", ROLE, ACCOUNT, {"aws:SecureTransport": "false"})
    tls_only = {
        "Statement": [
            {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
        ]
    }
    assert evaluate(request, identity=[{"Statement": [READ]}], resource=tls_only) == EXPLICIT_DENY
    assert evaluate(request, identity=[]) == IMPLICIT_DENY
    assert evaluate(Request("s3:PutObject", "arn:aws:s3:::b/k", ROLE, ACCOUNT), identity=[{"Statement": [READ]}]) == IMPLICIT_DENY


# Within one account, a resource policy naming the principal allows without an identity policy; one naming
# only the account delegates to the identity policies.
def test_resource_policy_in_the_same_account():
    request = Request("s3:GetObject", "arn:aws:s3:::b/k", ROLE, ACCOUNT)
    by_role = {"Statement": [{**READ, "Principal": {"AWS": ROLE}}]}
    by_account = {"Statement": [{**READ, "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}}]}
    assert evaluate(request, resource=by_role) == ALLOW
    assert evaluate(request, resource=by_account) == IMPLICIT_DENY
    assert evaluate(request, resource=by_account, identity=[{"Statement": [READ]}]) == ALLOW


# A permissions boundary limits: the identity policy and the boundary must both allow.
def test_permissions_boundary_limits():
    request = Request("s3:GetObject", "arn:aws:s3:::b/k", ROLE, ACCOUNT)
    boundary = {"Statement": [{"Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"}]}
    assert evaluate(request, identity=[{"Statement": [READ]}], boundary=boundary) == IMPLICIT_DENY


# KMS: "the key policy ... must allow" the request; a statement for the account principal lets IAM policies
# allow it too ("Allows access to the AWS account and enables IAM policies").
def test_key_policy_must_allow_or_delegate():
    key = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    request = Request("kms:Decrypt", key, ROLE, ACCOUNT)
    use = {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": key}
    delegate = {"Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "kms:*", "Resource": "*"}]}
    assert evaluate(request, identity=[{"Statement": [use]}], key_policy={"Statement": []}) == IMPLICIT_DENY
    assert evaluate(request, identity=[], key_policy=delegate) == IMPLICIT_DENY
    assert evaluate(request, identity=[{"Statement": [use]}], key_policy=delegate) == ALLOW
    direct = {"Statement": [{"Effect": "Allow", "Principal": {"AWS": ROLE}, "Action": "kms:Decrypt", "Resource": "*"}]}
    assert evaluate(request, key_policy=direct) == ALLOW


# A VPC endpoint policy only limits: a request through the endpoint needs its allow as well.
def test_endpoint_policy_limits():
    request = Request("s3:GetObject", "arn:aws:s3:::b/k", ROLE, ACCOUNT)
    other_bucket = {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::other/*"}]}
    assert evaluate(request, identity=[{"Statement": [READ]}], endpoint=other_bucket) == IMPLICIT_DENY
    assert evaluate(request, identity=[{"Statement": [READ]}]) == ALLOW


def test_actions_match_case_insensitively_with_wildcards():
    request = Request("s3:GetObjectTagging", "arn:aws:s3:::b/k", ROLE, ACCOUNT)
    assert evaluate(request, identity=[{"Statement": [{"Effect": "Allow", "Action": "S3:Get*", "Resource": "arn:aws:s3:::b/*"}]}]) == ALLOW
    assert evaluate(request, identity=[{"Statement": [{"Effect": "Allow", "NotAction": "s3:Get*", "Resource": "*"}]}]) == IMPLICIT_DENY
