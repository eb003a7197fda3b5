"""Parcel statistics (统计): count and area (亩) by district and land-use class."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import func, select

from landrenew.core.store import Store
from landrenew.core.store.models import District
from landrenew.core.store.versions import as_of_cutoff, valid_at
from landrenew.core.units import m2_to_ha, m2_to_mu
from landrenew.land.landuse import land_use_table
from landrenew.land.parcels import TABLE


def parcel_stats(store: Store, *, as_of: dt.date | None = None,
                 district: str | None = None) -> pd.DataFrame:
    """One row per district × land-use class (一级类): count, m², 亩, 公顷; totals in the last row."""
    store.ensure_current()
    t = TABLE
    stmt = (select(t.c.district_code, t.c.land_use, func.count(), func.sum(t.c.area_m2))
            .where(valid_at(t, as_of_cutoff(as_of)), t.c.is_deleted.is_(False))
            .group_by(t.c.district_code, t.c.land_use))
    if district:
        stmt = stmt.where(t.c.district_code == district)
    with store.engine.connect() as conn:
        rows = conn.execute(stmt).all()
        names = dict(conn.execute(select(District.code, District.name)).all())
    table = land_use_table()
    df = pd.DataFrame(rows, columns=["district_code", "land_use", "count", "area_m2"])
    if df.empty:
        return pd.DataFrame(columns=["district_code", "district", "land_class", "land_class_name",
                                     "count", "area_m2", "area_mu", "area_ha"])
    df["land_class"] = df["land_use"].fillna("").str[:2]
    df["district_code"] = df["district_code"].fillna("")
    out = df.groupby(["district_code", "land_class"], as_index=False)[["count", "area_m2"]].sum()
    out["district"] = out["district_code"].map(lambda c: names.get(c, c or "(未定)"))
    out["land_class_name"] = out["land_class"].map(lambda c: table.name(c) or "(未定)")
    total = pd.DataFrame([{"district_code": "", "district": "合计 total", "land_class": "",
                           "land_class_name": "", "count": out["count"].sum(),
                           "area_m2": out["area_m2"].sum()}])
    out = pd.concat([out, total], ignore_index=True)
    out["area_mu"] = m2_to_mu(out["area_m2"].astype(float))
    out["area_ha"] = m2_to_ha(out["area_m2"].astype(float))
    return out[["district_code", "district", "land_class", "land_class_name", "count", "area_m2",
                "area_mu", "area_ha"]]
