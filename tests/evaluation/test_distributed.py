"""The Dask engine on a local 2-worker dask.distributed cluster gives the local engine's result."""

from __future__ import annotations

import datetime as dt

import distributed
import pandas as pd

from landrenew.evaluation.distributed import evaluate_dask
from landrenew.evaluation.engine import evaluate_frame
from landrenew.evaluation.loader import load_pack


def test_dask_cluster_matches_local_engine():
    from landrenew.demo.generator import generate_parcels, generate_zones

    parcels = generate_parcels(3000, 7)
    zones = generate_zones(7, parcels=parcels, complex_vertices=600)
    pack = load_pack("jiangmen")
    as_of = dt.date(2024, 6, 30)
    local = evaluate_frame(parcels, zones, pack, as_of)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        remote = evaluate_dask(parcels, zones, pack, as_of, client=client, npartitions=4)
    assert remote.attrs["engine"] == "dask"
    pd.testing.assert_frame_equal(pd.DataFrame(local.drop(columns="geometry")),
                                  pd.DataFrame(remote.drop(columns="geometry")))
    assert local["is_low_efficiency"].any()
