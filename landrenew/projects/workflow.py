"""The land consolidation workflow (城中村改造土地整备：阶段与步骤) as a pure state machine driven by
a ``consolidation_scheme`` rule pack (:mod:`landrenew.projects.scheme`; Zhongshan's: four
stages, eleven steps).

No database here. A project's workflow is a
:class:`~landrenew.projects.workflow_state.ConsolidationState` (JSON-safe through its ``to_dict``
and :meth:`ConsolidationWorkflow.load_state`); every operation of
:class:`ConsolidationWorkflow` takes a state and returns a new one, never changing the old one:

* :meth:`~ConsolidationWorkflow.provide` records a document or a decision for the current step;
* :meth:`~ConsolidationWorkflow.close_step` closes the current step once its requirements are met;
* :meth:`~ConsolidationWorkflow.return_step` sends the current step (or an earlier one) back, for
  example when the land management committee returns an implementation plan;
* :meth:`~ConsolidationWorkflow.set_flags` declares project facts ("the site involves soil
  pollution") that make conditional requirements required or waive them.

History is never deleted: provisions and transitions are appended with a sequence number, who
(user and role) and when. A returned item is not removed; the return transition names it, and only
a provision made after that return satisfies the requirement again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

from landrenew.core.errors import Conflict, InputError
from landrenew.projects.scheme import ConsolidationRules, StepDef, scheme
from landrenew.projects.workflow_state import (
    ConsolidationState,
    Provision,
    RequirementsMissing,
    RequirementStatus,
    RoleNotAllowed,
    Transition,
    missing_items,
    utc_naive,
)

# ----------------------------------------------------------------------------- the workflow


class ConsolidationWorkflow:
    """The state machine of one rule pack. Every method is pure: it returns a new state."""

    def __init__(self, rules: ConsolidationRules) -> None:
        self.rules = rules
        self._index = {s.code: i for i, s in enumerate(rules.steps)}

    # -- look-ups ------------------------------------------------------------------------

    @property
    def steps(self) -> list[StepDef]:
        return self.rules.steps

    def step(self, code: str) -> StepDef:
        try:
            return self.rules.steps[self._index[code]]
        except KeyError:
            raise InputError(f"unknown consolidation step '{code}' (known: "
                             f"{', '.join(self._index)})", field="step",
                             code="unknown_step") from None

    def _role_names(self, roles: Iterable[str]) -> str:
        return "、".join(f"{r} {self.rules.roles[r].zh}" for r in roles)

    def _step_label(self, step: StepDef) -> str:
        return f"step {step.number} {step.code} ({step.name})"

    def _position(self, state: ConsolidationState) -> int:
        """Index of the current step; len(steps) once complete."""
        return len(self.steps) if state.current is None else self._index[state.current]

    # -- states --------------------------------------------------------------------------

    def start(self) -> ConsolidationState:
        """A new project at step 1 with no flags, provisions or log."""
        return ConsolidationState(pack=self.rules.id, pack_version=self.rules.version,
                                  current=self.steps[0].code)

    def load_state(self, data: Mapping[str, Any]) -> ConsolidationState:
        """Read a stored state and check it against this pack by replaying its log: the pack id,
        the step, item, role and flag codes, increasing sequence numbers and times, and that
        ``current`` and ``flags`` are what the log leads to."""
        state = ConsolidationState.from_dict(data)
        self._check_pack(state)

        def bad(message: str) -> InputError:
            return InputError(f"consolidation state: {message}", code="invalid_state")

        events: list[Provision | Transition] = sorted([*state.provisions, *state.log],
                                                      key=lambda e: e.seq)
        seqs = [e.seq for e in events]
        if len(set(seqs)) != len(seqs):
            raise bad("duplicate sequence numbers")
        for group in (state.provisions, state.log):
            if [e.seq for e in group] != sorted(e.seq for e in group):
                raise bad("entries are not in sequence order")
        position, flags = 0, {}
        last: dt.datetime | None = None
        for ev in events:
            if last is not None and ev.at < last:
                raise bad(f"entry {ev.seq} is earlier than the entry before it")
            last = ev.at
            if ev.by_role not in self.rules.roles:
                raise bad(f"entry {ev.seq}: unknown role '{ev.by_role}'")
            if isinstance(ev, Provision):
                if ev.step not in self._index:
                    raise bad(f"provision {ev.seq}: unknown step '{ev.step}'")
                self.step(ev.step).requirement(ev.item)
                if self._index[ev.step] != position:
                    raise bad(f"provision {ev.seq} is for {ev.step}, not the current step")
                continue
            if ev.kind == "flags":
                unknown = set(ev.flags) - set(self.rules.flags)
                if unknown:
                    raise bad(f"entry {ev.seq}: unknown flag(s) {sorted(unknown)}")
                flags.update(ev.flags)
                continue
            if ev.step not in self._index or self._index[ev.step] != position:
                raise bad(f"entry {ev.seq}: {ev.kind} of '{ev.step}' which is not the current step")
            if ev.kind == "close":
                position += 1
            else:
                if ev.to_step not in self._index or self._index[ev.to_step] > position:
                    raise bad(f"entry {ev.seq}: return to '{ev.to_step}' is not an earlier step")
                position = self._index[ev.to_step]
        current = self.steps[position].code if position < len(self.steps) else None
        if state.current != current:
            raise bad(f"current step is '{state.current}' but the log leads to '{current}'")
        if state.flags != flags:
            raise bad(f"flags are {state.flags} but the log leads to {flags}")
        return state

    def _check_pack(self, state: ConsolidationState) -> None:
        if state.pack != self.rules.id:
            raise Conflict(f"this state follows rule pack '{state.pack}', not '{self.rules.id}'",
                           field="pack", code="pack_mismatch")

    def _check_who_when(self, state: ConsolidationState, by_user: str,
                        at: dt.datetime) -> dt.datetime:
        if not isinstance(by_user, str) or not by_user.strip():
            raise InputError("the acting user must be named", field="by_user",
                             code="user_required")
        at = utc_naive(at)
        last = state.last_at
        if last is not None and at < last:
            raise InputError(f"time {at.isoformat()} is earlier than the last recorded entry "
                             f"({last.isoformat()})", field="at", code="time_order")
        return at

    def _current_step(self, state: ConsolidationState, step: StepDef, action: str) -> None:
        if state.current == step.code:
            return
        if state.current is None:
            where = "the workflow is complete"
        else:
            cur = self.step(state.current)
            where = f"the current step is {cur.number} {cur.code} ({cur.name})"
        code = "step_closed" if (action == "provide" and state.current is not None
                                 and self._index[step.code] < self._position(state)) \
            else "out_of_order"
        raise Conflict(f"cannot {action} {self._step_label(step)}: {where}", field="step",
                       code=code)

    # -- reading -------------------------------------------------------------------------

    def _invalidated_after(self, state: ConsolidationState) -> dict[tuple[str, str], int]:
        """(step, item) → seq of the last return that invalidated it."""
        out: dict[tuple[str, str], int] = {}
        for t in state.log:
            if t.kind == "return" and t.to_step is not None:
                for item in t.invalidated:
                    out[(t.to_step, item)] = t.seq
        return out

    def valid_provisions(self, state: ConsolidationState, step: str) -> dict[str, Provision]:
        """The latest provision of each item of ``step`` not invalidated by a later return."""
        self.step(step)
        cut = self._invalidated_after(state)
        out: dict[str, Provision] = {}
        for p in state.provisions:
            if p.step == step and p.seq > cut.get((step, p.item), 0):
                out[p.item] = p
        return out

    def requirements(self, state: ConsolidationState, step: str,
                     flags: Mapping[str, bool] | None = None) -> list[RequirementStatus]:
        """Each requirement of ``step`` with its status, under ``flags`` (default: the state's
        declared flags; pass others to preview)."""
        self._check_pack(state)
        sdef = self.step(step)
        use = dict(state.flags if flags is None else flags)
        unknown = set(use) - set(self.rules.flags)
        if unknown:
            raise InputError(f"unknown flag(s): {', '.join(sorted(unknown))}", field="flags",
                             code="unknown_flag")
        given = self.valid_provisions(state, step)
        out: list[RequirementStatus] = []
        for req in sdef.requirements:
            required = req.required(use)
            prov = given.get(req.code)
            status: Literal["present", "missing", "refused", "not_required"]
            if prov is not None and (req.kind == "document" or prov.passed):
                status = "present"
            elif prov is not None:
                status = "refused"
            else:
                status = "missing" if required else "not_required"
            out.append(RequirementStatus(
                step=step, code=req.code, name=req.name, en=req.en, kind=req.kind,
                group=req.group, clause=req.clause or sdef.clause, basis=req.basis or sdef.basis,
                roles=tuple(sdef.provider_roles(req)), required=required,
                condition=req.condition, status=status,
                provision=None if prov is None else prov.model_dump(mode="json")))
        return out

    def missing(self, state: ConsolidationState, step: str,
                flags: Mapping[str, bool] | None = None) -> list[dict[str, str]]:
        """``[{code, name}]`` of the requirements that still block closing ``step``."""
        return missing_items(self.requirements(state, step, flags))

    def overview(self, state: ConsolidationState,
                 requirements: Mapping[str, Sequence[RequirementStatus]] | None = None
                 ) -> list[dict[str, Any]]:
        """One row per step for pages: number, code, names, stage, status
        (closed | current | pending), blocking count, and who/when of its last close.
        ``requirements``: each step's :meth:`requirements` of ``state`` by step code, when the
        caller has them already."""
        if requirements is None:
            requirements = {s.code: self.requirements(state, s.code) for s in self.steps}
        pos = self._position(state)
        closes = {t.step: t for t in state.log if t.kind == "close"}
        rows = []
        for i, s in enumerate(self.steps):
            status = "closed" if i < pos else "current" if i == pos else "pending"
            last = closes.get(s.code) if status == "closed" else None
            stage = self.rules.stage(s.stage)
            rows.append({
                "number": s.number, "code": s.code, "name": s.name, "en": s.en,
                "stage": s.stage, "stage_name": stage.zh, "clause": s.clause,
                "roles": list(s.roles), "status": status,
                "missing": sum(r.blocking for r in requirements[s.code]),
                "closed_by": None if last is None else {"user": last.by_user,
                                                        "role": last.by_role},
                "closed_at": None if last is None else last.at.isoformat(),
            })
        return rows

    # -- operations ----------------------------------------------------------------------

    def provide(self, state: ConsolidationState, step: str, item: str, *, by_user: str,
                by_role: str, at: dt.datetime, ref: str | None = None, note: str | None = None,
                passed: bool | None = None) -> ConsolidationState:
        """Record a document (``passed`` omitted) or a decision (``passed`` True/False) for the
        current step. Refused: unknown step/item (422), a closed step (409 ``step_closed``), a
        later step (409 ``out_of_order``), a role that may not provide it (403
        ``role_not_allowed``)."""
        self._check_pack(state)
        sdef = self.step(step)
        req = sdef.requirement(item)
        allowed = sdef.provider_roles(req)
        if by_role not in allowed:
            raise RoleNotAllowed(f"role '{by_role}' may not provide '{item}' ({req.name}) of "
                                 f"{self._step_label(sdef)}; allowed: "
                                 f"{self._role_names(allowed)}", allowed)
        self._current_step(state, sdef, "provide")
        at = self._check_who_when(state, by_user, at)
        if req.kind == "decision" and not isinstance(passed, bool):
            raise InputError(f"'{item}' ({req.name}) is a decision: give passed=True or False",
                             field="passed", code="decision_outcome_required")
        if req.kind == "document" and passed is not None:
            raise InputError(f"'{item}' ({req.name}) is a document, not a decision",
                             field="passed", code="not_a_decision")
        prov = Provision(seq=state.next_seq, step=step, item=item, by_user=by_user,
                         by_role=by_role, at=at, ref=ref, note=note, passed=passed)
        return state.model_copy(update={"provisions": [*state.provisions, prov]}, deep=True)

    def close_step(self, state: ConsolidationState, step: str, *, by_user: str, by_role: str,
                   at: dt.datetime, note: str | None = None) -> ConsolidationState:
        """Close the current step and move to the next (None after the last). Refused: a role
        not allowed (403 ``role_not_allowed``), not the current step (409 ``out_of_order``),
        requirements not met (409 ``requirements_missing`` with ``missing``)."""
        self._check_pack(state)
        sdef = self.step(step)
        if by_role not in sdef.roles:
            raise RoleNotAllowed(f"role '{by_role}' may not close {self._step_label(sdef)}; "
                                 f"allowed: {self._role_names(sdef.roles)}", sdef.roles)
        self._current_step(state, sdef, "close")
        at = self._check_who_when(state, by_user, at)
        statuses = self.requirements(state, step)
        blocking = [r for r in statuses if r.blocking]
        if blocking:
            listed = "; ".join(f"{r.code} {r.name}" + (" (decision not passed)"
                                                        if r.status == "refused" else "")
                               for r in blocking)
            raise RequirementsMissing(f"cannot close {self._step_label(sdef)}: missing {listed}",
                                      missing_items(blocking))
        pos = self._index[step] + 1
        entry = Transition(seq=state.next_seq, kind="close", step=step, by_user=by_user,
                           by_role=by_role, at=at, reason=note)
        current = self.steps[pos].code if pos < len(self.steps) else None
        return state.model_copy(update={"log": [*state.log, entry], "current": current},
                                deep=True)

    def return_step(self, state: ConsolidationState, step: str, *, reason: str, by_user: str,
                    by_role: str, at: dt.datetime, to_step: str | None = None,
                    items: Sequence[str] | None = None) -> ConsolidationState:
        """Return the current ``step`` (退回): the workflow goes back to ``to_step`` (default the
        same step; an earlier step reopens it and every step after it) and the named ``items`` of
        ``to_step`` (default all) must be provided again. Only the step's ``return_roles`` may
        do it. Nothing is deleted: a ``return`` entry is appended to the log."""
        self._check_pack(state)
        sdef = self.step(step)
        if by_role not in sdef.return_roles:
            allowed = sdef.return_roles
            who = self._role_names(allowed) if allowed else "no role (the step cannot be returned)"
            raise RoleNotAllowed(f"role '{by_role}' may not return {self._step_label(sdef)}; "
                                 f"allowed: {who}", allowed)
        self._current_step(state, sdef, "return")
        at = self._check_who_when(state, by_user, at)
        if not isinstance(reason, str) or not reason.strip():
            raise InputError("a return needs a reason", field="reason", code="reason_required")
        target = self.step(to_step or step)
        if self._index[target.code] > self._index[step]:
            raise InputError(f"cannot return {self._step_label(sdef)} to the later "
                             f"{self._step_label(target)}", field="to_step",
                             code="invalid_return_target")
        codes = [r.code for r in target.requirements] if items is None else list(items)
        for code in codes:
            target.requirement(code)
        entry = Transition(seq=state.next_seq, kind="return", step=step, to_step=target.code,
                           by_user=by_user, by_role=by_role, at=at, reason=reason,
                           invalidated=list(dict.fromkeys(codes)))
        return state.model_copy(update={"log": [*state.log, entry], "current": target.code},
                                deep=True)

    def set_flags(self, state: ConsolidationState, flags: Mapping[str, bool], *, by_user: str,
                  by_role: str, at: dt.datetime, reason: str | None = None
                  ) -> ConsolidationState:
        """Declare project flags (logged as a ``flags`` entry). Refused: an unknown flag (422),
        a role that may not declare it (403), a change that would alter the requirements of a
        step already closed (409 ``flag_affects_closed_step``: return that step first).
        Values equal to the current ones are no change; with no change the state is returned
        as is."""
        self._check_pack(state)
        for name, value in flags.items():
            if name not in self.rules.flags:
                raise InputError(f"unknown flag '{name}' (known: {', '.join(self.rules.flags)})",
                                 field="flags", code="unknown_flag")
            if not isinstance(value, bool):
                raise InputError(f"flag '{name}' must be true or false", field="flags",
                                 code="invalid_flag")
            allowed = self.rules.flags[name].roles
            if by_role not in allowed:
                raise RoleNotAllowed(f"role '{by_role}' may not declare flag '{name}' "
                                     f"({self.rules.flags[name].zh}); allowed: "
                                     f"{self._role_names(allowed)}", allowed)
        changed = {k: v for k, v in flags.items() if state.flags.get(k, False) != v}
        if not changed:
            return state
        pos = self._position(state)
        for name in changed:
            closed = [s for s in self.rules.flags_affecting(name) if self._index[s.code] < pos]
            if closed:
                raise Conflict(f"flag '{name}' changes the requirements of closed "
                               + ", ".join(self._step_label(s) for s in closed)
                               + ": return that step first", field="flags",
                               code="flag_affects_closed_step")
        at = self._check_who_when(state, by_user, at)
        entry = Transition(seq=state.next_seq, kind="flags", by_user=by_user, by_role=by_role,
                           at=at, reason=reason, flags=changed)
        return state.model_copy(update={"log": [*state.log, entry],
                                        "flags": {**state.flags, **changed}}, deep=True)


def workflow(pack_id: str) -> ConsolidationWorkflow:
    """The workflow of a consolidation scheme pack."""
    return ConsolidationWorkflow(scheme(pack_id))
