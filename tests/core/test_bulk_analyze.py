"""A large PostgreSQL bulk load refreshes the table's planner statistics in the same
transaction: a freshly loaded million-parcel table must not be planned as if it were empty."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import text

from landrenew.core.store import Store, bulk
from landrenew.core.store.models import CitySetting


def _reltuples(store: Store) -> float:
    with store.engine.connect() as conn:
        return float(conn.scalar(text(
            "SELECT reltuples FROM pg_class WHERE relname = 'city_settings'")))


def _load(store: Store, n: int, start: int = 0) -> None:
    now = dt.datetime(2026, 11, 22)
    frame = pd.DataFrame({"key": [f"k{i}" for i in range(start, start + n)],
                          "value": ["v"] * n, "updated_at": [now] * n,
                          "updated_by": ["test"] * n})
    with store.session() as session:
        assert bulk.bulk_insert(session, store.caps, CitySetting.__table__, frame) == n


def test_small_load_leaves_statistics_to_autovacuum(postgis_store: Store,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bulk, "ANALYZE_AFTER", 50)
    _load(postgis_store, 49)
    assert _reltuples(postgis_store) < 0  # never analysed


def test_large_load_is_analysed(postgis_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bulk, "ANALYZE_AFTER", 50)
    _load(postgis_store, 50)
    assert _reltuples(postgis_store) == 50
