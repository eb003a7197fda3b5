"""Benchmark of the evaluation engine (not part of the test suite).

Side by side, on generated data (``landrenew.demo.generator``): parcels against four zone layers,
including very complex ecological red-line polygons:

(a) this engine — the full ``evaluate_frame`` (overlay + indicators + rules + reasons) and the
    overlay alone (``zone_ratios``);
(b) plain GeoPandas: ``dissolve`` + ``overlay(how="intersection")`` + ``groupby``;
(c) PostGIS: ``ST_Union`` + ``ST_Subdivide`` zones with a GiST index, ``ST_Intersection`` /
    ``ST_Area`` summed per parcel (load time reported separately, query timed).

Per-parcel ratios of (a) are checked against (c) (and (b)) to 1e-6.

``--hostile`` replaces the zones by hostile layers (``bench/hostile.py``: red lines of a few
polygons of 20 000+ jagged vertices, a jagged development boundary) and prints the time of each
preparation step per layer (clean, dissolve, subdivide, index, query + intersect), then the
whole evaluation against the PostGIS query, their ratio agreement and the peak memory.

    .venv/bin/python bench/evaluate.py --n 1000000
    .venv/bin/python bench/evaluate.py --n 200000 --skip-geopandas
    .venv/bin/python bench/evaluate.py --hostile --n 20000 --skip-geopandas --dsn postgresql://...
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import resource
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

KINDS = ("ecological_redline", "permanent_basic_farmland", "urban_development_boundary",
         "industrial_control_line")
CRS = 4547


def peak_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def generate(n: int, seed: int, vertices: int) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    from landrenew.demo.generator import generate_parcels, generate_zones

    parcels = generate_parcels(n, seed)
    zones = generate_zones(seed, parcels=parcels, complex_vertices=vertices)
    return parcels, zones[zones["kind"].isin(KINDS)].reset_index(drop=True)


def generate_hostile(n: int, seed: int, vertices: int) -> tuple[gpd.GeoDataFrame,
                                                                 gpd.GeoDataFrame]:
    from landrenew.demo.generator import generate_parcels

    sys.path.insert(0, str(Path(__file__).parent))
    from hostile import hostile_zones

    parcels = generate_parcels(n, seed)
    return parcels, hostile_zones(parcels, vertices=vertices,
                                  boundary_vertices=max(1000, vertices * 3 // 10))


def run_steps(parcels, zones, workers: int) -> dict:
    """Each preparation step per layer, then the query + exact intersections alone: wall time
    (``_s``) and this process's CPU time (``_cpu``, steadier on a shared machine)."""
    from landrenew.evaluation import overlay

    pp = np.asarray(parcels.to_crs(CRS).geometry.values, dtype=object)
    out: dict[str, dict] = {}
    for kind, g in zones.to_crs(CRS).groupby("kind"):
        geoms = np.asarray(g.geometry.values, dtype=object)
        step: dict[str, float | int] = {
            "input_vertices": int(shapely.get_num_coordinates(geoms).sum())}

        def timed(name: str, fn, *a, step=step, **kw):
            t, c = time.perf_counter(), time.process_time()
            res = fn(*a, **kw)
            step[f"{name}_s"] = round(time.perf_counter() - t, 3)
            step[f"{name}_cpu"] = round(time.process_time() - c, 3)
            return res

        if hasattr(overlay, "layer_pieces"):  # since issue 27: subdivide, then disjoin
            clean, source = timed("clean", overlay.clean_parts, geoms)
            cut, source = timed("subdivide", overlay.subdivide_parts, clean, source,
                                overlay.DEFAULT_MAX_VERTICES)
            disjoint = timed("dissolve", overlay.dissolve_overlaps, cut, source)
            pieces = timed("resubdivide", overlay.subdivide, disjoint,
                           overlay.DEFAULT_MAX_VERTICES)
            dissolved = clean
        else:
            clean = timed("clean", overlay.clean_polygons, geoms)
            dissolved = timed("dissolve", overlay.dissolve_overlaps, clean)
            pieces = timed("subdivide", overlay.subdivide, dissolved,
                           overlay.DEFAULT_MAX_VERTICES)
        index = timed("index", overlay.ZoneIndex.from_pieces, str(kind), pieces)
        timed("query_intersect", overlay.zone_ratios, pp, {str(kind): index}, workers=workers)
        step.update(parts=len(clean), dissolved=len(dissolved), pieces=len(pieces),
                    max_piece_vertices=int(shapely.get_num_coordinates(pieces).max()),
                    area_rel_diff_vs_union=float(abs(shapely.area(pieces).sum()
                                                     / shapely.union_all(geoms).area - 1)))
        out[str(kind)] = step
        print(json.dumps({kind: step}), flush=True)
    return out


