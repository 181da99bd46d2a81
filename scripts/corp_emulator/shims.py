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
    """ScheduleKeyDeletion / CancelKeyDeletion / EnableKey / DisableKey: accept the key ARN as well as the key id.

    The KMS API reference documents ``KeyId`` as "the key ID or key ARN" for these operations
    (https://docs.aws.amazon.com/kms/latest/APIReference/API_ScheduleKeyDeletion.html,
    https://docs.aws.amazon.com/kms/latest/APIReference/API_EnableKey.html); amazon.aws.kms_key passes the ARN, and
    moto 5.x answers 500 (KeyError) unless it is the bare id. A stack key restored from its pending deletion (a
    second converge after a destroy) is cancelled, then enabled, by ARN.
    """
    for name in ("schedule_key_deletion", "cancel_key_deletion", "enable_key", "disable_key"):
        original = getattr(backend_cls, name)
        if getattr(original, "_corp_shim", False):
            continue

        def normalised(self: Any, key_id: str, *args: Any, __original: Any = original, **kwargs: Any) -> Any:
            return __original(self, self.any_id_to_key_id(key_id), *args, **kwargs)

        normalised._corp_shim = True  # type: ignore[attr-defined]
        setattr(backend_cls, name, normalised)
    if "kms:key-arn-in-deletion" not in _APPLIED:
        _APPLIED.append("kms:key-arn-in-deletion")


def keep_unset_role_fields_on_update(response_cls: Any) -> None:
    """UpdateRole: a field the request leaves out keeps its value.

    The IAM API reference documents ``Description`` and ``MaxSessionDuration`` as optional updates of the role
    (https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateRole.html); moto 5.x clears the description and
    resets the duration to 3600 s when either is left out, so amazon.aws.iam_role, which sends only what differs,
    leaves a role that differs again on the next run.
    """

    def build(original: Any) -> Any:
        def update_role(self: Any) -> Any:
            role = self.backend.get_role(self._get_param("RoleName"))
            description = self._get_param("Description")
            duration = self._get_param("MaxSessionDuration")
            self.backend.update_role(
                role.name,
                role.description if description is None else description,
                role.max_session_duration if duration is None else duration,
            )
            from moto.core.responses import EmptyResult

            return EmptyResult()

        return update_role

    _patch(response_cls, "update_role", "iam:update-role-keeps-unset-fields", build)
    _applied("iam:update-role-keeps-unset-fields")


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


def return_bucket_eventbridge_configuration(response_cls: Any) -> None:
    """GetBucketNotificationConfiguration: return ``EventBridgeConfiguration`` when the bucket sends events to EventBridge.

    AWS documents it in the NotificationConfiguration response, an empty element when on and absent when off
    (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketNotificationConfiguration.html). moto 5.x stores
    what PutBucketNotificationConfiguration sets (``event_bridge``) but leaves it out of the answer, so a setting
    that holds would read as missing on every run.
    """

    def build(original: Any) -> Any:
        def get_bucket_notification(self: Any) -> Any:
            from moto.core.responses import ActionResult

            configuration = self.backend.get_bucket_notification_configuration(self.bucket_name)
            if configuration is None or getattr(configuration, "event_bridge", None) is None:
                return original(self)

            def items(entries: Any, arn_key: str) -> list[dict[str, Any]]:
                found = []
                for item in entries:
                    entry = {"Id": item.id, arn_key: item.arn, "Events": item.events}
                    if item.filters:
                        entry["Filter"] = {"Key": {"FilterRules": item.filters["S3Key"]["FilterRule"]}}
                    found.append(entry)
                return found

            result = {
                "TopicConfigurations": items(configuration.topic, "TopicArn"),
                "QueueConfigurations": items(configuration.queue, "QueueArn"),
                "LambdaFunctionConfigurations": items(configuration.cloud_function, "LambdaFunctionArn"),
                "EventBridgeConfiguration": {},
            }
            self.data["Action"] = "GetBucketNotificationConfiguration"
            return self.serialized(ActionResult(result))

        return get_bucket_notification

    _patch(response_cls, "get_bucket_notification", "s3:EventBridgeConfiguration", build)
    _applied("s3:EventBridgeConfiguration")


def filter_network_acls_by_id(network_acl_cls: Any) -> None:
    """DescribeNetworkAcls: the ``network-acl-id`` filter.

    AWS documents it among DescribeNetworkAcls's filters ("network-acl-id - The ID of the network ACL",
    https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeNetworkAcls.html). moto 5.x raises
    FilterNotImplementedError (a 500), and amazon.aws.ec2_vpc_nacl looks an ACL given by O(nacl_id) up with it.
    """

    def build(original: Any) -> Any:
        def get_filter_value(self: Any, filter_name: str, method_name: str | None = None) -> Any:
            if filter_name == "network-acl-id":
                return self.id
            return original(self, filter_name, method_name)

        return get_filter_value

    _patch(network_acl_cls, "get_filter_value", "ec2:DescribeNetworkAcls-network-acl-id", build)
    _applied("ec2:DescribeNetworkAcls-network-acl-id")


# --- RDS ---------------------------------------------------------------------------------------------------------


def _patch(cls: Any, attr: str, shim: str, build: Callable[[Any], Any]) -> None:
    """Replace ``cls.attr`` with ``build(original)`` unless shim ``shim`` already did; several shims may stack on one method."""
    original = getattr(cls, attr, None)
    if shim in getattr(original, "_corp_shims", ()):
        return
    replacement = build(original)
    replacement._corp_shim = True
    replacement._corp_shims = (*getattr(original, "_corp_shims", ()), shim)
    setattr(cls, attr, replacement)


def _add(cls: Any, attr: str, value: Any) -> None:
    """Give ``cls`` an attribute moto does not have (left alone when a shim already added it)."""
    if attr not in cls.__dict__:
        setattr(cls, attr, value)


def _serialize_as(cls: Any, aliases: dict[str, str]) -> None:
    """Make moto's response serializer read AWS field ``key`` of ``cls`` objects from attribute ``aliases[key]``.

    moto's serializer looks ``Meta.serialization_aliases`` up before the attribute named after the field, so moto's
    own attributes (``iops``, ``storage_throughput``...) keep their meaning inside moto.
    """
    meta = cls.__dict__.get("Meta")
    if meta is None:
        inherited = getattr(getattr(cls, "Meta", None), "serialization_aliases", {})
        meta = type("Meta", (), {"serialization_aliases": dict(inherited)})
        cls.Meta = meta
    meta.serialization_aliases.update(aliases)


def _applied(name: str) -> None:
    if name not in _APPLIED:
        _APPLIED.append(name)


def raise_db_parameter_group_not_found(backend_cls: Any) -> None:
    """DescribeDBParameterGroups with a ``DBParameterGroupName`` that does not exist: ``DBParameterGroupNotFound``.

    The API reference lists ``DBParameterGroupNotFound`` ("DBParameterGroupName doesn't refer to an existing DB
    parameter group", HTTP 404) as its error
    (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBParameterGroups.html); moto 5.x answers
    an empty list, and amazon.aws.rds_instance_param_group then fails on ``[0]``. Names are matched case-insensitively,
    as RDS stores them in lower case. RDS's default groups of the PostgreSQL families in
    ``RDS_POSTGRES_PARAMETER_FAMILIES`` (``default.postgres16``...) always exist on AWS, so asking for one creates it,
    as moto itself does when an instance uses it.
    """
    from moto.rds.exceptions import DBParameterGroupNotFoundError
    from moto.rds.models import DBParameterGroup

    def build(original: Any) -> Any:
        def describe_db_parameter_groups(self: Any, kwargs: dict[str, Any]) -> list[Any]:
            name = kwargs.get("db_parameter_group_name")
            if not name:
                return original(self, kwargs)
            key = name.lower()
            family = key.removeprefix("default.")
            if key not in self.db_parameter_groups and key.startswith("default.") and family in RDS_POSTGRES_PARAMETER_FAMILIES:
                self.db_parameter_groups[key] = DBParameterGroup(
                    backend=self, db_parameter_group_name=key, description=f"Default parameter group for {family}", db_parameter_group_family=family
                )
            if key not in self.db_parameter_groups:
                raise DBParameterGroupNotFoundError(name)
            return [self.db_parameter_groups[key]]

        return describe_db_parameter_groups

    _patch(backend_cls, "describe_db_parameter_groups", "rds:DescribeDBParameterGroups-not-found", build)
    _applied("rds:DescribeDBParameterGroups-not-found")


