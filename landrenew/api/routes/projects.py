"""Projects and urban-village phases (项目库、分片): thin HTTP over
:mod:`landrenew.projects.service` and :mod:`landrenew.projects.phase_service`.

The phase calls other tools rely on keep their names and JSON shapes: ``POST /api/projects``,
``POST /api/projects/{id}/phases``, ``POST /api/phases/{id}/people``,
``POST /api/phases/{id}/agreements``, ``GET /api/phases/{id}/demolition-gate``.
"""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Body

from landrenew.api.deps import CurrentUser, IdPath, PageDep, SettingsDep, StoreDep
from landrenew.api.schemas import Page
from landrenew.api.schemas.projects import (
    AgreementIn,
    AgreementRecorded,
    Gate,
    PeopleAdded,
    PersonIn,
    PhaseIn,
    PhaseOut,
    ProjectIn,
    ProjectOut,
    ProjectPatch,
    ProjectVersionOut,
    ScheduleIn,
    TransitionIn,
)
from landrenew.projects import phase_service, schedule_service, service

router = APIRouter(tags=["projects"])

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
def get_project(project_id: IdPath, store: StoreDep, user: CurrentUser) -> ProjectOut:
    return ProjectOut(**service.get_project(store, user, project_id))


@router.patch("/api/projects/{project_id}", response_model=ProjectOut)
def patch_project(project_id: IdPath, body: ProjectPatch, store: StoreDep, user: CurrentUser
                  ) -> ProjectOut:
    """Change a project (a new version with its reason)."""
    changes = body.model_dump(exclude_unset=True, exclude={"reason"})
    return ProjectOut(**service.update_project(store, user, project_id, changes, body.reason))


@router.get("/api/projects/{project_id}/history", response_model=list[ProjectVersionOut])
def project_history(project_id: IdPath, store: StoreDep, user: CurrentUser
                    ) -> list[ProjectVersionOut]:
    return [ProjectVersionOut(**v) for v in service.project_history(store, user, project_id)]


@router.post("/api/projects/{project_id}/phases", response_model=PhaseOut, status_code=201)
def create_phase(project_id: IdPath, body: PhaseIn, store: StoreDep, settings: SettingsDep,
                 user: CurrentUser) -> PhaseOut:
    return PhaseOut(**phase_service.create_phase(store, user, project_id, body.name, body.geometry,
                                                 projected_crs=settings.projected_crs))


@router.get("/api/projects/{project_id}/phases", response_model=list[PhaseOut])
def list_phases(project_id: IdPath, store: StoreDep, user: CurrentUser) -> list[PhaseOut]:
    """The project's phases, in the order they were made."""
    return [PhaseOut(**p) for p in phase_service.list_phases(store, user, project_id)]


@router.get("/api/phases/{phase_id}", response_model=PhaseOut)
def get_phase(phase_id: IdPath, store: StoreDep, user: CurrentUser) -> PhaseOut:
    return PhaseOut(**phase_service.get_phase(store, user, phase_id))


@router.post("/api/phases/{phase_id}/people", response_model=PeopleAdded, status_code=201)
def add_people(phase_id: IdPath, store: StoreDep, user: CurrentUser,
               body: list[PersonIn] = Body(..., max_length=100_000)) -> PeopleAdded:
    """The people to relocate: villagers, residents (村民转居民) and ancestral-house owners."""
    return PeopleAdded(**phase_service.add_people(store, user, phase_id,
                                                  [p.model_dump() for p in body]))


@router.post("/api/phases/{phase_id}/agreements", response_model=AgreementRecorded,
             status_code=201)
def record_agreement(phase_id: IdPath, body: AgreementIn, store: StoreDep, user: CurrentUser
                     ) -> AgreementRecorded:
    """A signed compensation agreement (or its withdrawal), appended to the signing ledger."""
    return AgreementRecorded(**phase_service.record_agreement(
        store, user, phase_id, body.person_id, body.signed_on, action=body.action,
        evidence_sha256=body.evidence_sha256, note=body.note))


@router.get("/api/phases/{phase_id}/demolition-gate", response_model=Gate)
def demolition_gate(phase_id: IdPath, store: StoreDep, user: CurrentUser) -> Gate:
    """``{allowed, signed, total, ratio, threshold, rule, clause, pack, pack_version}``; 409
    ``no_rules`` where the phase's place has no urban-village phase rules."""
    return Gate(**phase_service.gate(store, user, phase_id))


@router.put("/api/phases/{phase_id}/schedule", response_model=PhaseOut)
def set_schedule(phase_id: IdPath, body: ScheduleIn, store: StoreDep, user: CurrentUser
                 ) -> PhaseOut:
    """The phase's construction plan, kept only when every public-welfare work starts before
    (or with) the other works: 409 ``public_welfare_not_first`` with the check otherwise; 422
    naming the row and field for a bad work."""
    return PhaseOut(**schedule_service.set_schedule(store, user, phase_id,
                                                 [w.model_dump() for w in body.works],
                                                 reason=body.reason))


@router.post("/api/phases/{phase_id}/transition", response_model=PhaseOut)
def transition(phase_id: IdPath, body: TransitionIn, store: StoreDep, user: CurrentUser
               ) -> PhaseOut:
    """Move the phase to its next state; into demolition only with the gate open (409
    ``gate_closed`` with the gate's numbers otherwise); into construction only with a stored
    schedule that passes the public-welfare-first check (409 ``gate_closed`` with the check)."""
    return PhaseOut(**phase_service.transition(store, user, phase_id, body.to, reason=body.reason))
