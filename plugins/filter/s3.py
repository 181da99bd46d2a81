# Copyright: corp.infra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters the s3 role builds its key and bucket policies and reads drift with: stack_key_policy, s3_bucket_policy,
s3_drift."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.corp.infra.plugins.module_utils.bucket_policy import bucket_policy
from ansible_collections.corp.infra.plugins.module_utils.kms_policy import PolicyError
from ansible_collections.corp.infra.plugins.module_utils.kms_policy import stack_key_policy as build_stack_key_policy
from ansible_collections.corp.infra.plugins.module_utils.s3_state import s3_drift
from ansible_collections.corp.infra.plugins.plugin_utils.drift_filter import drift_filter
from ansible_collections.corp.infra.plugins.plugin_utils.drift_filter import plain


def s3_bucket_policy(bucket_name, partition="aws", user_statements=None, extra_statements=None, min_tls_version="1.2", sse_kms=False, kms_key_arn=None):
    user_statements, extra_statements = plain(user_statements or []), plain(extra_statements or [])
    try:
        return bucket_policy(
            str(bucket_name), str(partition), user_statements, extra_statements, str(min_tls_version), bool(sse_kms), str(kms_key_arn or "") or None
        )
    except PolicyError as error:
        raise AnsibleFilterError(f"corp.infra.s3_bucket_policy: {error}") from None


def stack_key_policy(account_id, partition="aws", region=None, services=None, log_group_arns=None):
    try:
        return build_stack_key_policy(
            str(account_id), str(partition), str(region), [str(s) for s in plain(services or [])], [str(a) for a in plain(log_group_arns or [])]
        )
    except PolicyError as error:
        raise AnsibleFilterError(f"corp.infra.stack_key_policy: {error}") from None


class FilterModule:
    def filters(self):
        return {
            "s3_bucket_policy": s3_bucket_policy,
            "stack_key_policy": stack_key_policy,
            "s3_drift": drift_filter("s3_drift", s3_drift),
        }
