"""An IAM policy evaluator for tests: the part of AWS's evaluation logic that the stack's documents use.

moto does not evaluate conditions, and no maintained library evaluates them offline, so this small one decides
whether a request that a real client sends is allowed by the documents the stack writes. It follows:

- "Policy evaluation logic" (IAM User Guide): an explicit Deny in any policy wins; within one account a
  request is allowed when an identity policy or a resource policy that names the principal allows it; a
  permissions boundary and a VPC endpoint policy only limit; a KMS key policy must allow the request itself,
  or allow the account (arn:...:root) and so delegate to the identity policies.
- "IAM JSON policy elements: Condition operators": keys are case-insensitive, values are not (but for the
  IgnoreCase operators); several values for one key are ORed, several keys and operators are ANDed; a key
  absent from the request fails a condition, except negated operators (true), ...IfExists (true) and Null;
  ForAllValues is true for an absent key, ForAnyValue false.

It refuses (raises UnsupportedPolicy) anything outside that: an unknown operator, a policy variable, a plain
operator on a multivalued key. A document that uses something it cannot judge fails the test that reads it.
tests/unit/policy/test_evaluator.py checks it on the examples of those two AWS pages.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from typing import Any

ALLOW = "Allow"
EXPLICIT_DENY = "ExplicitDeny"
IMPLICIT_DENY = "ImplicitDeny"


class UnsupportedPolicy(ValueError):
    """The document uses something this evaluator does not model; the test cannot judge it."""


@dataclass(frozen=True)
class Request:
    """One authorised request, as AWS builds its request context.

    principal: the caller's ARN (an IAM role's ARN stands for its sessions) or a service principal
    (``logs.eu-west-1.amazonaws.com``); account: the caller's account (None for a service principal).
    """

    action: str
    resource: str
    principal: str
    account: str | None = None
    context: Mapping[str, Any] = field(default_factory=dict)

    def value(self, key: str) -> Any:
        for name, value in self.context.items():
            if name.lower() == key.lower():
                return value
        # Keys AWS puts in every request of an IAM principal ("AWS global condition context keys").
        if self.account and self.principal.startswith("arn:"):
            return {"aws:principalaccount": self.account, "aws:principalarn": self.principal}.get(key.lower())
        return None


def _listify(value: Any) -> list[Any]:
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _wildcard(pattern: str, ignore_case: bool = False) -> re.Pattern[str]:
    if "${" in pattern:
        raise UnsupportedPolicy(f"policy variables are not modelled: {pattern!r}")
    # IAM knows two wildcards, * and ?; everything else (brackets included) is literal.
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(regex, re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def _arn_like(value: str, pattern: str) -> bool:
    # Each of the six colon-separated parts is matched on its own (the resource part may hold colons).
    values, patterns = value.split(":", 5), pattern.split(":", 5)
    if len(values) != 6 or len(patterns) != 6:
        return False
    return all(_wildcard(p).fullmatch(v) is not None for v, p in zip(values, patterns))


# Each operator: how one request value matches one policy value, and whether the operator negates the match.
# ArnEquals and ArnLike behave alike (both take wildcards), as the Condition operators page says.
STRING_OPERATORS = {
    "StringEquals": (lambda v, p: v == p, False),
    "StringNotEquals": (lambda v, p: v == p, True),
    "StringEqualsIgnoreCase": (lambda v, p: v.lower() == p.lower(), False),
    "StringNotEqualsIgnoreCase": (lambda v, p: v.lower() == p.lower(), True),
    "StringLike": (lambda v, p: _wildcard(p).fullmatch(v) is not None, False),
    "StringNotLike": (lambda v, p: _wildcard(p).fullmatch(v) is not None, True),
    "ArnEquals": (_arn_like, False),
    "ArnLike": (_arn_like, False),
    "ArnNotEquals": (_arn_like, True),
    "ArnNotLike": (_arn_like, True),
    "Bool": (lambda v, p: str(v).lower() == str(p).lower(), False),
    "NumericEquals": (lambda v, p: float(v) == float(p), False),
    "NumericNotEquals": (lambda v, p: float(v) == float(p), True),
    "NumericLessThan": (lambda v, p: float(v) < float(p), False),
    "NumericLessThanEquals": (lambda v, p: float(v) <= float(p), False),
    "NumericGreaterThan": (lambda v, p: float(v) > float(p), False),
    "NumericGreaterThanEquals": (lambda v, p: float(v) >= float(p), False),
}


def _condition_holds(operator: str, key: str, policy_values: Any, request: Request) -> bool:
    qualifier = None
    if ":" in operator:
        qualifier, operator = operator.split(":", 1)
        if qualifier not in ("ForAllValues", "ForAnyValue"):
            raise UnsupportedPolicy(f"unknown set operator {qualifier!r}")
    if_exists = operator.endswith("IfExists")
    base = operator[: -len("IfExists")] if if_exists else operator
    value = request.value(key)
    present = value is not None
    wanted = [str(p).lower() if base == "Bool" else str(p) for p in _listify(policy_values)]
    if base == "Null":
        if qualifier or if_exists:
            raise UnsupportedPolicy(f"{operator} with a qualifier is not modelled")
        return all((not present) == (p.lower() == "true") for p in wanted)
    if base not in STRING_OPERATORS:
        raise UnsupportedPolicy(f"condition operator {operator!r} is not modelled")
    matches, negated = STRING_OPERATORS[base]

    def one(v: Any) -> bool:
        hit = any(matches(str(v), p) for p in wanted)
        return not hit if negated else hit

    if qualifier == "ForAllValues":
        return all(one(v) for v in _listify(value)) if present else True
    if qualifier == "ForAnyValue":
        return any(one(v) for v in _listify(value)) if present else False
    if not present:
        return bool(if_exists or negated)
    if isinstance(value, (list, tuple)):
        raise UnsupportedPolicy(f"{operator} on the multivalued key {key} needs ForAllValues or ForAnyValue")
    return one(value)


def conditions_hold(condition: Mapping[str, Mapping[str, Any]] | None, request: Request) -> bool:
    return all(_condition_holds(operator, key, values, request) for operator, pairs in (condition or {}).items() for key, values in pairs.items())


def _matches_action(patterns: Any, action: str) -> bool:
    return any(_wildcard(p, ignore_case=True).fullmatch(action) for p in _listify(patterns))


def _matches_resource(patterns: Any, resource: str) -> bool:
    return any(p == "*" or _wildcard(p).fullmatch(resource) for p in _listify(patterns))


def _matches_principal(principal: Any, request: Request, *, delegation: bool) -> bool | str:
    """True when the Principal names the caller, "account" when it names the caller's account (which only
    delegates to the account's identity policies), False otherwise."""
    if principal == "*":
        return True
    if not isinstance(principal, Mapping):
        raise UnsupportedPolicy(f"Principal {principal!r} is not modelled")
    for kind, values in principal.items():
        for value in _listify(values):
            if kind == "Service" and value == request.principal:
                return True
            if kind == "AWS":
                if value in ("*", request.principal):
                    return True
                if request.account and (value == request.account or re.fullmatch(rf"arn:aws[a-z-]*:iam::{request.account}:root", str(value))):
                    return "account" if delegation else False
    return False


