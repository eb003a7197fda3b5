"""Land consolidation workflow and willingness gate as services (土地整备流程、意愿征询): I/O around
the pure :mod:`landrenew.projects.consolidation` state machine and the pure
:mod:`landrenew.participation.consent` gate.

* The workflow of a project of type ``land_consolidation`` or ``urban_village`` is one row of
  ``consolidation_workflows``: the pure state as JSON and a version. Every operation loads the
  state (``load_state`` replays its log), applies the pure operation as the acting user and the
  body they act for (:attr:`~landrenew.core.access.Principal.workflow_role`), checks that the new
  state only appends to the old one (``check_append_only``), saves it with the next version and
  writes an audit event. A project without a row is at step 1 (the row is made by the first write
  or by :func:`start_workflow`).
* Consent units (意愿征询单元) are rows of ``consent_units``; what owners say (consent, withdraw,
  refuse) and what collective bodies vote are records of the project's hash-chained consent ledger
  (``ledger_name("consent", project_id)``), so ``landrenew ledger verify`` checks them with the
  other ledgers. A withdrawal is a new record; the latest record of each owner counts, and the
  latest vote of a collective unit counts.
* Step 5's willingness decision (``willingness_gate``) is never asserted by a caller: it is
  computed from the consent units when provided, and computed again when step 5 is closed (a
  withdrawal after the decision closes the gate again).

Who may do what: reading follows :func:`landrenew.projects.service.visible_project` (404 outside what the
user sees); writing needs :func:`~landrenew.projects.service.require_project_write` (district
writers, or the consolidation entity owning the project); a workflow operation also needs the
user's body to be among the roles the pack names for it (403 ``role_not_allowed`` naming them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from landrenew.core import audit, ledger
from landrenew.core.access import Principal
from landrenew.core.clock import city_today
from landrenew.core.errors import Conflict, InputError, LandrenewError
from landrenew.core.evidence import check_evidence, check_not_future
from landrenew.core.packs import ParameterPack
from landrenew.core.store import Store, utcnow
from landrenew.core.store.models import ConsentUnit, LedgerRecord, Project
from landrenew.core.store.models import ConsolidationWorkflow as WorkflowRow
from landrenew.participation.consent import (
    ACTIONS,
    UNIT_KINDS,
    UnitDecision,
    WillingnessDecision,
    unit_consent,
    willingness_gate,
    willingness_rules,
)
from landrenew.projects.consolidation import (
    ConsolidationState,
    ConsolidationWorkflow,
    RequirementsMissing,
    RoleNotAllowed,
    check_append_only,
    missing_items,
    scheme,
    scheme_for,
    workflow,
)
from landrenew.projects.service import require_project_write, visible_project
from landrenew.projects.vocabulary import PROJECT_TYPES

#: The consent ledger's kind: ``ledger_name(CONSENT, project_id)``.
CONSENT = "consent"
VOTE = "vote"
#: Step 5's decision that is computed from the consent units, never asserted.
GATE_STEP, GATE_ITEM = "willingness", "willingness_gate"
SUBJECT_MAX = 64  # ledger_records.subject


# ---------------------------------------------------------------- errors


class NotAConsolidationProject(Conflict):
    """409: the project's type does not follow the consolidation workflow."""

    code = "not_a_consolidation_project"


class WillingnessGateClosed(RequirementsMissing):
    """409 ``requirements_missing`` for step 5 with the willingness gate's numbers."""

    def __init__(self, message: str, missing: Sequence[Mapping[str, str]],
                 gate: dict[str, Any]) -> None:
        super().__init__(message, missing)
        self.gate = gate

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "gate": self.gate}


# ---------------------------------------------------------------- helpers


