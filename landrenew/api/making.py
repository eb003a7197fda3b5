"""Making what the server does not keep yet (tiles, list and OGC pages), off the event loop.

The routes answer what they keep from memory on the event loop and send what must be made (a
rendering, a page's SQL and encoding) to worker threads. Those threads share one interpreter
lock, and each database round trip releases it and must win it back. With up to 40 threads
making at once (AnyIO's default), every one of a page's round trips waited its turn
behind the others' Python work: measured on PostgreSQL, 50 clients asking for new 1000-feature
OGC pages got 10 pages a second from a worker that makes 21 a second one at a time. At most
:data:`MAKERS` such jobs therefore run at once per process; the rest wait in order, and what is
kept is still answered at once on the event loop.

A job of a few milliseconds is cheaper made on the event loop itself. Handing it to a thread and
back costs two switches of the interpreter lock, and each of its rows read from SQLite (or its
round trip to PostgreSQL) one more, every one waiting behind whatever Python work holds the lock.
With as many workers as cores nothing else could have run meanwhile. Measured on a million parcels
with 50 clients asking for list pages none of the two workers kept yet, wrk's corrected p95 was
35 ms on the loop against 106 ms on maker threads (SQLite), 56 against 100 ms (PostgreSQL). The
parcel list therefore makes its short pages on the loop (``parcels.is_quick_page``: a whole-city
page of at most 100 rows whose count and anchors are kept). Anything that may take longer stays
on the threads: a 1000-feature OGC page (45–60 ms) made on the loop held every other request of
its worker, and raised that p95 from 0.41 s to 1.1 s. A tile or an OGC page another worker (or a
seeding run) already put in the shared store is one read by key, so it is read on the loop too.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable
from typing import TypeVar

import anyio
import anyio.to_thread

from landrenew.core.settings import process_settings

T = TypeVar("T")

#: Jobs making tiles or pages at once per process (``LANDRENEW_MAKERS`` overrides): enough to
#: overlap one job's database waits with another's Python work, few enough not to thrash.
MAKERS = process_settings().makers

#: One limiter per event loop: a limiter belongs to the loop it was made on (tests start several).
_limiters: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, anyio.CapacityLimiter] = \
    weakref.WeakKeyDictionary()


def _limiter() -> anyio.CapacityLimiter:
    loop = asyncio.get_running_loop()
    limiter = _limiters.get(loop)
    if limiter is None:
        limiter = _limiters[loop] = anyio.CapacityLimiter(MAKERS)
    return limiter


async def make(func: Callable[..., T], *args: object) -> T:
    """``func(*args)`` on a worker thread, at most :data:`MAKERS` at a time per event loop."""
    return await anyio.to_thread.run_sync(func, *args, limiter=_limiter())
