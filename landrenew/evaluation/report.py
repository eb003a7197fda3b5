"""Writing results and statistics: the output format follows the file extension."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd

from landrenew.core import sheets
from landrenew.core.errors import InputError
from landrenew.evaluation.statistics import HEADERS_ZH

RESULT_FORMATS = (".gpkg", ".geojson", ".parquet", ".csv", ".xlsx")
EXCEL_MAX_ROWS = 1_048_575


def write_result(result: gpd.GeoDataFrame, path: str | Path) -> Path:
    """Write the per-parcel result (.gpkg, .geojson, .parquet, .csv with WKT, .xlsx)."""
    p = Path(path)
    ext = p.suffix.lower()
    if ext not in RESULT_FORMATS:
        raise InputError(f"unknown output format {ext!r} (use {', '.join(RESULT_FORMATS)})",
                         file=str(p))
    p.parent.mkdir(parents=True, exist_ok=True)
    if "reasons" in result.columns:  # files hold text: the reasons as JSON, written once here
        result = result.assign(reasons=[json.dumps(list(r), ensure_ascii=False)
                                         for r in result["reasons"]])
    if ext in (".gpkg", ".geojson"):
        if p.exists():
            p.unlink()
        result.to_file(p, engine="pyogrio", layer="evaluation" if ext == ".gpkg" else None,
                       driver="GPKG" if ext == ".gpkg" else "GeoJSON")
    elif ext == ".parquet":
        result.to_parquet(p)
    else:
        frame = pd.DataFrame(result.drop(columns=[result.geometry.name]))
        if ext == ".csv":
            frame["wkt"] = result.geometry.to_wkt().to_numpy()
            sheets.csv_frame(frame).to_csv(p, index=False, encoding="utf-8-sig")
        else:
            if len(frame) > EXCEL_MAX_ROWS:
                raise InputError(f"{len(frame)} rows do not fit in one Excel sheet; use .gpkg, "
                                 ".parquet or .csv", file=str(p))
            sheets.write_frame(frame, p, "evaluation")
    return p


def chinese(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.rename(columns=HEADERS_ZH)


def write_tables(tables: dict[str, pd.DataFrame], path: str | Path) -> list[Path]:
    """Statistics with Chinese headers: one .xlsx with a sheet per table, or one .csv per table
    (``SUMMARY.csv`` for the first, ``SUMMARY_<name>.csv`` for the others)."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    ext = p.suffix.lower()
    if ext == ".xlsx":
        items = [(name, chinese(table)) for name, table in tables.items()]
        sheets.write_frame(items[0][1], p, items[0][0], items[1:])
        return [p]
    if ext != ".csv":
        raise InputError("the summary must be .csv or .xlsx", file=str(p))
    written = []
    for i, (name, table) in enumerate(tables.items()):
        target = p if i == 0 else p.with_name(f"{p.stem}_{name}{p.suffix}")
        sheets.csv_frame(chinese(table)).to_csv(target, index=False, encoding="utf-8-sig")
        written.append(target)
    return written
