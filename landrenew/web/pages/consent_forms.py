"""Consent forms (意愿征询表单) on the consolidation workflow page: add a consent unit (its
owners, or its parcels, or its collective body), record an owner's consent, withdrawal or
refusal with the signed form as an uploaded file (the server computes its SHA-256), and record
a collective body's vote with its minutes.

Each form answers with the workflow body, whose willingness gate shows each unit's checks with
the rule and clause; a refusal comes back in the body with its status (422 naming the field, 409
for a unit code taken), said in the page's language, with what was typed kept.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response

from landrenew.api.deps import CsrfChecked, PageUser, StoreDep
from landrenew.core.access import Principal
from landrenew.core.errors import InputError, LandrenewError
from landrenew.participation.decisions import UNIT_KINDS
from landrenew.projects import consent_service
from landrenew.web.pages.common import need_user
from landrenew.web.pages.consolidation import BODY, refusal_of, workflow_context
from landrenew.web.pages.finance import evidence_hash
from landrenew.web.render import render

router = APIRouter(include_in_schema=False, tags=["pages"])
#: Unit kinds whose definition is a list of owners.
OWNED = ("single_holder", "co_owned", "condominium")


def _answer(request: Request, store: StoreDep, who: Principal, project_id: int, *,
            form: str | None = None, typed: dict[str, Any] | None = None,
            error: LandrenewError | None = None, done: str | None = None) -> Response:
    context = workflow_context(store, who, project_id, done=done, consent_form=form,
                       consent_typed=typed or {},
                       refusal=refusal_of(error) if error is not None else None)
    return render(request, BODY, context, user=who,
                  status_code=error.status if error is not None else 200)


def _lines(text: str) -> list[list[str]]:
    """Lines of comma-separated cells (Chinese commas and tabs too), blank lines skipped."""
    out = []
    for line in (text or "").splitlines():
        line = line.replace("\t", ",").replace("，", ",").strip()
        if line:
            out.append([c.strip() for c in line.split(",")])
    return out


def _area(text: str, field: str, row: int) -> float:
    try:
        value = Decimal(text.replace(" ", ""))
    except InvalidOperation:
        raise InputError(f"line {row}: '{text}' is not an area in m²", field=field,
                         row=row) from None
    return float(value)


def owners_of(text: str) -> list[dict[str, Any]]:
    """Owners one per line: ``id`` or ``id, exclusive floor area in m²``."""
    owners: list[dict[str, Any]] = []
    for n, cells in enumerate(_lines(text), start=1):
        owner: dict[str, Any] = {"id": cells[0]}
        if len(cells) > 1 and cells[1]:
            owner["exclusive_area"] = _area(cells[1], "owners", n)
        owners.append(owner)
    return owners


def parcels_of(text: str) -> list[dict[str, Any]]:
    """Parcels of a state-land unit one per line: ``id, kind, area m², owner; owner; …``."""
    parcels = []
    for n, cells in enumerate(_lines(text), start=1):
        if len(cells) != 4:
            raise InputError(f"line {n}: write each parcel as id, kind, area, owners separated "
                             "by ; (e.g. p1, single_holder, 2000, 甲)", field="parcels", row=n)
        kind = next((k for k, (zh, en) in UNIT_KINDS.items() if cells[1] in (k, zh, en)),
                    cells[1])
        parcels.append({"id": cells[0], "kind": kind, "area": _area(cells[2], "parcels", n),
                        "owners": [{"id": o.strip()} for o in cells[3].replace("；", ";")
                                   .split(";") if o.strip()]})
    return parcels


@router.post("/projects/{project_id}/consent-units")
def consent_unit_add(request: Request, project_id: int, store: StoreDep, user: PageUser,
                     _csrf: CsrfChecked, code: Annotated[str, Form()] = "",
                     kind: Annotated[str, Form()] = "", name: Annotated[str, Form()] = "",
                     owners: Annotated[str, Form()] = "", parcels: Annotated[str, Form()] = "",
                     body: Annotated[str, Form()] = "villagers_meeting",
                     matter: Annotated[str, Form()] = "general") -> Response:
    """Add a consent unit: owners for a single holder, co-owners or a condominium; parcels for
    several state-land parcels; the collective body for collective land."""
    who = need_user(request, user)
    typed = {"code": code, "kind": kind, "name": name, "owners": owners, "parcels": parcels,
             "body": body, "matter": matter}
    try:
        definition: dict[str, Any]
        if kind == "collective":
            definition = {"body": body, "matter": matter}
        elif kind == "state_parcels":
            definition = {"parcels": parcels_of(parcels)}
        else:
            definition = {"owners": owners_of(owners)}
        consent_service.add_consent_unit(store, who, project_id, code=code, kind=kind,
                                         name=name, definition=definition)
    except LandrenewError as exc:
        if exc.status in (401, 403, 404) or exc.status >= 500:
            raise
        return _answer(request, store, who, project_id, form="unit", typed=typed, error=exc)
    return _answer(request, store, who, project_id, done=code)


def _day(text: str, field: str) -> dt.date:
    value = (text or "").strip()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(f"'{value}' is not a day (YYYY-MM-DD)", field=field) from None


@router.post("/projects/{project_id}/consents")
async def consent_record(request: Request, project_id: int, store: StoreDep, user: PageUser,
                         _csrf: CsrfChecked, unit: Annotated[str, Form()] = "",
                         owner: Annotated[str, Form()] = "",
                         parcel: Annotated[str, Form()] = "",
                         action: Annotated[str, Form()] = "consent",
                         on: Annotated[str, Form()] = "",
                         note: Annotated[str, Form()] = "",
                         evidence: Annotated[UploadFile | None, File()] = None) -> Response:
    """An owner's consent, withdrawal or refusal, with the signed form uploaded."""
    who = need_user(request, user)
    typed = {"unit": unit, "owner": owner, "parcel": parcel, "action": action, "on": on,
             "note": note}
    try:
        sha, filename = await evidence_hash(evidence)
        text = "; ".join(t for t in (note.strip(), filename or "") if t) or None
        consent_service.record_consent(store, who, project_id, unit=unit, owner=owner.strip(),
                                       parcel=parcel.strip() or None, action=action,
                                       on=_day(on, "on"), evidence_sha256=sha, note=text)
    except LandrenewError as exc:
        if exc.status in (401, 403, 404) or exc.status >= 500:
            raise
        return _answer(request, store, who, project_id, form="consent", typed=typed,
                       error=exc)
    return _answer(request, store, who, project_id, done=f"{unit}/{owner}")


