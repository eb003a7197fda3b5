"""The land consolidation workflow as services (土地整备流程): I/O around the pure
:mod:`landrenew.projects.workflow` state machine, with step 5's willingness decision read from
:mod:`landrenew.projects.consent_service`.

* The workflow of a project of type ``land_consolidation`` or ``urban_village`` is one row of
  ``consolidation_workflows``: the pure state as JSON and a version. Every operation loads the
  state (``load_state`` replays its log), applies the pure operation as the acting user and the
  body they act for (:attr:`~landrenew.core.access.Principal.workflow_role`), checks that the new
  state only appends to the old one (``check_append_only``), saves it with the next version and
  writes an audit event. A project without a row is at step 1 (the row is made by the first write
  or by :func:`start_workflow`).
* Step 5's willingness decision (``willingness_gate``) is never asserted by a caller: it is
  computed from the consent units when provided, and computed again when step 5 is closed (a
  withdrawal after the decision closes the gate again).
* Every answer is :func:`~landrenew.projects.workflow_view.workflow_overview` of the new state.

Who may do what: reading follows :func:`landrenew.projects.service.visible_project` (404 outside
what the user sees); writing needs :func:`~landrenew.projects.service.require_project_write`
(district writers, or the consolidation entity owning the project), both through
:func:`~landrenew.projects.workflow_access.bound`; a workflow operation also needs the user's
body to be among the roles the pack names for it (403 ``role_not_allowed`` naming them).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from landrenew.core import audit
from landrenew.core.access import Principal
from landrenew.core.clock import city_today
from landrenew.core.errors import Conflict, InputError
from landrenew.core.ledger import LedgerTrust, trust_of
from landrenew.core.store import Store, utcnow
from landrenew.core.store.models import ConsentUnit, LedgerRecord, Project
from landrenew.core.store.models import ConsolidationWorkflow as WorkflowRow
from landrenew.participation.consent import WillingnessDecision
from landrenew.projects import consent_service as consent
from landrenew.projects.consent_service import GATE_ITEM, GATE_STEP
from landrenew.projects.workflow import ConsolidationWorkflow
from landrenew.projects.workflow_access import bound
from landrenew.projects.workflow_state import (
    ConsolidationState,
    RequirementsMissing,
    RoleNotAllowed,
    check_append_only,
)
from landrenew.projects.workflow_view import workflow_overview


class WillingnessGateClosed(RequirementsMissing):
    """409 ``requirements_missing`` for step 5 with the willingness gate's numbers."""

    def __init__(self, message: str, missing: Sequence[Mapping[str, str]],
                 gate: dict[str, Any]) -> None:
        super().__init__(message, missing)
        self.gate = gate

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "gate": self.gate}


# ---------------------------------------------------------------- helpers


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


def _gate_ref(gate: WillingnessDecision) -> str:
    units = ", ".join(f"{u.unit_id} {'✓' if u.allowed else '✗'}" for u in gate.units)
    return (f"意愿征询闸口 willingness gate {gate.passed}/{gate.total}"
            + (f" ({units})" if units else "") + f" [{gate.rule}]")


def _gate_missing(wf: ConsolidationWorkflow) -> dict[str, str]:
    req = wf.step(GATE_STEP).requirement(GATE_ITEM)
    return {"code": req.code, "name": req.name}


def _overview(session: Session, trust: LedgerTrust, user: Principal, project: Project,
              wf: ConsolidationWorkflow,
              row: WorkflowRow | None, state: ConsolidationState,
              willingness: dict[str, Any] | None = None) -> dict[str, Any]:
    """:func:`~landrenew.projects.workflow_view.workflow_overview` of ``state``; ``willingness``
    is the decorated gate when the caller has computed it already (read here otherwise)."""
    if willingness is None:
        willingness = consent.gate_dict(project, *consent.consent_data(session, trust, project))
    return workflow_overview(user, project, wf, row, state, willingness)


# ---------------------------------------------------------------- reading the workflow


def get_workflow(store: Store, user: Principal, project_id: int) -> dict[str, Any]:
    """The workflow: 4 stages, 11 steps with their requirements' statuses, the flags, the log and
    the willingness gate (a project never written to is shown at step 1, ``started`` false)."""
    store.ensure_current()
    with store.read_session() as session:
        project, wf = bound(session, user, project_id, write=False)
        row, state = _load(session, project, wf)
        return _overview(session, trust_of(store), user, project, wf, row, state)


# ---------------------------------------------------------------- operations


def start_workflow(store: Store, user: Principal, project_id: int, *,
                   reason: str | None = None) -> tuple[bool, dict[str, Any]]:
    """Store the workflow at step 1; ``(created, overview)`` — False when it already existed."""
    store.ensure_current()
    with store.session() as session:
        project, wf = bound(session, user, project_id, write=True)
        row, state = _load(session, project, wf, lock=True)
        created = row is None
        if created:
            _check_in_force(wf)
            row = _save(session, user, project, None, state, state, "start", {}, reason)
        return created, _overview(session, trust_of(store), user, project, wf, row, state)


