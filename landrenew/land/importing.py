"""Importing parcel surveys (成果入库): read → map → check → version → store, all or nothing.

The default refuses the whole file when one row is refused (nothing is stored, every problem is
reported); ``partial`` stores the good rows and reports the rest. Re-importing a known
``parcel_code`` writes a new version when anything changed and nothing when nothing did.

The checks: each row's values (:mod:`.validate`), its coordinates within the file's CRS and the
city (:mod:`.coordinates`), Excel formula cells (:mod:`.readers`), the columns no field takes
(kept as extra attributes, each named in a warning), and — for a district officer — that no
parcel of the file belongs to another district, before anything is compared
(:mod:`.import_checks`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from sqlalchemy import select
from sqlalchemy.orm import Session

from landrenew.core import audit
from landrenew.core.errors import InputError, Problem, ValidationFailed
from landrenew.core.spatial import (
    STORAGE_CRS,
    areas_m2,
    parse_crs,
    projected_crs_for_bounds,
    to_storage,
)
from landrenew.core.store import Store, get_setting, put_setting, utcnow
from landrenew.core.store.models import SurveyBatch
from landrenew.core.store.versions import current_versions, write_versions
from landrenew.core.units import m2_to_mu
from landrenew.land import import_checks as checks
from landrenew.land import parcels as P
from landrenew.land.fields import CANONICAL
from landrenew.land.mapping import FieldMapping, load_mapping
from landrenew.land.readers import ReadResult, read_any
from landrenew.land.report import write_report
from landrenew.land.validate import check_attributes, check_codes_unique, check_geometry, row_label
from landrenew.land.visibility import public_attributes

Progress = Callable[[str, int, int], None]


#: The names a mapping may map to: the canonical fields, and the computed columns it drops.
TARGETS = (*CANONICAL, *P.COMPUTED_COLUMNS)


@dataclass
class ImportOptions:
    #: A mapping file, or a mapping already resolved (a saved or built-in one).
    mapping: str | FieldMapping | None = None
    #: How the import report names the mapping used (a saved mapping's name and version).
    mapping_label: str | None = None
    #: The name the user knows the file by (an upload's own name, not its temporary path).
    source_name: str | None = None
    crs: str | None = None
    encoding: str | None = None
    layer: str | None = None
    batch: str | None = None
    partial: bool = False
    strict_geometry: bool = False
    attributes: str | None = None  # an Excel/CSV sheet joined to the file by parcel_code
    reason: str | None = None
    report: str | None = None  # where to write the problem report (.csv or .json)


@dataclass
class ImportReport:
    file: str
    rows_read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: int = 0
    problems: list[Problem] = field(default_factory=list)
    batch: str | None = None
    stored: bool = False
    projected_crs: str | None = None
    area_mu: float = 0.0
    report_path: str | None = None
    mapping: str | None = None

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file, "rows_read": self.rows_read, "inserted": self.inserted,
            "updated": self.updated, "unchanged": self.unchanged, "refused": self.refused,
            "errors": len(self.errors), "warnings": len(self.warnings), "batch": self.batch,
            "stored": self.stored, "projected_crs": self.projected_crs,
            "area_mu": round(self.area_mu, 4), "report_path": self.report_path,
            "mapping": self.mapping,
        }


def no_progress(_: str, __: int, ___: int) -> None:
    """The :data:`Progress` callback that reports nothing."""
    return None


def resolve_projected_crs(session: Session, configured: str | None,
                          bounds: tuple[float, float, float, float], user: str) -> CRS:
    """The city's projected CRS for areas: the setting, else the stored one, else from the extent.

    A CRS chosen from the extent is kept in the database so that every later area of the city is
    computed in the same zone.
    """
    if configured:
        return parse_crs(configured)  # type: ignore[return-value]
    stored = get_setting(session, "projected_crs")
    if stored:
        return parse_crs(stored)  # type: ignore[return-value]
    crs = projected_crs_for_bounds(bounds)
    put_setting(session, "projected_crs", f"EPSG:{crs.to_epsg()}", user)
    return crs


def _check(frame: pd.DataFrame, has_geometry: bool, file: str, strict_geometry: bool
           ) -> tuple[pd.DataFrame, gpd.GeoDataFrame | None, list[Problem], np.ndarray]:
    """All row checks; returns typed attributes, repaired geometry, problems, refused mask."""
    frame = frame.copy()
    frame["parcel_code"] = frame["parcel_code"].map(checks.code_text)
    codes = check_codes_unique(frame, file)
    attrs = check_attributes(frame, file)
    problems = codes.problems + attrs.problems
    refused = codes.refused | attrs.refused
    geo = None
    if has_geometry:
        geom_check = check_geometry(frame, file, strict=strict_geometry)
        geo = geom_check.frame
        problems += geom_check.problems
        refused |= geom_check.refused
    checked = attrs.frame
    checked["parcel_code"] = frame["parcel_code"].to_numpy()
    return checked, geo, problems, refused


def _attribute_update_rows(store: Store, checked: pd.DataFrame, present: list[str], file: str
                           ) -> tuple[pd.DataFrame, list[Problem], np.ndarray]:
    """For an attribute-only file: merge the given fields into each parcel's current version."""
    codes = [c for c in checked["parcel_code"] if c is not None]
    current = P.read_parcels(store, codes=codes) if codes else P.to_frame([])
    current = current.set_index("parcel_code")
    problems: list[Problem] = []
    unknown = ~checked["parcel_code"].isin(current.index).to_numpy()
    for label in checked.index[unknown & checked["parcel_code"].notna().to_numpy()]:
        problems.append(Problem(file, int(label), "parcel_code", "unknown_parcel",
                                f"'{checked.at[label, 'parcel_code']}' is not in the database; "
                                "an attribute sheet can only update known parcels"))
    merged = current.reindex(checked["parcel_code"]).reset_index()
    merged.index = checked.index
    for name in present:
        if name in checked.columns and name != "parcel_code":
            merged[name] = checked[name].to_numpy()
    return merged, problems, unknown


