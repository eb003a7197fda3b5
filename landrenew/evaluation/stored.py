"""Evaluation runs on the database (数据库模式): evaluate the stored parcels as of a date, keep
the run and its parcel results, and compare two runs.

Runs are never overwritten: a new rule version or a new date (the mid-term and the final
evaluation) is a new run, and :func:`diff_stored_runs` lists the parcels whose categories moved.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import select

from landrenew.core import audit
from landrenew.core.clock import city_today
from landrenew.core.errors import InputError, NotFound
from landrenew.core.store import Store, get_setting, utcnow
from landrenew.core.store.bulk import bulk_insert
from landrenew.core.store.models import EvaluationRun, ParcelResult, table_of
from landrenew.evaluation.by_place import evaluate_by_place
from landrenew.evaluation.codes import COLUMNS, code_counts
from landrenew.evaluation.compare import diff_results
from landrenew.evaluation.engine import INDICATORS
from landrenew.evaluation.loader import load_pack
from landrenew.evaluation.overlay import Progress
from landrenew.evaluation.packs import RulePack
from landrenew.land.parcels import read_parcels
from landrenew.land.zones import read_zones

RESULTS = table_of(ParcelResult)
#: ``pack_id`` of a run in which more than one pack decided (see ``EvaluationRun.packs``).
BY_PLACE = "by_place"


@dataclass
class StoredRun:
    run: EvaluationRun
    result: pd.DataFrame
    pack: RulePack | None = None  # the pack whose labels tables use (the first, if several)


def _indicator_records(result: pd.DataFrame) -> list[dict[str, Any] | None]:
    cols = [c for c in result.columns if c in INDICATORS or c.startswith("ratio_")]
    cols = [c for c in cols if c not in ("area_m2",)]
    records = result[cols].to_dict("records")
    out: list[dict[str, Any] | None] = []
    for rec in records:
        clean = {k: (None if isinstance(v, float) and not np.isfinite(v) else
                     v.item() if hasattr(v, "item") else v) for k, v in rec.items()}
        out.append(clean)
    return out


def run_on_store(store: Store, pack_id: str | None = None, *, as_of: dt.date | None = None,
                 user: str, data_as_of: dt.date | str | None = "same", engine: str = "local",
                 scheduler: str | None = None, note: str | None = None,
                 progress: Progress | None = None) -> StoredRun:
    """Evaluate the stored parcels and zones on ``as_of`` and keep the run.

    Each parcel is judged by the identification pack of its district (resolved by kind, place
    and date); ``pack_id`` forces one pack on every parcel instead (a trial, e.g. another
    city's standard on this city's data). The run records the pack of each district; parcels
    whose district has no pack, and zone layers a pack does not know, are left out and listed.

    ``data_as_of`` picks the state of the database: ``"same"`` (default) reads it as it stood on
    the evaluation date — what a mid-term evaluation saw —, a date reads that day's state, and
    ``None`` reads the current state (e.g. when historical data was loaded later).
    """
    store.ensure_current()
    as_of = as_of or city_today()
    forced = load_pack(pack_id) if pack_id else None
    state_day = as_of if data_as_of == "same" else data_as_of
    parcels = read_parcels(store, as_of=state_day)
    if parcels.empty:
        when = f"on {state_day}" if state_day else "now"
        raise InputError(f"the database holds no parcels {when}; evaluate the current data "
                         "with --data-as-of current", field="data_as_of")
    zones = read_zones(store, as_of=state_day)
    parcels = parcels.drop(columns=["area_m2", "area_mu", "area_ha"])
    with store.read_session() as session:
        crs = get_setting(session, "projected_crs")
    if engine == "dask":
        from landrenew.evaluation.distributed import evaluate_dask

        placed = evaluate_by_place(parcels, zones if len(zones) else None, as_of,
                                   projected_crs=crs, forced=forced, evaluate=evaluate_dask,
                                   scheduler=scheduler)
    else:
        placed = evaluate_by_place(parcels, zones if len(zones) else None, as_of,
                                   projected_crs=crs, forced=forced, progress=progress)
    result = placed.result
    parcels = parcels.loc[result.index]
    single = forced or placed.single_pack
    now = utcnow()
    low = result["is_low_efficiency"].astype(bool).to_numpy()
    with store.session() as session:
        run = EvaluationRun(pack_id=single.id if single else BY_PLACE,
                            pack_version=str(single.version) if single else "",
                            as_of=as_of,
                            data_as_of=state_day if isinstance(state_day, dt.date) else None,
                            created_at=now, created_by=user, projected_crs=result.attrs.get(
                                "projected_crs"), engine=engine, parcel_count=len(result),
                            low_efficiency_count=int(low.sum()),
                            note=note or (f"trial: {forced.label} on every parcel" if forced
                                          else None),
                            summary={**_summary(result), **placed.summary(),
                                     "forced": forced is not None},
                            packs=placed.packs)
        session.add(run)
        session.flush()
        rows = pd.DataFrame({
            "run_id": run.id,
            "parcel_code": result["parcel_code"].to_numpy(dtype=object),
            "parcel_version_id": parcels["id"].to_numpy(),
            "district_code": parcels["district_code"].to_numpy(dtype=object),
            "land_use": parcels["land_use"].to_numpy(dtype=object),
            "area_m2": result["area_m2"].to_numpy(dtype=float),  # in the run's projected CRS
            "is_low_efficiency": low,
            "categories": result["categories"].to_numpy(dtype=object),
            "flags": result["flags"].to_numpy(dtype=object),
            "potential_floor_area_m2": result["potential_floor_area_m2"].to_numpy(dtype=float),
            "indicators": _indicator_records(result),
            "reasons": [list(r) for r in result["reasons"]],
        })
        bulk_insert(session, store.caps, RESULTS, rows)
        audit.record(session, actor=user, action="evaluate", entity_type="evaluation_run",
                     entity_id=str(run.id), reason=note,
                     after={"pack": run.pack_id, "version": run.pack_version,
                            "packs": placed.packs, "left_out": placed.left_out,
                            "as_of": as_of.isoformat(), "parcels": len(result),
                            "low_efficiency": int(low.sum())})
        session.flush()
        session.expunge(run)
    return StoredRun(run, result, single or next(iter(placed.pack_objects.values())))


def _summary(result: pd.DataFrame) -> dict[str, Any]:
    """Parcels per category and per flag (the run's summary)."""
    counted = code_counts(result, sums=())
    return {column: {r.code: int(r.parcels) for r in counted[counted["kind"] == kind].itertuples()}
            for kind, column in COLUMNS.items()}


def list_runs(store: Store) -> list[EvaluationRun]:
    with store.read_session() as session:
        return list(session.scalars(select(EvaluationRun).order_by(EvaluationRun.id)))


def run_results(store: Store, run_id: int) -> pd.DataFrame:
    store.ensure_current()
    with store.engine.connect() as conn:
        if conn.scalar(select(EvaluationRun.id).where(EvaluationRun.id == run_id)) is None:
            raise NotFound(f"no evaluation run {run_id}", field="run")
        rows = conn.execute(select(RESULTS).where(RESULTS.c.run_id == run_id)
                            .order_by(RESULTS.c.parcel_code)).all()
    return pd.DataFrame(rows, columns=[c.name for c in RESULTS.columns])


def run_number(value: str) -> int:
    """A run named on the command line."""
    try:
        return int(value)
    except ValueError:
        raise InputError(f"'{value}' is not a run number (see `landrenew evaluate runs`)",
                         field="run") from None


def diff_stored_runs(store: Store, run_a: int, run_b: int) -> pd.DataFrame:
    """Parcels whose categories (or flags) differ between two stored runs."""
    return diff_results(run_results(store, run_a), run_results(store, run_b))
