"""The compliance checks through the API, under the shipped packs: Guangzhou's rules for 白云区,
no rules for Jiangmen (409 naming kind and place), incomplete requests refused naming the
fields, a site read against the stored hazard zones, and the list filtered."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import geopandas as gpd
import pyogrio
import pytest
import shapely

from landrenew.core.store import Store
from landrenew.core.store.migrate import upgrade
from landrenew.land.zones import import_zones

from .conftest import CRS, GZ, WEST, X0, Y0, World, build_world, rules_path

HAZARD = shapely.box(X0 - 1000, Y0 + 8000, X0, Y0 + 9000)  # in the stand-in 白云区


@pytest.fixture(scope="module", params=["sqlite", "postgis"])
def places(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
           fresh_postgres: Callable[[], str]) -> Iterator[World]:
    """Jiangmen's two districts, 白云区 and 中山市 with the shipped packs, and a hazard zone."""
    folder = tmp_path_factory.mktemp("checks")
    url = f"sqlite:///{folder / 'checks.db'}" if request.param == "sqlite" else fresh_postgres()
    store = Store.open(url)
    upgrade(store.engine)
    with rules_path(None):
        w = build_world(store, folder, places=True)
        zones = gpd.GeoDataFrame({"zone_code": ["GH-001"], "name": ["白云区某隐患点"]},
                                 geometry=[HAZARD], crs=CRS)
        pyogrio.write_dataframe(zones, folder / "hazard.gpkg", layer="hazard")
        import_zones(store, folder / "hazard.gpkg", kind="geological_hazard", user="setup",
                     projected_crs=CRS)
        yield w
    w.client.close()
    store.dispose()


def post(w: World, kind: str, body: dict[str, Any], role: str = "admin", **params: Any) -> Any:
    return w.client.post(f"/api/checks/{kind}", headers=w.headers(role), json=body,
                         params=params)


INTEGRATION = {"district_code": GZ, "project_area_mu": "2000", "support_area_mu": "20",
               "far": "1.2", "use": "农产品初加工", "split_transfer": False, "term_years": 30,
               "priority_industry": "是", "national_min_price": "240", "actual_cost": "150",
               "floor_price": "170"}


def test_a_check_answers_its_decision_reasons_and_pack(places: World) -> None:
    r = post(places, "industry_integration", INTEGRATION)
    assert r.status_code == 201, r.text
    body = r.json()
    assert {k: body[k] for k in ("decision", "pack", "pack_version", "district_name")} == {
        "decision": "eligible", "pack": "guangzhou-compliance", "pack_version": "2023.12",
        "district_name": "白云区"}
    share = next(x for x in body["reasons"] if x["rule"].endswith("support_max_share"))
    assert {k: share[k] for k in ("field", "value", "op", "threshold", "met")} == {
        "field": "support_area_mu", "value": "20", "op": "<=", "threshold": "20", "met": True}
    assert "1%以内" in share["clause"]
    low = post(places, "industry_integration", {**INTEGRATION, "far": "0.9",
                                                 "far_exception_reason": "单层晾晒棚"})
    assert low.json()["decision"] == "exception_required"
    got = places.client.get(f"/api/checks/{body['id']}", headers=places.headers("admin"))
    assert got.json()["reasons"] == body["reasons"]


def test_a_place_without_compliance_rules_is_refused(places: World) -> None:
    r = post(places, "homestead", {"district_code": WEST, "built_on": "2001-01-01"})
    assert r.status_code == 409
    body = r.json()
    assert (body["code"], body["kind"], body["place"]) == ("no_rules", "compliance", WEST)
    assert "江门市 has no compliance rules (kind compliance) for 蓬江区" in body["message"]
    early = post(places, "homestead", {"district_code": GZ, "built_on": "2001-01-01"},
                 on="2023-12-05")
    assert early.status_code == 409 and early.json()["code"] == "no_rules"


def test_an_incomplete_or_wrong_request_is_refused_naming_the_fields(places: World) -> None:
    r = post(places, "homestead", {"district_code": GZ, "built_on": "2001-01-01",
                                   "eligible": "maybe"})
    assert r.status_code == 422
    body = r.json()
    assert body["code"] == "check_invalid" and body["decision"] == "invalid"
    assert set(body["fields"]) == {"eligible", "plan_conforming", "legal_source",
                                   "one_household", "within_area_standard"}
    unknown = post(places, "homestead", {"district_code": GZ, "area_mu": "3"})
    assert unknown.status_code == 422 and unknown.json()["field"] == "area_mu"
    money = post(places, "industry_integration", {**INTEGRATION, "floor_price": 170.5})
    assert money.status_code == 422 and money.json()["fields"] == ["floor_price"]
    nowhere = post(places, "homestead", {"built_on": "2001-01-01"})
    assert nowhere.status_code == 422 and nowhere.json()["field"] == "district_code"
    kind = post(places, "nonsense", {"district_code": GZ})
    assert kind.status_code == 422 and kind.json()["field"] == "kind"


def _point(x: float, y: float) -> dict[str, Any]:
    lon_lat = gpd.GeoSeries([shapely.Point(x, y)], crs=CRS).to_crs(4490).iloc[0]
    return shapely.geometry.mapping(lon_lat)


def test_a_house_site_is_read_against_the_stored_hazard_zones(places: World) -> None:
    inside = _point(HAZARD.centroid.x, HAZARD.centroid.y)
    r = post(places, "rural_housing_site", {"district_code": GZ, "in_hazard_area": "否",
                                            "geometry": inside})
    body = r.json()
    assert r.status_code == 201 and body["decision"] == "refused", r.text
    hazard = next(x for x in body["reasons"] if x["kind"] == "condition")
    assert hazard["zones"] == ["GH-001 白云区某隐患点"] and hazard["source"] == "map"
    assert any(x["kind"] == "contradiction" for x in body["reasons"])
    assert body["geometry"]["type"] == "Point"
    clear = post(places, "rural_housing_site", {
        "district_code": GZ, "geometry": _point(X0 - 3000, Y0 + 6000)})
    assert clear.json()["decision"] == "eligible"


def test_the_list_filters_by_kind_district_and_decision(places: World) -> None:
    post(places, "renovation_permit", {
        "district_code": GZ, "permits_complete": "否", "area_changed": "否",
        "height_changed": "否", "floors_changed": "否", "facade_changed": "否",
        "safety_class_lowered": "否", "use_changed": "否"})
    r = places.client.get("/api/checks", headers=places.headers("viewer"),
                          params={"kind": "renovation_permit", "district": GZ,
                                  "decision": "permit_needed"})
    assert r.status_code == 200
    items = r.json()["items"]
    assert items and all((i["kind"], i["decision"]) == ("renovation_permit", "permit_needed")
                         for i in items)
    assert dt.date.fromisoformat(items[0]["checked_on"]) <= dt.date.today() + dt.timedelta(1)
    bad = places.client.get("/api/checks", headers=places.headers("viewer"),
                            params={"decision": "maybe"})
    assert bad.status_code == 422 and bad.json()["field"] == "decision"
