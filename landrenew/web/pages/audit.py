"""The audit log (审计日志), for admins: filters by day, user, kind of record and action, a
before/after view of each change, and the same events as an Excel file."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from landrenew.api.deps import PageUser, StoreDep
from landrenew.core.access import PermissionDenied, Principal
from landrenew.core.clock import city_time_text, city_today
from landrenew.core.errors import InputError
from landrenew.core.sheets import write_rows
from landrenew.land import catalogue
from landrenew.web.audit_labels import ACTIONS, ENTITY_TYPES, changes, label
from landrenew.web.pages.common import PAGE_SIZE, XLSX, LoginRequired, need_user
from landrenew.web.render import locale_of, render

router = APIRouter(include_in_schema=False, tags=["pages"])
#: At most this many events go into one Excel file (narrow the filters for more).
MAX_EXPORT = 100_000


def _day(value: str | None, field: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(f"'{value}' is not a day (YYYY-MM-DD)", field=field) from None


def _filters(entity_type: str | None, actor: str | None, action: str | None,
             since: str | None, until: str | None) -> dict[str, Any]:
    return {"entity_type": entity_type or None, "actor": (actor or "").strip() or None,
            "action": action or None, "since": _day(since, "since"),
            "until": _day(until, "until")}


def _events(store: StoreDep, who: Principal, locale: str, filters: dict[str, Any], *,
            limit: int, offset: int) -> tuple[int, list[dict[str, Any]]]:
    total, items = catalogue.list_audit(store, who, limit=limit, offset=offset, **filters)
    for e in items:
        e["entity_label"] = label(ENTITY_TYPES, e["entity_type"], locale)
        e["action_label"] = label(ACTIONS, e["action"], locale)
        e["changes"] = changes(e["before"], e["after"])
    return total, items


@router.get("/audit")
def audit_page(request: Request, store: StoreDep, user: PageUser, entity_type: str | None = None,
               actor: str | None = None, action: str | None = None, since: str | None = None,
               until: str | None = None, page: int = 1) -> Response:
    """The audit trail (审计日志): who, when (Beijing time), what, why, and each changed field
    before and after; administrators only."""
    who = need_user(request, user)
    if page < 1:
        raise InputError("page must be 1 or more", field="page")
    locale = locale_of(request)
    filters = _filters(entity_type, actor, action, since, until)
    total, items = _events(store, who, locale, filters, limit=PAGE_SIZE,
                           offset=(page - 1) * PAGE_SIZE)
    query = {k: v for k, v in {"entity_type": entity_type, "actor": actor, "action": action,
                               "since": since, "until": until}.items() if v}
    return render(request, "audit.html", {
        "items": items, "total": total, "page": page, "pages": max(1, -(-total // PAGE_SIZE)),
        "query": urlencode(query), "entity_type": entity_type or "", "actor": actor or "",
        "action": action or "", "since": since or "", "until": until or "",
        "entity_types": [(code, label(ENTITY_TYPES, code, locale)) for code in ENTITY_TYPES],
        "actions": [(code, label(ACTIONS, code, locale)) for code in ACTIONS]}, user=who)


@router.get("/audit.xlsx")
def audit_excel(request: Request, store: StoreDep, user: PageUser,
                entity_type: str | None = None, actor: str | None = None,
                action: str | None = None, since: str | None = None,
                until: str | None = None) -> Response:
    """The filtered audit trail as an Excel file: one Chinese header row, one change per row."""
    who = need_user(request, user)
    locale = locale_of(request)
    total, items = _events(store, who, locale, _filters(entity_type, actor, action, since, until),
                           limit=MAX_EXPORT, offset=0)
    if total > MAX_EXPORT:
        raise InputError(f"{total} events match; narrow the filters to at most {MAX_EXPORT}",
                         field="since")
    header = ["编号", "时间（北京时间）", "操作人", "操作", "对象类型", "对象", "原因", "字段",
              "修改前", "修改后"]
    rows: list[list[Any]] = []
    for e in items:
        base = [e["id"], city_time_text(e["at"]), e["actor"], e["action_label"],
                e["entity_label"], e["entity_id"], e["reason"]]
        for c in e["changes"] or [{"field": "", "before": None, "after": None}]:
            rows.append([*base, c["field"], _text(c["before"]), _text(c["after"])])
    name = f"landrenew-audit-{city_today():%Y%m%d}.xlsx"
    return Response(write_rows("审计日志", header, rows), media_type=XLSX,
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"})


def _text(value: Any) -> Any:
    """A changed value as one cell: scalars as they are, structures as compact JSON."""
    import json

    if value is None or isinstance(value, str | int | float | bool):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)


__all__ = ["LoginRequired", "PermissionDenied", "router"]
