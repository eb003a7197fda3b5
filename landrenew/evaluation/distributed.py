"""The Dask engine (分布式计算): the same evaluation applied per spatial partition.

Parcels are projected once, split into dask-geopandas partitions ordered along a Hilbert curve
(so that each partition covers a compact area), and every partition runs exactly the local code
path (:func:`~landrenew.evaluation.overlay.zone_ratios` + :func:`~landrenew.evaluation.engine.assemble`).
Zone layers are dissolved and subdivided once on the client and shipped to the workers as one
graph key. Results are reassembled in input order, so they are identical to the local engine.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import dask
import dask_geopandas
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from landrenew.evaluation.engine import (
    assemble,
    choose_crs,
    project_parcels,
    zones_by_kind,
)
from landrenew.evaluation.fields import prepare_parcels
from landrenew.evaluation.loader import pack_for_date
from landrenew.evaluation.overlay import DEFAULT_MAX_VERTICES, ZoneIndex, zone_ratios
from landrenew.evaluation.packs import RulePack

_ROW = "__row__"


def _partition(part: gpd.GeoDataFrame, pieces: Mapping[str, np.ndarray], pack: RulePack,
               as_of: dt.date) -> pd.DataFrame:
    """Evaluate one partition (runs on a worker)."""
    # own copies: workers may run several partitions on threads sharing ``pieces``
    index = {k: ZoneIndex.from_pieces(k, v) for k, v in pieces.items()}
    geoms = np.asarray(part.geometry.values, dtype=object)
    ratios = zone_ratios(geoms, index, index=part.index)
    res = assemble(part, shapely.area(geoms), ratios, pack, as_of)
    res[_ROW] = part[_ROW].to_numpy()
    return res


def evaluate_dask(parcels: gpd.GeoDataFrame,
                  zones: gpd.GeoDataFrame | Mapping[str, gpd.GeoSeries] | None,
                  pack: RulePack, as_of: dt.date, projected_crs: str | int | CRS | None = None,
                  *, scheduler: str | None = None, client: object | None = None,
                  npartitions: int | None = None, max_vertices: int = DEFAULT_MAX_VERTICES,
                  source: str | None = None) -> gpd.GeoDataFrame:
    """Like :func:`~landrenew.evaluation.engine.evaluate_frame`, on Dask.

    ``scheduler`` is a ``dask.distributed`` scheduler address (``tcp://host:8786``); ``client``
    an existing ``distributed.Client``; with neither, Dask's current default scheduler is used.
    """
    pack_for_date(pack, as_of)
    df = prepare_parcels(parcels, source)
    crs = choose_crs(df, projected_crs)
    geoms, repairs = project_parcels(df, crs, source)
    pieces = {k: ZoneIndex.build(k, v, max_vertices).pieces
              for k, v in zones_by_kind(zones, pack, crs, source).items()}
    work = gpd.GeoDataFrame(df.drop(columns=[df.geometry.name]).reset_index(drop=True),
                            geometry=gpd.GeoSeries(geoms, crs=crs), crs=crs)
    work[_ROW] = np.arange(len(work))
    nparts = npartitions or max(1, min(256, len(work) // 50_000 + 1))
    ddf = dask_geopandas.from_geopandas(work, npartitions=nparts)
    if nparts > 1:
        ddf = ddf.spatial_shuffle(by="hilbert", npartitions=nparts)
    meta = _partition(work.iloc[:0], pieces, pack, as_of)
    task = ddf.map_partitions(_partition, dask.delayed(pieces), pack, as_of, meta=meta)
    if client is None and scheduler:
        from distributed import Client

        with Client(scheduler) as c:
            res = c.compute(task).result()
    elif client is not None:
        res = client.compute(task).result()  # type: ignore[attr-defined]
    else:
        res = task.compute()
    res = pd.DataFrame(res).sort_values(_ROW).drop(columns=[_ROW])
    res.index = df.index
    out = pd.concat([df, res], axis=1)
    if any(r is not None for r in repairs):
        out["geometry_repair"] = pd.Series(repairs, index=df.index, dtype=object)
    out = gpd.GeoDataFrame(out, geometry=df.geometry.name, crs=df.crs)
    out.attrs.update({"pack_id": pack.id, "pack_version": pack.version,
                      "as_of": as_of.isoformat(), "projected_crs": crs.to_string(),
                      "engine": "dask"})
    return out
