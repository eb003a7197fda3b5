"""Projects and urban-village phases (项目库、分片): request and answer shapes."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from landrenew.api.schemas.instant import Instant


class ProjectFields(BaseModel):
    """The optional fields of a project, shared by creation and change."""

    model_config = ConfigDict(extra="forbid")
    batch: str | None = Field(None, description="first (首批), second (第二批), rollout (推广)")
    term: str | None = Field(None, description="near (近期), medium (中期), long (远期)")
    stage: str | None = None
    lead_unit: str | None = None
    owner_company: str | None = None
    instruments: list[str] | None = None
    parcel_codes: list[str] | None = None
    planned_start: dt.date | None = None
    planned_end: dt.date | None = None
    actual_start: dt.date | None = None
    actual_end: dt.date | None = None
    scheme_approved_on: dt.date | None = Field(
        None, description="the day the implementation scheme was approved and in force "
                          "(项目实施方案批复生效); signing waits for it where the place's phase "
                          "rules say so")
    contiguous_redevelopment: bool | None = Field(
        None, description="contiguous redevelopment of low-efficiency industrial land "
                          "(成片连片再开发), which may follow a consolidation scheme")
    tags: list[str] | None = Field(
        None, description="tags (标签); 百千万工程 opens the programme's ring-fenced quota, others "
                          "provincial or reward quota (the place's quota pack lists them)")


class ProjectIn(ProjectFields):
    name: str = Field(min_length=1, max_length=256)
    type: str = Field(description="industrial_upgrade, sanjiu, linkage, demolish_reclaim, "
                                  "land_consolidation, old_community or urban_village")
    district_code: str
    reason: str | None = None


class ProjectPatch(ProjectFields):
    name: str | None = None
    type: str | None = None
    district_code: str | None = None
    reason: str = Field(min_length=1)


class ProjectOut(BaseModel):
    id: int
    name: str
    type: str
    type_name: str | None
    district_code: str
    batch: str | None
    term: str | None
    stage: str
    stage_name: str | None
    lead_unit: str | None
    owner_company: str | None
    instruments: list[str]
    parcel_codes: list[str]
    planned_start: dt.date | None
    planned_end: dt.date | None
    actual_start: dt.date | None
    actual_end: dt.date | None
    scheme_approved_on: dt.date | None = None
    contiguous_redevelopment: bool = False
    tags: list[str] = []
    city_code: str | None = None
    version: int
    created_at: Instant
    created_by: str
    updated_at: Instant
    changed: list[str] | None = None


class ProjectVersionOut(BaseModel):
    version: int
    at: Instant
    changed_by: str
    reason: str | None
    changed: list[str] | None
    record: dict[str, Any]


class PhaseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=256)
    geometry: dict[str, Any] | None = Field(None, description="GeoJSON polygon, EPSG:4490 lon/lat")


class PhaseOut(BaseModel):
    id: int
    project_id: int
    name: str
    state: str
    area_m2: float | None
    geometry: dict[str, Any] | None
    people: int | None
    created_at: Instant
    created_by: str
    schedule: list[dict[str, Any]] | None = Field(
        None, description="the construction plan: [{name, kind, start, finish}]")
    checks: dict[str, Any] | None = Field(
        None, description="guideline_split (on creation) and public_welfare_first (on the "
                          "schedule): each check's result with its rule and clause")
    from_state: str | None = None
    decision: dict[str, Any] | None = None


class PersonIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    person_id: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=128)
    kind: Literal["villager", "resident", "ancestral_owner"]


class PeopleAdded(BaseModel):
    phase_id: int
    added: int
    total: int


class AgreementIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    person_id: str
    signed_on: dt.date
    action: Literal["sign", "withdraw"] = "sign"
    evidence_sha256: str | None = Field(None, description="SHA-256 of the scanned agreement")
    note: str | None = None


class Gate(BaseModel):
    """The demolition gate with the pack that decided it; where the place has no phase rules
    (after an agreement is recorded there) only ``allowed`` false and ``no_rules``."""

    allowed: bool
    signed: int | None = None
    total: int | None = None
    ratio: float | None = None
    threshold: float | None = None
    rule: str | None = None
    clause: str | None = None
    basis: str | None = None
    pack: str | None = None
    pack_version: str | None = None
    no_rules: dict[str, Any] | None = None


class LedgerRecordOut(BaseModel):
    id: int
    ledger: str
    seq: int
    project_id: int
    phase_id: int | None
    subject: str
    action: str
    effective_on: dt.date
    evidence_sha256: str | None
    details: dict[str, Any] | None
    recorded_by: str
    recorded_at: Instant
    prev_hash: str
    hash: str


class AgreementRecorded(BaseModel):
    record: LedgerRecordOut
    gate: Gate


class WorkIn(BaseModel):
    """One work of a phase's construction plan (建设计划). Kinds and dates are checked by the
    service so that every bad work is a 422 naming its row (``works[i].field``)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    name: str = Field(max_length=256)
    kind: str = Field(description="resettlement_housing (复建安置房), public_service (公共服务配套"
                                  "设施), municipal_infrastructure (市政基础设施), "
                                  "living_environment (人居环境改善), or other (融资地块、商品住宅等)")
    start: str = Field(description="YYYY-MM-DD", json_schema_extra={"format": "date"})
    finish: str = Field(description="YYYY-MM-DD, not before start",
                        json_schema_extra={"format": "date"})


class ScheduleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    works: list[WorkIn] = Field(max_length=10_000)
    reason: str | None = None


class TransitionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    to: str
    reason: str | None = None
