"""Guangzhou urban-village phase checks over HTTP on both backends (分片分期实施): a phase may not
cut a guideline parcel (导则地块), its construction plan must start the public-welfare works
first (公益先行), and construction waits for such a plan; the phase page shows both checks and
saves the plan."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import pyogrio
import pytest
import shapely
import shapely.geometry
from sqlalchemy import func, select

from landrenew.core.store.models import Phase
from landrenew.land.zones import import_zones

from .conftest import CRS, WEST, X0, Y0, World

#: Three guideline parcels of 100 m × 100 m side by side (EPSG:4547), in the west district.
GX, GY = X0 + 100.0, Y0 + 1000.0
GUIDES = {f"G-{i + 1}": shapely.box(GX + 100 * i, GY, GX + 100 * (i + 1), GY + 100)
          for i in range(3)}
RULE = "jiangmen-renewal-phases:guideline_parcel_split_tolerance_m2"  # the adopted pack
WELFARE_RULE = "jiangmen-renewal-phases:public_welfare_lead_days"

_READY: set[int] = set()


def _guides(w: World) -> None:
    """Import the guideline-parcel layer once per world."""
    if id(w) in _READY:
        return
    gdf = gpd.GeoDataFrame({"zone_code": list(GUIDES), "name": [f"导则地块{c}" for c in GUIDES]},
                           geometry=list(GUIDES.values()), crs=CRS)
    path = Path(w.folder) / "guideline_parcels.gpkg"
    pyogrio.write_dataframe(gdf, path, layer="guides")
    report = import_zones(w.store, path, kind="guideline_parcel", user="setup",
                          projected_crs=CRS)
    assert report.inserted == 3
    _READY.add(id(w))


def _geojson(box: shapely.Polygon) -> dict[str, Any]:
    """A polygon drawn in the city's projected CRS, as the API takes it (EPSG:4490 GeoJSON)."""
    return shapely.geometry.mapping(gpd.GeoSeries([box], crs=CRS).to_crs(4490).iloc[0])


def _post(w: World, role: str, url: str, body: Any) -> Any:
    return w.client.post(url, headers=w.headers(role), json=body)


def _project(w: World, name: str) -> int:
    r = _post(w, "city_staff", "/api/projects",
              {"name": name, "type": "urban_village", "district_code": WEST,
               "scheme_approved_on": "2026-01-01"})
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def _phase(w: World, project: int, box: shapely.Polygon | None = None, name: str = "一期"
           ) -> Any:
    body: dict[str, Any] = {"name": name}
    if box is not None:
        body["geometry"] = _geojson(box)
    return _post(w, "city_staff", f"/api/projects/{project}/phases", body)


def _stored_phases(w: World, project: int) -> int:
    with w.store.read_session() as session:
        return int(session.scalar(select(func.count()).select_from(Phase)
                                  .where(Phase.project_id == project)) or 0)


def _cuts(rows: list[dict[str, Any]]) -> dict[str, tuple[float, float]]:
    return {c["code"]: (float(c["area_inside_m2"]), float(c["area_outside_m2"])) for c in rows}


def _put_schedule(w: World, phase: int, works: list[dict[str, Any]], role: str = "city_staff",
                  reason: str | None = None) -> Any:
    body: dict[str, Any] = {"works": works}
    if reason:
        body["reason"] = reason
    return w.client.put(f"/api/phases/{phase}/schedule", headers=w.headers(role), json=body)


def _work(name: str, kind: str, start: str, finish: str = "2028-12-31") -> dict[str, str]:
    return {"name": name, "kind": kind, "start": start, "finish": finish}


WELFARE_FIRST = [_work("复建安置房", "resettlement_housing", "2026-03-01"),
                 _work("小学", "public_service", "2026-04-01"),
                 _work("融资地块", "other", "2026-04-01")]  # the same day: lead 0 allows it


# ---------------------------------------------------------------- guideline parcels

def test_a_phase_splitting_guideline_parcels_is_refused_naming_them(city: World) -> None:
    _guides(city)
    project = _project(city, "切割导则地块的分片")
    r = _phase(city, project, shapely.box(GX + 50, GY, GX + 250, GY + 100))
    assert r.status_code == 409, r.text
    body = r.json()
    assert body["code"] == "guideline_parcel_split" and body["field"] == "geometry"
    assert body["allowed"] is False and body["rule"] == RULE and "导则地块" in body["clause"]
    split = _cuts(body["split"])
    assert set(split) == {"G-1", "G-3"}
    for inside, outside in split.values():
        assert inside == pytest.approx(5000, abs=2) and outside == pytest.approx(5000, abs=2)
    assert set(_cuts(body["contained"])) == {"G-2"}
    assert "G-1" in body["message"] and "G-3" in body["message"]
    assert body["tolerance_m2"] == "1.0" and "G-1" in body["explanation"]
    assert _stored_phases(city, project) == 0  # nothing stored
    audit = city.client.get("/api/audit", params={"entity_type": "phase", "actor": "city_staff"},
                            headers=city.headers("admin")).json()["items"]
    assert all((e["after"] or {}).get("project_id") != project for e in audit)


