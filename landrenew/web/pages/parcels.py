"""The parcel list (地块清单) with its filters and Excel export."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response

from landrenew.api.deps import PageUser, StoreDep
from landrenew.core.clock import city_today
from landrenew.core.errors import InputError
from landrenew.land import catalogue
from landrenew.serving import parcels as parcel_service
from landrenew.serving import workbooks
from landrenew.web import legend
from landrenew.web.pages.common import PAGE_SIZE, XLSX, need_user, published_run
from landrenew.web.render import locale_of, render

router = APIRouter(include_in_schema=False, tags=["pages"])


def _filters(district: str | None, category: str | None, flag: str | None) -> dict[str, Any]:
    return {"district": district or None, "category": category or None, "flag": flag or None}


@router.get("/parcels")
def parcel_list(request: Request, store: StoreDep, user: PageUser, district: str | None = None,
                category: str | None = None, flag: str | None = None, page: int = 1
                ) -> Response:
    """Parcel list (地块清单) with filters; an htmx request gets just the table."""
    who = need_user(request, user)
    if page < 1:
        raise InputError("page must be 1 or more", field="page")
    filters = _filters(district, category, flag)
    total, items = parcel_service.list_parcels(store, who, **filters, limit=PAGE_SIZE,
                                               offset=(page - 1) * PAGE_SIZE)
    locale = locale_of(request)
    run = published_run(store, who)
    _, districts = catalogue.list_districts(store, who, limit=1000)
    context = {"items": items, "total": total, "page": page, "page_size": PAGE_SIZE,
               "pages": max(1, -(-total // PAGE_SIZE)), "filters": filters,
               "query": "&".join(f"{k}={quote(str(v))}" for k, v in filters.items() if v),
               "names": legend.names(run, locale),
               "categories": legend.categories(run, locale),
               "flags": legend.flags(run, locale), "district_options": districts, "run": run,
               "district_names": {d["code"]: d["name"] for d in districts}}
    template = ("partials/parcel_table.html" if request.headers.get("HX-Request")
                else "parcels.html")
    return render(request, template, context, user=who)


@router.get("/parcels.xlsx")
def parcel_list_excel(request: Request, store: StoreDep, user: PageUser,
                      district: str | None = None, category: str | None = None,
                      flag: str | None = None) -> Response:
    who = need_user(request, user)
    filters = _filters(district, category, flag)
    run = published_run(store, who)
    names = legend.names(run, locale_of(request))
    rows = parcel_service.iter_parcels(store, who, **filters,
                                       limit=workbooks.EXCEL_MAX_ROWS - 1)
    content = workbooks.parcels_workbook(rows, names, filters=filters, user=who.name)
    name = f"landrenew-parcels-{city_today():%Y%m%d}.xlsx"
    return Response(content, media_type=XLSX,
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"})


# ---------------------------------------------------------------- import (upload → report → confirm)

