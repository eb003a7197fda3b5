"""Checking survey rows (数据质检) before anything is stored. Pure: frames in, frames out.

Each problem names the file, the row (feature id / line / sheet row) and the field. Errors
refuse the row; warnings (a repaired geometry, a date order that looks wrong) are reported only.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from landrenew.core.clock import city_today
from landrenew.core.errors import Problem
from landrenew.core.spatial import check_polygons
from landrenew.land.fields import PARCEL_FIELDS
from landrenew.land.landuse import LandUseTable, land_use_table

DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y.%m.%d", "%Y年%m月%d日")
GRADES = ("A", "B", "C", "D")
_CN_DATE = re.compile(r"^\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?\s*$")


@dataclass
class Checked:
    """The outcome of a check: typed values, the problems, and which rows are refused."""

    frame: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    refused: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


class _Collector:
    def __init__(self, file: str, labels: pd.Index):
        self.file = file
        self.labels = labels
        self.problems: list[Problem] = []
        self.refused = np.zeros(len(labels), dtype=bool)

    def add(self, mask: np.ndarray, column: str | None, code: str, message: str,
            values: Any = None, severity: str = "error") -> None:
        idx = np.flatnonzero(mask)
        for i in idx:
            value = None if values is None else values[i]
            text = message.format(value=value) if "{value" in message else message
            self.problems.append(Problem(self.file, row_label(self.labels[i]), column, code, text,
                                         severity, value))
        if severity == "error":
            self.refused[idx] = True


def row_label(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


def _text(col: pd.Series) -> pd.Series:
    """Values as stripped strings (pandas ``string`` dtype); blanks become <NA>."""
    if pd.api.types.is_float_dtype(col.dtype):
        ints = col.notna() & (col == col.round())
        text = col.astype(object).where(~ints, col.where(ints).astype("Int64").astype(object))
        text = text.astype("string")
    elif col.dtype == object:
        text = col.map(lambda v: int(v) if isinstance(v, float) and v.is_integer() else v)
        text = text.astype("string")
    else:
        text = col.astype("string")
    text = text.str.strip()
    return text.mask(text == "")


def _numbers(col: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(floats, not-a-number mask) for a column of numbers or numeric text."""
    if pd.api.types.is_numeric_dtype(col.dtype) and not pd.api.types.is_bool_dtype(col.dtype):
        return col.to_numpy(dtype="float64", na_value=np.nan, copy=True), np.zeros(len(col), dtype=bool)
    text = _text(col).str.replace(",", "", regex=False)
    nums = pd.to_numeric(text, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    bad = text.notna().to_numpy() & ~np.isfinite(nums)
    return nums, bad


def _dates(col: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(datetime64[ns] array, NaT for blank or bad; impossible-date mask)."""
    if not pd.api.types.is_string_dtype(col.dtype) and pd.api.types.infer_dtype(
            col, skipna=True) in ("date", "datetime", "datetime64", "empty"):
        ts = pd.Series(pd.to_datetime(col, errors="coerce").to_numpy(dtype="datetime64[ns]"),
                       index=col.index)
        bad = (col.notna() & ts.isna()).to_numpy()
    else:
        text = _text(col.map(lambda v: None if v is pd.NaT else
                             v.isoformat() if isinstance(v, dt.date) else v)
                     if col.dtype == object else col)
        ts = pd.Series(pd.to_datetime(text, format="%Y-%m-%d", errors="coerce"),
                       index=col.index).astype("datetime64[ns]")
        todo = ts.isna() & text.notna()
        if todo.any():  # the slow path only for rows not in ISO form
            rest = text[todo].str.replace(_CN_DATE, lambda m: f"{m.group(1)}-{int(m.group(2)):02d}"
                                          f"-{int(m.group(3)):02d}", regex=True)
            rest = rest.str.split("T").str[0].str.split(" ").str[0]
            for fmt in DATE_FORMATS[:4]:
                left = ts.isna() & todo
                if not left.any():
                    break
                ts[left] = pd.to_datetime(rest[left[todo]], format=fmt, errors="coerce")
        bad = (text.notna() & ts.isna()).to_numpy()
    years = ts.dt.year.to_numpy(dtype="float64", na_value=np.nan)
    far = np.isfinite(years) & ((years < 1949) | (years > 2100))
    values = ts.to_numpy(dtype="datetime64[ns]").copy()
    values[far] = np.datetime64("NaT")
    return values, bad | far


def check_attributes(
    frame: pd.DataFrame, file: str, *, table: LandUseTable | None = None,
    today: dt.date | None = None,
) -> Checked:
    """Type and check the canonical attribute columns present in ``frame`` (vectorised)."""
    table = table or land_use_table()
    today = today or city_today()
    col = _Collector(file, frame.index)
    out = pd.DataFrame(index=frame.index)
    for spec in PARCEL_FIELDS:
        if spec.name not in frame.columns:
            continue
        source = frame[spec.name]
        raw = source.astype(object).to_numpy()
        if spec.kind in ("code", "text"):
            text = _text(source)
            if spec.name in ("land_use", "planned_use"):
                odd = text.str.isdigit().fillna(False) & (text.str.len() % 2 == 1)
                text = text.mask(odd, "0" + text)
            out[spec.name] = text.astype(object).where(text.notna(), None).to_numpy()
        elif spec.kind in ("float", "ratio", "int", "money"):
            nums, bad = _numbers(source)
            col.add(bad, spec.name, "not_a_number", "'{value}' is not a number", raw)
            neg = np.isfinite(nums) & (nums < 0)
            col.add(neg, spec.name, "negative", "must not be negative (got {value})", nums)
            nums[bad | neg] = np.nan
            if spec.kind == "ratio":
                over = np.isfinite(nums) & (nums > 1)
                col.add(over, spec.name, "ratio_out_of_range",
                        "is a share between 0 and 1 (got {value}; write 45 % as 0.45)", nums)
                nums[over] = np.nan
            if spec.kind == "money":
                nums = np.round(nums, 6)  # 万元 to the fen; stored as exact NUMERIC
            if spec.kind == "int":
                year_bad = np.isfinite(nums) & ((nums != np.round(nums)) | (nums < 1800)
                                                | (nums > today.year + 1))
                col.add(year_bad, spec.name, "impossible_year", "{value} is not a possible year",
                        nums)
                nums[year_bad] = np.nan
                out[spec.name] = pd.array(nums, dtype="Int64")
            else:
                out[spec.name] = nums
        elif spec.kind == "date":
            values, bad = _dates(source)
            col.add(bad, spec.name, "impossible_date",
                    "'{value}' is not a real date between 1949 and 2100 (use YYYY-MM-DD)", raw)
            out[spec.name] = values
        elif spec.kind == "grade":
            text = _text(source).str.upper().str.rstrip("级")
            bad = (text.notna() & ~text.isin(GRADES)).to_numpy()
            col.add(bad, spec.name, "unknown_grade", "'{value}' is not a safety grade A/B/C/D", raw)
            out[spec.name] = text.where(text.isin(GRADES)).astype(object).where(
                text.isin(GRADES), None).to_numpy()
    _check_codes(out, col, table)
    _check_date_order(out, col)
    return Checked(out, col.problems, col.refused)


def _check_codes(out: pd.DataFrame, col: _Collector, table: LandUseTable) -> None:
    for name in ("land_use", "planned_use"):
        if name in out.columns:
            values = pd.Series(out[name].to_numpy(dtype=object))
            unknown = (values.notna() & ~values.isin(list(table.names))).to_numpy()
            col.add(unknown, name, "unknown_land_use",
                    "'{value}' is not a code of the 用地用海分类 (e.g. 1001 工业用地, 0701 城镇住宅用地)",
                    values.to_numpy())
    if "district_code" in out.columns:
        values = pd.Series(out["district_code"].to_numpy(dtype=object), dtype="string")
        bad = (values.notna() & ~values.str.fullmatch(r"\d{6}").fillna(False)).to_numpy()
        col.add(bad, "district_code", "bad_district_code",
                "'{value}' is not a six-digit GB/T 2260 code", values.to_numpy(dtype=object))


def _check_date_order(out: pd.DataFrame, col: _Collector) -> None:
    pairs = [("approved_on", "supplied_on"), ("supplied_on", "started_on")]
    for first, then in pairs:
        if first in out.columns and then in out.columns:
            a = out[first].to_numpy(dtype="datetime64[ns]")
            b = out[then].to_numpy(dtype="datetime64[ns]")
            wrong = ~np.isnat(a) & ~np.isnat(b) & (b < a)
            col.add(wrong, then, "date_order", f"is earlier than {first}", None, "warning")


def check_codes_unique(frame: pd.DataFrame, file: str, code_field: str = "parcel_code") -> Checked:
    """Required, unique codes: a missing code and every row of a duplicated code are refused."""
    col = _Collector(file, frame.index)
    if code_field not in frame.columns:
        col.add(np.ones(len(frame), dtype=bool), code_field, "missing_field",
                f"the file has no '{code_field}' field (map one with --mapping)")
        return Checked(frame, col.problems, col.refused)
    # pandas ≥ 3 keeps a missing text value as NaN (not None) in a ``str`` column
    missing = pd.isna(frame[code_field]).to_numpy()
    codes = np.where(missing, None, frame[code_field].to_numpy(dtype=object))
    col.add(missing, code_field, "missing_code", "is empty")
    series = pd.Series(codes)
    dup = series.notna() & series.duplicated(keep=False)
    if dup.any():
        groups = pd.Series(frame.index[dup.to_numpy()], index=series[dup].to_numpy())
        rows_of = groups.groupby(level=0).agg(lambda s: [row_label(v) for v in s]).to_dict()
        for i in np.flatnonzero(dup.to_numpy()):
            others = [r for r in rows_of[codes[i]] if r != row_label(frame.index[i])]
            col.add(np.eye(1, len(frame), int(i), dtype=bool)[0], code_field, "duplicate_code",
                    f"'{codes[i]}' appears again in row(s) {others}")
    return Checked(frame, col.problems, col.refused)


def check_geometry(gdf: gpd.GeoDataFrame, file: str, *, strict: bool = False) -> Checked:
    """Polygons only; empty or missing refused; invalid ones repaired (or refused if strict)."""
    col = _Collector(file, gdf.index)
    result = check_polygons(gdf.geometry.values)
    col.add(result.missing, "geometry", "missing_geometry", "has no geometry")
    col.add(result.empty & ~result.invalid, "geometry", "empty_geometry", "geometry is empty")
    col.add(result.wrong_type, "geometry", "not_polygon", "geometry is not a polygon")
    reasons = np.array(result.reasons, dtype=object)
    if strict:
        col.add(result.invalid, "geometry", "invalid_geometry",
                "invalid geometry ({value}); refused by --strict-geometry", reasons)
    else:
        repaired_empty = result.invalid & result.empty
        col.add(repaired_empty, "geometry", "invalid_geometry",
                "invalid geometry ({value}) and nothing is left after repair", reasons)
        col.add(result.invalid & ~result.empty, "geometry", "repaired_geometry",
                "invalid geometry ({value}) repaired with make_valid", reasons, "warning")
    fixed = gdf.copy()
    fixed[fixed.geometry.name] = gpd.GeoSeries(result.repaired, index=gdf.index, crs=gdf.crs)
    return Checked(fixed, col.problems, col.refused)