def project_workflow(session: Session, project: Project) -> ConsolidationWorkflow:
    """The workflow the project follows: the scheme its stored workflow names, else the
    consolidation scheme in force where it lies today (409 ``no_rules`` where the place has
    none); 409 ``not_a_consolidation_project`` when the scheme does not cover the project
    (e.g. whole-area land consolidation, or industrial land not marked as contiguous
    redevelopment)."""
    stored = session.scalar(select(WorkflowRow.pack).where(WorkflowRow.project_id == project.id))
    rules = scheme(stored) if stored is not None else scheme_for(project.district_code,
                                                                  city_today())
    if rules.applies(project.type, bool(project.contiguous_redevelopment)) is None:
        covers = "、".join(
            f"{PROJECT_TYPES.get(a.type, a.type)}"
            + ("（成片连片再开发）" if a.when == "contiguous_redevelopment" else "")
            for a in rules.applies_to)
        raise NotAConsolidationProject(
            f"{rules.title.zh}只适用于{covers}项目 | project {project.id} is of type "
            f"'{project.type}' ({PROJECT_TYPES.get(project.type, project.type)}), which "
            f"{rules.label} does not cover (it covers: "
            + ", ".join(a.type + (" marked contiguous_redevelopment" if a.when else "")
                        for a in rules.applies_to) + ")", field="type")
    return workflow(rules.id)


def _check_in_force(wf: ConsolidationWorkflow) -> None:
    """A workflow may not start once the scheme's validity has run out ("有效期5年")."""
    rules = wf.rules
    today = city_today()
    if rules.in_force(today) is False:
        raise Conflict(f"{rules.title.zh}已于{rules.validity.valid_until(rules.issued_on)}失效 | "
                       f"{rules.label} was in force until "
                       f"{rules.validity.valid_until(rules.issued_on)} ({rules.validity.clause}); "
                       "a workflow may not start after that", field="pack",
                       code="scheme_expired")


def _bound(session: Session, user: Principal, project_id: int, *, write: bool
           ) -> tuple[Project, ConsolidationWorkflow]:
    """The project as the user may see it (404), may write it (403), with the workflow it
    follows (409 otherwise)."""
    project = visible_project(session, user, project_id)
    if write:
        require_project_write(user, project)
    return project, project_workflow(session, project)


def consolidation_project(session: Session, user: Principal, project_id: int, *,
                          write: bool) -> Project:
    """The project as the user may see it (404), may write it (403) and only when it follows
    a consolidation workflow (409)."""
    return _bound(session, user, project_id, write=write)[0]


def _may_write(user: Principal, project: Project) -> bool:
    try:
        require_project_write(user, project)
    except LandrenewError:
        return False
    return True


def _acting_role(user: Principal, allowed: Sequence[str], what: str) -> str:
    """The body the user acts for; 403 naming the allowed roles when the user acts for none."""
    role = user.workflow_role
    if role is None:
        raise RoleNotAllowed(f"user '{user.name}' (role {user.role}) acts for no body of the "
                             f"consolidation workflow (no agency) and may not {what}; allowed: "
                             f"{', '.join(allowed) or 'no role'}", allowed)
    return role


def _step_code(wf: ConsolidationWorkflow, step: str | int) -> str:
    """A step named by its code or its number (1…11)."""
    text = str(step).strip()
    if text.isdigit():
        n = int(text)
        if not 1 <= n <= len(wf.steps):
            raise InputError(f"there is no step {n}; steps are numbered 1 to {len(wf.steps)}",
                             field="step", code="unknown_step")
        return wf.steps[n - 1].code
    return wf.step(text).code


def _load(session: Session, project: Project, wf: ConsolidationWorkflow, *, lock: bool = False
          ) -> tuple[WorkflowRow | None, ConsolidationState]:
    row = session.get(WorkflowRow, project.id, with_for_update=lock or None)
    if row is None:
        return None, wf.start()
    return row, wf.load_state(row.state)


def _summary(state: ConsolidationState) -> dict[str, Any]:
    return {"current": state.current, "flags": dict(state.flags),
            "provisions": len(state.provisions), "log": len(state.log)}


