"""Programme supervision and reports (任务督办、报告): request and answer shapes."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Sha256 = Field(pattern=r"^[0-9a-fA-F]{64}$")


class EvidenceIn(BaseModel):
    """An evidence file by its name and SHA-256 (the file is kept where the unit keeps it)."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=255)
    sha256: str = Sha256


class ProgressIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    percent: int = Field(ge=0, le=100, description="Share of the task done, 0–100")
    text: str = Field(min_length=1, max_length=4000)
    unit: str | None = Field(None, max_length=128,
                             description="The reporting unit (default: your unit on the task)")
    on: dt.date | None = Field(None, description="The day reported (default today)")
    evidence: list[EvidenceIn] = Field(default_factory=list, max_length=50)


class CompleteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    on: dt.date = Field(description="The day the task was done")
    evidence: list[EvidenceIn] = Field(default_factory=list, max_length=50)
    note: str | None = Field(None, max_length=4000,
                             description="Why (required when changing a recorded day)")


class SupervisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    unit: str = Field(min_length=1, max_length=128)
    kind: str = Field(min_length=1, max_length=16, description="通报, 督办 or 问责")
    reason: str = Field("", max_length=4000, description="Why (问责: required)")
    on: dt.date | None = None
    due_on: dt.date | None = Field(None, description="督办: the day to act by")
    evidence: list[EvidenceIn] = Field(default_factory=list, max_length=50,
                                       description="问责: required")


class TargetIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    year: int = Field(ge=1900, le=2999)
    target: str = Field(min_length=1, max_length=4000)
    reason: str | None = Field(None, max_length=4000, description="Why (required to revise)")


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class TaskOut(_Open):
    id: int
    code: str
    title: str
    lead_units: list[str]
    responsible_units: list[str]
    deadline: dt.date
    status: str
    status_name: str
    done_on: dt.date | None = None
    days_overdue: int = 0
    clause: str
    last_progress: dict[str, Any] | None = None


class TaskDetail(TaskOut):
    progress: list[dict[str, Any]]
    acts: list[dict[str, Any]]
    targets: list[dict[str, Any]]
    target_years: list[int]
    missing_target_years: list[int]
    versions: list[dict[str, Any]]
    my_units: list[str]


class RecordOut(_Open):
    id: int


class ProgrammeInit(_Open):
    city_code: str
    pack: str
    units_created: list[str]
    tasks_created: list[str]


class ProgrammeOverview(_Open):
    calendar: dict[str, Any]
    units: list[dict[str, Any]]
    overdue: list[dict[str, Any]]
    milestones: list[dict[str, Any]]
    land_per_gdp: list[dict[str, Any]]


class ReportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    city: str = Field(pattern=r"^\d{6}$")
    kind: Literal["half_year", "mid-term", "final"]
    period: str | None = Field(None, max_length=16, description="half_year: e.g. 2025H1")
    as_of: dt.date | None = Field(None, description="mid-term / final: the evaluation's day")
    sections: dict[str, str] = Field(default_factory=dict,
                                     description="experience, problems, recommendations, cases")


class ReportSections(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sections: dict[str, str]


class ReportOut(_Open):
    id: int
    kind: str
    period: str
    as_of: dt.date
    filed: bool


class ReportList(_Open):
    reports: list[ReportOut]
    missing: list[dict[str, Any]]
    half_years: list[str]
