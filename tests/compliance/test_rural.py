"""Rural houses and land (§五, §九): the hazard site, the homestead periods and cut-off day, the
renovation without a permit and the legacy land's category and quota offset."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from landrenew.compliance.packs import HOMESTEAD_CONDITIONS, CompliancePack
from landrenew.compliance.rural import RENOVATION_UNCHANGED, quota_offset

from .conftest import check, failed_fields, with_parameter


def test_a_house_site_in_a_hazard_area_is_refused(pack: CompliancePack) -> None:
    assert check("rural_housing_site", pack).decision == "eligible"
    d = check("rural_housing_site", pack, in_hazard_area="是")
    assert d.decision == "refused" and failed_fields(d) == {"in_hazard_area"}
    assert "避让地质灾害隐患点、风险点" in d.reasons[0].clause


# ------------------------------------------------------------------ homestead (§五)


@pytest.mark.parametrize(("built", "period"), [
    ("1986-12-31", "before_1987"), ("1987-01-01", "from_1987_to_1998"),
    ("1998-12-31", "from_1987_to_1998"), ("1999-01-01", "from_1999"), ("2015-07-14", "from_1999"),
])
def test_the_period_follows_the_two_land_management_laws(pack: CompliancePack, built: str,
                                                         period: str) -> None:
    d = check("homestead", pack, built_on=built)
    assert (d.decision, d.period, d.legacy_route) == ("eligible", period, True)
    assert d.period_name and "土地管理法" in d.period_name


@pytest.mark.parametrize(("built", "counts", "legacy"), [
    ("2015-07-14", "1", True), ("2015-07-15", "1", True), ("2015-07-16", "1", False),
    ("2015-07-14", "0", True), ("2015-07-15", "0", False),
])
def test_whether_the_cutoff_day_counts_is_a_pack_parameter(pack: CompliancePack, built: str,
                                                          counts: str, legacy: bool) -> None:
    rules = with_parameter(pack, "homestead_cutoff_day_counts", counts)
    d = check("homestead", rules, built_on=built)
    assert d.legacy_route is legacy
    assert d.decision == ("eligible" if legacy else "refused")
    cutoff = next(r for r in d.reasons if r.field == "built_on")
    assert cutoff.op == ("<=" if counts == "1" else "<") and cutoff.threshold == dt.date(2015, 7, 15)


@settings(max_examples=100, deadline=None)
@given(built=st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2030, 12, 31)))
def test_the_legacy_route_ends_on_the_cutoff(pack: CompliancePack, built: dt.date) -> None:
    d = check("homestead", pack, built_on=built.isoformat())
    assert d.legacy_route is (built <= dt.date(2015, 7, 15))


def test_a_house_after_the_cutoff_needs_no_conditions(pack: CompliancePack) -> None:
    d = check("homestead", pack, built_on="2020-01-01", **dict.fromkeys(HOMESTEAD_CONDITIONS))
    assert d.decision == "refused" and d.legacy_route is False and d.invalid_fields == ()


@pytest.mark.parametrize("condition", HOMESTEAD_CONDITIONS)
def test_each_condition_failed_is_named(pack: CompliancePack, condition: str) -> None:
    d = check("homestead", pack, **{condition: "否"})
    assert d.decision == "refused" and failed_fields(d) == {condition}
    met = {r.field for r in d.reasons if r.met}
    assert met == {"built_on", *HOMESTEAD_CONDITIONS} - {condition}


def test_which_conditions_a_period_needs_is_the_packs(pack: CompliancePack) -> None:
    rules = pack.homestead_conditions
    old = rules.periods[0].model_copy(update={"requires": ("plan_conforming",)})
    lenient = pack.model_copy(update={"homestead_conditions": rules.model_copy(
        update={"periods": (old, *rules.periods[1:])})})
    d = check("homestead", lenient, built_on="1980-01-01", one_household=None, eligible="否")
    assert d.decision == "eligible" and {r.field for r in d.reasons} == {"built_on",
                                                                         "plan_conforming"}


# ------------------------------------------------------------------ renovation (§五)


def test_a_renovation_changing_nothing_needs_no_permit(pack: CompliancePack) -> None:
    d = check("renovation_permit", pack)
    assert d.decision == "no_permit_needed" and len(d.reasons) == 7


@pytest.mark.parametrize("field", ["permits_complete", *RENOVATION_UNCHANGED])
def test_each_change_needs_a_permit(pack: CompliancePack, field: str) -> None:
    d = check("renovation_permit", pack, **{field: "否" if field == "permits_complete" else "是"})
    assert d.decision == "permit_needed" and failed_fields(d) == {field}


# ------------------------------------------------------------------ legacy land (§五)


@pytest.mark.parametrize(("facts", "category"), [
    ({"has_approval": "否"}, "没有合法用地手续"),
    ({"has_approval": "是", "filed": "否"}, "未完成用地备案"),
    ({"has_approval": "是", "filed": "是", "conversion_done": "否"}, "未完成转用征收手续"),
    ({"has_approval": "是", "filed": "是", "conversion_done": "是", "supply_done": "否"},
     "未完成土地供应手续"),
])
def test_the_first_missing_procedure_gives_the_category(pack: CompliancePack, facts: dict,
                                                        category: str) -> None:
    d = check("legacy_land", pack, **facts)
    assert (d.decision, d.category) == ("eligible", category)
    assert d.quota_offset_mu == (Decimal(6) if category == "没有合法用地手续" else 0)


def test_land_with_every_procedure_is_not_legacy(pack: CompliancePack) -> None:
    d = check("legacy_land", pack, has_approval="是", filed="是", conversion_done="是",
              supply_done="是")
    assert (d.decision, d.category, d.quota_offset_mu) == ("not_legacy", None, 0)


@pytest.mark.parametrize(("survey", "area", "offset"), [
    ("是", "12", Decimal("6")), ("是", "3.33", Decimal("1.665")), ("否", "12", Decimal(0))])
def test_half_the_area_offsets_the_reserved_land_quota(pack: CompliancePack, survey: str,
                                                       area: str, offset: Decimal) -> None:
    d = check("legacy_land", pack, construction_in_second_survey=survey, area_mu=area)
    assert d.quota_offset_mu == offset and d.outcome()["quota_offset_mu"] == format(offset, "f")
    result = next(r for r in d.reasons if r.field == "quota_offset_mu").as_dict()
    assert "50%抵扣留用地指标" in result["clause"]


def test_the_quota_offset_for_the_ledger(pack: CompliancePack) -> None:
    booked = quota_offset(Decimal("7.5"), "no_legal_procedures", True, pack)
    assert booked.as_dict() == {
        "area_mu": "7.5", "offset_mu": "3.75", "share": "0.5", "applies": True,
        "rule": "guangzhou-compliance:legacy_quota_offset_ratio", "clause": booked.clause,
        "basis": "document", "pack": "guangzhou-compliance", "pack_version": "2023.12"}
    assert quota_offset(Decimal("7.5"), "not_filed", True, pack).offset_mu == 0


def test_legacy_land_without_its_facts_is_invalid(pack: CompliancePack) -> None:
    d = check("legacy_land", pack, area_mu=None)
    assert d.decision == "invalid" and d.invalid_fields == ("area_mu",)
