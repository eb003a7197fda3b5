"""Projects and urban-village phases (项目库、分片): thin HTTP over
:mod:`landrenew.projects.service` and :mod:`landrenew.projects.phase_service`.

The phase calls other tools rely on keep their names and JSON shapes: ``POST /api/projects``,
``POST /api/projects/{id}/phases``, ``POST /api/phases/{id}/people``,
``POST /api/phases/{id}/agreements``, ``GET /api/phases/{id}/demolition-gate``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from fastapi import APIRouter, Body
from pydantic import BaseModel, ConfigDict, Field

from landrenew.api.deps import CurrentUser, PageDep, SettingsDep, StoreDep
from landrenew.api.schemas import Page
from landrenew.projects import phase_service, service

router = APIRouter(tags=["projects"])


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
    city_code: str | None = None
    version: int
    created_at: dt.datetime
    created_by: str
    updated_at: dt.datetime
    changed: list[str] | None = None


class ProjectVersionOut(BaseModel):
    version: int
    at: dt.datetime
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
    created_at: dt.datetime
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
    recorded_at: dt.datetime
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


@router.post("/api/projects", response_model=ProjectOut, status_code=201)
def create_project(body: ProjectIn, store: StoreDep, user: CurrentUser) -> ProjectOut:
    """Put a project in the library (version 1)."""
    values = body.model_dump(exclude={"reason"}, exclude_none=True)
    return ProjectOut(**service.create_project(store, user, values, reason=body.reason))


@router.get("/api/projects", response_model=Page[ProjectOut])
def list_projects(store: StoreDep, user: CurrentUser, page: PageDep, district: str | None = None,
                  type: str | None = None, batch: str | None = None, stage: str | None = None,
                  overdue_on: dt.date | None = None) -> Page[ProjectOut]:
    total, items = service.list_projects(store, user, district=district, type=type, batch=batch,
                                         stage=stage, overdue_on=overdue_on, limit=page.limit,
                                         offset=page.offset)
    return Page(total=total, limit=page.limit, offset=page.offset,
                items=[ProjectOut(**i) for i in items])


@router.get("/api/projects/{project_id}", response_model=ProjectOut)
def get_project(project_id: int, store: StoreDep, user: CurrentUser) -> ProjectOut:
    return ProjectOut(**service.get_project(store, user, project_id))


@router.patch("/api/projects/{project_id}", response_model=ProjectOut)
def patch_project(project_id: int, body: ProjectPatch, store: StoreDep, user: CurrentUser
                  ) -> ProjectOut:
    """Change a project (a new version with its reason)."""
    changes = body.model_dump(exclude_unset=True, exclude={"reason"})
    return ProjectOut(**service.update_project(store, user, project_id, changes, body.reason))


@router.get("/api/projects/{project_id}/history", response_model=list[ProjectVersionOut])
def project_history(project_id: int, store: StoreDep, user: CurrentUser
                    ) -> list[ProjectVersionOut]:
    return [ProjectVersionOut(**v) for v in service.project_history(store, user, project_id)]


@router.post("/api/projects/{project_id}/phases", response_model=PhaseOut, status_code=201)
def create_phase(project_id: int, body: PhaseIn, store: StoreDep, settings: SettingsDep,
                 user: CurrentUser) -> PhaseOut:
    return PhaseOut(**phase_service.create_phase(store, user, project_id, body.name, body.geometry,
                                                 projected_crs=settings.projected_crs))


@router.get("/api/projects/{project_id}/phases", response_model=list[PhaseOut])
def list_phases(project_id: int, store: StoreDep, user: CurrentUser) -> list[PhaseOut]:
    """The project's phases, in the order they were made."""
    return [PhaseOut(**p) for p in phase_service.list_phases(store, user, project_id)]


@router.get("/api/phases/{phase_id}", response_model=PhaseOut)
def get_phase(phase_id: int, store: StoreDep, user: CurrentUser) -> PhaseOut:
    return PhaseOut(**phase_service.get_phase(store, user, phase_id))


@router.post("/api/phases/{phase_id}/people", response_model=PeopleAdded, status_code=201)
def add_people(phase_id: int, store: StoreDep, user: CurrentUser,
               body: list[PersonIn] = Body(..., max_length=100_000)) -> PeopleAdded:
    """The people to relocate: villagers, residents (村民转居民) and ancestral-house owners."""
    return PeopleAdded(**phase_service.add_people(store, user, phase_id,
                                                  [p.model_dump() for p in body]))


@router.post("/api/phases/{phase_id}/agreements", response_model=AgreementRecorded,
             status_code=201)
def record_agreement(phase_id: int, body: AgreementIn, store: StoreDep, user: CurrentUser
                     ) -> AgreementRecorded:
    """A signed compensation agreement (or its withdrawal), appended to the signing ledger."""
    return AgreementRecorded(**phase_service.record_agreement(
        store, user, phase_id, body.person_id, body.signed_on, action=body.action,
        evidence_sha256=body.evidence_sha256, note=body.note))


@router.get("/api/phases/{phase_id}/demolition-gate", response_model=Gate)
def demolition_gate(phase_id: int, store: StoreDep, user: CurrentUser) -> Gate:
    """``{allowed, signed, total, ratio, threshold, rule, clause, pack, pack_version}``; 409
    ``no_rules`` where the phase's place has no urban-village phase rules."""
    return Gate(**phase_service.gate(store, user, phase_id))


@router.put("/api/phases/{phase_id}/schedule", response_model=PhaseOut)
def set_schedule(phase_id: int, body: ScheduleIn, store: StoreDep, user: CurrentUser
                 ) -> PhaseOut:
    """The phase's construction plan, kept only when every public-welfare work starts before
    (or with) the other works: 409 ``public_welfare_not_first`` with the check otherwise; 422
    naming the row and field for a bad work."""
    return PhaseOut(**phase_service.set_schedule(store, user, phase_id,
                                                 [w.model_dump() for w in body.works],
                                                 reason=body.reason))


@router.post("/api/phases/{phase_id}/transition", response_model=PhaseOut)
def transition(phase_id: int, body: TransitionIn, store: StoreDep, user: CurrentUser
               ) -> PhaseOut:
    """Move the phase to its next state; into demolition only with the gate open (409
    ``gate_closed`` with the gate's numbers otherwise); into construction only with a stored
    schedule that passes the public-welfare-first check (409 ``gate_closed`` with the check)."""
    return PhaseOut(**phase_service.transition(store, user, phase_id, body.to, reason=body.reason))
