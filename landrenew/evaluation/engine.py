"""The pure core of low-efficiency land identification (低效用地调查评价与认定).

:func:`evaluate_frame` takes parcels and zone layers as GeoDataFrames, a resolved rule pack and an
evaluation date, and returns every input field plus the indicators, ``ratio_<kind>`` overlay
shares, categories, flags, potential and reasons. It does no I/O: the file mode, the database
mode and the Dask engine all call it (or its parts) with frames they read themselves.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from landrenew.core.errors import InputError
from landrenew.core.spatial import STORAGE_CRS, check_polygons, parse_crs, projected_crs_for_bounds
from landrenew.evaluation.apply import RESULT_COLUMNS, apply_pack, outcome_columns
from landrenew.evaluation.fields import prepare_parcels
from landrenew.evaluation.indicators import date_indicators, indicators
from landrenew.evaluation.loader import pack_for_date
from landrenew.evaluation.overlay import DEFAULT_CHUNK, Progress, ZoneIndex, zone_ratios
from landrenew.evaluation.packs import RulePack

INDICATORS = ("area_m2", "area_mu", "far", "coverage", "tax_per_mu", "output_per_mu",
              "investment_per_mu", "building_age", "land_class", "years_past_agreed_start",
              "years_stopped")


def choose_crs(parcels: gpd.GeoDataFrame, projected_crs: str | int | CRS | None) -> CRS:
    """The projected CRS for areas: as given, or the Gauss-Krüger zone of the data's extent."""
    crs = parse_crs(projected_crs)
    if crs is not None:
        if not crs.is_projected:
            raise InputError(f"{crs.to_string()} is not a projected CRS", field="projected_crs")
        return crs
    geo = parcels.geometry
    bounds = geo.total_bounds if CRS.from_user_input(parcels.crs).equals(STORAGE_CRS) else (
        gpd.GeoSeries(shapely.box(*geo.total_bounds), crs=parcels.crs).to_crs(STORAGE_CRS)
        .total_bounds)
    return projected_crs_for_bounds(tuple(bounds))


def zones_by_kind(zones: gpd.GeoDataFrame | Mapping[str, gpd.GeoSeries] | None, pack: RulePack,
                  crs: CRS, source: str | None = None, *, leave_out_unknown: bool = False
                  ) -> dict[str, np.ndarray]:
    """Projected zone geometries per kind; refuses layers without a CRS, and kinds the pack does
    not know unless ``leave_out_unknown`` (the database mode: a stored layer of a kind a pack
    does not use is left out, and the run says so — see :func:`unknown_kinds`)."""
    if zones is None:
        return {}
    if isinstance(zones, Mapping):
        items = list(zones.items())
    else:
        if "kind" not in zones.columns:
            raise InputError("zone layer has no 'kind' column", file=source, field="kind")
        items = [(str(k), g.geometry) for k, g in zones.groupby("kind", sort=True)]
    out: dict[str, np.ndarray] = {}
    for kind, geoms in items:
        if kind not in pack.zone_kinds and leave_out_unknown:
            continue
        if kind not in pack.zone_kinds:
            raise InputError(f"unknown zone kind '{kind}' (rule pack '{pack.id}' knows: "
                             f"{', '.join(pack.zone_kinds)})", file=source, field="kind")
        if geoms.crs is None:
            raise InputError(f"zone layer '{kind}' has no coordinate reference system",
                             file=source)
        projected = geoms.to_crs(crs).values
        arr = np.asarray(projected, dtype=object)
        out[kind] = np.concatenate([out[kind], arr]) if kind in out else arr
    return out


def unknown_kinds(zones: gpd.GeoDataFrame | Mapping[str, gpd.GeoSeries] | None,
                  pack: RulePack) -> list[str]:
    """The zone kinds given that the pack does not know (left out of its evaluation)."""
    if zones is None:
        return []
    kinds = list(zones) if isinstance(zones, Mapping) else (
        zones["kind"].astype(str).unique().tolist() if "kind" in zones.columns else [])
    return sorted(k for k in kinds if k not in pack.zone_kinds)