def provide_item(store: Store, user: Principal, project_id: int, step: str | int, item: str, *,
                 ref: str | None = None, note: str | None = None,
                 passed: bool | None = None) -> dict[str, Any]:
    """Record a document or a decision for the current step. Step 5's willingness decision is
    computed from the consent units (``passed`` may not be given); its ref and note carry the
    gate's numbers."""
    store.ensure_current()
    with store.session() as session:
        project, wf = bound(session, user, project_id, write=True)
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
            units, records, problems = consent.consent_data(session, trust_of(store), project)
            gate = consent.willingness_decision(project, units, records, problems)
            passed = gate.allowed
            ref = _gate_ref(gate) + (f" · {ref}" if ref else "")
            note = "\n".join([gate.explain(), *(u.explain() for u in gate.units),
                              *([note] if note else [])])
        new = wf.provide(state, code, item, by_user=user.name, by_role=role, at=utcnow(),
                         ref=ref, note=note, passed=passed)
        if computed and asserted is not None:
            raise InputError(f"'{item}' ({req.name}) is computed from the project's consent "
                             "units (the willingness gate); do not give passed", field="passed",
                             code="computed_decision")
        row = _save(session, user, project, row, state, new, "provide",
                    {"step": code, "item": item, "ref": ref, "passed": passed})
        return _overview(session, trust_of(store), user, project, wf, row, new,
                         None if gate is None else consent.decorate(gate, units, records))


def close_step(store: Store, user: Principal, project_id: int, step: str | int, *,
               note: str | None = None) -> dict[str, Any]:
    """Close the current step (409 ``requirements_missing`` naming what is missing; for step 5
    also when the willingness gate is closed now, with the gate's numbers)."""
    store.ensure_current()
    with store.session() as session:
        project, wf = bound(session, user, project_id, write=True)
        code = _step_code(wf, step)
        sdef = wf.step(code)
        row, state = _load(session, project, wf, lock=True)
        role = _acting_role(user, sdef.roles, f"close step {sdef.number} {code}")
        gate = None
        units: list[ConsentUnit] = []
        records: list[LedgerRecord] = []
        if code == GATE_STEP:
            units, records, problems = consent.consent_data(session, trust_of(store), project)
            gate = consent.willingness_decision(project, units, records, problems)
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
                                        consent.decorate(gate, units, records)) from None
        if gate is not None and not gate.allowed:
            raise WillingnessGateClosed(
                f"cannot close step {sdef.number} {code} ({sdef.name}): the willingness gate "
                f"has closed since the decision was recorded (a consent was withdrawn or a "
                f"unit added): {gate.explain()}", [_gate_missing(wf)],
                consent.decorate(gate, units, records))
        row = _save(session, user, project, row, state, new, "close",
                    {"step": code, "note": note, "gate": None if gate is None else
                     {"allowed": gate.allowed, "passed": gate.passed, "total": gate.total}})
        return _overview(session, trust_of(store), user, project, wf, row, new,
                         None if gate is None else consent.decorate(gate, units, records))


def return_step(store: Store, user: Principal, project_id: int, step: str | int, *,
                reason: str, to_step: str | int | None = None,
                items: Sequence[str] | None = None) -> dict[str, Any]:
    """Send the current step back (退回) to itself or an earlier step; the named items (default
    all of the target step) must be provided again."""
    store.ensure_current()
    with store.session() as session:
        project, wf = bound(session, user, project_id, write=True)
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
        return _overview(session, trust_of(store), user, project, wf, row, new)


def set_flags(store: Store, user: Principal, project_id: int, flags: Mapping[str, bool], *,
              reason: str | None = None) -> dict[str, Any]:
    """Declare project facts that switch conditional requirements on or off (values equal to the
    current ones change nothing and are not stored)."""
    store.ensure_current()
    if not isinstance(flags, Mapping) or not flags:
        raise InputError("give at least one flag: {name: true|false}", field="flags")
    with store.session() as session:
        project, wf = bound(session, user, project_id, write=True)
        allowed = sorted({r for name in flags if name in wf.rules.flags
                          for r in wf.rules.flags[name].roles})
        row, state = _load(session, project, wf, lock=True)
        role = _acting_role(user, allowed, "declare flags")
        new = wf.set_flags(state, dict(flags), by_user=user.name, by_role=role, at=utcnow(),
                           reason=reason)
        if new is not state:
            row = _save(session, user, project, row, state, new, "flags",
                        {"flags": dict(new.log[-1].flags)}, reason)
        return _overview(session, trust_of(store), user, project, wf, row, new)
