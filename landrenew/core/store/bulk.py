"""Fast bulk writes: ``executemany`` on SQLite, ``COPY … FROM STDIN`` on PostgreSQL.

Callers hand a frame whose columns are table columns, holding Python values: str, float,
int, ``datetime.date``, ``datetime.datetime``, dict/list (JSON), bool and WKB ``bytes`` for
geometry. Missing values may be None or NaN. Everything runs inside the caller's transaction.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
from sqlalchemy import Table, text
from sqlalchemy.orm import Session
from sqlalchemy.types import JSON, Date, DateTime, Integer

from landrenew.core.store.capabilities import Capabilities
from landrenew.core.store.types import Geometry

CHUNK = 50_000
#: Tables whose bounding boxes are indexed in ``<table>_rtree`` on SQLite.
RTREE_TABLES = ("parcel_versions", "zone_versions")


def _nullify(col: pd.Series) -> np.ndarray:
    values = col.to_numpy(dtype=object)
    if col.dtype.kind not in "biu":
        mask = pd.isna(col).to_numpy()
        if mask.any():
            values = values.copy()
            values[mask] = None
    return values


def _as_int(s: pd.Series) -> np.ndarray:
    return np.array([None if v is None or pd.isna(v) else int(v) for v in s.to_numpy(dtype=object)],
                    dtype=object)


def _iso(s: pd.Series, unit: Literal["D", "us"]) -> np.ndarray:
    """Dates/datetimes (datetime64, date objects, Timestamps) → ISO text, vectorised; None for NaT."""
    values = pd.to_datetime(s, errors="coerce").to_numpy(dtype="datetime64[us]")
    text = np.datetime_as_string(values, unit=unit).astype(object)
    if unit == "us":
        text = np.char.replace(text.astype(str), "T", " ").astype(object)
    text[np.isnat(values)] = None
    return text


def _json(s: pd.Series) -> np.ndarray:
    return np.array([None if v is None or (isinstance(v, float) and v != v) else
                     json.dumps(v, ensure_ascii=False) for v in s.to_numpy(dtype=object)],
                    dtype=object)


def _hex(s: pd.Series) -> np.ndarray:
    return np.array([None if v is None or (isinstance(v, float) and v != v) else v.hex()
                     for v in s.to_numpy(dtype=object)], dtype=object)


def _converter(column_type: Any, caps: Capabilities) -> Callable[[pd.Series], np.ndarray] | None:
    """How a column's values are handed to the driver (text for dates on SQLite, hex EWKB for
    geometry on PostGIS …)."""
    if isinstance(column_type, Integer):
        return _as_int
    if isinstance(column_type, DateTime):
        return lambda s: _iso(s, "us")
    if isinstance(column_type, Date):
        return lambda s: _iso(s, "D")
    if isinstance(column_type, JSON):
        return _json
    if isinstance(column_type, Geometry) and caps.bulk_copy:
        return _hex
    return None


def _columns(part: pd.DataFrame, table: Table, caps: Capabilities) -> list[np.ndarray]:
    columns = []
    for name in part.columns:
        conv = _converter(table.c[name].type, caps)
        series = part[name]
        if str(series.dtype) == "Int64":
            series = series.astype(object)
        columns.append(conv(series) if conv else _nullify(series))
    return columns


def _rows(frame: pd.DataFrame, table: Table, caps: Capabilities) -> Iterator[tuple]:
    for start in range(0, len(frame), CHUNK):
        yield from zip(*_columns(frame.iloc[start : start + CHUNK], table, caps), strict=True)


def _csv_chunks(frame: pd.DataFrame, table: Table, caps: Capabilities
                ) -> Iterator[tuple[int, bytes]]:
    """CSV for ``COPY … (FORMAT csv)`` written by Arrow's C++ writer, chunk by chunk.

    Arrow writes nulls as unquoted empty fields (PostgreSQL's CSV NULL) and quotes every string,
    so an empty string stays an empty string.
    """
    for start in range(0, len(frame), CHUNK):
        part = frame.iloc[start : start + CHUNK]
        cols = _columns(part, table, caps)
        arrow = pa.table({name: pa.array(col) for name, col in zip(part.columns, cols,
                                                                    strict=True)})
        sink = io.BytesIO()
        pa_csv.write_csv(arrow, sink, pa_csv.WriteOptions(include_header=False))
        yield len(part), sink.getvalue()


#: Rows after which a PostgreSQL bulk load refreshes the table's planner statistics at once.
ANALYZE_AFTER = 10_000


def bulk_insert(session: Session, caps: Capabilities, table: Table, frame: pd.DataFrame,
                on_rows: Callable[[int], None] | None = None) -> int:
    """Insert every row of ``frame`` into ``table``; returns the number of rows."""
    if frame.empty:
        return 0
    names = list(frame.columns)
    raw = session.connection().connection.driver_connection
    if caps.bulk_copy:
        sql = f"COPY {table.name} ({', '.join(names)}) FROM STDIN WITH (FORMAT csv)"
        with raw.cursor() as cur, cur.copy(sql) as copy:  # type: ignore[union-attr]
            for n, data in _csv_chunks(frame, table, caps):
                copy.write(data)
                if on_rows:
                    on_rows(n)
        if len(frame) >= ANALYZE_AFTER:
            # Autovacuum gets round to a freshly loaded table only later: until then the planner
            # takes it for empty and picks plans that sort a million rows for a page of 100.
            session.execute(text(f"ANALYZE {table.name}"))
    else:
        sql = f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
        cur = raw.cursor()  # type: ignore[union-attr]
        indexed = caps.rtree_side_table and table.name in RTREE_TABLES
        if indexed:
            last_id = cur.execute(f"SELECT coalesce(max(id), 0) FROM {table.name}").fetchone()[0]
        rows = _rows(frame, table, caps)
        while True:
            batch = [r for _, r in zip(range(CHUNK), rows, strict=False)]
            if not batch:
                break
            cur.executemany(sql, batch)
            if on_rows:
                on_rows(len(batch))
        if indexed:
            # One pass after the load: far faster than a per-row trigger on an R*Tree.
            cur.execute(f"INSERT INTO {table.name}_rtree SELECT id, minx, maxx, miny, maxy "
                        f"FROM {table.name} WHERE id > ? AND minx IS NOT NULL", (last_id,))
        cur.close()
    return len(frame)
