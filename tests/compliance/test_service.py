"""Stored checks on both backends: who and when, audited, district-scoped, refused where a place
has no rules; the map's facts read from the stored zones, contradictions reported."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import shapely
from sqlalchemy import select

from landrenew.compliance import service
from landrenew.core.access import Principal
from landrenew.core.errors import NotFound, PermissionDenied
from landrenew.core.packs import NoRules
from landrenew.core.store import Store
from landrenew.core.store.models import AuditEvent, ComplianceCheck

from .conftest import (
    DAY,
    GZ,
    HAZARD,
    HP,
    JM,
    PASSING,
    PBF,
    UDB,
    X0,
    Y0,
    lonlat,
    map_place,
)

ADMIN = Principal("admin", "admin")
BAIYUN = Principal("baiyun", "district_staff", (GZ,))
VIEWER = Principal("viewer", "viewer")


def run(store: Store, kind: str, user: Principal = ADMIN, **changes: Any) -> dict[str, Any]:
    values = {k: v for k, v in {**PASSING[kind], **changes}.items() if v is not None}
    return service.run_check(store, user, kind, values, on=DAY)


def reason(record: dict[str, Any], field: str, kind: str = "condition") -> dict[str, Any]:
    return next(r for r in record["reasons"] if r["field"] == field and r["kind"] == kind)


def test_a_check_is_stored_with_who_when_and_the_pack(store: Store) -> None:
    out = run(store, "point_supply", BAIYUN, reference="白云区某村民宿项目")
    assert out["decision"] == "eligible" and out["id"] > 0
    assert (out["pack"], out["pack_version"], out["recorded_by"]) == (
        "guangzhou-compliance", "2023.12", "baiyun")
    assert out["checked_on"] == DAY and out["district_name"] == "白云区"
    with store.read_session() as session:
        row = session.get(ComplianceCheck, out["id"])
        assert row is not None and row.reasons == out["reasons"] and row.source == "api"
        event = session.scalars(select(AuditEvent).where(
            AuditEvent.action == "compliance_check")).one()
        assert (event.actor, event.entity_id) == ("baiyun", str(out["id"]))
        assert event.after["decision"] == "eligible"
    assert service.get_check(store, BAIYUN, out["id"])["reasons"] == out["reasons"]


def test_an_incomplete_request_is_refused_and_nothing_is_stored(store: Store) -> None:
    with pytest.raises(service.CheckInvalid) as caught:
        run(store, "homestead", built_on=None, one_household="也许")
    body = caught.value.to_dict()
    assert caught.value.status == 422 and body["code"] == "check_invalid"
    assert set(body["fields"]) == {"built_on", "one_household"}
    assert service.list_checks(store, ADMIN)[0] == 0


def test_a_place_without_compliance_rules_is_refused(store: Store) -> None:
    with pytest.raises(NoRules) as caught:
        run(store, "homestead", district_code=JM)
    assert caught.value.status == 409 and caught.value.kind == "compliance"
    assert "江门市" in caught.value.message
    assert service.list_checks(store, ADMIN)[0] == 0


def test_checks_are_kept_and_listed_within_the_users_districts(store: Store) -> None:
    mine = run(store, "renovation_permit", BAIYUN, facade_changed="是")
    theirs = run(store, "renovation_permit", ADMIN, district_code=HP, reference="黄埔某宅")
    assert mine["decision"] == "permit_needed" and theirs["decision"] == "no_permit_needed"
    total, items = service.list_checks(store, BAIYUN)
    assert total == 1 and [i["id"] for i in items] == [mine["id"]]
    assert service.list_checks(store, ADMIN)[0] == 2
    assert [i["id"] for i in service.list_checks(store, ADMIN, district=HP)[1]] == [theirs["id"]]
    assert service.list_checks(store, ADMIN, decision="permit_needed")[0] == 1
    assert service.list_checks(store, ADMIN, kind="homestead")[0] == 0
    with pytest.raises(PermissionDenied):
        service.list_checks(store, BAIYUN, district=HP)
    with pytest.raises(NotFound):
        service.get_check(store, BAIYUN, theirs["id"])
    with pytest.raises(PermissionDenied):  # a district staff writes only in their districts
        run(store, "renovation_permit", BAIYUN, district_code=HP)
    with pytest.raises(PermissionDenied):  # a viewer reads, but makes no check
        run(store, "renovation_permit", VIEWER)
    seen = service.get_check(store, VIEWER, theirs["id"])
    assert seen["reference"] is None and "reference" not in seen["inputs"]


def test_the_legacy_quota_offsets_for_the_ledger(store: Store) -> None:
    run(store, "legacy_land", village="鸦岗村", area_mu="7.5")
    run(store, "legacy_land", village="鸦岗村", construction_in_second_survey="否")
    run(store, "legacy_land", has_approval="是", filed="否")
    offsets = service.quota_offsets(store, ADMIN, district=GZ)
    assert len(offsets) == 1
    assert {k: offsets[0][k] for k in ("village", "area_mu", "offset_mu", "pack")} == {
        "village": "鸦岗村", "area_mu": "7.5", "offset_mu": "3.75",
        "pack": "guangzhou-compliance"}
    assert "50%" in offsets[0]["clause"]


# ------------------------------------------------------------------ the map's facts


def site(x: float, y: float, w: float = 100.0, h: float = 100.0) -> dict[str, Any]:
    return lonlat(shapely.box(X0 + x, Y0 + y, X0 + x + w, Y0 + y + h))


@pytest.fixture
def mapped(store: Store, tmp_path: Path) -> Store:
    map_place(store, tmp_path)
    return store


def test_outside_the_boundary_is_read_from_the_map(mapped: Store) -> None:
    out = run(mapped, "point_supply", inside_udb_ratio=None, geometry=site(500, 500))
    assert out["decision"] == "eligible"
    udb = reason(out, "inside_udb_ratio")
    assert (udb["value"], udb["source"], udb["met"]) == ("0", "map", True)
    assert out["geometry"]["type"] == "Polygon"


def test_a_site_half_inside_the_boundary_is_refused_naming_the_zone(mapped: Store) -> None:
    half = site(950, 1200)  # 50 of its 100 m inside UDB-1
    out = run(mapped, "point_supply", inside_udb_ratio="0", geometry=half)
    assert out["decision"] == "refused"
    udb = reason(out, "inside_udb_ratio")
    assert (udb["value"], udb["met"], udb["zones"]) == ("0.5", False,
                                                       ["UDB-1 白云区城镇开发边界"])
    assert udb["overlap_m2"] == pytest.approx(5000, rel=1e-3)
    typed = reason(out, "inside_udb_ratio", "contradiction")
    assert (typed["value"], typed["threshold"], typed["source"]) == ("0", "0.5", "map")


def test_a_survey_sliver_is_no_overlap(mapped: Store) -> None:
    sliver = site(UDB.bounds[0] - X0 - 99.98, 1200)  # 0.02 m × 100 m = 2 m² inside
    out = run(mapped, "point_supply", inside_udb_ratio=None, geometry=sliver)
    assert out["decision"] == "eligible" and reason(out, "inside_udb_ratio")["value"] == "0"


def test_a_road_over_permanent_farmland_is_not_exempt(mapped: Store) -> None:
    road = shapely.LineString([(PBF.bounds[0] - 200, Y0 + 1500), (PBF.bounds[0] + 300, Y0 + 1500)])
    out = run(mapped, "exemption", uses_permanent_farmland="否", geometry=lonlat(road))
    assert out["decision"] == "not_exempt"
    farm = reason(out, "uses_permanent_farmland")
    assert (farm["value"], farm["met"], farm["zones"]) == (True, False,
                                                          ["PBF-1 白云区永久基本农田001"])
    assert reason(out, "uses_permanent_farmland", "contradiction")["value"] is False
    clear = lonlat(shapely.LineString([(X0 + 100, Y0 + 100), (X0 + 600, Y0 + 100)]))
    assert run(mapped, "exemption", uses_permanent_farmland=None,
               geometry=clear)["decision"] == "exempt_as_farmland"


def test_a_house_site_in_a_hazard_area_is_refused_from_the_map(mapped: Store) -> None:
    inside = shapely.Point(HAZARD.centroid.x, HAZARD.centroid.y)
    out = run(mapped, "rural_housing_site", in_hazard_area=None, geometry=lonlat(inside))
    assert out["decision"] == "refused"
    assert reason(out, "in_hazard_area")["zones"] == ["GH-1 白云区地质灾害隐患区01"]
    away = shapely.Point(X0 + 100, Y0 + 100)
    assert run(mapped, "rural_housing_site", in_hazard_area=None,
               geometry=lonlat(away))["decision"] == "eligible"


def test_without_a_hazard_layer_the_typed_value_decides(store: Store, tmp_path: Path) -> None:
    map_place(store, tmp_path, hazard=False)
    point = lonlat(shapely.Point(HAZARD.centroid.x, HAZARD.centroid.y))
    out = run(store, "rural_housing_site", in_hazard_area="否", geometry=point)
    assert out["decision"] == "eligible"
    assert reason(out, "in_hazard_area", "no_layer")["source"] == "map"
    with pytest.raises(service.CheckInvalid) as caught:
        run(store, "rural_housing_site", in_hazard_area=None, geometry=point)
    assert caught.value.to_dict()["fields"] == ["in_hazard_area"]


def test_a_site_outside_its_district_is_refused(mapped: Store) -> None:
    with pytest.raises(service.CheckInvalid) as caught:
        run(mapped, "rural_housing_site", geometry=site(15_000, 500))  # in 黄埔区
    assert caught.value.field == "geometry" and "白云区" in caught.value.message
    with pytest.raises(service.CheckInvalid):
        run(mapped, "rural_housing_site", geometry={"type": "Polygon", "coordinates": "x"})