def import_parcels(store: Store, path: str | Path, options: ImportOptions | None = None, *,
                   user: str, projected_crs: str | None = None,
                   progress: Progress = no_progress,
                   districts: tuple[str, ...] | None = None) -> ImportReport:
    """Import a parcel survey file (or an attribute sheet for known parcels).

    ``districts``: the districts the importing user is limited to (``None``: the whole city);
    a file naming a parcel of another district is refused (403) before anything is compared."""
    options = options or ImportOptions()
    store.ensure_current()
    file = options.source_name or str(path)
    report = ImportReport(file=file, batch=options.batch, mapping=_mapping_label(options))
    progress("read", 0, 1)
    read = read_any(path, crs=options.crs, encoding=options.encoding, layer=options.layer)
    mapping = load_mapping(options.mapping, TARGETS)
    frame = mapping.apply(read.frame, chinese=True)
    frame = frame.drop(columns=[c for c in P.COMPUTED_COLUMNS if c in frame.columns])
    report.rows_read = len(frame)
    progress("read", 1, 1)
    with store.read_session() as session:
        public = public_attributes(session)
    problems = checks.renamed(read.problems, str(read.path), file)
    problems += checks.unmapped_warnings(frame, file, public)
    if options.attributes:
        sheet = read_any(options.attributes, encoding=options.encoding)
        frame, join_problems = checks.join_attributes(frame, sheet, file, str(sheet.path),
                                                      mapping, public)
        problems += join_problems
    P.require_codes(frame, file)
    progress("check", 0, 1)
    checked, geo, row_problems, refused = _check(frame, read.has_geometry, file,
                                                 options.strict_geometry)
    problems += row_problems
    present = [c for c in CANONICAL if c in frame.columns]
    with store.session() as session:
        if geo is not None:
            extent_problems, outside = checks.check_coordinates(session, geo, file)
            problems += extent_problems
            refused |= outside
            problems += checks.assign_districts(session, geo, checked, file)
        if districts is not None:
            checks.refuse_foreign(session, checked, refused | _refused_by(problems, file,
                                                                          checked.index),
                                  districts)
    if read.has_geometry:
        merged = checked
    else:
        merged, update_problems, unknown = _attribute_update_rows(store, checked, present, file)
        problems += update_problems
        refused |= unknown
    refused |= _refused_by(problems, file, checked.index)
    report.problems = problems
    report.refused = int(refused.sum())
    progress("check", 1, 1)
    if report.errors and (not options.partial or refused.all()):
        if options.report:
            report.report_path = write_report(problems, options.report)
        listed = f"; every problem is listed in {report.report_path}" if report.report_path else ""
        raise ValidationFailed(
            f"{report.refused} of {report.rows_read} rows refused, nothing stored{listed}"
            if not options.partial else f"all {report.rows_read} rows refused{listed}",
            problems, file=file)
    keep = ~refused
    _store_rows(store, read, merged[keep], geo[keep] if geo is not None else None,
                frame[keep], options, report, user, projected_crs, progress)
    if problems and options.report:
        report.report_path = write_report(problems, options.report)
    return report


def _mapping_label(options: ImportOptions) -> str | None:
    if options.mapping_label or options.mapping is None:
        return options.mapping_label
    return options.mapping if isinstance(options.mapping, str) else options.mapping.title


