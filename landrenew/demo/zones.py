"""Synthetic planning zone layers (规划管控分区) for the Jiangmen demo.

Kinds: ``urban_development_boundary`` (城镇开发边界), ``permanent_basic_farmland``
(永久基本农田), ``ecological_redline`` (生态保护红线), ``industrial_control_line``
(工业用地控制线), ``guideline_parcel`` (详细规划导则地块), ``detailed_plan_unit`` (详细规划单元).
Built in EPSG:4547 from the seed's landscape and the parcels, returned in EPSG:4490.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from landrenew.demo._attributes import INDUSTRIAL
from landrenew.demo._layout import BLOCK_M, PROJECTED_EPSG, Landscape, build_landscape, stream
from landrenew.demo.boundaries import STORAGE_EPSG, load_districts

ZONE_KINDS: tuple[str, ...] = (
    "urban_development_boundary", "permanent_basic_farmland", "ecological_redline",
    "industrial_control_line", "guideline_parcel", "detailed_plan_unit",
)
GUIDELINE_M = 400.0
UNIT_M = 1600.0


def _block_size(parcels: gpd.GeoDataFrame) -> float:
    if "demo_block_m" in parcels.attrs:
        return float(parcels.attrs["demo_block_m"])
    ind = parcels[parcels["land_use"].isin(INDUSTRIAL)]
    if ind.empty:
        return BLOCK_M
    med = float(np.median(ind.to_crs(PROJECTED_EPSG).area))
    return float(np.clip(BLOCK_M * np.sqrt(med / 12000.0), 40.0, BLOCK_M))


def _cell_union(x: np.ndarray, y: np.ndarray, size: float, grow: float) -> shapely.Geometry:
    """Union of the grid cells (side ``size``) holding the points, grown by ``grow``."""
    if len(x) == 0:
        return shapely.Polygon()
    ij = np.unique(np.column_stack([np.floor(x / size), np.floor(y / size)]), axis=0)
    boxes = shapely.box(ij[:, 0] * size, ij[:, 1] * size, (ij[:, 0] + 1) * size,
                        (ij[:, 1] + 1) * size)
    return shapely.buffer(shapely.union_all(boxes), grow, quad_segs=4)


def _multi(geom: shapely.Geometry) -> shapely.Geometry:
    parts = shapely.get_parts(shapely.make_valid(geom))
    polys = [p for p in parts if p.geom_type == "Polygon" and p.area > 1.0]
    polys += [q for p in parts if p.geom_type == "MultiPolygon" for q in p.geoms]
    return shapely.MultiPolygon(polys)


def _lobes(rng: np.random.Generator, targets: list[shapely.Geometry], parcels_xy: np.ndarray,
           parcels_p: gpd.GeoSeries, k: int) -> dict[int, list[shapely.Geometry]]:
    """Small extensions of protected shapes that reach into the ``k`` nearest parcels."""
    if not targets or len(parcels_xy) == 0:
        return {}
    pts = shapely.points(parcels_xy)
    tree = shapely.STRtree(targets)
    idx, dist = tree.query_nearest(pts, return_distance=True, all_matches=False)
    nearest = np.argsort(dist, kind="stable")[:k]
    out: dict[int, list[shapely.Geometry]] = {}
    for j in nearest:
        parcel = parcels_p.iloc[idx[0, j]]
        target = int(idx[1, j])
        corners = np.asarray(parcel.exterior.coords)[:4]
        corner = shapely.Point(corners[rng.integers(0, 4)])
        radius = 0.55 * np.sqrt(parcel.area)
        link = shapely.shortest_line(corner, targets[target]).buffer(0.3 * radius, quad_segs=4)
        out.setdefault(target, []).append(shapely.union(corner.buffer(radius, quad_segs=8), link))
    return out


def _grid_zones(udb: shapely.Geometry, size: float) -> tuple[np.ndarray, np.ndarray]:
    """Grid cells of ``size`` clipped to ``udb`` (kept when ≥ 5 % of a cell); returns ij, geoms."""
    if udb.is_empty:
        return np.empty((0, 2), dtype=np.int64), np.empty(0, dtype=object)
    minx, miny, maxx, maxy = udb.bounds
    ii, jj = np.meshgrid(np.arange(np.floor(minx / size), np.ceil(maxx / size)),
                         np.arange(np.floor(miny / size), np.ceil(maxy / size)))
    ij = np.column_stack([ii.ravel(), jj.ravel()]).astype(np.int64)
    boxes = shapely.box(ij[:, 0] * size, ij[:, 1] * size, (ij[:, 0] + 1) * size,
                        (ij[:, 1] + 1) * size)
    shapely.prepare(udb)
    hit = shapely.intersects(udb, boxes)
    ij, boxes = ij[hit], boxes[hit]
    inside = shapely.contains_properly(udb, boxes)
    geoms = boxes.copy()
    geoms[~inside] = shapely.intersection(boxes[~inside], udb)
    keep = shapely.area(geoms) >= 0.05 * size * size
    return ij[keep], geoms[keep]


def generate_zones(seed: int = 42, parcels: gpd.GeoDataFrame | None = None,
                   districts: gpd.GeoDataFrame | None = None,
                   complex_vertices: int = 0) -> gpd.GeoDataFrame:
    """Zone layers in EPSG:4490: ``zone_code``, ``kind``, ``name``, ``district_code``, geometry.

    ``complex_vertices`` > 0 gives every ecological red-line polygon about that many vertices
    (fractal edge), for benchmarks. Without ``parcels``, 20 000 parcels are generated first.
    """
    districts = load_districts() if districts is None else districts
    if parcels is None:
        from landrenew.demo.generator import generate_parcels

        parcels = generate_parcels(20000, seed, districts)
    land = build_landscape(seed, districts)
    rng = stream(seed, "zones")
    block = _block_size(parcels)
    cent = gpd.GeoSeries(shapely.centroid(parcels.geometry.to_numpy()), crs=parcels.crs)
    cent = cent.to_crs(PROJECTED_EPSG)
    px, py = cent.x.to_numpy(), cent.y.to_numpy()
    lu = parcels["land_use"].astype(str).to_numpy()
    dcodes = parcels["district_code"].astype(str).to_numpy()
    rows: list[tuple[str, str, str, str, shapely.Geometry]] = []
    name_of = dict(zip(land.codes, land.names, strict=True))

    protected = _protected(rng, land, parcels, px, py, lu, complex_vertices, rows, name_of)

    for i, (code, dgeom) in enumerate(zip(land.codes, land.geoms, strict=True)):
        name = land.names[i]
        sel = (dcodes == code) & ~np.isin(lu, ("0703", "1002"))
        urban = _cell_union(px[sel], py[sel], block / 2.0, 0.5 * block)
        urban = shapely.buffer(urban, -0.35 * block, quad_segs=4)
        udb = shapely.difference(shapely.intersection(urban, dgeom), protected)
        udb = _multi(udb)
        if not udb.is_empty:
            rows.append((f"UDB-{code}", "urban_development_boundary", f"{name}城镇开发边界",
                         code, udb))
        # Industrial control line (工业用地控制线): most, not all, industrial clusters.
        ind = (dcodes == code) & np.isin(lu, (*INDUSTRIAL, "1101"))
        clusters = shapely.get_parts(_cell_union(px[ind], py[ind], block / 2.0, 0.15 * block))
        k = 0
        for cluster in clusters:
            r = rng.random()
            if r < 0.15:
                continue  # left outside the line
            geom = cluster
            if r < 0.25:  # only part of the park is inside the line
                minx, miny, maxx, maxy = cluster.bounds
                geom = shapely.intersection(cluster, shapely.box(minx, miny, (minx + maxx) / 2,
                                                                 maxy))
            geom = _multi(shapely.intersection(geom, dgeom))
            if geom.is_empty:
                continue
            k += 1
            rows.append((f"ICL-{code}-{k:03d}", "industrial_control_line",
                         f"{name}工业用地控制线{k:03d}", code, geom))
        _plan_grids(udb, code, name, rows)

    gdf = gpd.GeoDataFrame(
        {"zone_code": [r[0] for r in rows], "kind": [r[1] for r in rows],
         "name": [r[2] for r in rows], "district_code": [r[3] for r in rows]},
        geometry=gpd.GeoSeries([r[4] for r in rows], crs=PROJECTED_EPSG),
    )
    out = gdf.to_crs(STORAGE_EPSG)
    bad = ~out.is_valid
    if bad.any():
        out.loc[bad, "geometry"] = [_multi(g) for g in shapely.make_valid(out.geometry[bad])]
    return out


def _protected(rng: np.random.Generator, land: Landscape, parcels: gpd.GeoDataFrame,
               px: np.ndarray, py: np.ndarray, lu: np.ndarray, complex_vertices: int,
               rows: list, name_of: dict) -> shapely.Geometry:
    """Append ecological red-line and farmland zones; return their union (for the UDB)."""
    land_all = shapely.union_all(land.geoms)
    shapely.prepare(land_all)
    sample = np.flatnonzero(lu != "0703")
    if len(sample) > 20000:
        sample = np.sort(rng.choice(sample, 20000, replace=False))
    xy = np.column_stack([px[sample], py[sample]])
    k = int(np.clip(len(parcels) // 2000, 3, 30))
    few = parcels.geometry.iloc[sample].to_crs(PROJECTED_EPSG) if len(sample) else None
    red_low = [s.polygon(128) for s in land.red]  # no fractal edge
    farm_low = [s.polygon(96) for s in land.farm]
    red_lobes = _lobes(rng, red_low, xy, few, k) if few is not None else {}
    farm_lobes = _lobes(rng, farm_low, xy, few, k) if few is not None else {}
    keep_out = []  # simple shapes covering the red lines (so the UDB stays cheap to clip)
    protected = []
    counters: dict[str, int] = {}
    for t, star in enumerate(land.red):
        rough = 0.06 if complex_vertices > 0 else 0.03
        geom = star.polygon(complex_vertices or 256, rough=rough, seed=t + 1)
        geom = shapely.union_all([geom, *red_lobes.get(t, [])])
        geom = _multi(shapely.intersection(geom, land_all))
        if geom.is_empty:
            continue
        outer = red_low[t].buffer((rough + 0.01) * star.radius, quad_segs=4)
        keep_out.append(shapely.union_all([outer, *red_lobes.get(t, [])]))
        code = land.codes[star.district]
        counters[code] = counters.get(code, 0) + 1
        rows.append((f"ERL-{code}-{counters[code]:02d}", "ecological_redline",
                     f"{name_of[code]}生态保护红线{counters[code]:02d}", code, geom))
    red_union = shapely.intersection(shapely.union_all(keep_out), land_all)
    protected.append(red_union)
    counters.clear()
    for t, star in enumerate(land.farm):
        geom = shapely.union_all([star.polygon(192, rough=0.05, seed=1000 + t),
                                  *farm_lobes.get(t, [])])
        geom = _multi(shapely.difference(shapely.intersection(geom, land_all), red_union))
        if geom.is_empty:
            continue
        code = land.codes[star.district]
        counters[code] = counters.get(code, 0) + 1
        rows.append((f"PBF-{code}-{counters[code]:03d}", "permanent_basic_farmland",
                     f"{name_of[code]}永久基本农田{counters[code]:03d}", code, geom))
        protected.append(geom)
    return shapely.union_all(protected) if protected else shapely.Polygon()


def _plan_grids(udb: shapely.Geometry, code: str, name: str, rows: list) -> None:
    """Detailed-plan units (详细规划单元) and their guideline parcels (导则地块) on the UDB."""
    ij_u, units = _grid_zones(udb, UNIT_M)
    seq = {tuple(ij): s + 1 for s, ij in enumerate(ij_u.tolist())}
    for s, geom in enumerate(units, start=1):
        rows.append((f"DPU-{code}-{s:03d}", "detailed_plan_unit", f"{name}详细规划单元{s:03d}",
                     code, _multi(geom)))
    ij_g, guides = _grid_zones(udb, GUIDELINE_M)
    ratio = int(UNIT_M // GUIDELINE_M)
    counts: dict[int, int] = {}
    for (gi, gj), geom in zip(ij_g.tolist(), guides, strict=True):
        parent = seq.get((gi // ratio, gj // ratio))
        if parent is None:
            continue
        counts[parent] = counts.get(parent, 0) + 1
        rows.append((f"GLP-{code}-{parent:03d}-{counts[parent]:02d}", "guideline_parcel",
                     f"{name}详细规划单元{parent:03d}导则地块{counts[parent]:02d}", code,
                     _multi(geom)))
