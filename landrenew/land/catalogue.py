"""Districts, zones and the audit trail for the platform (行政区、管控图层、审计日志)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select

from landrenew.core import places
from landrenew.core.access import Principal, require_admin
from landrenew.core.clock import day_start_utc
from landrenew.core.errors import InputError
from landrenew.core.store import Store
from landrenew.core.store.models import AuditEvent, District, ZoneVersion
from landrenew.core.store.versions import box_overlaps
from landrenew.core.units import area_triplet
from landrenew.land.zones import ZONE_KINDS

BBox = tuple[float, float, float, float]


def _city(code: str) -> dict[str, str | None]:
    """The city a district lies in (GB/T 2260), with its name."""
    try:
        city = places.city_of(code)
    except InputError:
        return {"city_code": None, "city_name": None}
    return {"city_code": city, "city_name": places.place_name(city)}


def list_districts(store: Store, user: Principal, *, limit: int = 100, offset: int = 0
                   ) -> tuple[int, list[dict[str, Any]]]:
    """The city's districts; district staff see only their own."""
    store.ensure_current()
    stmt = select(District).order_by(District.code)
    if user.scope is not None:
        stmt = stmt.where(District.code.in_(user.scope))
    with store.read_session() as session:
        total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        rows = session.scalars(stmt.limit(limit).offset(offset)).all()
        items = [{"code": d.code, "name": d.name, **_city(d.code),
                  **area_triplet(d.area_m2 or 0.0),
                  "bbox": [d.minx, d.miny, d.maxx, d.maxy] if d.minx is not None else None}
                 for d in rows]
    return int(total), items


def list_zones(store: Store, user: Principal, *, kind: str | None = None,
               kinds: list[str] | None = None, bbox: BBox | None = None, limit: int = 100,
               offset: int = 0) -> tuple[int, list[dict[str, Any]]]:
    """Current zones (管控图层要素); planning layers are city-wide and not district-scoped.
    ``kinds`` keeps only those kinds (the public layers, for the public)."""
    store.ensure_current()
    z = ZoneVersion
    stmt = select(z).where(z.valid_to.is_(None), z.is_deleted.is_(False))
    if kind:
        if kind not in ZONE_KINDS:
            raise InputError(f"unknown zone kind '{kind}'; known: {', '.join(ZONE_KINDS)}",
                             field="kind")
        stmt = stmt.where(z.kind == kind)
    if kinds is not None:
        stmt = stmt.where(z.kind.in_(kinds))
    if bbox is not None:
        stmt = stmt.where(box_overlaps(z, bbox))
    with store.read_session() as session:
        total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        rows = session.scalars(stmt.order_by(z.kind, z.zone_code).limit(limit).offset(offset))
        items = [{"zone_code": r.zone_code, "kind": r.kind, "kind_name": ZONE_KINDS.get(r.kind),
                  "name": r.name, **area_triplet(r.area_m2 or 0.0), "version": r.version,
                  "valid_from": r.valid_from,
                  "bbox": [r.minx, r.miny, r.maxx, r.maxy] if r.minx is not None else None}
                 for r in rows]
    return int(total), items


def list_audit(store: Store, user: Principal, *, entity_type: str | None = None,
               entity_id: str | None = None, actor: str | None = None,
               action: str | None = None, since: dt.date | None = None,
               until: dt.date | None = None, limit: int = 100,
               offset: int = 0) -> tuple[int, list[dict[str, Any]]]:
    """The audit trail (审计日志), newest first; administrators only. ``since`` and ``until``
    are days in the city (Beijing time), both included."""
    require_admin(user)
    store.ensure_current()
    if since and until and until < since:
        raise InputError("the end day is before the start day", field="until")
    stmt = select(AuditEvent)
    if entity_type:
        stmt = stmt.where(AuditEvent.entity_type == entity_type)
    if entity_id:
        stmt = stmt.where(AuditEvent.entity_id == entity_id)
    if actor:
        stmt = stmt.where(AuditEvent.actor == actor)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    if since:
        stmt = stmt.where(AuditEvent.at >= day_start_utc(since))
    if until:
        stmt = stmt.where(AuditEvent.at < day_start_utc(until + dt.timedelta(days=1)))
    with store.read_session() as session:
        total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        rows = session.scalars(stmt.order_by(AuditEvent.id.desc()).limit(limit).offset(offset))
        items = [{"id": e.id, "at": e.at, "actor": e.actor, "action": e.action,
                  "entity_type": e.entity_type, "entity_id": e.entity_id, "reason": e.reason,
                  "before": e.before, "after": e.after} for e in rows]
    return int(total), items
