"""Which evaluation run is published (已发布的认定批次): the one read by the map, the tiles, the
parcel cards, the lists, the dashboard by default and the public. Set by
:mod:`landrenew.evaluation.publishing`; a run never shows anywhere until it is published."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from landrenew.core.store.models import PublishedRun

PUBLISHED = PublishedRun.__table__


def published_run_id(conn: Connection) -> int | None:
    """The run of the newest publication, or None when no run was ever published."""
    return conn.scalar(select(PUBLISHED.c.run_id).order_by(PUBLISHED.c.id.desc()).limit(1))


def publication(conn: Connection) -> dict[str, Any] | None:
    """The newest publication (run, when, by whom, why), or None."""
    row = conn.execute(select(PUBLISHED).order_by(PUBLISHED.c.id.desc()).limit(1)).first()
    return dict(row._mapping) if row is not None else None
