"""The state of a project's consolidation workflow (土地整备流程状态): what
:class:`~landrenew.projects.workflow.ConsolidationWorkflow` takes and returns, never changing.

A :class:`ConsolidationState` is JSON-safe (:meth:`ConsolidationState.to_dict`; read back with
:meth:`~landrenew.projects.workflow.ConsolidationWorkflow.load_state`): the pack it follows, the
current step, the declared flags, every :class:`Provision` and the :class:`Transition` log, both
append-only (:func:`check_append_only`). :class:`RequirementStatus` is one requirement of a step
as the workflow reads it from a state; :class:`RoleNotAllowed` and :class:`RequirementsMissing`
are how it refuses a change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from landrenew.core.errors import Conflict, InputError, PermissionDenied


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


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


# ----------------------------------------------------------------------------- refusals


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


def utc_naive(at: dt.datetime) -> dt.datetime:
    """Times are kept as naive UTC, as in the store."""
    if not isinstance(at, dt.datetime):
        raise InputError("'at' must be a date and time", field="at", code="invalid_time")
    if at.tzinfo is not None:
        at = at.astimezone(dt.UTC).replace(tzinfo=None)
    return at
