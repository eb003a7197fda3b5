"""Project pages (项目页面): the library, a project with its phases, and a phase with its people,
signatures and demolition gate, its guideline-parcel check and its construction schedule. Forms
post to page routes (CSRF form field) that call the same services as the REST API; htmx swaps
the people table and the gate after each signature, and the schedule after each save.
"""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from landrenew.api.deps import CsrfChecked, PageUser, StoreDep
from landrenew.core import sheets
from landrenew.core.access import Principal, require_write
from landrenew.core.clock import city_today
from landrenew.core.errors import Conflict, InputError
from landrenew.land import catalogue
from landrenew.projects import phase_service, schedule_service, service
from landrenew.projects.phasing import WORK_KINDS
from landrenew.projects.reports import library_workbook
from landrenew.projects.vocabulary import (
    PERSON_KINDS,
    PHASE_ORDER,
    PHASE_STATES,
    PROJECT_TYPES,
    STAGES,
)
from landrenew.web.pages.common import XLSX, need_user
from landrenew.web.render import render

router = APIRouter(include_in_schema=False, tags=["pages"])


@router.get("/projects")
def library(request: Request, store: StoreDep, user: PageUser, district: str | None = None,
            type: str | None = None, stage: str | None = None, overdue: bool = False
            ) -> Response:
    """The pilot project library (试点项目库) by district, type and stage."""
    who = need_user(request, user)
    total, items = service.list_projects(store, who, district=district or None,
                                         type=type or None, stage=stage or None,
                                         overdue_on=city_today() if overdue else None,
                                         limit=500)
    _, districts = catalogue.list_districts(store, who, limit=1000)
    return render(request, "projects.html", {
        "items": items, "total": total, "types": PROJECT_TYPES, "stages": STAGES,
        "district_options": districts, "district_names": {d["code"]: d["name"] for d in districts},
        "filters": {"district": district or "", "type": type or "", "stage": stage or "",
                    "overdue": overdue}}, user=who)


