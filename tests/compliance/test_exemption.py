"""The five cases without conversion procedures (§八): each case passing, then each of its
conditions broken one at a time; the 8 m and 200 m² thresholds at, below and above."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from landrenew.compliance.packs import CompliancePack

from .conftest import GZ, failed_fields, run, with_parameter

CASES: dict[str, tuple[str, dict[str, Any]]] = {
    "road": ("exempt_as_farmland", {
        "width_m": "6", "uses_permanent_farmland": "否", "uses_cultivated": "否",
        "in_national_network": "否", "serves_farming": "是"}),
    "landscape": ("exempt_original_class", {
        "uses_cultivated": "否", "uses_permanent_farmland": "否", "changes_use": "否",
        "hardened": "否"}),
    "toilet_parking": ("exempt_original_class", {
        "uses_cultivated": "否", "uses_permanent_farmland": "否", "changes_use": "否",
        "scattered": "是", "area_m2": "200"}),
    "camp": ("exempt_original_class", {
        "outside_town_planning_area": "是", "on_unused_land": "是", "function_area": "观星草坪",
        "changes_use": "否", "hardened": "否"}),
    "pv": ("exempt_original_class", {
        "on_unused_land": "是", "component": "光伏方阵用地", "presses_ground": "否",
        "changes_surface": "否"}),
    "mine_tourism": ("exempt_current_use", {
        "restored_mine": "是", "permanent_facility": "否", "uses_permanent_farmland": "否",
        "ecological_harm": "否", "geological_harm": "否"}),
}


def case(pack: CompliancePack, name: str, **changes: Any):  # type: ignore[no-untyped-def]
    values = {"district_code": GZ, "case": name, **CASES[name][1], **changes}
    return run("exemption", pack, {k: v for k, v in values.items() if v is not None})


def _flip(value: str) -> str:
    return "是" if value == "否" else "否"


BROKEN = [(name, field) for name, (_, facts) in CASES.items() for field, value in facts.items()
          if value in ("是", "否")]


@pytest.mark.parametrize("name", list(CASES))
def test_each_case_passing(pack: CompliancePack, name: str) -> None:
    d = case(pack, name)
    assert d.decision == CASES[name][0], [r.as_dict() for r in d.reasons]
    assert all(r.met for r in d.reasons) and all("§八" in r.clause for r in d.reasons)


@pytest.mark.parametrize(("name", "field"), BROKEN, ids=[f"{n}-{f}" for n, f in BROKEN])
def test_each_condition_broken_alone(pack: CompliancePack, name: str, field: str) -> None:
    d = case(pack, name, **{field: _flip(CASES[name][1][field])})
    if name == "road" and field == "uses_cultivated":  # general farmland: needs the balance plan
        assert d.decision == "invalid" and d.invalid_fields == ("in_balance_plan",)
        return
    assert d.decision == "not_exempt"
    assert failed_fields(d) == {field}


@pytest.mark.parametrize(("width", "decision"), [("7.99", "exempt_as_farmland"),
                                                 ("8", "not_exempt"), ("8.01", "not_exempt")])
def test_a_road_must_be_narrower_than_8_m(pack: CompliancePack, width: str, decision: str) -> None:
    d = case(pack, "road", width_m=width)
    assert d.decision == decision
    rule = next(r for r in d.reasons if r.field == "width_m")
    assert rule.op == "<" and "宽度小于8米" in rule.clause


@settings(max_examples=100, deadline=None)
@given(width=st.decimals(min_value=0, max_value=20, places=3))
def test_road_width_compared_strictly(pack: CompliancePack, width: Decimal) -> None:
    expected = "exempt_as_farmland" if width < 8 else "not_exempt"
    assert case(pack, "road", width_m=str(width)).decision == expected


@pytest.mark.parametrize(("plan", "decision"), [("是", "exempt_as_farmland"),
                                                ("否", "not_exempt")])
def test_a_road_on_general_farmland_needs_the_balance_plan(pack: CompliancePack, plan: str,
                                                          decision: str) -> None:
    d = case(pack, "road", uses_cultivated="是", in_balance_plan=plan)
    assert d.decision == decision
    assert "进出平衡" in next(r.clause for r in d.reasons if r.field == "in_balance_plan")


@pytest.mark.parametrize(("area", "decision"), [("199.99", "exempt_original_class"),
                                                ("200", "exempt_original_class"),
                                                ("200.01", "not_exempt")])
def test_toilets_and_car_parks_at_most_200_m2(pack: CompliancePack, area: str,
                                              decision: str) -> None:
    assert case(pack, "toilet_parking", area_m2=area).decision == decision


def test_whether_a_toilet_may_harden_the_ground_is_the_bureaus_reading(
        pack: CompliancePack) -> None:
    assert case(pack, "toilet_parking", hardened="是").decision == "exempt_original_class"
    strict = with_parameter(pack, "toilet_parking_requires_unhardened", "1")
    d = case(strict, "toilet_parking", hardened="是")
    assert d.decision == "not_exempt" and failed_fields(d) == {"hardened"}


@pytest.mark.parametrize("area", ["公共停车场", "各功能区之间的连接道路", "连接道路", "商业服务区",
                                  "车辆设备维修及医疗服务保障区", "废弃物收纳与处理区", "自驾车营区",
                                  "旅居车营区", "商务俱乐部", "木屋住宿区", "休闲娱乐区"])
def test_the_listed_camp_function_areas_are_left_out(pack: CompliancePack, area: str) -> None:
    d = case(pack, "camp", function_area=area)
    assert d.decision == "not_exempt" and failed_fields(d) == {"function_area"}


def test_pv_collector_lines_must_be_buried_cable(pack: CompliancePack) -> None:
    line = {"component": "collector_line", "presses_ground": None, "changes_surface": None}
    assert case(pack, "pv", **line, cable_buried="是").decision == "exempt_original_class"
    d = case(pack, "pv", **line, cable_buried="否")
    assert d.decision == "not_exempt" and failed_fields(d) == {"cable_buried"}


def test_a_case_needs_its_name(pack: CompliancePack) -> None:
    d = run("exemption", pack, {"district_code": GZ, "width_m": "3"})
    assert d.decision == "invalid" and d.invalid_fields == ("case",)
    bad = run("exemption", pack, {"district_code": GZ, "case": "airport"})
    assert bad.decision == "invalid" and bad.reasons[0].kind == "malformed"
    by_name = run("exemption", pack, {"district_code": GZ, "case": "农村道路",
                                      **CASES["road"][1]})
    assert by_name.decision == "exempt_as_farmland"
