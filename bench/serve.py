"""Benchmark: the platform under load on a 1 000 000-parcel database (issue 4's speed targets).

For each backend (SQLite, PostGIS) it builds the demo city at the given size (districts, zones,
parcels, the Jiangmen evaluation run, demo accounts; ``--reuse`` keeps an existing one), starts
``uvicorn`` in its own process, and then:

0. seeds the tile pyramid to zoom 14 with ``landrenew tiles seed`` (as a deployment does after an
   import or an evaluation run) and prints how long it took (``--no-seed`` skips it);
1. renders zoom-15 tiles (not seeded) one at a time: the cost of a tile nobody asked for yet;
2. runs ``wrk`` from a second process on loopback with 50 connections for each scenario, the
   paths drawn at random from a pool built from real parcel locations:

   - ``/tiles/parcels/14/x/y.mvt`` (target p95 ≤ 50 ms) and ``/tiles/parcels/10/x/y.mvt``
     (≤ 300 ms), anonymous;
   - ``/api/parcels?limit=100&after=…`` (keyset pages, ≤ 50 ms) with a bearer token, and for
     comparison ``offset=…`` pages up to 100 000 deep;
   - ``/ogc/collections/parcels/items?limit=1000&bbox=…`` (≤ 300 ms).

It prints a table of p50/p95/p99, requests per second and failures.

How to read the percentiles: two readings are printed. **Per request** is what the script times
itself for every request (wrk_urls.lua: from writing the request to its complete response; wrk
runs one thread per connection so that this is exact): p95 is the latency that 95 % of the
requests met. **Corrected** is wrk's own: wrk 4.1 (Debian's) corrects its histogram for
coordinated omission before it reports (``stats_correct`` in wrk.c): a request that took L adds
samples at L − E, L − 2E, … where E is the mean time between one connection's requests. A stall
therefore weighs by its length, not by how few requests it held: measured against a server that
answers in 4 ms but holds its first 1000 requests 0.2 s (1.6 % of 64 000 requests), wrk printed
p95 171 ms. It reads as the latency a client arriving at a random moment would meet, and is met
only when the connections spend less than about 5 % of the run beyond the target, so the first
seconds of a run, while each worker makes the pages it does not keep yet, decide it for the list
and OGC scenarios. The table says of each reading whether it met the target. Issue 4's targets are
the p95 of the requests under that load, as it allows them to be timed by "a bounded Python load
script": the per-request reading.

The shared page store is emptied first, so that every OGC page is made during the run: a server
whose data has just changed. Making the run's 500 distinct 1000-feature pages then takes about
ten seconds of two cores, while the 50 connections wait for them: that start alone puts the
corrected p95 of the OGC scenario at 300 ms or above in almost every run. ``--keep-pages`` leaves the page store as an
earlier run filled it: a server restarted on unchanged data.

    .venv/bin/python bench/serve.py --parcels 1000000 [--backend sqlite|postgis|both]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
PG_SERVER = os.environ.get("LANDRENEW_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
TARGETS_MS = {"tiles z14": 50, "tiles z10": 300, "api parcels": 50, "api offset": 50,
              "ogc items 1000": 300}
ACCOUNT = ("city", "demo-city-2024")


def psql(sql: str, db: str = "postgres") -> None:
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", db, "-qc", sql],
                   check=True, stdout=subprocess.DEVNULL)


def build(url: str, parcels: int) -> None:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "landrenew", "--db", url, "demo", "--parcels",
                    str(parcels), "--no-serve", "--force"], check=True,
                   stdout=subprocess.DEVNULL)
    print(f"  built the demo city with {parcels:,} parcels in {time.perf_counter() - start:.0f} s",
          flush=True)


def has_parcels(url: str, parcels: int) -> bool:
    from sqlalchemy import create_engine, text

    try:
        engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
        with engine.connect() as conn:
            n = conn.scalar(text("SELECT count(*) FROM parcel_versions WHERE valid_to IS NULL"))
            runs = conn.scalar(text("SELECT count(*) FROM evaluation_runs"))
        engine.dispose()
        return bool(n and n >= parcels and runs)
    except Exception:
        return False


def seed_tiles(url: str, max_zoom: int) -> None:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "landrenew", "--db", url, "tiles", "seed",
                    "--max-zoom", str(max_zoom)], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    print(f"  seeded the tile pyramid to zoom {max_zoom} in {time.perf_counter() - start:.0f} s",
          flush=True)


def clear_pages(url: str) -> None:
    """Empty the shared page store, so that every OGC page is made during this run (a page
    store filled by an earlier run of the same data would otherwise answer from the start).

    On PostgreSQL with ``TRUNCATE``: a ``DELETE`` leaves every page's row and its TOAST chunks
    dead until a vacuum, and where autovacuum is off (as on this project's test machines) each
    run's 500 pages piled up behind the index entries the next run's reads walk through (6 328
    dead rows after a dozen runs), so that runs got slower one after the other."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as conn:
        empty = "TRUNCATE page_store" if engine.dialect.name == "postgresql" else \
            "DELETE FROM page_store"
        conn.execute(text(empty))
    engine.dispose()


def sample_codes(url: str, n: int, seed: int) -> list[str]:
    from sqlalchemy import create_engine, text

    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as conn:
        codes = conn.execute(text("SELECT parcel_code FROM parcel_versions "
                                  "WHERE valid_to IS NULL")).scalars().all()
    engine.dispose()
    return random.Random(seed).sample(list(codes), min(n, len(codes)))


def sample_points(url: str, n: int, seed: int) -> list[tuple[float, float]]:
    from sqlalchemy import create_engine, text

    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as conn:
        total = conn.scalar(text("SELECT max(id) FROM parcel_versions"))
        rng = random.Random(seed)
        ids = ",".join(str(rng.randint(1, total)) for _ in range(n * 2))
        rows = conn.execute(text(f"SELECT minx, miny, maxx, maxy FROM parcel_versions "
                                 f"WHERE id IN ({ids}) AND valid_to IS NULL")).all()
    engine.dispose()
    return [((a + c) / 2, (b + d) / 2) for a, b, c, d in rows][:n]


def tile_for(lon: float, lat: float, z: int) -> tuple[int, int]:
    from landrenew.serving.tiles import tile_for as tf

    return tf(lon, lat, z)


def start_server(url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "LANDRENEW_DATABASE_URL": url.replace("postgresql://",
                                                               "postgresql+psycopg://")}
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "--factory",
                             "landrenew.server:create_app", "--host", "127.0.0.1", "--port",
                             str(port), "--workers", str(workers), "--log-level", "warning",
                             "--no-access-log"], env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit("the server did not start")