def keep_modified_db_subnet_group(backend_cls: Any) -> None:
    """ModifyDBSubnetGroup changes the group in place: it is still there, under its name, afterwards.

    The API reference returns the modified ``DBSubnetGroup`` and lists no deletion
    (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBSubnetGroup.html). moto 5.x pops the group
    from its backend and never puts it back, so the group (which a database uses) is gone after
    amazon.aws.rds_subnet_group changes its description or subnets. A missing name stays ``DBSubnetGroupNotFoundFault``.
    """
    from moto.rds.exceptions import DBSubnetGroupNotFoundError

    def build(original: Any) -> Any:
        def modify_db_subnet_group(self: Any, subnet_name: str, description: str, subnets: list[Any]) -> Any:
            if subnet_name not in self.subnet_groups:
                raise DBSubnetGroupNotFoundError(subnet_name)
            group = original(self, subnet_name, description, subnets)
            self.subnet_groups[subnet_name] = group
            return group

        return modify_db_subnet_group

    _patch(backend_cls, "modify_db_subnet_group", "rds:ModifyDBSubnetGroup-keeps-the-group", build)
    _applied("rds:ModifyDBSubnetGroup-keeps-the-group")


# A few real RDS for PostgreSQL parameters, with the metadata DescribeDBParameters / DescribeEngineDefaultParameters
# show for them (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Appendix.PostgreSQL.CommonDBATasks.Parameters.html,
# https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_Parameter.html). ParameterValue only where RDS sets a
# default in its parameter groups (the others run at PostgreSQL's own default and show no value). RDS lists every
# default parameter with ApplyMethod "pending-reboot". rds.force_ssl defaults to 1 from PostgreSQL 15.
# The same entries serve the three families. Not checked against a postgres18 group: PostgreSQL 18 turned
# log_connections into a list of aspects (still accepting the boolean values), so RDS may type it differently there.
RDS_POSTGRES_PARAMETER_FAMILIES = ("postgres16", "postgres17", "postgres18")
_PG_SHARED_PRELOAD_LIBRARIES = (
    "auto_explain,orafce,pgaudit,pglogical,pg_bigm,pg_cron,pg_hint_plan,pg_prewarm,pg_similarity,pg_stat_statements,pg_tle,pg_transport,plprofiler,plrust"
)
# (name, default value or None, description, source, apply type, data type, allowed values)
RDS_POSTGRES_PARAMETERS: tuple[tuple[str, str | None, str, str, str, str, str], ...] = (
    ("log_connections", None, "Logs each successful connection.", "engine-default", "dynamic", "boolean", "0,1"),
    ("log_disconnections", None, "Logs end of a session, including duration.", "engine-default", "dynamic", "boolean", "0,1"),
    ("log_lock_waits", None, "Logs long lock waits.", "engine-default", "dynamic", "boolean", "0,1"),
    (
        "log_min_duration_statement",
        None,
        "(ms) Sets the minimum execution time above which statements will be logged.",
        "engine-default",
        "dynamic",
        "integer",
        "-1-2147483647",
    ),
    ("log_statement", None, "Sets the type of statements logged.", "engine-default", "dynamic", "string", "none,ddl,mod,all"),
    (
        "max_connections",
        "LEAST({DBInstanceClassMemory/9531392},5000)",
        "Sets the maximum number of concurrent connections.",
        "system",
        "static",
        "integer",
        "6-262143",
    ),
    ("password_encryption", None, "Encrypt passwords.", "system", "dynamic", "string", "md5,scram-sha-256"),
    ("rds.force_ssl", "1", "Force SSL connections.", "system", "dynamic", "boolean", "0,1"),
    (
        "shared_preload_libraries",
        "pg_stat_statements",
        "Lists shared libraries to preload into server.",
        "system",
        "static",
        "list",
        _PG_SHARED_PRELOAD_LIBRARIES,
    ),
)


def rds_engine_default_parameters(family: str | None) -> list[dict[str, Any]] | None:
    """The engine-default ``Parameter`` entries of a PostgreSQL family this module knows, by name; None for other families."""
    if not family or family.lower() not in RDS_POSTGRES_PARAMETER_FAMILIES:
        return None
    parameters = []
    for name, value, description, source, apply_type, data_type, allowed in RDS_POSTGRES_PARAMETERS:
        entry: dict[str, Any] = {"ParameterName": name}
        if value is not None:
            entry["ParameterValue"] = value
        entry.update(
            Description=description,
            Source=source,
            ApplyType=apply_type,
            DataType=data_type,
            AllowedValues=allowed,
            IsModifiable=True,
            ApplyMethod="pending-reboot",
        )
        parameters.append(entry)
    return sorted(parameters, key=lambda entry: entry["ParameterName"])


def add_postgres_parameters(backend_cls: Any, response_cls: Any) -> None:
    """DescribeEngineDefaultParameters, DescribeDBParameters and ModifyDBParameterGroup for RDS for PostgreSQL families.

    AWS: DescribeEngineDefaultParameters returns a family's parameters with their metadata
    (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeEngineDefaultParameters.html);
    DescribeDBParameters returns every parameter of a group, ``Source`` "user" for the ones modified, and honours the
    ``Source`` argument (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBParameters.html);
    ModifyDBParameterGroup refuses a name the family does not have (InvalidParameterValue "Could not find parameter
    with name: ...") and ``immediate`` on a static parameter ("You can use the immediate value with dynamic parameters
    only", https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_Parameter.html; InvalidParameterCombination).
    moto 5.x does not implement DescribeEngineDefaultParameters, creates groups without parameters, ignores ``Source``
    and stores any name and apply method. The parameters known here are ``RDS_POSTGRES_PARAMETERS``, for the families
    ``RDS_POSTGRES_PARAMETER_FAMILIES``; other families keep moto's behaviour (an empty default list), except that the
    parameters a user set carry ``Source`` "user" and the ``Source`` argument applies.
    """
    from moto.core.responses import ActionResult
    from moto.rds.exceptions import DBParameterGroupNotFoundError
    from moto.rds.exceptions import InvalidParameterCombination
    from moto.rds.exceptions import InvalidParameterValue

    def describe_engine_default_parameters(self: Any, family: str) -> dict[str, Any]:
        return {"DBParameterGroupFamily": family, "Parameters": rds_engine_default_parameters(family) or []}

    def describe_db_parameters(self: Any, name: str, source: str | None = None) -> list[dict[str, Any]]:
        groups = self.describe_db_parameter_groups({"db_parameter_group_name": name})
        if not groups:
            raise DBParameterGroupNotFoundError(name)
        group = groups[0]
        user = {param_name: values for param_name, values in group.parameters.items() if "ParameterValue" in values}
        defaults = rds_engine_default_parameters(group.family)
        if defaults is None:
            parameters = [{"ParameterName": param_name, **values, "Source": "user"} for param_name, values in user.items()]
        else:
            parameters = []
            for entry in defaults:
                modified = user.get(entry["ParameterName"])
                if modified is not None:
                    entry.update(ParameterValue=modified["ParameterValue"], Source="user", ApplyMethod=modified.get("ApplyMethod", entry["ApplyMethod"]))
                parameters.append(entry)
        return [entry for entry in parameters if not source or entry.get("Source") == source]

    def build_modify(original: Any) -> Any:
        def modify_db_parameter_group(self: Any, db_parameter_group_name: str, db_parameter_group_parameters: Any) -> Any:
            changes = list(db_parameter_group_parameters)
            group = self.db_parameter_groups.get(db_parameter_group_name)
            defaults = rds_engine_default_parameters(group.family) if group is not None else None
            if defaults is not None:
                known = {entry["ParameterName"]: entry for entry in defaults}
                for change in changes:
                    entry = known.get(change.get("ParameterName"))
                    if entry is None:
                        raise InvalidParameterValue(f"Could not find parameter with name: {change.get('ParameterName')}")
                    if entry["ApplyType"] == "static" and change.get("ApplyMethod") == "immediate":
                        raise InvalidParameterCombination("cannot use immediate apply method for static parameter")
            return original(self, db_parameter_group_name, changes)

        return modify_db_parameter_group

    def describe_engine_default_parameters_action(self: Any) -> Any:
        family = self.params.get("DBParameterGroupFamily")
        return ActionResult({"EngineDefaults": self.backend.describe_engine_default_parameters(family)})

    def describe_db_parameters_action(self: Any) -> Any:
        parameters = self.backend.describe_db_parameters(self.params.get("DBParameterGroupName"), self.params.get("Source"))
        return ActionResult({"Parameters": parameters})

    _add(backend_cls, "describe_engine_default_parameters", describe_engine_default_parameters)
    _add(backend_cls, "describe_db_parameters", describe_db_parameters)
    _patch(backend_cls, "modify_db_parameter_group", "rds:postgres-parameters", build_modify)
    _add(response_cls, "describe_engine_default_parameters", describe_engine_default_parameters_action)
    _patch(response_cls, "describe_db_parameters", "rds:postgres-parameters", lambda original: describe_db_parameters_action)
    _applied("rds:postgres-parameters")


