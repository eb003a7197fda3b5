"""Audit trail (审计留痕): every write records who, when, what, why, before and after."""

from __future__ import annotations

import datetime as dt
import decimal
import json
from typing import Any

from sqlalchemy.orm import Session

from landrenew.core.store.engine import utcnow
from landrenew.core.store.models import AuditEvent


def jsonable(value: Any) -> Any:
    """Make a value safe for a JSON column (dates as ISO, Decimal as string, NaN as null)."""
    if value is None:
        return None
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, bytes):
        return None
    if isinstance(value, float) and value != value:
        return None
    if hasattr(value, "item"):  # numpy scalar
        return jsonable(value.item())
    try:
        json.dumps(value)
    except TypeError:
        return str(value)
    return value


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    entity_type: str,
    entity_id: str | None = None,
    reason: str | None = None,
    before: Any = None,
    after: Any = None,
) -> AuditEvent:
    event = AuditEvent(
        at=utcnow(),
        actor=actor,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        reason=reason,
        before=jsonable(before),
        after=jsonable(after),
    )
    session.add(event)
    return event
