"""The land consolidation workflow (城中村改造土地整备：阶段与步骤) as a pure state machine driven by
a ``consolidation_scheme`` rule pack (Zhongshan's: four stages, eleven steps).

No database here. A project's workflow is a :class:`ConsolidationState` (JSON-safe through
:meth:`ConsolidationState.to_dict` / :meth:`ConsolidationWorkflow.load_state`); every operation of
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
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from landrenew.core import packs
from landrenew.core.errors import Conflict, InputError, PermissionDenied
from landrenew.core.packs import Basis, PackHeader

KIND = "consolidation_scheme"
CODE_PATTERN = r"^[a-z][a-z0-9_]*$"


# ----------------------------------------------------------------------------- the rule pack


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Label(_Strict):
    zh: str
    en: str


class RoleDef(_Strict):
    zh: str
    en: str
    clause: str | None = None


class FlagDef(_Strict):
    """A project fact that switches conditional requirements on (required_when) or off
    (waived_when); ``roles`` may declare it."""
    zh: str
    en: str
    clause: str
    basis: Basis
    roles: list[str] = Field(min_length=1)


class StageDef(_Strict):
    code: str = Field(pattern=CODE_PATTERN)
    zh: str
    en: str
    clause: str


class RequirementDef(_Strict):
    """One item needed to close a step: a document, or a decision that counts only when passed.
    ``roles`` (who may provide it) and ``clause`` default to the step's."""
    code: str = Field(pattern=CODE_PATTERN)
    kind: Literal["document", "decision"]
    name: str
    en: str
    clause: str | None = None
    basis: Basis | None = None
    roles: list[str] | None = None
    group: str | None = None
    required_when: str | None = None
    waived_when: str | None = None
    note: str | None = None

    def required(self, flags: Mapping[str, bool]) -> bool:
        if self.required_when is not None and not flags.get(self.required_when, False):
            return False
        return not (self.waived_when is not None and flags.get(self.waived_when, False))

    @property
    def condition(self) -> str | None:
        if self.required_when:
            return f"required_when:{self.required_when}"
        if self.waived_when:
            return f"waived_when:{self.waived_when}"
        return None


class StepDef(_Strict):
    number: int
    code: str = Field(pattern=CODE_PATTERN)
    stage: str
    name: str
    en: str
    clause: str
    basis: Basis
    roles: list[str] = Field(min_length=1)
    return_roles: list[str] = Field(default_factory=list)
    requirements: list[RequirementDef] = Field(min_length=1)
    note: str | None = None

    def requirement(self, code: str) -> RequirementDef:
        for req in self.requirements:
            if req.code == code:
                return req
        raise InputError(f"step {self.number} {self.code} ({self.name}) has no requirement "
                         f"'{code}'", field="item", code="unknown_item")

    def provider_roles(self, req: RequirementDef) -> list[str]:
        return req.roles if req.roles is not None else self.roles


class SourceDoc(_Strict):
    title: str
    issuer: str
    published_on: dt.date
    status: Literal["draft", "issued"]
    comment_deadline: dt.date | None = None
    digest: str
    seed: str


class Validity(_Strict):
    """How long the measures are in force: ``years`` from the issue date (the pack's
    ``issued_on``; unknown for a draft)."""
    years: int = Field(gt=0)
    counted_from: Literal["issue"]
    basis: Basis
    clause: str

    def valid_until(self, issued_on: dt.date | None) -> dt.date | None:
        """Last day in force (issue date + years − 1 day); None while the issue date is unknown."""
        if issued_on is None:
            return None
        try:
            end = issued_on.replace(year=issued_on.year + self.years)
        except ValueError:  # 29 February
            end = issued_on.replace(year=issued_on.year + self.years, day=28) + dt.timedelta(days=1)
        return end - dt.timedelta(days=1)

    def in_force(self, on: dt.date, issued_on: dt.date | None) -> bool | None:
        """True/False on a date; None while the issue date is unknown (a draft)."""
        until = self.valid_until(issued_on)
        if issued_on is None or until is None:
            return None
        return issued_on <= on <= until


class AppliesTo(_Strict):
    """A project type that follows the scheme, possibly only when the project is marked
    (``when``: ``contiguous_redevelopment``, 成片连片再开发), with the clause that says so."""
    type: str
    when: Literal["contiguous_redevelopment"] | None = None
    clause: str


