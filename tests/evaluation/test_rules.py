"""Every rule of the jiangmen pack at and around its threshold, every category and flag."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from landrenew.core.errors import ConfigurationError
from landrenew.evaluation.engine import evaluate_frame
from landrenew.evaluation.loader import load_pack

from .conftest import AS_OF, parcels, square, zones

FLOATS = st.floats(min_value=0, max_value=5, allow_nan=False)


def run(pack, rows, z=None, as_of=AS_OF, size=100.0):
    return evaluate_frame(parcels(rows, size), z, pack, as_of)


def has(result, col, code):
    return result[col].str.split(";").map(lambda xs: code in xs).tolist()


def reasons(result, i):
    """A parcel's reasons as the result holds them (a list of objects; JSON text in a file)."""
    value = result["reasons"].iloc[i]
    return json.loads(value) if isinstance(value, str) else list(value)


def test_square_of_100m_is_exactly_15_mu(jiangmen):
    r = run(jiangmen, [{}])
    assert r["area_m2"].iloc[0] == 10000.0
    assert r["area_mu"].iloc[0] == 15.0


@pytest.mark.parametrize(("field", "column", "threshold", "category"), [
    ("floor_area_m2", "far", 1.0, "extensive_use"),
    ("footprint_m2", "coverage", 0.30, "extensive_use"),
])
def test_industrial_intensity_at_threshold(jiangmen, field, column, threshold, category):
    at = threshold * 10000
    rows = [{field: at}, {field: np.nextafter(at, 0)}, {field: at + 0.01}]
    r = run(jiangmen, rows)
    assert r[column].iloc[0] == threshold
    assert has(r, "categories", category) == [False, True, False]
    reason = reasons(r, 1)[0]
    assert reason["field"] == column and reason["op"] == "<" and reason["threshold"] == threshold
    assert reason["category"] == category and "clause" in reason
    assert reason["param"] and reason["basis"] in ("local_initial", "national")
    # a city's initial value is said to be one, never presented as a document's number
    assert ("note" in reason) == (reason["basis"] == "local_initial")
    if reason["basis"] == "local_initial":
        assert reason["note"] == "本市认定标准参数（初始值）"


@settings(max_examples=40, deadline=None)
@given(st.lists(FLOATS, min_size=1, max_size=20))
def test_far_rule_matches_its_definition(jiangmen, fars):
    r = run(jiangmen, [{"floor_area_m2": f * 10000, "footprint_m2": 5000} for f in fars])
    expected = (r["far"] < 1.0).tolist()
    assert has(r, "categories", "extensive_use") == expected


@settings(max_examples=40, deadline=None)
@given(st.lists(st.one_of(st.none(), st.floats(0, 20, allow_nan=False)), min_size=1, max_size=20))
def test_tax_rule_only_where_tax_is_known(jiangmen, taxes):
    r = run(jiangmen, [{"tax_10k_yuan": None if t is None else t * 15} for t in taxes])
    for i, t in enumerate(taxes):
        low = "low_output" in r["categories"].iloc[i].split(";")
        unknown = "IND-TAX" in r["rules_not_evaluated"].iloc[i].split(";")
        if t is None:
            assert not low and unknown
        else:
            assert low == (r["tax_per_mu"].iloc[i] < 5) and not unknown


def test_tax_at_threshold(jiangmen):
    r = run(jiangmen, [{"tax_10k_yuan": 75.0}, {"tax_10k_yuan": 74.99}])
    assert r["tax_per_mu"].iloc[0] == 5.0
    assert has(r, "categories", "low_output") == [False, True]


def test_rules_apply_only_to_their_land_use(jiangmen):
    rows = [{"land_use": "0701", "floor_area_m2": 100}, {"land_use": "1001", "floor_area_m2": 100},
            {"land_use": "0101", "safety_grade": "D"}, {"land_use": "0701", "safety_grade": "d"}]
    r = run(jiangmen, rows)
    assert has(r, "categories", "extensive_use") == [False, True, False, False]
    assert has(r, "categories", "dilapidated") == [False, False, False, True]
    assert r["is_low_efficiency"].tolist() == [False, True, False, True]


def test_obsolete_industry_by_prefix(jiangmen):
    r = run(jiangmen, [{"industry_code": "3120"}, {"industry_code": "31201"},
                       {"industry_code": "3130"}, {}])
    assert has(r, "categories", "obsolete_industry") == [True, True, False, False]
    assert "IND-OBSOLETE" in r["rules_not_evaluated"].iloc[3]


@pytest.mark.parametrize(("inside", "outside_flag"), [(0.5, False), (0.49, True), (1.0, False),
                                                      (0.0, True)])
