"""The shared tile store (切片库): encoded tiles kept in the database beside the data.

Each uvicorn worker has its own memory, so a tile rendered by one worker used to be rendered again
by the next. Tiles are therefore also written to the ``tile_store`` table under
``(layer, scope, z, x, y)`` with the data stamp they were made from: any worker, and a later
server start, reads a tile another one made, for as long as the data has not changed. A row
whose stamp is not the current one is stale and is replaced when the tile is next made.

``landrenew tiles seed`` renders the whole pyramid in advance (after an import or an evaluation
run), so that no user waits for a cold tile.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import case, delete, func, select
from sqlalchemy.engine import Connection

from landrenew.core.access import Principal
from landrenew.core.store import Store, upsert, utcnow
from landrenew.core.store.models import StoredTile

T = StoredTile.__table__
_KEY = ("layer", "scope", "z", "x", "y")


def scope_key(user: Principal) -> str:
    """``city`` for users who see the whole city, else their district codes, sorted."""
    return "city" if user.scope is None else ",".join(sorted(user.scope))


def read(conn: Connection, layer: str, scope: str, z: int, x: int, y: int, stamp: str
         ) -> bytes | None:
    """The stored tile if it was made from data stamp ``stamp`` (empty bytes: no feature)."""
    row = conn.execute(select(T.c.data, T.c.stamp).where(
        T.c.layer == layer, T.c.scope == scope, T.c.z == z, T.c.x == x, T.c.y == y)).first()
    if row is None or row.stamp != stamp:
        return None
    return bytes(row.data)


def write(store: Store, rows: Iterable[tuple[str, str, int, int, int, str, bytes]]) -> int:
    """Store tiles ``(layer, scope, z, x, y, stamp, data)``, replacing older ones; returns the
    number written. A tile cache is derived data, so it is not audited (it does not change the
    data stamp)."""
    now = utcnow()
    values = [{"layer": layer, "scope": scope, "z": z, "x": x, "y": y, "stamp": stamp,
               "data": data, "made_at": now} for layer, scope, z, x, y, stamp, data in rows]
    if not values:
        return 0
    with store.deriving() as conn:
        conn.execute(upsert(store, T, _KEY, ["stamp", "data", "made_at"]), values)
    return len(values)


def prune(store: Store, stamp: str) -> int:
    """Remove every tile not made from ``stamp`` (after a seeding run): a derived write, as
    :func:`write` (``Store.deriving``)."""
    with store.deriving() as conn:
        return conn.execute(delete(StoredTile).where(StoredTile.stamp != stamp)).rowcount or 0


def summary(store: Store, stamp: str) -> list[dict[str, Any]]:
    """Per layer and zoom: stored tiles, how many are current, bytes, and the newest time."""
    current = func.sum(case((T.c.stamp == stamp, 1), else_=0))
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(T.c.layer, T.c.scope, T.c.z, func.count(), current,
                   func.sum(func.length(T.c.data)), func.max(T.c.made_at))
            .group_by(T.c.layer, T.c.scope, T.c.z).order_by(T.c.layer, T.c.scope, T.c.z)).all()
    return [{"layer": r[0], "scope": r[1], "z": r[2], "tiles": int(r[3]),
             "current": int(r[4] or 0), "bytes": int(r[5] or 0),
             "made_at": r[6].isoformat(timespec="seconds") if isinstance(r[6], dt.datetime)
             else r[6]} for r in rows]
