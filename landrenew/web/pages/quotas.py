"""Quota ledger pages (指标台账): balances by kind and holder with a sparkline of each account's
history, the year's ring-fence (planned, allocated, used, left), an account's entries with its
balance after each, a form per movement, and the ledger as the bureau's Excel workbook. Thin HTTP
over :mod:`landrenew.quotas.service` and :mod:`landrenew.quotas.views`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from landrenew.api.deps import CsrfChecked, PageUser, StoreDep
from landrenew.core.access import require_write
from landrenew.core.clock import city_today
from landrenew.core.errors import InputError, LandrenewError
from landrenew.quotas import service, views
from landrenew.quotas.accounts import ANNUAL, KINDS, MOVEMENTS
from landrenew.quotas.rules import SHAPES
from landrenew.web.pages.common import XLSX, need_user, t
from landrenew.web.render import locale_of, render

router = APIRouter(include_in_schema=False, tags=["pages"])
FIELDS = ("kind", "from", "to", "mu", "movement", "year", "project", "on", "reason", "evidence",
          "village_waived", "area_mu")


def mu_text(value: Any) -> str:
    """An amount of 亩 with separators and no trailing zeros (1,000.5)."""
    try:
        d = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    text = format(d, ",f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def spark(points: list[str], width: int = 96, height: int = 20) -> str:
    """The SVG polyline points of a sparkline (empty for fewer than two points)."""
    values = [float(Decimal(p)) for p in points]
    if len(values) < 2:
        return ""
    low, high = min(*values, 0.0), max(*values, 0.0)
    span = (high - low) or 1.0
    step = width / (len(values) - 1)
    return " ".join(f"{i * step:.1f},{height - (v - low) / span * height:.1f}"
                    for i, v in enumerate(values))


def _day(value: str | None, field: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(f"'{value}' is not a date (YYYY-MM-DD)", field=field) from None


def _names(locale: str, table: dict[str, tuple[str, str]]) -> dict[str, str]:
    return {k: v[1 if locale == "en" else 0] for k, v in table.items()}


@router.get("/quotas")
def quotas_page(request: Request, store: StoreDep, user: PageUser, kind: str | None = None,
                on: str | None = None) -> Response:
    """Balances by kind and holder (with sparklines) and each year's ring-fence."""
    who = need_user(request, user)
    locale = locale_of(request)
    day = _day(on, "on")
    rows = views.balance_list(store, who, kind=kind or None, on=day)
    lines = views.sparklines(store, who, kind=kind or None, on=day)
    for r in rows:
        key = f"{r['kind']}/{r['holder']}" + (f"/{r['year']}" if r["year"] else "")
        r["spark"] = spark(lines.get(key, []))
        r["kind_text"] = KINDS[r["kind"]][1 if locale == "en" else 0]
    fences = views.ring_fence_years(store, who) if who.scope is None else []
    return render(request, "quotas.html", {
        "rows": rows, "fences": fences, "kinds": _names(locale, KINDS),
        "movements": _names(locale, MOVEMENTS), "mu": mu_text,
        "filters": {"kind": kind or "", "on": on or ""}}, user=who)


@router.get("/quotas/account")
def account_page(request: Request, store: StoreDep, user: PageUser, kind: str = "",
                 holder: str = "", year: int | None = None) -> Response:
    """An account's entries, oldest first, with its balance after each; without an account
    named, the balances to choose one from."""
    who = need_user(request, user)
    if not (kind and holder):
        return RedirectResponse("/quotas", status_code=303)
    locale = locale_of(request)
    if year is not None and not 1990 <= year <= 2200:
        raise InputError(f"year {year} is out of range", field="year")
    total, items = views.entry_list(store, who, kind=kind, holder=holder, year=year,
                                    limit=10_000)
    return render(request, "quota_account.html", {
        "items": items, "total": total, "kind": kind, "holder": holder, "year": year,
        "kind_text": KINDS.get(kind, (kind, kind))[1 if locale == "en" else 0],
        "holder_text": next((e["to_name"] if e["to"] == holder else e["from_name"]
                             for e in items), views.holder_name(holder)), "mu": mu_text,
        "movements": _names(locale, MOVEMENTS)}, user=who)


def _form_context(locale: str, movement: str, values: dict[str, str]) -> dict[str, Any]:
    takes, gives = SHAPES[movement]
    return {"movement": movement, "movement_text": MOVEMENTS[movement][1 if locale == "en"
                                                                         else 0],
            "movements": _names(locale, MOVEMENTS), "kinds": _names(locale, KINDS),
            "annual": sorted(ANNUAL), "takes": sorted(takes), "gives": sorted(gives),
            "values": {"on": city_today().isoformat(), **values}, "result": None,
            "offset": None, "error": None, "mu": mu_text}


@router.get("/quotas/move")
def move_form(request: Request, user: PageUser, movement: str = "allocate") -> Response:
    """The form of one movement (下达计划、分配、使用、转让 …)."""
    who = need_user(request, user)
    require_write(who)
    if movement not in MOVEMENTS:
        raise InputError(f"unknown movement '{movement}' (known: {', '.join(MOVEMENTS)})",
                         field="movement")
    return render(request, "quota_move.html",
                  _form_context(locale_of(request), movement, {"movement": movement}), user=who)


@router.post("/quotas/move")
async def move_submit(request: Request, store: StoreDep, user: PageUser,
                      _csrf: CsrfChecked) -> Response:
    """Book the form's movement; the entry, or the refusal in words, comes back on the form."""
    who = need_user(request, user)
    require_write(who)
    locale = locale_of(request)
    form = await request.form()
    values = {k: str(form.get(k) or "").strip() for k in FIELDS}
    movement = values["movement"] if values["movement"] in MOVEMENTS else "allocate"
    context = _form_context(locale, movement, values)
    try:
        year = int(values["year"]) if values["year"] else None
        project = int(values["project"]) if values["project"] else None
    except ValueError:
        context["error"] = {"message": t(locale, "Year and project are whole numbers."),
                            "field": "year"}
        return render(request, "quota_move.html", context, user=who)
    try:
        if movement == "offset" and values["area_mu"]:
            context["offset"] = service.offset_legacy(
                store, who, values["from"], values["area_mu"], on=_day(values["on"], "on"),
                reason=values["reason"] or None)
            return render(request, "quota_move.html", context, user=who)
        context["result"] = service.move(
            store, who, values["kind"], values["from"], values["to"], values["mu"], movement,
            reason=values["reason"], year=year, project=project, on=_day(values["on"], "on"),
            evidence=values["evidence"] or None,
            village_waived=values["village_waived"] in ("on", "true", "1"))
    except LandrenewError as exc:
        if exc.status in (401, 403):
            raise
        context["error"] = {"message": exc, "field": exc.field,
                            "account": getattr(exc, "account", None),
                            "clause": getattr(exc, "clause", None)}
    return render(request, "quota_move.html", context, user=who)


@router.get("/quotas.xlsx")
def quotas_excel(request: Request, store: StoreDep, user: PageUser, kind: str | None = None,
                 on: str | None = None) -> Response:
    """The ledger the user sees as the bureau's Excel workbook."""
    who = need_user(request, user)
    data = views.export(store, who, kind=kind or None, on=_day(on, "on"))
    name = f"指标台账-{city_today():%Y%m%d}.xlsx"
    return Response(data, media_type=XLSX, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"})