@pytest.mark.parametrize(("edge", "piece", "split"), [
    ("inside", 0.009, False), ("inside", 0.011, True),
    ("outside", 0.009, False), ("outside", 0.011, True),
])
def test_the_split_tolerance(city: World, edge: str, piece: float, split: bool) -> None:
    """A piece of 0.90 m² (100 m × 0.009 m) is mapping noise; 1.10 m² is a split (tolerance
    1.0 m²): ``inside`` pushes the boundary into G-3, ``outside`` leaves a strip of G-1 out."""
    _guides(city)
    project = _project(city, f"容差 {edge} {piece}")
    if edge == "inside":
        box = shapely.box(GX, GY, GX + 200 + piece, GY + 100)
        parcel, expected = "G-3", (piece * 100, 10_000 - piece * 100)
    else:
        box = shapely.box(GX + piece, GY, GX + 200, GY + 100)
        parcel, expected = "G-1", (10_000 - piece * 100, piece * 100)
    r = _phase(city, project, box)
    if split:
        assert r.status_code == 409, r.text
        assert r.json()["code"] == "guideline_parcel_split"
        cuts = _cuts(r.json()["split"])
        assert set(cuts) == {parcel}
        assert _stored_phases(city, project) == 0
    else:
        assert r.status_code == 201, r.text
        check = r.json()["checks"]["guideline_split"]
        assert check["allowed"] is True and check["split"] == []
        cuts = _cuts(check["trimmed"] if edge == "inside" else check["contained"])
        assert parcel in cuts
    assert cuts[parcel] == pytest.approx(expected, abs=0.01)


def test_a_phase_wholly_containing_parcels_is_accepted_with_the_check(city: World) -> None:
    _guides(city)
    project = _project(city, "完整包含导则地块的分片")
    r = _phase(city, project, shapely.box(GX - 20, GY - 20, GX + 200, GY + 120))
    assert r.status_code == 201, r.text
    phase = r.json()
    check = phase["checks"]["guideline_split"]
    assert check["allowed"] is True and check["split"] == [] and check["trimmed"] == []
    contained = _cuts(check["contained"])
    assert list(contained) == ["G-1", "G-2"]  # G-3 only touches the boundary: not listed
    assert contained["G-1"] == pytest.approx((10_000, 0), abs=2)
    assert float(check["phase_area_m2"]) == pytest.approx(220 * 140, rel=1e-3)
    assert check["rule"] == RULE and "完整包含 2 个" in check["explanation"]
    got = city.client.get(f"/api/phases/{phase['id']}", headers=city.headers("viewer")).json()
    assert got["checks"] == phase["checks"] and got["schedule"] is None
    bare = _phase(city, project, None, name="二期")  # no boundary: nothing to check
    assert bare.status_code == 201 and bare.json()["checks"] is None


# ---------------------------------------------------------------- schedule (公益先行)

