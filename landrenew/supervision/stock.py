"""The low-efficiency stock of a programme report, per district and for the whole city: land
and its 亩均 tax/output/investment from the latest evaluation run as of the report's day (a trial
run never counts), and the yearly disposal rates of 批而未供 and 闲置 land."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import select

from landrenew.core import places
from landrenew.core.store import Store
from landrenew.core.store.models import EvaluationRun, ParcelResult
from landrenew.evaluation.codes import has
from landrenew.evaluation.publishing import is_trial
from landrenew.land.landuse import land_use_table
from landrenew.supervision.common import in_city
from landrenew.supervision.packs import ProgrammePack

FLAG_NAMES = {"approved_not_supplied": "批而未供土地", "idle": "闲置土地"}


def latest_run(session: Any, day: dt.date) -> EvaluationRun | None:
    """The newest run as of ``day`` that is not a trial (one pack forced on every parcel, e.g.
    another city's standard): a trial never reaches a report."""
    runs = session.scalars(select(EvaluationRun).where(EvaluationRun.as_of <= day)
                           .order_by(EvaluationRun.as_of.desc(), EvaluationRun.id.desc()))
    return next((r for r in runs if not is_trial(r)), None)


def _results(session: Any, run_id: int) -> pd.DataFrame:
    rows = session.execute(select(
        ParcelResult.parcel_code, ParcelResult.district_code, ParcelResult.land_use,
        ParcelResult.area_m2, ParcelResult.is_low_efficiency, ParcelResult.flags,
        ParcelResult.potential_floor_area_m2, ParcelResult.indicators)
        .where(ParcelResult.run_id == run_id)).all()
    return pd.DataFrame(rows, columns=["parcel_code", "district_code", "land_use", "area_m2",
                                       "low", "flags", "potential", "indicators"])


def stock(store: Store, pack: ProgrammePack, as_of: dt.date) -> dict[str, Any]:
    """Per district: construction land and low-efficiency stock (亩), potential floor area,
    亩均 tax/output/investment (万元/亩), and the disposal rates of 批而未供 and 闲置 land in
    the year to ``as_of`` — from the latest evaluation run as of the day (and the one as of the
    year's start for the rates)."""
    with store.read_session() as session:
        run = latest_run(session, as_of)
        if run is None:
            return {"evaluation": None, "stock": [], "disposal": []}
        end = _results(session, run.id)
        start_run = latest_run(session, dt.date(run.as_of.year, 1, 1))
        start = _results(session, start_run.id) if start_run else None
    names = {d.code: d.unit.removesuffix("政府") for d in pack.districts}
    # the city's parcels only (a run may cover several cities)
    end = end[[in_city(c, pack.city_code) for c in end["district_code"]]]
    end = end.reset_index(drop=True)
    table = land_use_table()
    end["area_mu"] = end["area_m2"].astype(float) * 0.0015
    end["construction"] = end["land_use"].map(table.is_construction).astype(bool)
    for name in ("tax_per_mu", "output_per_mu", "investment_per_mu"):
        end[name] = [(i or {}).get(name) for i in end["indicators"]]
    rows = []
    groups = [*end.groupby(end["district_code"].fillna(""), sort=True), ("", end)]
    for n, (code, g) in enumerate(groups):
        city_row = n == len(groups) - 1
        cons = g[g["construction"]]
        low = g[g["low"].astype(bool)]
        row: dict[str, Any] = {
            "district_code": "" if city_row else code,
            "district": "全市" if city_row else names.get(code, places.place_name(code)),
            "parcels": len(g), "construction_mu": round(float(cons["area_mu"].sum()), 2),
            "low_parcels": len(low), "low_mu": round(float(low["area_mu"].sum()), 2),
            "potential_m2": round(float(np.nansum(low["potential"].astype(float))), 0)}
        area = float(cons["area_mu"].sum())
        row["low_share"] = round(float(low[low["construction"]]["area_mu"].sum()) / area, 4) \
            if area > 0 else None
        for name in ("tax_per_mu", "output_per_mu", "investment_per_mu"):
            v = pd.to_numeric(cons[name], errors="coerce")
            ok = v.notna()
            a = float(cons["area_mu"][ok].sum())
            row[name] = round(float((v[ok] * cons["area_mu"][ok]).sum()) / a, 2) if a > 0 \
                else None
        rows.append(row)
    disposal = []
    if start is not None and start_run is not None and start_run.id != run.id:
        merged = end[["parcel_code", "district_code", "area_mu", "flags"]].merge(
            start[["parcel_code", "flags"]], on="parcel_code", how="left",
            suffixes=("", "_start"))
        for flag in FLAG_NAMES:
            was = has(merged["flags_start"], flag)
            now = has(merged["flags"], flag)
            frame = pd.DataFrame({"d": merged["district_code"].fillna(""),
                                  "stock": np.where(was, merged["area_mu"], 0.0),
                                  "added": np.where(now & ~was, merged["area_mu"], 0.0),
                                  "disposed": np.where(was & ~now, merged["area_mu"], 0.0)})
            parts = [*((c, g, False) for c, g in frame.groupby("d", sort=True)),
                     ("", frame, True)]
            for code, g, whole in parts:
                base = g["stock"].sum() + g["added"].sum()
                disposal.append({
                    "district": "全市" if whole else names.get(code, places.place_name(code)),
                    "flag": flag, "flag_name": FLAG_NAMES[flag],
                    "stock_start_mu": round(float(g["stock"].sum()), 2),
                    "added_mu": round(float(g["added"].sum()), 2),
                    "disposed_mu": round(float(g["disposed"].sum()), 2),
                    "rate": round(float(g["disposed"].sum() / base), 4) if base > 0 else None})
    return {"evaluation": {"run": run.id, "as_of": run.as_of, "pack": run.pack_id,
                           "start_run": start_run.id if start_run else None,
                           "start_as_of": start_run.as_of if start_run else None},
            "stock": rows, "disposal": disposal}
