"""Zone layers made ready for the overlay: cleaned, dissolved where they overlap, and cut into
small pieces — with a cost proportional to the vertices, even on hostile layers (red lines traced
from imagery: a few polygons of tens of thousands of jagged vertices, hundreds of parts).

* :func:`clean_polygons` keeps the polygons, repairing invalid ones.
* :func:`dissolve_overlaps` unions only the polygons whose *interiors* meet, one group of
  connected polygons at a time. Parts that merely touch (the parts of one repaired
  MultiPolygon touch at points) are left apart: their areas do not overlap, so the sum of the
  areas inside them is already the area inside their union.
* :func:`subdivide` cuts polygons of more than ``max_vertices`` vertices in two halves of their
  bounding box along its longer side, recursively, as PostGIS ``ST_Subdivide`` does, with
  rectangle clipping (``shapely.clip_by_rect``: linear in the vertices, unlike the general
  overlay) and a ``make_valid`` repair of the few pieces the clipping leaves invalid.

The pieces partition the dissolved layer: disjoint interiors, same total area.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import shapely

from landrenew.core.spatial import polygonal_part

DEFAULT_MAX_VERTICES = 256
_POLYGON = 3
_MULTIPOLYGON = 6


def clean_polygons(geoms: Sequence[shapely.Geometry] | np.ndarray) -> np.ndarray:
    """Polygons only, invalid ones repaired with ``make_valid``; empties dropped."""
    return clean_parts(geoms)[0]


def clean_parts(geoms: Sequence[shapely.Geometry] | np.ndarray
                ) -> tuple[np.ndarray, np.ndarray]:
    """Like :func:`clean_polygons`, with the position in ``geoms`` each polygon comes from (the
    parts of one valid geometry never overlap one another)."""
    g = np.asarray(geoms, dtype=object)
    g = np.where(shapely.is_missing(g), shapely.Polygon(), g)
    bad = ~shapely.is_valid(g) & ~shapely.is_missing(g)
    if bad.any():
        g = g.copy()
        g[bad] = [polygonal_part(x) for x in shapely.make_valid(g[bad])]
    parts, source = shapely.get_parts(g, return_index=True)
    # only a valid (Multi)Polygon's parts are known not to overlap; a collection's may
    single = np.isin(shapely.get_type_id(g)[source], (_POLYGON, _MULTIPOLYGON))
    source = np.where(single, source, -1 - np.arange(len(source)))
    keep = (shapely.get_type_id(parts) == _POLYGON) & ~shapely.is_empty(parts)
    return parts[keep], source[keep]


def _polygons(geoms: np.ndarray) -> np.ndarray:
    """The non-empty polygons among the parts of ``geoms``."""
    parts = shapely.get_parts(geoms)
    return parts[(shapely.get_type_id(parts) == _POLYGON) & ~shapely.is_empty(parts)]


def _components(n: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Connected-component labels of ``n`` nodes linked by the edges ``a``–``b``."""
    labels = np.arange(n)
    while True:
        low = np.minimum(labels[a], labels[b])
        new = labels.copy()
        np.minimum.at(new, a, low)
        np.minimum.at(new, b, low)
        new = new[new]
        if np.array_equal(new, labels):
            return labels
        labels = new


def dissolve_overlaps(polys: np.ndarray, source: np.ndarray | None = None) -> np.ndarray:
    """Union the polygons whose interiors meet another one's, group by connected group.

    ``source`` (from :func:`clean_parts`) spares the tests between parts of the same valid
    geometry, which cannot overlap: on a repaired red line of hundreds of touching parts these
    tests would cost more than everything else."""
    polys = np.asarray(polys, dtype=object)
    if len(polys) < 2:
        return polys
    a, b = shapely.STRtree(polys).query(polys, predicate="intersects")
    pair = (a < b) if source is None else (a < b) & (source[a] != source[b])
    a, b = a[pair], b[pair]
    if len(a):
        shapely.prepare(polys[np.unique(a)])
        meet = ~shapely.touches(polys[a], polys[b])
        a, b = a[meet], b[meet]
    if len(a) == 0:
        return polys
    labels = _components(len(polys), a, b)
    linked = np.zeros(len(polys), dtype=bool)
    linked[a] = linked[b] = True
    merged = [shapely.union_all(polys[linked & (labels == lab)])
              for lab in np.unique(labels[linked])]
    return np.concatenate([polys[~linked], _polygons(np.asarray(merged, dtype=object))])


def _halves(geoms: np.ndarray) -> np.ndarray:
    """Each geometry clipped to the two halves of its bounding box (split across its longer
    side); the polygons among the results."""
    x0, y0, x1, y1 = shapely.bounds(geoms).T
    wide = (x1 - x0) >= (y1 - y0)
    xm, ym = (x0 + x1) / 2, (y0 + y1) / 2
    out = np.empty(2 * len(geoms), dtype=object)
    for i, g in enumerate(geoms):
        if wide[i]:
            out[2 * i] = shapely.clip_by_rect(g, x0[i], y0[i], xm[i], y1[i])
            out[2 * i + 1] = shapely.clip_by_rect(g, xm[i], y0[i], x1[i], y1[i])
        else:
            out[2 * i] = shapely.clip_by_rect(g, x0[i], y0[i], x1[i], ym[i])
            out[2 * i + 1] = shapely.clip_by_rect(g, x0[i], ym[i], x1[i], y1[i])
    return _polygons(out)


def _repaired(pieces: np.ndarray) -> np.ndarray:
    """The pieces, those the clipping left invalid repaired; only those of positive area."""
    bad = ~shapely.is_valid(pieces)
    if bad.any():
        pieces = np.concatenate([pieces[~bad], _polygons(shapely.make_valid(pieces[bad]))])
    return pieces[shapely.area(pieces) > 0]


def subdivide(polys: np.ndarray, max_vertices: int = DEFAULT_MAX_VERTICES,
              max_depth: int = 48) -> np.ndarray:
    """Cut polygons of more than ``max_vertices`` vertices into pieces of at most that many, by
    rectangle clipping of bounding-box halves, recursively; the pieces partition the input."""
    done: list[np.ndarray] = []
    todo = np.asarray(polys, dtype=object)
    for _ in range(max_depth):
        big = shapely.get_num_coordinates(todo) > max_vertices
        small = _repaired(todo[~big])  # a repair may add a few vertices: check again
        fits = shapely.get_num_coordinates(small) <= max_vertices
        done.append(small[fits])
        todo = np.concatenate([todo[big], small[~fits]])
        if len(todo) == 0:
            break
        todo = _halves(todo)
    done.append(_repaired(todo))
    return np.concatenate(done)