def test_schedules_are_refused_with_reasons_and_accepted_when_welfare_comes_first(
        city: World) -> None:
    project = _project(city, "建设计划")
    phase = _phase(city, project).json()["id"]
    url = f"/api/phases/{phase}"

    early = _put_schedule(city, phase, [_work("复建安置房", "resettlement_housing", "2026-03-01"),
                                        _work("商品住宅", "other", "2026-02-28")])
    assert early.status_code == 409, early.text
    body = early.json()
    assert body["code"] == "public_welfare_not_first" and body["field"] == "works"
    assert body["reason"] == "other_work_starts_early" and body["allowed"] is False
    assert [(w["name"], w["earliest_start"]) for w in body["offending"]] == [
        ("商品住宅", "2026-03-01")]
    assert body["rule"] == WELFARE_RULE and "公益性设施" in body["clause"]
    assert body["reason_label"]["zh"] == "其他建设早于公益性设施全部开工"

    none = _put_schedule(city, phase, [_work("融资地块", "other", "2026-01-01")])
    assert none.status_code == 409 and none.json()["reason"] == "no_public_welfare_work"
    empty = _put_schedule(city, phase, [])
    assert empty.status_code == 409 and empty.json()["reason"] == "empty_schedule"
    assert city.client.get(url, headers=city.headers("viewer")).json()["schedule"] is None

    for works, field in (
            ([_work("a", "resettlement_housing", "2026-01-01"), _work("b", "shop", "2026-01-01")],
             "works[1].kind"),
            ([_work("a", "resettlement_housing", "2026-13-01")], "works[0].start"),
            ([_work("a", "resettlement_housing", "2026-05-01", "2026-04-30")],
             "works[0].finish"),
            ([_work("a", "public_service", "2026-05-01"), _work("a", "other", "2026-05-02")],
             "works[1].name")):
        bad = _put_schedule(city, phase, works)
        assert bad.status_code == 422, bad.text
        assert bad.json()["field"] == field and bad.json()["row"] == int(field[6])

    ok = _put_schedule(city, phase, WELFARE_FIRST, reason="村民大会通过")
    assert ok.status_code == 200, ok.text
    stored = ok.json()
    assert [w["name"] for w in stored["schedule"]] == ["复建安置房", "小学", "融资地块"]
    assert stored["schedule"][1] == {"name": "小学", "kind": "public_service",
                                     "start": "2026-04-01", "finish": "2028-12-31"}
    check = stored["checks"]["public_welfare_first"]
    assert check["allowed"] is True and check["reason"] == "ok"
    assert check["last_public_welfare_start"] == "2026-04-01"
    assert city.client.get(url, headers=city.headers("viewer")).json()["checks"] == stored[
        "checks"]

    later = _put_schedule(city, phase, [_work("复建安置房", "resettlement_housing", "2026-06-01")])
    assert later.status_code == 200
    events = city.client.get("/api/audit", params={"entity_type": "phase",
                                                   "entity_id": str(phase)},
                             headers=city.headers("admin")).json()["items"]
    saves = [e for e in events if e["action"] == "schedule"]
    assert len(saves) == 2  # refusals store nothing, not even an audit event
    newest, first = saves
    assert first["before"]["schedule"] is None and first["reason"] == "村民大会通过"
    assert len(first["after"]["schedule"]) == 3 and first["actor"] == "city_staff"
    assert newest["before"]["schedule"] == stored["schedule"]
    assert [w["name"] for w in newest["after"]["schedule"]] == ["复建安置房"]


def test_construction_waits_for_a_passing_schedule(city: World) -> None:
    project = _project(city, "建一片")
    phase = _phase(city, project).json()["id"]
    url = f"/api/phases/{phase}/transition"
    assert _post(city, "city_staff", url, {"to": "signing"}).status_code == 200
    _post(city, "city_staff", f"/api/phases/{phase}/people",
          [{"person_id": "V1", "name": "村民甲", "kind": "villager"}])
    closed = _post(city, "city_staff", url, {"to": "demolition"})  # the 80 % gate stays
    assert closed.status_code == 409 and closed.json()["gate"]["signed"] == 0
    _post(city, "city_staff", f"/api/phases/{phase}/agreements",
          {"person_id": "V1", "signed_on": "2026-05-01"})
    for to in ("demolition", "supply", "approval"):
        r = _post(city, "city_staff", url, {"to": to})
        assert r.status_code == 200, r.text

    refused = _post(city, "city_staff", url, {"to": "construction"})
    assert refused.status_code == 409, refused.text
    body = refused.json()
    assert body["code"] == "gate_closed" and body["gate"]["allowed"] is False
    assert body["gate"]["reason"] == "empty_schedule"
    assert "no construction schedule" in body["message"] and "分片无建设计划" in body["message"]
    assert _put_schedule(city, phase, WELFARE_FIRST).status_code == 200
    opened = _post(city, "city_staff", url, {"to": "construction", "reason": "公益先行"})
    assert opened.status_code == 200, opened.text
    assert opened.json()["state"] == "construction"
    decision = opened.json()["decision"]
    assert decision["allowed"] is True and decision["rule"] == WELFARE_RULE


# ---------------------------------------------------------------- the phase page

