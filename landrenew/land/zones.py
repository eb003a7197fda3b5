"""Zone layers (管控图层): the three control lines, industrial control line, guideline parcels …

Importing a layer replaces its state: zones matched by ``zone_code`` get a new version when they
changed, new ones are inserted, and zones of that kind missing from the file are recorded as
deleted (``--append`` keeps them). Every zone keeps its history like a parcel.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from sqlalchemy import select
from sqlalchemy.orm import Session

from landrenew.core import audit
from landrenew.core.audit import jsonable
from landrenew.core.errors import InputError, Problem, ValidationFailed
from landrenew.core.spatial import STORAGE_CRS, areas_m2, to_storage
from landrenew.core.store import Store, utcnow
from landrenew.core.store.models import ZoneLayer, ZoneVersion, table_of
from landrenew.core.store.types import rebind_wkb
from landrenew.core.store.versions import as_of_cutoff, current_versions, valid_at, write_versions
from landrenew.land.coordinates import check_extent
from landrenew.land.importing import Progress, no_progress, resolve_projected_crs
from landrenew.land.mapping import load_mapping
from landrenew.land.parcels import content_hash, geometry_columns
from landrenew.land.readers import read_vector
from landrenew.land.report import write_report
from landrenew.land.validate import check_geometry

TABLE = table_of(ZoneVersion)

#: Zone kinds with their Chinese names.
ZONE_KINDS: dict[str, str] = {
    "urban_development_boundary": "城镇开发边界",
    "permanent_basic_farmland": "永久基本农田",
    "ecological_redline": "生态保护红线",
    "industrial_control_line": "工业用地控制线",
    "guideline_parcel": "详细规划导则地块",
    "detailed_plan_unit": "详细规划单元",
    "geological_hazard": "地质灾害隐患点/区",
    "reserved_land": "留白用地",
}
ZONE_FIELDS = ("zone_code", "kind", "name")


@dataclass
class ZoneImportReport:
    file: str
    rows_read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    kinds: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    report_path: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "rows_read": self.rows_read, "inserted": self.inserted,
                "updated": self.updated, "unchanged": self.unchanged, "deleted": self.deleted,
                "kinds": self.kinds, "problems": len(self.problems)}


def check_kind(kind: str, file: str | None = None, row: Any = None) -> str:
    if kind not in ZONE_KINDS:
        raise InputError(f"unknown zone kind '{kind}'; known: {', '.join(ZONE_KINDS)}",
                         file=file, row=row, field="kind")
    return kind


def import_zones(store: Store, path: str | Path, *, kind: str | None = None, user: str,
                 mapping: str | None = None, crs: str | None = None, encoding: str | None = None,
                 layer: str | None = None, append: bool = False, strict_geometry: bool = False,
                 reason: str | None = None, report: str | None = None,
                 projected_crs: str | None = None, progress: Progress = no_progress) -> ZoneImportReport:
    store.ensure_current()
    file = str(path)
    read = read_vector(path, crs=crs, encoding=encoding, layer=layer)
    gdf = load_mapping(mapping, ZONE_FIELDS).apply(read.gdf)
    out = ZoneImportReport(file=file, rows_read=len(gdf))
    problems: list[Problem] = []
    if kind:
        check_kind(kind, file)
        gdf["kind"] = kind
    elif "kind" not in gdf.columns:
        raise InputError("give --kind KIND or a 'kind' column", file=file, field="kind")
    kinds = gdf["kind"].astype("string").str.strip()
    unknown = kinds.isna() | ~kinds.isin(list(ZONE_KINDS))
    for label in gdf.index[unknown.to_numpy()]:
        problems.append(Problem(file, int(label), "kind", "unknown_zone_kind",
                                f"unknown zone kind '{kinds[label]}'; known: {', '.join(ZONE_KINDS)}"))
    gdf["kind"] = kinds
    if "zone_code" in gdf.columns:
        codes = gdf["zone_code"].astype("string").str.strip()
    else:
        codes = pd.Series([f"{k}-{i}" for k, i in zip(kinds, gdf.index, strict=True)],
                          index=gdf.index, dtype="string")
    dup = codes.notna() & pd.DataFrame({"k": kinds, "c": codes}).duplicated(keep=False)
    for label in gdf.index[dup.to_numpy()]:
        problems.append(Problem(file, int(label), "zone_code", "duplicate_code",
                                f"zone code '{codes[label]}' appears more than once"))
    gdf["zone_code"] = codes
    geo = check_geometry(gdf, file, strict=strict_geometry)
    problems += geo.problems
    # a zone layer may reach beyond the city (a province's red line): its CRS's area only
    problems += check_extent(np.asarray(geo.frame.geometry.values), list(gdf.index), gdf.crs,
                             file, None)[0]
    out.problems = problems
    if any(p.severity == "error" for p in problems):
        if report:
            out.report_path = write_report(problems, report)
        listed = f"; see {out.report_path}" if out.report_path else ""
        raise ValidationFailed(f"{sum(p.severity == 'error' for p in problems)} problems, nothing "
                               f"stored{listed}", problems, file=file)
    _store_zones(store, geo.frame, read.path, out, user=user, append=append, reason=reason,
                 projected_crs=projected_crs, progress=progress)
    return out


def _store_zones(store: Store, gdf: gpd.GeoDataFrame, source: Path, out: ZoneImportReport, *,
                 user: str, append: bool, reason: str | None, projected_crs: str | None,
                 progress: Progress) -> None:
    now = utcnow()
    stored = to_storage(gpd.GeoDataFrame(gdf.drop(columns=[gdf.geometry.name]),
                                         geometry=gdf.geometry.values, crs=gdf.crs))
    geoms = shapely.normalize(np.asarray(stored.geometry.values))
    extra_cols = [c for c in stored.columns if c not in (*ZONE_FIELDS, stored.geometry.name)]
    with store.session() as session:
        crs = resolve_projected_crs(session, projected_crs,
                                    tuple(shapely.total_bounds(geoms)), user)
        rows = pd.DataFrame({
            "zone_code": stored["zone_code"].to_numpy(dtype=object),
            "kind": stored["kind"].to_numpy(dtype=object),
            "name": (stored["name"].astype(object).where(stored["name"].notna(), None).to_numpy()
                     if "name" in stored.columns else None),
            "attributes": [({k: jsonable(v) for k, v in r.items() if jsonable(v) is not None}
                            or None) for r in stored[extra_cols].to_dict("records")]
            if extra_cols else None,
            "area_m2": areas_m2(geoms, STORAGE_CRS, crs),
        })
        rows = pd.concat([rows, geometry_columns(geoms, store.caps)], axis=1)
        rows["content_hash"] = content_hash(rows, ("zone_code", "kind", "name", "attributes", "geom"))
        for kind in sorted(rows["kind"].unique()):
            _ensure_layer(session, kind, source, int((rows["kind"] == kind).sum()), user, now)
        out.kinds = sorted(rows["kind"].unique().tolist())
        prev = current_versions(session, TABLE, ["kind", "zone_code"], rows[["kind", "zone_code"]])
        key = pd.MultiIndex.from_frame(rows[["kind", "zone_code"]])
        prev_i = prev.set_index(["kind", "zone_code"]).reindex(key) if len(prev) else \
            pd.DataFrame(index=key, columns=["id", "version", "content_hash", "is_deleted"])
        is_new = prev_i["id"].isna().to_numpy()
        was_deleted = prev_i["is_deleted"].fillna(False).astype(bool).to_numpy()
        same = ~is_new & ~was_deleted & (prev_i["content_hash"].to_numpy() ==
                                         rows["content_hash"].to_numpy())
        rows["version"] = np.where(is_new, 1, prev_i["version"].fillna(0).to_numpy() + 1).astype(int)
        rows["operation"] = np.where(is_new | was_deleted, "insert", "update")
        write = ~same
        progress("write", 0, int(write.sum()))
        write_versions(session, store.caps, TABLE, rows[write].reset_index(drop=True), now=now,
                       user=user, reason=reason or f"import {source.name}",
                       previous=prev_i[write & ~is_new].reset_index())
        out.inserted = int((write & (is_new | was_deleted)).sum())
        out.updated = int((write & ~is_new & ~was_deleted).sum())
        out.unchanged = int(same.sum())
        if not append:
            out.deleted = _delete_missing(session, store, out.kinds, rows, now, user,
                                          reason or f"not in {source.name}")
        audit.record(session, actor=user, action="import_zones", entity_type="zone_file",
                     entity_id=source.name, reason=reason, after=out.as_dict())
        progress("write", int(write.sum()), int(write.sum()))


def _ensure_layer(session: Session, kind: str, source: Path, count: int, user: str,
                  now: dt.datetime) -> None:
    layer = session.get(ZoneLayer, kind)
    if layer is None:
        session.add(ZoneLayer(kind=kind, name=ZONE_KINDS[kind], source=str(source),
                              imported_at=now, imported_by=user, feature_count=count))
        session.flush()
    else:
        layer.source, layer.imported_at, layer.imported_by = str(source), now, user
        layer.feature_count = count


def _delete_missing(session: Session, store: Store, kinds: list[str], rows: pd.DataFrame,
                    now: dt.datetime, user: str, reason: str) -> int:
    """Record a deletion version for every current zone of these kinds absent from the file."""
    present = set(zip(rows["kind"], rows["zone_code"], strict=True))
    gone = [z for z in session.scalars(select(ZoneVersion).where(
        ZoneVersion.kind.in_(kinds), ZoneVersion.valid_to.is_(None),
        ZoneVersion.is_deleted.is_(False))) if (z.kind, z.zone_code) not in present]
    if not gone:
        return 0
    cols = ["zone_code", "kind", "name", "attributes", "area_m2", "geom", "minx", "miny",
            "maxx", "maxy", "content_hash"]
    frame = pd.DataFrame([{c: getattr(z, c) for c in cols} for z in gone])
    frame["geom"] = rebind_wkb(frame["geom"].to_numpy(), store.caps)
    frame["version"] = [z.version + 1 for z in gone]
    frame["operation"] = "delete"
    frame["is_deleted"] = True
    previous = pd.DataFrame({"id": [z.id for z in gone]})
    write_versions(session, store.caps, TABLE, frame, now=now, user=user, reason=reason,
                   previous=previous)
    return len(gone)


def iter_zones(store: Store, *, kinds: list[str] | None = None,
               as_of: dt.date | dt.datetime | None = None,
               chunk: int = 50_000) -> Iterator[gpd.GeoDataFrame]:
    stmt = select(TABLE).where(valid_at(TABLE, as_of_cutoff(as_of)), TABLE.c.is_deleted.is_(False))
    if kinds:
        stmt = stmt.where(TABLE.c.kind.in_(kinds))
    stmt = stmt.order_by(TABLE.c.kind, TABLE.c.zone_code)
    names = [c.name for c in TABLE.columns]
    with store.engine.connect() as conn:
        for part in conn.execution_options(stream_results=True).execute(stmt).partitions(chunk):
            df = pd.DataFrame([tuple(r) for r in part], columns=names)
            geoms = shapely.from_wkb(df["geom"].to_numpy())
            yield gpd.GeoDataFrame(df.drop(columns=["geom"]), geometry=geoms, crs=STORAGE_CRS)


def read_zones(store: Store, **kwargs: Any) -> gpd.GeoDataFrame:
    parts = list(iter_zones(store, **kwargs))
    if not parts:
        names = [c.name for c in TABLE.columns if c.name != "geom"]
        return gpd.GeoDataFrame(columns=names, geometry=[], crs=STORAGE_CRS)
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
