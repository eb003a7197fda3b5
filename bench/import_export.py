"""Benchmark: 1 000 000 generated parcels GeoPackage → SQLite and → PostGIS, and back out,
side by side with ``ogr2ogr`` loading the same GeoPackage into PostGIS.

Each step runs in its own process so that its wall time and peak memory (max RSS) are its own.
Targets (issue 2): ≤ 60 s into SQLite, ≤ 120 s into PostGIS, peak memory ≤ 4 GiB, and no slower
than ogr2ogr.

    .venv/bin/python bench/import_export.py --parcels 1000000
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PG_SERVER = os.environ.get("LANDRENEW_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
LANDRENEW = [sys.executable, "-m", "landrenew"]


def run(label: str, cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Run a command; returns (seconds, peak RSS in MiB) of that process alone."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    err = proc.stderr.read().decode() if proc.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        print(err[-3000:], file=sys.stderr)
        raise SystemExit(f"{label} failed")
    peak = usage.ru_maxrss / 1024
    print(f"  {label:<38} {seconds:8.1f} s   peak {peak:8.0f} MiB", flush=True)
    return seconds, peak


def psql(sql: str, db: str = "postgres") -> None:
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", db, "-qc", sql], check=True,
                   stdout=subprocess.DEVNULL)


def fresh_pg(name: str) -> str:
    psql(f"DROP DATABASE IF EXISTS {name}")
    psql(f"CREATE DATABASE {name}")
    psql("CREATE EXTENSION postgis", db=name)
    return f"postgresql://postgres@127.0.0.1:5432/{name}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--parcels", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--workdir", default=None)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    work = Path(args.workdir or tempfile.mkdtemp(prefix="landrenew-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    gpkg = work / "parcels.gpkg"
    print(f"landrenew import/export benchmark: {args.parcels:,} parcels, workdir {work}")
    gen = ("from landrenew.demo.generator import generate_parcels;"
           f"g=generate_parcels({args.parcels}, {args.seed});"
           f"g.to_file(r'{gpkg}', layer='parcels', engine='pyogrio')")
    results: dict[str, tuple[float, float]] = {}
    if not gpkg.exists():
        results["generate + write GeoPackage"] = run("generate + write GeoPackage",
                                                     [sys.executable, "-c", gen])
    sqlite_db = work / "bench.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{sqlite_db}{suffix}").unlink(missing_ok=True)
    sqlite_url = f"sqlite:///{sqlite_db}"
    env = {"LANDRENEW_PROJECTED_CRS": "EPSG:4547"}
    run("db upgrade (sqlite)", [*LANDRENEW, "--db", sqlite_url, "db", "upgrade"])
    results["import → SQLite"] = run("import GeoPackage → SQLite",
                                     [*LANDRENEW, "--db", sqlite_url, "import", "parcels", str(gpkg)],
                                     env)
    pg_url = fresh_pg("landrenew_bench")
    run("db upgrade (postgis)", [*LANDRENEW, "--db", pg_url, "db", "upgrade"])
    results["import → PostGIS"] = run("import GeoPackage → PostGIS",
                                      [*LANDRENEW, "--db", pg_url, "import", "parcels", str(gpkg)], env)
    out1, out2 = work / "out-sqlite.gpkg", work / "out-postgis.gpkg"
    results["export SQLite → GeoPackage"] = run(
        "export SQLite → GeoPackage", [*LANDRENEW, "--db", sqlite_url, "export", "parcels", str(out1)])
    results["export PostGIS → GeoPackage"] = run(
        "export PostGIS → GeoPackage", [*LANDRENEW, "--db", pg_url, "export", "parcels", str(out2)])
    if shutil.which("ogr2ogr"):
        ogr_db = fresh_pg("landrenew_bench_ogr")
        name = ogr_db.rsplit("/", 1)[1]
        results["ogr2ogr → PostGIS"] = run("ogr2ogr GeoPackage → PostGIS", [
            "ogr2ogr", "-f", "PostgreSQL", f"PG:host=127.0.0.1 user=postgres dbname={name}",
            str(gpkg), "parcels", "-nln", "parcels_ogr", "-t_srs", "EPSG:4490",
            "-lco", "GEOMETRY_NAME=geom", "-lco", "SPATIAL_INDEX=GIST", "-gt", "65536",
            "--config", "PG_USE_COPY", "YES"])
        results["ogr2ogr PostGIS → GeoPackage"] = run("ogr2ogr PostGIS → GeoPackage", [
            "ogr2ogr", "-f", "GPKG", str(work / "out-ogr.gpkg"),
            f"PG:host=127.0.0.1 user=postgres dbname={name}", "parcels_ogr"])
    else:
        print("  ogr2ogr not found (apt-get install gdal-bin) — comparison skipped")
    print("\nsummary (targets: SQLite ≤ 60 s, PostGIS ≤ 120 s, peak ≤ 4096 MiB, not slower than ogr2ogr)")
    for label, (sec, peak) in results.items():
        print(f"  {label:<32} {sec:8.1f} s {peak:8.0f} MiB")
    if "ogr2ogr → PostGIS" in results:
        ratio = results["import → PostGIS"][0] / results["ogr2ogr → PostGIS"][0]
        print(f"  landrenew / ogr2ogr load time: {ratio:.2f}×")
    if not args.keep and args.workdir is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
