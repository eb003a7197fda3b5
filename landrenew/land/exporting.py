"""Exporting (数据导出) for QGIS and Excel: GeoPackage, Shapefile, GeoJSON, GeoParquet, Excel, CSV.

The format follows the file extension. Shapefile field names are cut to 10 characters (the
canonical fields as GDAL cuts them, so the built-in ``shapefile`` mapping reads them back); the
mapping is written beside the file (``OUT.mapping.yaml``) and works as ``--mapping`` on re-import.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
import yaml
from openpyxl import Workbook
from pyproj import CRS

from landrenew.core import sheets
from landrenew.core.errors import InputError
from landrenew.core.store import Store
from landrenew.land.fields import CANONICAL, COMPUTED_LABELS_ZH, FIELDS_BY_NAME
from landrenew.land.importing import Progress, no_progress
from landrenew.land.mapping import shapefile_name
from landrenew.land.parcels import count_parcels, iter_parcels
from landrenew.land.zones import ZONE_KINDS, iter_zones

PARCEL_EXPORT_COLUMNS = (*CANONICAL, "area_m2", "area_mu", "area_ha", "version", "valid_from")


@dataclass
class ExportReport:
    path: str
    format: str
    count: int
    area_mu: float
    extra_files: list[str]


Parts = Iterator[gpd.GeoDataFrame]
OnPart = Callable[[int], None]
#: A writer: the parts of a layer into one file → (features, 亩, extra files written beside).
Writer = Callable[[Parts, Path, OnPart], tuple[int, float, list[str]]]


def format_of(path: str | Path) -> str:
    """The writer's name (the file's suffix), or a refusal naming the known ones."""
    suffix = Path(path).suffix.lower()
    if suffix not in WRITERS:
        raise InputError(f"unknown export format {suffix!r}; use one of {', '.join(WRITERS)}",
                         file=str(path))
    return suffix


def _flatten(frame: gpd.GeoDataFrame, columns: tuple[str, ...]) -> gpd.GeoDataFrame:
    """Canonical columns first, extra attributes as their own columns, plain types for files."""
    out = frame[[c for c in columns if c in frame.columns]].copy()
    if "building_year" in out.columns:
        out["building_year"] = pd.array(out["building_year"], dtype="Int64")
    for name in [c for c in CANONICAL if FIELDS_BY_NAME[c].kind == "date" and c in out.columns]:
        days = pd.to_datetime(out[name]).to_numpy(dtype="datetime64[D]")
        out[name] = np.array(days.tolist(), dtype=object)  # datetime.date → a Date field
    attrs = frame["attributes"] if "attributes" in frame.columns else pd.Series(dtype=object)
    if attrs.notna().any():
        extras = pd.json_normalize(attrs.map(lambda a: a or {}).tolist())
        extras.index = frame.index
        extras = extras[[c for c in extras.columns if c not in columns]]
        out = pd.concat([out, extras], axis=1)
    return gpd.GeoDataFrame(out, geometry=frame.geometry.values, crs=frame.crs)


def shapefile_names(columns: list[str]) -> dict[str, str]:
    """Unique ≤ 10-byte field names for a Shapefile (dBASE), keeping short names as they are.

    A canonical field gets the name GDAL would cut it to (``parcel_cod``), which the built-in
    ``shapefile`` mapping reads back; any other long name is cut to 8 bytes and numbered."""
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for name in [c for c in columns if c in CANONICAL]:
        mapping[name] = shapefile_name(name)
        used.add(mapping[name])
    for name in [c for c in columns if c not in CANONICAL]:
        if len(name.encode("utf-8")) <= 10 and name not in used:
            short = name
        else:
            base = name.encode("utf-8")[:8].decode("utf-8", errors="ignore")
            short, n = base, 1
            while short in used:
                short = f"{base[: 10 - len(str(n)) - 1]}_{n}"
                n += 1
        used.add(short)
        mapping[name] = short
    return {name: mapping[name] for name in columns}


def _write(parts: Parts, path: Path, fmt: str, on_part: OnPart) -> tuple[int, float, list[str]]:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.unlink()
    return WRITERS[fmt](parts, path, on_part)


def _whole(parts: Parts) -> tuple[gpd.GeoDataFrame, int, float]:
    """Every part in one frame (formats written in one go), its count and 亩."""
    frames = list(parts)
    frame = pd.concat(frames, ignore_index=True) if frames else gpd.GeoDataFrame()
    count = len(frame)
    return frame, count, float(np.nansum(frame["area_mu"])) if count else 0.0


def write_parquet(parts: Parts, path: Path, on_part: OnPart) -> tuple[int, float, list[str]]:
    frame, count, area_mu = _whole(parts)
    gpd.GeoDataFrame(frame, geometry="geometry", crs=4490).to_parquet(path)
    on_part(count)
    return count, area_mu, []


def write_csv(parts: Parts, path: Path, on_part: OnPart) -> tuple[int, float, list[str]]:
    """CSV with a ``wkt`` column, lon/lat in EPSG:4490 — said in a ``.prj`` beside it (the CSV
    reader reads it back)."""
    frame, count, area_mu = _whole(parts)
    table = pd.DataFrame(frame.drop(columns="geometry")) if count else pd.DataFrame()
    table["wkt"] = shapely.to_wkt(frame.geometry.values, rounding_precision=-1) if count else []
    sheets.csv_frame(table).to_csv(path, index=False, encoding="utf-8-sig")
    prj = path.with_suffix(".prj")
    prj.write_text(CRS.from_epsg(4490).to_wkt(), encoding="utf-8")
    on_part(count)
    return count, area_mu, [str(prj)]


def write_xlsx(parts: Parts, path: Path, on_part: OnPart) -> tuple[int, float, list[str]]:
    frame, count, area_mu = _whole(parts)
    _write_excel(pd.DataFrame(frame.drop(columns="geometry")) if count else pd.DataFrame(), path)
    on_part(count)
    return count, area_mu, []


def ogr_writer(driver: str) -> Writer:
    """A writer through GDAL, part by part (a Shapefile also gets its short-name mapping)."""

    def write(parts: Parts, path: Path, on_part: OnPart) -> tuple[int, float, list[str]]:
        count, area_mu, extra = 0, 0.0, []
        shp_map: dict[str, str] | None = None
        for i, part in enumerate(parts):
            if driver == "ESRI Shapefile":
                if shp_map is None:
                    shp_map = shapefile_names([c for c in part.columns if c != "geometry"])
                part = part.rename(columns=shp_map)
            kwargs: dict[str, Any] = {"driver": driver, "append": i > 0}
            if driver == "ESRI Shapefile":
                kwargs["encoding"] = "UTF-8"
            if driver == "GPKG":
                kwargs["layer"] = path.stem
            pyogrio.write_dataframe(part, path, **kwargs)
            count += len(part)
            area_mu += float(np.nansum(part.get("area_mu", pd.Series(dtype=float))))
            on_part(len(part))
        if shp_map is not None:
            mapping_file = path.with_suffix(".mapping.yaml")
            mapping_file.write_text(yaml.safe_dump(
                {"fields": {v: k for k, v in shp_map.items() if v != k}}, allow_unicode=True,
                sort_keys=False), encoding="utf-8")
            extra.append(str(mapping_file))
        return count, area_mu, extra

    return write


#: Writers by suffix (导出格式); a deployment may add its own.
WRITERS: dict[str, Writer] = {
    ".gpkg": ogr_writer("GPKG"),
    ".shp": ogr_writer("ESRI Shapefile"),
    ".geojson": ogr_writer("GeoJSON"),
    ".json": ogr_writer("GeoJSON"),
    ".parquet": write_parquet,
    ".xlsx": write_xlsx,
    ".csv": write_csv,
}


def _write_excel(frame: pd.DataFrame, path: Path) -> None:
    """The parcels sheet and a sheet naming every field; text cells stay text."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("parcels")
    columns = list(frame.columns)
    sheets.append(ws, columns)
    for row in frame.itertuples(index=False, name=None):
        sheets.append(ws, [excel_value(v) for v in row])
    legend = wb.create_sheet("字段说明 fields")
    sheets.append(legend, ["字段 field", "中文名称", "English"])
    for c in columns:
        spec = FIELDS_BY_NAME.get(c)
        zh = spec.label_zh if spec else COMPUTED_LABELS_ZH.get(c, "")
        sheets.append(legend, [c, zh, spec.label_en if spec else c])
    wb.save(path)


