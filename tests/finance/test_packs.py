"""The two money packs: contents, clauses, and refusal of a bad pack naming file and field."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from landrenew.core import packs
from landrenew.core.errors import ConfigurationError
from landrenew.core.packs import NoRules, Registry
from landrenew.finance.packs import (
    ConsolidationMoneyPack,
    LandRevenuePack,
    consolidation_money_pack,
    land_revenue_pack,
)

MONEY = packs.load("zhongshan-consolidation-money", ConsolidationMoneyPack)
REVENUE = packs.load("guangdong-land-revenue", LandRevenuePack)
CLAUSE = "§四(二)6(3)"

ALLOWED = {
    "willingness_survey", "surveying_mapping", "property_valuation", "stability_risk_assessment",
    "plan_preparation", "planning_preparation", "heritage_tree_protection",
    "soil_mineral_geohazard", "expropriation_compensation", "resettlement_housing_construction",
    "land_price_recovery", "clearance", "title_cancellation", "land_use_approval",
    "site_preparation", "special_loan_financing", "own_funds_interest", "related_taxes",
}


def test_cost_categories_are_those_of_the_clause() -> None:
    assert {c.code for c in MONEY.cost_categories} == ALLOWED
    assert {c.code for c in MONEY.excluded_categories} == {
        "entity_staff_cost", "working_expenses", "management_fees"}
    for cat in (*MONEY.cost_categories, *MONEY.excluded_categories):
        assert CLAUSE in cat.clause, cat.code
    for cat in MONEY.excluded_categories:
        assert "不包括" in cat.clause


def test_packs_resolve_by_place_and_are_cached() -> None:
    day = dt.date(2025, 1, 1)
    money = consolidation_money_pack("442000", day)
    assert money == MONEY and consolidation_money_pack("442000", day) is money  # kept
    assert land_revenue_pack("442000", day) == REVENUE  # the province's provisions
    assert land_revenue_pack("440703", day) == REVENUE
    with pytest.raises(NoRules, match="江门市 has no consolidation money rules"):
        consolidation_money_pack("440703", day)
    assert MONEY.issued_on is None and "征求意见稿" in MONEY.title.zh


def test_provisions_as_listed() -> None:
    rows = {p.code: (p.base, str(p.rate.value), p.rate.basis) for p in REVENUE.provisions}
    assert rows == {
        "farmland_water_conservancy": ("revenue_net_of_costs", "0.10", "national"),
        "education_fund": ("revenue_net_of_costs", "0.10", "national"),
        "affordable_housing": ("net_income", "0.10", "national"),
        "agriculture_rural_share": ("revenue_net_of_costs", "0.50", "national"),
    }
    share = REVENUE.provisions[3]
    assert share.floor is not None and share.floor.base == "revenue"
    assert str(share.floor.rate.value) == "0.08" and "8%" in share.floor.rate.clause
    assert share.option is not None and share.option.basis == "local_initial"
    assert "10%" in share.option.clause and not share.in_net_income
    clauses = {p.code: p.rate.clause for p in REVENUE.provisions}
    assert "财综〔2011〕48号" in clauses["farmland_water_conservancy"]
    assert "财综〔2011〕62号" in clauses["education_fund"]
    assert "50%" in (REVENUE.provisions[3].rate.note or "") + clauses["agriculture_rural_share"]
    assert "adjust" in REVENUE.note and "overlap" in REVENUE.note
    assert "净收益" in REVENUE.note


def _copy(tmp_path: Path, pack_id: str, text: str, model: type[Any]) -> Any:
    """A bureau's copy of a shipped pack (under another id), loaded through a registry."""
    (tmp_path / "copy.yaml").write_text(text.replace(f"id: {pack_id}", "id: testcity-copy", 1),
                                        encoding="utf-8")
    return Registry.scan([(tmp_path, "bureau")]).load("testcity-copy", model)


def _source(pack_id: str) -> str:
    return packs.registry().get(pack_id).path.read_text("utf-8")


def test_bad_rate_is_refused_naming_file_and_field(tmp_path: Path) -> None:
    source = _source("guangdong-land-revenue")
    with pytest.raises(ConfigurationError) as info:
        _copy(tmp_path, "guangdong-land-revenue", source.replace('value: "0.50"', 'value: "1.5"'),
              LandRevenuePack)
    assert "copy.yaml" in str(info.value)
    assert "provisions.3.rate" in str(info.value)


def test_duplicate_category_is_refused(tmp_path: Path) -> None:
    source = _source("zhongshan-consolidation-money")
    with pytest.raises(ConfigurationError) as info:
        _copy(tmp_path, "zhongshan-consolidation-money",
              source.replace("code: working_expenses", "code: clearance"), ConsolidationMoneyPack)
    assert "copy.yaml" in str(info.value) and "clearance" in str(info.value)


def test_missing_clause_is_refused(tmp_path: Path) -> None:
    source = _source("zhongshan-consolidation-money")
    with pytest.raises(ConfigurationError) as info:
        _copy(tmp_path, "zhongshan-consolidation-money",
              source.replace("  special_loan: >-", "  loan: >-"), ConsolidationMoneyPack)
    assert "clauses" in str(info.value)
