"""Consent units, owners' consents, collective votes and the willingness gate as services
(意愿征询单元、意愿征询闸口): I/O around the pure :mod:`landrenew.participation.consent` gate.

* Consent units (意愿征询单元) are rows of ``consent_units``; what owners say (consent, withdraw,
  refuse) and what collective bodies vote are records of the project's hash-chained consent ledger
  (``ledger_name("consent", project_id)``), so ``landrenew ledger verify`` checks them with the
  other ledgers. A withdrawal is a new record; the latest record of each owner counts, and the
  latest vote of a collective unit counts.
* The gate (:func:`willingness_decision`) is computed from the units and the ledger, never
  asserted: step 5 of the consolidation workflow (``GATE_STEP``/``GATE_ITEM``) records it and
  checks it again when the step is closed (:mod:`landrenew.projects.workflow_service`).

Only projects that follow a consolidation workflow have consent units
(:func:`~landrenew.projects.workflow_access.consolidation_project`: 404 outside what the user
sees, 403 to write without the right, 409 for other projects).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from landrenew.core import audit, ledger
from landrenew.core.access import Principal
from landrenew.core.clock import city_today
from landrenew.core.errors import Conflict, InputError
from landrenew.core.evidence import check_evidence, check_not_future
from landrenew.core.ledger import LedgerTrust, trust_of
from landrenew.core.ledger_check import ledger_state, require_intact
from landrenew.core.packmodels import ParameterPack
from landrenew.core.store import Store, utcnow
from landrenew.core.store.models import ConsentUnit, LedgerRecord, Project
from landrenew.participation.consent import (
    ACTIONS,
    UNIT_KINDS,
    UnitDecision,
    WillingnessDecision,
    unit_consent,
    willingness_gate,
    willingness_rules,
)
from landrenew.projects.consent_checks import check_definition, holder_node, rename, unit_row
from landrenew.projects.workflow_access import consolidation_project

#: The consent ledger's kind: ``ledger_name(CONSENT, project_id)``.
CONSENT = "consent"
VOTE = "vote"
#: Step 5's decision that is computed from the consent units, never asserted.
GATE_STEP, GATE_ITEM = "willingness", "willingness_gate"


def _rules(project: Project, on: dt.date | None = None) -> ParameterPack:
    """The willingness conditions in force where the project lies, on ``on`` (today)."""
    return willingness_rules(project.district_code, on or city_today())


def _units(session: Session, project_id: int) -> list[ConsentUnit]:
    return list(session.scalars(select(ConsentUnit).where(ConsentUnit.project_id == project_id)
                                .order_by(ConsentUnit.id)))


def _records(session: Session, project_id: int) -> list[LedgerRecord]:
    name = ledger.ledger_name(CONSENT, project_id)
    return list(session.scalars(select(LedgerRecord).where(LedgerRecord.ledger == name)
                                .order_by(LedgerRecord.seq)))


def consent_data(session: Session, trust: LedgerTrust, project: Project
                 ) -> tuple[list[ConsentUnit], list[LedgerRecord], tuple[str, ...]]:
    """The project's consent units, its consent ledger's records and what is wrong with that
    ledger (chain, signatures, signed heads), read once per request and passed to what needs
    them (records a problem names are left out)."""
    records = _records(session, project.id)
    state = ledger_state(session, trust, ledger.ledger_name(CONSENT, project.id), records)
    suspect = state.suspect
    return (_units(session, project.id), [r for r in records if r.seq not in suspect],
            tuple(str(p) for p in state.problems))


def _by_unit(records: Sequence[LedgerRecord]) -> dict[Any, list[LedgerRecord]]:
    """The records grouped by the unit they name, each group in ledger order."""
    out: dict[Any, list[LedgerRecord]] = {}
    for r in records:
        if isinstance(r.details, dict):
            out.setdefault(r.details.get("unit"), []).append(r)
    return out


def _with_records(node: Mapping[str, Any], unit: str, path: tuple[str, ...],
                  records: Sequence[LedgerRecord]) -> dict[str, Any]:
    """A unit definition with its owners' ledger records (for parcels of a ``state_parcels``
    unit, each parcel gets the records naming it)."""
    out = dict(node)
    if node.get("kind") == "state_parcels":
        out["parcels"] = [_with_records(p, unit, (*path, str(p.get("id"))), records)
                          for p in node.get("parcels") or []]
        return out
    parcel = "/".join(path) or None
    out["records"] = [{"subject": r.details["owner"], "action": r.action} for r in records
                      if r.action in ACTIONS and isinstance(r.details, dict)
                      and r.details.get("unit") == unit and r.details.get("parcel") == parcel]
    return out


def _latest_vote(records: Sequence[LedgerRecord], unit: str) -> LedgerRecord | None:
    votes = [r for r in records if r.action == VOTE and isinstance(r.details, dict)
             and r.details.get("unit") == unit]
    return votes[-1] if votes else None


def _unit_input(row: ConsentUnit, records: Sequence[LedgerRecord]) -> dict[str, Any] | None:
    """The pure gate's unit (definition + ledger records), or None for a collective unit that
    has not voted yet."""
    unit = {**(row.definition or {}), "id": row.code, "kind": row.kind}
    if row.kind == "collective":
        vote = _latest_vote(records, row.code)
        if vote is None:
            return None
        unit["vote"] = vote.details["vote"]
        return unit
    return _with_records(unit, row.code, (), records)


def willingness_decision(project: Project, rows: Sequence[ConsentUnit],
                         records: Sequence[LedgerRecord], ledger_problems: Sequence[str] = ()
                         ) -> WillingnessDecision:
    """The willingness gate of the project's consent units (``rows``) and consent ledger
    records, under the conditions in force today (a collective vote under those in force on the
    day it was held); a collective unit without a vote counts as not meeting its condition, and
    the gate stays closed while the ledger fails its checks (``ledger_problems``)."""
    decided = _decision(project, rows, records)
    if ledger_problems:
        return replace(decided, allowed=False, ledger_problems=tuple(ledger_problems))
    return decided


def _decision(project: Project, rows: Sequence[ConsentUnit],
              records: Sequence[LedgerRecord]) -> WillingnessDecision:
    rules = _rules(project)
    grouped = _by_unit(records)
    inputs = [(row, _unit_input(row, grouped.get(row.code, []))) for row in rows]
    vote_rules = {}
    for row in rows:
        vote = _latest_vote(grouped.get(row.code, []), row.code) if row.kind == "collective" \
            else None
        if vote is not None:
            vote_rules[row.code] = _rules(project, vote.effective_on)
    decided = willingness_gate([u for _, u in inputs if u is not None], rules,
                               unit_rules=vote_rules)
    if all(u is not None for _, u in inputs):
        return decided
    by_id = {d.unit_id: d for d in decided.units}
    units = tuple(by_id[row.code] if u is not None else UnitDecision(row.code, row.kind, False, ())
                  for row, u in inputs)
    passed = sum(u.allowed for u in units)
    return WillingnessDecision(False, units, passed, len(units), decided.rule, decided.clause,
                               decided.pack, decided.pack_version, decided.draft)


def decorate(gate: WillingnessDecision, rows: Sequence[ConsentUnit],
              records: Sequence[LedgerRecord]) -> dict[str, Any]:
    """``WillingnessDecision.as_dict()`` with each unit's name and whether it awaits its vote."""
    by_code = {r.code: r for r in rows}
    grouped = _by_unit(records)
    out = gate.as_dict()
    for u in out["units"]:
        row = by_code.get(u["id"])
        u["name"] = row.name if row else None
        u["pending"] = bool(row is not None and row.kind == "collective"
                            and _latest_vote(grouped.get(row.code, []), row.code) is None)
    out["pending"] = [u["id"] for u in out["units"] if u["pending"]]
    return out


