"""OGC API Features at /ogc: documents, paging, bbox, CRS, access policy, and GDAL reading it."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import shapely
import shapely.geometry
from openapi_spec_validator import validate as validate_openapi

from landrenew.core.store import Store
from landrenew.land.fields import SENSITIVE_FIELDS
from landrenew.land.zones import ZONE_KINDS
from landrenew.serving.ogc import CRS84, EPSG4490, GEOJSON

from .conftest import (
    EAST,
    EAST_CODES,
    PARCELS,
    PASSWORD,
    WEST,
    WEST_CODES,
    World,
    post_login,
)

ALL = WEST_CODES | EAST_CODES
CONF = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/"


def _get(w: World, url: str, role: str | None = None, **params: Any) -> Any:
    return w.client.get(url, headers=w.headers(role), params=params or None)


def _rel(doc: dict[str, Any], rel: str) -> dict[str, Any] | None:
    return next((link for link in doc["links"] if link["rel"] == rel), None)


def _local(href: str) -> str:
    return href.removeprefix("http://testserver")


def test_landing_and_conformance(city: World) -> None:
    r = _get(city, "/ogc")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    body = r.json()
    for rel, path in (("service-desc", "/ogc/api"), ("conformance", "/ogc/conformance"),
                      ("data", "/ogc/collections"), ("self", "/ogc")):
        link = _rel(body, rel)
        assert link is not None and _local(link["href"]) == path, rel
    conf = _get(city, "/ogc/conformance").json()["conformsTo"]
    assert {CONF + c for c in ("core", "oas30", "geojson")} <= set(conf)
    api = _get(city, "/ogc/api")
    assert api.status_code == 200 and "openapi" in api.headers["content-type"]
    definition = api.json()
    paths = definition["paths"]
    assert "/ogc/collections/{collection_id}/items" in paths
    assert all(p.startswith("/ogc") for p in paths)
    # the oas30 class: a valid OpenAPI 3.0 document (not FastAPI's 3.1 relabelled), whose
    # optional parameters say nullable, with only the component schemas its paths use
    assert definition["openapi"] == "3.0.3"
    validate_openapi(definition)
    items = {p["name"]: p for p in paths["/ogc/collections/{collection_id}/items"]["get"]
             ["parameters"]}
    assert items["bbox"]["schema"]["type"] == "string" and items["bbox"]["schema"]["nullable"]
    assert '"null"' not in json.dumps(definition)  # no 3.1 null type left anywhere
    assert set(definition["components"]["schemas"]) == {"HTTPValidationError", "ValidationError"}
    assert _get(city, "/ogc", f="json").status_code == 200
    html = _get(city, "/ogc", f="html")
    assert html.status_code == 400 and html.json()["field"] == "f"


def test_collections(city: World) -> None:
    body = _get(city, "/ogc/collections", "viewer").json()
    ids = [c["id"] for c in body["collections"]]
    assert ids == ["parcels", "districts", *ZONE_KINDS]
    by_id = {c["id"]: c for c in body["collections"]}
    parcels = by_id["parcels"]
    assert parcels["crs"] == [CRS84, EPSG4490] and parcels["storageCrs"] == EPSG4490
    minx, miny, maxx, maxy = parcels["extent"]["spatial"]["bbox"][0]
    assert 112 < minx < maxx < 114 and 21 < miny < maxy < 23
    assert _local(_rel(parcels, "items")["href"]) == "/ogc/collections/parcels/items"
    assert "extent" in by_id["urban_development_boundary"]
    assert "extent" not in by_id["ecological_redline"]  # no zones of that kind
    one = _get(city, "/ogc/collections/districts")
    assert one.status_code == 200 and one.json()["id"] == "districts"
    missing = _get(city, "/ogc/collections/nope")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"


def test_items_paging(city: World) -> None:
    r = _get(city, "/ogc/collections/parcels/items", limit=4)
    assert r.status_code == 200 and r.headers["content-type"].startswith(GEOJSON)
    assert r.headers["content-crs"] == f"<{CRS84}>"
    first = r.json()
    assert first["type"] == "FeatureCollection"
    assert first["numberReturned"] == 4 and first["numberMatched"] == len(PARCELS)
    nxt = _rel(first, "next")
    assert nxt is not None and "offset=4" in nxt["href"] and nxt["type"] == GEOJSON
    second = city.client.get(_local(nxt["href"])).json()
    assert second["numberReturned"] == len(PARCELS) - 4 and _rel(second, "next") is None
    assert _rel(second, "prev") is not None
    codes = [f["id"] for f in first["features"] + second["features"]]
    assert codes == sorted(ALL)
    feature = first["features"][0]
    assert feature["geometry"]["type"] == "Polygon"
    assert feature["properties"]["parcel_code"] == feature["id"]
    assert feature["properties"]["categories"]  # the latest run's categories, ';'-joined
    default = _get(city, "/ogc/collections/parcels/items").json()
    assert default["numberReturned"] == len(PARCELS) and _rel(default, "next") is None
    assert _get(city, "/ogc/collections/parcels/items", limit=10_000).status_code == 200
    assert _get(city, "/ogc/collections/parcels/items", limit=10_001).status_code == 400


def test_bbox_filter(city: World) -> None:
    feature = _get(city, "/ogc/collections/parcels/items/JM-0000").json()
    c = shapely.geometry.shape(feature["geometry"]).centroid
    bbox = f"{c.x - 1e-4},{c.y - 1e-4},{c.x + 1e-4},{c.y + 1e-4}"
    body = _get(city, "/ogc/collections/parcels/items", bbox=bbox).json()
    assert [f["id"] for f in body["features"]] == ["JM-0000"] and body["numberMatched"] == 1
    # the same box as EPSG:4490 (lat,lon) through bbox-crs
    swapped = f"{c.y - 1e-4},{c.x - 1e-4},{c.y + 1e-4},{c.x + 1e-4}"
    body = _get(city, "/ogc/collections/parcels/items", bbox=swapped,
                **{"bbox-crs": EPSG4490}).json()
    assert [f["id"] for f in body["features"]] == ["JM-0000"]
    ocean = _get(city, "/ogc/collections/parcels/items", bbox="114.5,19.9,114.6,20.0").json()
    assert ocean["numberMatched"] == 0 and ocean["features"] == []
    zones = _get(city, "/ogc/collections/urban_development_boundary/items", "viewer",
                 bbox=bbox).json()
    assert [f["id"] for f in zones["features"]] == ["UDB-1"]
    bad = _get(city, "/ogc/collections/parcels/items", bbox="1,2,3")
    assert bad.status_code == 400 and bad.json()["field"] == "bbox"


def test_item_and_crs_axis_swap(city: World) -> None:
    r = _get(city, "/ogc/collections/parcels/items/JM-0000")
    assert r.status_code == 200 and r.headers["content-type"].startswith(GEOJSON)
    lonlat = r.json()
    assert lonlat["id"] == "JM-0000" and lonlat["properties"]["district_code"] == WEST
    x, y = lonlat["geometry"]["coordinates"][0][0]
    assert 112 < x < 114 and 21 < y < 23
    r = _get(city, "/ogc/collections/parcels/items/JM-0000", crs=EPSG4490)
    assert r.headers["content-crs"] == f"<{EPSG4490}>"
    latlon = r.json()["geometry"]["coordinates"][0][0]
    assert latlon == [y, x]
    page = _get(city, "/ogc/collections/districts/items", crs="EPSG:4490").json()
    lat, lon = page["features"][0]["geometry"]["coordinates"][0][0]
    assert 21 < lat < 23 and 112 < lon < 114
    assert _get(city, "/ogc/collections/parcels/items", crs="EPSG:3857").status_code == 400
    assert _get(city, "/ogc/collections/parcels/items/NOPE").status_code == 404
    zone = _get(city, "/ogc/collections/urban_development_boundary/items/UDB-2", "viewer").json()
    assert zone["properties"]["kind"] == "urban_development_boundary"
    district = _get(city, f"/ogc/collections/districts/items/{EAST}").json()
    assert district["properties"]["name"] == "江海区"


@pytest.mark.parametrize("role", ["anonymous", "viewer", "city_staff"])
def test_sensitive_fields(city: World, role: str) -> None:
    page = _get(city, "/ogc/collections/parcels/items", role).json()
    one = _get(city, "/ogc/collections/parcels/items/JM-0002", role).json()
    for props in [f["properties"] for f in page["features"]] + [one["properties"]]:
        present = set(SENSITIVE_FIELDS) & set(props)
        if role == "city_staff":
            assert present == set(SENSITIVE_FIELDS)
        else:
            assert present == set(), f"{role} sees {present}"
    assert {f["id"] for f in page["features"]} == ALL


def test_items_pages_kept_compressed_until_the_data_changes(world: World) -> None:
    """A page is sent gzip-compressed to a client that accepts it and plain to one that does
    not, with the same content; asked again it is the same page with the same ETag (304 with
    If-None-Match); an edit changes the stamp, so the next answer shows it; views never mix."""
    url = "/ogc/collections/parcels/items?limit=3"
    zipped = world.client.get(url, headers={"Accept-Encoding": "gzip"})
    plain = world.client.get(url, headers={"Accept-Encoding": "identity"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert "content-encoding" not in plain.headers
    assert zipped.json() == plain.json() and zipped.json()["numberReturned"] == 3
    assert zipped.headers["etag"] == plain.headers["etag"]
    assert "Accept-Encoding" in zipped.headers["vary"]
    assert world.client.get(url, headers={"If-None-Match": plain.headers["etag"]}
                            ).status_code == 304
    staff = world.client.get(url, headers=world.headers("city_staff")).json()
    assert "right_holder" in staff["features"][0]["properties"]
    assert "right_holder" not in plain.json()["features"][0]["properties"]
    assert world.client.get(url, headers={**world.headers("city_staff"), "If-None-Match":
                                          plain.headers["etag"]}).status_code == 200
    first = plain.json()["features"][0]["id"]
    assert plain.json()["features"][0]["properties"]["land_use"] != "0701"
    r = world.client.patch(f"/api/parcels/{first}", headers=world.headers("admin"),
                           json={"land_use": "0701", "reason": "re-surveyed"})
    assert r.status_code == 200
    after = world.client.get(url, headers={"If-None-Match": plain.headers["etag"]})
    assert after.status_code == 200
    assert after.json()["features"][0]["properties"]["land_use"] == "0701"


@pytest.mark.parametrize(("header", "expected"), [
    ("gzip", True), ("br, gzip, deflate", True), ("*", True), ("gzip;q=0.5", True),
    ("gzip;q=0", False), ("identity", False), ("", False), ("deflate", False)])
def test_accepts_gzip(header: str, expected: bool) -> None:
    from starlette.requests import Request

    from landrenew.api.responses import accepts_gzip

    scope = {"type": "http", "headers": [(b"accept-encoding", header.encode())]}
    assert accepts_gzip(Request(scope)) is expected


def test_session_cookie_and_bad_token(city: World) -> None:
    bad = city.client.get("/ogc/collections/parcels/items",
                          headers={"Authorization": "Bearer not-a-token"})
    assert bad.status_code == 401
    r = post_login(city.client, username="city_staff", password=PASSWORD)
    assert r.status_code == 303 and "landrenew_session" in city.client.cookies
    try:
        props = city.client.get("/ogc/collections/parcels/items/JM-0000").json()["properties"]
        assert "right_holder" in props
    finally:
        city.client.cookies.clear()


def test_district_staff_scope(city: World) -> None:
    page = _get(city, "/ogc/collections/parcels/items", "district_staff").json()
    assert {f["id"] for f in page["features"]} == WEST_CODES
    assert page["numberMatched"] == len(WEST_CODES)
    assert all("tax_10k_yuan" in f["properties"] for f in page["features"])
    other = _get(city, "/ogc/collections/parcels/items/JM-0003", "district_staff")
    assert other.status_code == 404
    districts = _get(city, "/ogc/collections/districts/items", "district_staff").json()
    assert [f["id"] for f in districts["features"]] == [WEST]
    assert _get(city, f"/ogc/collections/districts/items/{EAST}", "district_staff"
                ).status_code == 404
    zones = _get(city, "/ogc/collections/urban_development_boundary/items",
                 "district_staff").json()
    assert zones["numberMatched"] == 2  # planning layers are city-wide
    cols = {c["id"]: c for c in _get(city, "/ogc/collections", "district_staff"
                                     ).json()["collections"]}
    west_extent = cols["parcels"]["extent"]["spatial"]["bbox"][0]
    all_extent = {c["id"]: c for c in _get(city, "/ogc/collections").json()["collections"]
                  }["parcels"]["extent"]["spatial"]["bbox"][0]
    assert west_extent[2] < all_extent[2]  # no hint of the other district's parcels


# ---------------------------------------------------------------- GDAL against a live server

@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any]]:
    """uvicorn on a free loopback port, in a thread, over a temp SQLite demo city (300 parcels)."""
    from landrenew.core.store import Store
    from landrenew.demo.build import build_demo
    from landrenew.server import create_app

    from .conftest import running_server, settings_for

    folder: Path = tmp_path_factory.mktemp("live")
    store = Store.open(f"sqlite:///{folder / 'demo.db'}")
    build_demo(store, n=300)
    # every layer public: GDAL reads the whole service without signing in
    app = create_app(settings_for(store.url, public_layers=["*"]), store=store)
    try:
        with running_server(app) as url:
            yield url, store
    finally:
        store.dispose()


def _ogrinfo(*args: str) -> str:
    out = subprocess.run(["ogrinfo", "-ro", *args], capture_output=True, text=True, timeout=120,
                         check=False)
    assert out.returncode == 0, out.stderr
    return out.stdout


@pytest.mark.slow
def test_gdal_reads_every_collection(live_server: tuple[str, Any]) -> None:
    import httpx

    base, _store = live_server
    source = f"OAPIF:{base}/ogc"
    listing = _ogrinfo("-so", source)
    for cid in ("parcels", "districts", *ZONE_KINDS):
        assert f": {cid} (" in listing, f"{cid} not listed:\n{listing}"
    for cid in ("parcels", "districts", *ZONE_KINDS):
        matched = httpx.get(f"{base}/ogc/collections/{cid}/items", params={"limit": 1}
                            ).json()["numberMatched"]
        read = _ogrinfo("-q", source, cid).count("OGRFeature(")
        assert read == matched, f"{cid}: GDAL read {read}, the server has {matched}"
        if cid in ("parcels", "districts"):
            assert matched > 0
    assert httpx.get(f"{base}/ogc/collections/parcels/items", params={"limit": 1}
                     ).json()["numberMatched"] == 400  # 300 in Jiangmen, 100 in other cities
    summary = _ogrinfo("-so", source, "parcels")
    assert "Feature Count: 400" in summary and "parcel_code: String" in summary
    assert "right_holder" not in summary and "tax_10k_yuan" not in summary  # public view


def test_pages_are_shared_between_workers(world: World, monkeypatch: pytest.MonkeyPatch
                                          ) -> None:
    """An OGC items page made by one server process is kept in the page store: another process
    (its own memory empty) reads it instead of making it again; a write makes it stale, so it
    is made again and shows the change, and the stale pages are pruned. (REST list pages are
    cheap to make and kept per worker only.)"""
    from sqlalchemy import func, select

    from landrenew.api.routes import ogc as ogc_routes
    from landrenew.core.store.models import StoredPage
    from landrenew.serving import ogc as ogc_service

    url = "/ogc/collections/parcels/items?limit=3"

    def first_land_use(r: Any) -> str:
        return str(r.json()["features"][0]["properties"]["land_use"])

    first = world.client.get(url)
    assert first.status_code == 200 and first_land_use(first) != "0701"
    ogc_routes.PAGES.clear()  # as a second worker: nothing in memory
    made: list[str] = []
    real = ogc_service.items

    def counting(*args: Any, **kwargs: Any) -> Any:
        made.append("items")
        return real(*args, **kwargs)

    monkeypatch.setattr(ogc_service, "items", counting)
    again = world.client.get(url)
    assert again.json() == first.json() and made == []
    assert len(ogc_routes.PAGES) == 1  # kept in this process's memory from now on
    world.client.patch("/api/parcels/JM-0000", headers=world.headers("admin"),
                       json={"land_use": "0701", "reason": "re-surveyed as housing"})
    after = world.client.get(url)
    assert made == ["items"] and first_land_use(after) == "0701"
    with world.store.engine.connect() as conn:
        stamps = conn.execute(select(StoredPage.stamp, func.count()).group_by(StoredPage.stamp)
                              ).all()
    assert [s for s, _ in stamps] == [world.store.stamp()]  # the old stamp's pages are gone


def test_items_pages_carry_each_stored_outline_in_the_asked_axis_order(city: World) -> None:
    """A page's outlines (written by PostGIS itself on that backend, converted from WKB on
    SQLite) are the stored ones: the same as each feature read alone, coordinate for
    coordinate, in CRS84 (lon, lat) and swapped to lat, lon in EPSG:4490."""
    for crs in (CRS84, EPSG4490):
        page = _get(city, "/ogc/collections/parcels/items", crs=crs, limit=1000).json()
        assert {f["id"] for f in page["features"]} == ALL
        for feature in page["features"]:
            alone = _get(city, f"/ogc/collections/parcels/items/{feature['id']}", crs=crs).json()
            assert feature["geometry"] == alone["geometry"], (crs, feature["id"])
        lon, lat = page["features"][0]["geometry"]["coordinates"][0][0]
        assert (112 < lon < 114 and 21 < lat < 23) == (crs == CRS84)


def _alone(w: World, fid: str, role: str, crs: str) -> dict[str, Any]:
    feature = _get(w, f"/ogc/collections/parcels/items/{fid}", role, crs=crs).json()
    return {k: feature[k] for k in ("type", "id", "geometry", "properties")}


@contextmanager
def _statements(store: Store) -> Iterator[list[str]]:
    from sqlalchemy import event

    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(store.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(store.engine, "before_cursor_execute", record)


def test_items_pages_say_what_each_feature_alone_says(world: World) -> None:
    """Every feature of a page equals the same feature read alone (``/items/{id}``), property
    for property and coordinate for coordinate, for every view and both axis orders. On PostGIS
    the page's text is written by the server (platform/featuretext.py) and the single feature
    still in Python, so this holds the two to the same values: money with six decimals, a
    0.1-like double, text with quotes, a backslash and Chinese, timestamps with and without
    microseconds, codes with stray separators, no outline and no area, no result at all."""
    from sqlalchemy import text

    with world.store.engine.begin() as conn:  # stored values of each kind a page must carry
        conn.execute(text("UPDATE parcel_versions SET valid_from = :t WHERE parcel_code = "
                          "'JM-0002' AND valid_to IS NULL"), {"t": dt.datetime(2024, 3, 1, 8)})
        conn.execute(text("UPDATE parcel_versions SET geom = NULL, area_m2 = NULL WHERE "
                          "parcel_code = 'JM-0003'"))
        conn.execute(text("UPDATE parcel_results SET categories = ';idle;;x;', flags = '' "
                          "WHERE parcel_code = 'JM-0002'"))
        conn.execute(text("DELETE FROM parcel_results WHERE parcel_code = 'JM-0004'"))
    r = world.client.patch("/api/parcels/JM-0001", headers=world.headers("admin"), json={
        "tax_10k_yuan": "12.345678", "planned_far": 0.1 + 0.2, "right_holder":
        '江门"第一"\\制造\tCo.', "reason": "re-surveyed"})  # also moves the data stamp
    assert r.status_code == 200, r.text
    written: list[str] = []  # pages whose text the server wrote
    for role in ("anonymous", "viewer", "district_staff", "city_staff"):
        for crs in (CRS84, EPSG4490):
            with _statements(world.store) as seen:
                page = _get(world, "/ogc/collections/parcels/items", role, crs=crs,
                            limit=1000).json()
            written.extend(s for s in seen if "row_to_json" in s)
            codes = WEST_CODES if role == "district_staff" else ALL
            assert {f["id"] for f in page["features"]} == codes
            assert page["numberReturned"] == page["numberMatched"] == len(codes)
            for feature in page["features"]:
                assert feature == _alone(world, feature["id"], role, crs), (role, crs)
    # on PostGIS the texts of each view × axis order were written by the server: the public
    # ones for the anonymous pages, the signed-in viewer's own (they carry changed_by, which the
    # public never sees), the sensitive ones for the district's pages and then for the rest of
    # the city's
    assert len(written) == (8 if world.store.caps.spatial_sql else 0)
    assert "changed_by" not in str(_get(world, "/ogc/collections/parcels/items", "anonymous",
                                        crs=CRS84, limit=1000).json())
    staff = _alone(world, "JM-0001", "city_staff", CRS84)["properties"]
    assert staff["tax_10k_yuan"] == 12.345678 and staff["planned_far"] == 0.1 + 0.2
    assert staff["right_holder"] == '江门"第一"\\制造\tCo.'
    assert "." in _alone(world, "JM-0001", "viewer", CRS84)["properties"]["valid_from"]
    two = _alone(world, "JM-0002", "viewer", CRS84)["properties"]
    assert two["valid_from"] == "2024-03-01T08:00:00Z"
    assert two["categories"] == "idle;x" and two["flags"] is None
    three = _alone(world, "JM-0003", "viewer", CRS84)
    assert three["geometry"] is None and three["properties"]["area_mu"] is None
    four = _alone(world, "JM-0004", "viewer", CRS84)["properties"]
    assert four["is_low_efficiency"] is None and four["categories"] is None


def test_items_pages_before_any_evaluation_run(store: Store, tmp_path: Path) -> None:
    """Without an evaluation run a page's features carry no result (null), as each alone."""
    from fastapi.testclient import TestClient

    from landrenew.land.districts import import_districts
    from landrenew.land.importing import ImportOptions, import_parcels
    from landrenew.server import create_app

    from .conftest import CRS, districts_file, parcels_file, settings_for

    import_districts(store, districts_file(tmp_path), user="setup", projected_crs=CRS)
    import_parcels(store, parcels_file(tmp_path), ImportOptions(report=str(tmp_path / "r.csv")),
                   user="setup", projected_crs=CRS)
    with TestClient(create_app(settings_for(store.url), store=store)) as client:
        w = World(store, client, tmp_path)
        page = _get(w, "/ogc/collections/parcels/items", limit=1000).json()
        assert {f["id"] for f in page["features"]} == ALL
        for feature in page["features"]:
            assert feature == _alone(w, feature["id"], "anonymous", CRS84)
            assert feature["properties"]["is_low_efficiency"] is None
            assert feature["properties"]["categories"] is None


