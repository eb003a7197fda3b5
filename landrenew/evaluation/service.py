"""Evaluation runs for the platform (认定批次): lists, detail and statistics, district-scoped.

A run covers the whole city; district staff see its counts and statistics computed over their
own districts only, never the city totals.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import Integer, cast, func, select

from landrenew.core.access import Principal
from landrenew.core.access import district_filter as scope_for
from landrenew.core.errors import LandrenewError, NotFound
from landrenew.core.store import Store
from landrenew.core.store.models import District, EvaluationRun, ParcelResult
from landrenew.core.store.published import publication, published_run_id
from landrenew.core.units import m2_to_mu
from landrenew.evaluation.codes import code_counts, first

R = ParcelResult.__table__


def _run_record(run: EvaluationRun, counts: tuple[int, int] | None, published: int | None
                ) -> dict[str, Any]:
    rec = {"id": run.id, "published": run.id == published,
           "trial": bool((run.summary or {}).get("forced")), "pack_id": run.pack_id, "pack_version": run.pack_version,
           "as_of": run.as_of, "data_as_of": run.data_as_of, "created_at": run.created_at,
           "created_by": run.created_by, "engine": run.engine, "note": run.note,
           "parcel_count": run.parcel_count, "low_efficiency_count": run.low_efficiency_count,
           "packs": run.packs or {}, "scope": "city"}
    if counts is not None:
        rec.update(parcel_count=counts[0], low_efficiency_count=counts[1], scope="districts")
    return rec


def _scoped_counts(store: Store, run_ids: list[int], districts: tuple[str, ...]
                   ) -> dict[int, tuple[int, int]]:
    stmt = (select(R.c.run_id, func.count(), func.sum(cast(R.c.is_low_efficiency, Integer)))
            .where(R.c.run_id.in_(run_ids), R.c.district_code.in_(districts))
            .group_by(R.c.run_id))
    with store.engine.connect() as conn:
        return {r[0]: (int(r[1]), int(r[2] or 0)) for r in conn.execute(stmt)}


def list_runs(store: Store, user: Principal, *, limit: int = 100, offset: int = 0
              ) -> tuple[int, list[dict[str, Any]]]:
    """Runs, newest first."""
    store.ensure_current()
    with store.read_session() as session:
        total = session.scalar(select(func.count()).select_from(EvaluationRun)) or 0
        runs = list(session.scalars(select(EvaluationRun).order_by(EvaluationRun.id.desc())
                                    .limit(limit).offset(offset)))
        published = published_run_id(session.connection())
    scope = user.scope
    counts = _scoped_counts(store, [r.id for r in runs], scope) if scope is not None else {}
    return int(total), [_run_record(r, counts.get(r.id, (0, 0)) if scope is not None else None,
                                    published) for r in runs]


def get_run(store: Store, user: Principal, run_id: int) -> dict[str, Any]:
    store.ensure_current()
    with store.read_session() as session:
        run = session.get(EvaluationRun, run_id)
        if run is None:
            raise NotFound(f"no evaluation run {run_id}", field="id")
        scope = user.scope
        counts = None
        if scope is not None:
            counts = _scoped_counts(store, [run_id], scope).get(run_id, (0, 0))
        rec = _run_record(run, counts, published_run_id(session.connection()))
        rec["summary"] = run.summary if scope is None else None
    return rec


def published_run(store: Store, user: Principal) -> dict[str, Any] | None:
    """The published run (已发布的认定批次) as :func:`get_run` gives it, with when and by whom it
    was published; None until a run is published. The map, the parcel cards and the lists show
    this run's results, and the dashboard opens on it."""
    store.ensure_current()
    with store.engine.connect() as conn:
        made = publication(conn)
    if made is None:
        return None
    rec = get_run(store, user, made["run_id"])
    rec.update(published_at=made["published_at"], published_by=made["published_by"],
               published_reason=made["reason"])
    return rec


