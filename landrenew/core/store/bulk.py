"""Fast bulk writes: ``executemany`` on SQLite, ``COPY … FROM STDIN`` on PostgreSQL.

Callers hand a frame whose columns are table columns, holding Python values: str, float,
int, ``datetime.date``, ``datetime.datetime``, dict/list (JSON), bool and WKB ``bytes`` for
geometry. Missing values may be None or NaN. Everything runs inside the caller's transaction.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Table
from sqlalchemy.orm import Session
from sqlalchemy.types import JSON, Date, DateTime

from landrenew.core.store.capabilities import Capabilities
from landrenew.core.store.types import Geometry

CHUNK = 50_000


def _nullify(col: pd.Series) -> np.ndarray:
    values = col.to_numpy(dtype=object)
    if col.dtype.kind in "fc" or col.dtype == object or str(col.dtype) in ("Int64", "string"):
        mask = pd.isna(col).to_numpy()
        if mask.any():
            values = values.copy()
            values[mask] = None
    return values


def _sqlite_converter(column_type: Any) -> Callable[[pd.Series], np.ndarray] | None:
    if isinstance(column_type, DateTime):
        return lambda s: _nullify(s.map(lambda v: None if v is None or pd.isna(v) else
                                        v.strftime("%Y-%m-%d %H:%M:%S.%f"), na_action="ignore"))
    if isinstance(column_type, Date):
        return lambda s: _nullify(s.map(lambda v: v.isoformat() if v is not None else None,
                                        na_action="ignore"))
    if isinstance(column_type, JSON):
        return lambda s: _nullify(s.map(lambda v: None if v is None else
                                        json.dumps(v, ensure_ascii=False), na_action="ignore"))
    return None


def _postgres_converter(column_type: Any) -> Callable[[pd.Series], np.ndarray] | None:
    if isinstance(column_type, Geometry):
        return lambda s: _nullify(s.map(lambda v: v.hex() if v is not None else None,
                                        na_action="ignore"))
    if isinstance(column_type, JSON):
        return lambda s: _nullify(s.map(lambda v: None if v is None else
                                        json.dumps(v, ensure_ascii=False), na_action="ignore"))
    return None


def _rows(frame: pd.DataFrame, table: Table, converter: Callable[[Any], Any]) -> Iterator[tuple]:
    for start in range(0, len(frame), CHUNK):
        part = frame.iloc[start : start + CHUNK]
        columns = []
        for name in frame.columns:
            col_type = table.c[name].type
            conv = converter(col_type)
            series = part[name]
            if str(series.dtype) == "Int64":
                series = series.astype(object)
            columns.append(conv(series) if conv else _nullify(series))
        yield from zip(*columns, strict=True)


def bulk_insert(session: Session, caps: Capabilities, table: Table, frame: pd.DataFrame,
                on_rows: Callable[[int], None] | None = None) -> int:
    """Insert every row of ``frame`` into ``table``; returns the number of rows."""
    if frame.empty:
        return 0
    names = list(frame.columns)
    raw = session.connection().connection.driver_connection
    if caps.bulk_copy:
        sql = f"COPY {table.name} ({', '.join(names)}) FROM STDIN"
        with raw.cursor() as cur, cur.copy(sql) as copy:  # type: ignore[union-attr]
            for i, row in enumerate(_rows(frame, table, _postgres_converter), 1):
                copy.write_row(row)
                if on_rows and i % CHUNK == 0:
                    on_rows(CHUNK)
    else:
        sql = f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
        cur = raw.cursor()  # type: ignore[union-attr]
        rows = _rows(frame, table, _sqlite_converter)
        while True:
            batch = [r for _, r in zip(range(CHUNK), rows, strict=False)]
            if not batch:
                break
            cur.executemany(sql, batch)
            if on_rows:
                on_rows(len(batch))
        cur.close()
    return len(frame)
