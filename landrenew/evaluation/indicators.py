"""Per-parcel indicators (评价指标) and the date arithmetic of Order No. 53 (闲置土地处置办法).

Areas come from the geometry in the projected CRS. ``far`` (容积率) = floor area / site area,
``coverage`` (建筑系数) = footprint / site area; tax, output and investment per 亩 (亩均税收、亩均产出、
亩均投资) are in 万元/亩. Every indicator is NaN where its inputs are missing.

Periods "at least N years" are calendar periods: with start date ``d``, a period of N years ends
on the same month and day N years later; when that day does not exist (29 February in a
non-leap year) it ends on the last day of the month, 28 February (《民法典》第二百零二条). A
parcel counts as idle *from* that end date on: ``as_of ≥ d + N years``. ``full_years(d, as_of)``
is the number of such whole years, negative when ``d`` lies after ``as_of``.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from landrenew.core.units import m2_to_mu


def full_years(start: pd.Series, as_of: dt.date) -> np.ndarray:
    """Whole calendar years from each date in ``start`` to ``as_of`` (NaN where no date)."""
    s = pd.to_datetime(start)
    known = s.notna().to_numpy()
    y = s.dt.year.to_numpy(dtype="float64", na_value=np.nan)
    m = s.dt.month.to_numpy(dtype="float64", na_value=np.nan)
    d = s.dt.day.to_numpy(dtype="float64", na_value=np.nan)
    leap = as_of.year % 4 == 0 and (as_of.year % 100 != 0 or as_of.year % 400 == 0)
    anniv_day = np.where((m == 2) & (d == 29) & (not leap), 28.0, d)
    before = (as_of.month < m) | ((as_of.month == m) & (as_of.day < anniv_day))
    years = as_of.year - y - before.astype("float64")
    return np.where(known, years, np.nan)


def add_years(d: dt.date, n: int) -> dt.date:
    """``d`` plus ``n`` calendar years; 29 February becomes 28 February in a non-leap year."""
    try:
        return d.replace(year=d.year + n)
    except ValueError:
        return d.replace(year=d.year + n, day=28)


def _on_or_before(col: pd.Series | None, as_of: dt.date, index: pd.Index) -> pd.Series:
    """True when the date is on or before ``as_of``; False when empty; NA when no such field."""
    if col is None:
        return pd.Series(pd.NA, index=index, dtype="boolean")
    s = pd.to_datetime(col)
    hit = (s <= pd.Timestamp(as_of)).to_numpy(dtype=bool, na_value=False)
    return pd.Series(hit, index=index, dtype="boolean")


def date_indicators(frame: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """State on ``as_of``: ``approved``, ``supplied``, ``started`` (True/False; NA when the field
    is absent), ``years_past_agreed_start`` and ``years_stopped`` (whole years)."""

    def col(name: str) -> pd.Series | None:
        return frame[name] if name in frame.columns else None

    out = pd.DataFrame(index=frame.index)
    for name, field in (("approved", "approved_on"), ("supplied", "supplied_on"),
                        ("started", "started_on")):
        out[name] = _on_or_before(col(field), as_of, frame.index)
    for name, field in (("years_past_agreed_start", "agreed_start_on"),
                        ("years_stopped", "stopped_since")):
        c = col(field)
        out[name] = full_years(c, as_of) if c is not None else np.nan
    return out


def _per(frame: pd.DataFrame, name: str, denom: np.ndarray) -> np.ndarray:
    if name not in frame.columns:
        return np.full(len(frame), np.nan)
    x = frame[name].to_numpy(dtype="float64", na_value=np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denom > 0, x / denom, np.nan)


def indicators(frame: pd.DataFrame, area_m2: np.ndarray, as_of: dt.date) -> pd.DataFrame:
    """The per-parcel indicators (site area from the projected geometry)."""
    area_m2 = np.asarray(area_m2, dtype="float64")
    area_mu = m2_to_mu(area_m2)
    out = pd.DataFrame(index=frame.index)
    out["area_m2"] = area_m2
    out["area_mu"] = area_mu
    out["far"] = _per(frame, "floor_area_m2", area_m2)
    out["coverage"] = _per(frame, "footprint_m2", area_m2)
    out["tax_per_mu"] = _per(frame, "tax_10k_yuan", area_mu)
    out["output_per_mu"] = _per(frame, "output_10k_yuan", area_mu)
    out["investment_per_mu"] = _per(frame, "investment_10k_yuan", area_mu)
    if "building_year" in frame.columns:
        out["building_age"] = as_of.year - frame["building_year"].to_numpy("float64", na_value=np.nan)
    else:
        out["building_age"] = np.nan
    out["land_class"] = _top_class(frame["land_use"])
    out["planned_class"] = (_top_class(frame["planned_use"]) if "planned_use" in frame.columns
                            else None)
    return out


def _top_class(codes: pd.Series) -> pd.Series:
    """用地用海 top-level class (一级类): the first two digits of the code."""
    return codes.astype("string").str.slice(0, 2).astype(object).where(codes.notna(), None)
