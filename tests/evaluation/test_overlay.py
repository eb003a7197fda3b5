from __future__ import annotations

import numpy as np
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from landrenew.evaluation.overlay import dissolve_overlaps, subdivide, zone_ratios


def reference(parcel, zones):
    union = shapely.union_all(zones)
    return shapely.area(shapely.intersection(parcel, union)) / parcel.area


def star(n: int, r: float = 1000.0, seed: int = 0) -> shapely.Polygon:
    rng = np.random.default_rng(seed)
    t = np.sort(rng.uniform(0, 2 * np.pi, n))
    rr = r * rng.uniform(0.5, 1.0, n)
    return shapely.Polygon(np.c_[rr * np.cos(t), rr * np.sin(t)]).buffer(0)


def test_ratios_match_an_exact_reference_with_complex_overlapping_zones():
    rng = np.random.default_rng(3)
    xy = rng.uniform(-1100, 1000, (400, 2))
    parcels = shapely.box(xy[:, 0], xy[:, 1], xy[:, 0] + rng.uniform(5, 120, 400),
                          xy[:, 1] + rng.uniform(5, 120, 400))
    zones = [star(3000, seed=1), shapely.box(-200, -200, 300, 300), star(50, 400, seed=2)]
    got = zone_ratios(parcels, {"z": zones}, chunk_size=37, max_vertices=64, workers=2)
    union = shapely.union_all(zones)
    want = shapely.area(shapely.intersection(parcels, union)) / shapely.area(parcels)
    np.testing.assert_allclose(got["ratio_z"], want, rtol=0, atol=1e-9)
    assert got["ratio_z"].max() <= 1.0 and got["ratio_z"].min() >= 0.0


@settings(max_examples=30, deadline=None)
@given(st.floats(0, 100), st.floats(0, 100), st.floats(1, 200), st.floats(1, 200))
def test_ratio_of_rectangles(x, y, w, h):
    parcel = shapely.box(x, y, x + w, y + h)
    zone = shapely.box(50, 50, 150, 150)
    got = zone_ratios([parcel], {"z": [zone]})["ratio_z"].iloc[0]
    assert abs(got - reference(parcel, [zone])) < 1e-9


def test_subdivision_partitions_exactly():
    poly = star(5000, seed=5)
    pieces = subdivide(np.array([poly]), 100)
    assert len(pieces) > 10
    assert shapely.get_num_coordinates(pieces).max() <= 100
    assert abs(shapely.area(pieces).sum() - poly.area) < 1e-6 * poly.area
    assert abs(shapely.union_all(pieces).symmetric_difference(poly).area) < 1e-6 * poly.area


def test_overlaps_within_a_layer_are_dissolved():
    a, b = shapely.box(0, 0, 100, 100), shapely.box(0, 0, 100, 100)
    merged = dissolve_overlaps(np.array([a, b, shapely.box(500, 500, 600, 600)]))
    assert len(merged) == 2
    r = zone_ratios([shapely.box(0, 0, 100, 100)], {"z": [a, b]})
    assert r["ratio_z"].iloc[0] == 1.0


def test_zero_area_parcel_and_no_zones():
    r = zone_ratios([shapely.box(0, 0, 1, 1), shapely.Polygon()], {"z": [shapely.box(5, 5, 6, 6)]})
    assert r["ratio_z"].iloc[0] == 0.0 and np.isnan(r["ratio_z"].iloc[1])
    assert zone_ratios([shapely.box(0, 0, 1, 1)], {"z": []})["ratio_z"].iloc[0] == 0.0