def _save(session: Session, user: Principal, project: Project, row: WorkflowRow | None,
          old: ConsolidationState, new: ConsolidationState, action: str,
          detail: dict[str, Any], reason: str | None = None) -> WorkflowRow:
    """Store ``new`` as the next version (refused when it rewrites history or when someone else
    saved meanwhile) and audit it; returns the stored row."""
    check_append_only(old, new)
    now = utcnow()
    previous = 0 if row is None else row.version  # before the row is read back below
    if row is None:
        version = 1
        stored = WorkflowRow(project_id=project.id, pack=new.pack, state=new.to_dict(),
                             version=version, updated_at=now, updated_by=user.name)
        session.add(stored)
        try:
            session.flush()
        except IntegrityError:  # started by someone else meanwhile
            raise Conflict(f"the workflow of project {project.id} was started meanwhile; "
                           "reload and try again", field="version",
                           code="concurrent_change") from None
    else:
        version = row.version + 1
        done = session.execute(
            update(WorkflowRow)
            .where(WorkflowRow.project_id == project.id, WorkflowRow.version == row.version)
            .values(state=new.to_dict(), version=version, updated_at=now, updated_by=user.name)
            .execution_options(synchronize_session=False))
        if done.rowcount != 1:  # type: ignore[attr-defined]
            raise Conflict(f"the workflow of project {project.id} was changed meanwhile "
                           f"(version {row.version}); reload and try again",
                           field="version", code="concurrent_change")
        session.expire(row)  # read back what was stored
        stored = row
    audit.record(session, actor=user.name, action=f"workflow_{action}",
                 entity_type="consolidation_workflow", entity_id=str(project.id), reason=reason,
                 before={"version": previous, **_summary(old)},
                 after={"version": version, **_summary(new), "role": user.workflow_role,
                        **detail})
    return stored


def _project_info(project: Project) -> dict[str, Any]:
    return {"id": project.id, "name": project.name, "type": project.type,
            "type_name": PROJECT_TYPES.get(project.type), "district_code": project.district_code,
            "owner_company": project.owner_company}


# ---------------------------------------------------------------- reading the workflow


def _overview(session: Session, user: Principal, project: Project, wf: ConsolidationWorkflow,
              row: WorkflowRow | None,
              state: ConsolidationState, willingness: dict[str, Any] | None = None
              ) -> dict[str, Any]:
    """The workflow as :func:`get_workflow` shows it; ``willingness`` is the decorated gate when
    the caller has computed it already."""
    rules = wf.rules
    role = user.workflow_role
    names = {s.code: (s.number, s.name, s.en) for s in wf.steps}
    statuses = {s.code: wf.requirements(state, s.code) for s in wf.steps}
    steps = []
    for line, sdef in zip(wf.overview(state, statuses), wf.steps, strict=True):
        reqs = []
        for r in statuses[sdef.code]:
            item = r.as_dict()
            item["can_provide"] = role in r.roles
            item["computed"] = (sdef.code, r.code) == (GATE_STEP, GATE_ITEM)
            reqs.append(item)
        steps.append({**line, "basis": sdef.basis, "note": sdef.note,
                      "return_roles": list(sdef.return_roles), "requirements": reqs,
                      "missing_items": missing_items(statuses[sdef.code]),
                      "can_close": role in sdef.roles, "can_return": role in sdef.return_roles})
    stages = [{"code": s.code, "zh": s.zh, "en": s.en, "clause": s.clause,
               "steps": [x.number for x in wf.steps if x.stage == s.code]}
              for s in rules.stages]

    def with_step(entry: dict[str, Any], key: str) -> dict[str, Any]:
        code = entry.get(key)
        if code in names:
            number, name, en = names[code]
            entry[f"{key}_number"], entry[f"{key}_name"], entry[f"{key}_en"] = number, name, en
        return entry

    log = [with_step(with_step(t.model_dump(mode="json"), "step"), "to_step") for t in state.log]
    provisions = [with_step(p.model_dump(mode="json"), "step") for p in state.provisions]
    current = None
    if state.current is not None:
        number, name, en = names[state.current]
        current = {"number": number, "code": state.current, "name": name, "en": en}
    return {
        "project": _project_info(project),
        "started": row is not None,
        "version": 0 if row is None else row.version,
        "updated_at": None if row is None else row.updated_at,
        "updated_by": None if row is None else row.updated_by,
        "pack": {"id": rules.id, "version": rules.version,
                 "title": {"zh": rules.title.zh, "en": rules.title.en},
                 "source": rules.source.title, "status": rules.source.status,
                 "jurisdiction": rules.jurisdiction.code,
                 "jurisdiction_name": rules.jurisdiction.name, "draft": rules.issued_on is None,
                 "issued_on": rules.issued_on,
                 "valid_until": rules.validity.valid_until(rules.issued_on)},
        "pack_version": rules.version,
        "current": current,
        "complete": state.complete,
        "roles": {code: {"zh": r.zh, "en": r.en, "clause": r.clause}
                  for code, r in rules.roles.items()},
        "flags": [{"code": code, "zh": f.zh, "en": f.en, "clause": f.clause,
                   "roles": list(f.roles), "value": bool(state.flags.get(code, False)),
                   "can_set": role in f.roles}
                  for code, f in rules.flags.items()],
        "stages": stages,
        "steps": steps,
        "log": log,
        "provisions": provisions,
        "willingness": (_gate_dict(project, *_consent_data(session, project))
                        if willingness is None else willingness),
        "workflow_role": role,
        "can_write": _may_write(user, project),
    }


