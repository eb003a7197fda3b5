"""Small in-process caches (进程内缓存) keyed by the data stamp.

:class:`SingleFlight` makes each key computed once at a time; :class:`ValueCache` keeps small
values (list totals, the latest run id, the user a token names) under keys that include the
data stamp, so a value read under one stamp holds exactly until the next write;
:class:`PieceCache` keeps many small encoded pieces (one feature's text each) per generation;
:class:`ByteCache` keeps whole encoded answers (a tile, a list or OGC page) bounded by size.
The serving wing declares every instance in :mod:`landrenew.serving.caches`.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping, Sequence
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

    def holds(self, key: Hashable) -> bool:
        """Whether a value is kept under ``key`` (never makes one)."""
        with self._lock:
            return key in self._items


class PieceCache:
    """Encoded pieces (bytes) under ``(generation, id)``, bounded by their total size, the least
    recently used going first: for example each parcel feature's GeoJSON text, the generation
    naming the database, data stamp, view and axis order it was written for. Neighbouring
    pages share most of their pieces, so a page is made of pieces kept from earlier pages plus
    the few it alone holds.

    The generation's first element names a source (the database) and its second the data stamp:
    a new stamp for a source drops that source's pieces of every other stamp at once."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._gens: OrderedDict[tuple[Hashable, ...], OrderedDict[int, bytes]] = OrderedDict()
        self._stamps: dict[Hashable, Hashable] = {}  # source → its newest generation's stamp
        #: per generation, the ids some thread is making now → set when it is done
        self._making: dict[tuple[Hashable, ...], dict[int, threading.Event]] = {}
        self._bytes = 0
        self._lock = threading.Lock()
        self.made = 0
        self.reused = 0

    def pieces(self, generation: tuple[Hashable, ...], ids: Sequence[int],
               make: Callable[[list[int]], Mapping[int, bytes]]) -> list[bytes]:
        """The piece of each id in ``ids``, in that order: the kept ones, those another thread is
        making now once it has made them, and the rest made in one call of ``make`` (given them
        in order; an id it does not return is left out). Pages asked for at once share most of
        their pieces: each is made once, not by every page that lacks it."""
        got: list[bytes | None] = []
        mine: list[int] = []
        theirs: dict[int, threading.Event] = {}
        with self._lock:
            kept = self._gens.get(generation)
            if kept is not None:
                self._gens.move_to_end(generation)
            making = self._making.get(generation, {})
            for i in ids:
                piece = None
                if kept is not None:
                    piece = kept.get(i)
                    if piece is not None:
                        kept.move_to_end(i)
                if piece is None:
                    flight = making.get(i)
                    if flight is None:
                        mine.append(i)
                    else:
                        theirs[i] = flight
                got.append(piece)
            self.reused += len(ids) - len(mine)
            done = threading.Event()
            if mine:
                making = self._making.setdefault(generation, making)
                for i in mine:
                    making[i] = done
        made: dict[int, bytes] = {}
        if mine:
            try:
                made.update(self._make(generation, mine, make))
            finally:
                with self._lock:
                    for i in mine:
                        if making.get(i) is done:
                            del making[i]
                    if not making and self._making.get(generation) is making:
                        del self._making[generation]
                done.set()
        if theirs:
            for flight in set(theirs.values()):
                flight.wait()
            with self._lock:
                kept = self._gens.get(generation)
                for i in theirs:
                    piece = kept.get(i) if kept is not None else None
                    if piece is not None:
                        made[i] = piece
            lost = [i for i in theirs if i not in made]  # dropped since, or their make failed
            if lost:
                made.update(self._make(generation, lost, make))
        out = []
        for i, piece in zip(ids, got, strict=True):
            if piece is None:
                piece = made.get(i)
                if piece is None:
                    continue
            out.append(piece)
        return out

    def _make(self, generation: tuple[Hashable, ...], ids: list[int],
              make: Callable[[list[int]], Mapping[int, bytes]]) -> Mapping[int, bytes]:
        made = make(ids)
        self._keep(generation, ids, made)
        return made

    def _keep(self, generation: tuple[Hashable, ...], ids: list[int], made: Mapping[int, bytes]
              ) -> None:
        with self._lock:
            self.made += len(made)
            source, stamp = generation[0], generation[1]
            # the data changed: older pieces are stale (a request still under the older stamp
            # that ends after a newer one began drops the newer pieces in turn; they are made
            # again, never mixed up: every piece is kept under the stamp it was made for)
            if self._stamps.get(source) != stamp:
                self._stamps[source] = stamp
                for gen in [g for g in self._gens if g[0] == source and g[1] != stamp]:
                    self._drop(gen)
            kept = self._gens.get(generation)
            if kept is None:
                kept = self._gens[generation] = OrderedDict()
            self._gens.move_to_end(generation)
            for i in ids:  # in the asked order, whatever order ``made`` came in
                piece = made.get(i)
                if piece is not None and i not in kept:
                    kept[i] = piece
                    self._bytes += len(piece)
            while self._bytes > self.max_bytes and self._gens:
                oldest = next(iter(self._gens))
                pieces = self._gens[oldest]
                _, piece = pieces.popitem(last=False)
                self._bytes -= len(piece)
                if not pieces:
                    del self._gens[oldest]

    def _drop(self, generation: tuple[Hashable, ...]) -> None:
        pieces = self._gens.pop(generation)
        self._bytes -= sum(len(p) for p in pieces.values())

    def clear(self) -> None:
        with self._lock:
            self._gens.clear()
            self._stamps.clear()
            self._bytes = 0

    @property
    def size(self) -> int:
        """Bytes kept."""
        return self._bytes


class ByteCache:
    """Encoded answers (tiles, pages) under hashable keys: a thread-safe LRU bounded by their
    total size, computing each key once at a time."""

    def __init__(self, max_bytes: int) -> None:
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
