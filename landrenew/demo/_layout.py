"""Spatial layout of the synthetic demo (演示数据空间布局): towns, protected areas, blocks, cells.

Everything is computed in the projected CGCS2000 3-degree Gauss-Krüger zone CM 114°E
(EPSG:4547), then reprojected to EPSG:4490 by the caller.

Layout model: a *landscape* (towns, ecological red-line and farmland base shapes) depends only
on the seed and the districts. Parcels are placed in square *blocks* (街区/园区, side ``B``) on a
per-district jittered grid; a block holds one kind of cluster (industrial park, urban quarter,
village, quarry) and a ``k × k`` grid of cells, one parcel per cell. A block is rotated by at most
12° and its content uses at most 80 % of its side, so blocks never overlap each other and,
because block centres are kept ``0.72·B`` inside the district, never leave their district.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import shapely

PROJECTED_EPSG = 4547
BLOCK_M = 800.0  # block side at full scale (f = 1)
CONTENT = 0.8  # share of the block side a cluster may use
MAX_TILT = np.deg2rad(12.0)
INSET = 0.72  # block centres this many block sides inside the district (> √2 / 2)

#: Approximate town centres (lon, lat, WGS84) of the seven Jiangmen districts' seats.
DISTRICT_SEATS: dict[str, tuple[float, float]] = {
    "440703": (113.08, 22.60),
    "440704": (113.12, 22.56),
    "440705": (113.03, 22.52),
    "440781": (112.79, 22.25),
    "440783": (112.69, 22.37),
    "440784": (112.96, 22.77),
    "440785": (112.31, 22.19),
}

#: Cluster groups: share of parcels, cell side (m at f = 1), parcels per block.
GROUPS: tuple[str, ...] = ("industrial", "urban", "village", "mining")
GROUP_SHARES = np.array([0.46, 0.31, 0.22, 0.01])


def stream(seed: int, name: str) -> np.random.Generator:
    """An independent, reproducible random stream per purpose."""
    key = int.from_bytes(name.encode("utf-8")[:8].ljust(8, b"\0"), "little")
    return np.random.default_rng(np.random.SeedSequence([seed, key]))


@dataclass(frozen=True)
class Star:
    """A star-shaped blob (used for red-line and farmland base shapes)."""

    x: float
    y: float
    radius: float
    amps: np.ndarray
    phases: np.ndarray
    district: int

    def polygon(self, vertices: int = 128, rough: float = 0.0, seed: int = 0) -> shapely.Polygon:
        """Polygon with ``vertices`` vertices; ``rough`` > 0 adds a fractal edge (valid: r > 0)."""
        theta = np.linspace(0.0, 2.0 * np.pi, vertices, endpoint=False)
        k = np.arange(1, len(self.amps) + 1)[:, None]
        r = 1.0 + (self.amps[:, None] * np.sin(k * theta + self.phases[:, None])).sum(axis=0)
        if rough > 0.0 and vertices > 64:
            rng = np.random.default_rng(seed)
            freqs = np.arange(vertices // 2 + 1, dtype="float64")
            spec = (rng.normal(size=freqs.size) + 1j * rng.normal(size=freqs.size))
            spec *= np.where(freqs >= 8, np.maximum(freqs, 1.0) ** -1.1, 0.0)
            noise = np.fft.irfft(spec, n=vertices)
            r += rough * noise / max(np.abs(noise).max(), 1e-12)
        r = np.maximum(r, 0.2) * self.radius
        ring = np.column_stack([self.x + r * np.cos(theta), self.y + r * np.sin(theta)])
        return shapely.Polygon(ring)


@dataclass(frozen=True)
class Landscape:
    """Seed-only context: districts (EPSG:4547), towns, protected base shapes."""

    codes: np.ndarray
    names: np.ndarray
    geoms: np.ndarray  # district polygons in EPSG:4547
    towns: np.ndarray  # (t, 4): x, y, weight, scale (m)
    red: list[Star]
    farm: list[Star]
    exclusion: shapely.Geometry  # union of low-resolution red-line and farmland shapes


def _sample_inside(rng: np.random.Generator, geom: shapely.Geometry, k: int,
                   keep=None, tries: int = 40) -> np.ndarray:
    """``k`` points drawn uniformly in ``geom`` (rejection sampling in its bounding box)."""
    minx, miny, maxx, maxy = geom.bounds
    shapely.prepare(geom)
    out: list[np.ndarray] = []
    got = 0
    for _ in range(tries):
        x = rng.uniform(minx, maxx, 4096)
        y = rng.uniform(miny, maxy, 4096)
        ok = shapely.contains_xy(geom, x, y)
        if keep is not None:
            ok &= keep(x, y)
        pts = np.column_stack([x[ok], y[ok]])
        out.append(pts)
        got += len(pts)
        if got >= k:
            break
    pts = np.concatenate(out) if out else np.empty((0, 2))
    return pts[:k]


def _far_from(towns: np.ndarray, min_dist: float):
    def keep(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        d = np.hypot(x[:, None] - towns[None, :, 0], y[:, None] - towns[None, :, 1])
        return (d > min_dist).all(axis=1)
    return keep


def _stars(rng: np.random.Generator, pts: np.ndarray, district: int, rmin: float, rmax: float,
           wobble: float) -> list[Star]:
    stars = []
    for x, y in pts:
        amps = rng.uniform(0.0, 1.0, 6) / np.arange(1, 7)
        amps *= wobble / amps.sum()
        stars.append(Star(float(x), float(y), float(rng.uniform(rmin, rmax)), amps,
                          rng.uniform(0.0, 2.0 * np.pi, 6), district))
    return stars


def build_landscape(seed: int, districts: gpd.GeoDataFrame) -> Landscape:
    """Towns, ecological red-line and farmland base shapes for ``districts`` (any CRS)."""
    proj = districts.to_crs(PROJECTED_EPSG)
    codes = proj["district_code"].astype(str).to_numpy()
    names = (proj["name"].astype(str).to_numpy() if "name" in proj
             else codes.copy())
    geoms = shapely.make_valid(proj.geometry.to_numpy())
    rng = stream(seed, "landscp")
    seats = gpd.GeoSeries.from_xy(
        [DISTRICT_SEATS.get(c, (np.nan, np.nan))[0] for c in codes],
        [DISTRICT_SEATS.get(c, (np.nan, np.nan))[1] for c in codes], crs=4490,
    ).to_crs(PROJECTED_EPSG)
    towns: list[tuple[float, float, float, float]] = []
    for i, geom in enumerate(geoms):
        seat = seats.iloc[i]
        if seat.is_empty or not np.isfinite(seat.x) or not geom.contains(seat):
            seat = geom.representative_point()
        towns.append((seat.x, seat.y, 1.0, 5000.0))
        n_sec = max(2, round(geom.area / 250e6))
        for x, y in _sample_inside(rng, geom, n_sec):
            towns.append((x, y, 0.3, 1500.0))
    town_arr = np.array(towns)
    red: list[Star] = []
    farm: list[Star] = []
    for i, geom in enumerate(geoms):
        n_red = max(1, round(geom.area / 700e6))
        pts = _sample_inside(rng, geom, n_red, _far_from(town_arr, 6000.0))
        red += _stars(rng, pts, i, 1800.0, 4500.0, 0.4)
    red_lowres = shapely.union_all([s.polygon(128) for s in red]) if red else shapely.Polygon()
    for i, geom in enumerate(geoms):
        n_farm = max(1, round(geom.area / 120e6))

        def keep(x, y, _k=_far_from(town_arr, 2500.0)):
            return _k(x, y) & ~shapely.contains_xy(red_lowres, x, y)

        pts = _sample_inside(rng, geom, n_farm, keep)
        farm += _stars(rng, pts, i, 500.0, 1500.0, 0.3)
    exclusion = shapely.union_all([s.polygon(128) for s in red + farm])
    return Landscape(codes, names, geoms, town_arr, red, farm, exclusion)


def candidate_blocks(land: Landscape, block: float, rng: np.random.Generator
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Block centres (x, y) and their district index on a jittered grid of spacing ``block``."""
    minx, miny, maxx, maxy = shapely.total_bounds(land.geoms)
    ox, oy = rng.uniform(0.0, block, 2)
    gx = np.arange(minx - ox, maxx + block, block)
    gy = np.arange(miny - oy, maxy + block, block)
    xx, yy = (a.ravel() for a in np.meshgrid(gx, gy))
    blocked = shapely.buffer(land.exclusion, INSET * block, quad_segs=4)
    free = ~shapely.contains_xy(blocked, xx, yy)
    xs, ys, ds = [], [], []
    for i, geom in enumerate(land.geoms):
        inner = shapely.buffer(geom, -INSET * block, quad_segs=4)
        ok = free & shapely.contains_xy(inner, xx, yy)
        xs.append(xx[ok])
        ys.append(yy[ok])
        ds.append(np.full(int(ok.sum()), i, dtype=np.int32))
    return np.concatenate(xs), np.concatenate(ys), np.concatenate(ds)


