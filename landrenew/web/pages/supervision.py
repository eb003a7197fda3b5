"""Programme supervision pages (任务督办): the battle table (作战表: tasks × units with their
status colours, deadlines and last reports, the programme calendar with today's period, the
overdue units and the milestones), one task (progress, completion, supervision acts, targets,
versions, with the forms its reader may use), and the reports page (half-year reports and the
evaluations: made, written, filed, downloaded). Thin HTTP over :mod:`landrenew.supervision`.

Evidence files uploaded on a form are not kept here: their SHA-256 is (the unit keeps the file).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from landrenew.api.deps import CsrfChecked, IdPath, PageUser, SettingsDep, StoreDep
from landrenew.core.access import Principal
from landrenew.core.clock import city_time_text, city_today
from landrenew.core.errors import InputError, LandrenewError
from landrenew.core.said import said
from landrenew.land.service import read_upload
from landrenew.supervision import acts as supervision_acts
from landrenew.supervision import render as files
from landrenew.supervision import report, rules, service, targets
from landrenew.supervision.common import city_of, pack_for
from landrenew.web.pages.common import need_user, t
from landrenew.web.render import locale_of, render

router = APIRouter(include_in_schema=False, tags=["pages"])
STATUS_EN = {"open": "Open", "done_on_time": "Done on time", "done_late": "Done late",
             "overdue": "Overdue"}
ACT_EN = {"notice": "Notice", "press": "Pressing", "accountability": "Accountability"}


def _city(user: Principal, city: str | None) -> str:
    if city:
        return city_of(city)
    cities = service.programme_cities(user)
    if not cities:
        raise InputError("no city has a programme pack", field="city")
    return cities[0][0]


def _day(value: str | None, field: str = "on") -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise InputError(f"'{value}' is not a date (YYYY-MM-DD)", field=field) from None


def _status(code: str, locale: str) -> str:
    return STATUS_EN[code] if locale == "en" else rules.STATUSES[code]


async def _evidence(upload: UploadFile | None, max_mb: int) -> list[dict[str, str]]:
    if upload is None or not upload.filename:
        return []
    content = read_upload(upload.file, max_mb)
    return [{"name": upload.filename, "sha256": hashlib.sha256(content).hexdigest()}]


def _back(url: str) -> Response:
    return RedirectResponse(url, status_code=303)


# ------------------------------------------------------------------ the battle table

@router.get("/tasks")
def tasks_page(request: Request, store: StoreDep, user: PageUser, city: str | None = None,
               on: str | None = None, unit: str | None = None) -> Response:
    """The battle table on a day: every task × every unit with its status colour."""
    who = need_user(request, user)
    locale = locale_of(request)
    code = _city(who, city)
    day = _day(on) or city_today()
    tasks = service.list_tasks(store, who, code, on=day, unit=unit or None)
    units = [u["name"] for u in service.list_units(store, code)]
    with store.read_session() as session:
        mine = service.units_of(session, who, code)
    grid = []
    for task in tasks:
        roles = {u: "lead" for u in task["lead_units"]}
        for u in task["responsible_units"]:
            roles.setdefault(u, "responsible")
        grid.append({**task, "status_text": _status(task["status"], locale), "roles": roles,
                     "mine": any(u in mine for u in roles)})
    shown_units = [u for u in units if any(u in g["roles"] for g in grid)]
    overdue = supervision_acts.overdue(store, who, code, on=day)
    for entry in overdue:
        for act in entry["acts"]:
            act["kind_text"] = ACT_EN[act["kind"]] if locale == "en" else act["kind_name"]
    acts = supervision_acts.list_acts(store, who, code, on=day)
    for act in acts:
        act["kind_text"] = ACT_EN[act["kind"]] if locale == "en" else act["kind_name"]
    return render(request, "tasks.html", {
        "acts": acts, "city": code, "cities": service.programme_cities(who), "on": day, "unit": unit or "",
        "tasks": grid, "units": shown_units, "mine": mine,
        "todo": [g for g in grid if g["mine"] and g["status"] in ("open", "overdue")],
        "overdue": overdue, "milestones": targets.milestones(store, who, code, on=day),
        "calendar": targets.calendar(code, day),
        "counts": {s: sum(1 for g in grid if g["status"] == s) for s in rules.STATUSES},
        "status_names": {s: _status(s, locale) for s in rules.STATUSES},
        "runner": who.role in ("admin", "city_staff")}, user=who)


# ------------------------------------------------------------------ one task

def _task_context(store: StoreDep, who: Principal, task_id: int, locale: str
                  ) -> dict[str, Any]:
    task = service.get_task(store, who, task_id)
    task["status_text"] = _status(task["status"], locale)
    for act in task["acts"]:
        act["kind_text"] = ACT_EN[act["kind"]] if locale == "en" else act["kind_name"]
        act["at"] = city_time_text(act["recorded_at"], seconds=False)
    for p in task["progress"]:
        p["at"] = city_time_text(p["recorded_at"], seconds=False)
    for x in task["targets"]:
        x["at"] = city_time_text(x["recorded_at"], seconds=False)
    for v in task["versions"]:
        v["at_text"] = city_time_text(v["at"], seconds=False)
    runner = who.role in ("admin", "city_staff")
    return {"task": task, "runner": runner,
            "can_report": who.can_write and (bool(task["my_units"]) or who.is_admin),
            "units": list(dict.fromkeys((*task["lead_units"], *task["responsible_units"]))),
            "acts": [(c, ACT_EN[c] if locale == "en" else n) for c, n in rules.ACT_NAMES.items()],
            "today": city_today(), "error": None}


@router.get("/tasks/{task_id}")
def task_page(request: Request, task_id: IdPath, store: StoreDep, user: PageUser) -> Response:
    who = need_user(request, user)
    return render(request, "task.html", _task_context(store, who, task_id, locale_of(request)),
                  user=who)


def _refused(request: Request, store: StoreDep, who: Principal, task_id: int,
             exc: LandrenewError) -> Response:
    """A form refused: the task page again with the reason (the status of the refusal)."""
    if exc.status in (401, 403, 404):
        raise exc
    locale = locale_of(request)
    context = _task_context(store, who, task_id, locale)
    context["error"] = said(exc, locale)
    return render(request, "task.html", context, user=who, status_code=exc.status)


@router.post("/tasks/{task_id}/progress")
async def task_progress(request: Request, task_id: IdPath, store: StoreDep,
                        settings: SettingsDep, user: PageUser, _csrf: CsrfChecked,
                        percent: Annotated[str, Form()], text: Annotated[str, Form()] = "",
                        unit: Annotated[str, Form()] = "", on: Annotated[str, Form()] = "",
                        evidence: Annotated[UploadFile | None, File()] = None) -> Response:
    who = need_user(request, user)
    try:
        number = int(percent) if percent.strip().isdigit() else -1
        service.report_progress(store, who, task_id, percent=number, text=text,
                                unit=unit or None, on=_day(on),
                                evidence=await _evidence(evidence, settings.max_upload_mb))
    except LandrenewError as exc:
        return _refused(request, store, who, task_id, exc)
    return _back(f"/tasks/{task_id}")


@router.post("/tasks/{task_id}/complete")
async def task_complete(request: Request, task_id: IdPath, store: StoreDep,
                        settings: SettingsDep, user: PageUser, _csrf: CsrfChecked,
                        on: Annotated[str, Form()], note: Annotated[str, Form()] = "",
                        evidence: Annotated[UploadFile | None, File()] = None) -> Response:
    who = need_user(request, user)
    try:
        day = _day(on)
        if day is None:
            raise InputError("on is required", field="on")
        service.complete_task(store, who, task_id, on=day, note=note or None,
                              evidence=await _evidence(evidence, settings.max_upload_mb))
    except LandrenewError as exc:
        return _refused(request, store, who, task_id, exc)
    return _back(f"/tasks/{task_id}")


@router.post("/tasks/{task_id}/supervision")
async def task_supervision(request: Request, task_id: IdPath, store: StoreDep,
                           settings: SettingsDep, user: PageUser, _csrf: CsrfChecked,
                           unit: Annotated[str, Form()], kind: Annotated[str, Form()],
                           reason: Annotated[str, Form()] = "",
                           due_on: Annotated[str, Form()] = "",
                           evidence: Annotated[UploadFile | None, File()] = None) -> Response:
    who = need_user(request, user)
    try:
        supervision_acts.supervise(store, who, task_id, unit=unit, kind=kind, reason=reason,
                                   due_on=_day(due_on, "due_on"),
                                   evidence=await _evidence(evidence, settings.max_upload_mb))
    except LandrenewError as exc:
        return _refused(request, store, who, task_id, exc)
    return _back(f"/tasks/{task_id}")


@router.post("/tasks/{task_id}/targets")
def task_target(request: Request, task_id: IdPath, store: StoreDep, user: PageUser,
                _csrf: CsrfChecked, year: Annotated[str, Form()],
                target: Annotated[str, Form()], reason: Annotated[str, Form()] = ""
                ) -> Response:
    who = need_user(request, user)
    try:
        number = int(year) if year.strip().isdigit() else 0
        targets.set_target(store, who, task_id, year=number, target=target,
                           reason=reason or None)
    except LandrenewError as exc:
        return _refused(request, store, who, task_id, exc)
    return _back(f"/tasks/{task_id}")


# ------------------------------------------------------------------ reports

def _reports_context(store: StoreDep, who: Principal, city: str, locale: str
                     ) -> dict[str, Any]:
    listed = report.list_reports(store, who, city)
    for r in listed["reports"]:
        r["created_text"] = city_time_text(r["created_at"], seconds=False)
        r["filed_text"] = city_time_text(r["filed_at"], seconds=False)
        r["kind_text"] = {"half_year": t(locale, "Half-year report"),
                          "mid-term": t(locale, "Mid-term evaluation"),
                          "final": t(locale, "Final evaluation")}[r["kind"]]
    pack = pack_for(city)
    return {"city": city, "cities": service.programme_cities(who), **listed,
            "windows": {k: pack.periods[v] for k, v in rules.EVALUATIONS.items()},
            "sections": report.SECTIONS, "runner": who.role in ("admin", "city_staff"),
            "formats": list(files.FORMATS), "error": None}


@router.get("/programme/report")
def reports_page(request: Request, store: StoreDep, user: PageUser,
                 city: str | None = None) -> Response:
    """The reports kept, the half-years not reported by their due day, the forms."""
    who = need_user(request, user)
    code = _city(who, city)
    return render(request, "programme_report.html",
                  _reports_context(store, who, code, locale_of(request)), user=who)


@router.post("/programme/report")
def report_make(request: Request, store: StoreDep, user: PageUser, _csrf: CsrfChecked,
                city: Annotated[str, Form()], kind: Annotated[str, Form()],
                period: Annotated[str, Form()] = "", as_of: Annotated[str, Form()] = ""
                ) -> Response:
    who = need_user(request, user)
    try:
        made = report.make_report(store, who, city, kind, period=period or None,
                                  as_of=_day(as_of, "as_of"))
    except LandrenewError as exc:
        if exc.status in (401, 403):
            raise
        locale = locale_of(request)
        context = _reports_context(store, who, city_of(city), locale)
        context["error"] = said(exc, locale)
        return render(request, "programme_report.html", context, user=who,
                      status_code=exc.status)
    return _back(f"/programme/report?city={made['city_code']}#report-{made['id']}")


@router.post("/programme/report/{report_id}")
async def report_sections(request: Request, report_id: IdPath, store: StoreDep,
                          user: PageUser, _csrf: CsrfChecked) -> Response:
    """A draft evaluation's sections written; its figures gathered again."""
    who = need_user(request, user)
    form = await request.form()
    sections = {k: str(form.get(k) or "") for k in report.SECTIONS if k in form}
    made = report.update_report(store, who, report_id, sections=sections)
    return _back(f"/programme/report?city={made['city_code']}#report-{report_id}")


@router.post("/programme/report/{report_id}/file")
def report_file(request: Request, report_id: IdPath, store: StoreDep, user: PageUser,
                _csrf: CsrfChecked) -> Response:
    who = need_user(request, user)
    made = report.file_report(store, who, report_id)
    return _back(f"/programme/report?city={made['city_code']}#report-{report_id}")


@router.get("/programme/report/{report_id}/{fmt}")
def report_download(request: Request, report_id: IdPath, fmt: str, store: StoreDep,
                    user: PageUser) -> Response:
    """A kept report's file: .docx, .pdf or .xlsx."""
    who = need_user(request, user)
    suffix = f".{fmt}"
    inputs = report.get_report(store, who, report_id)["inputs"]
    content = files.render(inputs, suffix)
    name = files.file_name(inputs, suffix)
    return Response(content, media_type=files.FORMATS[suffix], headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"})
