# Copyright: corp.infra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What corp.infra's state readers (network_state_info, iam_state_info, rds_state_info) share."""

from __future__ import annotations

from typing import Any

from ansible_collections.amazon.aws.plugins.module_utils.botocore import paginated_query_with_retries


def all_pages(client: Any, operation: str, key: str, **params: Any) -> list[Any]:
    """Every page's ``key`` items, each page retried on throttling (amazon.aws's paginated_query_with_retries)."""
    return paginated_query_with_retries(client, operation, **params).get(key, [])
