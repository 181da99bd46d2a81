# Copyright: corp.infra contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Gateway endpoint policies: what traffic from the stack's VPC may reach through its S3 and DynamoDB endpoints.

Plain values in, a policy document out. An endpoint policy does not grant anything; it limits what any request
sent through the endpoint may do, on top of the caller's own policies (VPC User Guide, "Control access to VPC
endpoints using endpoint policies"). AWS's default is full access to the whole service, every bucket and table
of every account included: a route out of the VPC for data. Here a request through the endpoint must come from
a principal of this account (aws:PrincipalAccount) and name the stack's bucket or table, and only with the
data actions the stack's roles are ever given (tag_policy's S3_ACCESS and DYNAMODB_ACCESS, every level).
Statements the user adds (network_gateway_endpoint_statements) open more, explicitly.
"""

from __future__ import annotations

import re
from typing import Any

from ansible_collections.corp.infra.plugins.module_utils.kms_policy import PolicyError
from ansible_collections.corp.infra.plugins.module_utils.tag_policy import DYNAMODB_ACCESS
from ansible_collections.corp.infra.plugins.module_utils.tag_policy import S3_ACCESS

SERVICES = ("s3", "dynamodb")


def _all(levels: dict[str, list[str]]) -> list[str]:
    return sorted({action for actions in levels.values() for action in actions})


def gateway_endpoint_policy(
    service: str,
    account_id: str,
    partition: str = "aws",
    region: str | None = None,
    bucket_names: list[str] | None = None,
    table_names: list[str] | None = None,
    extra_statements: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The policy of the gateway endpoint for ``service`` (s3 or dynamodb)."""
    if service not in SERVICES:
        raise PolicyError(f"service must be one of {', '.join(SERVICES)} (got {service!r})")
    if not re.fullmatch(r"\d{12}", str(account_id)):
        raise PolicyError(f"account_id must be 12 digits (got {account_id!r})")
    if service == "s3":
        names = sorted(set(bucket_names or []))
        if not names or any("*" in n for n in names):
            raise PolicyError(f"bucket_names must name the stack's buckets exactly (got {bucket_names!r})")
        resources = [r for name in names for r in (f"arn:{partition}:s3:::{name}", f"arn:{partition}:s3:::{name}/*")]
        sid, actions = "StackBucketsFromThisAccount", _all(S3_ACCESS)
    else:
        names = sorted(set(table_names or []))
        if not names or any("*" in n for n in names) or not region:
            raise PolicyError(f"table_names and region must name the stack's tables exactly (got {table_names!r}, {region!r})")
        tables = [f"arn:{partition}:dynamodb:{region}:{account_id}:table/{name}" for name in names]
        resources = [r for table in tables for r in (table, f"{table}/index/*")]
        sid, actions = "StackTablesFromThisAccount", _all(DYNAMODB_ACCESS)
    statement = {
        "Sid": sid,
        "Effect": "Allow",
        "Principal": "*",
        "Action": actions,
        "Resource": resources,
        "Condition": {"StringEquals": {"aws:PrincipalAccount": str(account_id)}},
    }
    extra = [s for index, s in enumerate(extra_statements or []) if _service_of(s, index) == service]
    return {"Version": "2012-10-17", "Statement": [statement, *extra]}


def _service_of(statement: dict[str, Any], index: int) -> str:
    """The endpoint a user statement goes to, from its actions' prefix: one service per statement."""
    actions = statement.get("Action") or []
    prefixes = {str(a).split(":", maxsplit=1)[0] for a in (actions if isinstance(actions, list) else [actions])}
    if len(prefixes) != 1 or not prefixes <= set(SERVICES):
        raise PolicyError(f"network_gateway_endpoint_statements[{index}]: Action must name s3 or dynamodb actions, not both (got {actions!r})")
    return prefixes.pop()