def excel_value(value: Any) -> Any:
    """A value as an Excel cell takes it (no NaN, numpy or pandas types; JSON as text)."""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Decimal):
        return float(value)
    return sheets.cell_value(value)


def export_parcels(store: Store, out: str | Path, *, as_of: dt.date | None = None,
                   district: str | None = None, progress: Progress = no_progress) -> ExportReport:
    store.ensure_current()
    path = Path(out)
    fmt = format_of(path)
    total = count_parcels(store, as_of=as_of, district=district)
    done = [0]

    def on_part(n: int) -> None:
        done[0] += n
        progress("export", done[0], total)

    parts = (_flatten(p, PARCEL_EXPORT_COLUMNS)
             for p in iter_parcels(store, as_of=as_of, district=district))
    progress("export", 0, total)
    count, area_mu, extra = _write(parts, path, fmt, on_part)
    return ExportReport(str(path), fmt, count, area_mu, extra)


def export_zones(store: Store, out: str | Path, *, kinds: list[str] | None = None,
                 as_of: dt.date | None = None, progress: Progress = no_progress) -> ExportReport:
    store.ensure_current()
    path = Path(out)
    fmt = format_of(path)
    for k in kinds or []:
        if k not in ZONE_KINDS:
            raise InputError(f"unknown zone kind '{k}'", field="kind")
    columns = ("zone_code", "kind", "name", "area_m2", "area_mu", "version", "valid_from")

    def parts() -> Iterator[gpd.GeoDataFrame]:
        for p in iter_zones(store, kinds=kinds, as_of=as_of):
            p["area_mu"] = p["area_m2"] * 15 / 10000
            yield _flatten(p, columns)

    count, area_mu, extra = _write(parts(), path, fmt, lambda n: progress("export", n, n))
    return ExportReport(str(path), fmt, count, area_mu, extra)
