"""Every cache of the serving wing (缓存), declared once here with its bound and its key, sized
from the settings (``LANDRENEW_*_CACHE_MB`` …). Nothing else keeps data in module-level caches;
the cache primitives are in :mod:`landrenew.core.cache`.

Every key begins with the database and the data stamp: every write to the database is audited,
so the newest audit event changes whenever anything a tile, a page or a count shows may have
changed, and a value kept under one stamp holds exactly until the next write (the stamp is
watched, see :mod:`landrenew.core.store.changes`; it is also the answers' HTTP ETag).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from landrenew.core.cache import ByteCache, PieceCache, ValueCache
from landrenew.core.settings import process_settings
from landrenew.core.store import Store

MB = 1024 * 1024


def data_stamp(store: Store) -> str:
    """Changes with every audited write: the newest audit event's id and time, read through the
    store's watcher (a query only when the database may have changed)."""
    return store.stamp()


@dataclass(frozen=True)
class Declared:
    """A cache, what bounds it and what its keys hold."""

    name: str
    cache: Any
    bound: str
    key: str


_sizes = process_settings()

#: Encoded vector tiles (serving/tiles.py).
TILES = ByteCache(_sizes.tile_cache_mb * MB)
#: Encoded pages of the REST parcel list (api/routes/parcels.py).
LIST_PAGES = ByteCache(_sizes.list_page_cache_mb * MB)
#: gzip-compressed OGC items pages (api/routes/ogc.py): 256 MB holds well over a thousand
#: 1000-feature pages.
OGC_PAGES = ByteCache(_sizes.ogc_page_cache_mb * MB)
#: Each parcel feature's GeoJSON text, shared by every page that shows it (serving/ogc.py).
FEATURES = PieceCache(_sizes.feature_cache_mb * MB)
#: List totals (``total``, ``numberMatched``): counting a million rows would cost more than a
#: page (serving/parcels.py, serving/ogc.py).
COUNTS = ValueCache(max_items=_sizes.count_cache_items)
#: Per-stamp lookups made on every request: the latest run id, the paging anchors.
MEMO = ValueCache(max_items=_sizes.memo_cache_items)

DECLARED: tuple[Declared, ...] = (
    Declared("tiles", TILES, f"{_sizes.tile_cache_mb} MB",
             "database, stamp, layer, z, x, y, the user's districts"),
    Declared("list_pages", LIST_PAGES, f"{_sizes.list_page_cache_mb} MB",
             "database, stamp, the user's view, the list's query"),
    Declared("ogc_pages", OGC_PAGES, f"{_sizes.ogc_page_cache_mb} MB",
             "database, stamp, collection, the user's view, the query"),
    Declared("features", FEATURES, f"{_sizes.feature_cache_mb} MB",
             "(database, stamp, sensitive view, public, axis order), parcel version id"),
    Declared("counts", COUNTS, f"{_sizes.count_cache_items} items",
             "database, stamp, scope and filters"),
    Declared("memo", MEMO, f"{_sizes.memo_cache_items} items", "database, stamp, what"),
)


def clear_all() -> None:
    """Forget everything kept (tests, and after restoring a database)."""
    for declared in DECLARED:
        declared.cache.clear()