def test_industrial_control_line_and_scattered_layout(jiangmen, inside, outside_flag):
    line = square(0, 100, dx=100 * (1 - inside))  # covers `inside` of each square's width
    rows = [{"geometry": square(0, 100)}, {"geometry": square(0, 100, dx=0)}]
    z = zones([("industrial_control_line", line)])
    # parcel 0: 15 亩 exactly (not scattered); parcel 1: smaller than 15 亩
    rows[1]["geometry"] = square(0, 100).intersection(square(0, 100, dx=0))
    r = run(jiangmen, [{"geometry": square(0, 100)}], z)
    small = run(jiangmen, [{"geometry": square(0, 99.9, dx=0.1)}],
                zones([("industrial_control_line", square(0, 100, dx=100 * (1 - inside)))]))
    assert r["ratio_industrial_control_line"].iloc[0] == pytest.approx(inside, abs=1e-12)
    assert has(r, "flags", "outside_industrial_line") == [outside_flag]
    assert has(r, "categories", "scattered_layout") == [False]  # 15 亩 is not < 15
    assert has(small, "categories", "scattered_layout") == [
        small["ratio_industrial_control_line"].iloc[0] < 0.5]


def test_missing_zone_layer_is_not_evaluated_not_false(jiangmen):
    r = run(jiangmen, [{"land_use": "100101"}])
    assert "IND-OUTSIDE-LINE" in r["rules_not_evaluated"].iloc[0]
    assert "PLAN-REDLINE" in r["rules_not_evaluated"].iloc[0]
    assert r["flags"].iloc[0] == ""


@pytest.mark.parametrize("kind", ["ecological_redline", "permanent_basic_farmland"])
@pytest.mark.parametrize(("share", "conflict"), [
    (0.1, True), (0.0999, True), (0.5, True), (0.0, False),
    (0.0011, True),   # 11 m² of a 10 000 m² parcel: more than 5 m² and more than 0.1 %
    (0.001, False),   # 10 m² = 0.1 % exactly: a survey sliver (not more than the share)
    (0.0004, False),  # 4 m²: within both tolerances
])
def test_plan_conflict_is_any_overlap_beyond_a_survey_sliver(jiangmen, kind, share, conflict):
    """The three control lines are binding (广州通知 §一; 三条控制线): a conflict is decided on
    the overlapping area, with only a sliver tolerance in m² and share (local_initial)."""
    z = zones([(kind, square(0, 100, dx=100 * (1 - share)))]) if share else zones(
        [(kind, square(5, 10))])
    r = run(jiangmen, [{"land_use": "0901"}], z)
    assert has(r, "categories", "plan_conflict") == [conflict]
    if conflict:
        fields = {x["field"]: x for x in reasons(r, 0)}
        assert fields[f"overlap_m2_{kind}"]["value"] == pytest.approx(share * 10000)
        assert fields[f"overlap_m2_{kind}"]["threshold"] == 5.0


def test_a_large_sliver_on_a_small_parcel_is_a_conflict(jiangmen):
    """6 m² of a 20 m × 20 m parcel: above 5 m² and 1.5 % of it."""
    z = zones([("ecological_redline", square(0, 20, dx=20 - 0.3))])
    r = run(jiangmen, [{"land_use": "0901"}], z, size=20.0)
    assert has(r, "categories", "plan_conflict") == [True]


def test_reserved_land_is_never_unsuitable_use(jiangmen):
    """留白 (class 16): the use is fixed only at project approval (广州通知 §一; 用地用海分类)."""
    r = run(jiangmen, [{"land_use": "0701", "planned_use": "16"},
                       {"land_use": "0701", "planned_use": "1601"},
                       {"land_use": "0701", "planned_use": "09"}])
    assert has(r, "categories", "unsuitable_use") == [False, False, True]


def test_reserved_land_is_a_zone_kind_every_pack_knows():
    for pid in ("guangdong", "jiangmen", "guangzhou"):
        assert "reserved_land" in load_pack(pid).zone_kinds


def test_dilapidated_and_unsuitable_use(jiangmen):
    rows = [{"land_use": "0701", "safety_grade": g} for g in ("A", "B", "C", "D")]
    rows += [{"land_use": "0701", "planned_use": "0702"}, {"land_use": "0701", "planned_use": "09"},
             {"land_use": "100101", "planned_use": "1001"}, {"land_use": "0701"}]
    r = run(jiangmen, rows)
    assert has(r, "categories", "dilapidated") == [False, False, True, True, False, False, False,
                                                   False]
    assert has(r, "categories", "unsuitable_use") == [False] * 5 + [True, False, False]
    why = reasons(r, 5)[0]
    assert (why["field"], why["value"], why["op"], why["threshold"]) == (
        "planned_class", "09", "!=", "07")


# ------------------------------------------------------------------ Order No. 53 (idle land)

def idle_row(**kw):
    return {"land_use": "100101", "supplied_on": "2019-05-01", **kw}