def gate_dict(project: Project, rows: Sequence[ConsentUnit], records: Sequence[LedgerRecord],
              ledger_problems: Sequence[str] = ()) -> dict[str, Any]:
    return decorate(willingness_decision(project, rows, records, ledger_problems), rows, records)


def willingness(store: Store, user: Principal, project_id: int) -> dict[str, Any]:
    """The willingness gate (意愿征询闸口): every unit's decision with its numbers, thresholds,
    rules and clauses."""
    store.ensure_current()
    with store.read_session() as session:
        project = consolidation_project(session, user, project_id, write=False)
        return gate_dict(project, *consent_data(session, trust_of(store), project))


def _unit_record(project: Project, row: ConsentUnit, records: Sequence[LedgerRecord]
                 ) -> dict[str, Any]:
    unit = _unit_input(row, records)
    held = _latest_vote(records, row.code) if row.kind == "collective" else None
    rules = _rules(project, held.effective_on if held is not None else None)
    decision = None if unit is None else unit_consent(unit, rules).as_dict()
    mine = [r for r in records if isinstance(r.details, dict)
            and r.details.get("unit") == row.code]
    latest: dict[str, str] = {}
    for r in mine:
        if r.action in ACTIONS:
            latest[r.subject] = r.action
    vote = _latest_vote(records, row.code)
    kind_zh, kind_en = UNIT_KINDS[row.kind]
    return {"id": row.id, "code": row.code, "kind": row.kind,
            "kind_label": {"zh": kind_zh, "en": kind_en}, "name": row.name,
            "definition": row.definition, "created_at": row.created_at,
            "created_by": row.created_by, "records": len(mine), "latest": latest,
            "vote": None if vote is None else {**vote.details["vote"],
                                               "held_on": vote.effective_on, "seq": vote.seq},
            "pending": unit is None, "decision": decision}