def run_statistics(store: Store, user: Principal, run_id: int, *, district: str | None = None
                   ) -> dict[str, Any]:
    """Parcels and 亩 by district × category and flag (分类统计), within the user's districts,
    with the potential floor area (潜力建筑面积) the latest targets would add. ``categories``
    counts a parcel under each of its categories (they may add up to more than the total);
    ``primary_categories`` counts it once, under its first (主类), and adds up."""
    get_run(store, user, run_id)
    districts = scope_for(user, district)
    stmt = select(R.c.district_code, R.c.area_m2, R.c.is_low_efficiency, R.c.categories,
                  R.c.flags, R.c.potential_floor_area_m2).where(R.c.run_id == run_id)
    if districts is not None:
        stmt = stmt.where(R.c.district_code.in_(districts))
    with store.engine.connect() as conn:
        df = pd.DataFrame(conn.execute(stmt).all(),
                          columns=["district_code", "area_m2", "low", "categories", "flags",
                                   "potential"])
        names = dict(conn.execute(select(District.code, District.name)).all())
    df["district_code"] = df["district_code"].fillna("")
    df["area_mu"] = m2_to_mu(df["area_m2"].astype(float).fillna(0.0))
    df["low"] = df["low"].astype(bool)
    df["potential"] = df["potential"].astype(float).fillna(0.0)
    rows = [{"kind": g.kind, "district_code": g.district_code,
             "district": names.get(g.district_code, g.district_code or "(未定)"),
             "code": g.code, "parcels": int(g.parcels), "area_mu": round(float(g.area_mu), 4)}
            for g in code_counts(df, by=["district_code"]).itertuples()]
    df["primary"] = df["categories"].map(first)
    primary = df[df["primary"].notna() & df["low"]].groupby(
        ["district_code", "primary"], sort=True).agg(
        parcels=("area_mu", "size"), area_mu=("area_mu", "sum")).reset_index()
    primary_rows = [{"kind": "category", "district_code": g.district_code,
                     "district": names.get(g.district_code, g.district_code or "(未定)"),
                     "code": g.primary, "parcels": int(g.parcels),
                     "area_mu": round(float(g.area_mu), 4)} for g in primary.itertuples()]
    per_district = df.groupby("district_code").agg(
        parcels=("area_mu", "size"), area_mu=("area_mu", "sum"),
        low_efficiency=("low", "sum"), potential=("potential", "sum")).reset_index()
    low_mu = df[df["low"]].groupby("district_code")["area_mu"].sum()
    districts_out = [{"district_code": d.district_code,
                      "district": names.get(d.district_code, d.district_code or "(未定)"),
                      "parcels": int(d.parcels), "area_mu": round(float(d.area_mu), 4),
                      "low_efficiency": int(d.low_efficiency),
                      "low_efficiency_mu": round(float(low_mu.get(d.district_code, 0.0)), 4),
                      "potential_floor_area_m2": round(float(d.potential), 2)}
                     for d in per_district.itertuples()]
    return {"run_id": run_id, "scope": "city" if districts is None else list(districts),
            "total": {"parcels": len(df), "area_mu": round(float(df["area_mu"].sum()), 4),
                      "low_efficiency": int(df["low"].sum()),
                      "low_efficiency_mu": round(float(df.loc[df["low"], "area_mu"].sum()), 4),
                      "potential_floor_area_m2": round(float(df["potential"].sum()), 2)},
            "districts": districts_out, "categories": rows, "primary_categories": primary_rows}


def rule_messages(pack_id: str, locale: str = "zh") -> dict[str, str]:
    """Each rule's message in a pack (by rule id), in the locale; none for a pack no longer
    found (the reasons then name their rules)."""
    from landrenew.evaluation.loader import load_pack

    try:
        pack = load_pack(pack_id)
    except LandrenewError:
        return {}
    zh = locale.startswith("zh")
    return {rule.id: (rule.message.zh if zh else rule.message.en) for rule in pack.rules}
