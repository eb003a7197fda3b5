"""The audit trail (审计日志), administrators only."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter

from landrenew.api.deps import AdminUser, PageDep, StoreDep
from landrenew.api.schemas import AuditEventPublic, Page
from landrenew.land import catalogue

router = APIRouter(prefix="/api/audit", tags=["audit"])


@router.get("", response_model=Page[AuditEventPublic])
def list_audit(store: StoreDep, admin: AdminUser, page: PageDep,
               entity_type: str | None = None, entity_id: str | None = None,
               actor: str | None = None, action: str | None = None,
               since: dt.date | None = None, until: dt.date | None = None
               ) -> Page[AuditEventPublic]:
    """Audit events, newest first; ``since``/``until`` are days in Beijing time (included)."""
    total, items = catalogue.list_audit(store, admin, entity_type=entity_type,
                                        entity_id=entity_id, actor=actor, action=action,
                                        since=since, until=until, limit=page.limit,
                                        offset=page.offset)
    return Page(total=total, limit=page.limit, offset=page.offset,
                items=[AuditEventPublic(**i) for i in items])
