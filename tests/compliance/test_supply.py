"""Point supply (点状供地, §六) and rural industry integration (§七): each threshold at, just below
and just above its value, the "and" of 1 % and 30 亩, and the price floors."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from landrenew.compliance.packs import CompliancePack

from .conftest import check, failed_fields

# ------------------------------------------------------------------ point supply


def test_a_passing_point_supply_lists_every_rule_with_its_clause(pack: CompliancePack) -> None:
    d = check("point_supply", pack)
    assert d.decision == "eligible" and (d.pack, d.pack_version) == ("guangzhou-compliance",
                                                                     "2023.12")
    rules = {r.rule.split(":")[1]: r for r in d.reasons}
    assert set(rules) == {"point_supply_industry", "point_supply_max_inside_udb_ratio",
                          "point_supply_scattered", "point_supply_max_area_mu",
                          "point_supply_planning_conditions", "point_supply_min_price_ratio"}
    area = rules["point_supply_max_area_mu"].as_dict()
    assert (area["field"], area["value"], area["op"], area["threshold"], area["met"]) == (
        "area_mu", "30", "<=", "30", True)
    assert "不超过30亩" in area["clause"] and area["basis"] == "document"
    price = rules["point_supply_min_price_ratio"].as_dict()
    assert price["threshold"] == "700" and price["of"] == {"field": "benchmark_price",
                                                           "value": "1000", "share": "0.7"}
    assert "基准地价的70%" in price["clause"]


@pytest.mark.parametrize(("area", "decision"), [("29.99", "eligible"), ("30", "eligible"),
                                                ("30.01", "refused")])
def test_point_supply_area_at_most_30_mu(pack: CompliancePack, area: str, decision: str) -> None:
    d = check("point_supply", pack, area_mu=area)
    assert d.decision == decision
    assert failed_fields(d) == (set() if decision == "eligible" else {"area_mu"})


@pytest.mark.parametrize(("floor", "decision"), [("699.99", "refused"), ("700", "eligible"),
                                                 ("700.01", "eligible")])
def test_point_supply_floor_price_at_least_70_percent(pack: CompliancePack, floor: str,
                                                      decision: str) -> None:
    assert check("point_supply", pack, floor_price=floor).decision == decision


@settings(max_examples=200, deadline=None)
@given(area=st.decimals(min_value=0, max_value=60, places=2),
       benchmark=st.decimals(min_value=1, max_value=20000, places=2),
       floor=st.decimals(min_value=0, max_value=20000, places=2))
def test_point_supply_thresholds_compared_exactly(pack: CompliancePack, area: Decimal,
                                                  benchmark: Decimal, floor: Decimal) -> None:
    d = check("point_supply", pack, area_mu=str(area), benchmark_price=str(benchmark),
              floor_price=str(floor))
    expected = area <= 30 and floor * 10 >= benchmark * 7
    assert d.decision == ("eligible" if expected else "refused")


@pytest.mark.parametrize("industry", ["现代种养业", "农产品加工流通业", "乡村休闲旅游业",
                                      "乡土特色产业", "乡村信息产业", "乡村新型服务业",
                                      "配套的基础设施", "配套公共服务设施", "rural_information"])
def test_every_industry_of_the_notice_is_eligible(pack: CompliancePack, industry: str) -> None:
    assert check("point_supply", pack, industry=industry).decision == "eligible"


@pytest.mark.parametrize(("changes", "field"), [
    ({"industry": "房地产开发"}, "industry"),
    ({"inside_udb_ratio": "0.05"}, "inside_udb_ratio"),
    ({"inside_udb_ratio": "5%"}, "inside_udb_ratio"),
    ({"scattered": "否"}, "scattered"),
    ({"planning_conditions": "0"}, "planning_conditions"),
])
def test_point_supply_refused_for_each_broken_rule(pack: CompliancePack, changes: dict,
                                                   field: str) -> None:
    d = check("point_supply", pack, **changes)
    assert d.decision == "refused" and failed_fields(d) == {field}


def test_a_missing_or_unreadable_fact_is_invalid_naming_the_field(pack: CompliancePack) -> None:
    missing = check("point_supply", pack, scattered=None)
    assert missing.decision == "invalid" and missing.invalid_fields == ("scattered",)
    assert [r.kind for r in missing.reasons if r.field == "scattered"] == ["missing"]
    # the other rules are still listed, evaluated
    assert {r.field for r in missing.reasons if r.met is True} >= {"area_mu", "industry"}
    garbled = check("point_supply", pack, scattered="maybe", area_mu="三十")
    assert garbled.decision == "invalid"
    assert set(garbled.invalid_fields) == {"scattered", "area_mu"}
    assert all(r.kind == "malformed" for r in garbled.reasons if r.field == "scattered")


def test_a_price_given_as_a_float_is_refused_like_money(pack: CompliancePack) -> None:
    d = check("point_supply", pack, floor_price=700.5)
    assert d.decision == "invalid" and d.invalid_fields == ("floor_price",)
    assert "float" in next(r.message for r in d.reasons if r.field == "floor_price")
    assert check("point_supply", pack, area_mu=29.5).decision == "eligible"  # areas may be


# ------------------------------------------------------------------ rural industry integration


@pytest.mark.parametrize(("project", "support", "decision", "failed"), [
    ("3000", "29.99", "eligible", set()),       # below both limits
    ("3000", "30", "eligible", set()),          # exactly 1 % and exactly 30 亩
    ("2999.99", "30", "refused", {"support_area_mu"}),   # just above 1 %
    ("3000", "30.01", "refused", {"support_area_mu"}),   # just above both
    ("10000", "31", "refused", {"support_area_mu"}),     # 0.31 %, but above 30 亩
    ("2000", "25", "refused", {"support_area_mu"}),      # below 30 亩, but 1.25 %
])
def test_support_land_within_1_percent_and_30_mu(pack: CompliancePack, project: str, support: str,
                                                 decision: str, failed: set) -> None:
    d = check("industry_integration", pack, project_area_mu=project, support_area_mu=support)
    assert d.decision == decision and failed_fields(d) == failed


def test_the_two_support_limits_are_both_listed(pack: CompliancePack) -> None:
    d = check("industry_integration", pack, project_area_mu="10000", support_area_mu="31")
    limits = {r.rule.split(":")[1]: r.met for r in d.reasons if r.field == "support_area_mu"}
    assert limits == {"integration_support_max_share": True,
                      "integration_support_max_area_mu": False}


@settings(max_examples=200, deadline=None)
@given(project=st.decimals(min_value="0.01", max_value=20000, places=2),
       support=st.decimals(min_value=0, max_value=60, places=2))
def test_support_limits_are_an_exact_and(pack: CompliancePack, project: Decimal,
                                         support: Decimal) -> None:
    d = check("industry_integration", pack, project_area_mu=str(project),
              support_area_mu=str(support))
    assert d.decision == ("eligible" if support * 100 <= project and support <= 30
                          else "refused")


@pytest.mark.parametrize(("far", "reason", "decision"), [
    ("1.1", None, "eligible"),
    ("1.11", None, "eligible"),
    ("1.09", None, "refused"),
    ("1.09", "单层冷库，工艺要求", "exception_required"),
])
def test_far_at_least_1_1_in_principle(pack: CompliancePack, far: str, reason: str | None,
                                       decision: str) -> None:
    d = check("industry_integration", pack, far=far, far_exception_reason=reason)
    assert d.decision == decision
    if decision == "refused":
        assert failed_fields(d) == {"far", "far_exception_reason"}


def test_an_exception_reason_does_not_cover_another_broken_rule(pack: CompliancePack) -> None:
    d = check("industry_integration", pack, far="0.8", far_exception_reason="单层", use="酒店")
    assert d.decision == "refused" and failed_fields(d) == {"far", "use"}


@pytest.mark.parametrize(("priority", "floor", "decision"), [
    ("true", "167.99", "refused"), ("true", "168", "eligible"), ("true", "168.01", "eligible"),
    ("false", "239.99", "refused"), ("false", "240", "eligible"),
])
def test_floor_price_against_the_national_minimum(pack: CompliancePack, priority: str,
                                                  floor: str, decision: str) -> None:
    d = check("industry_integration", pack, priority_industry=priority, floor_price=floor)
    assert d.decision == decision


@pytest.mark.parametrize(("floor", "decision"), [("199.99", "refused"), ("200", "eligible")])
def test_costs_above_70_percent_of_the_minimum_set_the_floor(pack: CompliancePack, floor: str,
                                                             decision: str) -> None:
    """70 % of 240 is 168, below the actual costs of 200: the floor is the costs."""
    d = check("industry_integration", pack, actual_cost="200", floor_price=floor)
    assert d.decision == decision
    cost_rule = next(r for r in d.reasons if r.rule.endswith("integration_cost_floor"))
    assert cost_rule.threshold == Decimal("200") and "实际各项成本费用之和" in cost_rule.clause
    assert cost_rule.met is (decision == "eligible")


@pytest.mark.parametrize("use", ["商品住宅", "别墅", "酒店", "公寓", "hotel"])
def test_housing_villas_hotels_and_apartments_are_never_allowed(pack: CompliancePack,
                                                                use: str) -> None:
    d = check("industry_integration", pack, use=use)
    assert d.decision == "refused" and failed_fields(d) == {"use"}


@pytest.mark.parametrize(("use", "years", "decision"), [
    ("工业", "50", "eligible"), ("工业", "51", "refused"), ("仓储", "50", "eligible"),
    ("商业", "40", "eligible"), ("商业", "41", "refused"),
    ("农产品冷链物流", "50", "eligible"), ("农产品冷链物流", "51", "refused"),  # other uses: 50
])
def test_term_within_the_legal_maximum_of_the_use(pack: CompliancePack, use: str, years: str,
                                                  decision: str) -> None:
    d = check("industry_integration", pack, use=use, term_years=years)
    assert d.decision == decision
    term = next(r for r in d.reasons if r.field == "term_years")
    assert term.basis == "national" and "第十二条" in term.clause


def test_split_transfer_is_refused(pack: CompliancePack) -> None:
    d = check("industry_integration", pack, split_transfer="是")
    assert d.decision == "refused" and failed_fields(d) == {"split_transfer"}


def test_a_project_of_no_land_cannot_be_measured(pack: CompliancePack) -> None:
    d = check("industry_integration", pack, project_area_mu="0")
    assert d.decision == "invalid" and d.invalid_fields == ("project_area_mu",)