def get_workflow(store: Store, user: Principal, project_id: int) -> dict[str, Any]:
    """The workflow: 4 stages, 11 steps with their requirements' statuses, the flags, the log and
    the willingness gate (a project never written to is shown at step 1, ``started`` false)."""
    store.ensure_current()
    with store.read_session() as session:
        project, wf = _bound(session, user, project_id, write=False)
        row, state = _load(session, project, wf)
        return _overview(session, user, project, wf, row, state)


# ---------------------------------------------------------------- operations


def start_workflow(store: Store, user: Principal, project_id: int, *,
                   reason: str | None = None) -> tuple[bool, dict[str, Any]]:
    """Store the workflow at step 1; ``(created, overview)`` — False when it already existed."""
    store.ensure_current()
    with store.session() as session:
        project, wf = _bound(session, user, project_id, write=True)
        row, state = _load(session, project, wf, lock=True)
        created = row is None
        if created:
            _check_in_force(wf)
            row = _save(session, user, project, None, state, state, "start", {}, reason)
        return created, _overview(session, user, project, wf, row, state)


def provide_item(store: Store, user: Principal, project_id: int, step: str | int, item: str, *,
                 ref: str | None = None, note: str | None = None,
                 passed: bool | None = None) -> dict[str, Any]:
    """Record a document or a decision for the current step. Step 5's willingness decision is
    computed from the consent units (``passed`` may not be given); its ref and note carry the
    gate's numbers."""
    store.ensure_current()
    with store.session() as session:
        project, wf = _bound(session, user, project_id, write=True)
        code = _step_code(wf, step)
        sdef = wf.step(code)
        req = sdef.requirement(item)
        row, state = _load(session, project, wf, lock=True)
        role = _acting_role(user, sdef.provider_roles(req), f"provide '{item}' ({req.name})")
        computed = (code, item) == (GATE_STEP, GATE_ITEM)
        asserted = passed
        gate = None
        units: list[ConsentUnit] = []
        records: list[LedgerRecord] = []
        if computed:
            units, records = _consent_data(session, project)
            gate = _gate(project, units, records)
            passed = gate.allowed
            ref = _gate_ref(gate) + (f" · {ref}" if ref else "")
            note = "\n".join([gate.explain(), *(u.explain() for u in gate.units),
                              *([note] if note else [])])
        new = wf.provide(state, code, item, by_user=user.name, by_role=role, at=utcnow(),
                         ref=ref, note=note, passed=passed)
        if computed and asserted is not None:
            raise InputError(f"'{item}' ({req.name}) is computed from the project's consent "
                             "units (GET /api/projects/{id}/willingness-gate); do not give "
                             "passed", field="passed", code="computed_decision")
        row = _save(session, user, project, row, state, new, "provide",
                    {"step": code, "item": item, "ref": ref, "passed": passed})
        return _overview(session, user, project, wf, row, new,
                         None if gate is None else _decorate(gate, units, records))


