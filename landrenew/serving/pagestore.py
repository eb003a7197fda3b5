"""The shared page store (页面库): encoded OGC items pages kept in the database.

Each uvicorn worker keeps the pages it made in its own memory; the store lets the next worker read
a page instead of making it again (``docs/serving.md``). Pages are written to ``page_store`` under
the SHA-256 of their cache key (which holds the database, the data stamp, the user's view and the
query) with the stamp they were made from. Rows of any other stamp are stale; the first page a
process stores under a new stamp deletes them, so the table holds the pages of the current data.

A page cache is derived data: it is not audited and does not move the data stamp.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Hashable

from sqlalchemy import delete, select

from landrenew.core.store import Store, upsert, utcnow
from landrenew.core.store.models import StoredPage

T = StoredPage.__table__
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


def write(store: Store, key: str, stamp: str, data: bytes) -> None:
    with _lock:
        prune = _pruned.get(store.url) != stamp
        _pruned[store.url] = stamp
    with store.deriving() as conn:
        if prune:
            conn.execute(delete(StoredPage).where(StoredPage.stamp != stamp))
        conn.execute(upsert(store, T, ["key"], ["stamp", "data", "made_at"]),
                     {"key": key, "stamp": stamp, "data": data, "made_at": utcnow()})


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