def _count(text: str, field: str) -> int | None:
    value = (text or "").replace(",", "").strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise InputError(f"'{value}' is not a whole number", field=field) from None


@router.post("/projects/{project_id}/votes")
async def vote_record(request: Request, project_id: int, store: StoreDep, user: PageUser,
                      _csrf: CsrfChecked, unit: Annotated[str, Form()] = "",
                      body: Annotated[str, Form()] = "villagers_meeting",
                      matter: Annotated[str, Form()] = "general",
                      eligible: Annotated[str, Form()] = "",
                      present: Annotated[str, Form()] = "",
                      in_favour: Annotated[str, Form()] = "",
                      households_total: Annotated[str, Form()] = "",
                      households_present: Annotated[str, Form()] = "",
                      held_on: Annotated[str, Form()] = "",
                      note: Annotated[str, Form()] = "",
                      evidence: Annotated[UploadFile | None, File()] = None) -> Response:
    """A collective body's vote with its minutes uploaded; the latest vote of a unit counts."""
    who = need_user(request, user)
    typed = {"unit": unit, "body": body, "matter": matter, "eligible": eligible,
             "present": present, "in_favour": in_favour, "households_total": households_total,
             "households_present": households_present, "held_on": held_on, "note": note}
    try:
        sha, filename = await evidence_hash(evidence)
        vote = {"body": body, "matter": matter, "eligible": _count(eligible, "eligible"),
                "present": _count(present, "present"),
                "in_favour": _count(in_favour, "in_favour"),
                "households_total": _count(households_total, "households_total"),
                "households_present": _count(households_present, "households_present")}
        for field in ("eligible", "present", "in_favour"):
            if vote[field] is None:
                raise InputError("this figure is needed", field=field, code="missing")
        text = "; ".join(t for t in (note.strip(), filename or "") if t) or None
        consent_service.record_vote(store, who, project_id, unit=unit, vote=vote,
                                    held_on=_day(held_on, "held_on"), evidence_sha256=sha,
                                    note=text)
    except LandrenewError as exc:
        if exc.status in (401, 403, 404) or exc.status >= 500:
            raise
        return _answer(request, store, who, project_id, form="vote", typed=typed, error=exc)
    return _answer(request, store, who, project_id, done=unit)