def track_parameter_apply_status(instance_cls: Any, backend_cls: Any) -> None:
    """DescribeDBInstances ``DBParameterGroups[].ParameterApplyStatus``: "pending-reboot" until RebootDBInstance.

    AWS documents the statuses in https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DBParameterGroupStatus.html
    ("pending-reboot" when a parameter change waits for the instance to reboot). A ModifyDBParameterGroup change with
    ApplyMethod "pending-reboot" (the only method static parameters allow) leaves every instance using the group
    "pending-reboot", and so does ModifyDBInstance with a new DBParameterGroupName ("the actual parameter changes are
    not applied until you reboot the instance", https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBInstance.html);
    RebootDBInstance brings them back to "in-sync". moto 5.x answers "in-sync" whatever happened.
    """

    def statuses(instance: Any) -> dict[str, str]:
        if "_corp_parameter_apply_status" not in instance.__dict__:
            instance._corp_parameter_apply_status = {}
        return instance._corp_parameter_apply_status

    def group_names(instance: Any) -> list[str]:
        return [group.name for group in instance.db_parameter_groups()]

    def group_names_if_any(instance: Any) -> list[str]:
        try:
            return group_names(instance)
        except KeyError:  # its group was deleted: moto cannot describe that instance either
            return []

    def corp_db_parameter_group_status(self: Any) -> list[dict[str, str]]:
        return [{"DBParameterGroupName": name, "ParameterApplyStatus": statuses(self).get(name, "in-sync")} for name in group_names(self)]

    def build_modify_group(original: Any) -> Any:
        def modify_db_parameter_group(self: Any, db_parameter_group_name: str, db_parameter_group_parameters: Any) -> Any:
            changes = list(db_parameter_group_parameters)
            group = original(self, db_parameter_group_name, changes)
            if any(change.get("ApplyMethod") == "pending-reboot" for change in changes):
                for instance in self.databases.values():
                    if group.name in group_names_if_any(instance):
                        statuses(instance)[group.name] = "pending-reboot"
            return group

        return modify_db_parameter_group

    def build_modify_instance(original: Any) -> Any:
        def modify_db_instance(self: Any, db_instance_identifier: str, db_kwargs: dict[str, Any]) -> Any:
            before = group_names(self.describe_db_instances(db_instance_identifier)[0])
            instance = original(self, db_instance_identifier, db_kwargs)
            for name in group_names(instance):
                if name not in before:
                    statuses(instance)[name] = "pending-reboot"
            return instance

        return modify_db_instance

    def build_reboot(original: Any) -> Any:
        def reboot_db_instance(self: Any, db_instance_identifier: str, *args: Any, **kwargs: Any) -> Any:
            instance = original(self, db_instance_identifier, *args, **kwargs)
            statuses(instance).clear()
            return instance

        return reboot_db_instance

    _add(instance_cls, "corp_db_parameter_group_status", property(corp_db_parameter_group_status))
    _serialize_as(instance_cls, {"DBParameterGroups": "corp_db_parameter_group_status"})
    _patch(backend_cls, "modify_db_parameter_group", "rds:ParameterApplyStatus", build_modify_group)
    _patch(backend_cls, "modify_db_instance", "rds:ParameterApplyStatus", build_modify_instance)
    _patch(backend_cls, "reboot_db_instance", "rds:ParameterApplyStatus", build_reboot)
    _applied("rds:ParameterApplyStatus")


_PERFORMANCE_INSIGHTS_KEYS = ("enable_performance_insights", "performance_insights_retention_period", "performance_insights_kms_key_id")


def add_performance_insights(instance_cls: Any) -> None:
    """CreateDBInstance / ModifyDBInstance / DescribeDBInstances: the Performance Insights fields.

    AWS stores EnablePerformanceInsights, PerformanceInsightsRetentionPeriod (default 7 days) and
    PerformanceInsightsKMSKeyId ("If you don't specify a value ..., then Amazon RDS uses your default KMS key") and
    returns them as PerformanceInsightsEnabled, PerformanceInsightsRetentionPeriod and PerformanceInsightsKMSKeyId
    (the key's ARN) (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html,
    https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DBInstance.html). moto 5.x drops them. The default
    key is the account's AWS-managed ``alias/aws/rds`` key in moto's KMS (created on first use, as KMS does); a given
    key goes through moto's own RDS key check (KMSKeyNotAccessibleFault for a key that does not exist) and is returned
    as its ARN. Retention and key are returned while Performance Insights is on; PerformanceInsightsEnabled is always
    returned (false until enabled).
    """

    def settled(instance: Any, wanted: dict[str, Any]) -> dict[str, Any]:
        state = dict(getattr(instance, "_corp_performance_insights", None) or {"enabled": False, "retention": None, "key": None})
        if wanted.get("enable_performance_insights") is not None:
            state["enabled"] = bool(wanted["enable_performance_insights"])
        if wanted.get("performance_insights_retention_period") is not None:
            state["retention"] = int(wanted["performance_insights_retention_period"])
        if wanted.get("performance_insights_kms_key_id"):
            state["key"] = instance.backend._validate_kms_key(wanted["performance_insights_kms_key_id"])
        if state["enabled"]:
            state["retention"] = state["retention"] or 7
            state["key"] = state["key"] or instance.backend._validate_kms_key("alias/aws/rds")
        return state

    def build_init(original: Any) -> Any:
        def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
            original(self, *args, **kwargs)
            self._corp_performance_insights = settled(self, kwargs)

        return __init__

    def build_update(original: Any) -> Any:
        def update(self: Any, *args: Any, **db_kwargs: Any) -> None:
            wanted = {key: db_kwargs.pop(key) for key in _PERFORMANCE_INSIGHTS_KEYS if key in db_kwargs}
            state = settled(self, wanted)
            original(self, *args, **db_kwargs)
            self._corp_performance_insights = state

        return update

    def field(name: str) -> property:
        def read(self: Any) -> Any:
            state = getattr(self, "_corp_performance_insights", None) or {"enabled": False}
            if name == "enabled":
                return bool(state["enabled"])
            return state.get(name) if state["enabled"] else None

        return property(read)

    _patch(instance_cls, "__init__", "rds:PerformanceInsights", build_init)
    _patch(instance_cls, "update", "rds:PerformanceInsights", build_update)
    _add(instance_cls, "corp_performance_insights_enabled", field("enabled"))
    _add(instance_cls, "corp_performance_insights_retention_period", field("retention"))
    _add(instance_cls, "corp_performance_insights_kms_key_id", field("key"))
    _serialize_as(
        instance_cls,
        {
            "PerformanceInsightsEnabled": "corp_performance_insights_enabled",
            "PerformanceInsightsRetentionPeriod": "corp_performance_insights_retention_period",
            "PerformanceInsightsKMSKeyId": "corp_performance_insights_kms_key_id",
        },
    )
    _applied("rds:PerformanceInsights")


