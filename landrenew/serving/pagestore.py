"""The shared page store (页面库): encoded OGC items pages kept in the database.

Each uvicorn worker keeps the pages it made in its own memory; the store lets the next worker read
a page instead of making it again (``docs/serving.md``). Pages are written to ``page_store`` under
the SHA-256 of their cache key (which holds the database, the data stamp, the user's view and the
query) with the stamp they were made from. Rows of any other stamp are stale; the first page a
process stores under a new stamp deletes them, so the table holds the pages of the current data.

The store is bounded (``page_store_mb``): a write that takes it past its size deletes the oldest
pages first, so that no sequence of requests — distinct boxes, hosts or views, each a page of its
own — can fill the disk (``docs/security.md``); a page larger than the whole bound is not stored.

A page cache is derived data: it is not audited and does not move the data stamp.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Hashable

from sqlalchemy import delete, func, select
from sqlalchemy.engine import Connection

from landrenew.core.settings import process_settings
from landrenew.core.store import Store, upsert, utcnow
from landrenew.core.store.models import StoredPage

T = StoredPage.__table__
#: The bound of the store, in bytes of page data (setting ``page_store_mb``).
LIMIT = process_settings().page_store_mb * 1024 * 1024
_pruned: dict[str, str] = {}  # database url → the stamp whose stale pages were last pruned
_lock = threading.Lock()


def digest(key: Hashable) -> str:
    return hashlib.sha256(repr(key).encode()).hexdigest()


def read(store: Store, key: str, stamp: str) -> bytes | None:
    with store.reading() as conn:
        row = conn.execute(select(T.c.data, T.c.stamp).where(T.c.key == key)).first()
    if row is None or row.stamp != stamp:
        return None
    return bytes(row.data)


def write(store: Store, key: str, stamp: str, data: bytes, limit: int | None = None) -> None:
    """Store a page, then keep the store within ``limit`` bytes (default :data:`LIMIT`)."""
    limit = LIMIT if limit is None else limit
    if len(data) > limit:
        return
    with _lock:
        prune = _pruned.get(store.url) != stamp
        _pruned[store.url] = stamp
    with store.deriving() as conn:
        if prune:
            conn.execute(delete(StoredPage).where(StoredPage.stamp != stamp))
        conn.execute(upsert(store, T, ["key"], ["stamp", "data", "made_at"]),
                     {"key": key, "stamp": stamp, "data": data, "made_at": utcnow()})
        _bound(conn, limit)


def _bound(conn: Connection, limit: int) -> None:
    """Delete the oldest pages until the store's data fits in ``limit`` bytes."""
    size = func.length(T.c.data)
    total = int(conn.scalar(select(func.coalesce(func.sum(size), 0))) or 0)
    if total <= limit:
        return
    excess, drop = total - limit, []
    for key, length in conn.execute(select(T.c.key, size).order_by(T.c.made_at, T.c.key)):
        if excess <= 0:
            break
        drop.append(key)
        excess -= int(length)
    conn.execute(delete(StoredPage).where(StoredPage.key.in_(drop)))


def size(store: Store) -> tuple[int, int]:
    """(pages, bytes) held by the store."""
    with store.reading() as conn:
        row = conn.execute(select(func.count(), func.coalesce(func.sum(func.length(T.c.data)),
                                                              0))).one()
    return int(row[0]), int(row[1])


def shared(store: Store, key: Hashable, stamp: str, make: Callable[[], bytes]
           ) -> Callable[[], bytes]:
    """``make`` behind the store: read the page another worker made for this stamp, else make
    it and store it for the others."""
    name = digest(key)

    def get() -> bytes:
        data = read(store, name, stamp)
        if data is None:
            data = make()
            write(store, name, stamp, data)
        return data

    return get
