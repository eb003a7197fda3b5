"""Subdivision by rectangle clipping and the dissolve of overlapping zones (issue 27)."""

from __future__ import annotations

import numpy as np
import shapely

from landrenew.evaluation.overlay import zone_ratios
from landrenew.evaluation.pieces import (
    clean_parts,
    clean_polygons,
    dissolve_overlaps,
    layer_pieces,
    subdivide,
)


def jagged(n: int, r: float = 1000.0, seed: int = 0, cx: float = 0.0, cy: float = 0.0
           ) -> np.ndarray:
    """A hostile ring: radius and angle jitter strongly from vertex to vertex (the ring crosses
    itself), repaired into valid polygons, as the benchmark's red lines."""
    rng = np.random.default_rng(seed)
    step = 2 * np.pi / n
    t = np.arange(n) * step + rng.normal(0.0, 0.8 * step, n)
    rr = r * rng.uniform(0.45, 1.0, n)
    raw = shapely.Polygon(np.c_[cx + rr * np.cos(t), cy + rr * np.sin(t)])
    return clean_polygons([shapely.make_valid(raw, method="structure")])


def assert_partition(pieces: np.ndarray, original: shapely.Geometry, limit: int) -> None:
    assert shapely.get_num_coordinates(pieces).max() <= limit
    assert shapely.is_valid(pieces).all()
    assert set(shapely.get_type_id(pieces)) == {3}
    area = original.area
    assert abs(shapely.area(pieces).sum() - area) <= 1e-9 * area
    # no piece overlaps another, and together they cover exactly the original
    covered = shapely.union_all(pieces)
    assert shapely.symmetric_difference(covered, original).area <= 1e-9 * area


def test_hostile_polygon_is_partitioned_within_the_vertex_limit():
    polys = jagged(6000, seed=4)
    assert len(polys) > 50  # the repair left many parts
    pieces = layer_pieces(polys, 128)
    assert len(pieces) > 40
    assert_partition(pieces, shapely.union_all(polys), 128)


def test_polygon_with_holes_is_partitioned():
    shell = shapely.Point(0, 0).buffer(1000, quad_segs=200)
    holes = [shapely.Point(x, y).buffer(30, quad_segs=16)
             for x in range(-600, 700, 150) for y in range(-600, 700, 150)]
    poly = shapely.difference(shell, shapely.union_all(holes))
    pieces = subdivide(np.array([poly]), 64)
    assert_partition(pieces, poly, 64)


def test_small_polygons_are_left_as_they_are():
    boxes = shapely.box(np.arange(5) * 10.0, 0, np.arange(5) * 10.0 + 5, 5)
    pieces = subdivide(boxes, 256)
    assert len(pieces) == 5 and all(a.equals(b) for a, b in zip(pieces, boxes, strict=True))


def test_only_overlapping_polygons_are_dissolved():
    a, b = shapely.box(0, 0, 10, 10), shapely.box(10, 0, 20, 10)  # touch along an edge
    c, d = shapely.box(100, 0, 110, 10), shapely.box(105, 0, 115, 10)  # overlap
    e, f = shapely.box(200, 0, 210, 10), shapely.box(209, 0, 220, 10)  # overlap...
    g = shapely.box(220, 0, 230, 10)  # ...and g touches f: one group with e, f only
    out = dissolve_overlaps(np.array([a, b, c, d, e, f, g]))
    assert len(out) == 7 and sum(x.equals(y) for x in out for y in (a, b, c, e, g)) == 5
    assert_disjoint_union(out, [a, b, c, d, e, f, g])


def assert_disjoint_union(out: np.ndarray, polys: list) -> None:
    assert abs(shapely.area(out).sum() - shapely.union_all(polys).area) < 1e-9
    i, j = shapely.STRtree(out).query(out, predicate="intersects")
    assert shapely.area(shapely.intersection(out[i[i < j]], out[j[i < j]])).sum() < 1e-9


