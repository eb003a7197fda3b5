"""The checks of an import that read the database or join files (入库检查): the attribute sheet
joined by code, districts from the stored boundaries, coordinates within the city, the columns
no field takes, and whether a district officer's file touches another district's parcels.

Used by :func:`landrenew.land.importing.import_parcels`; the row checks that need nothing but
the file are in :mod:`landrenew.land.validate`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from landrenew.core.access import PermissionDenied
from landrenew.core.audit import jsonable
from landrenew.core.errors import InputError, Problem
from landrenew.core.spatial import STORAGE_CRS
from landrenew.core.store.models import District, ParcelVersion
from landrenew.land import parcels as P
from landrenew.land.coordinates import Bounds, check_extent
from landrenew.land.fields import CANONICAL
from landrenew.land.mapping import FieldMapping
from landrenew.land.readers import ReadResult
from landrenew.land.validate import check_codes_unique, row_label


def code_text(value: Any) -> str | None:
    """A parcel code as text (``1001.0`` read from Excel is ``1001``), ``None`` when blank."""
    if value is None or value is pd.NA or value is pd.NaT or (
            isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def renamed(problems: Iterable[Problem], path: str, name: str) -> list[Problem]:
    """The problems of the file at ``path`` under the name the user knows it by."""
    return [replace(p, file=name) if p.file == path else p for p in problems]


def frame_geometry(frame: pd.DataFrame) -> str | None:
    return frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None


def extra_columns(frame: pd.DataFrame) -> list[str]:
    """The columns no canonical field takes: kept as the parcel's extra attributes."""
    return [c for c in frame.columns if c not in CANONICAL and c != frame_geometry(frame)
            and c not in P.COMPUTED_COLUMNS]


def unmapped_warnings(frame: pd.DataFrame, file: str, public: frozenset[str]) -> list[Problem]:
    """A warning per column kept as an extra attribute, saying who will see it."""
    out = []
    for column in extra_columns(frame):
        seen = ("declared public: everyone sees it" if column in public else
                "shown only to roles that see sensitive values (not declared public)")
        out.append(Problem(file, None, str(column), "unmapped_column",
                           f"column '{column}' matches no canonical field and is kept as an extra "
                           f"attribute, {seen}; map it to a field if it is one", "warning"))
    return out


def extras(frame: pd.DataFrame) -> list[dict[str, Any] | None]:
    """Each row's extra attributes (JSON-safe, blanks left out), ``None`` when it has none."""
    extra_cols = extra_columns(frame)
    if not extra_cols:
        return [None] * len(frame)
    records = frame[extra_cols].to_dict("records")
    out: list[dict[str, Any] | None] = []
    for rec in records:
        clean = {k: jsonable(v) for k, v in rec.items()}
        clean = {k: v for k, v in clean.items() if v is not None}
        out.append(clean or None)
    return out


def join_attributes(frame: pd.DataFrame, sheet: ReadResult, file: str, sheet_name: str,
                    mapping: FieldMapping, public: frozenset[str]
                    ) -> tuple[pd.DataFrame, list[Problem]]:
    """Join an attribute sheet (Excel) to the geometry file by parcel_code; a sheet row refused
    while reading (a formula without a value) is left out and its problem reported."""
    attrs = mapping.apply(sheet.frame, chinese=True)
    if "parcel_code" not in attrs.columns:
        raise InputError("the attribute sheet has no 'parcel_code' column", file=sheet_name,
                         field="parcel_code")
    problems = renamed(sheet.problems, str(sheet.path), sheet_name)
    problems += unmapped_warnings(attrs.drop(columns=[c for c in P.COMPUTED_COLUMNS
                                                      if c in attrs.columns]), sheet_name, public)
    refused_rows = {p.row for p in problems if p.severity == "error"}
    attrs = attrs[[row_label(v) not in refused_rows for v in attrs.index]]
    attrs["parcel_code"] = attrs["parcel_code"].map(code_text)
    problems += check_codes_unique(attrs, sheet_name).problems
    known = set(frame["parcel_code"].dropna().astype(str))
    unknown = attrs["parcel_code"].notna() & ~attrs["parcel_code"].isin(known)
    for label in attrs.index[unknown.to_numpy()]:
        problems.append(Problem(sheet_name, int(label), "parcel_code", "unknown_parcel",
                                f"'{attrs.at[label, 'parcel_code']}' is not a parcel of {file}"))
    attrs = attrs[~unknown & ~attrs["parcel_code"].duplicated(keep=False)]
    attrs = attrs.set_index("parcel_code")
    joined = frame.copy()
    key = joined["parcel_code"].map(code_text)
    for column in attrs.columns:
        values = key.map(attrs[column])
        if column in joined.columns:
            joined[column] = values.where(values.notna(), joined[column])
        else:
            joined[column] = values
    return joined, problems


