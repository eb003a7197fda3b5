"""The data stamp, the tile cache (切片缓存) and the list-total cache.

Every write to the database is audited, so the newest audit event id is a stamp that changes
whenever anything a tile shows may have changed (parcels, zones, districts, evaluation runs).
Tiles are cached in memory under ``(database, stamp, layer, z, x, y, districts)``: a repeat
request costs a dictionary lookup (the stamp is watched, see
:mod:`landrenew.core.store.changes`), and any write makes every cached tile stale at once. The
stamp also serves as the tile's HTTP ETag.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from landrenew.core.cache import SingleFlight, ValueCache
from landrenew.core.store import Store

#: Cap on the bytes kept (encoded tiles); the least recently used go first.
MAX_BYTES = 256 * 1024 * 1024


def data_stamp(store: Store) -> str:
    """Changes with every audited write: the newest audit event's id and time, read through the
    store's watcher (a query only when the database may have changed)."""
    return store.stamp()


class TileCache:
    """A thread-safe LRU of encoded tiles bounded by total size."""

    def __init__(self, max_bytes: int = MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict[Hashable, bytes] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self._flights = SingleFlight()
        self.hits = 0
        self.misses = 0

    def _lookup(self, key: Hashable) -> bytes | None:
        with self._lock:
            data = self._items.get(key)
            if data is not None:
                self._items.move_to_end(key)
            return data

    def peek(self, key: Hashable) -> bytes | None:
        """The kept bytes, or None: never computes (the server's fast path on its event loop)."""
        data = self._lookup(key)
        if data is not None:
            self.hits += 1
        return data

    def get_or_make(self, key: Hashable, make: Callable[[], bytes]) -> bytes:
        data = self._lookup(key)
        if data is not None:
            self.hits += 1
            return data
        flight = self._flights.lock_for(key)
        with flight:  # different tiles render in parallel; the same tile once
            data = self._lookup(key)
            if data is not None:
                self.hits += 1
                return data
            self.misses += 1
            data = make()
            self.put(key, data)
        self._flights.release(key)
        return data

    def put(self, key: Hashable, data: bytes) -> None:
        """Keep ``data`` under ``key`` (replacing what was kept there), the least recently used
        going first when full. Never waits for a making of the same key (the server's event
        loop keeps pages it read whole from the shared page store)."""
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= len(old)
            if len(data) <= self.max_bytes:
                self._items[key] = data
                self._bytes += len(data)
                while self._bytes > self.max_bytes:
                    _, dropped = self._items.popitem(last=False)
                    self._bytes -= len(dropped)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._items)


CACHE = TileCache()


COUNTS = ValueCache()
#: Per-stamp lookups made on every request (the latest run id, the token's user).
MEMO = ValueCache(max_items=1024)
