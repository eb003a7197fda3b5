"""Parcel form (地块变更表单): staff correct a parcel's attributes from the pages, as
``PATCH /api/parcels/{code}`` does — a new version with the reason, audited. The form shows every
attribute with its Chinese label and current value; only the fields changed are sent to the
service, and a blank field clears its value. A refused change comes back beside its field, in the
page's language, with everything typed kept.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from landrenew.api.deps import CsrfChecked, PageUser, StoreDep
from landrenew.core.access import Principal, require_write
from landrenew.core.errors import LandrenewError, ValidationFailed
from landrenew.land import service as land_service
from landrenew.land.fields import ATTRIBUTE_FIELDS, FIELDS_BY_NAME
from landrenew.web.pages.common import need_user
from landrenew.web.pages.project_forms import error_of
from landrenew.web.render import render

router = APIRouter(include_in_schema=False, tags=["pages"])
#: Kinds typed as numbers: thousands separators are taken out.
NUMERIC = ("float", "int", "money", "ratio")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _form(request: Request, who: Principal, parcel: dict[str, Any], typed: dict[str, str], *,
          error: LandrenewError | None = None, saved: bool = False) -> Response:
    shown = [FIELDS_BY_NAME[f] for f in ATTRIBUTE_FIELDS if f in parcel]
    refusal = error_of(error) if error is not None else None
    if refusal is not None and isinstance(error, ValidationFailed) and error.problems:
        refusal["field"] = error.problems[0].field
    return render(request, "parcel_form.html", {
        "p": parcel, "fields": [f.name for f in shown], "specs": shown, "typed": typed,
        "error": refusal, "saved": saved},
        user=who, status_code=error.status if error is not None else 200)


@router.get("/parcels/{code}/edit")
def parcel_form(request: Request, code: str, store: StoreDep, user: PageUser,
                saved: bool = False) -> Response:
    who = need_user(request, user)
    require_write(who)
    parcel = land_service.parcel_detail(store, who, code)
    return _form(request, who, parcel, {f: _text(parcel.get(f)) for f in ATTRIBUTE_FIELDS},
                 saved=saved)


@router.post("/parcels/{code}/edit")
async def parcel_edit(request: Request, code: str, store: StoreDep, user: PageUser,
                      _csrf: CsrfChecked) -> Response:
    """Keep the fields changed as a new version; back to the form, which says so."""
    who = need_user(request, user)
    require_write(who)
    parcel = land_service.parcel_detail(store, who, code)
    form = await request.form()
    typed = {f: str(form.get(f) or "").strip() for f in ATTRIBUTE_FIELDS if f in form}
    reason = str(form.get("reason") or "")
    changes: dict[str, Any] = {}
    for name, text in typed.items():
        if name not in parcel or text == _text(parcel.get(name)):
            continue
        if FIELDS_BY_NAME[name].kind in NUMERIC:
            text = text.replace(",", "").replace("，", "")
        changes[name] = text or None
    try:
        land_service.edit_parcel(store, who, code, changes, reason)
    except LandrenewError as exc:
        if exc.status not in (409, 422):
            raise
        return _form(request, who, parcel, {**typed, "reason": reason}, error=exc)
    return RedirectResponse(f"/parcels/{code}/edit?saved=1", status_code=303)
