"""Rule packs (规则包): an identification standard (认定标准) as versioned, validated data.

A pack of kind ``identification`` carries the header of every pack (:mod:`landrenew.core.packs`:
id, version, jurisdiction, period, ``issued_on``, an optional parent pack that it extends), its
parameters (each with a basis: ``document``, ``national``, ``local_initial`` or ``local``, see
:data:`~landrenew.core.packmodels.Basis`) and its rules. Every rule cites a clause (document number +
section) and has a message in zh-CN and en. Unknown keys and wrong types are refused.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from landrenew.core.packmodels import Basis
from landrenew.evaluation.conditions import Condition, Value, fields_used, params_used

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
_CODE = re.compile(r"^[a-z][a-z0-9_]*$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Messages(_Strict):
    """A text in Chinese and English."""

    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)


class Citation(_Strict):
    """Clause citation (条款依据): document number and section, e.g. ``江府函〔2023〕202号 §三(二)``."""

    document: str = Field(min_length=1)
    section: str = Field(min_length=1)

    def __str__(self) -> str:
        return f"{self.document} {self.section}"


class Parameter(_Strict):
    """A number (or list) a bureau may change; ``basis`` says how firm its source is."""

    value: Value
    unit: str | None = None
    basis: Basis = "local_initial"
    clause: Citation | None = None
    note: str | None = None
    set_by: str | None = None  # filled in when packs are merged: the pack that set the value


ParameterSpec = Parameter | bool | int | float | str | list[Any] | dt.date


class Label(_Strict):
    zh: str
    en: str


class Jurisdiction(_Strict):
    name: str
    code: str = Field(pattern=r"^\d{6}$")  # GB/T 2260 administrative code


class Rule(_Strict):
    """One rule: it sets a category (低效用地类型) or a flag where its condition holds."""

    id: str
    category: str | None = None
    flag: str | None = None
    applies_to: list[str] = Field(min_length=1)
    when: Condition
    parameters: dict[str, ParameterSpec] = Field(default_factory=dict)
    clause: Citation
    message: Messages
    enabled: bool = True

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not _ID.match(v):
            raise ValueError(f"rule id {v!r} must be letters, digits, '_', '.', '-'")
        return v

    @model_validator(mode="after")
    def _sets_one(self) -> Rule:
        if (self.category is None) == (self.flag is None):
            raise ValueError("a rule sets exactly one of 'category' or 'flag'")
        return self

    @property
    def output(self) -> str:
        return self.category or self.flag or ""

    @property
    def kind(self) -> str:
        return "category" if self.category else "flag"

    def fields(self) -> set[str]:
        return fields_used(self.when)

    def param_names(self) -> set[str]:
        return params_used(self.when)


class TargetFar(_Strict):
    """Target FAR for a land-use prefix, used for the potential when the plan gives none."""

    land_use: str = Field(pattern=r"^\d{2,6}$")
    param: str


class Potential(_Strict):
    target_far: list[TargetFar] = Field(default_factory=list)


class PackFile(_Strict):
    """The YAML document of one pack, before inheritance is resolved."""

    kind: Literal["identification"] = "identification"
    id: str
    version: str
    title: Messages
    jurisdiction: Jurisdiction
    effective_from: dt.date
    effective_to: dt.date | None = None
    issued_on: dt.date | None = None
    parent: str | None = None
    description: str | None = None
    categories: dict[str, Label] = Field(default_factory=dict)
    flags: dict[str, Label] = Field(default_factory=dict)
    zone_kinds: dict[str, Label] = Field(default_factory=dict)
    land_use_groups: dict[str, list[str]] = Field(default_factory=dict)
    land_classes: dict[str, Label] = Field(default_factory=dict)
    districts: dict[str, str] = Field(default_factory=dict)
    parameters: dict[str, ParameterSpec] = Field(default_factory=dict)
    rules: list[Rule] = Field(default_factory=list)
    disable: list[str] = Field(default_factory=list)
    potential: Potential | None = None

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not _ID.match(v):
            raise ValueError(f"pack id {v!r} must be letters, digits, '_', '.', '-'")
        return v

    @field_validator("categories", "flags", "zone_kinds")
    @classmethod
    def _codes(cls, v: dict[str, Label]) -> dict[str, Label]:
        for code in v:
            if not _CODE.match(code):
                raise ValueError(f"code {code!r} must be lower_snake_case")
        return v

    @model_validator(mode="after")
    def _dates(self) -> PackFile:
        if self.effective_to and self.effective_to < self.effective_from:
            raise ValueError("effective_to is before effective_from")
        return self


class RulePack(BaseModel):
    """A resolved pack: the chain of files merged, child over parent. Used by the engine."""

    model_config = ConfigDict(frozen=True)

    id: str
    version: str
    title: Messages
    jurisdiction: Jurisdiction
    effective_from: dt.date
    effective_to: dt.date | None
    issued_on: dt.date | None = None
    chain: list[tuple[str, str]]  # (id, version) from this pack up to the root
    categories: dict[str, Label]
    flags: dict[str, Label]
    zone_kinds: dict[str, Label]
    land_use_groups: dict[str, list[str]]
    land_classes: dict[str, Label]
    districts: dict[str, str]
    parameters: dict[str, Parameter]
    rules: list[Rule]
    potential: Potential
    sources: dict[str, str] = Field(default_factory=dict)  # rule id / param → "file:line"

    def param(self, name: str) -> Any:
        return self.parameters[name].value

    def rule(self, rule_id: str) -> Rule:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)

    def prefixes(self, applies_to: list[str]) -> tuple[str, ...]:
        """Land-use code prefixes of a rule's ``applies_to`` (groups expanded)."""
        out: list[str] = []
        for item in applies_to:
            out.extend(self.land_use_groups.get(item, [item]))
        return tuple(out)

    @property
    def draft(self) -> bool:
        return self.issued_on is None

    @property
    def label(self) -> str:
        return f"{self.id} {self.version}"

    def is_effective(self, on: dt.date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)
