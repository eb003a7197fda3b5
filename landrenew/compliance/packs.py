"""The compliance pack (合规审查规则包, kind ``compliance``): the numbers, dates, clauses and word
lists the checks of :mod:`landrenew.compliance` apply, resolved by place and date through the one
registry (:func:`compliance_pack`; 409 ``no_rules`` where a place has none).

A pack holds

- ``parameters``: numbers (:class:`~landrenew.core.packmodels.Parameter`) and days
  (:class:`DateParameter`), each with its basis and clause;
- ``clauses``: the quoted clause of each rule that carries no number;
- ``vocabularies``: the names a field may take, as the notice writes them (eligible industries,
  prohibited uses, the camp function areas left out …), each term with a stable code;
- ``homestead_conditions``: which of the five conditions a house of each period must meet.

A bureau's copy must keep every name the checks use (:data:`REQUIRED_PARAMETERS` …): a pack
without one is refused when it is read, naming the field.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from landrenew.core import packs
from landrenew.core.errors import ConfigurationError
from landrenew.core.packmodels import BASIS_LABELS, Basis, PackHeader, Parameter

KIND = "compliance"
_CODE = re.compile(r"^[a-z][a-z0-9_]*$")

REQUIRED_PARAMETERS = (
    "map_sliver_m2", "map_sliver_share", "point_supply_max_area_mu",
    "point_supply_max_inside_udb_ratio", "point_supply_min_price_ratio",
    "integration_support_max_share", "integration_support_max_area_mu", "integration_min_far",
    "integration_min_price_ratio", "integration_standard_price_ratio", "road_max_width_m",
    "facility_max_area_m2", "toilet_parking_requires_unhardened", "homestead_cutoff_day_counts",
    "legacy_quota_offset_ratio",
)
REQUIRED_CLAUSES = (
    "map_overrides_typed", "point_supply_industry", "point_supply_scattered",
    "point_supply_planning_conditions", "integration_prohibited_use", "integration_no_split",
    "integration_term", "integration_cost_floor", "integration_far_exception",
    "road_no_permanent_farmland", "road_balance_plan", "road_outside_national_network",
    "road_serves_farming", "facility_no_cultivated", "facility_no_use_change",
    "facility_unhardened", "facility_scattered", "camp_outside_town_planning_area",
    "camp_unused_land", "camp_function_area", "camp_unchanged", "pv_unused_land", "pv_array",
    "pv_collector_line", "mine_restored", "mine_no_permanent_farmland", "mine_no_harm",
    "hazard_avoidance", "homestead_conditions", "renovation_permits", "renovation_unchanged",
    "legacy_categories", "legacy_second_survey",
)
REQUIRED_DATES = ("homestead_cutoff", "land_law_1987", "land_law_1999")
REQUIRED_VOCABULARIES = ("point_supply_industries", "integration_prohibited_uses",
                         "use_max_terms", "camp_excluded_function_areas", "legacy_categories")
#: The four categories of legacy construction land (codes of ``legacy_categories``), in the order
#: of the procedures they miss: approval, filing, conversion and expropriation, supply.
LEGACY_CATEGORIES = ("no_legal_procedures", "not_filed", "conversion_incomplete",
                     "supply_incomplete")
#: The five conditions of a homestead house (§五), as the request's field names.
HOMESTEAD_CONDITIONS = ("plan_conforming", "legal_source", "eligible", "one_household",
                        "within_area_standard")
#: The three periods of a homestead house, in order (before 1987, 1987–1998, from 1999).
HOMESTEAD_PERIODS = ("before_1987", "from_1987_to_1998", "from_1999")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DateParameter(_Strict):
    """A day of a pack (a cut-off, the day a law came into force), with its basis and clause."""

    value: dt.date
    unit: str | None = None
    basis: Basis
    clause: str = Field(min_length=1)
    note: str | None = None

    @property
    def basis_label(self) -> tuple[str, str]:
        return BASIS_LABELS[self.basis]


class Term(_Strict):
    """One name a vocabulary field may take: a stable code, the notice's words, other spellings,
    and (for the legal maximum terms of use) the number of years."""

    code: str
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)
    aliases: tuple[str, ...] = ()
    years: int | None = None

    @field_validator("code")
    @classmethod
    def _code(cls, value: str) -> str:
        if not _CODE.match(value):
            raise ValueError(f"code '{value}' must be lower_snake_case")
        return value

    def names(self) -> tuple[str, ...]:
        return (self.code, self.zh, self.en, *self.aliases)


class Vocabulary(_Strict):
    basis: Basis
    clause: str = Field(min_length=1)
    terms: tuple[Term, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> Vocabulary:
        seen: set[str] = set()
        for term in self.terms:
            keys = {name.strip().lower() for name in term.names()}
            twice = sorted(keys & seen)
            if twice:
                raise ValueError(f"'{twice[0]}' names two terms")
            seen |= keys
        return self

    def find(self, text: str) -> Term | None:
        """The term named ``text`` (its code, Chinese or English name or an alias)."""
        key = text.strip().lower()
        for term in self.terms:
            if key in (n.strip().lower() for n in term.names()):
                return term
        return None


class HomesteadPeriod(_Strict):
    code: str
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)
    requires: tuple[str, ...]

    @field_validator("requires")
    @classmethod
    def _known(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [c for c in value if c not in HOMESTEAD_CONDITIONS]
        if unknown:
            raise ValueError(f"unknown condition(s) {', '.join(unknown)} "
                             f"(known: {', '.join(HOMESTEAD_CONDITIONS)})")
        return value


class HomesteadConditions(_Strict):
    basis: Basis
    clause: str = Field(min_length=1)
    periods: tuple[HomesteadPeriod, ...]

    @model_validator(mode="after")
    def _every_period(self) -> HomesteadConditions:
        codes = tuple(p.code for p in self.periods)
        if codes != HOMESTEAD_PERIODS:
            raise ValueError(f"periods must be {', '.join(HOMESTEAD_PERIODS)} in that order")
        return self

    def period(self, code: str) -> HomesteadPeriod:
        return next(p for p in self.periods if p.code == code)


class CompliancePack(PackHeader):
    source: str = Field(min_length=1)
    parameters: dict[str, Annotated[Parameter | DateParameter, Field(union_mode="left_to_right")]]
    clauses: dict[str, str]
    vocabularies: dict[str, Vocabulary]
    homestead_conditions: HomesteadConditions

    @model_validator(mode="after")
    def _complete(self) -> CompliancePack:
        for name in REQUIRED_PARAMETERS:
            if not isinstance(self.parameters.get(name), Parameter):
                raise ValueError(f"parameters.{name}: a number is required")
        for name in REQUIRED_DATES:
            if not isinstance(self.parameters.get(name), DateParameter):
                raise ValueError(f"parameters.{name}: a date (YYYY-MM-DD) is required")
        missing = [v for v in REQUIRED_VOCABULARIES if v not in self.vocabularies]
        if missing:
            raise ValueError(f"vocabularies missing: {', '.join(missing)}")
        missing = [c for c in REQUIRED_CLAUSES if not self.clauses.get(c)]
        if missing:
            raise ValueError(f"clauses missing: {', '.join(missing)}")
        legacy = self.vocabularies["legacy_categories"]
        absent = [code for code in LEGACY_CATEGORIES if legacy.find(code) is None]
        if absent:
            raise ValueError(f"vocabularies.legacy_categories: no term {', '.join(absent)}")
        if any(t.years is None for t in self.vocabularies["use_max_terms"].terms):
            raise ValueError("vocabularies.use_max_terms: every use needs its years; the last "
                             "one stands for any use not listed")
        days = [self.day(n).value for n in ("land_law_1987", "land_law_1999",
                                            "homestead_cutoff")]
        if not days[0] < days[1] < days[2]:
            raise ValueError("land_law_1987, land_law_1999 and homestead_cutoff must follow "
                             "each other in that order")
        return self

    @property
    def label(self) -> str:
        return f"{self.id} {self.version}"

    def rule(self, name: str) -> str:
        """A rule's stable id: ``pack:name``."""
        return f"{self.id}:{name}"

    def number(self, name: str) -> Parameter:
        found = self.parameters.get(name)
        if not isinstance(found, Parameter):
            raise ConfigurationError(f"rule pack {self.id} has no number '{name}'", field=name)
        return found

    def day(self, name: str) -> DateParameter:
        found = self.parameters.get(name)
        if not isinstance(found, DateParameter):
            raise ConfigurationError(f"rule pack {self.id} has no date '{name}'", field=name)
        return found

    def clause(self, name: str) -> str:
        try:
            return self.clauses[name]
        except KeyError:
            raise ConfigurationError(f"rule pack {self.id} has no clause '{name}'",
                                     field=name) from None

    def vocabulary(self, name: str) -> Vocabulary:
        return self.vocabularies[name]


def compliance_pack(place: str, on: dt.date) -> CompliancePack:
    """The compliance rules in force at ``place`` on ``on``; :class:`~landrenew.core.packs.NoRules`
    (409 ``no_rules``, naming the kind and the place) where none applies."""
    return packs.resolve_load(KIND, place, on, CompliancePack)
