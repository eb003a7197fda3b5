"""Fund balance (资金平衡): worked examples by hand, provisions with their bases, sensitivity."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal

import pytest

from landrenew.core import packs
from landrenew.core.errors import InputError
from landrenew.finance.balance import (
    STEPS,
    BalanceInputs,
    ProvisionAmount,
    fund_balance,
    sensitivity_grid,
    statutory_provisions,
)
from landrenew.finance.packs import ConsolidationMoneyPack, LandRevenuePack

MONEY = packs.load("zhongshan-consolidation-money", ConsolidationMoneyPack)
REVENUE = packs.load("guangdong-land-revenue", LandRevenuePack)

ROUND = BalanceInputs(compensation="300000000", resettlement_construction="100000000",
                      other_costs="20000000", financing_cost="30000000",
                      supply_area_m2="50000", far="3", floor_price="6000")


def amounts(items: list[ProvisionAmount]) -> dict[str, Decimal]:
    return {p.code: p.amount for p in items}


def test_round_worked_example() -> None:
    # revenue 50 000 m² × 3 × 6 000 = 900 000 000; costs 450 000 000; 收益 450 000 000
    # water 10 % × 收益 = 45 000 000; education 45 000 000; 净收益 = 450 − 90 = 360 000 000
    # housing 10 % × 净收益 = 36 000 000; agriculture 50 % × 收益 = 225 000 000, not below
    # 8 % × 收入 = 72 000 000 (the 2020 opinion's 收益 option); total 351 000 000
    # surplus 900 − 351 − 450 = 99 000 000
    r = fund_balance(ROUND, MONEY, REVENUE)
    assert r.floor_area_m2 == Decimal("150000")
    assert r.revenue == Decimal("900000000.00") and r.total_cost == Decimal("450000000.00")
    assert amounts(r.provisions) == {
        "farmland_water_conservancy": Decimal("45000000.00"),
        "education_fund": Decimal("45000000.00"),
        "affordable_housing": Decimal("36000000.00"),
        "agriculture_rural_share": Decimal("225000000.00"),
    }
    bases = {p.code: (p.base_zh, p.base_amount) for p in r.provisions}
    assert bases["affordable_housing"] == ("土地出让净收益", Decimal("360000000.00"))
    assert bases["agriculture_rural_share"] == ("土地出让收益", Decimal("450000000.00"))
    assert bases["education_fund"] == ("土地出让收益", Decimal("450000000.00"))
    share = r.provisions[3]
    assert share.floor_amount == Decimal("72000000.00") and not share.floor_applied
    assert r.total_provisions == Decimal("351000000.00")
    assert r.surplus == Decimal("99000000.00") and r.status == "surplus"


def test_worked_example_with_rounding() -> None:
    # floor area 12 345.67 × 2.5 = 30 864.175 m²; × 8 888.88 = 274 347 947.874 → 274 347 947.87
    # costs 150 000 000 + 60 000 000 + 8 765 432.10 + 5 432 109.88 = 224 197 541.98
    # 收益 = 50 150 405.89; water, education 10 % = 5 015 040.589 → 5 015 040.59 each
    # 净收益 = 50 150 405.89 − 10 030 081.18 = 40 120 324.71; housing → 4 012 032.47
    # agriculture 50 % × 50 150 405.89 = 25 075 202.945 → 25 075 202.95 (half up), above its
    # floor 8 % × 274 347 947.87 = 21 947 835.8296 → 21 947 835.83
    # provisions 39 117 316.60; surplus 274 347 947.87 − 39 117 316.60 − 224 197 541.98
    inputs = BalanceInputs("150000000", "60000000", "8765432.10", "5432109.88",
                           "12345.67", "2.5", "8888.88")
    r = fund_balance(inputs, MONEY, REVENUE)
    assert r.floor_area_m2 == Decimal("30864.175")
    assert r.revenue == Decimal("274347947.87")
    assert r.total_cost == Decimal("224197541.98")
    assert amounts(r.provisions) == {
        "farmland_water_conservancy": Decimal("5015040.59"),
        "education_fund": Decimal("5015040.59"),
        "affordable_housing": Decimal("4012032.47"),
        "agriculture_rural_share": Decimal("25075202.95"),
    }
    assert r.total_provisions == Decimal("39117316.60")
    assert r.surplus == Decimal("11033089.29")
    data = json.loads(json.dumps(r.as_dict()))
    assert data["surplus"] == "11033089.29" and data["revenue"] == "274347947.87"
    assert data["provisions"][3]["floor"] == {"base": "revenue", "rate": "0.08",
                                              "amount": "21947835.83", "applied": False}
    assert data["provisions"][2]["base_amount"] == "40120324.71"
    assert data["provisions"][2]["rate"] == "0.10"
    assert "财综〔2011〕48号" in data["provisions"][0]["clause"]
    assert "§四(一)4" in data["clause"]


def test_gap_when_costs_exceed_revenue() -> None:
    # revenue 10 000 × 2 × 5 000 = 100 000 000; costs 130 000 000; 收益 −30 000 000 → zero
    # provisions on 收益 and 净收益, agriculture's 50 % of 收益 too; the agriculture share's
    # floor 8 % × 收入 = 8 000 000 decides; gap −38 000 000
    inputs = BalanceInputs("100000000", "20000000", "5000000", "5000000", "10000", "2", "5000")
    r = fund_balance(inputs, MONEY, REVENUE)
    assert amounts(r.provisions) == {
        "farmland_water_conservancy": Decimal("0"), "education_fund": Decimal("0"),
        "affordable_housing": Decimal("0"), "agriculture_rural_share": Decimal("8000000.00")}
    assert r.provisions[0].base_amount == Decimal("-30000000.00")
    assert r.provisions[3].floor_applied and "8%" in r.provisions[3].clause
    assert r.surplus == Decimal("-38000000.00") and r.status == "gap"
    assert r.as_dict()["status"] == "gap"


def test_balance_refuses_floats_and_negatives() -> None:
    with pytest.raises(InputError) as info:
        fund_balance(replace(ROUND, far=2.5), MONEY, REVENUE)
    assert (info.value.code, info.value.field) == ("float_refused", "far")
    with pytest.raises(InputError) as info:
        fund_balance(replace(ROUND, floor_price="-1"), MONEY, REVENUE)
    assert info.value.field == "floor_price"
    with pytest.raises(InputError) as info:
        fund_balance(replace(ROUND, compensation="1.001"), MONEY, REVENUE)
    assert info.value.field == "compensation"


def test_provisions_follow_the_pack_order_and_rules() -> None:
    items = statutory_provisions(Decimal("1000.00"), Decimal("400.00"), REVENUE)
    assert [p.code for p in items] == [p.code for p in REVENUE.provisions]
    # 收益 600: water, education 60 each; 净收益 480 → housing 48 (the agriculture share is not
    # deducted for 净收益); agriculture max(50 % × 600, 8 % × 1000) = 300
    assert [p.amount for p in items] == [Decimal("60.00"), Decimal("60.00"), Decimal("48.00"),
                                         Decimal("300.00")]
    assert all(p.rule.startswith("guangdong-land-revenue:") for p in items)


def test_sensitivity_centre_is_the_base_and_monotone_in_price() -> None:
    grid = sensitivity_grid(ROUND, MONEY, REVENUE)
    base = fund_balance(ROUND, MONEY, REVENUE)
    assert grid.price_steps == STEPS and len(grid.surplus) == 5
    assert all(len(row) == 5 for row in grid.surplus)
    assert grid.surplus[2][2] == base.surplus == grid.base.surplus
    assert grid.cell(Decimal("0"), Decimal("0")) == base.surplus
    for col in range(5):
        column = [grid.surplus[row][col] for row in range(5)]
        assert column == sorted(column) and len(set(column)) == 5
    # price +10 %: revenue 990 000 000, 收益 540 000 000; water, education 54 000 000 each,
    # housing 43 200 000, agriculture 270 000 000 → surplus 990 − 421.2 − 450 = 118 800 000
    assert grid.cell(Decimal("0.10"), Decimal("0")) == Decimal("118800000.00")
    # price −20 % and FAR −20 %: revenue 576 000 000, 收益 126 000 000 → provisions
    # 12.6 + 12.6 + 10.08 + 63 = 98.28 million → surplus 576 − 98.28 − 450 = 27 720 000
    assert grid.cell(Decimal("-0.20"), Decimal("-0.20")) == Decimal("27720000.00")
    assert all(isinstance(v, Decimal) for row in grid.surplus for v in row)
    data = json.loads(json.dumps(grid.as_dict()))
    assert data["price_steps"] == ["-0.20", "-0.10", "0", "0.10", "0.20"]
    assert data["surplus"][2][2] == "99000000.00"


def test_sensitivity_crosses_from_gap_to_surplus() -> None:
    # costs 800 000 000 against a base revenue of 900 000 000: low prices give a gap
    inputs = replace(ROUND, compensation="650000000")
    grid = sensitivity_grid(inputs, MONEY, REVENUE)
    assert grid.surplus[0][0] < 0 < grid.surplus[4][4]
    for col in range(5):
        column = [grid.surplus[row][col] for row in range(5)]
        assert column == sorted(column)
