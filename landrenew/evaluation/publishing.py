"""Publishing an evaluation run (发布认定结果): city staff choose the run the map, the parcel
cards, the lists and the public see. A trial run (试算: one pack forced on every parcel, e.g.
another city's standard on this city's data) is never published; each publication is a new row
and an audit event, so what was shown when, by whom and why stays on record."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from landrenew.core import audit
from landrenew.core.access import Principal
from landrenew.core.errors import Conflict, NotFound, PermissionDenied
from landrenew.core.store import Store, utcnow
from landrenew.core.store.models import EvaluationRun, PublishedRun
from landrenew.core.store.published import publication, published_run_id

#: Roles that may publish a run: the city bureau's staff and administrators.
PUBLISHERS = frozenset({"admin", "city_staff"})


def is_trial(run: EvaluationRun | dict[str, Any]) -> bool:
    """Whether a run forced one pack on every parcel (a trial, never published)."""
    summary = run.get("summary") if isinstance(run, dict) else run.summary
    return bool((summary or {}).get("forced"))


def can_publish(user: Principal) -> bool:
    return user.role in PUBLISHERS


def publish_run(store: Store, user: Principal, run_id: int, *, reason: str | None = None
                ) -> dict[str, Any]:
    """Make ``run_id`` the published run; returns the publication. Refused for a role other
    than city staff or administrator, for a trial run, and for the run already published."""
    store.ensure_current()
    if not can_publish(user):
        raise PermissionDenied(f"role '{user.role}' may not publish an evaluation run",
                               field="role")
    with store.session() as session:
        run = session.get(EvaluationRun, run_id)
        if run is None:
            raise NotFound(f"no evaluation run {run_id}", field="run")
        if is_trial(run):
            raise Conflict(f"run {run_id} is a trial (one pack forced on every parcel) and "
                           "cannot be published", field="run")
        before = published_run_id(session.connection())
        if before == run_id:
            raise Conflict(f"run {run_id} is already the published run", field="run")
        row = PublishedRun(run_id=run_id, published_at=utcnow(), published_by=user.name,
                           reason=reason)
        session.add(row)
        audit.record(session, actor=user.name, action="publish", entity_type="evaluation_run",
                     entity_id=str(run_id), reason=reason, before={"published_run": before},
                     after={"published_run": run_id})
        session.flush()
        return {"run_id": run_id, "published_at": row.published_at,
                "published_by": row.published_by, "reason": reason, "previous_run_id": before}


def current_publication(store: Store) -> dict[str, Any] | None:
    """The newest publication (``run_id``, ``published_at``, ``published_by``, ``reason``)."""
    store.ensure_current()
    with store.engine.connect() as conn:
        return publication(conn)


def publications(store: Store) -> list[dict[str, Any]]:
    """Every publication, newest first."""
    store.ensure_current()
    with store.read_session() as session:
        rows = session.scalars(select(PublishedRun).order_by(PublishedRun.id.desc()))
        return [{"run_id": r.run_id, "published_at": r.published_at,
                 "published_by": r.published_by, "reason": r.reason} for r in rows]
