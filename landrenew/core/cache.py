"""Small in-process caches (进程内缓存) keyed by the data stamp.

:class:`SingleFlight` makes each key computed once at a time; :class:`ValueCache` keeps small
values (list totals, the latest run id, the user a token names) under keys that include the
data stamp, so a value read under one stamp holds exactly until the next write.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar, cast

T = TypeVar("T")


class SingleFlight:
    """At most one computation per key at a time: when 50 clients ask for the same uncached tile
    or total at once, one computes and the others wait for its result instead of repeating it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._locks: dict[Hashable, threading.Lock] = {}

    def lock_for(self, key: Hashable) -> threading.Lock:
        with self._lock:
            lock = self._locks.get(key)
            if lock is None:
                lock = self._locks[key] = threading.Lock()
            return lock

    def release(self, key: Hashable) -> None:
        with self._lock:
            self._locks.pop(key, None)


class ValueCache:
    """Small values per data stamp (list totals such as ``numberMatched`` and ``total``, the
    latest run id, the acting user): counting a million rows for every page would cost more
    than the page itself, and a value read under one stamp holds until the next write."""

    def __init__(self, max_items: int = 4096) -> None:
        self.max_items = max_items
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self._flights = SingleFlight()

    def _lookup(self, key: Hashable) -> tuple[bool, Any]:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return True, self._items[key]
            return False, None

    def get_or_make(self, key: Hashable, make: Callable[[], T]) -> T:
        found, value = self._lookup(key)
        if found:
            return cast(T, value)
        with self._flights.lock_for(key):
            found, value = self._lookup(key)
            if not found:
                value = make()
                with self._lock:
                    self._items[key] = value
                    while len(self._items) > self.max_items:
                        self._items.popitem(last=False)
        self._flights.release(key)
        return cast(T, value)

    def get_or_count(self, key: Hashable, count: Callable[[], int]) -> int:
        return self.get_or_make(key, count)
