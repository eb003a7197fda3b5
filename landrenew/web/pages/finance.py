"""The money page of a consolidation project (土地整备资金): the cost ledger, the fund-balance
study with its sensitivity table, the storage-fee settlement and each disbursement step by step,
a form for each of them, and the Excel workbook of all of it.

Amounts are typed as staff write them (``12,345.60``, ``12.5万元``, or a unit chosen beside the
field); evidence is a file whose SHA-256 the server computes. A refused form comes back with the
message beside its field and everything typed kept (422); a stored one goes back to the page.
A disbursement form carries a one-time key, so that sending it twice pays once."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from landrenew.api.deps import CsrfChecked, PageUser, StoreDep
from landrenew.core.access import Principal
from landrenew.core.clock import city_today
from landrenew.core.errors import Conflict, InputError, LandrenewError
from landrenew.finance import service
from landrenew.finance.costs import CostRefused
from landrenew.finance.money import parse_amount_text
from landrenew.finance.reports import finance_workbook
from landrenew.web.pages.common import XLSX, need_user
from landrenew.web.render import render

router = APIRouter(include_in_schema=False, tags=["pages"])
#: The largest evidence file hashed from a form (the file itself is not kept here).
MAX_EVIDENCE = 64 * 2**20


def _context(store: StoreDep, who: Principal, project_id: int) -> dict[str, Any]:
    return {**service.overview(store, who, project_id), "today": city_today().isoformat(),
            "pay_key": uuid.uuid4().hex, "form": None, "typed": {}, "error": None}


def _page(request: Request, store: StoreDep, who: Principal, project_id: int, *,
          form: str | None = None, typed: dict[str, Any] | None = None,
          error: LandrenewError | None = None) -> Response:
    context = _context(store, who, project_id)
    if form is not None:
        context.update(form=form, typed=typed or {},
                       error={"field": error.field, "message": error,
                              "code": error.code} if error else None)
    return render(request, "finance.html", context, user=who,
                  status_code=422 if error is not None else 200)


def _stored(project_id: int, anchor: str) -> Response:
    return RedirectResponse(f"/projects/{project_id}/finance#{anchor}", status_code=303)


def _amount(text: str | None, unit: str, field: str, *, required: bool = True) -> str | None:
    if not (text or "").strip():
        if required:
            raise InputError("give an amount", field=field, code="not_a_number")
        return None
    return str(parse_amount_text(text or "", unit=unit, field=field))


async def evidence_hash(upload: UploadFile | None) -> tuple[str | None, str | None]:
    """The SHA-256 of an uploaded evidence file and its name (none when no file was chosen)."""
    if upload is None or not upload.filename:
        return None, None
    digest = hashlib.sha256()
    size = 0
    while chunk := await upload.read(2**20):
        size += len(chunk)
        if size > MAX_EVIDENCE:
            raise InputError(f"the evidence file exceeds {MAX_EVIDENCE // 2**20} MiB",
                             field="evidence")
        digest.update(chunk)
    return digest.hexdigest(), upload.filename


@router.get("/projects/{project_id}/finance")
def finance_page(request: Request, project_id: int, store: StoreDep, user: PageUser
                 ) -> Response:
    who = need_user(request, user)
    return _page(request, store, who, project_id)


@router.get("/projects/{project_id}/finance.xlsx")
def finance_excel(request: Request, project_id: int, store: StoreDep, user: PageUser
                  ) -> Response:
    who = need_user(request, user)
    body = finance_workbook(service.overview(store, who, project_id), user=who.name)
    name = f"landrenew-finance-{project_id}-{city_today():%Y%m%d}.xlsx"
    return Response(body, media_type=XLSX,
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"})


@router.post("/projects/{project_id}/finance/costs")
async def finance_add_cost(request: Request, project_id: int, store: StoreDep, user: PageUser,
                           _csrf: CsrfChecked, category: Annotated[str, Form()],
                           amount: Annotated[str, Form()], description: Annotated[str, Form()],
                           unit: Annotated[str, Form()] = "yuan",
                           evidence: Annotated[UploadFile | None, File()] = None,
                           document_ref: Annotated[str | None, Form()] = None) -> Response:
    """Add a cost item; htmx gets the ledger back, with the refusal (rule and clause) or the
    field's error if any (answered 200 so that htmx swaps it in: the refusal is the content)."""
    who = need_user(request, user)
    typed = {"category": category, "amount": amount, "unit": unit,
             "description": description, "document_ref": document_ref or ""}
    refusal = error = None
    try:
        sha, filename = await evidence_hash(evidence)
        service.add_cost_item(store, who, project_id, {
            "category": category, "amount": _amount(amount, unit, "amount"),
            "description": description, "evidence_sha256": sha,
            "document_ref": (document_ref or "").strip() or filename})
        typed = {}
    except CostRefused as exc:
        refusal = exc.to_dict()
    except InputError as exc:
        error = {"field": exc.field, "message": exc, "code": exc.code}
    return render(request, "partials/finance_costs.html",
                  {**_context(store, who, project_id), "refusal": refusal,
                   "cost_error": error, "cost_typed": typed}, user=who)


