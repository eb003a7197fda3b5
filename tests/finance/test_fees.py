"""Service fee (服务费), storage fee (收储费用) and payment milestones (支付节点)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from landrenew.core import packs
from landrenew.core.errors import InputError
from landrenew.finance.fees import Milestone, payment_schedule, service_fee, storage_fee
from landrenew.finance.packs import ConsolidationMoneyPack

PACK = packs.load("zhongshan-consolidation-money", ConsolidationMoneyPack)


def test_service_fee_exact() -> None:
    # 123 456 789.01 × 3.5 % = 4 320 987.615 35 → 4 320 987.62
    fee = service_fee("123456789.01", "3.5%", PACK)
    assert fee.base == Decimal("4320987.62") and fee.reward == Decimal("0")
    assert fee.total == Decimal("4320987.62")
    assert fee.rule == "zhongshan-consolidation-money:service_fee"
    assert "一定比例" in fee.clause


def test_service_fee_with_reward_rate_and_storage_fee() -> None:
    # reward 0.5 % × 123 456 789.01 = 617 283.945 05 → 617 283.95
    fee = storage_fee("123456789.01", Decimal("0.035"), PACK, reward_rate="0.005")
    assert fee.service.base == Decimal("4320987.62")
    assert fee.service.reward == Decimal("617283.95")
    assert fee.service.total == Decimal("4938271.57")
    assert fee.total == Decimal("128395060.58")  # 123 456 789.01 + 4 938 271.57
    assert "土地整备成本+服务费用" in fee.clause
    data = json.loads(json.dumps(fee.as_dict()))
    assert data["total"] == "128395060.58" and data["service_fee"]["rate"] == "0.035"
    assert data["service_fee"]["reward_rate"] == "0.005"


def test_reward_amount_and_half_up() -> None:
    # 0.10 × 5 % = 0.005 → 0.01 half up (banker's rounding would give 0.00)
    fee = storage_fee("0.10", "0.05", PACK, reward_amount="100")
    assert fee.service.base == Decimal("0.01")
    assert fee.service.total == Decimal("100.01") and fee.total == Decimal("100.11")


def test_reward_amount_and_rate_together_refused() -> None:
    with pytest.raises(InputError) as info:
        service_fee("100", "0.05", PACK, reward_amount="1", reward_rate="0.01")
    assert info.value.code == "reward_ambiguous"


def test_fee_inputs_refuse_floats() -> None:
    with pytest.raises(InputError) as info:
        service_fee(1000000.0, "0.05", PACK)
    assert (info.value.code, info.value.field) == ("float_refused", "audited_cost")
    with pytest.raises(InputError) as info:
        service_fee("1000000", 0.05, PACK)
    assert (info.value.code, info.value.field) == ("float_refused", "service_fee_rate")


def test_milestones_by_share() -> None:
    sched = payment_schedule("100.00", [
        Milestone("协议签订", "1/3", due="签订土地交储协议后"),
        Milestone("入库", "1/3", due=dt.date(2026, 6, 30)),
        Milestone("出让", "1/3", due="土地出让后"),
    ], PACK)
    assert [p.amount for p in sched.payments] == [Decimal("33.34"), Decimal("33.33"),
                                                  Decimal("33.33")]
    data = json.loads(json.dumps(sched.as_dict()))
    assert data["payments"][1]["due"] == "2026-06-30"
    assert "支付节点" in sched.clause


def test_fixed_amount_then_shares_of_the_rest() -> None:
    sched = payment_schedule("1000.00", [
        Milestone("首付", amount="100.00"), Milestone("余款A", "50%"), Milestone("余款B", "50%"),
    ], PACK)
    assert [p.amount for p in sched.payments] == [Decimal("100.00"), Decimal("450.00"),
                                                  Decimal("450.00")]


def test_amounts_only_must_add_up() -> None:
    ok = payment_schedule("10.00", [Milestone("a", amount="4"), Milestone("b", amount="6")], PACK)
    assert sum(p.amount for p in ok.payments) == Decimal("10.00")
    with pytest.raises(InputError) as info:
        payment_schedule("10.00", [Milestone("a", amount="4"), Milestone("b", amount="5.99")],
                         PACK)
    assert info.value.code == "milestones_do_not_add_up"


@pytest.mark.parametrize("shares", [["30%", "30%", "30%"], ["0.5", "0.5", "0.01"], ["1/3"] * 2])
def test_shares_not_100_percent_refused(shares: list[str]) -> None:
    with pytest.raises(InputError) as info:
        payment_schedule("1000", [Milestone(f"m{i}", s) for i, s in enumerate(shares)], PACK)
    assert info.value.code == "shares_not_100_percent"


@pytest.mark.parametrize(("milestone", "code"), [
    (Milestone("x"), "milestone_share_or_amount"),
    (Milestone("x", share="1", amount="1"), "milestone_share_or_amount"),
    (Milestone("x", share=0.5), "float_refused"),
    (Milestone("", share="1"), "missing_milestone_name"),
    (Milestone("x", share="0"), "non_positive_share"),
])
def test_bad_milestones(milestone: Milestone, code: str) -> None:
    with pytest.raises(InputError) as info:
        payment_schedule("100", [milestone], PACK)
    assert info.value.code == code


def test_fixed_amounts_above_total_refused() -> None:
    with pytest.raises(InputError) as info:
        payment_schedule("100", [Milestone("a", amount="101"), Milestone("b", "1")], PACK)
    assert info.value.code == "milestones_exceed_total"


@given(st.integers(min_value=0, max_value=10**13),
       st.lists(st.integers(min_value=1, max_value=10**5), min_size=1, max_size=10))
def test_milestones_add_up_to_the_fen_for_any_shares(total_fen: int, weights: list[int]) -> None:
    total = Decimal(total_fen) / 100
    whole = sum(weights)
    milestones = [Milestone(f"节点{i}", f"{w}/{whole}") for i, w in enumerate(weights)]
    sched = payment_schedule(total, milestones, PACK)
    assert sum(p.amount for p in sched.payments) == total
    for p, w in zip(sched.payments, weights, strict=True):
        assert p.share == Fraction(w, whole)
        assert p.amount >= 0
        assert abs(Fraction(p.amount) - Fraction(total_fen, 100) * Fraction(w, whole)) < \
            Fraction(1, 100)


@given(st.integers(min_value=0, max_value=10**13),
       st.lists(st.integers(min_value=1, max_value=9999), min_size=1, max_size=6))
def test_percent_shares_in_basis_points(total_fen: int, cuts: list[int]) -> None:
    points = sorted(set(cuts))
    bps = [b - a for a, b in zip([0, *points], [*points, 10000], strict=True)]
    milestones = [Milestone(f"m{i}", f"{Decimal(bp) / 100}%") for i, bp in enumerate(bps)]
    sched = payment_schedule(Decimal(total_fen) / 100, milestones, PACK)
    assert sum(p.amount for p in sched.payments) == Decimal(total_fen) / 100