def test_the_phase_page_shows_the_checks_and_saves_the_schedule(city: World) -> None:
    _guides(city)
    project = _project(city, "页面分片")
    phase = _phase(city, project, shapely.box(GX, GY, GX + 200 + 0.009, GY + 100)).json()["id"]
    page = city.page("district_staff")
    r = page.get(f"/phases/{phase}")
    assert r.status_code == 200, r.text
    html = r.text
    assert "详细规划导则地块" in html and 'data-allowed="true"' in html
    assert 'data-parcel="G-1" data-status="contained"' in html
    assert 'data-parcel="G-3" data-status="trimmed"' in html and "完整位于分片内" in html
    assert 'id="no-schedule"' in html and 'id="schedule-form"' in html and "建设计划" in html
    assert "复建安置房" in html  # the kinds are listed in Chinese
    assert 'id="schedule-form"' not in city.page("viewer").get(f"/phases/{phase}").text

    def save(text: str) -> Any:
        return page.post(f"/phases/{phase}/schedule", data={
            "csrf_token": city.csrf("district_staff"), "works": text, "reason": "页面录入"},
            headers={"HX-Request": "true"})

    early = save("复建安置房一期,resettlement_housing,2026-03-01,2027-12-31\n"
                 "商品住宅,other,2026-01-15,2028-06-30\n")
    assert early.status_code == 200
    assert 'data-code="public_welfare_not_first"' in early.text
    assert "其他建设早于公益性设施全部开工" in early.text and 'data-offending="商品住宅"' in early.text
    assert "不得早于 2026-03-01" in early.text
    assert "商品住宅,other,2026-01-15" in early.text  # the typed lines come back to fix
    assert 'data-stored="false"' in early.text

    bad = save("复建安置房,resettlement_housing,2026-03-01,2027-12-31\n\n学校,公共服务配套设施\n")
    assert 'data-code="invalid_input"' in bad.text and "第 3 行" in bad.text
    wrong_kind = save("\n复建安置房,resettlement_housing,2026-03-01,2027-12-31\n"
                      "商店,shop,2026-03-01,2027-12-31")
    assert "第 3 行" in wrong_kind.text and "unknown work kind" in wrong_kind.text
    assert city.client.get(f"/api/phases/{phase}",
                           headers=city.headers("viewer")).json()["schedule"] is None

    ok = save("name,kind,start,finish\n"
              "复建安置房一期，复建安置房，2026-03-01，2027-12-31\n"  # Chinese commas and name
              "市政道路,municipal_infrastructure,2026-04-01,2026-12-31\n"
              "融资地块,other,2026-04-01,2028-06-30")
    assert ok.status_code == 200
    assert 'data-stored="true"' in ok.text and "schedule-refused" not in ok.text
    assert 'data-work="融资地块" data-kind="other"' in ok.text and "市政基础设施" in ok.text
    assert "公益性设施先行" in ok.text and "2026-04-01" in ok.text
    stored = city.client.get(f"/api/phases/{phase}", headers=city.headers("viewer")).json()
    assert [w["kind"] for w in stored["schedule"]] == ["resettlement_housing",
                                                        "municipal_infrastructure", "other"]
    assert stored["checks"]["public_welfare_first"]["allowed"] is True
    assert "guideline_split" in stored["checks"]  # the creation check is kept
    again = page.get(f"/phases/{phase}").text
    assert 'data-stored="true"' in again and "市政道路,municipal_infrastructure" in again


def test_the_phase_page_shows_the_ledger_state(city: World) -> None:
    """A record written straight into the database (here: an edited one) makes the page say the
    signing ledger fails its checks, name the record, and leave it out of the gate."""
    from sqlalchemy import text

    project = _project(city, "台账状态")
    phase = _phase(city, project).json()["id"]
    added = _post(city, "city_staff", f"/api/phases/{phase}/people",
                  [{"person_id": "A1", "name": "甲", "kind": "villager"},
                   {"person_id": "A2", "name": "乙", "kind": "villager"}])
    assert added.status_code == 201, added.text
    for person in ("A1", "A2"):
        r = _post(city, "city_staff", f"/api/phases/{phase}/agreements",
                  {"person_id": person, "signed_on": "2026-02-01"})
        assert r.status_code == 201, r.text
    page = city.page("city_staff")
    html = page.get(f"/phases/{phase}").text
    assert 'id="ledger-state" data-intact="true"' in html and "校验通过" in html
    with city.store.engine.begin() as conn:
        conn.execute(text("UPDATE ledger_records SET subject = 'A9' WHERE ledger = :n AND seq = 2"),
                     {"n": f"signing:project:{project}"})
    html = page.get(f"/phases/{phase}").text
    assert 'data-intact="false"' in html and "校验未通过" in html
    assert f"signing:project:{project} #2" in html and "edited" in html
    assert '<span id="gate-signed">1</span>' in html