def test_items_pages_are_joined_from_kept_feature_texts(world: World) -> None:
    """Each parcel feature's text is kept per data stamp, view and axis order, and pages are
    joined from the kept texts: a page makes only the features no earlier page made, says
    exactly what a page made afresh says, never borrows another view's or axis order's text,
    shows a write at once, and leaves out what the user's districts do not hold."""
    from landrenew.core.access import Principal
    from landrenew.serving import caches, ogc

    caches.FEATURES.clear()

    def page(role: str, crs: str = CRS84, **params: Any) -> tuple[int, dict[str, Any]]:
        made = caches.FEATURES.made
        r = _get(world, "/ogc/collections/parcels/items", role, crs=crs, **params)
        assert r.status_code == 200, r.text
        return caches.FEATURES.made - made, r.json()

    made, first = page("city_staff", limit=3)
    assert made == 3 and [f["id"] for f in first["features"]] == sorted(ALL)[:3]
    made, five = page("city_staff", limit=5)  # the first 3 are kept: only 2 are made
    assert made == 2 and [f["id"] for f in five["features"]] == sorted(ALL)[:5]
    assert five["features"][:3] == first["features"]
    made, shifted = page("city_staff", limit=3, offset=2)
    assert made == 0 and shifted["features"] == five["features"][2:5]
    # a page joined from kept texts is the page made afresh, feature for feature
    staff = Principal("city_staff", "city_staff")
    caches.FEATURES.clear()
    fresh = json.loads(ogc.items(world.store, staff, "http://testserver/ogc", "parcels",
                                   bbox=None, limit=5, offset=0, crs=CRS84, query={}))
    assert fresh["features"] == five["features"]
    # another view or axis order makes its own texts: no sensitive field, axes swapped
    made, public = page("anonymous", limit=5)
    assert made == 5
    for feature in public["features"]:
        assert not set(feature["properties"]) & set(SENSITIVE_FIELDS)
        assert feature == _alone(world, feature["id"], "anonymous", CRS84)
    made, swapped = page("anonymous", crs=EPSG4490, limit=5)
    assert made == 5
    for a, b in zip(public["features"], swapped["features"], strict=True):
        ring = a["geometry"]["coordinates"][0]
        assert b["geometry"]["coordinates"][0] == [[y, x] for x, y in ring]
    # district staff see the sensitive view, within their districts: the city staff's texts
    made, west = page("district_staff", limit=5)
    assert made == 0 and {f["id"] for f in west["features"]} == WEST_CODES
    assert all("right_holder" in f["properties"] for f in west["features"])
    assert west["numberMatched"] == len(WEST_CODES)
    # a write moves the data stamp: the kept texts are dropped and the page says the new value
    r = world.client.patch("/api/parcels/JM-0001", headers=world.headers("admin"),
                           json={"tax_10k_yuan": "77.5", "reason": "re-surveyed"})
    assert r.status_code == 200, r.text
    made, after = page("city_staff", limit=5)
    assert made == 5
    changed = next(f for f in after["features"] if f["id"] == "JM-0001")
    assert changed["properties"]["tax_10k_yuan"] == 77.5
    assert changed["properties"]["version"] == 2


