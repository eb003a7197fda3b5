"""Phase checks for Guangzhou urban-village phases (分片): guideline parcels must not be split
(tolerance just under, at and over) and public-welfare works start first (ordering edges)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import geopandas as gpd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from shapely.geometry import MultiPolygon, Point, Polygon, box

from landrenew.core import packs
from landrenew.core.errors import ConfigurationError, InputError
from landrenew.core.packmodels import Parameter, ParameterPack
from landrenew.projects.phasing import (
    PUBLIC_WELFARE_KINDS,
    guideline_split_check,
    public_welfare_first_check,
)

RULES = packs.load("guangzhou-renewal", ParameterPack)
# a Gauss-Krüger-like origin (zone 38, false easting 500 km) so that areas are computed at
# realistic coordinate magnitudes
X0, Y0 = 435_000.0, 2_560_000.0


def sq(x: float, y: float, w: float = 100.0, h: float = 100.0) -> Polygon:
    return box(X0 + x, Y0 + y, X0 + x + w, Y0 + y + h)


# a 3 × 2 grid of 100 m guideline parcels: G00 G10 G20 in the bottom row, G01 G11 G21 above
GRID = {f"G{i}{j}": sq(100 * i, 100 * j) for i in range(3) for j in range(2)}


def with_params(**values: str) -> ParameterPack:
    params = dict(RULES.parameters)
    for name, value in values.items():
        params[name] = Parameter(value=Decimal(value), basis="local", clause=f"test {name}")
    return RULES.model_copy(update={"parameters": params})


# ------------------------------------------------------------------------------------------------
# guideline parcels


def test_phase_of_whole_parcels_is_allowed_and_reports_them() -> None:
    phase = sq(0, 0, 200, 100)            # G00 + G10
    check = guideline_split_check(phase, GRID, RULES)
    assert check.allowed and check.split == ()
    assert check.contained_codes == ("G00", "G10")
    assert check.phase_area == Decimal("20000.00")
    assert check.rule == "guangzhou-renewal:guideline_parcel_split_tolerance_m2"
    assert check.clause == RULES.param("guideline_parcel_split_tolerance_m2").clause
    assert check.tolerance == Decimal("1.0")
    # neighbours that only touch the boundary are not listed at all
    assert check.trimmed == ()


def test_phase_cutting_a_parcel_names_it_with_areas() -> None:
    phase = sq(0, 0, 150, 100)            # G00 and half of G10
    check = guideline_split_check(phase, GRID, RULES)
    assert not check.allowed
    assert check.split_codes == ("G10",)
    cut = check.split[0]
    assert (cut.area_inside, cut.area_outside) == (Decimal("5000.00"), Decimal("5000.00"))
    assert check.contained_codes == ("G00",)
    assert "G10" in check.explain() and "5000.00 m² in" in check.explain()


def test_phase_smaller_than_a_parcel_splits_it() -> None:
    check = guideline_split_check(sq(10, 10, 50, 50), GRID, RULES)
    assert not check.allowed and check.split_codes == ("G00",)
    assert check.contained == ()


@pytest.mark.parametrize(("width", "allowed", "area"), [
    (0.0099, True, "0.99"),    # just under the 1 m² tolerance: noise
    (0.01, True, "1.00"),      # exactly at: still noise (must exceed to count)
    (0.0101, False, "1.01"),   # just over: a split
])
def test_tolerance_edges_for_a_piece_inside(width: float, allowed: bool, area: str) -> None:
    # G00 plus a strip of G10 that is `width` m wide over its 100 m height
    phase = sq(0, 0, 100 + width, 100)
    check = guideline_split_check(phase, GRID, RULES)
    assert check.allowed is allowed
    assert check.contained_codes == ("G00",)
    if allowed:
        assert check.trimmed[0].code == "G10" and check.trimmed[0].area_inside == Decimal(area)
    else:
        assert check.split_codes == ("G10",) and check.split[0].area_inside == Decimal(area)


@pytest.mark.parametrize(("gap", "allowed"), [(0.0099, True), (0.01, True), (0.0101, False)])
def test_tolerance_edges_for_a_piece_left_outside(gap: float, allowed: bool) -> None:
    # G00 with a strip `gap` m wide along its bottom edge left out of the phase
    phase = sq(0, gap, 100, 100 - gap)
    check = guideline_split_check(phase, GRID, RULES)
    assert check.allowed is allowed
    if allowed:
        assert check.contained_codes == ("G00",)
    else:
        assert check.split_codes == ("G00",)
        assert check.split[0].area_outside == Decimal("1.01")


def test_tolerance_comes_from_the_pack() -> None:
    phase = sq(0, 0, 105, 100)            # 500 m² of G10
    assert not guideline_split_check(phase, GRID, RULES).allowed
    loose = with_params(guideline_parcel_split_tolerance_m2="500")
    assert guideline_split_check(phase, GRID, loose).allowed
    tighter = with_params(guideline_parcel_split_tolerance_m2="499.99")
    assert not guideline_split_check(phase, GRID, tighter).allowed
    with pytest.raises(ConfigurationError):
        guideline_split_check(phase, GRID, with_params(guideline_parcel_split_tolerance_m2="-1"))


def test_multipolygon_phase_and_other_inputs() -> None:
    phase = MultiPolygon([sq(0, 0), sq(200, 100)])      # G00 and G21, apart
    pairs = list(GRID.items())
    frame = gpd.GeoDataFrame({"zone_code": list(GRID)}, geometry=list(GRID.values()))
    for parcels in (GRID, pairs, frame):
        check = guideline_split_check(phase, parcels, RULES)
        assert check.allowed and check.contained_codes == ("G00", "G21")
    other = gpd.GeoDataFrame({"code": list(GRID)}, geometry=list(GRID.values()))
    assert guideline_split_check(phase, other, RULES, code_field="code").allowed
    assert guideline_split_check(phase, {}, RULES).allowed      # no plan parcels: nothing split


def test_split_report_is_json_safe() -> None:
    check = guideline_split_check(sq(0, 0, 150, 150), GRID, RULES)
    doc = check.as_dict()
    assert json.loads(json.dumps(doc, ensure_ascii=False)) == doc
    assert [c["code"] for c in doc["split"]] == ["G01", "G10", "G11"]
    assert doc["contained"][0] == {"code": "G00", "area_inside_m2": "10000.00",
                                   "area_outside_m2": "0.00"}
    assert doc["split"][2]["area_inside_m2"] == "2500.00"
    assert doc["tolerance_m2"] == "1.0" and doc["allowed"] is False


@pytest.mark.parametrize(("phase", "parcels", "field"), [
    (Point(0, 0), GRID, "phase_geometry"),
    (Polygon(), GRID, "phase_geometry"),
    ("POLYGON((0 0,1 0,1 1,0 0))", GRID, "phase_geometry"),
    (Polygon([(0, 0), (10, 10), (10, 0), (0, 10)]), GRID, "phase_geometry"),   # bow-tie
    (sq(0, 0), {"A": Point(1, 1)}, "guideline_parcels[A].geometry"),
    (sq(0, 0), {"": sq(0, 0)}, "guideline_parcels.code"),
    (sq(0, 0), [("A", sq(0, 0)), ("A", sq(100, 0))], "guideline_parcels[A]"),
    (sq(0, 0), [("A",)], "guideline_parcels[0]"),
    (sq(0, 0), 42, "guideline_parcels"),
])
def test_bad_geometry_input_names_the_field(phase: Any, parcels: Any, field: str) -> None:
    with pytest.raises(InputError) as err:
        guideline_split_check(phase, parcels, RULES)
    assert err.value.field == field


# ------------------------------------------------------------------------------------------------
# public welfare first


def work(name: str, kind: str, start: str, finish: str | None = None) -> dict[str, Any]:
    return {"name": name, "kind": kind, "start": start, "finish": finish or "2030-12-31"}


def test_other_work_may_start_the_day_the_last_public_welfare_work_starts() -> None:
    plan = [work("安置房A", "resettlement_housing", "2025-03-01"),
            work("小学", "public_service", "2025-05-01"),
            work("道路", "municipal_infrastructure", "2025-04-01"),
            work("融资地块", "other", "2025-05-01")]
    check = public_welfare_first_check(plan, RULES)
    assert check.allowed and check.reason == "ok" and check.offending == ()
    assert check.last_public_welfare_start == dt.date(2025, 5, 1)
    assert check.earliest_other_start == dt.date(2025, 5, 1)
    assert check.rule == "guangzhou-renewal:public_welfare_lead_days"
    assert "公益性设施" in check.clause


def test_other_work_a_day_early_is_refused_and_named() -> None:
    plan = [work("安置房A", "resettlement_housing", "2025-03-01"),
            work("小学", "public_service", "2025-05-01"),
            work("商品住宅", "other", "2025-04-30"),
            work("融资地块", "other", "2025-05-02"),
            work("办公", "other", "2024-12-01")]
    check = public_welfare_first_check(plan, RULES)
    assert not check.allowed and check.reason == "other_work_starts_early"
    assert [w.name for w in check.offending] == ["商品住宅", "办公"]
    assert check.offending[0].earliest_start == dt.date(2025, 5, 1)
    text = check.explain()
    assert "商品住宅 (2025-04-30)" in text and "2025-05-01" in text and "其他建设" in text


def test_other_work_before_only_some_public_welfare_works_is_refused() -> None:
    # the housing starts after the first public work but before the school: still too early
    plan = [work("道路", "municipal_infrastructure", "2025-01-01"),
            work("小学", "public_service", "2025-06-01"),
            work("商品住宅", "other", "2025-03-01")]
    check = public_welfare_first_check(plan, RULES)
    assert not check.allowed and [w.name for w in check.offending] == ["商品住宅"]


def test_no_public_welfare_work_refuses_the_other_works() -> None:
    check = public_welfare_first_check([work("融资地块", "other", "2026-01-01")], RULES)
    assert not check.allowed and check.reason == "no_public_welfare_work"
    assert check.offending[0].name == "融资地块" and check.offending[0].earliest_start is None
    assert check.earliest_other_start is None


def test_public_welfare_only_passes_and_empty_plan_is_refused() -> None:
    only = public_welfare_first_check([work("安置房", "resettlement_housing", "2026-01-01"),
                                       work("微改造", "living_environment", "2027-01-01")], RULES)
    assert only.allowed and only.reason == "ok"
    empty = public_welfare_first_check([], RULES)
    assert not empty.allowed and empty.reason == "empty_schedule"


def test_lead_days_from_the_pack() -> None:
    plan = [work("安置房", "resettlement_housing", "2025-01-01"),
            work("住宅", "other", "2025-01-08")]
    week = with_params(public_welfare_lead_days="7")
    assert public_welfare_first_check(plan, week).allowed
    assert not public_welfare_first_check(plan, with_params(public_welfare_lead_days="8")).allowed
    with pytest.raises(ConfigurationError):
        public_welfare_first_check(plan, with_params(public_welfare_lead_days="1.5"))
    with pytest.raises(ConfigurationError):
        public_welfare_first_check(plan, with_params(public_welfare_lead_days="-1"))


def test_dates_as_date_objects_and_json() -> None:
    plan = [{"name": "安置房", "kind": "resettlement_housing", "start": dt.date(2025, 1, 1),
             "finish": dt.datetime(2026, 1, 1, 12, 0)},
            {"name": "住宅", "kind": "other", "start": dt.date(2024, 12, 31),
             "finish": dt.date(2026, 6, 30)}]
    check = public_welfare_first_check(plan, RULES)
    doc = check.as_dict()
    assert json.loads(json.dumps(doc, ensure_ascii=False)) == doc
    assert doc["offending"] == [{"name": "住宅", "kind": "other", "start": "2024-12-31",
                                 "earliest_start": "2025-01-01"}]
    assert doc["works"][0]["finish"] == "2026-01-01" and doc["works"][0]["public_welfare"]
    assert doc["reason_label"]["zh"] == "其他建设早于公益性设施全部开工"


@pytest.mark.parametrize(("plan", "field"), [
    ([work("A", "hotel", "2025-01-01")], "schedule[0].kind"),
    ([work("", "other", "2025-01-01")], "schedule[0].name"),
    ([work("A", "other", "2025-01-01"), work("A", "other", "2025-01-01")], "schedule[1].name"),
    ([work("A", "other", "2025-13-01")], "schedule[0].start"),
    ([{"name": "A", "kind": "other", "start": "2025-01-01"}], "schedule[0].finish"),
    ([work("A", "other", "2025-02-01", "2025-01-31")], "schedule[0].finish"),
    (["A"], "schedule[0]"),
    ({"name": "A"}, "schedule"),
])
def test_bad_schedule_names_the_field(plan: Any, field: str) -> None:
    with pytest.raises(InputError) as err:
        public_welfare_first_check(plan, RULES)
    assert err.value.field == field


DAY0 = dt.date(2025, 1, 1)


@given(st.lists(st.tuples(st.sampled_from([*PUBLIC_WELFARE_KINDS, "other"]),
                          st.integers(min_value=0, max_value=60)), max_size=12),
       st.integers(min_value=0, max_value=10))
def test_rule_matches_a_plain_formulation(items: list[tuple[str, int]], lead: int) -> None:
    plan = [work(f"W{i}", kind, (DAY0 + dt.timedelta(days=d)).isoformat())
            for i, (kind, d) in enumerate(items)]
    check = public_welfare_first_check(plan, with_params(public_welfare_lead_days=str(lead)))
    welfare = [d for k, d in items if k != "other"]
    others = [d for k, d in items if k == "other"]
    expected = bool(items) and (not others or (bool(welfare)
                                               and all(o >= max(welfare) + lead for o in others)))
    assert check.allowed is expected
    if welfare and not check.allowed:
        assert {w.name for w in check.offending} == {
            f"W{i}" for i, (k, d) in enumerate(items) if k == "other" and d < max(welfare) + lead}