def assign_districts(session: Session, gdf: gpd.GeoDataFrame, checked: pd.DataFrame,
                     file: str) -> list[Problem]:
    """Fill a missing district_code from the stored district boundaries; refuse unknown codes."""
    rows = session.execute(select(District.code, District.boundary)).all()
    if not rows:
        return []
    codes = [r[0] for r in rows]
    problems: list[Problem] = []
    if "district_code" not in checked.columns:
        checked["district_code"] = None
    # a writable copy; a missing code may be None or NaN (pandas ≥ 3 ``str`` columns)
    current = checked["district_code"].to_numpy(dtype=object).copy()
    missing = pd.isna(checked["district_code"]).to_numpy()
    current[missing] = None
    if missing.any():
        boundaries = gpd.GeoDataFrame({"code": codes},
                                      geometry=shapely.from_wkb([r[1] for r in rows]),
                                      crs=STORAGE_CRS)
        points = gpd.GeoDataFrame(geometry=gdf.geometry[missing].representative_point(),
                                  crs=gdf.crs).to_crs(STORAGE_CRS)
        found = gpd.sjoin(points, boundaries, how="left", predicate="within")
        found = found[~found.index.duplicated(keep="first")]
        current[missing] = found["code"].reindex(points.index).to_numpy(dtype=object)
        current = np.array([None if (c is None or c != c) else c for c in current], dtype=object)
        checked["district_code"] = current
    unknown = np.array([c is not None and c not in codes for c in current])
    for label in checked.index[unknown]:
        problems.append(Problem(file, int(label) if str(label).isdigit() else label,
                                "district_code", "unknown_district",
                                f"'{checked.at[label, 'district_code']}' is not a district of the city"
                                f" ({', '.join(codes)})"))
    return problems


def city_extent(session: Session) -> Bounds | None:
    """The extent (EPSG:4490) of the stored district boundaries, ``None`` before any is stored."""
    box = session.execute(select(func.min(District.minx), func.min(District.miny),
                                 func.max(District.maxx), func.max(District.maxy))).one()
    minx, miny, maxx, maxy = box
    if minx is None or miny is None or maxx is None or maxy is None:
        return None
    return (float(minx), float(miny), float(maxx), float(maxy))


def check_coordinates(session: Session, gdf: gpd.GeoDataFrame, file: str
                      ) -> tuple[list[Problem], np.ndarray]:
    """Rows outside their CRS's area of use or outside the city (:mod:`.coordinates`)."""
    return check_extent(np.asarray(gdf.geometry.values), list(gdf.index), gdf.crs, file,
                        city_extent(session))


def refuse_foreign(session: Session, checked: pd.DataFrame, refused: np.ndarray,
                   scope: tuple[str, ...]) -> None:
    """Refuse (403) a file of a district officer naming a parcel of another district: stored
    there (the current or deleted last version), or put there by the file.

    Checked before any value is compared with the stored one, so a dry run answers the same
    whether or not the file's values match another district's (sensitive) ones."""
    codes = [c for c in checked["parcel_code"].tolist() if c is not None]
    outside: set[str] = set()
    for start in range(0, len(codes), 500):
        part = codes[start:start + 500]
        stored = session.execute(select(ParcelVersion.parcel_code, ParcelVersion.district_code)
                                 .where(ParcelVersion.parcel_code.in_(part),
                                        ParcelVersion.valid_to.is_(None)))
        outside |= {code for code, district in stored if district not in scope}
    if "district_code" in checked.columns:
        for code, district, bad in zip(checked["parcel_code"], checked["district_code"], refused,
                                       strict=True):
            if code is not None and not bad and (district is None or district != district
                                                 or district not in scope):
                outside.add(code)
    if outside:
        listed = sorted(outside)
        raise PermissionDenied(
            f"{len(listed)} parcel(s) are outside your districts ({', '.join(scope)}), "
            f"e.g. {', '.join(listed[:5])}; nothing was stored", field="district_code")
