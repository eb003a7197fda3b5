"""The two money rule packs (资金规则包), resolved through the one registry by place and date.

Kind ``consolidation_money``: the consolidation cost categories (土地整备成本) with the excluded
ones, and the clauses of the service fee, storage fee, payment milestones and the disbursement
order. Kind ``land_revenue``: the statutory provisions (计提) taken from land-sale revenue, each
with its base and rate (and, where the rule says "never below", a floor on another base).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from landrenew.core import packs
from landrenew.core.packmodels import PackHeader
from landrenew.core.packmodels import Parameter as RuleParameter

_CODE = re.compile(r"^[a-z][a-z0-9_]*$")

Base = Literal["revenue", "revenue_net_of_costs", "net_income"]
#: The three bases of the provisions: 土地出让收入, 土地出让收益, 土地出让净收益.
BASES: tuple[Base, ...] = ("revenue", "revenue_net_of_costs", "net_income")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Title(_Strict):
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)


class CostCategory(_Strict):
    """One cost category (成本类别) with its stable code and the clause that allows or excludes it."""

    code: str
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)
    clause: str = Field(min_length=1)
    note: str | None = None

    @field_validator("code")
    @classmethod
    def _code(cls, value: str) -> str:
        if not _CODE.match(value):
            raise ValueError(f"code '{value}' must be lower_snake_case")
        return value


class MoneyClauses(_Strict):
    """The clause behind each money rule, quoted in Chinese with its section."""

    cost_ledger: str = Field(min_length=1)
    service_fee: str = Field(min_length=1)
    reward: str = Field(min_length=1)
    storage_fee: str = Field(min_length=1)
    payment_milestones: str = Field(min_length=1)
    fund_balance: str = Field(min_length=1)
    provisions: str = Field(min_length=1)
    special_loan: str = Field(min_length=1)
    entity: str = Field(min_length=1)
    city: str = Field(min_length=1)


class ConsolidationMoneyPack(PackHeader):
    source: str = Field(min_length=1)
    clauses: MoneyClauses
    cost_categories: tuple[CostCategory, ...] = Field(min_length=1)
    excluded_categories: tuple[CostCategory, ...]

    @model_validator(mode="after")
    def _unique(self) -> ConsolidationMoneyPack:
        seen: set[str] = set()
        for cat in (*self.cost_categories, *self.excluded_categories):
            for key in (cat.code, cat.zh):
                if key in seen:
                    raise ValueError(f"cost category '{key}' is listed twice")
                seen.add(key)
        return self

    @property
    def label(self) -> str:
        return f"{self.id} {self.version}"

    def rule(self, name: str) -> str:
        return f"{self.id}:{name}"

    def category(self, key: str) -> tuple[CostCategory, bool] | None:
        """The category named by code or Chinese name, and whether it is allowed."""
        for cat in self.cost_categories:
            if key in (cat.code, cat.zh):
                return cat, True
        for cat in self.excluded_categories:
            if key in (cat.code, cat.zh):
                return cat, False
        return None


class BaseDefinition(_Strict):
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)
    definition: str = Field(min_length=1)


class BaseDefinitions(_Strict):
    revenue: BaseDefinition
    revenue_net_of_costs: BaseDefinition
    net_income: BaseDefinition


class Floor(_Strict):
    """"Never below": the provision is at least ``rate`` × this other base."""

    base: Base
    rate: RuleParameter


class Provision(_Strict):
    """A statutory provision (计提): ``rate`` × its base, at least its ``floor`` where given.
    ``in_net_income``: whether it is deducted from 收益 to find 净收益 (the base of provisions on
    net income); ``option`` records which of a rule's alternatives the province uses."""

    code: str
    title: Title
    base: Base
    rate: RuleParameter
    floor: Floor | None = None
    in_net_income: bool = True
    option: RuleParameter | None = None

    @field_validator("code")
    @classmethod
    def _code(cls, value: str) -> str:
        if not _CODE.match(value):
            raise ValueError(f"code '{value}' must be lower_snake_case")
        return value

    @field_validator("rate")
    @classmethod
    def _rate(cls, value: RuleParameter) -> RuleParameter:
        if not 0 <= value.exact <= 1:
            raise ValueError(f"rate {value.value} is outside 0..1")
        return value


class LandRevenuePack(PackHeader):
    note: str = Field(min_length=1)
    bases: BaseDefinitions
    provisions: tuple[Provision, ...]

    @model_validator(mode="after")
    def _unique(self) -> LandRevenuePack:
        codes = [p.code for p in self.provisions]
        dupes = sorted({c for c in codes if codes.count(c) > 1})
        if dupes:
            raise ValueError(f"provision codes listed twice: {', '.join(dupes)}")
        return self

    @property
    def label(self) -> str:
        return f"{self.id} {self.version}"

    def rule(self, name: str) -> str:
        return f"{self.id}:{name}"


def consolidation_money_pack(place: str, on: dt.date) -> ConsolidationMoneyPack:
    """The money rules that decide at ``place`` on ``on`` (:class:`~landrenew.core.packs.NoRules`
    where none applies)."""
    return packs.resolve_load("consolidation_money", place, on, ConsolidationMoneyPack)


def land_revenue_pack(place: str, on: dt.date) -> LandRevenuePack:
    """The statutory provisions in force at ``place`` on ``on``."""
    return packs.resolve_load("land_revenue", place, on, LandRevenuePack)
