"""Parcels in the store (地块库): building storage rows, writing versions, reading states."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from sqlalchemy import ColumnElement, Integer, Select, TextClause, column, func, select, text
from sqlalchemy.orm import Session

from landrenew.core.errors import InputError, NotFound
from landrenew.core.spatial import STORAGE_CRS
from landrenew.core.store import Store
from landrenew.core.store.capabilities import Capabilities
from landrenew.core.store.frames import convert, raw_select
from landrenew.core.store.models import ParcelVersion, table_of
from landrenew.core.store.types import storage_wkb
from landrenew.core.store.versions import as_of_cutoff, valid_at
from landrenew.core.units import m2_to_ha, m2_to_mu
from landrenew.land.fields import ATTRIBUTE_FIELDS, CANONICAL, FIELDS_BY_NAME

TABLE = table_of(ParcelVersion)
STAMP_COLUMNS = ("version", "valid_from", "valid_to", "changed_by", "reason", "operation",
                 "is_deleted")
#: Columns a file may carry that are computed by landrenew and never read back as attributes.
COMPUTED_COLUMNS = ("area_m2", "area_mu", "area_ha", "version", "valid_from", "valid_to",
                    "changed_by", "reason", "operation", "is_deleted", "batch", "fid",
                    "is_low_efficiency", "categories", "flags", "bbox")


def geometry_columns(geoms: np.ndarray, caps: Capabilities) -> pd.DataFrame:
    """WKB (EWKB with SRID 4490 where the backend wants it) and bounding boxes."""
    bounds = shapely.bounds(geoms)
    return pd.DataFrame({"geom": storage_wkb(geoms, caps), "minx": bounds[:, 0], "miny": bounds[:, 1],
                         "maxx": bounds[:, 2], "maxy": bounds[:, 3]})


def canonical_column(name: str, values: Any) -> Any:
    """One canonical column in its storage dtype: float64, Int64, datetime64 or object/None."""
    kind = FIELDS_BY_NAME[name].kind
    series = pd.Series(values) if not isinstance(values, pd.Series) else values.reset_index(drop=True)
    if kind in ("float", "ratio", "money"):
        return pd.to_numeric(series.map(lambda v: float(v) if isinstance(v, Decimal) else v)
                             if series.dtype == object else series, errors="coerce"
                             ).astype("float64").to_numpy()
    if kind == "int":
        return pd.array(pd.to_numeric(series, errors="coerce").round(), dtype="Int64")
    if kind == "date":
        return pd.to_datetime(series, errors="coerce").to_numpy(dtype="datetime64[ns]")
    obj = series.astype(object).to_numpy()
    mask = pd.isna(series).to_numpy()
    if mask.any():
        obj = obj.copy()
        obj[mask] = None
    return obj


def storage_frame(checked: pd.DataFrame, geoms: np.ndarray | None, area_m2: Any,
                  extras: list[dict[str, Any] | None], caps: Capabilities) -> pd.DataFrame:
    """Rows for ``parcel_versions`` (without the version stamps) from checked attributes."""
    n = len(checked)
    out = pd.DataFrame({name: canonical_column(name, checked[name] if name in checked.columns
                                               else [None] * n) for name in CANONICAL})
    out["attributes"] = extras
    if geoms is not None:
        out["area_m2"] = np.asarray(area_m2, dtype="float64")
        out = pd.concat([out, geometry_columns(geoms, caps)], axis=1)
    return out


def content_hash(rows: pd.DataFrame,
                 columns: tuple[str, ...] = (*CANONICAL, "attributes", "geom")) -> np.ndarray:
    """A digest of a version's content (attributes, extras and geometry) to skip no-op re-imports.

    Computed on the canonical storage dtypes, so the same content always gives the same digest
    whatever file format it came from.
    """
    parts: dict[str, Any] = {}
    for c in columns:
        if c not in rows.columns:
            continue
        col = rows[c]
        if c == "attributes":
            parts[c] = col.map(lambda a: json.dumps(a, sort_keys=True, ensure_ascii=False,
                                                    default=str) if a else "")
        elif col.dtype.kind == "f":
            parts[c] = col.round(9)
        elif col.dtype.kind == "M":
            parts[c] = col.astype("int64")
        elif str(col.dtype) == "Int64":
            parts[c] = col.fillna(-1).astype("int64")
        else:
            parts[c] = col.astype(object).where(col.notna(), "")
    hashed = pd.util.hash_pandas_object(pd.DataFrame(parts), index=False).to_numpy()
    return np.char.mod("%016x", hashed).astype(object)


# ---------------------------------------------------------------- reading

def _parcel_select(store: Store, *, as_of: dt.date | dt.datetime | None, district: str | None,
                   bbox: tuple[float, float, float, float] | None, codes: list[str] | None,
                   include_deleted: bool = False) -> Select:
    cutoff = as_of_cutoff(as_of)
    stmt = raw_select(TABLE).where(valid_at(TABLE, cutoff))
    if not include_deleted:
        stmt = stmt.where(TABLE.c.is_deleted.is_(False))
    if district:
        stmt = stmt.where(TABLE.c.district_code == district)
    if codes is not None:
        stmt = stmt.where(TABLE.c.parcel_code.in_(codes))
    if bbox is not None:
        stmt = stmt.where(bbox_clause(store.caps, bbox))
    return stmt.order_by(TABLE.c.parcel_code)


def bbox_clause(
    caps: Capabilities, bbox: tuple[float, float, float, float] | None = None
) -> ColumnElement[bool] | TextClause:
    """Current versions whose bounding box meets a box: the GiST index on PostGIS, the R*Tree
    on SQLite. Without ``bbox`` the box is given at execution as the parameters ``bminx``,
    ``bminy``, ``bmaxx``, ``bmaxy`` (see :func:`bbox_params`), so that a statement holding it
    can be built once; with ``bbox`` its values are bound here."""
    if caps.spatial_sql:
        box = text("geom && ST_MakeEnvelope(:bminx, :bminy, :bmaxx, :bmaxy, 4490)")
    else:
        box = text("SELECT id FROM parcel_versions_rtree WHERE minx <= :bmaxx AND maxx >= :bminx "
                   "AND miny <= :bmaxy AND maxy >= :bminy")
    if bbox is not None:
        box = box.bindparams(**bbox_params(bbox))
    return box if caps.spatial_sql else TABLE.c.id.in_(box.columns(column("id", Integer)))


def bbox_params(bbox: tuple[float, float, float, float]) -> dict[str, float]:
    """The parameters of :func:`bbox_clause` for ``bbox`` (minx, miny, maxx, maxy)."""
    minx, miny, maxx, maxy = bbox
    return {"bminx": minx, "bminy": miny, "bmaxx": maxx, "bmaxy": maxy}


def to_frame(rows: Sequence[Any], with_geometry: bool = True) -> gpd.GeoDataFrame | pd.DataFrame:
    """Raw stored rows → a frame with canonical columns and the area in m², 亩 and 公顷.

    Dates are ``datetime64``, money and numbers ``float64`` (analysis frames), extras a dict.
    """
    names = [c.name for c in TABLE.columns]
    df = convert(pd.DataFrame([tuple(r) for r in rows], columns=names), TABLE)
    df["area_mu"] = m2_to_mu(df["area_m2"].astype(float))
    df["area_ha"] = m2_to_ha(df["area_m2"].astype(float))
    if not with_geometry:
        return df.drop(columns=["geom"])
    geoms = shapely.from_wkb(df["geom"].to_numpy())
    return gpd.GeoDataFrame(df.drop(columns=["geom"]), geometry=geoms, crs=STORAGE_CRS)


def iter_parcels(store: Store, *, as_of: dt.date | dt.datetime | None = None,
                 district: str | None = None, bbox: tuple[float, float, float, float] | None = None,
                 codes: list[str] | None = None, chunk: int = 100_000,
                 with_geometry: bool = True) -> Iterator[gpd.GeoDataFrame]:
    """Stored parcels in chunks (memory stays flat on a million parcels)."""
    stmt = _parcel_select(store, as_of=as_of, district=district, bbox=bbox, codes=codes)
    with store.engine.connect() as conn:
        result = conn.execution_options(stream_results=True).execute(stmt)
        for part in result.partitions(chunk):
            yield to_frame(part, with_geometry)


def read_parcels(store: Store, **kwargs: Any) -> gpd.GeoDataFrame:
    parts = list(iter_parcels(store, **kwargs))
    if not parts:
        return to_frame([], kwargs.get("with_geometry", True))
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]


def count_parcels(store: Store, *, as_of: dt.date | None = None, district: str | None = None) -> int:
    stmt = _parcel_select(store, as_of=as_of, district=district, bbox=None, codes=None)
    with store.engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0)


def get_parcel(store: Store, code: str, *, as_of: dt.date | None = None) -> gpd.GeoDataFrame:
    frame = read_parcels(store, codes=[code], as_of=as_of)
    if frame.empty:
        when = f" on {as_of}" if as_of else ""
        raise NotFound(f"no parcel '{code}'{when}", field="parcel_code")
    return frame


def parcel_history(session: Session, code: str) -> list[ParcelVersion]:
    versions = list(session.scalars(select(ParcelVersion).where(ParcelVersion.parcel_code == code)
                                    .order_by(ParcelVersion.version)))
    if not versions:
        raise NotFound(f"no parcel '{code}' has ever been stored", field="parcel_code")
    return versions


def changed_fields(before: ParcelVersion | None, after: ParcelVersion) -> list[str]:
    """Names of the attributes (and geometry) that differ between two versions."""
    if before is None:
        return []
    names = [*ATTRIBUTE_FIELDS, "attributes"]
    diff = [n for n in names if getattr(before, n) != getattr(after, n)]
    if before.geom != after.geom:
        diff.append("geometry")
    if before.is_deleted != after.is_deleted:
        diff.append("deleted")
    return diff


def require_codes(frame: pd.DataFrame, file: str) -> None:
    if "parcel_code" not in frame.columns:
        geometry = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None
        names = ", ".join(str(c) for c in frame.columns if c != geometry)
        raise InputError("the file has no 'parcel_code' field: choose a field mapping that "
                         "names it (--mapping; an upload's saved mapping, e.g. 'shapefile' for "
                         f"names cut to 10 characters); the file's fields: {names}",
                         file=file, field="parcel_code")