def _refused_by(problems: list[Problem], file: str, index: pd.Index) -> np.ndarray:
    refused_rows = {p.row for p in problems if p.severity == "error" and p.file == file}
    return np.array([row_label(v) in refused_rows for v in index], dtype=bool)


def default_report(path: str | Path) -> str:
    """Where the command line writes an import's problem report unless told: beside the file."""
    p = Path(path)
    return str(p.with_name(f"{p.stem}.import-report.csv"))


def _store_rows(store: Store, read: ReadResult, merged: pd.DataFrame,
                geo: gpd.GeoDataFrame | None, source: pd.DataFrame, options: ImportOptions,
                report: ImportReport, user: str, projected_crs: str | None,
                progress: Progress) -> None:
    now = utcnow()
    with store.session() as session:
        if geo is not None:
            progress("reproject", 0, 1)
            stored_geo = to_storage(gpd.GeoDataFrame(geometry=geo.geometry.values, crs=geo.crs))
            geoms = shapely.normalize(np.asarray(stored_geo.geometry.values))
            bounds = tuple(shapely.total_bounds(np.asarray(geoms)))
            crs = resolve_projected_crs(session, projected_crs, bounds, user)
            area = areas_m2(np.asarray(geoms), STORAGE_CRS, crs)
            rows = P.storage_frame(merged, np.asarray(geoms), area, checks.extras(source),
                                   store.caps)
            report.projected_crs = f"EPSG:{crs.to_epsg()}"
            progress("reproject", 1, 1)
        else:
            rows = P.storage_frame(merged, None, None, list(merged["attributes"]), store.caps)
            kept = merged[["area_m2"]].to_numpy()[:, 0]
            geoms = np.asarray(merged.geometry.values)
            rows["area_m2"] = kept
            rows = pd.concat([rows, P.geometry_columns(geoms, store.caps)], axis=1)
        rows["content_hash"] = P.content_hash(rows)
        previous = current_versions(session, P.TABLE, ["parcel_code"], rows[["parcel_code"]])
        previous = previous.set_index("parcel_code")
        prev = previous.reindex(rows["parcel_code"])
        is_new = prev["id"].isna().to_numpy()
        was_deleted = prev["is_deleted"].fillna(False).astype(bool).to_numpy()
        same = (~is_new & ~was_deleted & (prev["content_hash"].to_numpy() ==
                                          rows["content_hash"].to_numpy()))
        write = ~same
        rows["version"] = np.where(is_new, 1, prev["version"].fillna(0).to_numpy() + 1).astype(int)
        rows["operation"] = np.where(is_new | was_deleted, "insert", "update")
        districts = rows["district_code"].dropna().unique()
        batch = _open_batch(session, options, report.file, int(write.sum()), user, now,
                            districts[0] if len(districts) == 1 else None)
        rows["batch_id"] = batch.id if batch else None
        to_write = rows[write].reset_index(drop=True)
        closing = prev[write & ~is_new].reset_index()
        total = len(to_write)
        progress("write", 0, total)
        done = [0]

        def advance(n: int) -> None:
            done[0] += n
            progress("write", done[0], total)

        write_versions(session, store.caps, P.TABLE, to_write, now=now, user=user,
                       reason=options.reason or f"import {Path(report.file).name}",
                       previous=closing, on_rows=advance)
        report.inserted = int((write & (is_new | was_deleted)).sum())
        report.updated = int((write & ~is_new & ~was_deleted).sum())
        report.unchanged = int(same.sum())
        report.area_mu = float(m2_to_mu(np.nansum(rows["area_m2"].to_numpy(dtype=float))))
        report.stored = True
        audit.record(session, actor=user, action="import_parcels", entity_type="parcel_file",
                     entity_id=Path(report.file).name, reason=options.reason,
                     after={**report.as_dict(), "errors": len(report.errors)})
        progress("write", total, total)


def _open_batch(session: Session, options: ImportOptions, source: str, count: int,
                user: str, now: dt.datetime, district: str | None) -> SurveyBatch | None:
    if not options.batch:
        return None
    existing = session.scalar(select(SurveyBatch).where(SurveyBatch.name == options.batch))
    if existing is not None:
        if existing.status not in ("submitted", "returned"):
            raise InputError(f"survey batch '{options.batch}' is {existing.status}; "
                             "start a new batch for new data", field="batch")
        existing.parcel_count += count
        existing.status = "submitted"
        return existing
    batch = SurveyBatch(name=options.batch, district_code=district, status="submitted",
                        submitted_by=user,
                        submitted_at=now, source_file=source, parcel_count=count,
                        reasons=[])
    session.add(batch)
    session.flush()
    audit.record(session, actor=user, action="submit_batch", entity_type="survey_batch",
                 entity_id=options.batch, after={"status": "submitted", "file": source})
    return batch