def run_engine(parcels, zones, workers: int) -> tuple[dict, pd.DataFrame]:
    from landrenew.evaluation.engine import evaluate_frame
    from landrenew.evaluation.loader import load_pack
    from landrenew.evaluation.overlay import zone_ratios

    pack = load_pack("jiangmen")
    t = time.perf_counter()
    res = evaluate_frame(parcels, zones, pack, dt.date(2024, 6, 30), CRS, workers=workers)
    full = time.perf_counter() - t
    pp = parcels.to_crs(CRS)
    zp = zones.to_crs(CRS)
    t = time.perf_counter()
    ratios = zone_ratios(pp.geometry.values, {k: g.geometry.values for k, g in zp.groupby("kind")},
                         workers=workers)
    overlay = time.perf_counter() - t
    stats = {"full_evaluate_s": full, "overlay_s": overlay,
             "low_efficiency": int(res["is_low_efficiency"].sum()), "peak_gib": peak_gib()}
    return stats, ratios


def run_geopandas(parcels, zones) -> tuple[float, pd.DataFrame]:
    pp = parcels[["parcel_code", "geometry"]].to_crs(CRS)
    pp["area"] = pp.area
    zp = zones.to_crs(CRS)
    t = time.perf_counter()
    out = pd.DataFrame(index=pp["parcel_code"])
    for kind in KINDS:
        z = zp[zp["kind"] == kind][["geometry"]].dissolve()
        inter = gpd.overlay(pp, z, how="intersection", keep_geom_type=True)
        s = inter.area.groupby(inter["parcel_code"]).sum()
        out[f"ratio_{kind}"] = (s.reindex(out.index).fillna(0.0) / pp.set_index(
            "parcel_code")["area"]).to_numpy()
    return time.perf_counter() - t, out.reset_index(drop=True)


def run_postgis(parcels, zones, dsn: str) -> tuple[dict, pd.DataFrame]:
    import psycopg

    pp = parcels.to_crs(CRS)
    zp = zones.to_crs(CRS)
    stats: dict[str, float] = {}
    with psycopg.connect(dsn, autocommit=True) as con:
        con.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        con.execute("DROP TABLE IF EXISTS bench_parcels, bench_zones, bench_zones_sub")
        con.execute("CREATE UNLOGGED TABLE bench_parcels (id int, geom geometry(Polygon, 4547))")
        con.execute("CREATE UNLOGGED TABLE bench_zones (kind text, geom geometry(Geometry, 4547))")
        t = time.perf_counter()
        for table, frame, cols in (("bench_parcels", pp, "id"), ("bench_zones", zp, "kind")):
            first = np.arange(len(frame)) if cols == "id" else frame["kind"].to_numpy()
            wkb = shapely.to_wkb(frame.geometry.values, hex=True, include_srid=False)
            buf = io.StringIO("".join(f"{a}\t{w}\n" for a, w in zip(first, wkb, strict=True)))
            with con.cursor().copy(f"COPY {table} ({cols}, geom) FROM STDIN") as cp:
                cp.write(buf.getvalue())
        con.execute("UPDATE bench_zones SET geom = ST_SetSRID(geom, 4547)")
        stats["load_s"] = time.perf_counter() - t
        t = time.perf_counter()
        con.execute("""CREATE UNLOGGED TABLE bench_zones_sub AS
            SELECT kind, ST_Subdivide((ST_Dump(ST_UnaryUnion(ST_Collect(geom)))).geom, 256) AS geom
            FROM bench_zones GROUP BY kind""")
        con.execute("CREATE INDEX ON bench_zones_sub USING gist (geom)")
        con.execute("CREATE INDEX ON bench_parcels USING gist (geom)")
        con.execute("ANALYZE bench_parcels; ANALYZE bench_zones_sub")
        stats["prepare_s"] = time.perf_counter() - t
        t = time.perf_counter()
        rows = con.execute("""
            SELECT p.id, z.kind,
                   SUM(CASE WHEN ST_Within(p.geom, z.geom) THEN ST_Area(p.geom)
                            ELSE ST_Area(ST_Intersection(p.geom, z.geom)) END) / ST_Area(p.geom)
            FROM bench_parcels p JOIN bench_zones_sub z ON ST_Intersects(p.geom, z.geom)
            GROUP BY p.id, z.kind, p.geom""").fetchall()
        stats["query_s"] = time.perf_counter() - t
        con.execute("DROP TABLE IF EXISTS bench_parcels, bench_zones, bench_zones_sub")
    df = pd.DataFrame(rows, columns=["id", "kind", "ratio"])
    wide = df.pivot(index="id", columns="kind", values="ratio").reindex(range(len(pp)))
    out = pd.DataFrame({f"ratio_{k}": wide[k].fillna(0.0).to_numpy() if k in wide else 0.0
                        for k in KINDS})
    return stats, out


