"""Parcel input fields (地块属性) the evaluation reads, their aliases and their checks.

Only ``parcel_code``, ``land_use`` and the geometry are required; every other field is optional
and a rule that needs a missing value is reported as not evaluated, never silently false.
Money is in 万元 (10 000 yuan) per year; areas in m²; dates as ``YYYY-MM-DD``.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import geopandas as gpd
import numpy as np
import pandas as pd

from landrenew.core.errors import InputError

REQUIRED = ("parcel_code", "land_use")
TEXT = ("parcel_code", "land_use", "planned_use", "district_code", "industry_code",
        "safety_grade")
NUMBERS = ("floor_area_m2", "footprint_m2", "tax_10k_yuan", "output_10k_yuan",
           "investment_10k_yuan", "building_year", "planned_far", "developed_ratio",
           "invested_ratio")
DATES = ("approved_on", "supplied_on", "agreed_start_on", "started_on", "stopped_since")

# Other spellings accepted on input (the canonical names are those of ``landrenew.land.fields``).
ALIASES = {
    "floor_area": "floor_area_m2", "footprint": "footprint_m2", "tax": "tax_10k_yuan",
    "tax_10k": "tax_10k_yuan", "output": "output_10k_yuan", "output_10k": "output_10k_yuan",
    "investment": "investment_10k_yuan", "investment_10k": "investment_10k_yuan",
    "stopped_on": "stopped_since", "district": "district_code",
}
_CODE = re.compile(r"^\d{2}(\d{2}){0,2}[A-Za-z]?$")


def normalise_code(value: object) -> str | None:
    """A land-use code as text; numbers read from CSV/Excel get their leading zero back."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if text.isdigit() and len(text) % 2 == 1:
        text = "0" + text
    return text or None


def prepare_parcels(parcels: gpd.GeoDataFrame, source: str | None = None) -> gpd.GeoDataFrame:
    """Check and type the input: refuse missing fields, missing CRS, bad codes, bad dates."""
    if not isinstance(parcels, gpd.GeoDataFrame) or parcels.geometry is None:
        raise InputError("parcels have no geometry column", file=source)
    if parcels.crs is None:
        raise InputError("parcels have no coordinate reference system (set one with --crs)",
                         file=source)
    df = parcels.rename(columns={k: v for k, v in ALIASES.items()
                                 if k in parcels.columns and v not in parcels.columns})
    for name in REQUIRED:
        if name not in df.columns:
            raise InputError("required field is missing", file=source, field=name)
    df = df.copy()
    codes = df["parcel_code"]
    for name in REQUIRED:
        blank = df[name].isna() | df[name].astype(str).str.strip().eq("")
        if blank.any():
            i = int(np.flatnonzero(blank.to_numpy())[0])
            raise InputError("required value is empty", file=source, row=_row(codes, i),
                             field=name)
    df["parcel_code"] = codes.astype(str).str.strip().astype(object)
    for name in ("land_use", "planned_use"):
        if name in df.columns:
            df[name] = map_distinct(df[name], normalise_code)
            bad = df[name].notna() & ~df[name].astype(str).str.match(_CODE)
            if bad.any():
                i = int(np.flatnonzero(bad.to_numpy())[0])
                raise InputError(f"not a 用地用海 class code: {df[name].iloc[i]!r}", file=source,
                                 row=_row(df["parcel_code"], i), field=name)
    for name in ("district_code", "industry_code"):
        if name in df.columns:
            df[name] = map_distinct(df[name], normalise_text)
    if "safety_grade" in df.columns:
        df["safety_grade"] = map_distinct(df["safety_grade"], _grade)
    for name in NUMBERS:
        if name in df.columns:
            df[name] = _numbers(df, name, source)
    for name in DATES:
        if name in df.columns:
            df[name] = _dates(df, name, source)
    dup = df["parcel_code"].duplicated()
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        raise InputError("parcel code appears twice", file=source, row=df["parcel_code"].iloc[i],
                         field="parcel_code")
    return df


def map_distinct(col: pd.Series, fn: Callable[[object], object]) -> pd.Series:
    """``col.map(fn)`` as an object column, ``fn`` called once per distinct value (a city's
    land-use codes, districts and grades repeat over hundreds of thousands of rows). Values are
    told apart by type as well, so ``1``, ``1.0`` and ``True`` never share an answer."""
    memo: dict[tuple[type, object], object] = {}
    out = []
    for v in col.tolist():
        key = (type(v), v)
        try:
            r = memo[key]
        except KeyError:
            r = memo[key] = fn(v)
        except TypeError:  # an unhashable value: no memo
            r = fn(v)
        out.append(r)
    return pd.Series(out, index=col.index, name=col.name, dtype=object)


def _grade(value: object) -> str | None:
    text = normalise_text(value)
    return text.upper() if text else text


def normalise_text(value: object) -> str | None:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def _row(codes: pd.Series, i: int) -> object:
    v = codes.iloc[i]
    return v if isinstance(v, str) and v.strip() else i + 1


def _numbers(df: pd.DataFrame, name: str, source: str | None) -> pd.Series:
    col = df[name]
    if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
        return col.astype("float64")
    blank = col.isna() | col.astype(str).str.strip().isin(["", "nan", "None", "<NA>"])
    out = pd.to_numeric(col.where(~blank), errors="coerce")
    bad = out.isna() & ~blank
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(f"not a number: {col.iloc[i]!r}", file=source,
                         row=_row(df["parcel_code"], i), field=name)
    return out.astype("float64")


def _dates(df: pd.DataFrame, name: str, source: str | None) -> pd.Series:
    col = df[name]
    if pd.api.types.is_datetime64_any_dtype(col):
        return col.dt.tz_localize(None) if getattr(col.dt, "tz", None) else col.astype(
            "datetime64[ns]")
    out = pd.to_datetime(col.astype(object), errors="coerce", format="mixed")
    # only the values that gave no date are looked at as text (dates to text cost seconds)
    bad = (out.isna() & col.notna()).to_numpy(copy=True)
    bad[bad] = ~col[bad].astype(str).str.strip().isin(["", "nan", "None", "NaT", "<NA>"]).to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(f"not a date (use YYYY-MM-DD): {col.iloc[i]!r}", file=source,
                         row=_row(df["parcel_code"], i), field=name)
    return out.astype("datetime64[ns]")
