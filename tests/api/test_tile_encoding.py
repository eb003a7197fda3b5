"""Tile geometries are oriented in one vectorised pass instead of by the MVT encoder: the bytes
must be the same as the encoder's own winding check gives, for every shape a parcel can take."""

from __future__ import annotations

import mapbox_vector_tile
import numpy as np
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from landrenew.serving.tiles import BUFFER, EXTENT, encode, tile_geometries


def _blob(rng: np.random.Generator, cx: float, cy: float, r: float, n: int,
          clockwise: bool) -> list[tuple[float, float]]:
    """A star-shaped ring around (cx, cy): simple, in either direction."""
    angles = np.sort(rng.uniform(0, 2 * np.pi, n))
    if clockwise:
        angles = angles[::-1]
    radii = rng.uniform(0.5 * r, r, n)
    return list(zip(cx + radii * np.cos(angles), cy + radii * np.sin(angles), strict=True))


def _shape(rng: np.random.Generator) -> shapely.Geometry:
    cx, cy = rng.uniform(-2 * BUFFER, EXTENT + 2 * BUFFER, 2)  # some reach past the buffer
    r = float(rng.choice([0.3, 3.0, 40.0, 400.0, 3000.0]))  # slivers to tile-sized
    shell = _blob(rng, cx, cy, r, int(rng.integers(3, 30)), bool(rng.integers(2)))
    kind = rng.integers(3)
    if kind == 0:
        return shapely.Polygon(shell)
    if kind == 1:  # with a hole, wound either way
        return shapely.Polygon(shell, [_blob(rng, cx, cy, 0.3 * r, 8, bool(rng.integers(2)))])
    other = _blob(rng, cx + 3 * r, cy, r, 12, bool(rng.integers(2)))
    return shapely.MultiPolygon([shapely.Polygon(shell), shapely.Polygon(other)])


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_oriented_geometries_encode_as_the_encoder_would(seed: int) -> None:
    rng = np.random.default_rng(seed)
    # stored parcels are valid (the import refuses others): so are these
    raw = shapely.make_valid(np.array([_shape(rng) for _ in range(40)], dtype=object))
    geoms = tile_geometries(raw)
    features = [{"geometry": g, "properties": {"i": i}} for i, g in enumerate(geoms)
                if g is not None]
    ours = encode("parcels", features)
    theirs = encode("parcels", features, check_winding_order=True)
    assert ours == theirs
    if features:
        decoded = mapbox_vector_tile.decode(ours)["parcels"]["features"]
        assert len(decoded) == len(features)


def test_slivers_collapse_and_the_rest_is_valid() -> None:
    sliver = shapely.box(10, 10, 10.2, 10.2)
    big = shapely.Polygon([(0, 0), (0, 100), (100, 100), (100, 0)])  # clockwise already
    ccw = shapely.Polygon([(200, 200), (300, 200), (300, 300), (200, 300)])
    outside = shapely.box(EXTENT + 2 * BUFFER, 0, EXTENT + 3 * BUFFER, 10)
    out = tile_geometries(np.array([sliver, big, ccw, outside], dtype=object))
    assert out[0] is None and out[3] is None
    for g in out[1:3]:
        assert g.is_valid and not g.exterior.is_ccw  # exterior clockwise, y up
