"""What a rule pack (规则包) says about itself: its kind, header and numbers.

The models every pack is checked with, whatever its kind: the header (:class:`PackHeader`: id,
version, jurisdiction, period, ``issued_on``) and a number with the basis it comes from
(:class:`Parameter`). The registry that finds and resolves packs is :mod:`landrenew.core.packs`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from landrenew.core.errors import ConfigurationError

Basis = Literal["document", "national", "local_initial", "local"]

#: How each basis is said to a user (zh, en).
BASIS_LABELS: dict[str, tuple[str, str]] = {
    "document": ("文件规定", "stated in the cited document"),
    "national": ("国家法律法规或标准", "national law or standard"),
    "local_initial": ("本市认定标准参数（初始值）",
                      "the city's initial parameter, to be confirmed by the bureau"),
    "local": ("本市确定", "set by the bureau"),
}
DRAFT_LABEL = ("依据征求意见稿", "under a draft for comment")


@dataclass(frozen=True)
class Kind:
    """A kind of pack: its names and the model (``module:Class``) its content is checked with."""

    code: str
    zh: str
    en: str
    model: str


#: Every kind of pack the platform knows. A domain's model is named by its dotted path, so that
#: ``core`` imports no domain.
KINDS: dict[str, Kind] = {k.code: k for k in (
    Kind("identification", "低效用地认定标准", "identification standard",
         "landrenew.evaluation.packs:PackFile"),
    Kind("renewal_phases", "城中村改造分期实施规则", "urban-village phase rules",
         "landrenew.core.packmodels:ParameterPack"),
    Kind("consolidation_scheme", "城中村改造土地整备工作方案", "land consolidation scheme",
         "landrenew.projects.scheme:ConsolidationRules"),
    Kind("consolidation_money", "土地整备资金规则", "consolidation money rules",
         "landrenew.finance.packs:ConsolidationMoneyPack"),
    Kind("willingness", "改造意愿征询条件", "willingness conditions",
         "landrenew.core.packmodels:ParameterPack"),
    Kind("land_revenue", "土地出让收入计提规则", "land-revenue provisions",
         "landrenew.finance.packs:LandRevenuePack"),
    Kind("compliance", "合规审查规则", "compliance rules",
         "landrenew.compliance.packs:CompliancePack"),
    Kind("programme", "试点工作任务督办", "programme tasks and supervision",
         "landrenew.supervision.packs:ProgrammePack"),
    Kind("quotas", "用地指标台账规则", "quota-ledger rules",
         "landrenew.quotas.packs:QuotasPack"),
)}

HEADER_KEYS = ("kind", "id", "version", "title", "jurisdiction", "effective_from",
               "effective_to", "issued_on", "parent", "description")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")


class Title(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)


class Jurisdiction(BaseModel):
    """The place a pack belongs to: a GB/T 2260 code and its name."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    code: str = Field(pattern=r"^\d{6}$")
    name: str = Field(min_length=1)


class PackHeader(BaseModel):
    """What every pack declares, whatever its kind. Models of a kind's content extend it."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: str
    id: str
    version: str
    title: Title
    jurisdiction: Jurisdiction
    effective_from: dt.date
    effective_to: dt.date | None = None
    issued_on: dt.date | None  # required; null = a draft (征求意见稿)
    parent: str | None = None
    description: str | None = None

    @model_validator(mode="after")
    def _header(self) -> PackHeader:
        if not _ID.match(self.id):
            raise ValueError(f"pack id {self.id!r} must be letters, digits, '_', '.', '-'")
        if self.kind not in KINDS:
            raise ValueError(f"unknown kind '{self.kind}' (known: {', '.join(KINDS)})")
        if self.effective_to and self.effective_to < self.effective_from:
            raise ValueError("effective_to is before effective_from")
        return self


class Parameter(BaseModel):
    """A number of a pack. ``fraction`` ("2/3") is given where no decimal is exact; ``value``
    then holds its decimal for display and :attr:`exact` is what a decision compares with."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    value: Decimal
    fraction: str | None = None
    unit: str | None = None
    basis: Basis
    clause: str
    note: str | None = None

    @model_validator(mode="after")
    def _fraction_matches(self) -> Parameter:
        if self.fraction is not None:
            try:
                exact = Fraction(self.fraction)
            except (ValueError, ZeroDivisionError) as exc:
                raise ValueError(f"fraction '{self.fraction}' is not a ratio like 2/3") from exc
            if abs(Fraction(self.value) - exact) > Fraction(1, 1000):
                raise ValueError(f"value {self.value} does not match fraction {self.fraction}")
        return self

    @property
    def exact(self) -> Fraction:
        return Fraction(self.fraction) if self.fraction is not None else Fraction(self.value)

    @property
    def flag(self) -> bool:
        """A parameter used as a yes/no switch: any value but 0 is yes."""
        return self.value != 0

    @property
    def basis_label(self) -> tuple[str, str]:
        return BASIS_LABELS[self.basis]


class ParameterPack(PackHeader):
    """A pack of numbers (e.g. the urban-village phase gates, the willingness thresholds)."""

    parameters: dict[str, Parameter]

    def param(self, name: str) -> Parameter:
        try:
            return self.parameters[name]
        except KeyError:
            raise ConfigurationError(f"rule pack {self.id} has no parameter '{name}'",
                                     field=name) from None

    def has(self, name: str) -> bool:
        return name in self.parameters

    @property
    def label(self) -> str:
        return f"{self.id} {self.version}"
