"""Request and response schemas (接口数据结构): Create / Update / Public, never table models.

Sensitive fields (tax, output, investment, right holder) are optional in the public schemas and
*absent* from a response (not null) when the user may not see them: the parcel routes answer
with ``response_model_exclude_unset``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list: ``total`` matching items, the page's ``limit``/``offset``, ``items``."""

    total: int
    limit: int
    offset: int
    items: list[T]
    #: Keyset cursor (where a list supports it): pass as ``after=`` for the next page; absent on
    #: the last page.
    next_after: str | None = None


class ErrorPublic(BaseModel):
    code: str
    message: str
    field: str | None = None
    file: str | None = None
    row: Any = None


class Health(BaseModel):
    status: Literal["ok"]
    database: str
    schema_revision: str | None


# ---------------------------------------------------------------- auth and users

class Token(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int


class UserPublic(BaseModel):
    name: str
    role: str
    districts: list[str]
    is_active: bool
    created_at: dt.datetime | None = None
    created_by: str | None = None
    organisation: str | None = None
    agency: str | None = None


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=128)
    role: Literal["admin", "city_staff", "district_staff", "viewer", "consolidation_entity"]
    districts: list[str] = Field(default_factory=list)
    password: str = Field(min_length=8, max_length=256)
    organisation: str | None = Field(default=None, max_length=256, description=(
        "For consolidation_entity: the company (the projects' owner_company)"))
    agency: str | None = Field(default=None, description=(
        "The body the user acts for in the consolidation workflow, e.g. committee"))


class UserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    is_active: bool


# ---------------------------------------------------------------- parcels

class _ParcelFields(BaseModel):
    district_code: str | None = None
    land_use: str | None = None
    planned_use: str | None = None
    planned_far: float | None = None
    floor_area_m2: float | None = None
    footprint_m2: float | None = None
    building_year: int | None = None
    safety_grade: str | None = None
    industry_code: str | None = None
    tax_10k_yuan: float | None = None
    output_10k_yuan: float | None = None
    investment_10k_yuan: float | None = None
    approved_on: dt.date | None = None
    supplied_on: dt.date | None = None
    agreed_start_on: dt.date | None = None
    started_on: dt.date | None = None
    developed_ratio: float | None = None
    invested_ratio: float | None = None
    stopped_since: dt.date | None = None
    right_holder: str | None = None


class ParcelPublic(_ParcelFields):
    """A current parcel (地块) in a list."""

    parcel_code: str
    area_m2: float | None
    area_mu: float | None
    area_ha: float | None
    version: int
    valid_from: dt.datetime
    changed_by: str
    bbox: list[float] | None
    is_low_efficiency: bool | None = None
    categories: list[str] = Field(default_factory=list)
    flags: list[str] = Field(default_factory=list)


class EvaluationResultPublic(BaseModel):
    """A parcel's result in the latest run that evaluated it (认定结果), with the reasons."""

    run_id: int
    pack_id: str
    pack_version: str
    as_of: dt.date
    is_low_efficiency: bool
    categories: list[str]
    flags: list[str]
    potential_floor_area_m2: float | None
    indicators: dict[str, Any] | None
    reasons: list[Any]


class ParcelDetail(_ParcelFields):
    """One parcel with its geometry, extra attributes and latest evaluation."""

    parcel_code: str
    area_m2: float | None
    area_mu: float | None
    area_ha: float | None
    version: int
    valid_from: dt.datetime
    changed_by: str
    bbox: list[float] | None
    geometry: dict[str, Any] | None
    attributes: dict[str, Any] | None
    evaluation: EvaluationResultPublic | None


class ParcelUpdate(_ParcelFields):
    """``PATCH /api/parcels/{code}``: only the fields given change; ``reason`` is required."""

    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=2000)


class ParcelUpdated(BaseModel):
    parcel_code: str
    changed: bool
    version: int
    previous_version: int


class ParcelVersionPublic(_ParcelFields):
    """One version in a parcel's history (历史版本)."""

    version: int
    operation: str
    valid_from: dt.datetime
    valid_to: dt.datetime | None
    changed_by: str
    reason: str | None
    is_deleted: bool
    area_m2: float | None
    changed: list[str]


# ---------------------------------------------------------------- zones, districts, evaluations

class DistrictPublic(BaseModel):
    code: str
    name: str
    city_code: str | None = None
    city_name: str | None = None
    area_m2: float
    area_mu: float
    area_ha: float
    bbox: list[float] | None


class ZonePublic(BaseModel):
    zone_code: str
    kind: str
    kind_name: str | None
    name: str | None
    area_m2: float
    area_mu: float
    area_ha: float
    version: int
    valid_from: dt.datetime
    bbox: list[float] | None


class EvaluationRunPublic(BaseModel):
    """An evaluation run (认定批次); for district staff the counts cover their districts only."""

    id: int
    pack_id: str
    pack_version: str
    as_of: dt.date
    data_as_of: dt.date | None
    created_at: dt.datetime
    created_by: str
    engine: str
    note: str | None
    parcel_count: int
    low_efficiency_count: int
    scope: Literal["city", "districts"]
    #: The pack that decided each district: ``{code: {pack, version, jurisdiction}}``.
    packs: dict[str, dict[str, str]] = {}


class EvaluationRunDetail(EvaluationRunPublic):
    summary: dict[str, Any] | None = None


class StatisticsRow(BaseModel):
    kind: Literal["category", "flag"]
    district_code: str
    district: str
    code: str
    parcels: int
    area_mu: float


class DistrictTotals(BaseModel):
    district_code: str
    district: str
    parcels: int
    area_mu: float
    low_efficiency: int
    low_efficiency_mu: float
    potential_floor_area_m2: float = 0.0


class Totals(BaseModel):
    parcels: int
    area_mu: float
    low_efficiency: int
    low_efficiency_mu: float
    potential_floor_area_m2: float = 0.0


class EvaluationStatistics(BaseModel):
    """Counts and 亩 by district × category and flag (分类统计)."""

    run_id: int
    scope: str | list[str]
    total: Totals
    districts: list[DistrictTotals]
    categories: list[StatisticsRow]


# ---------------------------------------------------------------- imports and audit

class ProblemPublic(BaseModel):
    file: str
    row: Any
    field: str | None
    code: str
    severity: str
    message: str
    value: str | None


class ImportReportPublic(BaseModel):
    """The import report (入库报告), as the CLI prints it: its first problems (at most 1000)
    and how many there were (``problem_count``)."""

    file: str
    dry_run: bool
    stored: bool
    rows_read: int
    inserted: int
    updated: int
    unchanged: int
    refused: int
    errors: int
    warnings: int
    batch: str | None
    projected_crs: str | None
    area_mu: float
    problems: list[ProblemPublic]
    problem_count: int


class AuditEventPublic(BaseModel):
    id: int
    at: dt.datetime
    actor: str
    action: str
    entity_type: str
    entity_id: str | None
    reason: str | None
    before: Any
    after: Any
