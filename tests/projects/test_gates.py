"""The demolition gate (拆除闸口): exactly at, just below and above 80 %, withdrawals, and a
property test over every signed/total pair."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from landrenew.core import packs
from landrenew.core.packmodels import ParameterPack
from landrenew.projects.gates import demolition_gate, latest_with, signed_people

RULES = packs.load("guangzhou-renewal", ParameterPack)


def people(n: int) -> list[str]:
    return [f"P{i:04d}" for i in range(n)]


def signs(ids: list[str]) -> list[dict[str, str]]:
    return [{"subject": p, "action": "sign"} for p in ids]


def test_the_threshold_comes_from_the_pack_with_its_clause() -> None:
    param = RULES.param("demolition_signing_ratio")
    assert param.value == Decimal("0.8") and "80%" in param.clause
    gate = demolition_gate(people(5), signs(people(4)), RULES)
    assert gate.rule == "guangzhou-renewal:demolition_signing_ratio"
    assert gate.clause == param.clause


@pytest.mark.parametrize(("signed", "total", "allowed"), [
    (4, 5, True),      # exactly 80 %
    (79, 100, False),  # just below
    (80, 100, True),   # exactly
    (81, 100, True),   # just above
    (799, 1000, False),
    (800, 1000, True),
    (0, 1, False),
    (1, 1, True),
    (3, 4, False),     # 75 %
])
def test_gate_at_below_and_above(signed: int, total: int, allowed: bool) -> None:
    gate = demolition_gate(people(total), signs(people(signed)), RULES)
    assert gate.allowed is allowed
    assert (gate.signed, gate.total) == (signed, total)
    assert gate.threshold == Decimal("0.8")
    assert gate.as_dict()["ratio"] == pytest.approx(signed / total, abs=5e-5)


def test_nobody_listed_keeps_the_gate_closed() -> None:
    gate = demolition_gate([], [], RULES)
    assert not gate.allowed and gate.total == 0 and gate.ratio == 0


def test_withdrawal_undoes_a_signature_and_others_do_not_count() -> None:
    ids = people(5)
    records = [*signs(ids[:4]), {"subject": "OUTSIDER", "action": "sign"}]
    assert demolition_gate(ids, records, RULES).allowed
    records.append({"subject": ids[3], "action": "withdraw"})
    closed = demolition_gate(ids, records, RULES)
    assert not closed.allowed and closed.signed == 3
    assert "3 of 5" in closed.explain() and "80%" in closed.explain()
    records.append({"subject": ids[3], "action": "sign"})
    assert demolition_gate(ids, records, RULES).allowed
    assert signed_people(ids, records) == set(ids[:4])


@given(st.integers(min_value=1, max_value=400).flatmap(
    lambda n: st.tuples(st.just(n), st.integers(min_value=0, max_value=n))))
def test_gate_is_exactly_signed_over_total_at_least_four_fifths(nk: tuple[int, int]) -> None:
    total, signed = nk
    gate = demolition_gate(people(total), signs(people(signed)), RULES)
    assert gate.allowed == (5 * signed >= 4 * total)
    exact = Decimal(signed) / Decimal(total)
    assert gate.ratio == exact.quantize(Decimal("0.0001"), ROUND_HALF_UP)
    assert abs(gate.ratio - exact) <= Decimal("0.00005")


@given(st.lists(st.tuples(st.integers(0, 9), st.booleans()), max_size=60))
def test_signed_is_the_last_action_of_each_person(actions: list[tuple[int, bool]]) -> None:
    ids = people(10)
    records = [{"subject": ids[i], "action": "sign" if s else "withdraw"} for i, s in actions]
    last: dict[str, bool] = {}
    for i, s in actions:
        last[ids[i]] = s
    assert signed_people(ids, records) == {p for p, s in last.items() if s}


@given(st.lists(st.tuples(st.integers(0, 3), st.sampled_from(["sign", "withdraw", "consent"])),
                max_size=40))
def test_latest_with_is_the_last_action_of_each_listed_person(
        actions: list[tuple[int, str]]) -> None:
    ids = people(4)
    records = [{"subject": ids[i], "action": a} for i, a in actions]
    last: dict[str, str] = {}
    for i, a in actions:
        last[ids[i]] = a
    for action in ("sign", "consent"):
        expected = {p for p, a in last.items() if a == action and p in ids[:3]}
        assert latest_with(ids[:3], records, action) == expected
    assert signed_people(ids, records) == latest_with(ids, records, "sign")