# gp3 baseline by engine: the allocated GiB from which the higher baseline (12000 IOPS, 500 MiB/s) applies, per
# https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_Storage.html#gp3-storage
GP3_BASELINE_THRESHOLD_GIB = {"postgres": 400, "mysql": 400, "mariadb": 400}


def add_gp3_storage_baseline(instance_cls: Any, backend_cls: Any) -> None:
    """gp3 DB instances: ``Iops`` and ``StorageThroughput`` in DescribeDBInstances, and no explicit ones below 400 GiB.

    AWS documents the gp3 baseline for RDS for PostgreSQL, MySQL and MariaDB: below 400 GiB allocated, 3,000 IOPS and
    125 MiB/s, included and not configurable; from 400 GiB, 12,000 IOPS and 500 MiB/s, or what you provision above it
    (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_Storage.html#gp3-storage). Below 400 GiB AWS refuses
    an explicit Iops or StorageThroughput with InvalidParameterCombination "You can't specify IOPS or storage throughput
    for engine postgres and a storage size less than 400." moto 5.x omits both fields unless they were given, and
    accepts them at any size. Explicit values given from 400 GiB are returned as given.
    """
    from moto.rds.exceptions import InvalidParameterCombination

    def baseline(instance: Any) -> tuple[int, int] | None:
        threshold = GP3_BASELINE_THRESHOLD_GIB.get(getattr(instance, "engine", None) or "")
        if threshold is None or getattr(instance, "_storage_type", None) != "gp3":
            return None
        return (12000, 500) if int(instance.allocated_storage or 0) >= threshold else (3000, 125)

    def corp_iops(self: Any) -> Any:
        base = baseline(self)
        if base is None:
            return self.iops
        return int(self.iops) if self.iops else base[0]

    def corp_storage_throughput(self: Any) -> Any:
        base = baseline(self)
        if base is None:
            return getattr(self, "_storage_throughput", None)
        return int(self._storage_throughput) if self._storage_throughput else base[1]

    def refuse_below_threshold(engine: str | None, storage_type: str | None, allocated: Any, db_kwargs: Any) -> None:
        threshold = GP3_BASELINE_THRESHOLD_GIB.get(engine or "")
        explicit = db_kwargs.get("iops") is not None or db_kwargs.get("storage_throughput") is not None
        if threshold is not None and storage_type == "gp3" and explicit and int(allocated or 0) < threshold:
            raise InvalidParameterCombination(f"You can't specify IOPS or storage throughput for engine {engine} and a storage size less than {threshold}.")

    def build_create(original: Any) -> Any:
        def create_db_instance(self: Any, db_kwargs: Any) -> Any:
            refuse_below_threshold(db_kwargs.get("engine"), db_kwargs.get("storage_type"), db_kwargs.get("allocated_storage"), db_kwargs)
            return original(self, db_kwargs)

        return create_db_instance

    def build_modify(original: Any) -> Any:
        def modify_db_instance(self: Any, db_instance_identifier: str, db_kwargs: Any) -> Any:
            instance = self.describe_db_instances(db_instance_identifier)[0]
            storage_type = db_kwargs.get("storage_type") or getattr(instance, "_storage_type", None)
            allocated = db_kwargs.get("allocated_storage") or getattr(instance, "_allocated_storage", None)
            refuse_below_threshold(instance.engine, storage_type, allocated, db_kwargs)
            return original(self, db_instance_identifier, db_kwargs)

        return modify_db_instance

    _add(instance_cls, "corp_iops", property(corp_iops))
    _add(instance_cls, "corp_storage_throughput", property(corp_storage_throughput))
    _serialize_as(instance_cls, {"Iops": "corp_iops", "StorageThroughput": "corp_storage_throughput"})
    _patch(backend_cls, "create_db_instance", "rds:gp3-baseline", build_create)
    _patch(backend_cls, "modify_db_instance", "rds:gp3-baseline", build_modify)
    _applied("rds:gp3-baseline")


# RDS for PostgreSQL engine versions answered by DescribeDBEngineVersions
# (https://docs.aws.amazon.com/AmazonRDS/latest/PostgreSQLReleaseNotes/postgresql-versions.html).
RDS_POSTGRES_ENGINE_VERSIONS = ("16.8", "16.9", "16.10", "17.4", "17.5", "17.6", "18.1")


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def rds_engine_versions(
    engine: str | None = None,
    engine_version: str | None = None,
    family: str | None = None,
    default_only: bool = False,
    filters: dict[str, list[str]] | None = None,
) -> list[dict[str, Any]]:
    """The ``DBEngineVersion`` entries DescribeDBEngineVersions answers for these arguments (see add_db_engine_versions)."""
    entries = []
    for version in sorted(RDS_POSTGRES_ENGINE_VERSIONS, key=_version_key):
        major = version.split(".")[0]
        entries.append(
            {
                "Engine": "postgres",
                "MajorEngineVersion": major,
                "EngineVersion": version,
                "DBParameterGroupFamily": f"postgres{major}",
                "DBEngineDescription": "PostgreSQL",
                "DBEngineVersionDescription": f"PostgreSQL {version}-R1",
                "ExportableLogTypes": ["postgresql", "upgrade"],
                "SupportsLogExportsToCloudwatchLogs": True,
                "SupportsReadReplica": True,
                "SupportedEngineModes": ["provisioned"],
                "Status": "available",
                "SupportsParallelQuery": False,
                "SupportsGlobalDatabases": False,
                "SupportsBabelfish": False,
                "SupportsLimitlessDatabase": False,
                "SupportsCertificateRotationWithoutRestart": True,
                "SupportsLocalWriteForwarding": False,
                "TagList": [],
            }
        )
    checks = {name: [str(value).lower() for value in values] for name, values in (filters or {}).items()}
    if engine:
        checks["engine"] = [engine.lower()]
    if family:
        checks["db-parameter-group-family"] = [family.lower()]
    fields = {"engine": "Engine", "engine-version": "EngineVersion", "db-parameter-group-family": "DBParameterGroupFamily", "status": "Status"}
    selected = []
    for entry in entries:
        if engine_version and not (entry["EngineVersion"] == engine_version or entry["EngineVersion"].startswith(f"{engine_version}.")):
            continue
        if "engine-mode" in checks and not set(checks["engine-mode"]) & set(entry["SupportedEngineModes"]):
            continue
        if any(name in fields and entry[fields[name]].lower() not in values for name, values in checks.items()):
            continue
        selected.append(entry)
    if default_only and selected:
        selected = [max(selected, key=lambda entry: _version_key(entry["EngineVersion"]))]
    return selected