@pytest.mark.parametrize(("agreed", "as_of", "idle", "over2"), [
    ("2022-06-30", dt.date(2023, 6, 29), False, False),
    ("2022-06-30", dt.date(2023, 6, 30), True, False),
    ("2022-06-30", dt.date(2024, 6, 29), True, False),
    ("2022-06-30", dt.date(2024, 6, 30), True, True),
    ("2020-02-29", dt.date(2021, 2, 27), False, False),
    ("2020-02-29", dt.date(2021, 2, 28), True, False),   # no 29 Feb: period ends on the 28th
    ("2020-02-29", dt.date(2024, 2, 28), True, True),
    ("2025-01-01", dt.date(2024, 6, 30), False, False),  # start date still ahead
])
def test_not_started_one_and_two_years(agreed, as_of, idle, over2):
    # the Guangdong pack (in force since 2016) has the same Order No. 53 rules as jiangmen
    r = run(load_pack("guangdong"), [idle_row(agreed_start_on=agreed, started_on=None)], as_of=as_of)
    assert has(r, "flags", "idle") == [idle]
    assert has(r, "flags", "idle_over_2y") == [over2]


def test_started_before_as_of_is_not_idle_by_start_date(jiangmen):
    r = run(jiangmen, [idle_row(agreed_start_on="2020-01-01", started_on="2020-06-01"),
                       idle_row(agreed_start_on="2020-01-01", started_on="2024-07-01")])
    assert has(r, "flags", "idle") == [False, True]  # started after the as-of date: not yet


@pytest.mark.parametrize(("developed", "invested", "stopped", "idle"), [
    (0.3, 0.5, "2023-06-30", True),
    (1 / 3, 0.25, "2023-06-30", False),   # both at their thresholds: not below
    (0.5, 0.2, "2023-06-30", True),
    (0.3, 0.5, "2023-07-01", False),      # stopped one day short of a year
    (0.3, None, "2023-06-30", True),
    (None, None, "2020-01-01", False),    # unknown shares: not evaluated
])
def test_started_but_stopped(jiangmen, developed, invested, stopped, idle):
    r = run(jiangmen, [idle_row(agreed_start_on="2020-01-01", started_on="2020-03-01",
                                developed_ratio=developed, invested_ratio=invested,
                                stopped_since=stopped)])
    assert has(r, "flags", "idle") == [idle]
    if developed is None:
        assert "IDLE-53" in r["rules_not_evaluated"].iloc[0]


def test_unsupplied_land_is_not_idle_but_approved_not_supplied(jiangmen):
    rows = [{"approved_on": "2020-01-01"},
            {"approved_on": "2020-01-01", "supplied_on": "2024-06-30"},
            {"approved_on": "2020-01-01", "supplied_on": "2024-07-01"},
            {"approved_on": "2024-07-01"}, {"approved_on": None}]
    r = run(jiangmen, [{**x, "agreed_start_on": "2020-01-01", "started_on": None} for x in rows])
    assert has(r, "flags", "approved_not_supplied") == [True, False, True, False, False]
    assert has(r, "flags", "idle") == [False, True, False, False, False]
    assert not r["is_low_efficiency"].iloc[0]  # a flag is not a category


def test_pack_outside_its_effective_dates_is_refused(jiangmen):
    with pytest.raises(ConfigurationError, match="in force 2023-10-01"):
        run(jiangmen, [{}], as_of=dt.date(2023, 9, 30))


# ------------------------------------------------------------------ potential

def test_potential(jiangmen):
    rows = [{"planned_far": 2.5, "floor_area_m2": 15000},      # plan known: 25000 − 15000
            {"planned_far": 1.0, "floor_area_m2": 15000},      # already above: 0
            {"floor_area_m2": 5000},                           # low-efficiency: target 2.0
            {"floor_area_m2": 15000, "footprint_m2": 5000},    # not low-efficiency: 0
            {"land_use": "0701", "safety_grade": "D", "floor_area_m2": 100}]  # no target FAR
    r = run(jiangmen, rows)
    assert r["potential_floor_area_m2"].tolist() == [10000.0, 0.0, 15000.0, 0.0, 0.0]
    assert r["potential_source"].tolist() == ["planned_far", "planned_far", "target_far", "", ""]


def test_reasons_are_json_with_required_keys(jiangmen):
    r = run(jiangmen, [{"floor_area_m2": 100, "footprint_m2": 100, "tax_10k_yuan": 1,
                        "safety_grade": "C", "industry_code": "2211"}])
    items = reasons(r, 0)
    assert {i["rule"] for i in items} == {"IND-FAR", "IND-COVERAGE", "IND-TAX", "SAFETY-GRADE",
                                          "IND-OBSOLETE"}
    for i in items:
        assert {"rule", "clause", "field", "value", "op", "threshold"} <= set(i)
        assert ("category" in i) != ("flag" in i)
    assert r["categories"].iloc[0] == "obsolete_industry;extensive_use;dilapidated;low_output"
