"""Exact polygon overlay (叠加分析): the share of each parcel's area inside each zone layer.

``ratio_<kind>`` = area(parcel ∩ union of the layer's zones) / area(parcel), computed in a
projected CRS. The work is vectorised with Shapely 2:

1. each layer is cleaned (invalid polygons repaired), overlapping zones are dissolved so that a
   ratio never exceeds 1, and complex polygons are cut into pieces of at most ``max_vertices``
   vertices by clipping them to halves of their bounding box, recursively (like PostGIS
   ``ST_Subdivide``) — see :mod:`landrenew.evaluation.pieces`;
2. an STRtree over the pieces is queried in bulk for the parcels that intersect them;
3. a pair where the (prepared) piece contains the parcel contributes the parcel's area — no
   intersection needed; only the pairs that cross a piece's boundary are intersected exactly;
4. parcels are processed in chunks (optionally on threads: Shapely releases the GIL), so memory
   stays flat. GEOS prepared geometries build their internal indexes lazily and are not safe to
   share between threads, so every thread works on its own copy of the pieces.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from landrenew.evaluation.pieces import (
    DEFAULT_MAX_VERTICES,
    clean_parts,
    clean_polygons,
    dissolve_overlaps,
    layer_pieces,
    subdivide,
    subdivide_parts,
)

Progress = Callable[[str, int, int], None]
DEFAULT_CHUNK = 20_000
__all__ = [
    "DEFAULT_CHUNK",
    "DEFAULT_MAX_VERTICES",
    "ZoneIndex",
    "clean_parts",
    "clean_polygons",
    "dissolve_overlaps",
    "layer_pieces",
    "subdivide",
    "subdivide_parts",
    "zone_ratios",
]


@dataclass(frozen=True)
class ZoneIndex:
    """A layer ready for querying: dissolved, subdivided pieces and their STRtree."""

    kind: str
    pieces: np.ndarray
    tree: shapely.STRtree

    @classmethod
    def build(cls, kind: str, geoms: Sequence[shapely.Geometry] | np.ndarray,
              max_vertices: int = DEFAULT_MAX_VERTICES) -> ZoneIndex:
        pieces = layer_pieces(geoms, max_vertices)
        return cls.from_pieces(kind, pieces)

    @classmethod
    def from_pieces(cls, kind: str, pieces: np.ndarray) -> ZoneIndex:
        """An index over already prepared-for-use pieces (fresh geometry objects, prepared)."""
        own = shapely.from_wkb(shapely.to_wkb(np.asarray(pieces, dtype=object)))
        shapely.prepare(own)
        return cls(kind, own, shapely.STRtree(own))

    def copy(self) -> ZoneIndex:
        """An independent copy, for use on another thread."""
        return ZoneIndex.from_pieces(self.kind, self.pieces)


class _PerThread(threading.local):
    """One copy of each zone index per thread."""

    def __init__(self) -> None:
        self.copies: dict[int, ZoneIndex] = {}


def _chunk_areas(parcels: np.ndarray, areas: np.ndarray, shared: ZoneIndex,
                 local: _PerThread | None = None) -> np.ndarray:
    if local is None:
        index = shared
    else:
        index = local.copies.get(id(shared)) or local.copies.setdefault(id(shared), shared.copy())
    pi, zi = index.tree.query(parcels, predicate="intersects")
    inside = shapely.contains(index.pieces[zi], parcels[pi])
    contrib = areas[pi].copy()
    cross = ~inside
    if cross.any():
        contrib[cross] = shapely.area(shapely.intersection(parcels[pi[cross]],
                                                           index.pieces[zi[cross]]))
    return np.bincount(pi, weights=contrib, minlength=len(parcels))


def zone_ratios(parcels: Sequence[shapely.Geometry] | np.ndarray,
                zones_by_kind: Mapping[str, Sequence[shapely.Geometry] | np.ndarray | ZoneIndex],
                *, chunk_size: int = DEFAULT_CHUNK, max_vertices: int = DEFAULT_MAX_VERTICES,
                workers: int = 1, progress: Progress | None = None,
                index: pd.Index | None = None) -> pd.DataFrame:
    """Share of each parcel's area inside each layer, as columns ``ratio_<kind>`` in [0, 1].

    ``parcels`` and the zones must be in the same projected CRS. A parcel of zero area gets NaN.
    ``zones_by_kind`` values may be geometry arrays or prebuilt :class:`ZoneIndex` objects.
    """
    geoms = np.asarray(parcels, dtype=object)
    n = len(geoms)
    areas = shapely.area(geoms)
    out = pd.DataFrame(index=index if index is not None else pd.RangeIndex(n))
    starts = list(range(0, n, max(1, chunk_size)))
    total = len(starts) * len(zones_by_kind)
    done = 0
    local = _PerThread() if workers > 1 else None
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for kind, zones in zones_by_kind.items():
            idx = zones if isinstance(zones, ZoneIndex) else ZoneIndex.build(
                kind, zones, max_vertices)
            inside = np.zeros(n)
            jobs = {s: pool.submit(_chunk_areas, geoms[s:s + chunk_size],
                                   areas[s:s + chunk_size], idx, local) for s in starts}
            for s, job in jobs.items():
                inside[s:s + chunk_size] = job.result()
                done += 1
                if progress:
                    progress(f"overlay {kind}", done, total)
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = np.where(areas > 0, inside / areas, np.nan)
            out[f"ratio_{kind}"] = np.clip(ratio, 0.0, 1.0)
    return out
