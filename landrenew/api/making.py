"""Making what the server does not keep yet (tiles, list and OGC pages), off the event loop.

The routes answer what they keep from memory on the event loop and send everything else (a
tile-store read, a rendering, a page's SQL and encoding) to worker threads. Those threads share
one interpreter lock, and each database round trip releases it and must win it back. With up to
40 threads making at once (AnyIO's default), every one of a page's round trips waited its turn
behind the others' Python work: measured on PostgreSQL, 50 clients asking for new 1000-feature
OGC pages got 10 pages a second from a worker that makes 21 a second one at a time. At most
:data:`MAKERS` such jobs therefore run at once per process; the rest wait in order, and what is
kept is still answered at once on the event loop.
"""

from __future__ import annotations

import asyncio
import os
import weakref
from collections.abc import Callable
from typing import TypeVar

import anyio
import anyio.to_thread

T = TypeVar("T")

#: Jobs making tiles or pages at once per process (``LANDRENEW_MAKERS`` overrides): enough to
#: overlap one job's database waits with another's Python work, few enough not to thrash.
MAKERS = int(os.environ.get("LANDRENEW_MAKERS", "4"))

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
