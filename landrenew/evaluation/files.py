"""File mode (文件模式): parcels and zone files in, a result file (and statistics) out.

:func:`evaluate_files` is the service function behind ``landrenew evaluate PARCELS ...``; it
reads, calls the pure engine (locally or on Dask) and writes. No database is involved.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from landrenew.core.errors import InputError
from landrenew.evaluation.codes import code_counts
from landrenew.evaluation.engine import assemble, evaluate_frame
from landrenew.evaluation.loader import load_pack
from landrenew.evaluation.overlay import Progress
from landrenew.evaluation.packs import RulePack
from landrenew.evaluation.report import write_result, write_tables
from landrenew.evaluation.statistics import (
    category_table,
    disposal_rates,
    district_indicators,
    notes,
    year_start,
)


@dataclass
class EvaluationOutput:
    """What a file-mode run produced."""

    result: gpd.GeoDataFrame
    pack: RulePack  # the pack whose labels the tables use (the first, where several decided)
    as_of: dt.date
    output: Path | None
    summary_files: list[Path] = field(default_factory=list)
    seconds: float = 0.0
    packs: dict[str, dict[str, str]] = field(default_factory=dict)  # district → pack used
    left_out: dict[str, dict[str, object]] = field(default_factory=dict)

    @property
    def title(self) -> str:
        """What decided: one pack's label, or each pack with its districts."""
        from landrenew.evaluation.by_place import pack_labels

        labels = {f"{p['pack']} {p['version']}" for p in self.packs.values()}
        return pack_labels(self.packs) if len(labels) > 1 else self.pack.label

    def counts(self) -> pd.DataFrame:
        """Parcels and area (亩) per category and flag, for the closing table."""
        return category_counts(self.result, self.pack)


def category_counts(result: pd.DataFrame, pack: RulePack) -> pd.DataFrame:
    """Every category and flag of the pack (zero where none), then the parcels counted once."""
    counted = code_counts(result).set_index(["kind", "code"])
    rows = []
    for kind, catalogue in (("category", pack.categories), ("flag", pack.flags)):
        for code, label in catalogue.items():
            hit = counted.loc[(kind, code)] if (kind, code) in counted.index else None
            rows.append({"kind": kind, "code": code, "name": label.zh,
                         "parcels": int(hit["parcels"]) if hit is not None else 0,
                         "area_mu": float(hit["area_mu"]) if hit is not None else 0.0})
    low = result["is_low_efficiency"].to_numpy(dtype=bool)
    rows.append({"kind": "total", "code": "low_efficiency", "name": "低效用地(去重)",
                 "parcels": int(low.sum()), "area_mu": float(result["area_mu"].to_numpy()[low].sum())})
    return pd.DataFrame(rows)


def _read(path: str | Path, crs: str | None = None) -> gpd.GeoDataFrame:
    """Read a vector file (the land importers' reader when available)."""
    try:
        from landrenew.land.readers import read_vector
    except ImportError:  # pragma: no cover - land package absent
        read_vector = None  # type: ignore[assignment]
    if read_vector is not None:
        return read_vector(path, crs=crs).gdf
    p = Path(path)  # pragma: no cover
    if not p.exists():
        raise InputError("no such file", file=str(p))
    gdf = gpd.read_file(p, engine="pyogrio")
    if gdf.crs is None:
        raise InputError("the file has no coordinate reference system", file=str(p))
    return gdf