class ConsolidationRules(PackHeader):
    model_config = ConfigDict(extra="forbid", frozen=False)
    source: SourceDoc
    validity: Validity
    applies_to: list[AppliesTo] = Field(min_length=1)
    roles: dict[str, RoleDef]
    flags: dict[str, FlagDef] = Field(default_factory=dict)
    stages: list[StageDef] = Field(min_length=1)
    steps: list[StepDef] = Field(min_length=1)

    @model_validator(mode="after")
    def _references(self) -> ConsolidationRules:
        """Cross-references, each problem named by its path in the pack."""
        for key, where in [*((r, "roles") for r in self.roles), *((f, "flags") for f in self.flags)]:
            if not re.match(CODE_PATTERN, key):
                raise ValueError(f"{where}.{key}: code must match {CODE_PATTERN}")
        for name, flag in self.flags.items():
            self._check_roles(flag.roles, f"flags.{name}.roles")
        stage_codes = [s.code for s in self.stages]
        if len(set(stage_codes)) != len(stage_codes):
            raise ValueError("stages: duplicate stage code")
        seen: set[str] = set()
        last_stage = 0
        for i, step in enumerate(self.steps):
            where = f"steps[{i}]"
            if step.number != i + 1:
                raise ValueError(f"{where}.number: expected {i + 1} (steps are listed in order), "
                                 f"got {step.number}")
            if step.code in seen:
                raise ValueError(f"{where}.code: duplicate step code '{step.code}'")
            seen.add(step.code)
            if step.stage not in stage_codes:
                raise ValueError(f"{where}.stage: unknown stage '{step.stage}' "
                                 f"(known: {', '.join(stage_codes)})")
            if stage_codes.index(step.stage) < last_stage:
                raise ValueError(f"{where}.stage: stage '{step.stage}' comes after a later stage")
            last_stage = stage_codes.index(step.stage)
            self._check_roles(step.roles, f"{where}.roles")
            self._check_roles(step.return_roles, f"{where}.return_roles")
            items: set[str] = set()
            for j, req in enumerate(step.requirements):
                rwhere = f"{where}.requirements[{j}]"
                if req.code in items:
                    raise ValueError(f"{rwhere}.code: duplicate requirement '{req.code}'")
                items.add(req.code)
                if req.roles is not None:
                    self._check_roles(req.roles, f"{rwhere}.roles")
                for attr in ("required_when", "waived_when"):
                    flag = getattr(req, attr)
                    if flag is not None and flag not in self.flags:
                        raise ValueError(f"{rwhere}.{attr}: unknown flag '{flag}'")
        used = {s.stage for s in self.steps}
        for k, code in enumerate(stage_codes):
            if code not in used:
                raise ValueError(f"stages[{k}]: stage '{code}' has no step")
        return self

    def _check_roles(self, roles: Iterable[str], where: str) -> None:
        for role in roles:
            if role not in self.roles:
                raise ValueError(f"{where}: unknown role '{role}' (known: {', '.join(self.roles)})")

    @property
    def label(self) -> str:
        return f"{self.id} {self.version}"

    def applies(self, project_type: str, contiguous: bool) -> AppliesTo | None:
        """The line of ``applies_to`` under which a project follows this scheme, or None."""
        for line in self.applies_to:
            if line.type == project_type and (line.when is None or contiguous):
                return line
        return None

    def in_force(self, on: dt.date) -> bool | None:
        return self.validity.in_force(on, self.issued_on)

    def stage(self, code: str) -> StageDef:
        return next(s for s in self.stages if s.code == code)

    def flags_affecting(self, flag: str) -> list[StepDef]:
        return [s for s in self.steps
                if any(flag in (r.required_when, r.waived_when) for r in s.requirements)]


def scheme(pack_id: str) -> ConsolidationRules:
    """A consolidation scheme by pack id (a stored workflow names the pack it follows); a bad
    pack raises :class:`~landrenew.core.packs.PackError` naming the file and the field."""
    return packs.load(pack_id, ConsolidationRules)


def scheme_for(place: str, on: dt.date) -> ConsolidationRules:
    """The consolidation scheme in force at ``place`` on ``on``
    (:class:`~landrenew.core.packs.NoRules` where none applies)."""
    return packs.resolve_load(KIND, place, on, ConsolidationRules)


# ----------------------------------------------------------------------------- errors


class RoleNotAllowed(PermissionDenied):
    """403 ``role_not_allowed``; ``allowed`` lists the roles that may act."""

    def __init__(self, message: str, allowed: Sequence[str]) -> None:
        self.allowed = list(allowed)
        super().__init__(message, field="role", code="role_not_allowed")

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "allowed": self.allowed}


