"""Values checked against their columns (按字段定义校验): a value longer than its column, or
null where the column is not nullable, is refused as bad input naming the field — before the
database refuses it (PostgreSQL raises on a too-long ``varchar``; SQLite would store it) — with
the limits read from the table definitions, never written again by hand.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from landrenew.core.errors import InputError
from landrenew.core.store.models.base import table_of


def check_columns(model: Any, values: Mapping[str, Any], *, file: str | None = None,
                  row: Any = None) -> None:
    """Refuse the first value of ``values`` (column name → value) that ``model``'s table cannot
    hold: null in a NOT NULL column, text longer than the column's length."""
    columns = table_of(model).c
    for name, value in values.items():
        column = columns.get(name)
        if column is None:
            continue
        if value is None:
            if not column.nullable and not column.primary_key:
                raise InputError(f"{name} cannot be empty", field=name, file=file, row=row)
            continue
        length = getattr(column.type, "length", None)
        if isinstance(value, str) and length is not None and len(value) > length:
            raise InputError(f"{name} has {len(value)} characters; at most {length} fit",
                             field=name, file=file, row=row)
