"""Zone layers made ready for the overlay: cleaned, dissolved where they overlap, and cut into
small pieces — with a cost proportional to the vertices, even on hostile layers (red lines traced
from imagery: a few polygons of tens of thousands of jagged vertices, hundreds of parts).

* :func:`clean_polygons` keeps the polygons, repairing invalid ones.
* :func:`subdivide` cuts polygons of more than ``max_vertices`` vertices in two halves of their
  bounding box along its longer side, recursively, as PostGIS ``ST_Subdivide`` does, with
  rectangle clipping (``shapely.clip_by_rect``: linear in the vertices, unlike the general
  overlay) and a ``make_valid`` repair of the few pieces the clipping leaves invalid.
* :func:`dissolve_overlaps` makes overlapping polygons disjoint: a polygon whose interior meets
  those of polygons of *earlier* geometries loses their area (``difference``). Every point of
  the union stays in exactly one polygon (the one of the earliest geometry that covers it), so
  the sum of the areas inside them is the area inside the union. The pieces of one polygon
  never overlap and are not tested against one another. :func:`layer_pieces` subdivides *first* and removes the overlaps
  between small pieces: a union of a jagged polygon of thousands of vertices with another one
  costs seconds in the general overlay; differences of pieces of ≤ 256 vertices, milliseconds.

The pieces partition the union of the layer: disjoint interiors, same total area.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import shapely

from landrenew.core.spatial import polygonal_part

DEFAULT_MAX_VERTICES = 256
_POLYGON = 3


def clean_polygons(geoms: Sequence[shapely.Geometry] | np.ndarray) -> np.ndarray:
    """Polygons only, invalid ones repaired with ``make_valid``; empties dropped."""
    return clean_parts(geoms)[0]


def clean_parts(geoms: Sequence[shapely.Geometry] | np.ndarray
                ) -> tuple[np.ndarray, np.ndarray]:
    """Like :func:`clean_polygons`, with a *source* number per polygon: polygons of one source
    (the parts of one repaired polygon) do not overlap one another.

    Validity is checked polygon by polygon, not on whole MultiPolygons: on a repaired red line
    of hundreds of parts the MultiPolygon check costs more than everything else, and parts that
    overlap one another are made disjoint by :func:`dissolve_overlaps` anyway."""
    g = np.asarray(geoms, dtype=object)
    g = g[~shapely.is_missing(g)]
    parts = shapely.get_parts(shapely.get_parts(g))  # collections of multipolygons too
    parts = parts[(shapely.get_type_id(parts) == _POLYGON) & ~shapely.is_empty(parts)]
    source = np.arange(len(parts))
    bad = ~shapely.is_valid(parts)
    if not bad.any():
        return parts, source
    fixed = np.array([polygonal_part(x) for x in shapely.make_valid(parts[bad])], dtype=object)
    fixed, at = shapely.get_parts(fixed, return_index=True)
    poly = (shapely.get_type_id(fixed) == _POLYGON) & ~shapely.is_empty(fixed)
    return (np.concatenate([parts[~bad], fixed[poly]]),
            np.concatenate([source[~bad], source[bad][at[poly]]]))


def _polygons(geoms: np.ndarray) -> np.ndarray:
    """The non-empty polygons among the parts of ``geoms``."""
    parts = shapely.get_parts(geoms)
    return parts[(shapely.get_type_id(parts) == _POLYGON) & ~shapely.is_empty(parts)]


def _overlapping(polys: np.ndarray, source: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (earlier, later) of polygons of different sources whose interiors meet."""
    a, b = shapely.STRtree(polys).query(polys)  # boxes first: exact tests on few pairs
    pair = source[a] < source[b]
    a, b = a[pair], b[pair]
    if len(a):
        shapely.prepare(polys[np.unique(a)])
        meet = shapely.intersects(polys[a], polys[b])
        a, b = a[meet], b[meet]
        meet = ~shapely.touches(polys[a], polys[b])
        a, b = a[meet], b[meet]
    return a, b