def _block_params(group: str, rng: np.random.Generator, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Cell side (m, full scale) and parcel count for ``size`` blocks of a group."""
    span = CONTENT * BLOCK_M
    if group == "industrial":
        cell = np.clip(rng.lognormal(np.log(150.0), 0.4, size), 75.0, 350.0)
        occ = rng.uniform(0.6, 1.0, size)
    elif group == "urban":
        cell = np.clip(rng.lognormal(np.log(115.0), 0.3, size), 85.0, 250.0)
        occ = rng.uniform(0.5, 1.0, size)
    elif group == "village":
        cell = rng.uniform(14.0, 21.5, size)
        kmax = np.floor(span / cell) ** 2
        m: np.ndarray = np.clip(np.round(rng.lognormal(np.log(120.0), 0.6, size)), 20, kmax)
        return cell, m.astype(np.int64)
    else:  # mining
        cell = rng.uniform(120.0, 400.0, size)
        m = rng.integers(1, 4, size)
        return cell, np.minimum(m, np.floor(span / cell) ** 2).astype(np.int64)
    kmax = np.floor(span / cell) ** 2
    return cell, np.maximum(1, np.round(occ * kmax)).astype(np.int64)


@dataclass(frozen=True)
class Cells:
    """One row per parcel: its block, group, cell side and the block geometry."""

    group: np.ndarray  # int index into GROUPS
    district: np.ndarray  # int index into Landscape.codes
    cell: np.ndarray  # cell side (m)
    cx: np.ndarray  # cell centre in block-local frame
    cy: np.ndarray
    bx: np.ndarray  # block centre (EPSG:4547)
    by: np.ndarray
    tilt: np.ndarray  # block rotation (radians)
    block_id: np.ndarray
    block_m: float = field(kw_only=True)  # block side actually used (m)


def _group_counts(n: int) -> np.ndarray:
    counts = np.floor(GROUP_SHARES * n).astype(np.int64)
    counts[0] += n - counts.sum()
    return counts


def layout_cells(n: int, seed: int, land: Landscape) -> Cells:
    """Place ``n`` cells (one per parcel) in non-overlapping blocks inside the districts."""
    rng = stream(seed, "blocks")
    cells, counts = [], []
    for g, need in zip(GROUPS, _group_counts(n), strict=True):
        c, m = np.empty(0), np.empty(0, dtype=np.int64)
        batch = max(8, int(need / 8))
        while m.sum() < need:
            cb, mb = _block_params(g, rng, batch)
            c, m = np.concatenate([c, cb]), np.concatenate([m, mb])
            batch *= 2
        last = int(np.searchsorted(np.cumsum(m), need))
        c, m = c[: last + 1], m[: last + 1].copy()
        if need:
            m[-1] -= m.sum() - need
        else:
            c, m = c[:0], m[:0]
        cells.append(c)
        counts.append(m)
    n_blocks = sum(len(m) for m in counts)
    f = 1.0
    cand = candidate_blocks(land, BLOCK_M, rng)
    if n_blocks > 0.65 * len(cand[0]):
        f = np.sqrt(0.65 * len(cand[0]) / n_blocks)
    while True:
        cand = candidate_blocks(land, BLOCK_M * f, rng) if f < 1.0 else cand
        if len(cand[0]) * 0.8 >= n_blocks or f < 0.02:
            break
        f *= 0.9
    return _fill_blocks(rng, land, cand, cells, counts, f)


def _urbanity(land: Landscape, x: np.ndarray, y: np.ndarray, stretch: float) -> np.ndarray:
    t = land.towns
    out = np.zeros(len(x))
    for tx, ty, w, s in t:  # few dozen towns: loop over towns, vectorised over blocks
        np.maximum(out, w * np.exp(-np.hypot(x - tx, y - ty) / (stretch * s)), out=out)
    return out


def _fill_blocks(rng: np.random.Generator, land: Landscape, cand: tuple, cells: list,
                 counts: list, f: float) -> Cells:
    x, y, dist = cand
    u_urban = _urbanity(land, x, y, 1.0)
    u_ind = _urbanity(land, x, y, 2.5)
    weights = {
        "industrial": u_ind**2 + 0.003,
        "urban": u_urban**2 + 1e-6,
        "village": 1.0 - 0.9 * u_urban,
        "mining": (1.0 - u_ind) ** 3 + 1e-4,
    }
    free = np.ones(len(x), dtype=bool)
    order = ["urban", "industrial", "village", "mining"]
    chosen: dict[str, np.ndarray] = {}
    for g in order:
        k = len(counts[GROUPS.index(g)])
        idx = np.flatnonzero(free)
        w = weights[g][idx]
        keys = rng.exponential(size=len(idx)) / w  # weighted sampling without replacement
        pick = idx[np.argsort(keys, kind="stable")[:k]]
        free[pick] = False
        chosen[g] = pick
    block = BLOCK_M * f
    parts = []
    offset = 0
    for gi, g in enumerate(GROUPS):
        m = counts[gi]
        if len(m) == 0:
            continue
        cell = cells[gi] * f
        k = np.ceil(np.sqrt(m)).astype(np.int64)
        cell = np.minimum(cell, CONTENT * block / k)
        bid = np.repeat(np.arange(len(m)), m)
        j = np.arange(m.sum()) - np.repeat(np.cumsum(m) - m, m)
        kk = k[bid]
        cx = ((j % kk) + 0.5 - kk / 2.0) * cell[bid]
        cy = ((j // kk) + 0.5 - kk / 2.0) * cell[bid]
        where = chosen[g]
        tilt = rng.uniform(-MAX_TILT, MAX_TILT, len(m))
        parts.append((np.full(len(bid), gi), dist[where][bid], cell[bid], cx, cy,
                      x[where][bid], y[where][bid], tilt[bid], bid + offset))
        offset += len(m)
    cols = [np.concatenate(c) for c in zip(*parts, strict=True)]
    return Cells(*cols, block_m=block)
