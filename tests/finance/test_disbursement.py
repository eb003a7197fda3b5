"""Disbursement waterfall (资金拨付): provisions, loan before the entity, city remainder, always
adding up to the revenue to the fen."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from landrenew.core import packs
from landrenew.core.errors import InputError
from landrenew.finance.disbursement import disburse
from landrenew.finance.packs import ConsolidationMoneyPack, LandRevenuePack

MONEY = packs.load("zhongshan-consolidation-money", ConsolidationMoneyPack)
REVENUE = packs.load("guangdong-land-revenue", LandRevenuePack)
ORDER = ["farmland_water_conservancy", "education_fund", "affordable_housing",
         "agriculture_rural_share", "special_loan_principal", "special_loan_interest", "entity",
         "city"]
M = Decimal(1_000_000)


def test_full_revenue_worked_example() -> None:
    # revenue 900 M, storage fee 500 M (cost base), already paid 100 M, loan 300 M + 20 M
    # 收益 400 M → water 40, education 40, 净收益 320 → housing 32; agriculture 50 % × 收益 = 200
    # (above 8 % × 900 = 72); left 588 → principal 300 → 288 → interest 20 → 268
    # → entity 500 − 100 − 320 = 80 → 188 to the city
    d = disburse("900000000", "500000000", MONEY, REVENUE, already_paid="100000000",
                 loan_principal="300000000", loan_interest="20000000")
    assert [s.code for s in d.steps] == ORDER
    assert [s.amount / M for s in d.steps] == [40, 40, 32, 200, 300, 20, 80, 188]
    assert [s.remaining_after / M for s in d.steps] == [860, 820, 788, 588, 288, 268, 188, 0]
    assert d.shortfall == 0 and d.loan_uncovered == 0 and d.notes == []
    assert d.owed_to_entity == 400 * M and d.to_city == 188 * M
    assert sum(s.amount for s in d.steps) == d.revenue
    assert "优先偿还专项借款" in d.step("special_loan_principal").clause
    assert "另行研究制定" in d.step("city").clause
    assert d.step("education_fund").rule == "guangdong-land-revenue:education_fund"
    data = json.loads(json.dumps(d.as_dict(), ensure_ascii=False))
    assert data["steps"][6] == {**data["steps"][6], "amount": "80000000.00", "due": "80000000.00",
                                "remaining_after": "188000000.00"}
    assert data["steps"][7]["due"] is None


def test_shortfall_loan_is_repaid_before_the_entity() -> None:
    # revenue 300 M < cost base 500 M: 收益 < 0 → only agriculture's floor 8 % × 300 = 24
    # → left 276
    # principal 250 → 26; interest 10 → 16; entity due 240 gets 16 (short 224); city 0
    d = disburse("300000000", "500000000", MONEY, REVENUE, loan_principal="250000000",
                 loan_interest="10000000")
    got = {s.code: s.amount / M for s in d.steps}
    assert got == {"farmland_water_conservancy": 0, "education_fund": 0,
                   "affordable_housing": 0, "agriculture_rural_share": 24,
                   "special_loan_principal": 250, "special_loan_interest": 10, "entity": 16,
                   "city": 0}
    assert d.step("entity").shortfall == 224 * M and d.shortfall == 224 * M
    assert d.notes and "short" in d.notes[0]


def test_revenue_below_the_loan_pays_principal_first() -> None:
    # revenue 260 M: agriculture 20.8 → left 239.2 → principal due 250 gets 239.2, interest 0
    d = disburse("260000000", "500000000", MONEY, REVENUE, loan_principal="250000000",
                 loan_interest="10000000")
    assert d.step("special_loan_principal").amount == Decimal("239200000.00")
    assert d.step("special_loan_principal").shortfall == Decimal("10800000.00")
    assert d.step("special_loan_interest").amount == 0
    assert d.step("entity").amount == 0 and d.to_city == 0
    assert d.shortfall == Decimal("10800000.00") + 10 * M + 240 * M


def test_loan_larger_than_the_fee_still_owed_is_reported() -> None:
    # owed 500 − 450 = 50: principal 80 capped at 50, interest 0, 30 + 5 uncovered
    d = disburse("1000000000", "500000000", MONEY, REVENUE, already_paid="450000000",
                 loan_principal="80000000", loan_interest="5000000")
    assert d.step("special_loan_principal").amount == 50 * M
    assert d.step("special_loan_interest").due == 0 and d.step("entity").due == 0
    assert d.loan_uncovered == 35 * M and any("not repaid" in n for n in d.notes)


def test_cost_base_override_and_refusals() -> None:
    d = disburse("1000.00", "900.00", MONEY, REVENUE, cost_base="400.00")
    assert d.step("education_fund").due == Decimal("60.00")
    with pytest.raises(InputError) as info:
        disburse("1000", "100", MONEY, REVENUE, already_paid="100.01")
    assert info.value.code == "already_paid_exceeds_storage_fee"
    with pytest.raises(InputError) as info:
        disburse(1000.0, "100", MONEY, REVENUE)
    assert (info.value.code, info.value.field) == ("float_refused", "revenue")


fen = st.integers(min_value=0, max_value=10**13).map(lambda n: Decimal(n) / 100)


@settings(max_examples=300)
@given(revenue=fen, fee=fen, paid_share=st.integers(min_value=0, max_value=100),
       principal=fen, interest=fen, cost_base=st.none() | fen)
def test_waterfall_adds_up_for_any_input(revenue: Decimal, fee: Decimal, paid_share: int,
                                         principal: Decimal, interest: Decimal,
                                         cost_base: Decimal | None) -> None:
    paid = (fee * paid_share / 100).quantize(Decimal("0.01"), rounding="ROUND_DOWN")
    d = disburse(str(revenue), fee, MONEY, REVENUE, already_paid=paid, loan_principal=principal,
                 loan_interest=interest, cost_base=cost_base)
    assert [s.code for s in d.steps] == ORDER
    assert sum(s.amount for s in d.steps) == revenue
    left = revenue
    for s in d.steps:
        assert s.amount >= 0 and s.amount == s.amount.quantize(Decimal("0.01"))
        if s.due is not None:
            assert s.amount <= s.due and s.shortfall == s.due - s.amount
        left -= s.amount
        assert s.remaining_after == left
    # a step is paid only once every step before it is paid in full: the loan before the entity
    seen_short = False
    for s in d.steps:
        if seen_short:
            assert s.amount == 0, s.code
        seen_short = seen_short or s.shortfall > 0
    loan = d.step("special_loan_principal").amount + d.step("special_loan_interest").amount
    assert loan + d.step("entity").amount <= fee - paid
    dues = [d.step(c).due for c in ("special_loan_principal", "special_loan_interest", "entity")]
    assert None not in dues and sum(x for x in dues if x is not None) == fee - paid
    assert d.shortfall == sum(s.shortfall for s in d.steps)
    json.dumps(d.as_dict())
