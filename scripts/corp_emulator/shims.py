"""Small patches that make moto answer like real AWS where amazon.aws / community.aws depend on it.

Each shim names the AWS API reference that documents the field, and has a unit test in
tests/unit/scripts/test_emulator_shims.py. A shim only adds what AWS documents; it never relaxes a
check, so a role that passes here also passes against AWS.
"""

from __future__ import annotations

import re
import uuid
from typing import Any
from typing import Callable

_APPLIED: list[str] = []


def add_dynamodb_table_id(table_cls: Any) -> None:
    """DescribeTable / CreateTable / UpdateTable / DeleteTable: add ``TableDescription.TableId``.

    AWS documents ``TableId`` as "Unique identifier for the table for which the backup was created"
    (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TableDescription.html); it is a
    UUID fixed for the table's lifetime. moto 5.x omits it, and community.aws.dynamodb_table reads
    ``table["table_id"]`` unconditionally (KeyError 'table_id').
    """
    original: Callable[..., dict[str, Any]] = table_cls.describe
    if getattr(original, "_corp_shim", False):
        return

    def describe(self: Any, base_key: str = "TableDescription") -> dict[str, Any]:
        result = original(self, base_key)
        if not hasattr(self, "_corp_table_id"):
            self._corp_table_id = str(uuid.uuid4())
        result[base_key].setdefault("TableId", self._corp_table_id)
        return result

    describe._corp_shim = True  # type: ignore[attr-defined]
    table_cls.describe = describe
    _APPLIED.append("dynamodb:TableId")


def allow_anonymous_principal_in_log_bucket_policy(bucket_cls: Any) -> None:
    """PutBucketLogging: accept a target bucket whose policy has a ``"Principal": "*"`` statement.

    IAM documents ``"Principal": "*"`` as a valid principal
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-anonymous),
    and S3's own TLS guardrail examples use it in Deny statements. moto 5.x checks the target bucket's policy
    for the log delivery grant with ``stmt["Principal"].get("Service")`` and answers 500 on such a statement.
    This replacement reads the same grant (Allow, logging.s3.amazonaws.com, s3:PutObject, the bucket or
    prefix resource) and skips statements whose principal is not a mapping, as they cannot be that grant.
    """
    original = bucket_cls._log_permissions_enabled_policy
    if getattr(original, "_corp_shim", False):
        return
    import json

    def _log_permissions_enabled_policy(target_bucket: Any, target_prefix: str | None) -> bool:
        if not target_bucket.policy:
            return False
        statements = json.loads(target_bucket.policy.decode()).get("Statement", [])
        statements = statements if isinstance(statements, list) else [statements]
        arn = f"arn:{target_bucket.partition}:s3:::{target_bucket.name}"
        allowed = {f"{arn}/{target_prefix or ''}*", f"{arn}/*", arn}
        for statement in statements:
            principal = statement.get("Principal")
            actions = statement.get("Action", [])
            actions = actions if isinstance(actions, list) else [actions]
            if (
                isinstance(principal, dict)
                and principal.get("Service") == "logging.s3.amazonaws.com"
                and statement.get("Effect") == "Allow"
                and "s3:PutObject" in actions
                and statement.get("Resource") in allowed
            ):
                return True
        return False

    _log_permissions_enabled_policy._corp_shim = True  # type: ignore[attr-defined]
    bucket_cls._log_permissions_enabled_policy = staticmethod(_log_permissions_enabled_policy)
    _APPLIED.append("s3:PutBucketLogging-anonymous-principal")


# What AWS's S3 endpoints see of every request the emulator answers: they only speak HTTPS, and current
# botocore negotiates TLS 1.2 or newer. The emulator stands in for such an endpoint over loopback HTTP.
S3_REQUEST_CONTEXT = {"aws:SecureTransport": "true", "s3:TlsVersion": "1.3"}


def _condition_holds(operator: str, key: str, expected: Any, context: dict[str, str]) -> bool:
    """One condition of a policy statement, per the IAM policy evaluation logic; unknown operators hold
    (moto's own behaviour), a key missing from the request context does not
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html)."""
    values = expected if isinstance(expected, list) else [expected]
    actual = context.get(key)
    base = operator.removesuffix("IfExists")
    if actual is None:
        return operator.endswith("IfExists")
    if base == "Bool":
        return any(str(v).lower() == actual.lower() for v in values)
    if base.startswith("Numeric"):
        compare = {
            "NumericEquals": lambda a, b: a == b,
            "NumericNotEquals": lambda a, b: a != b,
            "NumericLessThan": lambda a, b: a < b,
            "NumericLessThanEquals": lambda a, b: a <= b,
            "NumericGreaterThan": lambda a, b: a > b,
            "NumericGreaterThanEquals": lambda a, b: a >= b,
        }.get(base)
        return True if compare is None else any(compare(float(actual), float(v)) for v in values)
    if base == "StringEquals":
        return actual in [str(v) for v in values]
    if base == "StringNotEquals":
        return actual not in [str(v) for v in values]
    return True


