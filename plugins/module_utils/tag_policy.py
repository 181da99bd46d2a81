# Copyright: corp.infra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""S3 and DynamoDB access scoped to one environment, each condition key only on actions that support it.

Plain values in, a policy document out. The seed's "fix" put ``s3:ExistingObjectTag/Environment`` on
PutObject, DeleteObject and ListBucket, which do not support it: an Allow with it never matches for those
actions. Here every action gets the key AWS evaluates for it (condition_keys.py, from the Service
Authorization Reference) and that the requests a client sends carry:

- S3 reads and tag reads: ``s3:ExistingObjectTag/<key>``;
- PutObject: the environment's key prefix as the resource, with no tag condition. PutObject authorises
  PutObject, CreateMultipartUpload, UploadPart, UploadPartCopy and CompleteMultipartUpload, and only the first
  two can carry ``x-amz-tagging`` (S3 User Guide, "Multipart upload API and permissions"): an Allow conditioned
  on ``s3:RequestObjectTag/<key>`` denies every upload an SDK splits into parts (above 8 MiB by default). A Deny
  refuses a write that does carry the tag with another environment's value;
- AbortMultipartUpload and ListMultipartUploadParts (ListParts): the key prefix, as for PutObject;
- Put*Tagging: the tag must stay the environment's (``s3:RequestObjectTag``), on an object that has no
  Environment tag yet (a multipart upload that was sent without one) or already has this one;
- DeleteObject and friends: no tag key exists, so the key prefix scopes them;
- ListBucket: ``s3:prefix``;
- DynamoDB: ``aws:ResourceTag/<key>`` on the table (and named index) ARNs, and optionally
  ``dynamodb:LeadingKeys``, which Scan does not support (Scan is then left out).