class RequirementsMissing(Conflict):
    """409 ``requirements_missing``; ``missing`` is ``[{code, name}]`` in pack order."""

    def __init__(self, message: str, missing: Sequence[Mapping[str, str]]) -> None:
        self.missing = [dict(m) for m in missing]
        super().__init__(message, code="requirements_missing")

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "missing": self.missing}


# ----------------------------------------------------------------------------- the state


def _utc_naive(at: dt.datetime) -> dt.datetime:
    """Times are kept as naive UTC, as in the store."""
    if not isinstance(at, dt.datetime):
        raise InputError("'at' must be a date and time", field="at", code="invalid_time")
    if at.tzinfo is not None:
        at = at.astimezone(dt.UTC).replace(tzinfo=None)
    return at


class Provision(_Strict):
    """One document or decision given for a step (a later provision of the same item supersedes
    an earlier one; neither is ever removed)."""
    seq: int
    step: str
    item: str
    by_user: str
    by_role: str
    at: dt.datetime
    ref: str | None = None
    note: str | None = None
    passed: bool | None = None


class Transition(_Strict):
    """One entry of the append-only log: a step closed, a step returned, or flags declared."""
    seq: int
    kind: Literal["close", "return", "flags"]
    step: str | None = None
    to_step: str | None = None
    by_user: str
    by_role: str
    at: dt.datetime
    reason: str | None = None
    invalidated: list[str] = Field(default_factory=list)
    flags: dict[str, bool] = Field(default_factory=dict)


class ConsolidationState(_Strict):
    """A project's workflow: the pack it follows, the current step (None once complete), the
    declared flags, every provision and the transition log."""
    pack: str
    pack_version: str
    current: str | None
    flags: dict[str, bool] = Field(default_factory=dict)
    provisions: list[Provision] = Field(default_factory=list)
    log: list[Transition] = Field(default_factory=list)

    @property
    def complete(self) -> bool:
        return self.current is None

    @property
    def next_seq(self) -> int:
        seqs = [p.seq for p in self.provisions] + [t.seq for t in self.log]
        return max(seqs, default=0) + 1

    @property
    def last_at(self) -> dt.datetime | None:
        times = [p.at for p in self.provisions] + [t.at for t in self.log]
        return max(times, default=None)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe (times as ISO strings, naive UTC)."""
        return self.model_dump(mode="json")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ConsolidationState:
        """Structure only; :meth:`ConsolidationWorkflow.load_state` also replays the log."""
        try:
            return cls.model_validate(dict(data))
        except ValidationError as exc:
            first = exc.errors()[0]
            loc = ".".join(map(str, first["loc"]))
            raise InputError(f"consolidation state: {loc}: {first['msg']}", field=loc or None,
                             code="invalid_state") from exc


def check_append_only(old: ConsolidationState, new: ConsolidationState) -> None:
    """Refuse ``new`` unless it keeps every provision and log entry of ``old`` unchanged and in
    order (a store calls this before replacing a saved state)."""
    if (new.pack != old.pack or new.log[:len(old.log)] != old.log
            or new.provisions[:len(old.provisions)] != old.provisions):
        raise Conflict("the new consolidation state does not extend the saved history "
                       "(entries were changed, removed or reordered)", code="history_rewritten")


@dataclass(frozen=True)
class RequirementStatus:
    """One requirement of a step for the given flags.

    ``status``: present (a valid provision; a decision that passed) | missing | refused (the latest
    decision did not pass) | not_required (conditional and switched off, nothing provided)."""
    step: str
    code: str
    name: str
    en: str
    kind: str
    group: str | None
    clause: str
    basis: str
    roles: tuple[str, ...]
    required: bool
    condition: str | None
    status: Literal["present", "missing", "refused", "not_required"]
    provision: dict[str, Any] | None = field(default=None)

    @property
    def blocking(self) -> bool:
        return self.required and self.status != "present"

    def as_dict(self) -> dict[str, Any]:
        return {"step": self.step, "code": self.code, "name": self.name, "en": self.en,
                "kind": self.kind, "group": self.group, "clause": self.clause,
                "basis": self.basis, "roles": list(self.roles), "required": self.required,
                "condition": self.condition, "status": self.status,
                "provision": self.provision}


def missing_items(statuses: Iterable[RequirementStatus]) -> list[dict[str, str]]:
    """``[{code, name}]`` of the requirements among ``statuses`` that block closing their step."""
    return [{"code": r.code, "name": r.name} for r in statuses if r.blocking]


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
        at = _utc_naive(at)
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