def max_diff(a: pd.DataFrame, b: pd.DataFrame) -> float:
    cols = [c for c in a.columns if c in b.columns]
    return float(np.nanmax(np.abs(a[cols].to_numpy(float) - b[cols].to_numpy(float))))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--complex-vertices", type=int, default=20_000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--skip-geopandas", action="store_true")
    ap.add_argument("--hostile", action="store_true",
                    help="hostile zone layers (bench/hostile.py) and per-step times")
    ap.add_argument("--skip-postgis", action="store_true")
    ap.add_argument("--geopandas-n", type=int, default=20_000,
                    help="run the GeoPandas baseline on the first N parcels only and extrapolate "
                         "linearly (it is far too slow for 1M)")
    ap.add_argument("--dsn", default="postgresql://postgres@127.0.0.1:5432/test")
    ap.add_argument("--out", default="bench/out/evaluate.json")
    args = ap.parse_args()

    t = time.perf_counter()
    parcels, zones = (generate_hostile if args.hostile else generate)(
        args.n, args.seed, args.complex_vertices)
    report: dict = {"n": args.n, "zones": len(zones),
                    "zone_vertices": int(shapely.get_num_coordinates(zones.geometry.values).sum()),
                    "max_zone_vertices": int(shapely.get_num_coordinates(
                        zones.geometry.values).max()),
                    "generate_s": time.perf_counter() - t}
    print(json.dumps(report), flush=True)
    if args.hostile:
        report["steps"] = run_steps(parcels, zones, args.workers)
    report["engine"], ours = run_engine(parcels, zones, args.workers)
    ours = ours.reindex(columns=[f"ratio_{k}" for k in KINDS]).fillna(0.0)
    print(json.dumps(report["engine"]), flush=True)
    if not args.skip_postgis:
        report["postgis"], pg = run_postgis(parcels, zones, args.dsn)
        report["postgis"]["max_abs_ratio_diff_vs_engine"] = max_diff(ours, pg)
        report["postgis"]["engine_full_speedup_vs_query"] = (
            report["postgis"]["query_s"] / report["engine"]["full_evaluate_s"])
        print(json.dumps(report["postgis"]), flush=True)
    if not args.skip_geopandas:
        m = min(args.geopandas_n, len(parcels))
        secs, gp = run_geopandas(parcels.iloc[:m], zones)
        report["geopandas"] = {"parcels": m, "overlay_groupby_s": secs,
                               "extrapolated_s": secs * len(parcels) / m,
                               "max_abs_ratio_diff_vs_engine": max_diff(ours.iloc[:m], gp)}
        print(json.dumps(report["geopandas"]), flush=True)
    report["peak_gib"] = peak_gib()
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    sys.exit(main())