"""

from __future__ import annotations

from typing import Any

from ansible_collections.corp.infra.plugins.module_utils.condition_keys import unsupported_actions
from ansible_collections.corp.infra.plugins.module_utils.kms_policy import PolicyError

# The options of corp.infra.tag_conditioned_policy, for the module and for its action plugin.
ARGUMENT_SPEC = {
    "argument_spec": dict(
        service=dict(type="str", required=True, choices=["s3", "dynamodb"]),
        tag_key=dict(type="str", default="Environment", no_log=False),
        tag_value=dict(type="str", required=True),
        access=dict(type="list", elements="str", default=[]),
        requests=dict(
            type="list",
            elements="dict",
            default=[],
            options=dict(
                actions=dict(type="list", elements="str", required=True),
                condition=dict(type="str", choices=["existing_object_tag", "request_object_tag", "prefix", "key_prefix"]),
            ),
        ),
        bucket_name=dict(type="str"),
        prefix=dict(type="str"),
        partition=dict(type="str", default="aws"),
        table_name=dict(type="str"),
        region=dict(type="str"),
        account_id=dict(type="str"),
        index_names=dict(type="list", elements="str", default=[]),
        leading_keys=dict(type="list", elements="str", default=[], no_log=False),
    ),
    "required_if": [("service", "s3", ["bucket_name"]), ("service", "dynamodb", ["table_name", "region", "account_id"])],
}

S3_ACCESS = {
    "read": ["s3:GetObject", "s3:GetObjectTagging", "s3:GetObjectVersion", "s3:GetObjectVersionTagging"],
    "write": ["s3:AbortMultipartUpload", "s3:ListMultipartUploadParts", "s3:PutObject", "s3:PutObjectTagging"],
    "delete": ["s3:DeleteObject", "s3:DeleteObjectVersion"],
    "list": ["s3:ListBucket"],
}
DYNAMODB_ACCESS = {
    "read": ["dynamodb:BatchGetItem", "dynamodb:DescribeTable", "dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan"],
    "write": ["dynamodb:BatchWriteItem", "dynamodb:ConditionCheckItem", "dynamodb:DeleteItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
}
# How each S3 condition is named in a request, and the key it stands for.
S3_CONDITIONS = {
    "existing_object_tag": "s3:ExistingObjectTag/{key}",
    "request_object_tag": "s3:RequestObjectTag/{key}",
    "prefix": "s3:prefix",
    "key_prefix": None,  # no condition key: the resource ARN carries the prefix
}
S3_SIDS = {
    "existing_object_tag": "ReadObjectsTaggedForTheEnvironment",
    "request_object_tag": "WriteObjectsTaggedForTheEnvironment",
    "retag": "RetagObjectsWithinTheEnvironment",
    "key_prefix": "ObjectsUnderTheEnvironmentPrefix",
    "prefix": "ListTheEnvironmentPrefix",
    "deny_other_tag": "DenyObjectsTaggedForAnotherEnvironment",
}
# Actions authorised for requests that cannot carry x-amz-tagging (UploadPart, CompleteMultipartUpload): a
# request-tag condition on them would deny every multipart upload.
UNTAGGED_REQUEST_ACTIONS = frozenset({"s3:PutObject"})
# Writes whose tags the Deny keeps to the environment's value.
TAGGING_WRITE_ACTIONS = frozenset({"s3:PutObject", "s3:PutObjectTagging", "s3:PutObjectVersionTagging"})


def _bucket_arn(params: dict[str, Any]) -> str:
    bucket = params.get("bucket_name")
    if not bucket or "*" in bucket:
        raise PolicyError(f"bucket_name must name one bucket (got {bucket!r})")
    return f"arn:{params.get('partition') or 'aws'}:s3:::{bucket}"


def _prefix(params: dict[str, Any], why: str) -> str:
    prefix = params.get("prefix")
    if not prefix or "*" in prefix:
        raise PolicyError(f"prefix is required without wildcards for {why}")
    return prefix


def _s3_statement(params: dict[str, Any], actions: list[str], condition: str) -> dict[str, Any]:
    bucket_arn = _bucket_arn(params)
    key, value = params["tag_key"], params["tag_value"]
    if condition == "prefix":
        prefix = _prefix(params, "s3:prefix conditions")
        resource: Any = bucket_arn
        conditions = {"StringLike": {"s3:prefix": [prefix, f"{prefix}*"]}}
    else:
        resource = f"{bucket_arn}/{params.get('prefix') or ''}*"
        if condition == "key_prefix":
            resource = f"{bucket_arn}/{_prefix(params, ', '.join(actions) + ' (no tag condition key applies)')}*"
            conditions = {}
        else:
            conditions = {"StringEquals": {S3_CONDITIONS[condition].format(key=key): value}}
    for condition_key in conditions.get("StringEquals", {}) | conditions.get("StringLike", {}):
        unsupported = unsupported_actions(actions, condition_key)
        if unsupported:
            raise PolicyError(
                f"{', '.join(unsupported)} does not support the condition key {condition_key} "
                "(AWS Service Authorization Reference): the statement would deny or leave it unconditioned"
            )
    statement = {"Sid": S3_SIDS[condition], "Effect": "Allow", "Action": sorted(actions), "Resource": resource}
    if conditions:
        statement["Condition"] = conditions
    return statement


def _auto_condition(action: str) -> str:
    """The condition AWS supports for an S3 action, in order of preference."""
    if action in UNTAGGED_REQUEST_ACTIONS:
        return "key_prefix"
    for condition in ("existing_object_tag", "request_object_tag", "prefix"):
        if not unsupported_actions([action], S3_CONDITIONS[condition].format(key="K")):
            return condition
    return "key_prefix"


def s3_statements(params: dict[str, Any]) -> list[dict[str, Any]]:
    requests = list(params.get("requests") or [])
    for level in params.get("access") or []:
        if level not in S3_ACCESS:
            raise PolicyError(f"access for s3 must be among {', '.join(S3_ACCESS)} (got {level!r})")
        requests.append({"actions": S3_ACCESS[level]})
    groups: dict[str, list[str]] = {}
    for request in requests:
        condition = request.get("condition")
        if condition is not None and condition not in S3_CONDITIONS:
            raise PolicyError(f"condition must be one of {', '.join(S3_CONDITIONS)} (got {condition!r})")
        for action in request.get("actions") or []:
            if not action.startswith("s3:") or "*" in action:
                raise PolicyError(f"actions must be exact S3 actions (got {action!r})")
            chosen = condition or _auto_condition(action)
            if chosen == "request_object_tag" and action in UNTAGGED_REQUEST_ACTIONS:
                raise PolicyError(
                    f"{action} cannot be conditioned on s3:RequestObjectTag: it also authorises UploadPart and "
                    "CompleteMultipartUpload, which carry no tags, so every multipart upload would be denied (use key_prefix)"
                )
            if action in ("s3:PutObjectTagging", "s3:PutObjectVersionTagging") and condition is None:
                chosen = "retag"
            groups.setdefault(chosen, [])
            if action not in groups[chosen]:
                groups[chosen].append(action)
    statements = []
    for condition in sorted(groups):
        actions = sorted(groups[condition])
        if condition == "retag":
            # Objects of the environment, or not tagged yet (a multipart upload sent without tags), and the tag
            # stays the environment's.
            statement = _s3_statement(params, actions, "request_object_tag")
            existing = _s3_statement(params, actions, "existing_object_tag")["Condition"]["StringEquals"]
            statement["Condition"]["StringEqualsIfExists"] = existing
            statement["Sid"] = S3_SIDS["retag"]
        else:
            statement = _s3_statement(params, actions, condition)
        statements.append(statement)
    tagging_writes = sorted({a for actions in groups.values() for a in actions} & TAGGING_WRITE_ACTIONS)
    if tagging_writes:
        tag = S3_CONDITIONS["request_object_tag"].format(key=params["tag_key"])
        statements.append(
            {
                "Sid": S3_SIDS["deny_other_tag"],
                "Effect": "Deny",
                "Action": tagging_writes,
                "Resource": f"{_bucket_arn(params)}/*",
                "Condition": {"Null": {tag: "false"}, "StringNotEquals": {tag: params["tag_value"]}},
            }
        )
    return statements


def dynamodb_statements(params: dict[str, Any]) -> list[dict[str, Any]]:
    table = params.get("table_name")
    if not table or "*" in table:
        raise PolicyError(f"table_name must name one table (got {table!r})")
    for option in ("region", "account_id"):
        if not params.get(option):
            raise PolicyError(f"{option} is required for service dynamodb (it builds the table ARN)")
    table_arn = f"arn:{params.get('partition') or 'aws'}:dynamodb:{params['region']}:{params['account_id']}:table/{table}"
    resources = [table_arn] + [f"{table_arn}/index/{index}" for index in sorted(params.get("index_names") or [])]
    leading_keys = sorted(params.get("leading_keys") or [])
    actions: set[str] = set()
    for level in params.get("access") or []:
        if level not in DYNAMODB_ACCESS:
            raise PolicyError(f"access for dynamodb must be among {', '.join(DYNAMODB_ACCESS)} (got {level!r})")
        actions.update(DYNAMODB_ACCESS[level])
    for request in params.get("requests") or []:
        for action in request.get("actions") or []:
            if not action.startswith("dynamodb:") or "*" in action:
                raise PolicyError(f"actions must be exact DynamoDB actions (got {action!r})")
            if leading_keys and action == "dynamodb:Scan":
                raise PolicyError("dynamodb:Scan does not support dynamodb:LeadingKeys: a Scan grant would read every partition")
            actions.add(action)
    if leading_keys:
        actions.discard("dynamodb:Scan")
    tag_key = f"aws:ResourceTag/{params['tag_key']}"
    unsupported = unsupported_actions(sorted(actions), tag_key)
    if unsupported:
        raise PolicyError(f"{', '.join(unsupported)} does not support the condition key {tag_key} on a table or index")
    tag_condition = {"StringEquals": {tag_key: params["tag_value"]}}
    item_level = sorted(a for a in actions if leading_keys and not unsupported_actions([a], "dynamodb:LeadingKeys"))
    table_level = sorted(actions - set(item_level))
    statements = []
    if item_level:
        statements.append(
            {
                "Sid": "DynamodbItemsOfThisEnvironment",
                "Effect": "Allow",
                "Action": item_level,
                "Resource": resources,
                "Condition": {**tag_condition, "ForAllValues:StringEquals": {"dynamodb:LeadingKeys": leading_keys}},
            }
        )
    if table_level:
        statements.append(
            {"Sid": "DynamodbTableOfThisEnvironment", "Effect": "Allow", "Action": table_level, "Resource": resources, "Condition": tag_condition}
        )
    return statements


def build_tag_policy(params: dict[str, Any]) -> dict[str, Any]:
    service = params.get("service")
    if not params.get("tag_key") or not params.get("tag_value"):
        raise PolicyError("tag_key and tag_value are required: they name the environment the access is scoped to")
    if not params.get("access") and not params.get("requests"):
        raise PolicyError("access or requests must say what to allow")
    if service == "s3":
        statements = s3_statements(params)
    elif service == "dynamodb":
        statements = dynamodb_statements(params)
    else:
        raise PolicyError(f"service must be s3 or dynamodb (got {service!r})")
    return {"Version": "2012-10-17", "Statement": statements}