@router.get("/projects.xlsx")
def library_excel(request: Request, store: StoreDep, user: PageUser) -> Response:
    who = need_user(request, user)
    _, items = service.list_projects(store, who, limit=100_000)
    name = f"landrenew-projects-{city_today():%Y%m%d}.xlsx"
    return Response(library_workbook(items, user=who.name), media_type=XLSX,
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"})


@router.get("/projects/{project_id}")
def project_page(request: Request, project_id: int, store: StoreDep, user: PageUser) -> Response:
    who = need_user(request, user)
    project = service.get_project(store, who, project_id)
    phases = phase_service.list_phases(store, who, project_id)
    rules = service.project_rules(project)
    _, districts = catalogue.list_districts(store, who, limit=1000)
    return render(request, "project.html", {
        "p": project, "phases": phases, "states": PHASE_STATES, "rules": rules,
        "district_name": next((d["name"] for d in districts
                               if d["code"] == project["district_code"]), None),
        "consolidation": any(r["kind"] == "consolidation_scheme" and "pack" in r
                             for r in rules),
        "history": service.project_history(store, who, project_id)}, user=who)


def phase_context(store: StoreDep, who: Principal, phase_id: int) -> dict:
    view = phase_service.phase_overview(store, who, phase_id)
    here = PHASE_ORDER.index(view["phase"]["state"])
    return {**view, "states": PHASE_STATES, "kinds": PERSON_KINDS, "work_kinds": WORK_KINDS,
            "next_state": PHASE_ORDER[here + 1] if here + 1 < len(PHASE_ORDER) else None,
            "today": city_today().isoformat(),
            "schedule_text": _works_text(view["phase"].get("schedule") or []),
            "form": None, "typed": {}, "refusal": None}


def _works_text(works: list[dict[str, Any]]) -> str:
    """A stored schedule as the form's CSV lines ``name,kind,start,finish``, a formula-like name
    neutralised as in every CSV the platform writes (read back by :func:`_parse_works`)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for w in works:
        writer.writerow([sheets.csv_text(v) for v in (w["name"], w["kind"], w["start"],
                                                      w["finish"])])
    return out.getvalue()


#: A work kind may be typed as its code or its Chinese or English name.
_KIND_NAMES = {name: code for code, (zh, en, _) in WORK_KINDS.items()
               for name in (code, zh, en)}


def _parse_works(text: str) -> tuple[list[dict[str, str]], list[int]]:
    """The form's CSV lines → works, with the line number of each (blank lines and a
    ``name,kind,start,finish`` header are skipped; Chinese commas are read as commas)."""
    works: list[dict[str, str]] = []
    lines: list[int] = []
    for n, line in enumerate(text.replace("\r\n", "\n").split("\n"), start=1):
        line = line.replace("，", ",").strip()
        if not line or (not works and line.lower().replace(" ", "") == "name,kind,start,finish"):
            continue
        cells = [c.strip() for c in next(csv.reader([line]))]
        if len(cells) != 4:
            raise InputError(f"expected name,kind,start,finish, got {len(cells)} value(s)",
                             row=n, field="works")
        name, kind, start, finish = (sheets.csv_untext(c) for c in cells)
        works.append({"name": name, "kind": _KIND_NAMES.get(kind, kind), "start": start,
                      "finish": finish})
        lines.append(n)
    return works, lines


@router.get("/phases/{phase_id}")
def phase_page(request: Request, phase_id: int, store: StoreDep, user: PageUser,
               refused: str | None = None) -> Response:
    """A phase (分片): people to relocate, signatures, the demolition gate, the next step."""
    who = need_user(request, user)
    return render(request, "phase.html", {**phase_context(store, who, phase_id),
                                          "refused": refused}, user=who)


@router.post("/phases/{phase_id}/advance")
def phase_advance(request: Request, phase_id: int, store: StoreDep, user: PageUser,
                  _csrf: CsrfChecked, to: Annotated[str, Form()],
                  reason: Annotated[str | None, Form()] = None) -> Response:
    """Move to the next state; a refusal comes back as the reason on the phase page, said in
    its language: a closed demolition gate by its numbers, any other by its message."""
    who = need_user(request, user)
    try:
        phase_service.transition(store, who, phase_id, to, reason=reason)
    except phase_service.GateClosed as exc:
        if exc.decision.get("signed") is not None:
            return RedirectResponse(f"/phases/{phase_id}?refused=gate_closed", status_code=303)
        return RedirectResponse(f"/phases/{phase_id}?refused={quote(exc.message)}",
                                status_code=303)
    except Conflict as exc:
        return RedirectResponse(f"/phases/{phase_id}?refused={quote(exc.message)}",
                                status_code=303)
    return RedirectResponse(f"/phases/{phase_id}", status_code=303)


@router.post("/phases/{phase_id}/schedule")
def phase_schedule(request: Request, phase_id: int, store: StoreDep, user: PageUser,
                   _csrf: CsrfChecked, works: Annotated[str, Form()] = "",
                   reason: Annotated[str | None, Form()] = None) -> Response:
    """Save the construction schedule from CSV lines; htmx gets the schedule back, stored or
    with the refusal (public-welfare works not first, or a bad line) and the typed text."""
    who = need_user(request, user)
    require_write(who)  # 403 for read-only roles before anything is read
    # outside the user's scope: 404 from set_schedule, or from _phase_context after a bad line
    refusal: dict[str, Any] | None = None
    lines: list[int] = []
    try:
        parsed, lines = _parse_works(works)
        schedule_service.set_schedule(store, who, phase_id, parsed,
                                   reason=(reason or "").strip() or None)
    except schedule_service.PublicWelfareNotFirst as exc:
        refusal = {"code": exc.code, "message": exc.message, "check": exc.check}
    except InputError as exc:
        line = exc.row if exc.field == "works" else (
            lines[exc.row] if isinstance(exc.row, int) and exc.row < len(lines) else None)
        refusal = {"code": exc.code, "message": exc.message, "line": line}
    context = phase_context(store, who, phase_id)
    if refusal is not None:
        context["schedule_text"] = works
    return render(request, "partials/phase_schedule.html", {**context, "refusal": refusal},
                  user=who)
