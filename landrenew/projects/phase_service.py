"""Urban-village phases as services (城中村改造分片实施): a project's phases (分片) and their
boundaries, the people to relocate (被搬迁人), signed compensation agreements (补偿安置协议) in the
project's hash-chained signing ledger, the demolition gate (拆除闸口), the phase's construction
schedule (建设计划, 公益先行) and its moves from state to state. Every write is audited; reading
and writing follow the project's district scope. The checks under the place's phase rules are
:mod:`landrenew.projects.phase_checks`; the pure gates are :mod:`landrenew.projects.gates` and
:mod:`landrenew.projects.phasing`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import shapely
from pyproj import CRS
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from landrenew.core import audit, ledger
from landrenew.core.access import Principal, require_write, require_write_district
from landrenew.core.clock import city_today
from landrenew.core.errors import Conflict, InputError, NotFound
from landrenew.core.evidence import check_evidence, check_not_future
from landrenew.core.ledger import LedgerTrust, trust_of
from landrenew.core.ledger_check import LedgerBroken, LedgerState, ledger_state
from landrenew.core.packmodels import ParameterPack
from landrenew.core.spatial import areas_m2
from landrenew.core.store import Store, utcnow
from landrenew.core.store.models import Phase, PhasePerson, PhaseTransition, Project
from landrenew.land.importing import resolve_projected_crs
from landrenew.projects.gates import GateDecision, demolition_gate
from landrenew.projects.phase_checks import (
    guideline_check,
    phase_rules,
    phase_rules_or_none,
    polygon,
    require_scheme,
)
from landrenew.projects.phasing import (
    GuidelineSplitCheck,
    public_welfare_first_check,
)
from landrenew.projects.service import project_record, visible_project
from landrenew.projects.vocabulary import PERSON_KINDS, PHASE_ORDER

SIGNING = "signing"


def phase_of(session: Session, user: Principal, phase_id: int) -> tuple[Phase, Project]:
    """A phase and its project as the user may see them (404 otherwise)."""
    phase = session.get(Phase, phase_id)
    if phase is None:
        raise NotFound(f"no phase {phase_id}", field="id")
    project = session.get(Project, phase.project_id)
    if project is None or not user.sees_project(project.district_code, project.owner_company):
        raise NotFound(f"no phase {phase_id}", field="id")
    return phase, project


def phase_record(phase: Phase, people: int | None = None) -> dict[str, Any]:
    geom = shapely.from_wkb(phase.geom) if phase.geom is not None else None
    return {"id": phase.id, "project_id": phase.project_id, "name": phase.name,
            "state": phase.state, "area_m2": phase.area_m2,
            "geometry": shapely.geometry.mapping(geom) if geom is not None else None,
            "people": people, "created_at": phase.created_at, "created_by": phase.created_by,
            "schedule": phase.schedule, "checks": phase.checks}


class GuidelineParcelSplit(Conflict):
    """A phase boundary cutting a guideline parcel (分片切割导则地块): 409 with the check (split
    parcels with their areas inside and outside, the rule and its clause)."""

    code = "guideline_parcel_split"

    def __init__(self, check: GuidelineSplitCheck) -> None:
        super().__init__(check.explain(), field="geometry")
        self.check = check.as_dict()

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), **self.check}


def create_phase(store: Store, user: Principal, project_id: int, name: str,
                 geometry: dict[str, Any] | None, *, projected_crs: str | None = None
                 ) -> dict[str, Any]:
    """A phase (分片) of a project, starting in ``planned``; its area is computed in the city's
    projected zone, as parcel areas are. A boundary cutting a guideline parcel (导则地块) is
    refused (409 ``guideline_parcel_split``, nothing stored); otherwise the check is kept in
    ``checks["guideline_split"]`` with the pack that decided. Where the place has no phase rules
    the phase is kept without the check, and ``checks["no_rules"]`` says so."""
    require_write(user)
    store.ensure_current()
    if not name or not name.strip():
        raise InputError("a phase needs a name", field="name")
    geom = polygon(geometry)
    with store.session() as session:
        project = visible_project(session, user, project_id)
        require_write_district(user, project.district_code, "district_code")
        area = None
        checks: dict[str, Any] | None = None
        if geom is not None:
            crs = resolve_projected_crs(session, projected_crs, geom.bounds, user.name)
            area = float(areas_m2(np.array([geom], dtype=object), CRS.from_epsg(4490), crs)[0])
            rules, missing = phase_rules_or_none(project)
            if rules is None:
                checks = {"no_rules": missing.to_dict() if missing else None}
            else:
                split = guideline_check(session, geom, crs, rules)
                if not split.allowed:
                    raise GuidelineParcelSplit(split)  # the session rolls back: nothing stored
                checks = {"guideline_split": {**split.as_dict(), "pack": rules.id,
                                              "pack_version": rules.version}}
        phase = Phase(project_id=project.id, name=name.strip(),
                      geom=shapely.to_wkb(geom) if geom is not None else None, area_m2=area,
                      state=PHASE_ORDER[0], created_at=utcnow(), created_by=user.name,
                      checks=checks)
        session.add(phase)
        session.flush()
        rec = phase_record(phase, 0)
        audit.record(session, actor=user.name, action="insert", entity_type="phase",
                     entity_id=str(phase.id), after={k: v for k, v in rec.items()
                                                     if k != "geometry"})
    return rec


def list_phases(store: Store, user: Principal, project_id: int) -> list[dict[str, Any]]:
    """The phases of a project, in the order they were made."""
    store.ensure_current()
    with store.read_session() as session:
        visible_project(session, user, project_id)
        return [phase_record(p) for p in session.scalars(
            select(Phase).where(Phase.project_id == project_id).order_by(Phase.id))]


def phase_overview(store: Store, user: Principal, phase_id: int) -> dict[str, Any]:
    """Everything the phase page shows, read in one session: the phase, its project, its people
    with whether each has signed, and the demolition gate."""
    store.ensure_current()
    with store.read_session() as session:
        phase, project = phase_of(session, user, phase_id)
        people = list(session.scalars(select(PhasePerson).where(PhasePerson.phase_id == phase_id)
                                      .order_by(PhasePerson.id)))
        agreements, checked = _agreements(session, trust_of(store), project.id, phase_id)
        status = {a["subject"]: a["action"] for a in agreements}
        rules, missing = phase_rules_or_none(project)
        gate_out = (demolition_gate([p.person_id for p in people], agreements, rules,
                                    ledger_problems=[str(p) for p in checked.problems]).as_dict()
                    if rules is not None else
                    {"allowed": False, "no_rules": missing.to_dict() if missing else None})
        return {"phase": phase_record(phase, len(people)), "project": project_record(project),
                "gate": gate_out, "ledger": checked.as_dict(),
                "people": [{"person_id": p.person_id, "name": p.name, "kind": p.kind,
                            "signed": status.get(p.person_id) == "sign"} for p in people]}


def get_phase(store: Store, user: Principal, phase_id: int) -> dict[str, Any]:
    store.ensure_current()
    with store.read_session() as session:
        phase, _ = phase_of(session, user, phase_id)
        n = session.scalar(select(func.count()).select_from(PhasePerson)
                           .where(PhasePerson.phase_id == phase_id))
        return phase_record(phase, int(n or 0))


def add_people(store: Store, user: Principal, phase_id: int, people: list[dict[str, Any]]
               ) -> dict[str, Any]:
    """Register the people to relocate (被搬迁人) of a phase; all or nothing."""
    require_write(user)
    store.ensure_current()
    if not people:
        raise InputError("give at least one person", field="body")
    problems = []
    seen: set[str] = set()
    for i, p in enumerate(people):
        pid = str(p.get("person_id") or "").strip()
        if not pid:
            problems.append(InputError("person_id is required", row=i, field="person_id"))
        elif pid in seen:
            problems.append(InputError(f"person_id '{pid}' is listed twice", row=i,
                                       field="person_id"))
        seen.add(pid)
        if not str(p.get("name") or "").strip():
            problems.append(InputError("name is required", row=i, field="name"))
        if p.get("kind") not in PERSON_KINDS:
            problems.append(InputError(f"kind '{p.get('kind')}' is not one of "
                                       f"{', '.join(PERSON_KINDS)}", row=i, field="kind"))
    if problems:
        raise problems[0]
    with store.session() as session:
        _, project = phase_of(session, user, phase_id)
        require_write_district(user, project.district_code, "district_code")
        existing = set(session.scalars(select(PhasePerson.person_id)
                                       .where(PhasePerson.phase_id == phase_id)))
        clash = sorted(seen & existing)
        if clash:
            raise Conflict(f"already listed in phase {phase_id}: {', '.join(clash[:10])}",
                           field="person_id")
        now = utcnow()
        for p in people:
            session.add(PhasePerson(phase_id=phase_id, person_id=str(p["person_id"]).strip(),
                                    name=str(p["name"]).strip(), kind=p["kind"], added_at=now,
                                    added_by=user.name))
        audit.record(session, actor=user.name, action="add_people", entity_type="phase",
                     entity_id=str(phase_id), after={"added": sorted(seen)})
        total = int(session.scalar(select(func.count()).select_from(PhasePerson)
                                   .where(PhasePerson.phase_id == phase_id)) or 0)
    return {"phase_id": phase_id, "added": len(people), "total": total}


def _agreements(session: Session, trust: LedgerTrust, project_id: int, phase_id: int
                ) -> tuple[list[dict[str, Any]], LedgerState]:
    """The phase's agreement records in ledger order, and the project's signing ledger as
    checked (chain, signatures, signed heads): records a problem names are left out, and a
    decision counts only an intact ledger."""
    name = ledger.ledger_name(SIGNING, project_id)
    rows = ledger.records(session, name)
    state = ledger_state(session, trust, name, rows)
    suspect = state.suspect
    return [{"subject": r.subject, "action": r.action} for r in rows
            if r.phase_id == phase_id and r.seq not in suspect], state


def record_agreement(store: Store, user: Principal, phase_id: int, person_id: str,
                     signed_on: dt.date, *, action: str = "sign",
                     evidence_sha256: str | None = None, note: str | None = None
                     ) -> dict[str, Any]:
    """A signed compensation agreement (补偿安置协议) or its withdrawal, appended to the
    project's signing ledger; returns the record and the phase's gate after it."""
    require_write(user)
    store.ensure_current()
    if action not in ("sign", "withdraw"):
        raise InputError("action must be sign or withdraw", field="action")
    check_evidence(evidence_sha256)
    check_not_future(signed_on, "signed_on")
    with store.session() as session:
        phase, project = phase_of(session, user, phase_id)
        require_write_district(user, project.district_code, "district_code")
        listed = session.scalar(select(PhasePerson).where(PhasePerson.phase_id == phase_id,
                                                          PhasePerson.person_id == person_id))
        if listed is None:
            raise InputError(f"person '{person_id}' is not listed in phase {phase_id}; register "
                             "them among the phase's people to relocate first", field="person_id")
        agreements, checked = _agreements(session, trust_of(store), project.id, phase_id)
        if not checked.intact:
            raise LedgerBroken(checked.name, checked.problems)
        current = {a["subject"]: a["action"] for a in agreements}
        if action == "sign" and current.get(person_id) == "sign":
            raise Conflict(f"person '{person_id}' has already signed", field="person_id")
        if action == "withdraw" and current.get(person_id) != "sign":
            raise Conflict(f"person '{person_id}' has no agreement to withdraw",
                           field="person_id")
        rules, missing = phase_rules_or_none(project)
        if rules is not None and action == "sign":
            require_scheme(project, rules, signed_on,
                           ("签订补偿安置协议", "an agreement"))
        name = ledger.ledger_name(SIGNING, project.id)
        rec = ledger.append(session, trust_of(store), ledger=name, project_id=project.id,
                            phase_id=phase_id,
                            subject=person_id, action=action, effective_on=signed_on,
                            recorded_by=user.name, evidence_sha256=evidence_sha256,
                            details={"note": note} if note else None)
        audit.record(session, actor=user.name, action=f"ledger_{action}", entity_type="ledger",
                     entity_id=name, after={"seq": rec.seq, "hash": rec.hash,
                                            "phase_id": phase_id, "subject": person_id})
        out = {k: v for k, v in ledger.as_fields(rec).items()}
        gate_out = (_gate(session, trust_of(store), phase, project, rules).as_dict()
                    if rules is not None else
                    {"allowed": False, "no_rules": missing.to_dict() if missing else None})
    return {"record": out, "gate": gate_out}


def _gate(session: Session, trust: LedgerTrust, phase: Phase, project: Project,
          rules: ParameterPack | None = None) -> GateDecision:
    """The demolition gate of a phase under the place's phase rules (409 ``no_rules`` where
    there are none), closed while the signing ledger fails its checks."""
    people = list(session.scalars(select(PhasePerson.person_id)
                                  .where(PhasePerson.phase_id == phase.id)
                                  .order_by(PhasePerson.id)))
    agreements, checked = _agreements(session, trust, project.id, phase.id)
    return demolition_gate(people, agreements,
                           rules if rules is not None else phase_rules(project),
                           ledger_problems=[str(p) for p in checked.problems])


def gate(store: Store, user: Principal, phase_id: int) -> dict[str, Any]:
    store.ensure_current()
    with store.read_session() as session:
        phase, project = phase_of(session, user, phase_id)
        return _gate(session, trust_of(store), phase, project).as_dict()


class GateClosed(Conflict):
    """A transition refused by its gate: 409 with the decision."""

    code = "gate_closed"

    def __init__(self, message: str, decision: dict[str, Any]) -> None:
        super().__init__(message, field="state")
        self.decision = decision

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "gate": self.decision}


def transition(store: Store, user: Principal, phase_id: int, to: str, *,
               reason: str | None = None) -> dict[str, Any]:
    """Move a phase to its next state, under the phase rules in force where the project lies
    (409 ``no_rules`` where there are none). Only the next state is allowed; into ``signing``
    and ``demolition`` only once the implementation scheme is approved where the rules say so
    (409 ``scheme_not_approved``); into ``demolition`` only when the demolition gate is open
    (the refusal carries the gate's numbers); into ``construction`` only with a stored schedule
    whose public-welfare-first check passes (409 ``gate_closed`` with the check otherwise).
    The decision kept with the transition names the pack and its version."""
    require_write(user)
    store.ensure_current()
    with store.session() as session:
        phase, project = phase_of(session, user, phase_id)  # 404 outside the user's districts
        require_write_district(user, project.district_code, "district_code")
        if to not in PHASE_ORDER:
            raise InputError(f"state '{to}' is not one of {', '.join(PHASE_ORDER)}", field="to")
        here = PHASE_ORDER.index(phase.state)
        if PHASE_ORDER.index(to) != here + 1:
            nxt = PHASE_ORDER[here + 1] if here + 1 < len(PHASE_ORDER) else None
            raise Conflict(f"phase {phase_id} is in '{phase.state}'; the next state is "
                           f"{repr(nxt) if nxt else 'none (construction is the last)'}, "
                           f"not '{to}'", field="to", code="out_of_order")
        rules = phase_rules(project)
        decision: dict[str, Any] | None = {"pack": rules.id, "pack_version": rules.version}
        if to in ("signing", "demolition"):
            require_scheme(project, rules, city_today(),
                           ("进入签约或拆除", f"moving phase {phase_id} to {to}"))
        if to == "demolition":
            g = _gate(session, trust_of(store), phase, project, rules)
            decision = g.as_dict()
            if not g.allowed:
                raise GateClosed(g.explain(), decision)
        elif to == "construction":
            check = public_welfare_first_check(phase.schedule or [], rules)
            decision = {**check.as_dict(), "pack": rules.id, "pack_version": rules.version}
            if not check.allowed:
                missing = ("" if phase.schedule else
                           f"phase {phase_id} has no construction schedule; save the phase's "
                           "construction schedule first. ")
                raise GateClosed(missing + check.explain(), decision)
        before = phase.state
        phase.state = to
        session.add(PhaseTransition(phase_id=phase_id, from_state=before, to_state=to,
                                    decision=decision, by=user.name, reason=reason,
                                    at=utcnow()))
        audit.record(session, actor=user.name, action="transition", entity_type="phase",
                     entity_id=str(phase_id), reason=reason, before={"state": before},
                     after={"state": to, "gate": decision})
        rec = phase_record(phase)
    return {**rec, "from_state": before, "decision": decision}
