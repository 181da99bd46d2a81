"""Small patches that make moto answer like real AWS where amazon.aws / community.aws depend on it.

Each shim names the AWS API reference that documents the field, and has a unit test in
tests/unit/scripts/test_emulator_shims.py. A shim only adds what AWS documents; it never relaxes a
check, so a role that passes here also passes against AWS.
"""

from __future__ import annotations

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


def apply_all() -> list[str]:
    """Apply every shim once; return their names (the launcher logs them)."""
    from moto.dynamodb.models.table import Table

    add_dynamodb_table_id(Table)
    return list(_APPLIED)
