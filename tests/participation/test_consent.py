"""Consent units and the willingness gate (意愿征询, 中山 §四5(2)): every threshold exactly at,
just below and just above, strict versus non-strict comparisons, withdrawals, nested state-land
parcels, bad input, and property tests against an independent integer-arithmetic formulation."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from landrenew.core.errors import InputError
from landrenew.participation import (
    latest_consents,
    unit_consent,
    willingness_gate,
    willingness_rules,
)
from landrenew.participation.records import latest_with

RULES = willingness_rules("442000", dt.date(2025, 6, 1))


# ------------------------------------------------------------------------------------------------
# builders


def vote(body: str, eligible: int, present: int, in_favour: int, **extra: Any) -> dict[str, Any]:
    return {"kind": "collective", "id": extra.pop("id", "C1"),
            "vote": {"body": body, "eligible": eligible, "present": present,
                     "in_favour": in_favour, **extra}}


def consents(ids: list[str]) -> list[dict[str, str]]:
    return [{"subject": i, "action": "consent"} for i in ids]


def condo(areas: Sequence[str | int], yes: list[int], uid: str = "B1",
          area: str | None = None) -> dict[str, Any]:
    owners = [{"id": f"O{i}", "exclusive_area": a} for i, a in enumerate(areas)]
    unit: dict[str, Any] = {"kind": "condominium", "id": uid, "owners": owners,
                            "records": consents([f"O{i}" for i in yes])}
    if area is not None:
        unit["area"] = area
    return unit


def holder(uid: str, area: str | None, consent: bool) -> dict[str, Any]:
    unit: dict[str, Any] = {"kind": "single_holder", "id": uid, "owners": [{"id": f"{uid}-H"}],
                            "records": consents([f"{uid}-H"]) if consent else []}
    if area is not None:
        unit["area"] = area
    return unit


def decide(unit: dict[str, Any]) -> bool:
    return unit_consent(unit, RULES).allowed


# ------------------------------------------------------------------------------------------------
# the pack


def test_pack_carries_every_threshold_with_clause_and_basis() -> None:
    expected = {
        "villagers_meeting_quorum_adults": "1/2", "villagers_meeting_quorum_households": "2/3",
        "villagers_meeting_decision": "1/2", "representatives_meeting_quorum": "2/3",
        "representatives_meeting_decision": "1/2", "members_assembly_quorum": "2/3",
        "members_assembly_decision": "2/3", "operating_land_transfer_consent": "2/3",
        "condominium_area_ratio": "2/3", "condominium_household_ratio": "2/3",
        "state_parcels_area_ratio": "2/3",
    }
    document = {"condominium_area_ratio", "condominium_household_ratio",
                "state_parcels_area_ratio"}  # the Zhongshan draft's own numbers (b, c)
    for name, fraction in expected.items():
        param = RULES.param(name)
        basis = "document" if name in document else "national"  # (a): the laws it names
        assert param.fraction == fraction and param.clause and param.basis == basis, name
    assert RULES.param("single_holder_consent").exact == 1
    assert RULES.param("co_owned_consent").exact == 1
    assert "第二十二条" in RULES.param("villagers_meeting_decision").clause
    assert "第六十三条" in RULES.param("operating_land_transfer_consent").clause
    assert "§四5(2)c" in RULES.param("state_parcels_area_ratio").clause
    # clauses wrap in the YAML without a stray space inside the Chinese text
    assert "权利人且占总户数" in RULES.param("condominium_area_ratio").clause


# ------------------------------------------------------------------------------------------------
# collective land


@pytest.mark.parametrize(("eligible", "present", "in_favour", "allowed"), [
    (100, 50, 50, False),   # exactly half the adults present: quorum is "more than half"
    (100, 51, 26, True),    # just above on both
    (100, 51, 25, False),   # 25 of 51 is below half
    (101, 51, 26, True),    # 51 of 101 is more than half
    (100, 100, 50, False),  # exactly half of those present: decision is "more than half"
    (100, 100, 51, True),
    (1, 1, 1, True),
    (1, 0, 0, False),
])
def test_villagers_meeting_strict_majorities(eligible: int, present: int, in_favour: int,
                                             allowed: bool) -> None:
    assert decide(vote("villagers_meeting", eligible, present, in_favour)) is allowed


def test_villagers_meeting_quorum_by_households_is_an_alternative() -> None:
    # only 40 % of the adults, but exactly 2/3 of the households are represented: quorum met
    at = vote("villagers_meeting", 100, 40, 21, households_total=30, households_present=20)
    below = vote("villagers_meeting", 100, 40, 21, households_total=30, households_present=19)
    assert decide(at) and not decide(below)
    decision = unit_consent(below, RULES)
    assert decision.failing_groups == ("quorum",)
    quorum = [c for c in decision.checks if c.group == "quorum"]
    assert [c.name for c in quorum] == ["quorum_adults", "quorum_households"]
    assert [c.strict for c in quorum] == [True, False]
    assert " 或 " in decision.explain() and " or " in decision.explain()


@pytest.mark.parametrize(("present", "in_favour", "allowed"), [
    (20, 11, True),    # exactly 2/3 of 30 representatives attend, 11 of 20 is more than half
    (19, 19, False),   # one short of the quorum
    (20, 10, False),   # exactly half of those present
    (21, 11, True),
])
def test_representatives_meeting(present: int, in_favour: int, allowed: bool) -> None:
    assert decide(vote("representatives_meeting", 30, present, in_favour)) is allowed


@pytest.mark.parametrize(("present", "in_favour", "allowed"), [
    (20, 20, True),    # 2/3 attend and 2/3 of ALL members in favour
    (30, 19, False),   # 19 of 30 present is 63 %, but the base is all members: short
    (19, 19, False),   # one short of the quorum
    (30, 20, True),
    (29, 21, True),
])
def test_members_assembly_counts_all_members(present: int, in_favour: int, allowed: bool) -> None:
    decision = unit_consent(vote("members_assembly", 30, present, in_favour), RULES)
    assert decision.allowed is allowed
    decision_check = next(c for c in decision.checks if c.group == "decision")
    assert decision_check.base == 30 and not decision_check.strict


def test_operating_land_transfer_needs_two_thirds_of_all_members() -> None:
    general = vote("villagers_meeting", 90, 60, 59)
    assert decide(general)
    transfer = vote("villagers_meeting", 90, 60, 59, matter="operating_land_transfer")
    assert not decide(transfer)   # 59 < 60 = 2/3 of 90
    assert decide(vote("villagers_meeting", 90, 60, 60, matter="operating_land_transfer"))
    # the quorum still applies
    assert not decide(vote("villagers_meeting", 90, 45, 45, matter="operating_land_transfer"))
    reps = vote("representatives_meeting", 30, 30, 20, matter="operating_land_transfer")
    assert decide(reps)
    reps_short = vote("representatives_meeting", 30, 30, 19, matter="operating_land_transfer")
    decision = unit_consent(reps_short, RULES)
    assert not decision.allowed
    assert decision.checks[-1].rule == "zhongshan-willingness:operating_land_transfer_consent"


# ------------------------------------------------------------------------------------------------
# state land held by one, several, or many owners


def test_single_holder_and_withdrawal() -> None:
    unit = holder("S1", None, True)
    assert decide(unit)
    unit["records"].append({"subject": "S1-H", "action": "withdraw"})
    assert not decide(unit)
    unit["records"].append({"subject": "S1-H", "action": "consent"})
    assert decide(unit)
    unit["records"].append({"subject": "S1-H", "action": "refuse"})
    assert not decide(unit)
    decision = unit_consent(holder("S2", None, True), RULES)
    assert decision.checks[0].rule == "zhongshan-willingness:single_holder_consent"
    assert decision.checks[0].clause == RULES.param("single_holder_consent").clause


def test_co_owned_needs_everyone() -> None:
    unit: dict[str, Any] = {"kind": "co_owned", "id": "G1",
                            "owners": [{"id": "A"}, {"id": "B"}, {"id": "C"}],
                            "records": consents(["A", "B", "OUTSIDER"])}
    assert not decide(unit)
    unit["records"].append({"subject": "C", "action": "consent"})
    assert decide(unit)
    unit["records"].append({"subject": "A", "action": "withdraw"})
    assert not decide(unit)


def test_condominium_exactly_two_thirds_of_area_and_households_passes() -> None:
    # 6 households, 4 consent (2/3) holding 200 of 300 m² (2/3)
    unit = condo(["50", "50", "50", "50", "50", "50"], [0, 1, 2, 3])
    decision = unit_consent(unit, RULES)
    assert decision.allowed
    area, households = decision.checks
    assert (area.counted, area.base) == (Decimal("200"), Decimal("300"))
    assert (households.counted, households.base) == (4, 6)
    assert area.ratio == Decimal("0.6667") and area.fraction == "2/3"


def test_condominium_two_thirds_of_area_but_one_household_short_fails() -> None:
    # 3 of 6 households consent, but they hold 200 of 300 m²
    unit = condo(["100", "50", "50", "25", "25", "50"], [0, 1, 2])
    decision = unit_consent(unit, RULES)
    assert not decision.allowed
    assert decision.failing_groups == ("households",)
    assert decision.checks[0].passed and not decision.checks[1].passed


def test_condominium_area_a_hundredth_of_a_square_metre_short_fails() -> None:
    # 4 of 6 households, 199.99 of 300 m²: just under; 200.01 of 300: just over
    short = condo(["49.99", "50", "50", "50", "50.01", "50"], [0, 1, 2, 3])
    over = condo(["50.01", "50", "50", "50", "49.99", "50"], [0, 1, 2, 3])
    assert unit_consent(short, RULES).failing_groups == ("area",)
    assert decide(over)


def test_condominium_withdrawal_undoes_consent() -> None:
    unit = condo(["50"] * 6, [0, 1, 2, 3])
    assert decide(unit)
    unit["records"].append({"subject": "O3", "action": "withdraw"})
    assert not decide(unit)
    assert latest_consents([f"O{i}" for i in range(6)], unit["records"]) == {"O0", "O1", "O2"}


# ------------------------------------------------------------------------------------------------
# several state-land parcels


def test_state_parcels_with_mixed_parcels() -> None:
    parcels = [
        holder("P1", "400", True),                                    # passes, 400 m²
        condo(["60", "60", "60"], [0, 1], uid="P2", area="200"),      # passes, 200 m²
        {"kind": "co_owned", "id": "P3", "area": "300",               # fails: one co-owner missing
         "owners": [{"id": "X"}, {"id": "Y"}], "records": consents(["X"])},
    ]
    unit = {"kind": "state_parcels", "id": "S", "parcels": parcels}
    decision = unit_consent(unit, RULES)
    assert [p.allowed for p in decision.parts] == [True, True, False]
    check = decision.checks[0]
    assert (check.counted, check.base) == (Decimal("600"), Decimal("900"))
    assert decision.allowed            # exactly 2/3 by area
    parcels[0]["area"] = "399.99"
    assert not decide(unit)            # just under
    parcels[0]["area"] = "400.01"
    assert decide(unit)


def test_state_parcels_nest() -> None:
    inner = {"kind": "state_parcels", "id": "INNER", "area": "100",
             "parcels": [holder("A", "70", True), holder("B", "30", False)]}
    outer = {"kind": "state_parcels", "id": "OUTER",
             "parcels": [inner, holder("C", "60", False)]}
    decision = unit_consent(outer, RULES)
    assert decision.parts[0].allowed              # 70 of 100 ≥ 2/3
    assert [p.unit_id for p in decision.parts[0].parts] == ["A", "B"]
    assert not decision.allowed                   # 100 of 160 < 2/3
    assert "[INNER ✓, C ✗]" in decision.explain()


def test_state_parcels_nest_exact() -> None:
    inner = {"kind": "state_parcels", "id": "INNER", "area": "120",
             "parcels": [holder("A", "70", True), holder("B", "30", False)]}
    closed: dict[str, Any] = {"kind": "state_parcels", "id": "OUTER",
              "parcels": [inner, holder("C", "61", False)]}
    assert not decide(closed)                     # 120 of 181 < 2/3
    closed["parcels"][1]["area"] = "60"
    assert decide(closed)                         # 120 of 180 = 2/3


# ------------------------------------------------------------------------------------------------
# the project's gate


def test_gate_needs_every_unit_and_reports_each() -> None:
    units = [vote("villagers_meeting", 100, 60, 40),
             condo(["50"] * 6, [0, 1, 2, 3]),
             {"kind": "state_parcels", "id": "S",
              "parcels": [holder("P1", "200", True), holder("P2", "100", False)]}]
    gate = willingness_gate(units, RULES)
    assert gate.allowed and (gate.passed, gate.total) == (3, 3)
    assert gate.rule == "zhongshan-willingness:project_units_share"
    units[1]["records"].append({"subject": "O0", "action": "withdraw"})
    gate = willingness_gate(units, RULES)
    assert not gate.allowed and gate.failing == ("B1",)
    assert "2 of 3" in gate.explain() and "成熟一个，推进一个" in gate.explain()
    doc = gate.as_dict()
    assert json.loads(json.dumps(doc, ensure_ascii=False)) == doc
    condo_doc = doc["units"][1]
    assert condo_doc["checks"][0]["counted"] == "150.00"      # Decimals as strings
    assert condo_doc["checks"][1]["counted"] == 3              # counts as integers
    assert condo_doc["checks"][0]["ratio"] == "0.5000"
    assert condo_doc["checks"][0]["threshold"] == "0.6667"
    assert condo_doc["failing"] == ["area", "households"]
    assert doc["units"][2]["parts"][0]["area"] == "200.00"
    assert "✗" in condo_doc["explanation"] and "|" in condo_doc["explanation"]


def test_gate_with_no_units_stays_closed() -> None:
    gate = willingness_gate([], RULES)
    assert not gate.allowed and gate.total == 0
    assert "no consent units" in gate.explain()


# ------------------------------------------------------------------------------------------------
# bad input names the field


@pytest.mark.parametrize(("units", "field"), [
    ([{"kind": "leasehold", "id": "X"}], "units[0].kind"),
    ([{"id": "X"}], "units[0].kind"),
    ([{"kind": "single_holder", "owners": [{"id": "A"}]}], "units[0].id"),
    ([vote("parliament", 10, 5, 5)], "units[0].vote.body"),
    ([vote("villagers_meeting", 10, 11, 5)], "units[0].vote.present"),
    ([vote("villagers_meeting", 10, 5, 6)], "units[0].vote.in_favour"),
    ([vote("villagers_meeting", 0, 0, 0)], "units[0].vote.eligible"),
    ([vote("villagers_meeting", 10, 5.0, 5)], "units[0].vote.present"),  # type: ignore[arg-type]
    ([vote("villagers_meeting", 10, True, 1)], "units[0].vote.present"),
    ([vote("villagers_meeting", 10, 5, 5, matter="sale")], "units[0].vote.matter"),
    ([vote("villagers_meeting", 10, 5, 5, households_total=3, households_present=4)],
     "units[0].vote.households_present"),
    ([vote("villagers_meeting", 10, 5, 5, households_total=3)],
     "units[0].vote.households_present"),
    ([vote("members_assembly", 10, 5, 5, households_total=3, households_present=2)],
     "units[0].vote.households_total"),
    ([{"kind": "collective", "id": "C"}], "units[0].vote"),
    ([{"kind": "single_holder", "id": "S", "owners": [{"id": "A"}, {"id": "B"}]}],
     "units[0].owners"),
    ([{"kind": "co_owned", "id": "S", "owners": []}], "units[0].owners"),
    ([{"kind": "co_owned", "id": "S", "owners": [{"id": "A"}, {"id": "A"}]}],
     "units[0].owners[1].id"),
    ([condo(["50", "-1"], [])], "units[0].owners[1].exclusive_area"),
    ([condo(["50", "abc"], [])], "units[0].owners[1].exclusive_area"),
    ([condo(["50", "NaN"], [])], "units[0].owners[1].exclusive_area"),
    ([{"kind": "condominium", "id": "B", "owners": [{"id": "A"}]}],
     "units[0].owners[0].exclusive_area"),
    ([{"kind": "co_owned", "id": "S", "owners": [{"id": "A"}],
       "records": [{"subject": "A", "action": "sign"}]}], "units[0].records[0].action"),
    ([{"kind": "state_parcels", "id": "S", "parcels": []}], "units[0].parcels"),
    ([{"kind": "state_parcels", "id": "S", "parcels": [holder("P1", None, True)]}],
     "units[0].parcels[0].area"),
    ([{"kind": "state_parcels", "id": "S", "parcels": [{**vote("villagers_meeting", 1, 1, 1),
                                                        "area": "10"}]}],
     "units[0].parcels[0].kind"),
    ([{"kind": "state_parcels", "id": "S",
       "parcels": [holder("P1", "10", True), holder("P1", "10", True)]}],
     "units[0].parcels[1].id"),
    ([holder("S1", None, True), holder("S1", None, True)], "units[1].id"),
])
def test_bad_input_names_the_field(units: list[dict[str, Any]], field: str) -> None:
    with pytest.raises(InputError) as err:
        willingness_gate(units, RULES)
    assert err.value.field == field
    assert field in str(err.value)


def test_units_must_be_a_list() -> None:
    with pytest.raises(InputError) as err:
        willingness_gate({"kind": "collective"}, RULES)  # type: ignore[dict-item]
    assert err.value.field == "units"


# ------------------------------------------------------------------------------------------------
# property tests: the gate agrees with plain integer arithmetic


@st.composite
def meetings(draw: st.DrawFn) -> dict[str, Any]:
    eligible = draw(st.integers(min_value=1, max_value=300))
    present = draw(st.integers(min_value=0, max_value=eligible))
    in_favour = draw(st.integers(min_value=0, max_value=present))
    body = draw(st.sampled_from(["villagers_meeting", "representatives_meeting",
                                 "members_assembly"]))
    matter = draw(st.sampled_from(["general", "operating_land_transfer"]))
    extra: dict[str, Any] = {"matter": matter}
    if body == "villagers_meeting" and draw(st.booleans()):
        hh_total = draw(st.integers(min_value=1, max_value=120))
        extra.update(households_total=hh_total,
                     households_present=draw(st.integers(min_value=0, max_value=hh_total)))
    return vote(body, eligible, present, in_favour, **extra)


def expected_collective(v: dict[str, Any]) -> bool:
    body, n, p, y = v["body"], v["eligible"], v["present"], v["in_favour"]
    if body == "villagers_meeting":
        quorum = 2 * p > n or ("households_total" in v
                               and 3 * v["households_present"] >= 2 * v["households_total"])
    else:
        quorum = 3 * p >= 2 * n
    if body == "members_assembly" or v["matter"] == "operating_land_transfer":
        passed = 3 * y >= 2 * n
    else:
        passed = 2 * y > p
    return quorum and passed


@settings(max_examples=300)
@given(meetings())
def test_collective_matches_integer_rules(unit: dict[str, Any]) -> None:
    assert decide(unit) is expected_collective(unit["vote"])


@given(st.lists(st.tuples(st.integers(min_value=1, max_value=50_000), st.booleans()),
                min_size=1, max_size=40))
def test_condominium_matches_integer_rules(owners: list[tuple[int, bool]]) -> None:
    # areas in hundredths of a square metre, handed over as text
    areas = [f"{cents // 100}.{cents % 100:02d}" for cents, _ in owners]
    yes = [i for i, (_, ok) in enumerate(owners) if ok]
    total = sum(c for c, _ in owners)
    agreed = sum(c for c, ok in owners if ok)
    expected = 3 * agreed >= 2 * total and 3 * len(yes) >= 2 * len(owners)
    assert decide(condo(areas, yes)) is expected


@given(st.lists(st.tuples(st.integers(min_value=1, max_value=10**7), st.booleans()),
                min_size=1, max_size=20))
def test_state_parcels_match_integer_rules(parcels: list[tuple[int, bool]]) -> None:
    unit = {"kind": "state_parcels", "id": "S",
            "parcels": [holder(f"P{i}", str(a), ok) for i, (a, ok) in enumerate(parcels)]}
    total = sum(a for a, _ in parcels)
    ready = sum(a for a, ok in parcels if ok)
    assert decide(unit) is (3 * ready >= 2 * total)


@given(st.lists(st.tuples(st.sampled_from(["A", "B", "C"]),
                          st.sampled_from(["consent", "withdraw", "refuse"])), max_size=30))
def test_latest_record_per_person_wins(history: list[tuple[str, str]]) -> None:
    records = [{"subject": s, "action": a} for s, a in history]
    last: dict[str, str] = {}
    for s, a in history:
        last[s] = a
    expected = {s for s, a in last.items() if a == "consent"}
    assert latest_consents(["A", "B", "C"], records) == expected
    assert latest_consents(["A", "B"], records) == latest_with(["A", "B"], records, "consent")
    unit = {"kind": "co_owned", "id": "G", "owners": [{"id": "A"}, {"id": "B"}, {"id": "C"}],
            "records": records}
    assert decide(unit) is (expected == {"A", "B", "C"})


# ------------------------------------------------------------------------------------------------
# periods: the Rural Collective Economic Organisation Law (2024) applies from 2025-05-01


def test_the_members_assembly_follows_the_rules_of_the_day_it_met() -> None:
    """Before 2025-05-01 Guangdong's own rules applied (initial values a bureau confirms): half
    the members present, half of those present in favour; from that day the 2024 law: two
    thirds present, two thirds of ALL members in favour."""
    before = willingness_rules("442000", dt.date(2025, 4, 30))
    after = willingness_rules("442000", dt.date(2025, 5, 1))
    assert (before.id, after.id) == ("zhongshan-willingness-2024", "zhongshan-willingness")
    assert before.param("members_assembly_quorum").basis == "local_initial"
    assert after.param("members_assembly_decision").basis == "national"
    # 30 members, 15 present, 8 in favour: passes the earlier rules, not the 2024 law
    unit = vote("members_assembly", 30, 15, 8)
    assert unit_consent(unit, before).allowed
    assert not unit_consent(unit, after).allowed
    # 7 of 15 present in favour: under half of those present
    assert not unit_consent(vote("members_assembly", 30, 15, 7), before).allowed
    # the other bodies are the same in both periods
    assert before.param("villagers_meeting_decision") == after.param("villagers_meeting_decision")


def test_a_gate_judges_a_vote_by_the_rules_of_its_day() -> None:
    before = willingness_rules("442000", dt.date(2025, 1, 10))
    unit = vote("members_assembly", 30, 15, 8)
    assert not willingness_gate([unit], RULES).allowed
    gate = willingness_gate([unit], RULES, unit_rules={unit["id"]: before})
    assert gate.allowed and gate.pack == RULES.id and gate.draft