def add_db_engine_versions(backend_cls: Any, response_cls: Any) -> None:
    """DescribeDBEngineVersions for the ``postgres`` engine.

    AWS (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBEngineVersions.html) filters by
    Engine, EngineVersion (a full version, or a major version such as "16" for all of its minors),
    DBParameterGroupFamily and Filters (engine, engine-version, db-parameter-group-family, status, engine-mode), and
    answers an empty list, not an error, when nothing matches. moto 5.x does not implement the action. Only the
    versions in ``RDS_POSTGRES_ENGINE_VERSIONS`` are known: any other engine gets an empty list. DefaultOnly: AWS
    returns "only the default version of the specified engine or engine and major version combination"; the default
    RDS picks is not published in the API, so this answers the newest known version of the newest major left after the
    other arguments (18.1 for postgres, 16.10 for EngineVersion "16" or family postgres16). Pagination: one page.
    """
    from moto.core.responses import ActionResult

    def describe_db_engine_versions(self: Any, **kwargs: Any) -> list[dict[str, Any]]:
        return rds_engine_versions(**kwargs)

    def describe_db_engine_versions_action(self: Any) -> Any:
        filters = {item["Name"]: list(item["Values"]) for item in self.params.get("Filters") or []}
        versions = self.backend.describe_db_engine_versions(
            engine=self.params.get("Engine"),
            engine_version=self.params.get("EngineVersion"),
            family=self.params.get("DBParameterGroupFamily"),
            default_only=bool(self.params.get("DefaultOnly")),
            filters=filters,
        )
        return ActionResult({"DBEngineVersions": versions})

    _add(backend_cls, "describe_db_engine_versions", describe_db_engine_versions)
    _add(response_cls, "describe_db_engine_versions", describe_db_engine_versions_action)
    _applied("rds:DescribeDBEngineVersions")


def default_storage_key_to_aws_rds(instance_cls: Any) -> None:
    """CreateDBInstance with StorageEncrypted and no KmsKeyId: the key is the account's AWS-managed ``aws/rds`` key.

    AWS: "If you don't specify a value for the KmsKeyId parameter, then Amazon RDS uses your default KMS key", and
    DescribeDBInstances returns it as a key ARN
    (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html). moto 5.x returns the
    placeholder string ``default_kms_key_id``. A given key is left as moto stored it.
    """

    def build_init(original: Any) -> Any:
        def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
            original(self, *args, **kwargs)
            if getattr(self, "storage_encrypted", False) and self.kms_key_id in (None, "default_kms_key_id"):
                self.kms_key_id = self.backend._validate_kms_key("alias/aws/rds")

        return __init__

    _patch(instance_cls, "__init__", "rds:default-storage-key", build_init)
    _applied("rds:default-storage-key")


def unique_dbi_resource_ids(instance_cls: Any) -> None:
    """Each DB instance has its own ``DbiResourceId``.

    AWS: "The Amazon Web Services Region-unique, immutable identifier for the DB instance" (DBInstance.DbiResourceId,
    https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DBInstance.html), ``db-`` and 26 upper-case letters
    and digits. IAM database authentication policies name the database by it. moto 5.x gives every instance the same
    one, so one environment's policy would reach every other environment's database.
    """

    def build_init(original: Any) -> Any:
        def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
            import secrets
            import string

            original(self, *args, **kwargs)
            self.dbi_resource_id = "db-" + "".join(secrets.choice(string.ascii_uppercase + string.digits) for _position in range(26))

        return __init__

    _patch(instance_cls, "__init__", "rds:unique-dbi-resource-id", build_init)
    _applied("rds:unique-dbi-resource-id")


# --- DynamoDB ----------------------------------------------------------------------------------------------------

DYNAMODB_TABLE_CLASSES = ("STANDARD", "STANDARD_INFREQUENT_ACCESS")


def _dynamodb_key_arn(table: Any, key: str) -> str:
    """The ARN of KMS key ``key`` (key id, key ARN, alias name or alias ARN) in the table's account and Region."""
    from moto.dynamodb.exceptions import MockValidationException
    from moto.kms import kms_backends

    kms = kms_backends[table.account_id][table.region_name]
    key_id: str | None = kms.get_key_id(kms.get_alias_name(key))
    if key_id and key_id.startswith("alias/"):
        key_id = kms.get_key_id_from_alias(key_id)
    found = kms.keys.get(key_id) if key_id else None
    if found is None:
        raise MockValidationException(f"One or more parameter values were invalid: KMSMasterKeyId {key} is not a KMS key of this account and Region")
    return found.arn


def _dynamodb_sse(table: Any, wanted: dict[str, Any] | None) -> dict[str, Any] | None:
    """What moto keeps in ``Table.sse_specification`` for SSESpecification ``wanted``: None for the AWS owned key, else the key's ARN."""
    if not wanted or wanted.get("Enabled") is not True:
        return None
    key = wanted.get("KMSMasterKeyId")
    arn = _dynamodb_key_arn(table, key) if key else table._get_default_encryption_key(table.account_id, table.region_name)
    return {"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": arn}


def resolve_dynamodb_sse_key(table_cls: Any) -> None:
    """CreateTable with SSESpecification: ``SSEDescription.KMSMasterKeyArn`` is the key's ARN.

    AWS: KMSMasterKeyId is "the key ID, Amazon Resource Name (ARN), alias name, or alias ARN", to be given only "if the
    key is different from the default DynamoDB key alias/aws/dynamodb"; with Enabled false or not specified the table
    uses the AWS owned key (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_SSESpecification.html),
    and SSEDescription.KMSMasterKeyArn is "The AWS KMS key ARN used for the AWS KMS encryption"
    (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_SSEDescription.html). moto 5.x already uses
    the account's ``alias/aws/dynamodb`` key (created on first use) when no key is given, but returns a given key id or
    alias verbatim as the "ARN", and creates that default key even for ``Enabled: false``. This resolves a given key
    through moto's KMS (a key that does not exist there is a ValidationException; AWS does not document the message)
    and keeps no key for the AWS owned key, which DescribeTable shows as no SSEDescription, as before.
    """

    def build(original: Any) -> Any:
        def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
            wanted = kwargs.pop("sse_specification", None)
            original(self, *args, sse_specification=None, **kwargs)
            self.sse_specification = _dynamodb_sse(self, wanted)

        return __init__

    _patch(table_cls, "__init__", "dynamodb:SSE-key-arn", build)
    _applied("dynamodb:SSE-key-arn")


def add_dynamodb_sse_update(response_cls: Any) -> None:
    """UpdateTable with SSESpecification: switch the table's encryption key.

    AWS documents SSESpecification as "The new server-side encryption settings for the specified table"
    (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateTable.html) with the meaning of
    API_SSESpecification: ``Enabled: true`` with KMSMasterKeyId is that key, without it the AWS managed key
    ``alias/aws/dynamodb``; ``Enabled: false`` (or not given) is the AWS owned key, for which DescribeTable returns no
    SSEDescription (a table created without SSESpecification has none either). moto 5.x ignores the parameter. The
    change is complete at once (AWS shows ``Status: UPDATING`` while it runs).
    """
    from moto.dynamodb.responses import DynamoResult

    def build(original: Any) -> Any:
        def update_table(self: Any) -> Any:
            if "SSESpecification" not in self.body:
                return original(self)
            table = self.dynamodb_backend.get_table(self.body["TableName"])
            sse = _dynamodb_sse(table, self.body["SSESpecification"])
            original(self)
            table.sse_specification = sse
            return DynamoResult(table.describe())

        return update_table

    _patch(response_cls, "update_table", "dynamodb:UpdateTable-SSESpecification", build)
    _applied("dynamodb:UpdateTable-SSESpecification")


