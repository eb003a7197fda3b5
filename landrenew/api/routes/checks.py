"""Compliance checks (合规审查): thin HTTP over :mod:`landrenew.compliance.service`.

``POST /api/checks/{kind}`` takes the request's fields as a JSON object (``geometry``: a GeoJSON
geometry in EPSG:4490, where the site is drawn) and answers the stored check; a request missing
or garbling a fact is refused (422 ``check_invalid``, naming the fields, nothing stored), a place
without compliance rules 409 ``no_rules``. Prices are strings or integers, never floats.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Body

from landrenew.api.deps import CurrentUser, PageDep, SettingsDep, StoreDep
from landrenew.api.schemas import Page
from landrenew.api.schemas.checks import CHECK_EXAMPLE, CheckOut
from landrenew.compliance import service
from landrenew.compliance.fields import KIND_FIELDS

router = APIRouter(tags=["compliance"])


@router.post("/api/checks/{kind}", response_model=CheckOut, status_code=201,
             summary=f"Check a request and keep it (kind: {', '.join(KIND_FIELDS)})")
def run_check(kind: str, store: StoreDep, settings: SettingsDep, user: CurrentUser,
              body: Annotated[dict[str, Any], Body(examples=[CHECK_EXAMPLE])],
              on: dt.date | None = None) -> CheckOut:
    return CheckOut(**service.run_check(store, user, kind, body, on=on,
                                        projected_crs=settings.projected_crs))


@router.get("/api/checks", response_model=Page[CheckOut],
            summary="Past checks, newest first, within your districts")
def list_checks(store: StoreDep, user: CurrentUser, page: PageDep, kind: str | None = None,
                district: str | None = None, decision: str | None = None) -> Page[CheckOut]:
    total, items = service.list_checks(store, user, kind=kind, district=district,
                                       decision=decision, limit=page.limit, offset=page.offset)
    return Page(total=total, limit=page.limit, offset=page.offset,
                items=[CheckOut(**i) for i in items])


@router.get("/api/checks/{check_id}", response_model=CheckOut, summary="One stored check")
def get_check(check_id: int, store: StoreDep, user: CurrentUser) -> CheckOut:
    return CheckOut(**service.get_check(store, user, check_id))