@router.post("/projects/{project_id}/finance/fund-balance")
def finance_fund_balance(request: Request, project_id: int, store: StoreDep, user: PageUser,
                         _csrf: CsrfChecked, compensation: Annotated[str, Form()] = "",
                         resettlement_construction: Annotated[str, Form()] = "",
                         other_costs: Annotated[str, Form()] = "",
                         financing_cost: Annotated[str, Form()] = "",
                         unit: Annotated[str, Form()] = "wan",
                         supply_area_m2: Annotated[str, Form()] = "",
                         far: Annotated[str, Form()] = "",
                         floor_price: Annotated[str, Form()] = "") -> Response:
    """The fund-balance study (资金平衡初步方案): costs in 元 or 万元, the land to supply, the
    floor-area ratio and the expected floor price (元/m²)."""
    who = need_user(request, user)
    typed = {"compensation": compensation, "resettlement_construction": resettlement_construction,
             "other_costs": other_costs, "financing_cost": financing_cost, "unit": unit,
             "supply_area_m2": supply_area_m2, "far": far, "floor_price": floor_price}
    try:
        values: dict[str, Any] = {
            name: _amount(typed[name], unit, name)
            for name in ("compensation", "resettlement_construction", "other_costs",
                         "financing_cost")}
        for name in ("supply_area_m2", "far", "floor_price"):
            text = typed[name].replace(",", "").replace("，", "").strip()
            if not text:
                raise InputError("this figure is needed", field=name, code="missing")
            values[name] = text
        service.study_fund_balance(store, who, project_id, values)
    except (InputError, Conflict) as exc:
        return _page(request, store, who, project_id, form="fund_balance", typed=typed,
                     error=exc)
    return _stored(project_id, "fund-balance-section")


@router.post("/projects/{project_id}/finance/storage-fee")
def finance_storage_fee(request: Request, project_id: int, store: StoreDep, user: PageUser,
                        _csrf: CsrfChecked, service_rate: Annotated[str, Form()] = "",
                        audited_cost: Annotated[str, Form()] = "",
                        unit: Annotated[str, Form()] = "yuan",
                        reward_amount: Annotated[str, Form()] = "",
                        milestones: Annotated[str, Form()] = "") -> Response:
    """The storage-fee settlement (收储费用核算): the audited cost (blank: the cost ledger's
    total), the plan's service-fee rate, any reward, and the payment milestones, one per line:
    ``name, share (30% or 1/3), due``."""
    who = need_user(request, user)
    typed = {"service_rate": service_rate, "audited_cost": audited_cost, "unit": unit,
             "reward_amount": reward_amount, "milestones": milestones}
    try:
        values: dict[str, Any] = {
            "service_rate": service_rate.strip() or None,
            "audited_cost": _amount(audited_cost, unit, "audited_cost", required=False),
            "reward_amount": _amount(reward_amount, unit, "reward_amount", required=False)}
        plan = milestone_lines(milestones)
        if plan:
            values["milestones"] = plan
        service.settle_storage_fee(store, who, project_id, values)
    except (InputError, Conflict) as exc:
        return _page(request, store, who, project_id, form="storage_fee", typed=typed,
                     error=exc)
    return _stored(project_id, "storage-fee-section")


def milestone_lines(text: str) -> list[dict[str, Any]]:
    """Payment milestones typed one per line: ``name, share, due`` (commas or tabs, as pasted
    from Excel); a line's problem names the line."""
    out = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.replace("\t", ",").replace("，", ",").split(",")]
        if len(parts) < 2 or not parts[0] or not parts[1]:
            raise InputError(f"line {number}: write the milestone as name, share, due (e.g. "
                             "交储后, 30%, 2026-06-30)", field="milestones", row=number)
        out.append({"name": parts[0], "share": parts[1],
                    "due": parts[2] if len(parts) > 2 and parts[2] else None})
    return out


@router.post("/projects/{project_id}/finance/disbursements")
def finance_disbursement(request: Request, project_id: int, store: StoreDep, user: PageUser,
                         _csrf: CsrfChecked, revenue: Annotated[str, Form()] = "",
                         unit: Annotated[str, Form()] = "yuan",
                         loan_principal: Annotated[str, Form()] = "",
                         loan_interest: Annotated[str, Form()] = "",
                         sold_on: Annotated[str, Form()] = "",
                         pay_key: Annotated[str, Form()] = "") -> Response:
    """A disbursement (资金拨付) of one land sale; what was already paid is read from the money
    ledger. The form's one-time key makes a second sending of the same form the same payment."""
    who = need_user(request, user)
    typed = {"revenue": revenue, "unit": unit, "loan_principal": loan_principal,
             "loan_interest": loan_interest, "sold_on": sold_on}
    try:
        values: dict[str, Any] = {
            "revenue": _amount(revenue, unit, "revenue"),
            "loan_principal": _amount(loan_principal, unit, "loan_principal",
                                      required=False) or "0",
            "loan_interest": _amount(loan_interest, unit, "loan_interest",
                                     required=False) or "0"}
        if sold_on.strip():
            try:
                values["sold_on"] = dt.date.fromisoformat(sold_on.strip())
            except ValueError:
                raise InputError(f"'{sold_on}' is not a day (YYYY-MM-DD)",
                                 field="sold_on") from None
        service.record_disbursement(store, who, project_id, values,
                                    idempotency_key=pay_key.strip() or None)
    except (InputError, Conflict) as exc:
        return _page(request, store, who, project_id, form="disbursement", typed=typed,
                     error=exc)
    return _stored(project_id, "disbursements-section")