def statement_applies(statement: Mapping[str, Any], request: Request, *, resource_policy: bool = False) -> bool | str:
    """Whether the statement covers the request (action, resource, principal, conditions)."""
    unknown = set(statement) - {"Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Principal", "Condition"}
    if unknown:
        raise UnsupportedPolicy(f"statement elements {sorted(unknown)} are not modelled")
    if "Action" in statement and not _matches_action(statement["Action"], request.action):
        return False
    if "NotAction" in statement and _matches_action(statement["NotAction"], request.action):
        return False
    if "Resource" in statement and not _matches_resource(statement["Resource"], request.resource):
        return False
    if "NotResource" in statement and _matches_resource(statement["NotResource"], request.resource):
        return False
    named: bool | str = True
    if resource_policy:
        if "Principal" not in statement:
            raise UnsupportedPolicy("a resource policy statement needs a Principal")
        named = _matches_principal(statement["Principal"], request, delegation=True)
        if not named:
            return False
    if not conditions_hold(statement.get("Condition"), request):
        return False
    return named


def _statements(documents: Iterable[Mapping[str, Any] | None]) -> list[Mapping[str, Any]]:
    found = []
    for document in documents:
        if document:
            found.extend(_listify(document["Statement"]))
    return found


def _effects(documents: Iterable[Mapping[str, Any] | None], request: Request, *, resource_policy: bool = False) -> dict[str, Any]:
    """{"Deny": bool, "Allow": bool, "AllowAccount": bool} for the statements that cover the request."""
    seen = {"Deny": False, "Allow": False, "AllowAccount": False}
    for statement in _statements(documents):
        applies = statement_applies(statement, request, resource_policy=resource_policy)
        if not applies:
            continue
        if statement["Effect"] == "Deny":
            # A Deny naming the account covers every principal in it.
            seen["Deny"] = True
        elif applies == "account":
            seen["AllowAccount"] = True
        else:
            seen["Allow"] = True
    return seen


def evaluate(
    request: Request,
    *,
    identity: Iterable[Mapping[str, Any]] = (),
    resource: Mapping[str, Any] | None = None,
    key_policy: Mapping[str, Any] | None = None,
    boundary: Mapping[str, Any] | None = None,
    endpoint: Mapping[str, Any] | None = None,
) -> str:
    """ALLOW, EXPLICIT_DENY or IMPLICIT_DENY for a request within one account.

    resource: the resource's policy (bucket, trust); key_policy: a KMS key's policy, which must allow the
    request itself or delegate to the account; endpoint: the policy of the VPC endpoint the request goes through.
    """
    identity = list(identity)
    identity_effects = _effects(identity, request)
    resource_effects = _effects([resource], request, resource_policy=True)
    key_effects = _effects([key_policy], request, resource_policy=True)
    boundary_effects = _effects([boundary], request)
    endpoint_effects = _effects([endpoint], request, resource_policy=True)
    if any(e["Deny"] for e in (identity_effects, resource_effects, key_effects, boundary_effects, endpoint_effects)):
        return EXPLICIT_DENY
    if endpoint is not None and not (endpoint_effects["Allow"] or endpoint_effects["AllowAccount"]):
        return IMPLICIT_DENY
    identity_allows = identity_effects["Allow"] and (boundary is None or boundary_effects["Allow"])
    if key_policy is not None:
        if key_effects["Allow"]:
            return ALLOW
        return ALLOW if key_effects["AllowAccount"] and identity_allows else IMPLICIT_DENY
    if resource_effects["Allow"]:
        return ALLOW
    return ALLOW if identity_allows else IMPLICIT_DENY