def read_zones(specs: list[str], crs: str | None = None) -> gpd.GeoDataFrame | None:
    """Zone layers from ``KIND=PATH`` or ``PATH`` (a file with a ``kind`` column)."""
    frames: list[gpd.GeoDataFrame] = []
    for spec in specs:
        kind, sep, path = spec.partition("=")
        if sep and not Path(spec).exists():
            gdf = _read(path, crs)
            gdf = gdf[[gdf.geometry.name]].assign(kind=kind.strip())
        else:
            gdf = _read(spec, crs)
            if "kind" not in gdf.columns:
                raise InputError("zone file has no 'kind' column; give it as KIND=PATH",
                                 file=spec, field="kind")
            gdf = gdf[["kind", gdf.geometry.name]]
        if gdf.crs is None:
            raise InputError("zone file has no coordinate reference system", file=spec)
        if gdf.geometry.name != "geometry":
            gdf = gdf.rename_geometry("geometry")
        frames.append(gdf.to_crs(frames[0].crs) if frames else gdf)
    if not frames:
        return None
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry",
                            crs=frames[0].crs)


def summary_tables(result: gpd.GeoDataFrame, pack: RulePack, as_of: dt.date
                   ) -> dict[str, pd.DataFrame]:
    """The report tables; disposal rates re-apply the pack at the year start (no new overlay)."""
    start_day = year_start(as_of)
    ratios = result[[c for c in result.columns if c.startswith("ratio_")]]
    inputs = pd.DataFrame(result.drop(columns=[result.geometry.name]))
    start = assemble(inputs, result["area_m2"].to_numpy(), ratios, pack, start_day)
    district = result["district_code"] if "district_code" in result.columns else pd.Series(
        "未知", index=result.index)
    disposal = disposal_rates(start, result, result["area_mu"], district.fillna("未知"),
                              as_of.year)
    disposal.insert(1, "district_name", disposal["district_code"].map(
        lambda c: pack.districts.get(c, c)))
    return {"分类统计": category_table(result, pack), "区县指标": district_indicators(result, pack),
            "处置率": disposal, "说明": notes()}


def evaluate_files(parcels_path: str | Path, zones: list[str], pack_id: str | Path | None,
                   as_of: dt.date, output: str | Path | None, summary: str | Path | None = None,
                   engine: str = "local", scheduler: str | None = None,
                   progress: Progress | None = None, *, crs: str | None = None,
                   projected_crs: str | None = None, workers: int | None = None
                   ) -> EvaluationOutput:
    """Read parcels and zones, evaluate them on ``as_of`` with ``pack_id`` (a trial of one pack
    on every parcel) or, without it, each parcel with the pack of its district (its
    ``district_code``), and write the result."""
    t0 = time.perf_counter()
    forced = load_pack(pack_id) if pack_id else None
    if progress:
        progress("read", 0, 2)
    parcels = _read(parcels_path, crs)
    zone_frame = read_zones(zones, crs)
    if progress:
        progress("read", 2, 2)
    workers = workers or os.cpu_count() or 1
    run: Callable[..., gpd.GeoDataFrame]
    if engine == "local":
        options: dict[str, Any] = {"workers": workers, "progress": progress,
                                   "source": str(parcels_path)}
        run = evaluate_frame
    elif engine == "dask":
        from landrenew.evaluation.distributed import evaluate_dask

        options, run = {"scheduler": scheduler, "source": str(parcels_path)}, evaluate_dask
    else:
        raise InputError(f"unknown engine {engine!r} (local or dask)", field="engine")
    if forced is not None:
        result = run(parcels, zone_frame, forced, as_of, projected_crs, **options)
        pack, packs, left_out = forced, {}, {}
    else:
        from landrenew.evaluation.by_place import evaluate_by_place

        placed = evaluate_by_place(parcels, zone_frame, as_of, projected_crs=projected_crs,
                                   evaluate=run, **options)
        result, packs, left_out = placed.result, placed.packs, placed.left_out
        pack = next(iter(placed.pack_objects.values()))
    out = EvaluationOutput(result, pack, as_of, Path(output) if output else None,
                           packs=packs, left_out=left_out)
    if output:
        if progress:
            progress("write", 0, 1)
        write_result(result, output)
        if progress:
            progress("write", 1, 1)
    if summary:
        out.summary_files = write_tables(summary_tables(result, pack, as_of), summary)
    out.seconds = time.perf_counter() - t0
    return out