def evaluate_bucket_policy_conditions(bucket_cls: Any) -> None:
    """Object requests: apply a bucket policy statement only when its conditions hold for the request.

    moto 5.x ignores condition operators other than StringEquals, so a TLS guardrail such as
    ``Deny s3:* when aws:SecureTransport is false`` (https://docs.aws.amazon.com/AmazonS3/latest/userguide/example-bucket-policies.html)
    denies every object request. This evaluates Bool, Numeric* and String(Not)Equals conditions against the
    context an S3 endpoint sees (S3_REQUEST_CONTEXT) and leaves statements that do not apply out, then lets
    moto judge the rest as before.
    """
    original = bucket_cls.get_permission
    if getattr(original, "_corp_shim", False):
        return
    import json

    def get_permission(self: Any, action: str, resource: str) -> Any:
        from moto.iam.access_control import IAMPolicy
        from moto.iam.access_control import PermissionResult

        if self.policy is None:
            return PermissionResult.NEUTRAL
        document = json.loads(self.policy.decode())
        statements = document.get("Statement", [])
        statements = statements if isinstance(statements, list) else [statements]
        applicable = []
        for statement in statements:
            conditions = statement.get("Condition") or {}
            if all(_condition_holds(op, key, value, S3_REQUEST_CONTEXT) for op, pairs in conditions.items() for key, value in pairs.items()):
                applicable.append({k: v for k, v in statement.items() if k != "Condition"})
        if not applicable:
            return PermissionResult.NEUTRAL
        return IAMPolicy(json.dumps(dict(document, Statement=applicable))).is_action_permitted(action, resource)

    get_permission._corp_shim = True  # type: ignore[attr-defined]
    bucket_cls.get_permission = get_permission
    _APPLIED.append("s3:bucket-policy-conditions")


def accept_key_arns_in_key_deletion(backend_cls: Any) -> None:
    """ScheduleKeyDeletion / CancelKeyDeletion: accept the key ARN as well as the key id.

    The KMS API reference documents ``KeyId`` as "the key ID or key ARN" for both operations
    (https://docs.aws.amazon.com/kms/latest/APIReference/API_ScheduleKeyDeletion.html); amazon.aws.kms_key
    passes the ARN, and moto 5.x answers 500 (KeyError) unless it is the bare id.
    """
    for name in ("schedule_key_deletion", "cancel_key_deletion"):
        original = getattr(backend_cls, name)
        if getattr(original, "_corp_shim", False):
            continue

        def normalised(self: Any, key_id: str, *args: Any, __original: Any = original, **kwargs: Any) -> Any:
            return __original(self, self.any_id_to_key_id(key_id), *args, **kwargs)

        normalised._corp_shim = True  # type: ignore[attr-defined]
        setattr(backend_cls, name, normalised)
    if "kms:key-arn-in-deletion" not in _APPLIED:
        _APPLIED.append("kms:key-arn-in-deletion")


def add_bucket_abac(response_cls: Any) -> None:
    """GetBucketAbac / PutBucketAbac (``?abac``), and no PutBucketTagging / DeleteBucketTagging once ABAC is on.

    AWS documents both operations and their ``AbacStatus`` body
    (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketAbac.html), ABAC as off by default, and that
    with ABAC on "you must use the TagResource and UntagResource actions to manage tags on your buckets. You can
    no longer use the PutBucketTagging and DeleteBucketTagging actions". moto 5.x has no ``?abac`` route (it
    answers a PUT as CreateBucket). AWS does not document the error code of the refused tagging calls, so this
    answers 400 InvalidRequest: what matters is that they fail, as they do on AWS. Tags written through S3
    Control TagResource land in the same tag store moto's GetBucketTagging reads.
    """
    original = response_cls._bucket_response
    if getattr(original, "_corp_shim", False):
        return
    from moto.s3.exceptions import S3ClientError

    def _bucket_response(self: Any, request: Any, full_url: str) -> Any:
        querystring = self._get_querystring(request, full_url)
        bucket_name = self.parse_bucket_name_from_url(request, full_url)
        if not bucket_name or not ("abac" in querystring or "tagging" in querystring):
            return original(self, request, full_url)
        bucket = self.backend.get_bucket(bucket_name)  # NoSuchBucket, as AWS answers
        status = getattr(bucket, "corp_abac_status", "Disabled")
        if "abac" in querystring and request.method == "GET":
            return 200, {}, f'<AbacStatus xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>{status}</Status></AbacStatus>'
        if "abac" in querystring and request.method == "PUT":
            body = self.body.decode() if isinstance(self.body, bytes) else (self.body or "")
            wanted = re.search(r"<Status>(Enabled|Disabled)</Status>", body)
            if not wanted:
                raise S3ClientError("MalformedXML", "AbacStatus.Status must be Enabled or Disabled")
            bucket.corp_abac_status = wanted.group(1)
            return 200, {}, ""
        if "tagging" in querystring and request.method in ("PUT", "DELETE") and status == "Enabled":
            raise S3ClientError("InvalidRequest", "ABAC is enabled on this bucket: use the S3 Control TagResource and UntagResource APIs")
        return original(self, request, full_url)

    _bucket_response._corp_shim = True  # type: ignore[attr-defined]
    response_cls._bucket_response = _bucket_response
    _APPLIED.append("s3:bucket-abac")


def apply_all() -> list[str]:
    """Apply every shim once; return their names (the launcher logs them)."""
    from moto.dynamodb.models.table import Table
    from moto.s3.models import FakeBucket

    add_dynamodb_table_id(Table)
    allow_anonymous_principal_in_log_bucket_policy(FakeBucket)
    evaluate_bucket_policy_conditions(FakeBucket)
    from moto.kms.models import KmsBackend

    accept_key_arns_in_key_deletion(KmsBackend)
    from moto.s3.responses import S3Response

    add_bucket_abac(S3Response)
    return list(_APPLIED)
