"""The money page of a consolidation project (土地整备资金): the cost ledger with a form to add
an item (htmx; a refused item comes back with its rule and clause), the fund-balance study with
its sensitivity table, the storage-fee settlement and each disbursement step by step, and the
Excel workbook of all of it."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from landrenew.api.deps import CsrfChecked, PageUser, StoreDep
from landrenew.core.access import Principal
from landrenew.core.clock import city_today
from landrenew.finance import service
from landrenew.finance.costs import CostRefused
from landrenew.finance.reports import finance_workbook
from landrenew.web.pages.common import XLSX, need_user
from landrenew.web.render import render

router = APIRouter(include_in_schema=False, tags=["pages"])


def _context(store: StoreDep, who: Principal, project_id: int) -> dict:
    return {**service.overview(store, who, project_id), "today": city_today().isoformat()}


@router.get("/projects/{project_id}/finance")
def finance_page(request: Request, project_id: int, store: StoreDep, user: PageUser
                 ) -> Response:
    who = need_user(request, user)
    return render(request, "finance.html", _context(store, who, project_id), user=who)


@router.get("/projects/{project_id}/finance.xlsx")
def finance_excel(request: Request, project_id: int, store: StoreDep, user: PageUser
                  ) -> Response:
    who = need_user(request, user)
    body = finance_workbook(service.overview(store, who, project_id), user=who.name)
    name = f"landrenew-finance-{project_id}-{city_today():%Y%m%d}.xlsx"
    return Response(body, media_type=XLSX,
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"})


@router.post("/projects/{project_id}/finance/costs")
def finance_add_cost(request: Request, project_id: int, store: StoreDep, user: PageUser,
                     _csrf: CsrfChecked, category: Annotated[str, Form()],
                     amount: Annotated[str, Form()], description: Annotated[str, Form()],
                     evidence_sha256: Annotated[str | None, Form()] = None,
                     document_ref: Annotated[str | None, Form()] = None) -> Response:
    """Add a cost item; htmx gets the ledger back, with the refusal (rule and clause) if any
    (answered 200 so that htmx swaps it in: the refusal is the content)."""
    who = need_user(request, user)
    refusal = None
    try:
        service.add_cost_item(store, who, project_id, {
            "category": category, "amount": amount.strip(), "description": description,
            "evidence_sha256": evidence_sha256 or None, "document_ref": document_ref or None})
    except CostRefused as exc:
        refusal = exc.to_dict()
    return render(request, "partials/finance_costs.html",
                  {**_context(store, who, project_id), "refusal": refusal}, user=who)
