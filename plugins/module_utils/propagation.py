# Copyright: corp.infra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""AWS answers a request that uses something created moments ago with an error until the change has propagated.

IAM in particular: "changes that you make are not always immediately visible ... a role or policy is replicated
across AWS" (IAM User Guide, "Changes that I make are not always immediately visible",
https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_general.html#troubleshoot_general_eventual-consistency).
Each case below is one error, matched by code AND message, so that the same code for a real mistake still fails at
once. ``propagation_retry`` retries them with amazon.aws's own jittered backoff (AWSRetry), bounded, and the last
error is the module's failure. docs/eventual-consistency.md lists the cases with their sources.
"""

from __future__ import annotations

import re

from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

# The pseudo error code a propagation error is retried as.
PROPAGATION = "corp:IAMPropagation"

# (error code, message pattern, where AWS or its users document it)
CASES = (
    (
        "InvalidParameterValue",
        re.compile(r"IAM role ARN value is invalid or does not include the required permissions for: ENHANCED_MONITORING"),
        "RDS CreateDBInstance / ModifyDBInstance with a monitoring role created moments ago (claranet/terraform-aws-aurora#23)",
    ),
    (
        "InvalidParameter",
        re.compile(r"Unable to assume given IAM role"),
        "EC2 CreateFlowLogs delivering through a role created moments ago (hashicorp/terraform-provider-aws#29323)",
    ),
    (
        "MalformedPolicyDocumentException",
        re.compile(r"one or more invalid principals"),
        "KMS CreateKey / PutKeyPolicy naming a principal created moments ago (AWS KMS API Reference, CreateKey, Policy)",
    ),
)


def is_propagation_error(code: str, message: str) -> bool:
    return any(code == case_code and pattern.search(message or "") for case_code, pattern, _source in CASES)


class _PropagationRetry(AWSRetry):
    """AWSRetry that also retries the CASES, recognised by code and message."""

    @staticmethod
    def status_code_from_exception(error):
        details = error.response.get("Error", {})
        code = details.get("Code", "")
        return PROPAGATION if is_propagation_error(code, details.get("Message", "")) else code


def propagation_retry(extra_codes: list[str] | None = None, retries: int = 10, delay: int = 3, max_delay: int = 60):
    """A client retry decorator: amazon.aws's throttling retries, ``extra_codes``, and the propagation CASES, with
    AWSRetry.jittered_backoff's own bounds (10 retries, each a random wait up to 3, 6, 12... 60 s)."""
    return _PropagationRetry.jittered_backoff(retries=retries, delay=delay, max_delay=max_delay, catch_extra_error_codes=[*(extra_codes or []), PROPAGATION])