def test_a_bbox_page_reads_its_count_with_its_ids(city: World, monkeypatch: pytest.MonkeyPatch
                                                   ) -> None:
    """A bbox page's numberMatched is read in the statement of the page's ids (a window count
    over the parcels the bbox index found), for each view's districts, whatever the page's
    offset; a page past the last match has no row to carry it, so it is counted apart."""
    from landrenew.serving import ogc_collections as service

    counted: list[Any] = []
    real = service.count_current

    def counting(*args: Any) -> int:
        counted.append(args[3])  # the bbox
        return real(*args)

    monkeypatch.setattr(service, "count_current", counting)
    url = "/ogc/collections/parcels/items"
    ext = _get(city, "/ogc/collections/parcels").json()["extent"]["spatial"]["bbox"][0]

    def box(grow: float) -> str:  # a box holding every parcel, new for each grow: not kept
        return f"{ext[0] - grow},{ext[1] - grow},{ext[2] + grow},{ext[3] + grow}"

    for grow, role, expected in ((0.001, "admin", ALL), (0.002, "district_staff", WEST_CODES)):
        seen: list[str] = []
        for offset in range(0, len(expected), 2):
            page = _get(city, url, role, bbox=box(grow), limit=2, offset=offset).json()
            assert page["numberMatched"] == len(expected), (role, offset)
            seen += [f["id"] for f in page["features"]]
        assert seen == sorted(expected)  # parcel-code order, each once
    assert counted == []
    past = _get(city, url, "admin", bbox=box(0.003), limit=2, offset=len(ALL)).json()
    assert past["numberMatched"] == len(ALL) and past["features"] == []
    assert len(counted) == 1
    # a page without a bbox takes the city's count, counted apart (or kept from an earlier page)
    assert _get(city, url, "admin", limit=2).json()["numberMatched"] == len(ALL)
    assert len(counted) in (1, 2) and counted[1:] in ([], [None])
