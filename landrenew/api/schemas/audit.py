"""The audit trail (审计日志)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from landrenew.api.schemas.instant import Instant


class AuditEventPublic(BaseModel):
    id: int
    at: Instant
    actor: str
    action: str
    entity_type: str
    entity_id: str | None
    reason: str | None
    before: Any
    after: Any
