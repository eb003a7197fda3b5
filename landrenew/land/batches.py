"""Survey batches (调查成果批次): submitted → reviewed → accepted, or returned with reasons."""

from __future__ import annotations

from sqlalchemy import select

from landrenew.core import audit
from landrenew.core.errors import Conflict, InputError, NotFound
from landrenew.core.store import Store, utcnow
from landrenew.core.store.models import SurveyBatch

#: Allowed transitions: from status → {action: to status}.
TRANSITIONS: dict[str, dict[str, str]] = {
    "submitted": {"review": "reviewed", "return": "returned"},
    "reviewed": {"accept": "accepted", "return": "returned"},
    "returned": {},
    "accepted": {},
}
STATUS_ZH = {"submitted": "已提交", "reviewed": "已审核", "accepted": "已通过", "returned": "已退回"}


def list_batches(store: Store) -> list[SurveyBatch]:
    with store.read_session() as session:
        return list(session.scalars(select(SurveyBatch).order_by(SurveyBatch.id)))


def decide(store: Store, name: str, action: str, *, user: str,
           reasons: list[str] | None = None) -> SurveyBatch:
    """Move a batch through its review; returning a batch needs at least one reason."""
    store.ensure_current()
    if action == "return" and not reasons:
        raise InputError("a returned batch needs at least one reason", field="reason")
    with store.session() as session:
        batch = session.scalar(select(SurveyBatch).where(SurveyBatch.name == name))
        if batch is None:
            raise NotFound(f"no survey batch '{name}'", field="batch")
        allowed = TRANSITIONS[batch.status]
        if action not in allowed:
            raise Conflict(f"batch '{name}' is {batch.status}; it cannot be '{action}'ed "
                           f"(allowed: {', '.join(allowed) or 'none'})", field="status")
        before = batch.status
        batch.status = allowed[action]
        now = utcnow()
        if action == "review":
            batch.reviewed_by, batch.reviewed_at = user, now
        else:
            batch.decided_by, batch.decided_at = user, now
        if reasons:
            batch.reasons = [*(batch.reasons or []), *reasons]
        audit.record(session, actor=user, action=f"batch_{action}", entity_type="survey_batch",
                     entity_id=name, reason="; ".join(reasons or []) or None,
                     before={"status": before}, after={"status": batch.status})
        session.flush()
        session.expunge(batch)
        return batch