def wrk(base: str, paths: list[str], token: str, connections: int, duration: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as fh:
        fh.write("\n".join(paths))
        pool = fh.name
    # one wrk thread per connection, so that the script can time each request exactly (its
    # request() and response() then alternate for one connection: see wrk_urls.lua)
    out = subprocess.run(["wrk", f"-t{connections}", f"-c{connections}", f"-d{duration}s",
                          "--timeout", "30s", "-s", str(HERE / "wrk_urls.lua"), base, "--", pool, token],
                         capture_output=True, text=True, check=True)
    os.unlink(pool)
    line = next(x for x in out.stdout.splitlines() if x.startswith("JSON "))
    r = json.loads(line[5:])
    r["rps"] = r["requests"] / (r["duration_us"] / 1e6)
    return r


def cold_tiles(base: str, paths: list[str], headers: dict[str, str] | None = None
               ) -> list[float]:
    """Milliseconds per request, one at a time, each path asked for the first time."""
    times = []
    with httpx.Client(base_url=base, timeout=120, headers=headers) as client:
        for p in paths:
            t = time.perf_counter()
            r = client.get(p)
            times.append((time.perf_counter() - t) * 1000)
            assert r.status_code in (200, 204), (p, r.status_code, r.text[:200])
    return times


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else values[0]


def bench_backend(name: str, url: str, args: argparse.Namespace) -> list[tuple]:
    print(f"\n== {name}: {url}", flush=True)
    if not (args.reuse and has_parcels(url, args.parcels)):
        build(url, args.parcels)
    if not args.no_seed:
        seed_tiles(url, 14)
    if not args.keep_pages:
        clear_pages(url)
    codes = sample_codes(url, 500, args.seed)
    points = sample_points(url, 3000, args.seed)
    z14 = sorted({tile_for(x, y, 14) for x, y in points})
    z10 = sorted({tile_for(x, y, 10) for x, y in points})
    port = 8700 + (0 if name == "sqlite" else 1)
    base = f"http://127.0.0.1:{port}"
    proc = start_server(url, port, args.workers)
    rows: list[tuple] = []
    try:
        token = httpx.post(f"{base}/api/auth/token", data={"username": ACCOUNT[0],
                                                           "password": ACCOUNT[1]}).json()
        token = token["access_token"]
        rng = random.Random(args.seed)
        # 1. cold tiles, one at a time: zoom 15 is not seeded, so these are rendered now
        z15 = sorted({tile_for(x, y, 15) for x, y in points})
        cold15 = cold_tiles(base, [f"/tiles/parcels/15/{x}/{y}.mvt" for x, y in
                                   rng.sample(z15, min(40, len(z15)))])
        first14 = cold_tiles(base, [f"/tiles/parcels/14/{x}/{y}.mvt" for x, y in
                                    rng.sample(z14, min(40, len(z14)))])
        print(f"  unseeded z15 tiles rendered on request: p50 {pct(cold15, 50):.0f} ms, "
              f"p95 {pct(cold15, 95):.0f} ms, max {max(cold15):.0f} ms ({len(cold15)} tiles)")
        print(f"  seeded z14 tiles, first request (from the tile store): p50 "
              f"{pct(first14, 50):.1f} ms, p95 {pct(first14, 95):.1f} ms")
        cold_ogc = cold_tiles(base, [
            f"/ogc/collections/parcels/items?limit=1000&bbox={x - 0.02:.5f},{y - 0.02:.5f},"
            f"{x + 0.02:.5f},{y + 0.02:.5f}" for x, y in points[500:540]])
        made = "read from the page store" if args.keep_pages else "asked for the first time"
        print(f"  OGC items pages of 1000 {made}, one at a time: p50 "
              f"{pct(cold_ogc, 50):.0f} ms, p95 {pct(cold_ogc, 95):.0f} ms")
        cold_api = cold_tiles(base, [f"/api/parcels?limit=100&after={c}" for c in
                                     sample_codes(url, 540, args.seed + 1)[500:]],
                              {"Authorization": f"Bearer {token}"})
        print(f"  /api/parcels pages of 100 asked for the first time, one at a time: p50 "
              f"{pct(cold_api, 50):.1f} ms, p95 {pct(cold_api, 95):.1f} ms")
        total = httpx.get(f"{base}/api/parcels?limit=1", headers={
            "Authorization": f"Bearer {token}"}).json()["total"]
        scenarios = {
            "tiles z14": ([f"/tiles/parcels/14/{x}/{y}.mvt" for x, y in z14], ""),
            "tiles z10": ([f"/tiles/parcels/10/{x}/{y}.mvt" for x, y in z10], ""),
            "api parcels": ([f"/api/parcels?limit=100&after={c}" for c in codes], token),
            "api offset": ([f"/api/parcels?limit=100&offset="
                            f"{rng.randrange(0, min(total, 100_000) // 100) * 100}"
                            for _ in range(500)], token),
            "ogc items 1000": ([f"/ogc/collections/parcels/items?limit=1000&bbox="
                                f"{x - 0.02:.5f},{y - 0.02:.5f},{x + 0.02:.5f},{y + 0.02:.5f}"
                                for x, y in points[:500]], ""),
        }
        for label, (paths, tok) in scenarios.items():
            if args.only and label not in args.only:
                continue
            r = wrk(base, paths, tok, args.connections, args.duration)
            rows.append((name, label, len(set(paths)), r["req_p50"] / 1000,
                         r["req_p95"] / 1000, r["p95"] / 1000, r["req_p99"] / 1000, r["rps"],
                         r["non_2xx"] + r["socket_errors"], TARGETS_MS[label]))
            print(f"  {label:<15} per request: p50 {r['req_p50'] / 1000:7.1f} ms  p95 "
                  f"{r['req_p95'] / 1000:7.1f} ms  p99 {r['req_p99'] / 1000:7.1f} ms  max "
                  f"{r['req_max'] / 1000:7.0f} ms;  corrected: p50 {r['p50'] / 1000:7.1f} ms  "
                  f"p95 {r['p95'] / 1000:7.1f} ms  p99 {r['p99'] / 1000:7.1f} ms;  "
                  f"{r['rps']:7.0f} req/s  failures {r['non_2xx'] + r['socket_errors']}  "
                  f"(target p95 ≤ {TARGETS_MS[label]} ms)", flush=True)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--parcels", type=int, default=1_000_000)
    ap.add_argument("--backend", choices=["sqlite", "postgis", "both"], default="both")
    ap.add_argument("--workdir", default=str(HERE / "out" / "serve"))
    ap.add_argument("--reuse", action="store_true", help="keep a database already built")
    ap.add_argument("--connections", type=int, default=50)
    ap.add_argument("--duration", type=int, default=20, help="seconds per scenario")
    ap.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--no-seed", action="store_true", help="do not seed the tile pyramid")
    ap.add_argument("--only", nargs="*", help="scenarios to run (default all)")
    ap.add_argument("--keep-pages", action="store_true",
                    help="do not empty the shared page store first: the OGC pages an earlier "
                         "run made for the same data are read from it, as after a restart "
                         "(default: every page is made during the run)")
    args = ap.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed for the load (Debian: apt-get install wrk)")
    Path(args.workdir).mkdir(parents=True, exist_ok=True)
    rows = []
    if args.backend in ("sqlite", "both"):
        rows += bench_backend("sqlite", f"sqlite:///{Path(args.workdir) / f'serve-{args.parcels}.db'}",
                              args)
    if args.backend in ("postgis", "both"):
        db = f"landrenew_bench_serve_{args.parcels}"
        url = PG_SERVER.rsplit("/", 1)[0] + "/" + db
        if not (args.reuse and has_parcels(url, args.parcels)):
            psql(f"DROP DATABASE IF EXISTS {db}")
            psql(f"CREATE DATABASE {db}")
            psql("CREATE EXTENSION postgis", db=db)
        rows += bench_backend("postgis", url, args)
    print(f"\n{args.parcels:,} parcels, {args.connections} connections, {args.workers} workers, "
          f"{args.duration} s per scenario")
    print("p50, p95, p99: per request; p95 corr.: wrk's, corrected for coordinated omission")
    print(f"{'backend':<8} {'scenario':<15} {'paths':>6} {'p50 ms':>8} {'p95 ms':>8} "
          f"{'p95 corr.':>9} {'p99 ms':>8} {'req/s':>8} {'fail':>5}  target")
    for b, label, n, p50, p95, corrected, p99, rps, fail, target in rows:
        ok = "met" if p95 <= target and not fail else "NOT met"
        ok_corrected = "met" if corrected <= target and not fail else "NOT met"
        print(f"{b:<8} {label:<15} {n:>6} {p50:>8.1f} {p95:>8.1f} {corrected:>9.1f} {p99:>8.1f} "
              f"{rps:>8.0f} {fail:>5}  p95 ≤ {target} ms: {ok} per request, "
              f"{ok_corrected} corrected")


if __name__ == "__main__":
    main()