def dissolve_overlaps(polys: np.ndarray, source: np.ndarray | None = None) -> np.ndarray:
    """The polygons made interior-disjoint: each loses the area of the polygons of earlier
    sources its interior meets (``source``: from :func:`clean_parts` or
    :func:`subdivide_parts`; by default every polygon is its own source). Empty results are
    dropped."""
    polys = np.asarray(polys, dtype=object)
    src = np.arange(len(polys)) if source is None else np.asarray(source)
    if len(polys) < 2:
        return polys
    a, b = _overlapping(polys, src)
    if len(a) == 0:
        return polys
    order = np.argsort(b, kind="stable")
    a, b = a[order], b[order]
    later, starts = np.unique(b, return_index=True)
    earlier = np.split(a, starts[1:])
    cut = shapely.difference(polys[later], np.array(
        [shapely.union_all(polys[e]) if len(e) > 1 else polys[e[0]] for e in earlier],
        dtype=object))
    keep = np.ones(len(polys), dtype=bool)
    keep[later] = False
    cut = _repaired(_polygons(cut))
    return np.concatenate([polys[keep], cut])


def _halves(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each geometry clipped to the two halves of its bounding box (split across its longer
    side): the polygons among the results, and the position of the geometry each comes from."""
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
    parts, at = shapely.get_parts(out, return_index=True)
    keep = (shapely.get_type_id(parts) == _POLYGON) & ~shapely.is_empty(parts)
    return parts[keep], at[keep] // 2


def _repaired(pieces: np.ndarray) -> np.ndarray:
    """The pieces, those the clipping left invalid repaired; only those of positive area."""
    return _repaired_from(pieces, np.zeros(len(pieces), dtype=np.int64))[0]


def _repaired_from(pieces: np.ndarray, source: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    bad = ~shapely.is_valid(pieces)
    if bad.any():
        fixed, at = shapely.get_parts(shapely.make_valid(pieces[bad]), return_index=True)
        poly = shapely.get_type_id(fixed) == _POLYGON
        pieces = np.concatenate([pieces[~bad], fixed[poly]])
        source = np.concatenate([source[~bad], source[bad][at[poly]]])
    positive = shapely.area(pieces) > 0
    return pieces[positive], source[positive]


def subdivide(polys: np.ndarray, max_vertices: int = DEFAULT_MAX_VERTICES,
              max_depth: int = 48) -> np.ndarray:
    """Cut polygons of more than ``max_vertices`` vertices into pieces of at most that many, by
    rectangle clipping of bounding-box halves, recursively; the pieces partition the input."""
    polys = np.asarray(polys, dtype=object)
    return subdivide_parts(polys, np.zeros(len(polys), dtype=np.int64), max_vertices,
                           max_depth)[0]


def subdivide_parts(polys: np.ndarray, source: np.ndarray,
                    max_vertices: int = DEFAULT_MAX_VERTICES, max_depth: int = 48
                    ) -> tuple[np.ndarray, np.ndarray]:
    """:func:`subdivide`, carrying each polygon's ``source`` to its pieces."""
    done: list[tuple[np.ndarray, np.ndarray]] = []
    todo, src = np.asarray(polys, dtype=object), np.asarray(source)
    for _ in range(max_depth):
        big = shapely.get_num_coordinates(todo) > max_vertices
        # a repair may add a few vertices: check again
        small, small_src = _repaired_from(todo[~big], src[~big])
        fits = shapely.get_num_coordinates(small) <= max_vertices
        done.append((small[fits], small_src[fits]))
        todo = np.concatenate([todo[big], small[~fits]])
        src = np.concatenate([src[big], small_src[~fits]])
        if len(todo) == 0:
            break
        todo, at = _halves(todo)
        src = src[at]
    done.append(_repaired_from(todo, src))
    return (np.concatenate([d[0] for d in done]),
            np.concatenate([d[1] for d in done]).astype(np.int64))


def layer_pieces(geoms: Sequence[shapely.Geometry] | np.ndarray,
                 max_vertices: int = DEFAULT_MAX_VERTICES) -> np.ndarray:
    """A zone layer as interior-disjoint pieces of at most ``max_vertices`` vertices covering
    exactly the union of its polygons: cleaned, subdivided, overlaps removed piece by piece,
    the pieces an overlap left too big subdivided again."""
    parts, source = clean_parts(geoms)
    pieces, source = subdivide_parts(parts, source, max_vertices)
    return subdivide(dissolve_overlaps(pieces, source), max_vertices)
