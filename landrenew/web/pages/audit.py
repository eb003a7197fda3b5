"""The audit log (审计日志), for admins."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from landrenew.api.deps import PageUser, StoreDep
from landrenew.core.access import PermissionDenied
from landrenew.core.errors import InputError
from landrenew.land import catalogue
from landrenew.web.pages.common import PAGE_SIZE, LoginRequired, need_user
from landrenew.web.render import render

router = APIRouter(include_in_schema=False, tags=["pages"])


@router.get("/audit")
def audit_page(request: Request, store: StoreDep, user: PageUser, entity_type: str | None = None,
               actor: str | None = None, page: int = 1) -> Response:
    """The audit trail (审计日志): who, when, what, before and after; administrators only."""
    who = need_user(request, user)
    if page < 1:
        raise InputError("page must be 1 or more", field="page")
    total, items = catalogue.list_audit(store, who, entity_type=entity_type or None,
                                        actor=actor or None, limit=PAGE_SIZE,
                                        offset=(page - 1) * PAGE_SIZE)
    return render(request, "audit.html", {
        "items": items, "total": total, "page": page, "pages": max(1, -(-total // PAGE_SIZE)),
        "entity_type": entity_type or "", "actor": actor or ""}, user=who)


__all__ = ["LoginRequired", "PermissionDenied", "router"]

