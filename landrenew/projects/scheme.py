"""The land consolidation scheme (土地整备工作方案) as a rule pack of kind ``consolidation_scheme``:
the pydantic model a pack file is read into and checked against (roles, flags, stages, steps and
their requirements, the source document, validity and the project types it applies to), and
:func:`scheme` / :func:`scheme_for` to load one by id or by place and date.

No database here; the workflow that follows a scheme is :mod:`landrenew.projects.workflow`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from landrenew.core import packs
from landrenew.core.errors import InputError
from landrenew.core.packmodels import Basis, PackHeader

KIND = "consolidation_scheme"
CODE_PATTERN = r"^[a-z][a-z0-9_]*$"


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
    pack raises :class:`~landrenew.core.packfiles.PackError` naming the file and the field."""
    return packs.load(pack_id, ConsolidationRules)


def scheme_for(place: str, on: dt.date) -> ConsolidationRules:
    """The consolidation scheme in force at ``place`` on ``on``
    (:class:`~landrenew.core.packs.NoRules` where none applies)."""
    return packs.resolve_load(KIND, place, on, ConsolidationRules)
