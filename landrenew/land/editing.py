"""Editing one parcel (地块变更): every change is a new version with who, when and why."""

from __future__ import annotations

from typing import Any

import pandas as pd
import shapely
from sqlalchemy import select

from landrenew.core import audit
from landrenew.core.errors import InputError, NotFound, ValidationFailed
from landrenew.core.spatial import STORAGE_CRS, areas_m2
from landrenew.core.store import Store, get_setting, utcnow
from landrenew.core.store.columns import check_columns
from landrenew.core.store.models import ParcelVersion
from landrenew.core.store.types import rebind_wkb
from landrenew.core.store.versions import write_versions
from landrenew.land import parcels as P
from landrenew.land.fields import ATTRIBUTE_FIELDS, CANONICAL
from landrenew.land.validate import check_attributes


def _current(session: Any, code: str) -> ParcelVersion:
    row = session.scalar(select(ParcelVersion).where(ParcelVersion.parcel_code == code,
                                                     ParcelVersion.valid_to.is_(None)))
    if row is None or row.is_deleted:
        raise NotFound(f"no current parcel '{code}'", field="parcel_code")
    return row


def _snapshot(row: ParcelVersion) -> dict[str, Any]:
    return {n: getattr(row, n) for n in (*CANONICAL, "attributes", "area_m2", "version")}


def update_parcel(store: Store, code: str, changes: dict[str, Any], *, user: str, reason: str,
                  geometry: shapely.Geometry | None = None) -> dict[str, Any]:
    """Change attributes (and optionally the geometry, in EPSG:4490) of one parcel."""
    if not reason or not reason.strip():
        raise InputError("a reason is required for every change", field="reason")
    unknown = [k for k in changes if k not in ATTRIBUTE_FIELDS]
    if unknown:
        raise InputError(f"unknown or read-only field(s) {unknown}; changeable: "
                         f"{', '.join(ATTRIBUTE_FIELDS)}", field=unknown[0])
    check_columns(ParcelVersion, changes)
    checked = check_attributes(pd.DataFrame([changes], index=pd.Index(["body"])), "request")
    if checked.errors:
        raise ValidationFailed(checked.errors[0].message, checked.problems)
    store.ensure_current()
    now = utcnow()
    with store.session() as session:
        row = _current(session, code)
        before = _snapshot(row)
        values = {n: getattr(row, n) for n in CANONICAL}
        for name in changes:
            v = checked.frame.at["body", name]
            values[name] = None if v is pd.NA or (isinstance(v, float) and v != v) else v
        geom = shapely.from_wkb(row.geom) if geometry is None else shapely.normalize(geometry)
        area = row.area_m2
        if geometry is not None:
            crs = get_setting(session, "projected_crs")
            if crs is None:
                raise InputError("the city has no projected CRS yet; import data first")
            area = float(areas_m2([geometry], STORAGE_CRS, crs)[0])
        frame = P.storage_frame(pd.DataFrame([values]), shapely.from_wkb([shapely.to_wkb(geom)]),
                                [area], [row.attributes], store.caps)
        frame["batch_id"] = row.batch_id
        frame["content_hash"] = P.content_hash(frame)
        if frame["content_hash"].iloc[0] == row.content_hash:
            return {"changed": False, "version": row.version}
        frame["version"] = row.version + 1
        frame["operation"] = "update"
        write_versions(session, store.caps, P.TABLE, frame, now=now, user=user, reason=reason,
                       previous=pd.DataFrame({"id": [row.id]}))
        after = {**before, **{k: values[k] for k in changes}, "version": row.version + 1}
        audit.record(session, actor=user, action="update", entity_type="parcel", entity_id=code,
                     reason=reason, before=before, after=after)
        new_version = row.version + 1  # read before commit: ``row`` is expired afterwards
    return {"changed": True, "version": new_version}


def delete_parcel(store: Store, code: str, *, user: str, reason: str) -> int:
    """Record the parcel as deleted (the deletion is a version; nothing is lost)."""
    if not reason or not reason.strip():
        raise InputError("a reason is required to delete a parcel", field="reason")
    store.ensure_current()
    now = utcnow()
    with store.session() as session:
        row = _current(session, code)
        values = {c.name: getattr(row, c.name) for c in P.TABLE.columns
                  if c.name not in ("id", *P.STAMP_COLUMNS)}
        frame = pd.DataFrame([values])
        frame["geom"] = rebind_wkb([row.geom], store.caps)
        frame["version"] = row.version + 1
        frame["operation"] = "delete"
        frame["is_deleted"] = True
        write_versions(session, store.caps, P.TABLE, frame, now=now, user=user, reason=reason,
                       previous=pd.DataFrame({"id": [row.id]}))
        audit.record(session, actor=user, action="delete", entity_type="parcel", entity_id=code,
                     reason=reason, before=_snapshot(row))
        return row.version + 1
