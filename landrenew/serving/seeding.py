"""Seeding the tile pyramid (切片预生成): every tile of the city from zoom ``min`` to ``max``
rendered once and kept in the shared tile store, so the map never waits for a cold tile.

Which tiles: at each zoom, those whose bounds meet a district boundary (a tile outside the city
holds nothing). The grid overview below zoom 13 is made in this process from the parcel points;
the parcel tiles from zoom 13 render on worker processes (Python tile encoding is CPU-bound), or
in PostGIS threads there. Tiles are written in batches under the data stamp taken at the start; a
write made meanwhile changes the stamp, and the seeded tiles are then simply stale (served again
only after a re-render), never wrong.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from typing import Any

import numpy as np
import shapely
from sqlalchemy import select

from landrenew.core.access import Principal
from landrenew.core.errors import InputError
from landrenew.core.store import Store
from landrenew.core.store.models import District
from landrenew.serving import tiles, tilestore
from landrenew.serving.caches import data_stamp
from landrenew.serving.overview import MIN_PARCEL_ZOOM

#: The city-wide scope (anonymous users, viewers, city staff, admins).
CITY = Principal("tile-seeder", "viewer")
BATCH = 64


@dataclass
class SeedReport:
    stamp: str
    tiles: int = 0
    empty: int = 0
    bytes: int = 0
    by_zoom: dict[int, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"stamp": self.stamp, "tiles": self.tiles, "empty": self.empty,
                "bytes": self.bytes, "by_zoom": dict(sorted(self.by_zoom.items()))}


def city_outline(store: Store) -> shapely.Geometry | None:
    with store.engine.connect() as conn:
        wkbs = conn.execute(select(District.boundary)).scalars().all()
    geoms = [g for g in shapely.from_wkb([w for w in wkbs if w is not None]) if g is not None]
    return shapely.union_all(geoms) if geoms else None


def city_tiles(outline: shapely.Geometry, z: int) -> list[tuple[int, int]]:
    """The tiles of zoom ``z`` whose bounds meet ``outline`` (lon/lat)."""
    minx, miny, maxx, maxy = outline.bounds
    x0, y0 = tiles.tile_for(minx, maxy, z)
    x1, y1 = tiles.tile_for(maxx, miny, z)
    grid_x, grid_y = np.meshgrid(np.arange(x0, x1 + 1), np.arange(y0, y1 + 1))
    xs, ys = grid_x.ravel(), grid_y.ravel()
    boxes = shapely.box(*np.array([tiles.lonlat_bounds(z, int(x), int(y))
                                   for x, y in zip(xs, ys, strict=True)]).T)
    shapely.prepare(outline)
    hit = shapely.intersects(outline, boxes)
    return [(int(x), int(y)) for x, y in zip(xs[hit], ys[hit], strict=True)]


_WORKER_STORE: Store | None = None


def _open_worker(url: str) -> None:
    global _WORKER_STORE
    _WORKER_STORE = Store.open(url)


def _render_batch(url: str, stamp: str, jobs: list[tuple[str, int, int, int]]
                  ) -> list[tuple[str, int, int, int, bytes]]:
    store = _WORKER_STORE or Store.open(url)
    return [(layer, z, x, y, tiles.render(store, CITY, layer, z, x, y, stamp))
            for layer, z, x, y in jobs]


def _batches(jobs: list[tuple[str, int, int, int]], size: int
             ) -> Iterator[list[tuple[str, int, int, int]]]:
    for i in range(0, len(jobs), size):
        yield jobs[i:i + size]


def seed(store: Store, *, min_zoom: int = 0, max_zoom: int = 14,
         layers: tuple[str, ...] = ("parcels", "districts"), workers: int | None = None,
         on_start: Callable[[int], None] | None = None,
         on_progress: Callable[[int], None] | None = None) -> SeedReport:
    """Render every city tile of ``layers`` for zooms ``min_zoom..max_zoom`` into the tile store
    and drop the stale ones. ``on_start(total)`` and ``on_progress(n)`` drive a progress bar."""
    store.ensure_current()
    if not 0 <= min_zoom <= max_zoom <= tiles.MAX_ZOOM:
        raise InputError(f"zooms {min_zoom}…{max_zoom} must lie within 0…{tiles.MAX_ZOOM}",
                         field="max_zoom")
    for layer in layers:
        tiles.check_tile(layer, 0, 0, 0)
    stamp = data_stamp(store)
    report = SeedReport(stamp)
    outline = city_outline(store)
    if outline is None:
        return report
    jobs = [(layer, z, x, y) for z in range(min_zoom, max_zoom + 1)
            for x, y in city_tiles(outline, z) for layer in layers]
    if on_start:
        on_start(len(jobs))
    # The overview is made here (one load of the parcel points); the rest on the workers.
    local = [j for j in jobs if j[0] == "parcels" and j[1] < MIN_PARCEL_ZOOM]
    remote = [j for j in jobs if not (j[0] == "parcels" and j[1] < MIN_PARCEL_ZOOM)]

    def keep(done: list[tuple[str, int, int, int, bytes]]) -> None:
        tilestore.write(store, [(layer, "city", z, x, y, stamp, data)
                                for layer, z, x, y, data in done])
        for _layer, z, _x, _y, data in done:
            report.tiles += 1
            report.empty += not data
            report.bytes += len(data)
            report.by_zoom[z] = report.by_zoom.get(z, 0) + 1
        if on_progress:
            on_progress(len(done))

    for batch in _batches(local, BATCH):
        keep([(layer, z, x, y, tiles.render(store, CITY, layer, z, x, y, stamp))
              for layer, z, x, y in batch])
    n = workers or os.cpu_count() or 1
    pool: Executor
    if store.caps.spatial_sql or n == 1:  # PostGIS renders in the database: threads suffice
        _use_store(store)
        pool = ThreadPoolExecutor(max_workers=n)
    else:
        pool = ProcessPoolExecutor(max_workers=n, mp_context=get_context("spawn"),
                                   initializer=_open_worker, initargs=(store.url,))
    with pool:
        size = max(1, min(BATCH, len(remote) // (n * 4)))
        futures = [pool.submit(_render_batch, store.url, stamp, b)
                   for b in _batches(remote, size)]
        for fut in futures:
            keep(fut.result())
    tilestore.prune(store, stamp)
    return report


def _use_store(store: Store) -> None:
    global _WORKER_STORE
    _WORKER_STORE = store