def close_step(store: Store, user: Principal, project_id: int, step: str | int, *,
               note: str | None = None) -> dict[str, Any]:
    """Close the current step (409 ``requirements_missing`` naming what is missing; for step 5
    also when the willingness gate is closed now, with the gate's numbers)."""
    store.ensure_current()
    with store.session() as session:
        project, wf = _bound(session, user, project_id, write=True)
        code = _step_code(wf, step)
        sdef = wf.step(code)
        row, state = _load(session, project, wf, lock=True)
        role = _acting_role(user, sdef.roles, f"close step {sdef.number} {code}")
        gate = None
        units: list[ConsentUnit] = []
        records: list[LedgerRecord] = []
        if code == GATE_STEP:
            units, records = _consent_data(session, project)
            gate = _gate(project, units, records)
        try:
            new = wf.close_step(state, code, by_user=user.name, by_role=role, at=utcnow(),
                                note=note)
        except RequirementsMissing as exc:
            if gate is None:
                raise
            missing = list(exc.missing)
            if not gate.allowed and GATE_ITEM not in {m["code"] for m in missing}:
                missing.append(_gate_missing(wf))
            raise WillingnessGateClosed(f"{exc.message}; {gate.explain()}", missing,
                                        _decorate(gate, units, records)) from None
        if gate is not None and not gate.allowed:
            raise WillingnessGateClosed(
                f"cannot close step {sdef.number} {code} ({sdef.name}): the willingness gate "
                f"has closed since the decision was recorded (a consent was withdrawn or a "
                f"unit added): {gate.explain()}", [_gate_missing(wf)],
                _decorate(gate, units, records))
        row = _save(session, user, project, row, state, new, "close",
                    {"step": code, "note": note, "gate": None if gate is None else
                     {"allowed": gate.allowed, "passed": gate.passed, "total": gate.total}})
        return _overview(session, user, project, wf, row, new,
                         None if gate is None else _decorate(gate, units, records))


def return_step(store: Store, user: Principal, project_id: int, step: str | int, *,
                reason: str, to_step: str | int | None = None,
                items: Sequence[str] | None = None) -> dict[str, Any]:
    """Send the current step back (退回) to itself or an earlier step; the named items (default
    all of the target step) must be provided again."""
    store.ensure_current()
    with store.session() as session:
        project, wf = _bound(session, user, project_id, write=True)
        code = _step_code(wf, step)
        target = None if to_step is None else _step_code(wf, to_step)
        sdef = wf.step(code)
        row, state = _load(session, project, wf, lock=True)
        role = _acting_role(user, sdef.return_roles, f"return step {sdef.number} {code}")
        new = wf.return_step(state, code, reason=reason, by_user=user.name, by_role=role,
                             at=utcnow(), to_step=target, items=items)
        row = _save(session, user, project, row, state, new, "return",
                    {"step": code, "to_step": new.current, "items": new.log[-1].invalidated},
                    reason)
        return _overview(session, user, project, wf, row, new)


def set_flags(store: Store, user: Principal, project_id: int, flags: Mapping[str, bool], *,
              reason: str | None = None) -> dict[str, Any]:
    """Declare project facts that switch conditional requirements on or off (values equal to the
    current ones change nothing and are not stored)."""
    store.ensure_current()
    if not isinstance(flags, Mapping) or not flags:
        raise InputError("give at least one flag: {name: true|false}", field="flags")
    with store.session() as session:
        project, wf = _bound(session, user, project_id, write=True)
        allowed = sorted({r for name in flags if name in wf.rules.flags
                          for r in wf.rules.flags[name].roles})
        row, state = _load(session, project, wf, lock=True)
        role = _acting_role(user, allowed, "declare flags")
        new = wf.set_flags(state, dict(flags), by_user=user.name, by_role=role, at=utcnow(),
                           reason=reason)
        if new is not state:
            row = _save(session, user, project, row, state, new, "flags",
                        {"flags": dict(new.log[-1].flags)}, reason)
        return _overview(session, user, project, wf, row, new)


