"""The two money packs: contents, clauses, and refusal of a bad pack naming file and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from landrenew.core.errors import ConfigurationError
from landrenew.finance.packs import (
    ConsolidationMoneyPack,
    LandRevenuePack,
    load_consolidation_money_pack,
    load_land_revenue_pack,
    provisions_pack_for,
)
from landrenew.projects import rules as rules_module
from landrenew.projects.rules import load_pack

MONEY = load_consolidation_money_pack("zhongshan")
REVENUE = load_land_revenue_pack("guangdong")
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


def test_loaders_are_cached_and_linked() -> None:
    assert load_consolidation_money_pack("zhongshan") is MONEY
    assert provisions_pack_for(MONEY) is REVENUE


def test_provisions_as_listed() -> None:
    rows = {p.code: (p.base, str(p.rate.value), p.rate.basis) for p in REVENUE.provisions}
    assert rows == {
        "farmland_water_conservancy": ("revenue_net_of_costs", "0.10", "secondary"),
        "education_fund": ("revenue_net_of_costs", "0.10", "secondary"),
        "affordable_housing": ("net_income", "0.10", "secondary"),
        "agriculture_rural_share": ("revenue", "0.08", "secondary"),
    }
    clauses = {p.code: p.rate.clause for p in REVENUE.provisions}
    assert "财综〔2011〕48号" in clauses["farmland_water_conservancy"]
    assert "财综〔2011〕62号" in clauses["education_fund"]
    assert "50%" in (REVENUE.provisions[3].rate.note or "") + clauses["agriculture_rural_share"]
    assert "adjust" in REVENUE.note and "overlap" in REVENUE.note
    assert "净收益" in REVENUE.note


def _write(tmp_path: Path, name: str, text: str) -> None:
    (tmp_path / "testcity").mkdir(exist_ok=True)
    (tmp_path / "testcity" / f"{name}.yaml").write_text(text, encoding="utf-8")


def test_bad_rate_is_refused_naming_file_and_field(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    source = (rules_module.RULES_DIR / "guangdong" / "land_revenue.yaml").read_text("utf-8")
    _write(tmp_path, "land_revenue", source.replace('value: "0.08"', 'value: "1.5"'))
    monkeypatch.setattr(rules_module, "RULES_DIR", tmp_path)
    with pytest.raises(ConfigurationError) as info:
        load_pack("testcity", "land_revenue", LandRevenuePack)
    assert "land_revenue.yaml" in str(info.value)
    assert "provisions.3.rate" in str(info.value)


def test_duplicate_category_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = (rules_module.RULES_DIR / "zhongshan" / "consolidation_money.yaml").read_text("utf-8")
    _write(tmp_path, "consolidation_money", source.replace("code: working_expenses",
                                                           "code: clearance"))
    monkeypatch.setattr(rules_module, "RULES_DIR", tmp_path)
    with pytest.raises(ConfigurationError) as info:
        load_pack("testcity", "consolidation_money", ConsolidationMoneyPack)
    assert "consolidation_money.yaml" in str(info.value) and "clearance" in str(info.value)


def test_missing_clause_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = (rules_module.RULES_DIR / "zhongshan" / "consolidation_money.yaml").read_text("utf-8")
    _write(tmp_path, "consolidation_money", source.replace("  special_loan: >-", "  loan: >-"))
    monkeypatch.setattr(rules_module, "RULES_DIR", tmp_path)
    with pytest.raises(ConfigurationError) as info:
        load_pack("testcity", "consolidation_money", ConsolidationMoneyPack)
    assert "clauses" in str(info.value)
