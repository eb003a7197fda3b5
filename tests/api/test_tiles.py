"""Vector tiles at /tiles/{layer}/{z}/{x}/{y}.mvt on both backends."""

from __future__ import annotations

from typing import Any

import mapbox_vector_tile
import pytest
import shapely
import shapely.geometry

from landrenew.land.fields import SENSITIVE_FIELDS
from landrenew.serving.tiles import BUFFER, EXTENT, MEDIA_TYPE, lonlat_bounds, tile_for

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


def test_low_zoom_tile_is_an_overview_of_every_parcel(city: World) -> None:
    """Below zoom 13 the parcels layer is grid cells: counts, low-efficiency counts and 亩 add
    up to the parcels and the latest run; the colour is the main category."""
    c = _outlines(city)["JM-0000"].centroid
    x, y = tile_for(c.x, c.y, 8)
    cells = _decode(city.client.get(f"/tiles/parcels/8/{x}/{y}.mvt"), "parcels")
    assert cells and all(f["geometry"]["type"] == "Polygon" for f in cells)
    assert "parcel_code" not in set().union(*(f["properties"] for f in cells))
    stats = city.client.get(f"/api/evaluations/{city.run_id}/statistics",
                            headers=city.headers("admin")).json()["total"]
    assert sum(f["properties"]["count"] for f in cells) == len(PARCELS) == stats["parcels"]
    assert sum(f["properties"]["low_efficiency"] for f in cells) == stats["low_efficiency"]
    assert abs(sum(f["properties"]["area_mu"] for f in cells) - stats["area_mu"]) < 0.05
    assert any(f["properties"].get("category") for f in cells)
    for f in cells:
        assert f["properties"]["is_low_efficiency"] == (f["properties"]["low_efficiency"] > 0)
        assert not set(SENSITIVE_FIELDS) & set(f["properties"])
    # at zoom 13 the same place is single parcels again
    x, y = tile_for(c.x, c.y, 13)
    assert "JM-0000" in _codes(_decode(city.client.get(f"/tiles/parcels/13/{x}/{y}.mvt"),
                                       "parcels"))


def test_tiles_are_cached_until_the_data_changes(world: World) -> None:
    """A repeat request is served from the cache with the same ETag (304 when the client has
    it); an edit changes the data stamp, so the tile is made again and shows the edit."""
    from landrenew.serving.caches import TILES

    x, y = _home_tile(world)
    url = f"/tiles/parcels/{Z}/{x}/{y}.mvt"
    first = world.client.get(url)
    hits = TILES.hits
    again = world.client.get(url)
    assert TILES.hits == hits + 1 and again.content == first.content
    etag = first.headers["etag"]
    assert again.headers["etag"] == etag
    assert world.client.get(url, headers={"If-None-Match": etag}).status_code == 304
    r = world.client.patch("/api/parcels/JM-0000", headers=world.headers("admin"),
                           json={"land_use": "0701", "reason": "re-surveyed as housing"})
    assert r.status_code == 200, r.text
    after = world.client.get(url, headers={"If-None-Match": etag})
    assert after.status_code == 200 and after.headers["etag"] != etag
    props = {f["properties"]["parcel_code"]: f["properties"] for f in _decode(after, "parcels")}
    assert props["JM-0000"]["land_use"] == "0701"


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
    h = city.headers("viewer")  # zone layers are not public by default
    features = _decode(city.client.get(f"/tiles/urban_development_boundary/{Z}/{x}/{y}.mvt",
                                       headers=h), "urban_development_boundary")
    assert {f["properties"]["zone_code"] for f in features} == {"UDB-1"}  # UDB-2 lies east of it
    assert city.client.get(f"/tiles/ecological_redline/{Z}/{x}/{y}.mvt",
                           headers=h).status_code == 204


