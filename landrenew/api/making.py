"""Making what the server does not keep yet (tiles, list and OGC pages), off the event loop.

At most :data:`MAKERS` jobs run at once per process, since threads fighting over the interpreter
lock made each of them slower; short jobs are made on the loop itself. The measurements that
decided this are in ``docs/serving.md``.
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
