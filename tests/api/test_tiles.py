"""Vector tiles at /tiles/{layer}/{z}/{x}/{y}.mvt on both backends."""

from __future__ import annotations

from typing import Any

import mapbox_vector_tile
import pytest
import shapely
import shapely.geometry

from landrenew.land.fields import SENSITIVE_FIELDS
from landrenew.platform.tiles import BUFFER, EXTENT, MEDIA_TYPE, lonlat_bounds, tile_for

from .conftest import EAST, PARCELS, WEST, WEST_CODES, World

Z = 14
PARCEL_PROPS = {"parcel_code", "district_code", "land_use", "is_low_efficiency", "categories",
                "category"}


def _outlines(w: World) -> dict[str, Any]:
    page = w.client.get("/ogc/collections/parcels/items").json()
    return {f["id"]: shapely.geometry.shape(f["geometry"]) for f in page["features"]}


def _home_tile(w: World) -> tuple[int, int]:
    c = _outlines(w)["JM-0000"].centroid
    return tile_for(c.x, c.y, Z)


def _decode(r: Any, layer: str) -> list[dict[str, Any]]:
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == MEDIA_TYPE
    tile = mapbox_vector_tile.decode(r.content)
    assert list(tile) == [layer]
    assert tile[layer]["extent"] == EXTENT
    return tile[layer]["features"]


def _codes(features: list[dict[str, Any]]) -> set[str]:
    return {f["properties"]["parcel_code"] for f in features}


def test_parcel_tile(city: World) -> None:
    x, y = _home_tile(city)
    features = _decode(city.client.get(f"/tiles/parcels/{Z}/{x}/{y}.mvt"), "parcels")
    # exactly the parcels meeting the tile and its buffer: the same set on both backends
    area = shapely.box(*lonlat_bounds(Z, x, y, BUFFER / EXTENT))
    expected = {code for code, g in _outlines(city).items() if g.intersects(area)}
    assert _codes(features) == expected == {"JM-0000", "JM-0001", "JM-0002", "JM-0003"}
    for f in features:
        props = f["properties"]
        assert set(props) >= PARCEL_PROPS, props
        assert not set(SENSITIVE_FIELDS) & set(props)
        assert props["category"] == props["categories"].split(";")[0]
        assert isinstance(props["is_low_efficiency"], bool)
        assert f["geometry"]["type"] in ("Polygon", "MultiPolygon")
        ring = f["geometry"]["coordinates"][0]
        xs = [p[0] for p in ring]
        assert min(xs) >= -BUFFER and max(xs) <= EXTENT + BUFFER
    assert len(PARCELS) > len(features)  # JM-0004/5 lie outside


def test_empty_tile_and_errors(city: World) -> None:
    x, y = tile_for(114.5, 20.0, Z)  # the South China Sea
    r = city.client.get(f"/tiles/parcels/{Z}/{x}/{y}.mvt")
    assert r.status_code == 204 and r.content == b""
    assert city.client.get("/tiles/nope/0/0/0.mvt").status_code == 404
    assert city.client.get("/tiles/parcels/3/8/0.mvt").status_code == 422
    assert city.client.get("/tiles/parcels/30/0/0.mvt").status_code == 422


def test_low_zoom_tile_holds_everything(city: World) -> None:
    c = _outlines(city)["JM-0000"].centroid
    x, y = tile_for(c.x, c.y, 8)
    features = _decode(city.client.get(f"/tiles/parcels/8/{x}/{y}.mvt"), "parcels")
    assert _codes(features) == {p["parcel_code"] for p in PARCELS}


@pytest.mark.parametrize("role", ["anonymous", "viewer", "district_staff", "city_staff"])
def test_tile_scope(city: World, role: str) -> None:
    x, y = _home_tile(city)
    r = city.client.get(f"/tiles/parcels/{Z}/{x}/{y}.mvt", headers=city.headers(role))
    features = _decode(r, "parcels")
    codes = _codes(features)
    if role == "district_staff":
        assert codes == WEST_CODES
    else:
        assert codes > WEST_CODES
    assert all(not set(SENSITIVE_FIELDS) & set(f["properties"]) for f in features)
    districts = _decode(city.client.get(f"/tiles/districts/{Z}/{x}/{y}.mvt",
                                        headers=city.headers(role)), "districts")
    got = {f["properties"]["district_code"] for f in districts}
    assert got == ({WEST} if role == "district_staff" else {WEST, EAST})


def test_zone_tile(city: World) -> None:
    x, y = _home_tile(city)
    features = _decode(city.client.get(f"/tiles/urban_development_boundary/{Z}/{x}/{y}.mvt"),
                       "urban_development_boundary")
    assert {f["properties"]["zone_code"] for f in features} == {"UDB-1"}  # UDB-2 lies east of it
    assert city.client.get(f"/tiles/ecological_redline/{Z}/{x}/{y}.mvt").status_code == 204