def add_dynamodb_table_class(table_cls: Any, response_cls: Any) -> None:
    """CreateTable / UpdateTable ``TableClass``, and ``TableClassSummary`` in the table description.

    AWS: TableClass is STANDARD or STANDARD_INFREQUENT_ACCESS (CreateTable, UpdateTable), and the table description
    carries TableClassSummary {TableClass, LastUpdateDateTime: "The date and time at which the table class was last
    updated"} (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TableClassSummary.html). The API
    reference does not say when TableClassSummary is present; DynamoDB omits it for a table whose class was never set
    (STANDARD by default), returns it without LastUpdateDateTime for a class given to CreateTable, and with it after
    UpdateTable changes the class (as observed against DynamoDB by ScyllaDB's Alternator tests,
    test/alternator/test_table_class.py). This does the same. moto 5.x ignores TableClass; any other value is a
    ValidationException, as on AWS.
    """
    from moto.core.utils import utcnow
    from moto.dynamodb.exceptions import MockValidationException
    from moto.dynamodb.responses import DynamoResult

    def wanted_class(body: dict[str, Any]) -> str | None:
        value = body.get("TableClass")
        if value is not None and value not in DYNAMODB_TABLE_CLASSES:
            raise MockValidationException(f"One or more parameter values were invalid: TableClass must be one of {', '.join(DYNAMODB_TABLE_CLASSES)}")
        return value

    def build_describe(original: Any) -> Any:
        def describe(self: Any, base_key: str = "TableDescription") -> dict[str, Any]:
            result = original(self, base_key)
            summary = getattr(self, "_corp_table_class_summary", None)
            if summary:
                result[base_key]["TableClassSummary"] = dict(summary)
            return result

        return describe

    def build_create(original: Any) -> Any:
        def create_table(self: Any) -> Any:
            table_class = wanted_class(self.body)
            result = original(self)
            if table_class is None:
                return result
            table = self.dynamodb_backend.get_table(self.body["TableName"])
            table._corp_table_class_summary = {"TableClass": table_class}
            return DynamoResult(table.describe())

        return create_table

    def build_update(original: Any) -> Any:
        def update_table(self: Any) -> Any:
            table_class = wanted_class(self.body)
            result = original(self)
            if table_class is None:
                return result
            table = self.dynamodb_backend.get_table(self.body["TableName"])
            current = (getattr(table, "_corp_table_class_summary", None) or {}).get("TableClass", "STANDARD")
            if table_class != current or not getattr(table, "_corp_table_class_summary", None):
                table._corp_table_class_summary = {"TableClass": table_class, "LastUpdateDateTime": utcnow()}
            return DynamoResult(table.describe())

        return update_table

    _patch(table_cls, "describe", "dynamodb:TableClass", build_describe)
    _patch(response_cls, "create_table", "dynamodb:TableClass", build_create)
    _patch(response_cls, "update_table", "dynamodb:TableClass", build_update)
    _applied("dynamodb:TableClass")


def toggle_dynamodb_streams(backend_cls: Any) -> None:
    """UpdateTable StreamSpecification: enable a stream again after it was disabled; refuse no-op toggles.

    AWS: "You receive a ValidationException if you try to enable a stream on a table that already has a stream, or if
    you try to disable a stream on a table that doesn't have a stream"
    (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateTable.html); a disabled stream can be
    enabled again, which gives the table a new stream (LatestStreamArn / LatestStreamLabel). moto 5.x refuses to
    enable a stream on any table that ever had one (ResourceInUseException "Cannot enable stream", also for a table
    whose stream is enabled) and accepts disabling a stream that is not there. AWS does not document the messages.
    """
    from moto.dynamodb.exceptions import MockValidationException

    def build(original: Any) -> Any:
        def update_table_streams(self: Any, table: Any, stream_specification: dict[str, Any]) -> None:
            enable = bool(stream_specification.get("StreamEnabled"))
            enabled = bool((table.stream_specification or {}).get("StreamEnabled"))
            if enable and enabled:
                raise MockValidationException(f"Table already has an enabled stream: {table.name}")
            if not enable and not enabled:
                raise MockValidationException(f"Table does not have an enabled stream to disable: {table.name}")
            table.set_stream_specification(stream_specification)

        return update_table_streams

    _patch(backend_cls, "update_table_streams", "dynamodb:StreamSpecification-toggle", build)
    _applied("dynamodb:StreamSpecification-toggle")


def switch_dynamodb_billing_mode(backend_cls: Any) -> None:
    """UpdateTable BillingMode: provisioned capacity is required to switch to PROVISIONED, and is 0 in PAY_PER_REQUEST.

    AWS: "When switching from pay-per-request to provisioned capacity, initial provisioned capacity values must be set"
    (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateTable.html), and in PAY_PER_REQUEST mode
    ReadCapacityUnits and WriteCapacityUnits are 0
    (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-dynamodb-table-provisionedthroughput.html),
    which is also what moto answers for a table created on demand. ProvisionedThroughputDescription always carries
    NumberOfDecreasesToday (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ProvisionedThroughputDescription.html).
    moto 5.x switches to PROVISIONED without capacity (0/0), keeps the old capacity after a switch to PAY_PER_REQUEST
    (the table's and its global secondary indexes') and drops NumberOfDecreasesToday once the capacity is updated. The
    refusal is the ValidationException moto's own CreateTable answers for PROVISIONED without capacity.
    """
    from moto.dynamodb.exceptions import MockValidationException

    def build(original: Any) -> Any:
        def update_table(self: Any, name: str, *args: Any, **kwargs: Any) -> Any:
            table = self.get_table(name)
            billing_mode = kwargs.get("billing_mode")
            if billing_mode == "PROVISIONED" and table.billing_mode == "PAY_PER_REQUEST" and not kwargs.get("throughput"):
                raise MockValidationException(
                    "One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED"
                )
            decreases = table.throughput.get("NumberOfDecreasesToday", 0)
            result = original(self, name, *args, **kwargs)
            if billing_mode == "PAY_PER_REQUEST":
                table.throughput = {"ReadCapacityUnits": 0, "WriteCapacityUnits": 0}
                for index in table.global_indexes:
                    index.throughput = {"ReadCapacityUnits": 0, "WriteCapacityUnits": 0}
            table.throughput.setdefault("NumberOfDecreasesToday", decreases)
            return result

        return update_table

    _patch(backend_cls, "update_table", "dynamodb:BillingMode-switch", build)
    _applied("dynamodb:BillingMode-switch")


def mark_aws_managed_keys(backend_cls: Any) -> None:
    """DescribeKey: a key behind an ``alias/aws/<service>`` alias is an AWS managed key, ``KeyManager: AWS``.

    AWS documents AWS managed keys as the ones whose aliases are ``aws/<service>`` and whose ``KeyManager`` is
    ``AWS`` (https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#aws-managed-key,
    https://docs.aws.amazon.com/kms/latest/APIReference/API_KeyMetadata.html); customers cannot create such
    aliases. moto 5.x creates them for DynamoDB and RDS defaults but reports ``KeyManager: CUSTOMER``, so a module
    cannot tell the AWS managed key from a customer's.
    """

    def build(original: Any) -> Any:
        def create_alias(self: Any, target_key_id: str, alias_name: str) -> Any:
            alias = original(self, target_key_id, alias_name)
            if alias_name.startswith("alias/aws/"):
                self.keys[self.get_key_id(target_key_id)].key_manager = "AWS"
            return alias

        return create_alias

    _patch(backend_cls, "create_alias", "kms:aws-managed-key-manager", build)
    _applied("kms:aws-managed-key-manager")


def rotate_rds_managed_secrets(backend_cls: Any) -> None:
    """Secrets RDS manages (ManageMasterUserPassword) rotate every 7 days from their creation.

    AWS: "By default, RDS rotates the secret every seven days" and DescribeSecret reports ``RotationEnabled: true``
    with ``RotationRules.AutomaticallyAfterDays: 7``
    (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-secrets-manager.html#rds-secrets-manager-rotation).
    moto 5.x creates the managed secret with rotation off, so Security Hub's SecretsManager.1 would fail.
    """

    def build(original: Any) -> Any:
        def create_managed_secret(self: Any, service_name: str, *args: Any, **kwargs: Any) -> Any:
            secret = original(self, service_name, *args, **kwargs)
            if service_name == "rds":
                secret.rotation_requested = True  # moto reports rotation fields only once this is set
                secret.rotation_enabled = True
                secret.auto_rotate_after_days = 7
            return secret

        return create_managed_secret

    _patch(backend_cls, "create_managed_secret", "secretsmanager:rds-managed-rotation", build)
    _applied("secretsmanager:rds-managed-rotation")


# --- AWS Backup ----------------------------------------------------------------------------------------------------


