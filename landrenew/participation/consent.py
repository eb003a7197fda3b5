"""Consent units and the willingness gate (意愿征询, 中山 §四 5(2)) as pure functions over plain data.

A project's willingness is decided per *consent unit*; "成熟一个，推进一个": the project's gate opens
only when every unit meets its own condition. Unit kinds and their conditions (the numbers are the
parameters of the place's ``willingness`` pack, each with its clause and basis):

``collective`` (集体土地, §四5(2)a)
    A vote record ``{"body", "matter", "eligible", "present", "in_favour", "households_total",
    "households_present"}``. ``body`` is ``villagers_meeting`` (村民会议: quorum more than 1/2 of
    the villagers aged 18+ *or* at least 2/3 of the households; decision more than 1/2 of those
    present), ``representatives_meeting`` (村民代表会议: quorum at least 2/3 of the
    representatives; decision more than 1/2 of those present) or ``members_assembly``
    (成员大会: quorum at least 2/3 of the members; decision at least 2/3 of ALL members).
    ``matter`` is ``general`` (default) or ``operating_land_transfer`` (集体经营性建设用地出让、出租,
    土地管理法 art. 63): the decision then needs at least 2/3 of ALL members of the villagers'
    meeting or of ALL representatives, the quorum still applying (a members' assembly needs 2/3
    of all members anyway). ``eligible`` is the meeting's
    membership (villagers aged 18+, representatives, or members); the household counts are for
    the villagers' meeting only, both or neither.
``single_holder`` (单一权利人) / ``co_owned`` (共有) / ``condominium`` (建筑物区分所有权), §四5(2)b
    ``owners``: ``[{"id", "exclusive_area"}]`` (one entry per owner household, 户; the exclusive
    floor area in m² is required for condominiums) and ``records``: ``[{"subject", "action"}]`` in
    ledger order, ``action`` one of consent | withdraw | refuse. The latest record per owner wins:
    a withdrawal after a consent undoes it (as ``signed_people`` in ``projects.gates``); records
    about people who are not owners of the unit are ignored. A single holder must consent; all
    co-owners must consent; a condominium needs owners of at least 2/3 of the exclusive floor area
    AND at least 2/3 of the households.
``state_parcels`` (多宗国有土地, §四5(2)c)
    ``parcels``: a list of units (single_holder, co_owned, condominium or, recursively,
    state_parcels), each with its land ``area`` in m². The parcels that meet their own condition
    must make up at least 2/3 of the parcels' total area.

Every unit has an ``id``. Comparisons are exact (:class:`~fractions.Fraction`): "more than"
(过半数) is strict, "at least" (以上) includes the number itself. Bad input raises
:class:`~landrenew.core.errors.InputError` naming the field, e.g. ``units[1].vote.present``.

The decisions (:class:`Check`, :class:`UnitDecision`, :class:`WillingnessDecision`) and their
JSON are in :mod:`landrenew.participation.decisions`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from landrenew.core import packs
from landrenew.core.errors import InputError
from landrenew.core.packmodels import ParameterPack
from landrenew.participation.decisions import (
    UNIT_KINDS,
    Check,
    UnitDecision,
    WillingnessDecision,
    groups,
)
from landrenew.participation.records import latest_with

BODIES: dict[str, tuple[str, str]] = {
    "villagers_meeting": ("村民会议", "villagers' meeting"),
    "representatives_meeting": ("村民代表会议", "villager representatives' meeting"),
    "members_assembly": ("集体经济组织成员大会", "members' assembly"),
}
MATTERS = ("general", "operating_land_transfer")
ACTIONS = ("consent", "withdraw", "refuse")
PARCEL_KINDS = ("single_holder", "co_owned", "condominium", "state_parcels")

RATIO_PLACES = Decimal("0.0001")


def willingness_rules(place: str, on: dt.date) -> ParameterPack:
    """The willingness conditions (kind ``willingness``) in force at ``place`` on ``on``;
    :class:`~landrenew.core.packs.NoRules` where the place has none."""
    return packs.resolve_load("willingness", place, on, ParameterPack)


# ------------------------------------------------------------------------------------------------
# gates


def willingness_gate(units: Iterable[Mapping[str, Any]], rules: ParameterPack, *,
                     unit_rules: Mapping[str, ParameterPack] | None = None
                     ) -> WillingnessDecision:
    """意愿征询闸口 (中山 §四5(2)): decide every unit and open only when all of them meet their
    condition. Several state-land parcels belong in one ``state_parcels`` unit (rule c, 2/3 by
    area); given as separate units, each would have to pass on its own. A project with no units
    stays closed (nothing to measure). ``unit_rules`` gives a unit (by id) the rules of another
    day — a collective vote is judged by the rules in force when it was held."""
    if isinstance(units, (str, bytes, Mapping)) or not isinstance(units, Iterable):
        raise InputError("units must be a list of consent units", field="units")
    decisions = tuple(_decide_all(list(units), "units", rules, kinds=tuple(UNIT_KINDS),
                                  unit_rules=unit_rules or {}))
    param = rules.param("project_units_share")
    passed = sum(d.allowed for d in decisions)
    total = len(decisions)
    allowed = total > 0 and Fraction(passed, total) >= param.exact
    return WillingnessDecision(allowed, decisions, passed, total,
                               f"{rules.id}:project_units_share", param.clause, rules.id,
                               rules.version, rules.issued_on is None)


def unit_consent(unit: Mapping[str, Any], rules: ParameterPack, *,
                 field: str = "unit") -> UnitDecision:
    """Decide one consent unit (any kind); ``field`` names it in errors."""
    return _decide(unit, field, rules, tuple(UNIT_KINDS))


def latest_consents(owners: Iterable[str], records: Iterable[Mapping[str, Any]]) -> set[str]:
    """Owners whose latest record is a consent (a later withdraw or refuse undoes it); records
    about anyone else are ignored. ``records`` in ledger order, each ``{subject, action}``."""
    return latest_with(owners, records, "consent")


# ------------------------------------------------------------------------------------------------
# deciding


def _decide_all(units: Sequence[Any], path: str, rules: ParameterPack,
                kinds: tuple[str, ...], unit_rules: Mapping[str, ParameterPack] | None = None
                ) -> list[UnitDecision]:
    seen: set[str] = set()
    out = []
    for i, unit in enumerate(units):
        own = (unit_rules or {}).get(str(unit.get("id"))) if isinstance(unit, Mapping) else None
        decision = _decide(unit, f"{path}[{i}]", own or rules, kinds)
        if decision.unit_id in seen:
            raise InputError(f"unit id '{decision.unit_id}' is listed twice", field=f"{path}[{i}].id")
        seen.add(decision.unit_id)
        out.append(decision)
    return out


def _decide(unit: Any, path: str, rules: ParameterPack, kinds: tuple[str, ...]) -> UnitDecision:
    if not isinstance(unit, Mapping):
        raise InputError("a consent unit must be an object", field=path)
    kind = unit.get("kind")
    if kind not in UNIT_KINDS:
        raise InputError(f"unknown consent unit kind {kind!r}; expected one of "
                         f"{', '.join(UNIT_KINDS)}", field=f"{path}.kind")
    if kind not in kinds:
        raise InputError(f"a {kind} unit cannot be a state-land parcel; expected one of "
                         f"{', '.join(kinds)}", field=f"{path}.kind")
    unit_id = unit.get("id")
    if not isinstance(unit_id, str) or not unit_id.strip():
        raise InputError("each consent unit needs an id (text)", field=f"{path}.id")
    area = None if unit.get("area") is None else _area(unit["area"], f"{path}.area")
    if kind == "collective":
        checks = _collective(unit.get("vote"), f"{path}.vote", rules)
        parts: tuple[UnitDecision, ...] = ()
    elif kind == "state_parcels":
        parts, checks = _state_parcels(unit.get("parcels"), f"{path}.parcels", rules)
    else:
        checks = _holders(kind, unit, path, rules)
        parts = ()
    allowed = all(any(c.passed for c in group) for group in groups(checks).values())
    return UnitDecision(unit_id, kind, allowed, tuple(checks), parts, area)


def _collective(vote: Any, path: str, rules: ParameterPack) -> list[Check]:
    if not isinstance(vote, Mapping):
        raise InputError("a collective unit needs its vote record", field=path)
    body = vote.get("body")
    if body not in BODIES:
        raise InputError(f"unknown body {body!r}; expected one of {', '.join(BODIES)}",
                         field=f"{path}.body")
    matter = vote.get("matter", "general")
    if matter not in MATTERS:
        raise InputError(f"unknown matter {matter!r}; expected one of {', '.join(MATTERS)}",
                         field=f"{path}.matter")
    eligible = _count(vote.get("eligible"), f"{path}.eligible", minimum=1)
    present = _count(vote.get("present"), f"{path}.present")
    in_favour = _count(vote.get("in_favour"), f"{path}.in_favour")
    if present > eligible:
        raise InputError(f"{present} present but only {eligible} eligible", field=f"{path}.present")
    if in_favour > present:
        raise InputError(f"{in_favour} in favour but only {present} present",
                         field=f"{path}.in_favour")
    has_hh = vote.get("households_total") is not None or vote.get("households_present") is not None
    if has_hh and body != "villagers_meeting":
        raise InputError("household counts apply to a villagers' meeting only",
                         field=f"{path}.households_total")
    body_zh, body_en = BODIES[body]
    checks: list[Check] = []
    if body == "villagers_meeting":
        checks.append(_check(rules, "villagers_meeting_quorum_adults", "quorum", "quorum_adults",
                             f"{body_zh}到会十八周岁以上村民", f"{body_en}: adults present",
                             present, eligible, "people", strict=True))
        if has_hh:
            hh_total = _count(vote.get("households_total"), f"{path}.households_total", minimum=1)
            hh_present = _count(vote.get("households_present"), f"{path}.households_present")
            if hh_present > hh_total:
                raise InputError(f"{hh_present} households represented but only {hh_total} in the "
                                 f"village", field=f"{path}.households_present")
            checks.append(_check(rules, "villagers_meeting_quorum_households", "quorum",
                                 "quorum_households", f"{body_zh}到会户代表",
                                 f"{body_en}: households represented", hh_present, hh_total,
                                 "households", strict=False))
    else:
        checks.append(_check(rules, f"{body}_quorum", "quorum", "quorum", f"{body_zh}到会人数",
                             f"{body_en}: present", present, eligible, "people", strict=False))
    if matter == "operating_land_transfer" and body != "members_assembly":
        checks.append(_check(rules, "operating_land_transfer_consent", "decision", "decision",
                             f"{body_zh}全体组成人员中同意（集体经营性建设用地出让、出租）",
                             f"{body_en}: in favour of all members (operating land transfer)",
                             in_favour, eligible, "people", strict=False))
    elif body == "members_assembly" and _of_all_members(rules):
        checks.append(_check(rules, "members_assembly_decision", "decision", "decision",
                             f"{body_zh}全体成员中同意", f"{body_en}: in favour of all members",
                             in_favour, eligible, "people", strict=False))
    elif body == "members_assembly":
        checks.append(_check(rules, "members_assembly_decision", "decision", "decision",
                             f"{body_zh}到会成员中同意", f"{body_en}: in favour of those present",
                             in_favour, present, "people", strict=False))
    else:
        checks.append(_check(rules, f"{body}_decision", "decision", "decision",
                             f"{body_zh}到会人员中同意", f"{body_en}: in favour of those present",
                             in_favour, present, "people", strict=True))
    return checks


def _of_all_members(rules: ParameterPack) -> bool:
    """Whether a members' assembly decides by a share of ALL members (the 2024 law) or of those
    present (the pack's ``members_assembly_decision_of_all`` = 0)."""
    return not rules.has("members_assembly_decision_of_all") or \
        rules.param("members_assembly_decision_of_all").flag


def _holders(kind: str, unit: Mapping[str, Any], path: str, rules: ParameterPack) -> list[Check]:
    owners = unit.get("owners")
    if not isinstance(owners, Sequence) or isinstance(owners, (str, bytes)) or not owners:
        raise InputError("the unit needs a non-empty list of owners", field=f"{path}.owners")
    if kind == "single_holder" and len(owners) != 1:
        raise InputError(f"a single_holder unit has exactly one owner, not {len(owners)}",
                         field=f"{path}.owners")
    ids: list[str] = []
    seen: set[str] = set()
    areas: dict[str, Decimal] = {}
    for i, owner in enumerate(owners):
        where = f"{path}.owners[{i}]"
        if not isinstance(owner, Mapping):
            raise InputError("an owner must be an object with an id", field=where)
        oid = owner.get("id")
        if not isinstance(oid, str) or not oid.strip():
            raise InputError("each owner needs an id (text)", field=f"{where}.id")
        if oid in seen:
            raise InputError(f"owner '{oid}' is listed twice", field=f"{where}.id")
        seen.add(oid)
        ids.append(oid)
        if kind == "condominium" or owner.get("exclusive_area") is not None:
            areas[oid] = _area(owner.get("exclusive_area"), f"{where}.exclusive_area")
    records = _records(unit.get("records", ()), f"{path}.records")
    consenting = latest_consents(ids, records)
    n_yes = sum(1 for oid in ids if oid in consenting)
    if kind == "single_holder":
        return [_check(rules, "single_holder_consent", "consent", "consent", "权利人同意",
                       "holder consents", n_yes, 1, "people", strict=False)]
    if kind == "co_owned":
        return [_check(rules, "co_owned_consent", "consent", "consent", "共有人同意",
                       "co-owners consenting", n_yes, len(ids), "people", strict=False)]
    total_area = sum(areas.values(), Decimal(0))
    yes_area = sum((areas[o] for o in ids if o in consenting), Decimal(0))
    return [
        _check(rules, "condominium_area_ratio", "area", "area", "同意权利人专有部分面积",
               "consenting owners' exclusive area", yes_area, total_area, "m2", strict=False),
        _check(rules, "condominium_household_ratio", "households", "households", "同意户数",
               "consenting households", n_yes, len(ids), "households", strict=False),
    ]


def _state_parcels(parcels: Any, path: str,
                   rules: ParameterPack) -> tuple[tuple[UnitDecision, ...], list[Check]]:
    if not isinstance(parcels, Sequence) or isinstance(parcels, (str, bytes)) or not parcels:
        raise InputError("a state_parcels unit needs a non-empty list of parcels", field=path)
    parts = _decide_all(parcels, path, rules, kinds=PARCEL_KINDS)
    for i, part in enumerate(parts):
        if part.area is None:
            raise InputError(f"parcel '{part.unit_id}' needs its land area (m²)",
                             field=f"{path}[{i}].area")
    total = sum((p.area for p in parts if p.area is not None), Decimal(0))
    ready = sum((p.area for p in parts if p.allowed and p.area is not None), Decimal(0))
    return tuple(parts), [_check(rules, "state_parcels_area_ratio", "area", "area",
                                 "达到意愿条件的地块面积", "area of parcels meeting their condition",
                                 ready, total, "m2", strict=False)]


def _check(rules: ParameterPack, param_name: str, group: str, name: str, label_zh: str,
           label_en: str, counted: int | Decimal, base: int | Decimal, measure: str, *,
           strict: bool) -> Check:
    param = rules.param(param_name)
    threshold = param.exact
    share = Fraction(counted) / Fraction(base) if base else Fraction(0)
    passed = bool(base) and (share > threshold if strict else share >= threshold)
    return Check(group=group, name=name, label_zh=label_zh, label_en=label_en, counted=counted,
                 base=base, measure=measure, ratio=_ratio(share),
                 threshold=param.value.quantize(RATIO_PLACES, ROUND_HALF_UP),
                 fraction=param.fraction or _fraction_text(threshold), strict=strict,
                 passed=passed, rule=f"{rules.id}:{param_name}", clause=param.clause,
                 basis=param.basis)


# ------------------------------------------------------------------------------------------------
# input and display helpers


def _records(records: Any, path: str) -> list[Mapping[str, Any]]:
    if isinstance(records, (str, bytes, Mapping)) or not isinstance(records, Iterable):
        raise InputError("records must be a list of {subject, action}", field=path)
    out = []
    for i, rec in enumerate(records):
        where = f"{path}[{i}]"
        if not isinstance(rec, Mapping):
            raise InputError("a record must be an object {subject, action}", field=where)
        if not isinstance(rec.get("subject"), str):
            raise InputError("a record needs the subject (owner id)", field=f"{where}.subject")
        if rec.get("action") not in ACTIONS:
            raise InputError(f"unknown action {rec.get('action')!r}; expected one of "
                             f"{', '.join(ACTIONS)}", field=f"{where}.action")
        out.append(rec)
    return out


def _count(value: Any, field: str, *, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(f"expected a whole number, got {value!r}", field=field)
    if value < minimum:
        raise InputError(f"must be at least {minimum}, got {value}", field=field)
    return value


def _area(value: Any, field: str) -> Decimal:
    """An area in m² from a Decimal, int, numeric text or float (via its shortest text)."""
    if isinstance(value, bool) or not isinstance(value, (Decimal, int, float, str)):
        raise InputError(f"expected an area in m², got {value!r}", field=field)
    try:
        area = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except InvalidOperation:
        raise InputError(f"expected an area in m², got {value!r}", field=field) from None
    if not area.is_finite() or area <= 0:
        raise InputError(f"an area must be a positive number of m², got {value!r}", field=field)
    return area


def _ratio(share: Fraction) -> Decimal:
    return (Decimal(share.numerator) / Decimal(share.denominator)).quantize(RATIO_PLACES,
                                                                            ROUND_HALF_UP)


def _fraction_text(value: Fraction) -> str:
    return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"
