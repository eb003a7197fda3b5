"""The data stamp watcher: exact after any write, from this process or another, and asking the
database only when something may have changed."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import text

from landrenew.core import audit
from landrenew.core.store import Store, upsert, utcnow
from landrenew.core.store.changes import read_stamp
from landrenew.serving import pagestore, tilestore


def _write(store: Store, n: int = 1) -> None:
    with store.session() as session:
        for i in range(n):
            audit.record(session, actor="test", action="touch", entity_type="test",
                         entity_id=str(i))


def _watcher_queries(store: Store) -> int:
    store.stamp()
    return int(store._watcher.queries)


def _eventually(store: Store, expected: str, seconds: float = 5.0) -> str:
    """The stamp once it equals ``expected`` (a notification takes a moment to travel)."""
    deadline = time.monotonic() + seconds
    while True:
        got = store.stamp()
        if got == expected or time.monotonic() > deadline:
            return got
        time.sleep(0.01)


def test_stamp_is_the_newest_audit_event(store: Store) -> None:
    assert store.stamp() == "0"
    _write(store)
    first = store.stamp()
    assert first != "0" and first == read_stamp(store.engine)
    _write(store, 3)
    assert store.stamp() == read_stamp(store.engine) != first


def test_unchanged_data_is_not_asked_again(store: Store) -> None:
    _write(store)
    before = _watcher_queries(store)
    for _ in range(200):
        store.stamp()
    assert store._watcher.queries == before
    # a read that commits nothing does not count as a change either
    with store.engine.connect() as conn:
        conn.execute(text("SELECT count(*) FROM audit_events")).scalar()
    store.stamp()
    assert store._watcher.queries == before


def test_own_write_is_seen_at_once(store: Store) -> None:
    store.stamp()
    for _ in range(5):
        _write(store)
        assert store.stamp() == read_stamp(store.engine)  # no wait: same process


def test_another_process_write_is_seen(store: Store) -> None:
    """A second store on the same database stands for another server worker."""
    other = Store.open(store.url)
    try:
        before = store.stamp()
        _write(other)
        expected = read_stamp(other.engine)
        assert expected != before
        assert _eventually(store, expected) == expected
        _write(other, 2)
        expected = read_stamp(other.engine)
        assert _eventually(store, expected) == expected
    finally:
        other.dispose()


def test_without_a_signal_asks_every_time(sqlite_store: Store) -> None:
    """Where nothing can be watched (the watching connection could not be opened), the watcher
    never trusts a cached stamp."""
    sqlite_store.stamp()
    watcher = sqlite_store._watcher
    watcher._sqlite.close()
    watcher._sqlite = None
    q = watcher.queries
    sqlite_store.stamp()
    sqlite_store.stamp()
    assert watcher.queries == q + 2


def test_postgres_without_trigger_asks_every_time(postgis_store: Store) -> None:
    """A database the 0007 trigger is missing from never notifies: the watcher must not trust
    its cached stamp there."""
    with postgis_store.engine.begin() as conn:
        conn.execute(text("DROP TRIGGER audit_events_notify ON audit_events"))
    postgis_store.stamp()
    q = postgis_store._watcher.queries
    postgis_store.stamp()
    assert postgis_store._watcher.queries == q + 1


def test_postgres_lost_listener_falls_back(postgis_store: Store) -> None:
    postgis_store.stamp()
    postgis_store._watcher._listener.close()  # as if the server dropped the connection
    other = Store.open(postgis_store.url)
    try:
        _write(other)
        assert postgis_store.stamp() == read_stamp(other.engine)
    finally:
        other.dispose()


def test_dispose_closes_the_watcher(store: Store) -> None:
    store.stamp()
    watcher = store._watcher
    store.dispose()
    assert store._watcher is None and watcher._sqlite is None and watcher._listener is None


def test_a_derived_write_is_stored_without_moving_the_stamp(postgis_store: Store) -> None:
    """A page or tile store write (``Store.deriving``) commits its rows without waiting for the
    log flush and does not make this process ask for the stamp again, as a commit of anything
    else does."""
    store = postgis_store
    _write(store)
    stamp = store.stamp()
    before = _watcher_queries(store)
    pagestore.write(store, "a" * 64, stamp, b"page")
    tilestore.write(store, [("parcels", "city", 14, 1, 2, stamp, b"tile")])
    tilestore.write(store, [("parcels", "city", 14, 1, 3, "an older stamp", b"stale")])
    assert tilestore.prune(store, stamp) == 1
    assert store.stamp() == stamp
    assert store._watcher.queries == before
    assert pagestore.read(store, "a" * 64, stamp) == b"page"
    with store.deriving() as conn:
        assert conn.exec_driver_sql("SHOW synchronous_commit").scalar() == "off"
    with store.engine.connect() as conn:  # for that transaction only
        assert conn.exec_driver_sql("SHOW synchronous_commit").scalar() == "on"
    with store.engine.begin() as conn:  # any other commit is taken as a possible change
        conn.execute(text("UPDATE page_store SET data = :d"), {"d": b"other"})
    store.stamp()
    assert store._watcher.queries == before + 1


def test_a_failed_derived_write_leaves_nothing(store: Store) -> None:
    stamp = store.stamp()
    with pytest.raises(RuntimeError), store.deriving() as conn:
        conn.execute(upsert(store, pagestore.T, ["key"], ["stamp", "data", "made_at"]),
                     {"key": "b" * 64, "stamp": stamp, "data": b"half", "made_at": utcnow()})
        raise RuntimeError("the maker failed after its first row")
    assert pagestore.read(store, "b" * 64, stamp) is None