def list_consent_units(store: Store, user: Principal, project_id: int) -> list[dict[str, Any]]:
    store.ensure_current()
    with store.read_session() as session:
        project = consolidation_project(session, user, project_id, write=False)
        rows, records, _ = consent_data(session, trust_of(store), project)
        grouped = _by_unit(records)
        return [_unit_record(project, row, grouped.get(row.code, [])) for row in rows]


def add_consent_unit(store: Store, user: Principal, project_id: int, *, code: str, kind: str,
                     name: str, definition: Mapping[str, Any] | None) -> dict[str, Any]:
    """A consent unit of the project, its definition checked by the pure gate with no records
    (422 naming the field); 409 ``duplicate_unit`` when the code is taken."""
    store.ensure_current()
    code, name = (code or "").strip(), (name or "").strip()
    if not code or len(code) > 64 or "/" in code:
        raise InputError("a unit needs a code of 1 to 64 characters without '/'", field="code")
    if not name:
        raise InputError("a unit needs a name", field="name")
    if kind not in UNIT_KINDS:
        raise InputError(f"unknown consent unit kind {kind!r}; expected one of "
                         f"{', '.join(UNIT_KINDS)}", field="kind")
    definition = dict(definition or {})
    check_definition(code, kind, definition)
    unit: dict[str, Any] = {**definition, "id": code, "kind": kind}
    if kind == "collective":  # decided by its votes; check the body and matter it names
        unit["vote"] = {"body": definition.get("body", "villagers_meeting"),
                        "matter": definition.get("matter", "general"),
                        "eligible": 1, "present": 0, "in_favour": 0}
    with store.session() as session:
        project = consolidation_project(session, user, project_id, write=True)
        try:
            unit_consent(unit, _rules(project), field="definition")
        except InputError as exc:
            raise rename(exc, [("definition.kind", "kind"), ("definition.id", "code"),
                                ("definition.vote", "definition")]) from None
        taken = session.scalar(select(ConsentUnit.id).where(ConsentUnit.project_id == project.id,
                                                            ConsentUnit.code == code))
        if taken is not None:
            raise Conflict(f"project {project.id} already has a consent unit '{code}'",
                           field="code", code="duplicate_unit")
        row = ConsentUnit(project_id=project.id, code=code, kind=kind, name=name,
                          definition=audit.jsonable(definition), created_at=utcnow(),
                          created_by=user.name)
        session.add(row)
        session.flush()
        audit.record(session, actor=user.name, action="insert", entity_type="consent_unit",
                     entity_id=f"{project.id}/{code}",
                     after={"kind": kind, "name": name, "definition": definition})
        return _unit_record(project, row, _records(session, project.id))


def _append(session: Session, trust: LedgerTrust, user: Principal, project: Project, *,
            subject: str, action: str, on: dt.date, evidence_sha256: str | None,
            details: dict[str, Any]) -> LedgerRecord:
    """A record at the end of the consent ledger, which must pass its checks first (a record
    added to a broken ledger would only hide where it broke)."""
    name = ledger.ledger_name(CONSENT, project.id)
    require_intact(session, trust, name)
    rec = ledger.append(session, trust, ledger=name, project_id=project.id, phase_id=None,
                        subject=subject, action=action, effective_on=on, recorded_by=user.name,
                        evidence_sha256=evidence_sha256, details=details)
    audit.record(session, actor=user.name, action=f"ledger_{action}", entity_type="ledger",
                 entity_id=name, after={"seq": rec.seq, "hash": rec.hash, "subject": subject,
                                        "unit": details.get("unit")})
    return rec


