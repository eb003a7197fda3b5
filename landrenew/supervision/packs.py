"""The programme pack (试点工作任务督办规则包, kind ``programme``): a city's programme as data —
its periods, its district governments, its tasks with their lead and responsible units and
deadlines, the dated milestones checked against the project library, the supervision acts and
the numbers the bureau sets, each with its clause. Resolved by place and date through the one
registry (:func:`programme_pack`; 409 ``no_rules`` where a place has none).
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field, model_validator

from landrenew.core import packs
from landrenew.core.errors import ConfigurationError
from landrenew.core.packmodels import PackHeader, Parameter
from landrenew.projects.vocabulary import BATCHES, STAGES

KIND = "programme"
PERIODS = ("implementation", "mid_term", "final")
REQUIRED_PARAMETERS = ("deadline_day_on_time", "half_year_report_grace_days",
                       "press_default_days", "first_report_year")
#: The supervision acts of a programme, by code (the pack names them).
ACTS = ("notice", "press", "accountability")
#: The project stages in the order a project goes through them (withdrawn counts as none).
STAGE_ORDER = ("proposed", "in_library", "planning", "approved", "implementing", "completed")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Period(_Strict):
    name: str = Field(min_length=1)
    start: dt.date
    end: dt.date
    clause: str = Field(min_length=1)


class DistrictUnit(_Strict):
    code: str = Field(pattern=r"^\d{6}$")
    unit: str = Field(min_length=1)


class TaskRule(_Strict):
    code: str = Field(min_length=1)
    title: str = Field(min_length=1)
    clause: str = Field(min_length=1)
    lead_units: tuple[str, ...] = Field(min_length=1)
    responsible_units: tuple[str, ...] = ()
    deadline: dt.date


class Milestone(_Strict):
    code: str = Field(min_length=1)
    task: str
    title: str = Field(min_length=1)
    due: dt.date
    batch: str
    min_stage: str
    min_count: int = Field(ge=0)
    all: bool
    clause: str = Field(min_length=1)

    @model_validator(mode="after")
    def _known(self) -> Milestone:
        if self.batch not in BATCHES:
            raise ValueError(f"batch '{self.batch}' is not one of {', '.join(BATCHES)}")
        if self.min_stage not in STAGE_ORDER:
            raise ValueError(f"min_stage '{self.min_stage}' is not one of {', '.join(STAGES)}")
        return self


class Act(_Strict):
    code: str
    name: str = Field(min_length=1)
    needs_evidence: bool
    needs_due: bool
    clause: str = Field(min_length=1)


class ProgrammePack(PackHeader):
    source: str = Field(min_length=1)
    periods: dict[str, Period]
    district_group: str = Field(min_length=1)
    district_group_clause: str = Field(min_length=1)
    districts: tuple[DistrictUnit, ...] = Field(min_length=1)
    committee: str = Field(min_length=1)
    committee_clause: str = Field(min_length=1)
    tasks: tuple[TaskRule, ...] = Field(min_length=1)
    milestones: tuple[Milestone, ...] = ()
    supervision: tuple[Act, ...]
    parameters: dict[str, Parameter]

    @model_validator(mode="after")
    def _complete(self) -> ProgrammePack:
        missing = [p for p in PERIODS if p not in self.periods]
        if missing:
            raise ValueError(f"periods missing: {', '.join(missing)}")
        missing = [p for p in REQUIRED_PARAMETERS if p not in self.parameters]
        if missing:
            raise ValueError(f"parameters missing: {', '.join(missing)}")
        if tuple(a.code for a in self.supervision) != ACTS:
            raise ValueError(f"supervision must list {', '.join(ACTS)} in that order")
        codes = [t.code for t in self.tasks]
        if len(set(codes)) != len(codes):
            raise ValueError("two tasks share a code")
        for m in self.milestones:
            if m.task not in codes:
                raise ValueError(f"milestone {m.code}: no task '{m.task}'")
        for name, period in self.periods.items():
            if period.end < period.start:
                raise ValueError(f"periods.{name}: end is before start")
        return self

    @property
    def label(self) -> str:
        return f"{self.id} {self.version}"

    @property
    def city_code(self) -> str:
        return self.jurisdiction.code

    def number(self, name: str) -> Parameter:
        try:
            return self.parameters[name]
        except KeyError:
            raise ConfigurationError(f"rule pack {self.id} has no number '{name}'",
                                     field=name) from None

    def act(self, code: str) -> Act:
        return next(a for a in self.supervision if a.code == code)

    def expand(self, names: tuple[str, ...]) -> tuple[str, ...]:
        """The units a list names, "各县(市、区)政府" standing for every district government."""
        out: list[str] = []
        for name in names:
            group = [d.unit for d in self.districts] if name == self.district_group else [name]
            out.extend(u for u in group if u not in out)
        return tuple(out)

    def units(self) -> tuple[str, ...]:
        """Every unit of the programme: the committee, the city units, the district governments."""
        out: list[str] = [self.committee]
        for task in self.tasks:
            for unit in self.expand((*task.lead_units, *task.responsible_units)):
                if unit not in out:
                    out.append(unit)
        for d in self.districts:
            if d.unit not in out:
                out.append(d.unit)
        return tuple(out)

    def district_of(self, unit: str) -> str | None:
        """The district code of a district government, else None."""
        return next((d.code for d in self.districts if d.unit == unit), None)


def programme_pack(place: str, on: dt.date) -> ProgrammePack:
    """The programme in force at ``place`` on ``on`` (409 ``no_rules`` where none applies); a day
    outside the programme's period finds the programme nearest in time at that place."""
    registry = packs.registry()
    candidates = registry.candidates(KIND, place)
    if candidates:
        inside = [c for c in candidates if c.in_force(on)]
        if not inside:
            # a task's status or a report is asked after (or before) the programme's period: the
            # programme still answers for its own tasks.
            chosen = min(candidates, key=lambda c: abs((c.header.effective_from - on).days))
            return registry.load(chosen.id, ProgrammePack)
    return packs.resolve_load(KIND, place, on, ProgrammePack)
