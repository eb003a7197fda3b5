"""Programme supervision (任务督办): thin HTTP over :mod:`landrenew.supervision.service`.

Everyone signed in reads the tasks; a user reports progress for a unit they act for that is lead
or responsible for the task (403 otherwise); the city bureau (administrators, city staff) runs
the programme: ``init``, completions, supervision acts (问责 refused without a reason and
evidence, 422), targets.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, File, Query, UploadFile

from landrenew.api.deps import CurrentUser, IdPath, SettingsDep, StoreDep, upload_name
from landrenew.api.schemas.supervision import (
    CompleteIn,
    FiguresOut,
    ProgrammeInit,
    ProgrammeOverview,
    ProgressIn,
    RecordOut,
    SupervisionIn,
    TargetIn,
    TaskDetail,
    TaskOut,
)
from landrenew.land.service import read_upload
from landrenew.supervision import acts, common, service, targets
from landrenew.supervision import figures as district_figures

router = APIRouter(tags=["supervision"])

City = Annotated[str, Query(pattern=r"^\d{6}$", description="City code, e.g. 440700")]
Day = Annotated[dt.date | None, Query(description="The day (default today)")]


@router.post("/api/programme/init", response_model=ProgrammeInit,
             summary="Create the city's units and tasks from its programme pack (idempotent)")
def init(store: StoreDep, user: CurrentUser, city: City) -> ProgrammeInit:
    return ProgrammeInit(**service.init_programme(store, user, city))


@router.get("/api/programme", response_model=ProgrammeOverview,
            summary="The programme on a day: calendar, units, overdue units, milestones")
def overview(store: StoreDep, user: CurrentUser, city: City, on: Day = None
             ) -> ProgrammeOverview:
    return ProgrammeOverview(
        calendar=targets.calendar(city, on), units=service.list_units(store, city),
        overdue=acts.overdue(store, user, city, on=on),
        milestones=targets.milestones(store, user, city, on=on),
        land_per_gdp=district_figures.land_per_gdp(store, city))


@router.get("/api/tasks", response_model=list[TaskOut],
            summary="The tasks with their status on a day")
def list_tasks(store: StoreDep, user: CurrentUser, city: City, on: Day = None,
               unit: Annotated[str | None, Query(max_length=128)] = None,
               status: Annotated[str | None, Query(max_length=16)] = None) -> list[TaskOut]:
    return [TaskOut(**t) for t in service.list_tasks(store, user, city, on=on, unit=unit,
                                                     status=status)]


@router.get("/api/tasks/{task_id}", response_model=TaskDetail,
            summary="A task with its progress, supervision acts, targets and versions")
def get_task(task_id: IdPath, store: StoreDep, user: CurrentUser, on: Day = None
             ) -> TaskDetail:
    return TaskDetail(**service.get_task(store, user, task_id, on=on))


@router.post("/api/tasks/{task_id}/progress", response_model=RecordOut, status_code=201,
             summary="Report a unit's progress on a task, with evidence")
def progress(task_id: IdPath, body: ProgressIn, store: StoreDep, user: CurrentUser
             ) -> RecordOut:
    return RecordOut(**service.report_progress(
        store, user, task_id, percent=body.percent, text=body.text, unit=body.unit, on=body.on,
        evidence=[e.model_dump() for e in body.evidence]))


@router.post("/api/tasks/{task_id}/complete", response_model=TaskOut,
             summary="Record a task done on a day")
def complete(task_id: IdPath, body: CompleteIn, store: StoreDep, user: CurrentUser) -> TaskOut:
    service.complete_task(store, user, task_id, on=body.on, note=body.note,
                          evidence=[e.model_dump() for e in body.evidence])
    return TaskOut(**service.get_task(store, user, task_id))


@router.post("/api/tasks/{task_id}/supervision", response_model=RecordOut, status_code=201,
             summary="通报, 督办 or 问责 a unit for a task")
def supervise(task_id: IdPath, body: SupervisionIn, store: StoreDep, user: CurrentUser
              ) -> RecordOut:
    return RecordOut(**acts.supervise(
     store, user, task_id, unit=body.unit, kind=body.kind, reason=body.reason, on=body.on,
     due_on=body.due_on, evidence=[e.model_dump() for e in body.evidence]))


@router.post("/api/tasks/{task_id}/targets", response_model=RecordOut, status_code=201,
             summary="Set or revise a task's target for a year")
def target(task_id: IdPath, body: TargetIn, store: StoreDep, user: CurrentUser) -> RecordOut:
    return RecordOut(**targets.set_target(store, user, task_id, year=body.year,
                                          target=body.target, reason=body.reason))


@router.post("/api/programme/figures", response_model=FiguresOut, status_code=201,
             summary="Import district GDP (万元) and construction land (亩) by year (.xlsx, .csv)")
def figures(store: StoreDep, settings: SettingsDep, user: CurrentUser, city: City,
            file: Annotated[UploadFile, File(description="Columns district_code, year, "
                                             "gdp_10k_yuan, construction_land_mu")]
            ) -> FiguresOut:
    common.require_runner(user)
    name = upload_name(file.filename)
    rows = district_figures.read_figures_sheet(name, read_upload(file.file, settings.max_upload_mb))
    made = district_figures.import_figures(store, user, city, rows, source=name)
    return FiguresOut(rows=made["rows"], land_per_gdp=district_figures.land_per_gdp(store, city))