def _after_record(project: Project, row: ConsentUnit, rec: LedgerRecord,
                  rows: Sequence[ConsentUnit],
                  records: Sequence[LedgerRecord]) -> dict[str, Any]:
    """The answer to a consent or vote ``rec`` of unit ``row``: ``records`` (``rec`` included)
    and ``rows`` are the project's consent ledger and units."""
    gate = willingness_decision(project, rows, records)
    return {"record": ledger.as_fields(rec), "unit": _unit_record(project, row, records),
            "gate": {"allowed": gate.allowed, "passed": gate.passed, "total": gate.total,
                     "failing": list(gate.failing), "explanation": gate.explain()}}


def record_consent(store: Store, user: Principal, project_id: int, *, unit: str, owner: str,
                   action: str, on: dt.date, parcel: str | None = None,
                   evidence_sha256: str | None = None, note: str | None = None
                   ) -> dict[str, Any]:
    """An owner's consent, withdrawal or refusal, appended to the project's consent ledger
    (subject ``unit/owner``, or ``unit/parcel/owner``); returns the record, the unit's decision
    and the gate after it."""
    store.ensure_current()
    if action not in ACTIONS:
        raise InputError(f"action must be one of {', '.join(ACTIONS)}", field="action")
    check_evidence(evidence_sha256)
    check_not_future(on, "on")
    with store.session() as session:
        project = consolidation_project(session, user, project_id, write=True)
        rows = _units(session, project.id)
        row = unit_row(rows, project, unit)
        if row.kind == "collective":
            raise InputError(f"unit '{unit}' is collective land: it decides by its collective "
                             "body's vote (record a vote), not by owners' consents", field="unit")
        node = holder_node(row, parcel)
        owners = [str(o.get("id")) for o in node.get("owners") or []]
        if owner not in owners:
            raise InputError(f"'{owner}' is not an owner of unit '{unit}'"
                             + (f" parcel '{parcel}'" if parcel else "")
                             + f" (owners: {', '.join(owners)})", field="owner")
        path = parcel or None
        latest = None
        records = _records(session, project.id)
        for r in records:
            d = r.details if isinstance(r.details, dict) else {}
            if (r.action in ACTIONS and d.get("unit") == unit and d.get("parcel") == path
                    and d.get("owner") == owner):
                latest = r.action
        if action == "consent" and latest == "consent":
            raise Conflict(f"'{owner}' of unit '{unit}' has already consented", field="owner",
                           code="already_consented")
        if action == "withdraw" and latest != "consent":
            raise Conflict(f"'{owner}' of unit '{unit}' has no consent to withdraw",
                           field="owner", code="nothing_to_withdraw")
        subject = "/".join([unit, *([path] if path else []), owner])
        rec = _append(session, trust_of(store), user, project, subject=subject, action=action,
                      on=on,
                      evidence_sha256=evidence_sha256,
                      details={"unit": unit, "parcel": path, "owner": owner, "note": note})
        records.append(rec)
        return _after_record(project, row, rec, rows, records)


def record_vote(store: Store, user: Principal, project_id: int, *, unit: str,
                vote: Mapping[str, Any], held_on: dt.date, evidence_sha256: str | None = None,
                note: str | None = None) -> dict[str, Any]:
    """A collective body's vote (村民会议、村民代表会议、成员大会) for a collective unit, appended
    to the consent ledger; the latest vote of the unit counts."""
    store.ensure_current()
    check_evidence(evidence_sha256)
    check_not_future(held_on, "held_on")
    clean = {k: v for k, v in vote.items() if v is not None}
    clean.setdefault("matter", "general")
    with store.session() as session:
        project = consolidation_project(session, user, project_id, write=True)
        try:
            unit_consent({"id": unit or "unit", "kind": "collective", "vote": clean},
                         _rules(project, held_on), field="vote")
        except InputError as exc:
            raise rename(exc, [("vote.vote", "")]) from None
        rows = _units(session, project.id)
        row = unit_row(rows, project, unit)
        if row.kind != "collective":
            raise InputError(f"unit '{unit}' is {row.kind}: only a collective unit votes; "
                             "record each owner's consent instead",
                             field="unit")
        rec = _append(session, trust_of(store), user, project, subject=unit, action=VOTE,
                      on=held_on,
                      evidence_sha256=evidence_sha256,
                      details={"unit": unit, "vote": clean, "note": note})
        return _after_record(project, row, rec, rows, _records(session, project.id))
