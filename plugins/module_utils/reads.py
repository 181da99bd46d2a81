# Copyright: corp.infra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What corp.infra's read-only modules (account_info, the *_state_info readers, security_controls_info, the other *_info modules) share."""

from __future__ import annotations

from typing import Any
from typing import Callable

try:  # noqa: SIM105 the guarded import every amazon.aws module_utils uses
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

import json
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from urllib.parse import unquote

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.botocore import paginated_query_with_retries
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.s3 import get_s3_bucket_encryption
from ansible_collections.amazon.aws.plugins.module_utils.s3 import get_s3_bucket_logging
from ansible_collections.amazon.aws.plugins.module_utils.s3 import get_s3_bucket_ownership_controls
from ansible_collections.amazon.aws.plugins.module_utils.s3 import get_s3_bucket_policy
from ansible_collections.amazon.aws.plugins.module_utils.s3 import get_s3_bucket_public_access_block
from ansible_collections.amazon.aws.plugins.module_utils.s3 import get_s3_bucket_tagging
from ansible_collections.corp.infra.plugins.module_utils.clients import OneSession
from ansible_collections.corp.infra.plugins.module_utils.observed import notification_kinds
from ansible_collections.corp.infra.plugins.module_utils.s3_abac import status_of


def all_pages(client: Any, operation: str, key: str, **params: Any) -> list[Any]:
    """Every page's ``key`` items, each page retried on throttling (amazon.aws's paginated_query_with_retries)."""
    return paginated_query_with_retries(client, operation, **params).get(key, [])


class ReadRefused(Exception):
    """Arguments a read cannot start from: the module's or the action's failure, in one line."""


def run_reader(argument_spec: dict[str, Any], read: Callable[[dict[str, Any], Any], dict[str, Any]], failure: str) -> None:
    """The main() of a read-only module: ``read(params, aws)`` with every client from one session, its AWS errors
    as the module's failure (``failure`` formatted with the parameters)."""
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    try:
        state = read(module.params, OneSession.of_module(module))
    except ReadRefused as e:
        module.fail_json(msg=str(e))
    except AnsibleAWSError as e:  # amazon.aws's module_utils helpers raise it
        module.fail_json_aws_error(e)
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
        module.fail_json_aws(e, msg=failure.format(**module.params))
    module.exit_json(changed=False, **state)


def optional(call: Callable[..., dict[str, Any]], missing: str, empty: dict[str, Any], **params: Any) -> dict[str, Any]:
    """The answer of a Get call, or ``empty`` when AWS answers that the setting is not there."""
    try:
        return call(aws_retry=True, **params)
    except is_boto3_error_code(missing):
        return empty


def concurrently(calls: dict[str, Callable[[], Any]]) -> dict[str, Any]:
    """Each call's answer under its key, the calls sent side by side: a read waits on AWS, not on the CPU, and botocore's
    clients are thread-safe (clients are made before, from one session, which is not). The first error is raised."""
    if len(calls) < 2:
        return {key: call() for key, call in calls.items()}
    with ThreadPoolExecutor(max_workers=min(len(calls), 8)) as pool:
        futures = {key: pool.submit(call) for key, call in calls.items()}
        return {key: future.result() for key, future in futures.items()}


def _or_empty(helper: Callable[[Any, str], Any], s3: Any, name: str) -> Any:
    return helper(s3, name) or {}


def _logging(s3: Any, name: str) -> dict[str, Any]:
    return (get_s3_bucket_logging(s3, name) or {}).get("LoggingEnabled", {})


def _lifecycle_rules(s3: Any, name: str) -> list[dict[str, Any]]:
    return optional(s3.get_bucket_lifecycle_configuration, "NoSuchLifecycleConfiguration", {}, Bucket=name).get("Rules", [])


def _abac_status(s3: Any, name: str) -> str:
    return status_of(s3.get_bucket_abac(aws_retry=True, Bucket=name))


def _notifications(s3: Any, name: str) -> list[str]:
    return notification_kinds(s3.get_bucket_notification_configuration(aws_retry=True, Bucket=name))


# How each field of a bucket is read: the field -> its Get call, amazon.aws's get_s3_bucket_* helper where it has one.
# read_bucket reads exactly these; every field a settings table compares (s3_state.BUCKET_SETTINGS) or a control checks
# must be one (a unit test holds the table to it).
BUCKET_READS: dict[str, Callable[[Any, str], Any]] = {
    "bucket_encryption": partial(_or_empty, get_s3_bucket_encryption),
    "public_access_block": partial(_or_empty, get_s3_bucket_public_access_block),
    "bucket_ownership_controls": partial(_or_empty, get_s3_bucket_ownership_controls),
    "bucket_policy": partial(_or_empty, get_s3_bucket_policy),
    "bucket_logging": _logging,
    "bucket_tags": partial(_or_empty, get_s3_bucket_tagging),
    "lifecycle_rules": _lifecycle_rules,
    "abac_status": _abac_status,
    "notifications": _notifications,
}


def read_bucket(s3: Any, name: str) -> dict[str, Any]:
    """Everything corp.infra compares or checks of a bucket: the one bucket read (corp.infra.s3_state_info's, and
    security_controls_info's when no role read it in the run). Versioning first, as the probe of whether the bucket
    exists; then every BUCKET_READS field, side by side."""
    # Not amazon.aws's get_s3_bucket_versioning here: it retries NoSuchBucket (for a bucket just created) for minutes.
    try:
        versioning = s3.get_bucket_versioning(aws_retry=True, Bucket=name)
    except is_boto3_error_code("NoSuchBucket"):
        return {"name": name, "exists": False}
    found = concurrently({field: partial(read, s3, name) for field, read in BUCKET_READS.items()})
    return {
        "name": name,
        "exists": True,
        "bucket_versioning": {k: v for k, v in versioning.items() if k in ("Status", "MFADelete")},
        **found,
        "eventbridge": "EventBridgeConfiguration" in found["notifications"],
    }


def policy_document(document: Any) -> dict[str, Any]:
    """An IAM policy document as a dict: IAM returns it URL-encoded; boto3 decodes it, not every endpoint does."""
    return json.loads(unquote(document)) if isinstance(document, str) else document


def read_managed_policy(iam: Any, arn: str) -> dict[str, Any]:
    """A customer managed policy (GetPolicy) with ``VersionIds``, the default version's ``Document`` and ``Tags``;
    {} when IAM has no such policy. The one managed policy read (iam_state_info, iam_managed_policy_info,
    security_controls_info)."""
    try:
        policy = iam.get_policy(aws_retry=True, PolicyArn=arn)["Policy"]
    except is_boto3_error_code("NoSuchEntity"):
        return {}
    found = concurrently(
        {
            "VersionIds": partial(all_pages, iam, "list_policy_versions", "Versions", PolicyArn=arn),
            "Document": partial(iam.get_policy_version, aws_retry=True, PolicyArn=arn, VersionId=policy["DefaultVersionId"]),
        }
    )
    policy["VersionIds"] = [v["VersionId"] for v in found["VersionIds"]]
    policy["Document"] = policy_document(found["Document"]["PolicyVersion"]["Document"])
    if policy.get("Tags") is None:  # GetPolicy carries them; an endpoint that leaves them out is asked
        policy["Tags"] = all_pages(iam, "list_policy_tags", "Tags", PolicyArn=arn)
    return policy
