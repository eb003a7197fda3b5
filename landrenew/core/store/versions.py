"""Versioned writes (版本化存储) shared by every aggregate that keeps its history.

A write never changes a stored version except to close it: the successor gets
``valid_from = now`` and the predecessor ``valid_to = now``. Deletion is a version with
``is_deleted`` true. Reading "as of" a date takes the version valid at the end of that day
(China Standard Time).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd
from sqlalchemy import Column, ColumnElement, Select, Table, and_, or_, select, update
from sqlalchemy.orm import Session

from landrenew.core.clock import CITY_TZ
from landrenew.core.store.bulk import bulk_insert
from landrenew.core.store.capabilities import Capabilities

_IN_CHUNK = 5000
_FULL_SCAN = 20_000


def box_overlaps(table: Any, bbox: tuple[float, float, float, float]) -> Any:
    """Rows of ``table`` (a table or mapped class with ``minx``…``maxy`` bounding-box columns)
    whose box meets ``bbox`` (minx, miny, maxx, maxy), edges included."""
    c = table.c if hasattr(table, "c") else table
    minx, miny, maxx, maxy = bbox
    return and_(c.minx <= maxx, c.maxx >= minx, c.miny <= maxy, c.maxy >= miny)


def as_of_cutoff(day: dt.date | dt.datetime | None) -> dt.datetime | None:
    """The instant (naive UTC) that ends ``day`` in China Standard Time; a datetime is used as is."""
    if day is None:
        return None
    if isinstance(day, dt.datetime):
        aware = day if day.tzinfo else day.replace(tzinfo=CITY_TZ)
        return aware.astimezone(dt.UTC).replace(tzinfo=None)
    start_next = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=CITY_TZ)
    return start_next.astimezone(dt.UTC).replace(tzinfo=None)


def valid_at(table: Table, cutoff: dt.datetime | None) -> ColumnElement[bool]:
    """SQL condition: the version in force just before ``cutoff`` (current when None)."""
    if cutoff is None:
        return table.c.valid_to.is_(None)
    return and_(table.c.valid_from < cutoff,
                or_(table.c.valid_to.is_(None), table.c.valid_to >= cutoff))


def current_versions(
    session: Session, table: Table, key_columns: Sequence[str], keys: pd.DataFrame
) -> pd.DataFrame:
    """Current versions (``id``, ``version``, ``content_hash``, ``is_deleted``) of the given keys."""
    cols: list[Column] = [table.c[k] for k in key_columns]
    wanted = [table.c.id, table.c.version, table.c.content_hash, table.c.is_deleted, *cols]
    frames = []
    if len(keys) > _FULL_SCAN:
        # Large loads: one scan of the current versions beats thousands of IN (…) queries.
        stmt = select(*wanted).where(table.c.valid_to.is_(None))
        current = pd.DataFrame(session.execute(stmt).all(), columns=[c.name for c in wanted])
        if current.empty:
            return current
        wanted_keys = pd.MultiIndex.from_frame(keys[list(key_columns)].drop_duplicates())
        have = pd.MultiIndex.from_frame(current[list(key_columns)])
        return current[have.isin(wanted_keys)].reset_index(drop=True)
    if len(key_columns) == 1:
        values = keys[key_columns[0]].unique().tolist()
        for start in range(0, len(values), _IN_CHUNK):
            stmt = select(*wanted).where(table.c.valid_to.is_(None),
                                         cols[0].in_(values[start : start + _IN_CHUNK]))
            frames.append(pd.DataFrame(session.execute(stmt).all(), columns=[c.name for c in wanted]))
    else:
        first = key_columns[0]
        for value, group in keys.groupby(first):
            rest = group[key_columns[1]].unique().tolist()
            for start in range(0, len(rest), _IN_CHUNK):
                stmt = select(*wanted).where(table.c.valid_to.is_(None), cols[0] == value,
                                             cols[1].in_(rest[start : start + _IN_CHUNK]))
                frames.append(pd.DataFrame(session.execute(stmt).all(),
                                           columns=[c.name for c in wanted]))
    if not frames:
        return pd.DataFrame(columns=[c.name for c in wanted])
    return pd.concat(frames, ignore_index=True)


def close_versions(session: Session, table: Table, ids: Sequence[int], now: dt.datetime) -> None:
    ids = list(ids)
    for start in range(0, len(ids), _IN_CHUNK):
        session.execute(update(table).where(table.c.id.in_(ids[start : start + _IN_CHUNK]))
                        .values(valid_to=now))


def write_versions(
    session: Session,
    caps: Capabilities,
    table: Table,
    rows: pd.DataFrame,
    *,
    now: dt.datetime,
    user: str,
    reason: str | None,
    previous: pd.DataFrame | None = None,
    on_rows: Callable[[int], None] | None = None,
) -> int:
    """Close ``previous`` (ids) and insert ``rows`` as their successors, in the caller's transaction.

    ``rows`` carries ``version`` and ``operation`` per row; the stamp columns are filled here.
    """
    if previous is not None and len(previous):
        close_versions(session, table, previous["id"].astype(int).tolist(), now)
    rows = rows.copy()
    rows["valid_from"] = now
    rows["valid_to"] = None
    rows["changed_by"] = user
    rows["reason"] = reason
    if "is_deleted" not in rows.columns:
        rows["is_deleted"] = False
    return bulk_insert(session, caps, table, rows, on_rows)


def versions_select(table: Table, key_filter: ColumnElement[bool],
                    cutoff: dt.datetime | None) -> Select:
    return select(table).where(key_filter, valid_at(table, cutoff))