# The asynchronous-state rehearsal, off unless a test asks for it (POST /_corp/states?rds_describes=N, see counter.py):
# how many DescribeDBInstances answers show an instance "creating" after CreateDBInstance, or "modifying" after a
# ModifyDBInstance applied immediately, before it is "available"; how many DescribeTable answers show a new table
# CREATING, or an index UpdateTable adds CREATING (dynamodb_describes); and how many such answers were given.
STATE_SETTINGS: dict[str, int] = {"rds_describes": 0, "dynamodb_describes": 0}
STATE_ANSWERS: dict[str, int] = {}
_TRANSITIONAL = ("creating", "modifying")


def _enter_state(instance: Any, state: str) -> None:
    if STATE_SETTINGS["rds_describes"] > 0:
        instance.status = state
        instance._corp_pending = STATE_SETTINGS["rds_describes"]


def report_rds_instance_states(response_cls: Any) -> None:
    """CreateDBInstance / ModifyDBInstance / DescribeDBInstances: the instance passes through "creating" or "modifying".

    AWS answers CreateDBInstance with DBInstanceStatus "creating" and keeps the instance there for minutes; a
    modification applied immediately puts it in "modifying" ("Viewing Amazon RDS DB instance status",
    https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/accessing-monitoring.html#Overview.DBInstance.Status).
    moto reports "available" at once, so the waits (the boto3 waiter db_instance_available, site.yml's "Wait for the
    database") never wait. With ``STATE_SETTINGS["rds_describes"]`` at N > 0, the instance answers the next N
    DescribeDBInstances naming it (or naming none) in that state, then "available". Counted at the API, not in
    moto's backend, whose own operations describe instances internally.
    """

    def build_create(original: Any) -> Any:
        def create_db_instance(self: Any) -> Any:
            result = original(self)
            _enter_state(self.backend.databases[self.params.get("DBInstanceIdentifier")], "creating")
            return result

        return create_db_instance

    def build_modify(original: Any) -> Any:
        def modify_db_instance(self: Any) -> Any:
            result = original(self)
            if str(self.params.get("ApplyImmediately")).lower() == "true":
                _enter_state(self.backend.databases[self.params.get("DBInstanceIdentifier")], "modifying")
            return result

        return modify_db_instance

    def build_describe(original: Any) -> Any:
        def describe_db_instances(self: Any) -> Any:
            named = self.params.get("DBInstanceIdentifier")
            for name, instance in list(self.backend.databases.items()):
                if named and name != named:
                    continue
                pending = getattr(instance, "_corp_pending", 0)
                if pending > 0:
                    instance._corp_pending = pending - 1
                    STATE_ANSWERS[instance.status] = STATE_ANSWERS.get(instance.status, 0) + 1
                elif instance.status in _TRANSITIONAL:
                    instance.status = "available"
            return original(self)

        return describe_db_instances

    _patch(response_cls, "create_db_instance", "rds:instance-states", build_create)
    _patch(response_cls, "modify_db_instance", "rds:instance-states", build_modify)
    _patch(response_cls, "describe_db_instances", "rds:instance-states", build_describe)
    _applied("rds:instance-states")


def report_dynamodb_table_states(backend_cls: Any) -> None:
    """CreateTable / UpdateTable adding an index / DescribeTable: the table, then the index, pass through CREATING.

    AWS answers CreateTable with TableStatus CREATING, and an index UpdateTable adds stays CREATING (IndexStatus) while
    DynamoDB backfills it, the table ACTIVE meanwhile (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/
    API_TableDescription.html, API_GlobalSecondaryIndexDescription.html). Only one index can be created or deleted at
    a time: another index change meanwhile is refused with LimitExceededException ("Only 1 online index can be created
    or deleted simultaneously per table", https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/
    GSI.OnlineOps.html). moto reports everything ACTIVE at once. With ``STATE_SETTINGS["dynamodb_describes"]`` at N > 0,
    a new table answers the next N DescribeTable CREATING, and a new index the next N; an index change while one
    is CREATING is refused.
    """
    from moto.dynamodb.exceptions import DynamodbException

    def limit_exceeded() -> Exception:
        message = "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table"
        return DynamodbException("com.amazonaws.dynamodb.v20120810#LimitExceededException", message)

    def build_create(original: Any) -> Any:
        def create_table(self: Any, *args: Any, **kwargs: Any) -> Any:
            table = original(self, *args, **kwargs)
            table._corp_pending = STATE_SETTINGS["dynamodb_describes"]
            return table

        return create_table

    def build_update_indexes(original: Any) -> Any:
        def update_table_global_indexes(self: Any, table: Any, global_index_updates: list[dict[str, Any]]) -> None:
            changing = any("Create" in update or "Delete" in update for update in global_index_updates)
            if changing and any(index.status == "CREATING" for index in table.global_indexes):
                raise limit_exceeded()
            before = {index.name for index in table.global_indexes}
            original(self, table, global_index_updates)
            for index in table.global_indexes:
                if index.name not in before and STATE_SETTINGS["dynamodb_describes"] > 0:
                    index.status, index._corp_pending = "CREATING", STATE_SETTINGS["dynamodb_describes"]

        return update_table_global_indexes

    def build_describe(original: Any) -> Any:
        def describe_table(self: Any, name: str) -> dict[str, Any]:
            table = self.tables.get(name)
            creating = False
            if table is not None:
                for index in table.global_indexes:
                    pending = getattr(index, "_corp_pending", 0)
                    if pending > 0:
                        index._corp_pending = pending - 1
                        STATE_ANSWERS["index CREATING"] = STATE_ANSWERS.get("index CREATING", 0) + 1
                    elif index.status == "CREATING":
                        index.status = "ACTIVE"
                pending = getattr(table, "_corp_pending", 0)
                if pending > 0:
                    table._corp_pending, creating = pending - 1, True
                    STATE_ANSWERS["CREATING"] = STATE_ANSWERS.get("CREATING", 0) + 1
            result = original(self, name)
            if creating:
                result["Table"]["TableStatus"] = "CREATING"
            return result

        return describe_table

    _patch(backend_cls, "create_table", "dynamodb:table-states", build_create)
    _patch(backend_cls, "update_table_global_indexes", "dynamodb:table-states", build_update_indexes)
    _patch(backend_cls, "describe_table", "dynamodb:table-states", build_describe)
    _applied("dynamodb:table-states")