def test_tile_store_is_shared_between_workers(world: World) -> None:
    """A tile made by one server process is kept in the database: another process (its own
    memory cache empty) reads it from the tile store instead of rendering it again; a write
    makes the stored tile stale, so it is made again and shows the change."""
    from landrenew.serving import tiles as tile_service
    from landrenew.serving import tilestore
    from landrenew.serving.caches import TILES, data_stamp

    x, y = _home_tile(world)
    url = f"/tiles/parcels/{Z}/{x}/{y}.mvt"
    first = world.client.get(url)
    stamp = data_stamp(world.store)
    with world.store.engine.connect() as conn:
        stored = tilestore.read(conn, "parcels", "city", Z, x, y, stamp)
        assert stored == first.content
        assert tilestore.read(conn, "parcels", "city", Z, x, y, "0.0") is None  # other stamp
    TILES.clear()  # as a second worker: nothing in memory
    rendered: list[tuple[int, int, int]] = []
    real = tile_service.render_tile

    def counting(*args: Any) -> bytes:
        rendered.append(args[3:6])
        return real(*args)

    tile_service.render_tile = counting  # type: ignore[assignment]
    try:
        again = world.client.get(url)
        assert again.content == first.content and rendered == []
        world.client.patch("/api/parcels/JM-0000", headers=world.headers("admin"),
                           json={"land_use": "0701", "reason": "re-surveyed as housing"})
        after = world.client.get(url)
        assert rendered == [(Z, x, y)]
    finally:
        tile_service.render_tile = real  # type: ignore[assignment]
    props = {f["properties"]["parcel_code"]: f["properties"] for f in _decode(after, "parcels")}
    assert props["JM-0000"]["land_use"] == "0701"
    # district staff tiles are stored under their own scope, never served to the city
    world.client.get(url, headers=world.headers("district_staff"))
    with world.store.engine.connect() as conn:
        mine = tilestore.read(conn, "parcels", WEST, Z, x, y, data_stamp(world.store))
    assert mine is not None and _codes(
        mapbox_vector_tile.decode(mine)["parcels"]["features"]) == WEST_CODES


def test_seed_renders_the_pyramid_the_server_then_serves(world: World) -> None:
    """``tiles seed`` stores every city tile from zoom 0 to the maximum: each equals the tile
    the server would render, and stale tiles of older data are removed."""
    from landrenew.serving import tilestore
    from landrenew.serving.caches import TILES, data_stamp
    from landrenew.serving.seeding import city_outline, city_tiles, seed

    old = data_stamp(world.store)
    tilestore.write(world.store, [("parcels", "city", 3, 0, 0, "stale", b"x")])
    report = seed(world.store, max_zoom=Z, workers=1)
    stamp = data_stamp(world.store)
    assert report.stamp == stamp == old
    outline = city_outline(world.store)
    assert outline is not None
    expected = sum(len(city_tiles(outline, z)) for z in range(Z + 1)) * 2  # parcels, districts
    assert report.tiles == expected and report.by_zoom[Z] == 2 * len(city_tiles(outline, Z))
    rows = {(r["layer"], r["z"]): r for r in tilestore.summary(world.store, stamp)}
    assert sum(r["tiles"] for r in rows.values()) == expected  # the stale tile is gone
    assert all(r["current"] == r["tiles"] for r in rows.values())
    x, y = _home_tile(world)
    with world.store.engine.connect() as conn:
        seeded = tilestore.read(conn, "parcels", "city", Z, x, y, stamp)
        overview = tilestore.read(conn, "parcels", "city", 8, *tile_for(
            *_outlines(world)["JM-0000"].centroid.coords[0], 8), stamp)
    assert seeded and overview
    TILES.clear()
    assert world.client.get(f"/tiles/parcels/{Z}/{x}/{y}.mvt").content == seeded
    tilestore.write(world.store, [("parcels", "city", Z, x, y, stamp, b"")])
    TILES.clear()
    assert world.client.get(f"/tiles/parcels/{Z}/{x}/{y}.mvt").status_code == 204  # from store


def test_a_stored_tile_is_read_on_the_event_loop_and_kept(world: World, monkeypatch) -> None:
    """A tile in the shared tile store is read on the server's event loop (no maker thread),
    then kept in memory; a tile the store holds only for older data goes to a maker thread,
    which renders it."""
    from landrenew.serving import tiles as tile_service
    from landrenew.serving.caches import TILES

    x, y = _home_tile(world)
    url = f"/tiles/parcels/{Z}/{x}/{y}.mvt"
    first = world.client.get(url)  # rendered on a thread and stored
    assert first.status_code == 200
    made: list[tuple[int, int, int]] = []
    real = tile_service.tile_with_stamp

    def on_a_thread(store: Any, user: Any, layer: str, z: int, x: int, y: int) -> Any:
        made.append((z, x, y))
        return real(store, user, layer, z, x, y)

    monkeypatch.setattr(tile_service, "tile_with_stamp", on_a_thread)
    TILES.clear()  # as a second worker: nothing in memory
    again = world.client.get(url)
    assert again.status_code == 200 and again.content == first.content
    assert made == []
    assert len(TILES) == 1  # kept: the next request is answered from memory
    hits = TILES.hits
    assert world.client.get(url).content == first.content and TILES.hits > hits
    assert made == []
    r = world.client.patch("/api/parcels/JM-0000", headers=world.headers("admin"),
                           json={"land_use": "0701", "reason": "re-surveyed as housing"})
    assert r.status_code == 200, r.text
    after = world.client.get(url)
    assert made == [(Z, x, y)]  # stored for the old data only: rendered on a thread
    props = {f["properties"]["parcel_code"]: f["properties"] for f in _decode(after, "parcels")}
    assert props["JM-0000"]["land_use"] == "0701"