# ---------------------------------------------------------------- consent units and the gate


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


def _consent_data(session: Session, project: Project
                  ) -> tuple[list[ConsentUnit], list[LedgerRecord]]:
    """The project's consent units and its consent ledger's records, read once per request and
    passed to what needs them."""
    return _units(session, project.id), _records(session, project.id)


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


def _gate(project: Project, rows: Sequence[ConsentUnit], records: Sequence[LedgerRecord]
          ) -> WillingnessDecision:
    """The willingness gate of the project's consent units (``rows``) and consent ledger
    records, under the conditions in force today (a collective vote under those in force on the
    day it was held); a collective unit without a vote counts as not meeting its condition."""
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


def _gate_ref(gate: WillingnessDecision) -> str:
    units = ", ".join(f"{u.unit_id} {'✓' if u.allowed else '✗'}" for u in gate.units)
    return (f"意愿征询闸口 willingness gate {gate.passed}/{gate.total}"
            + (f" ({units})" if units else "") + f" [{gate.rule}]")


def _gate_missing(wf: ConsolidationWorkflow) -> dict[str, str]:
    req = wf.step(GATE_STEP).requirement(GATE_ITEM)
    return {"code": req.code, "name": req.name}


def _decorate(gate: WillingnessDecision, rows: Sequence[ConsentUnit],
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


def _gate_dict(project: Project, rows: Sequence[ConsentUnit], records: Sequence[LedgerRecord]
               ) -> dict[str, Any]:
    return _decorate(_gate(project, rows, records), rows, records)


def willingness(store: Store, user: Principal, project_id: int) -> dict[str, Any]:
    """The willingness gate (意愿征询闸口): every unit's decision with its numbers, thresholds,
    rules and clauses."""
    store.ensure_current()
    with store.read_session() as session:
        project = consolidation_project(session, user, project_id, write=False)
        return _gate_dict(project, *_consent_data(session, project))


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
        rows, records = _consent_data(session, project)
        grouped = _by_unit(records)
        return [_unit_record(project, row, grouped.get(row.code, [])) for row in rows]


def _rename(exc: InputError, renames: Sequence[tuple[str, str]]) -> InputError:
    """The pure error with its field named as the request names it."""
    field = exc.field or ""
    for old, new in renames:
        if field == old or field.startswith(old + ".") or field.startswith(old + "["):
            field = (new + field[len(old):]).lstrip(".")
            break
    return InputError(exc.message, field=field or None, code=exc.code)


def _check_definition(code: str, kind: str, definition: Mapping[str, Any]) -> None:
    """Consents and votes are ledger records, never part of a definition; every ledger subject
    ``unit/[parcel/]owner`` must fit the ledger's subject column."""

    def walk(node: Mapping[str, Any], where: str, path: tuple[str, ...]) -> None:
        for key, how in (("records", "POST /api/projects/{id}/consents"),
                         ("vote", "POST /api/projects/{id}/votes")):
            if key in node:
                raise InputError(f"'{key}' is not part of a unit's definition: record them "
                                 f"with {how}", field=f"{where}.{key}")
        parcels = node.get("parcels")
        if isinstance(parcels, Sequence) and not isinstance(parcels, (str, bytes)):
            for i, p in enumerate(parcels):
                if isinstance(p, Mapping):
                    walk(p, f"{where}.parcels[{i}]", (*path, str(p.get("id"))))
        owners = node.get("owners")
        if isinstance(owners, Sequence) and not isinstance(owners, (str, bytes)):
            for i, o in enumerate(owners):
                if isinstance(o, Mapping):
                    subject = "/".join((code, *path, str(o.get("id"))))
                    if len(subject) > SUBJECT_MAX:
                        raise InputError(f"'{subject}' is longer than {SUBJECT_MAX} characters "
                                         "(unit code, parcel and owner ids together)",
                                         field=f"{where}.owners[{i}].id")

    walk(definition, "definition", ())
    for key, expected, name in (("id", code, "code"), ("kind", kind, "kind")):
        if key in definition and definition[key] != expected:
            raise InputError(f"definition.{key} '{definition[key]}' differs from the unit's "
                             f"{name} '{expected}' (leave it out)", field=f"definition.{key}")


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
    _check_definition(code, kind, definition)
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
            raise _rename(exc, [("definition.kind", "kind"), ("definition.id", "code"),
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


def _unit_row(rows: Sequence[ConsentUnit], project: Project, code: str) -> ConsentUnit:
    """The unit ``code`` among the project's units ``rows``."""
    row = next((r for r in rows if r.code == code), None)
    if row is None:
        known = [u.code for u in rows]
        raise InputError(f"project {project.id} has no consent unit '{code}'"
                         + (f" (units: {', '.join(known)})" if known else
                            "; add it with POST /api/projects/{id}/consent-units"),
                         field="unit")
    return row


def _holder_node(row: ConsentUnit, parcel: str | None) -> dict[str, Any]:
    """The owners' node of a unit: the unit itself, or the parcel named by ``parcel`` (ids
    joined by '/') of a ``state_parcels`` unit."""
    node: dict[str, Any] = {**(row.definition or {}), "kind": row.kind}
    if row.kind != "state_parcels":
        if parcel:
            raise InputError(f"unit '{row.code}' ({row.kind}) has no parcels", field="parcel")
        return node
    if not parcel:
        ids = [str(p.get("id")) for p in node.get("parcels") or []]
        raise InputError(f"unit '{row.code}' is several parcels: name the parcel "
                         f"({', '.join(ids)})", field="parcel")
    for part in parcel.split("/"):
        if node.get("kind") != "state_parcels":
            raise InputError(f"parcel path '{parcel}' goes below a parcel with owners",
                             field="parcel")
        found = next((p for p in node.get("parcels") or [] if str(p.get("id")) == part), None)
        if found is None:
            raise InputError(f"unit '{row.code}' has no parcel '{part}'", field="parcel")
        node = found
    if node.get("kind") == "state_parcels":
        ids = [str(p.get("id")) for p in node.get("parcels") or []]
        raise InputError(f"parcel '{parcel}' is itself several parcels: name one of "
                         f"{', '.join(ids)}", field="parcel")
    return node


def _append(session: Session, user: Principal, project: Project, *, subject: str,
            action: str, on: dt.date, evidence_sha256: str | None,
            details: dict[str, Any]) -> LedgerRecord:
    name = ledger.ledger_name(CONSENT, project.id)
    rec = ledger.append(session, ledger=name, project_id=project.id, phase_id=None,
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
    gate = _gate(project, rows, records)
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
        row = _unit_row(rows, project, unit)
        if row.kind == "collective":
            raise InputError(f"unit '{unit}' is collective land: it decides by vote (POST "
                             "/api/projects/{id}/votes), not by owners' consents", field="unit")
        node = _holder_node(row, parcel)
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
        rec = _append(session, user, project, subject=subject, action=action, on=on,
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
            raise _rename(exc, [("vote.vote", "")]) from None
        rows = _units(session, project.id)
        row = _unit_row(rows, project, unit)
        if row.kind != "collective":
            raise InputError(f"unit '{unit}' is {row.kind}: only a collective unit votes; "
                             "record owners with POST /api/projects/{id}/consents",
                             field="unit")
        rec = _append(session, user, project, subject=unit, action=VOTE, on=held_on,
                      evidence_sha256=evidence_sha256,
                      details={"unit": unit, "vote": clean, "note": note})
        return _after_record(project, row, rec, rows, _records(session, project.id))