def test_overlapping_hostile_polygons_become_disjoint_pieces_of_their_union():
    a, b = jagged(3000, seed=6), jagged(3000, seed=7, cx=300.0)
    patch = shapely.box(-100, -100, 900, 200)
    polys = [shapely.multipolygons(a), shapely.multipolygons(b), patch, patch]  # a duplicate
    pieces = layer_pieces(polys, 100)
    assert_partition(pieces, shapely.union_all(polys), 100)


def test_ratios_over_hostile_overlapping_layers_match_the_exact_union():
    zones = np.concatenate([jagged(4000, seed=1), jagged(4000, seed=2, cx=900.0)])
    rng = np.random.default_rng(9)
    xy = rng.uniform(-1100, 2000, (600, 2))
    parcels = shapely.box(xy[:, 0], xy[:, 1], xy[:, 0] + rng.uniform(5, 150, 600),
                          xy[:, 1] + rng.uniform(5, 150, 600))
    got = zone_ratios(parcels, {"z": zones}, chunk_size=101, max_vertices=64, workers=2)
    union = shapely.union_all(zones)
    want = shapely.area(shapely.intersection(parcels, union)) / shapely.area(parcels)
    np.testing.assert_allclose(got["ratio_z"], want, rtol=0, atol=1e-9)
    assert 0.0 < got["ratio_z"].mean() < 1.0


def test_demo_layers_give_the_exact_ratios():
    """On the demo city's layers (fractal red lines), the ratios are those of the exact
    intersection of each parcel with the union of its layer."""
    from landrenew.demo.generator import generate_parcels, generate_zones

    parcels = generate_parcels(1500, 11)
    zones = generate_zones(11, parcels=parcels, complex_vertices=3000).to_crs(4547)
    geoms = np.asarray(parcels.to_crs(4547).geometry.values, dtype=object)
    layers = {str(k): np.asarray(g.geometry.values, dtype=object)
              for k, g in zones.groupby("kind")
              if k in ("ecological_redline", "permanent_basic_farmland",
                       "urban_development_boundary", "industrial_control_line")}
    got = zone_ratios(geoms, layers)
    for kind, layer in layers.items():
        want = (shapely.area(shapely.intersection(geoms, shapely.union_all(layer)))
                / shapely.area(geoms))
        np.testing.assert_allclose(got[f"ratio_{kind}"], want, rtol=0, atol=1e-9)
        assert (got[f"ratio_{kind}"] > 0).any()


def test_overlapping_parts_even_of_one_multipolygon_are_made_disjoint():
    touching = shapely.MultiPolygon([shapely.box(0, 0, 10, 10), shapely.box(10, 10, 20, 20)])
    overlapping = shapely.GeometryCollection([shapely.box(100, 0, 110, 10),
                                              shapely.box(105, 0, 115, 10)])
    # invalid: its parts overlap (an import may deliver such a MultiPolygon)
    bad_multi = shapely.MultiPolygon([shapely.box(200, 0, 210, 10), shapely.box(205, 0, 215, 10)])
    bowtie = shapely.Polygon([(300, 0), (310, 10), (310, 0), (300, 10)])  # repaired: 2 parts
    polys = [touching, overlapping, shapely.box(5, 5, 12, 12), bad_multi, bowtie]
    parts, source = clean_parts(polys)
    assert len(parts) == 9 and len(set(source)) == 8 and shapely.is_valid(parts).all()
    out = dissolve_overlaps(parts, source)
    assert len(out) == 10  # the box loses the squares' corners: two pieces meeting at a point
    assert sum(x.equals(y) for x in out for y in shapely.get_parts(touching)) == 2
    assert_disjoint_union(out, [touching, overlapping, shapely.box(5, 5, 12, 12),
                                shapely.union_all(shapely.get_parts(bad_multi)),
                                shapely.make_valid(bowtie)])