def project_parcels(df: gpd.GeoDataFrame, crs: CRS, source: str | None = None
                    ) -> tuple[np.ndarray, list[str | None]]:
    """Projected parcel polygons; refuses missing, empty or non-polygonal ones, repairs invalid
    ones and returns the repair reasons."""
    check = check_polygons(np.asarray(df.geometry.values, dtype=object))
    bad = check.missing | check.empty | check.wrong_type
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        what = ("missing" if check.missing[i] else "empty" if check.empty[i]
                else "not a polygon")
        raise InputError(f"geometry is {what} ({int(bad.sum())} such parcels)", file=source,
                         row=df["parcel_code"].iloc[i], field="geometry")
    geoms = gpd.GeoSeries(check.repaired, crs=df.crs, index=df.index)
    return np.asarray(geoms.to_crs(crs).values, dtype=object), check.reasons


OVERLAY_PREFIXES = ("ratio_", "overlap_m2_")


def overlap_areas(ratios: pd.DataFrame, area_m2: np.ndarray) -> pd.DataFrame:
    """``overlap_m2_<kind>``: the area of each parcel inside each layer (m², in the projected
    CRS), for rules that decide on the overlapping area itself (压占面积)."""
    return pd.DataFrame({f"overlap_m2_{c.removeprefix('ratio_')}": ratios[c].to_numpy() * area_m2
                         for c in ratios.columns if c.startswith("ratio_")}, index=ratios.index)


def assemble(df: pd.DataFrame, area_m2: np.ndarray, ratios: pd.DataFrame, pack: RulePack,
             as_of: dt.date) -> pd.DataFrame:
    """Indicators + rules over prepared parcels whose overlay ratios are already known."""
    derived = {*INDICATORS, *RESULT_COLUMNS, "planned_class", "approved", "supplied", "started"}
    df = df.drop(columns=[c for c in df.columns if c in derived or c.startswith(OVERLAY_PREFIXES)])
    ind = indicators(df, area_m2, as_of)
    dates = date_indicators(df, as_of)
    ratios = ratios.set_axis(df.index)
    overlaps = overlap_areas(ratios, np.asarray(area_m2, dtype="float64"))
    work = pd.concat([df.drop(columns=[df.geometry.name]) if isinstance(df, gpd.GeoDataFrame)
                      else df, ind, dates, ratios, overlaps], axis=1)
    outcomes = apply_pack(work, pack)
    res = outcome_columns(work, outcomes, pack)
    keep = [c for c in INDICATORS if c in work.columns] + list(ratios.columns)
    return pd.concat([work[keep], res.set_axis(df.index)], axis=1)


def evaluate_frame(parcels: gpd.GeoDataFrame,
                   zones: gpd.GeoDataFrame | Mapping[str, gpd.GeoSeries] | None,
                   pack: RulePack, as_of: dt.date, projected_crs: str | int | CRS | None = None,
                   *, workers: int = 1, chunk_size: int = DEFAULT_CHUNK,
                   progress: Progress | None = None,
                   zone_index: Mapping[str, ZoneIndex] | None = None,
                   source: str | None = None) -> gpd.GeoDataFrame:
    """Evaluate every parcel against the pack on ``as_of``.

    ``zones`` is one GeoDataFrame with a ``kind`` column or a mapping kind → GeoSeries (any CRS);
    ``zone_index`` may give prebuilt :class:`ZoneIndex` objects instead (already in
    ``projected_crs``). Returns the input columns (geometry unchanged) plus the results.
    """
    pack_for_date(pack, as_of)
    df = prepare_parcels(parcels, source)
    crs = choose_crs(df, projected_crs)
    geoms, repairs = project_parcels(df, crs, source)
    layers: Mapping[str, np.ndarray | ZoneIndex] = (
        dict(zone_index) if zone_index is not None else zones_by_kind(zones, pack, crs))
    if progress:
        progress("overlay", 0, 1)
    ratios = zone_ratios(geoms, layers, workers=workers, chunk_size=chunk_size,
                         progress=progress)
    res = assemble(df, shapely.area(geoms), ratios, pack, as_of)
    out = pd.concat([df, res], axis=1)
    if any(r is not None for r in repairs):
        out["geometry_repair"] = pd.Series(repairs, index=df.index, dtype=object)
    out = gpd.GeoDataFrame(out, geometry=df.geometry.name, crs=df.crs)
    out.attrs.update({"pack_id": pack.id, "pack_version": pack.version,
                      "as_of": as_of.isoformat(), "projected_crs": crs.to_string()})
    return out
