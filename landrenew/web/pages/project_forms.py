"""Project forms (项目表单): put a project in the library, change it with a reason, and add a
phase by uploading its boundary file or drawing it on the map.

Mounted before :mod:`landrenew.web.pages.projects`, so that ``/projects/new`` is this form and
not a project id. A refused form comes back with the message beside its field (in the page's
language) and everything typed kept: 422 for a bad value, 409 with the rule and its clause for a
boundary that cuts a guideline parcel; a stored one goes to its page.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from landrenew.api.deps import CsrfChecked, PageUser, SettingsDep, StoreDep
from landrenew.core.access import Principal, require_write
from landrenew.core.errors import LandrenewError
from landrenew.land import catalogue
from landrenew.projects import boundaries, phase_service, service
from landrenew.projects.vocabulary import BATCHES, INSTRUMENTS, PROJECT_TYPES, STAGES, TERMS
from landrenew.web.pages.common import need_user
from landrenew.web.render import render

router = APIRouter(include_in_schema=False, tags=["pages"])

#: The project form's text fields, in the form's order.
TEXT_FIELDS = ("name", "type", "district_code", "batch", "term", "stage", "lead_unit",
               "owner_company", "planned_start", "planned_end", "actual_start", "actual_end",
               "scheme_approved_on", "parcel_codes")
DATE_FIELDS = ("planned_start", "planned_end", "actual_start", "actual_end",
               "scheme_approved_on")


def error_of(exc: LandrenewError) -> dict[str, Any]:
    """A refusal as the forms show it: the field it names, the message (said in the page's
    language by the template), its code, and the rule and clause of a refusal that has them."""
    extra = exc.to_dict()
    return {"field": exc.field, "message": exc, "code": exc.code, "status": exc.status,
            "rule": extra.get("rule"), "clause": extra.get("clause")}


def _day(text: str, field: str) -> dt.date | None:
    from landrenew.core.errors import InputError

    value = (text or "").strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(f"'{value}' is not a day (YYYY-MM-DD)", field=field) from None


def _values(typed: dict[str, Any]) -> dict[str, Any]:
    """The typed form as the service's values: blanks are none, days are days, parcel codes one
    per line or comma."""
    values: dict[str, Any] = {}
    for field in TEXT_FIELDS:
        if field not in typed or (field == "stage" and not typed[field]):
            continue  # not on the form that was sent: left as it is
        text = str(typed.get(field) or "").strip()
        if field in DATE_FIELDS:
            values[field] = _day(text, field)
        elif field == "parcel_codes":
            codes = [c.strip() for c in text.replace("，", ",").replace("\n", ",").split(",")]
            values[field] = [c for c in codes if c]
        else:
            values[field] = text or None
    values["instruments"] = list(typed.get("instruments") or [])
    values["contiguous_redevelopment"] = bool(typed.get("contiguous_redevelopment"))
    return values


def _form(request: Request, store: StoreDep, who: Principal, *, project: dict[str, Any] | None,
          typed: dict[str, Any], error: LandrenewError | None = None) -> Response:
    _, districts = catalogue.list_districts(store, who, limit=1000)
    return render(request, "project_form.html", {
        "project": project, "typed": typed, "types": PROJECT_TYPES, "stages": STAGES,
        "batches": BATCHES, "terms": TERMS, "instruments": INSTRUMENTS,
        "district_options": districts, "fields": TEXT_FIELDS,
        "error": error_of(error) if error is not None else None},
        user=who, status_code=error.status if error is not None else 200)


def _typed_of(project: dict[str, Any]) -> dict[str, Any]:
    typed = {f: project.get(f) or "" for f in TEXT_FIELDS}
    typed["parcel_codes"] = "\n".join(project.get("parcel_codes") or [])
    for f in DATE_FIELDS:
        typed[f] = project[f].isoformat() if project.get(f) else ""
    typed["instruments"] = list(project.get("instruments") or [])
    typed["contiguous_redevelopment"] = bool(project.get("contiguous_redevelopment"))
    return typed


async def _typed_form(request: Request) -> dict[str, Any]:
    form = await request.form()
    typed: dict[str, Any] = {f: str(form.get(f) or "") for f in TEXT_FIELDS if f in form}
    typed["instruments"] = [str(v) for v in form.getlist("instruments")]
    typed["contiguous_redevelopment"] = form.get("contiguous_redevelopment") == "true"
    typed["reason"] = str(form.get("reason") or "")
    return typed


@router.get("/projects/new")
def new_project_form(request: Request, store: StoreDep, user: PageUser) -> Response:
    """The form that puts a project in the library (入库)."""
    who = need_user(request, user)
    require_write(who)
    own = who.districts[0] if who.districts else ""
    return _form(request, store, who, project=None,
                 typed={"stage": "proposed", "district_code": own, "instruments": []})


@router.post("/projects/new")
async def new_project(request: Request, store: StoreDep, user: PageUser, _csrf: CsrfChecked
                      ) -> Response:
    who = need_user(request, user)
    require_write(who)
    typed = await _typed_form(request)
    try:
        values = _values(typed)
        values["parcel_codes"] = values.get("parcel_codes") or None
        values["instruments"] = values.get("instruments") or None
        record = service.create_project(store, who, values,
                                        reason=typed["reason"].strip() or None)
    except LandrenewError as exc:
        if exc.status >= 500 or exc.status in (401, 403, 404):
            raise
        return _form(request, store, who, project=None, typed=typed, error=exc)
    return RedirectResponse(f"/projects/{record['id']}", status_code=303)


@router.get("/projects/{project_id}/edit")
def edit_project_form(request: Request, project_id: int, store: StoreDep, user: PageUser
                      ) -> Response:
    """The form that changes a project (动态调整): a new version with its reason."""
    who = need_user(request, user)
    require_write(who)
    project = service.get_project(store, who, project_id)
    return _form(request, store, who, project=project, typed=_typed_of(project))


@router.post("/projects/{project_id}/edit")
async def edit_project(request: Request, project_id: int, store: StoreDep, user: PageUser,
                       _csrf: CsrfChecked) -> Response:
    who = need_user(request, user)
    require_write(who)
    project = service.get_project(store, who, project_id)
    typed = await _typed_form(request)
    try:
        service.update_project(store, who, project_id, _values(typed), typed["reason"])
    except LandrenewError as exc:
        if exc.status >= 500 or exc.status in (401, 403, 404):
            raise
        return _form(request, store, who, project=project, typed=typed, error=exc)
    return RedirectResponse(f"/projects/{project_id}", status_code=303)


# ---------------------------------------------------------------- a new phase

def _bounds(store: StoreDep, who: Principal, district_code: str) -> list[float]:
    """Where the drawing map opens: the project's district (the city's districts otherwise)."""
    _, districts = catalogue.list_districts(store, who, limit=1000)
    boxes = ([d["bbox"] for d in districts if d.get("bbox") and d["code"] == district_code]
             or [d["bbox"] for d in districts if d.get("bbox")])
    if not boxes:
        return [112.3, 21.4, 113.3, 22.9]
    return [min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes),
            max(b[3] for b in boxes)]


def _phase_form(request: Request, store: StoreDep, who: Principal, project: dict[str, Any], *,
                typed: dict[str, Any], error: LandrenewError | None = None) -> Response:
    bounds = _bounds(store, who, project["district_code"])
    refusal = error_of(error) if error is not None else None
    if isinstance(error, phase_service.GuidelineParcelSplit) and refusal is not None:
        refusal["field"] = None  # said above the form, parcel by parcel, not beside the field
    return render(request, "phase_form.html", {
        "project": project, "typed": typed, "bounds": bounds, "error": refusal},
        user=who, status_code=error.status if error is not None else 200)


@router.get("/projects/{project_id}/phases/new")
def new_phase_form(request: Request, project_id: int, store: StoreDep, user: PageUser
                   ) -> Response:
    """Add a phase (分片): its name and its boundary, uploaded or drawn on the map."""
    who = need_user(request, user)
    require_write(who)
    project = service.get_project(store, who, project_id)
    return _phase_form(request, store, who, project, typed={"name": "", "geometry": ""})


@router.post("/projects/{project_id}/phases/new")
async def new_phase(request: Request, project_id: int, store: StoreDep, settings: SettingsDep,
                    user: PageUser, _csrf: CsrfChecked, name: Annotated[str, Form()] = "",
                    geometry: Annotated[str, Form()] = "",
                    boundary: Annotated[UploadFile | None, File()] = None) -> Response:
    """Store the phase; a boundary file wins over a drawing. A boundary cutting a guideline
    parcel comes back as 409 with the parcels, the rule and its clause, the drawing kept."""
    who = need_user(request, user)
    require_write(who)
    project = service.get_project(store, who, project_id)
    typed = {"name": name, "geometry": geometry}
    try:
        shape: dict[str, Any] | None
        if boundary is not None and boundary.filename:
            content = await boundary.read(boundaries.MAX_BYTES + 1)
            shape = boundaries.from_file(boundary.filename, content)
        else:
            shape = boundaries.from_drawing(geometry)
        phase = phase_service.create_phase(store, who, project_id, name, shape,
                                           projected_crs=settings.projected_crs)
    except LandrenewError as exc:
        if exc.status >= 500 or exc.status in (401, 403, 404):
            raise
        return _phase_form(request, store, who, project, typed=typed, error=exc)
    return RedirectResponse(f"/phases/{phase['id']}", status_code=303)