def add_backup_selections(backend_cls: Any, response_cls: Any) -> None:
    """Backup selections (Create/Get/List/DeleteBackupSelection), UpdateBackupPlan, plan names free again once deleted,
    and AWS's answer for a vault that does not exist.

    AWS: a selection assigns resources to a plan by ARN and ``Conditions`` (API_BackupSelection.html); DeleteBackupPlan
    refuses a plan that still has selections ("Related backup plan selections must be deleted prior to backup plan
    deletion", API_DeleteBackupPlan.html); UpdateBackupPlan replaces the plan document and returns a new VersionId
    (API_UpdateBackupPlan.html); a deleted plan's name may be used again. moto 5.x has no selections and no
    UpdateBackupPlan, and counts deleted plans when it checks a new plan's name, so converge-destroy-converge fails.
    """
    import json as _json

    from moto.backup.exceptions import AlreadyExistsException
    from moto.backup.exceptions import ResourceNotFoundException
    from moto.core.utils import unix_time
    from moto.moto_api._internal import mock_random

    def _ids(path: str) -> tuple[str, str]:
        parts = path.split("?")[0].rstrip("/").split("/")
        after = parts[parts.index("plans") + 1 :]
        return after[0], (after[2] if len(after) > 2 else "")

    def _plan_id(path: str) -> str:
        return _ids(path)[0]

    def _selections(backend: Any) -> dict[str, dict[str, Any]]:
        if not hasattr(backend, "corp_selections"):
            backend.corp_selections = {}
        return backend.corp_selections

    def _live_plan(backend: Any, plan_id: str) -> Any:
        plan = backend.plans.get(plan_id)
        if plan is None or plan.deletion_date is not None:
            raise ResourceNotFoundException(msg=f"Failed reading Backup plan {plan_id}")
        return plan

    def create_backup_selection(self: Any) -> str:
        plan_id = _plan_id(self.path)
        _live_plan(self.backup_backend, plan_id)
        params = _json.loads(self.body)
        selection = dict(params["BackupSelection"])
        selection.setdefault("Resources", [])
        selection.setdefault("NotResources", [])
        selection.setdefault("ListOfTags", [])
        conditions = selection.get("Conditions") or {}
        selection["Conditions"] = {key: conditions.get(key, []) for key in ("StringEquals", "StringNotEquals", "StringLike", "StringNotLike")}
        record = {
            "SelectionId": str(mock_random.uuid4()),
            "BackupPlanId": plan_id,
            "CreationDate": unix_time(),
            "CreatorRequestId": params.get("CreatorRequestId"),
            "BackupSelection": selection,
        }
        _selections(self.backup_backend)[record["SelectionId"]] = record
        return _json.dumps({key: record[key] for key in ("SelectionId", "BackupPlanId", "CreationDate")})

    def get_backup_selection(self: Any) -> str:
        plan_id, selection_id = _ids(self.path)
        record = _selections(self.backup_backend).get(selection_id)
        if record is None or record["BackupPlanId"] != plan_id:
            raise ResourceNotFoundException(msg=f"Failed reading selection {selection_id}")
        return _json.dumps({key: value for key, value in record.items() if value is not None})

    def list_backup_selections(self: Any) -> str:
        plan_id = _plan_id(self.path)
        _live_plan(self.backup_backend, plan_id)
        found = [
            {
                "SelectionId": record["SelectionId"],
                "SelectionName": record["BackupSelection"]["SelectionName"],
                "BackupPlanId": plan_id,
                "CreationDate": record["CreationDate"],
                "IamRoleArn": record["BackupSelection"]["IamRoleArn"],
            }
            for record in _selections(self.backup_backend).values()
            if record["BackupPlanId"] == plan_id
        ]
        return _json.dumps({"BackupSelectionsList": found})

    def delete_backup_selection(self: Any) -> str:
        plan_id, selection_id = _ids(self.path)
        record = _selections(self.backup_backend).get(selection_id)
        if record is None or record["BackupPlanId"] != plan_id:
            raise ResourceNotFoundException(msg=f"Failed reading selection {selection_id}")
        del _selections(self.backup_backend)[selection_id]
        return "{}"

    def update_backup_plan(self: Any) -> str:
        plan_id = _plan_id(self.path)
        plan = _live_plan(self.backup_backend, plan_id)
        document = _json.loads(self.body)["BackupPlan"]
        for rule in document.get("Rules", []):
            rule.setdefault("ScheduleExpression", "cron(0 5 ? * * *)")
            rule.setdefault("StartWindowMinutes", 480)
            rule.setdefault("CompletionWindowMinutes", 10080)
            rule.setdefault("ScheduleExpressionTimezone", "Etc/UTC")
            rule["RuleId"] = str(mock_random.uuid4())
        plan.backup_plan = document
        plan.advanced_backup_settings = document.get("AdvancedBackupSettings") or []
        plan.version_id = mock_random.get_random_string(length=48)
        return _json.dumps(plan.to_dict())

    def build_delete_plan(original: Any) -> Any:
        def delete_backup_plan(self: Any, backup_plan_id: str) -> Any:
            from moto.backup.exceptions import InvalidRequestException

            if any(record["BackupPlanId"] == backup_plan_id for record in _selections(self).values()):
                raise InvalidRequestException(msg="Related backup plan selections must be deleted prior to backup plan deletion")
            return original(self, backup_plan_id)

        return delete_backup_plan

    def build_create_plan(original: Any) -> Any:
        def create_backup_plan(self: Any, backup_plan: dict[str, Any], backup_plan_tags: dict[str, str], creator_request_id: str) -> Any:
            name = backup_plan["BackupPlanName"]
            if any(p.backup_plan["BackupPlanName"] == name and p.deletion_date is None for p in self.plans.values()):
                raise AlreadyExistsException(msg="Backup plan with the same plan document already exists")
            # moto compares the name with deleted plans too: hide them while the original checks.
            deleted = {key: plan for key, plan in self.plans.items() if plan.deletion_date is not None}
            for key in deleted:
                del self.plans[key]
            try:
                return original(self, backup_plan, backup_plan_tags, creator_request_id)
            finally:
                self.plans.update(deleted)

        return create_backup_plan

    for name, method in (
        ("create_backup_selection", create_backup_selection),
        ("get_backup_selection", get_backup_selection),
        ("list_backup_selections", list_backup_selections),
        ("delete_backup_selection", delete_backup_selection),
        ("update_backup_plan", update_backup_plan),
    ):
        _add(response_cls, name, method)

    def build_describe_vault(original: Any) -> Any:
        def describe_backup_vault(self: Any, backup_vault_name: str) -> Any:
            from moto.core.exceptions import JsonRESTError

            if backup_vault_name not in self.vaults:
                # AWS answers a vault name it does not know with 403 AccessDeniedException, "Insufficient privileges to
                # perform this action.", whatever the caller's permissions (aws/aws-sdk-js#2625; amazon.aws's
                # backup_vault module relies on it, ansible-collections/amazon.aws#1436). moto answers
                # ResourceNotFoundException, which that module reports as a failure.
                error = JsonRESTError("AccessDeniedException", "Insufficient privileges to perform this action.")
                error.code = 403
                raise error
            return original(self, backup_vault_name)

        return describe_backup_vault

    _patch(backend_cls, "describe_backup_vault", "backup:unknown-vault-access-denied", build_describe_vault)
    _patch(backend_cls, "delete_backup_plan", "backup:selections-before-plan-delete", build_delete_plan)
    _patch(backend_cls, "create_backup_plan", "backup:plan-name-reuse", build_create_plan)
    _applied("backup:selections")


def apply_all() -> list[str]:
    """Apply every shim once; return their names (the launcher logs them)."""
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.table import Table
    from moto.dynamodb.responses import DynamoHandler
    from moto.s3.models import FakeBucket

    add_dynamodb_table_id(Table)
    resolve_dynamodb_sse_key(Table)
    add_dynamodb_sse_update(DynamoHandler)
    add_dynamodb_table_class(Table, DynamoHandler)
    toggle_dynamodb_streams(DynamoDBBackend)
    switch_dynamodb_billing_mode(DynamoDBBackend)
    allow_anonymous_principal_in_log_bucket_policy(FakeBucket)
    evaluate_bucket_policy_conditions(FakeBucket)
    from moto.kms.models import KmsBackend

    accept_key_arns_in_key_deletion(KmsBackend)
    mark_aws_managed_keys(KmsBackend)
    from moto.iam.responses import IamResponse

    keep_unset_role_fields_on_update(IamResponse)
    from moto.secretsmanager.models import SecretsManagerBackend

    rotate_rds_managed_secrets(SecretsManagerBackend)
    from moto.ec2.models.network_acls import NetworkAcl
    from moto.s3.responses import S3Response

    filter_network_acls_by_id(NetworkAcl)
    add_bucket_abac(S3Response)
    return_bucket_eventbridge_configuration(S3Response)
    from moto.rds.models import DBInstance
    from moto.rds.models import RDSBackend
    from moto.rds.responses import RDSResponse

    raise_db_parameter_group_not_found(RDSBackend)
    keep_modified_db_subnet_group(RDSBackend)
    add_postgres_parameters(RDSBackend, RDSResponse)
    track_parameter_apply_status(DBInstance, RDSBackend)
    add_performance_insights(DBInstance)
    default_storage_key_to_aws_rds(DBInstance)
    unique_dbi_resource_ids(DBInstance)
    add_gp3_storage_baseline(DBInstance, RDSBackend)
    add_db_engine_versions(RDSBackend, RDSResponse)
    report_rds_instance_states(RDSResponse)
    report_dynamodb_table_states(DynamoDBBackend)
    from moto.backup.models import BackupBackend
    from moto.backup.responses import BackupResponse

    add_backup_selections(BackupBackend, BackupResponse)
    return list(_APPLIED)
