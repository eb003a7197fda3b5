"""Deterministic generator of synthetic Jiangmen demo data (江门演示数据生成器).

``generate_parcels`` makes survey parcels (调查地块) with the canonical column set,
``generate_zones`` the planning zone layers (管控分区), ``write_demo_files`` writes both and the
district boundaries to disk. Same arguments ⇒ identical output. Parcels are rectangles placed on
non-overlapping blocks in the projected CRS EPSG:4547 (CGCS2000 GK CM 114°E) and returned in
EPSG:4490. When ``n`` is too large for realistic sizes to fit in Jiangmen (beyond ~150 000
parcels), all blocks and parcels are shrunk by the same factor so that they still fit.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import shapely
from numpy.dtypes import StringDType
from pyproj import Transformer

from landrenew.demo._attributes import assign_land_use, parcel_attributes, side_factors
from landrenew.demo._layout import PROJECTED_EPSG, build_landscape, layout_cells, stream
from landrenew.demo.boundaries import STORAGE_EPSG, load_districts, load_other_districts
from landrenew.demo.zones import generate_zones

__all__ = ["DATE_COLUMNS", "PARCEL_COLUMNS", "generate_parcels", "generate_zones",
           "write_demo_files"]

PARCEL_COLUMNS: tuple[str, ...] = (
    "parcel_code", "district_code", "land_use", "planned_use", "planned_far", "floor_area_m2",
    "footprint_m2", "building_year", "safety_grade", "industry_code", "tax_10k_yuan",
    "output_10k_yuan", "investment_10k_yuan", "approved_on", "supplied_on", "agreed_start_on",
    "started_on", "stopped_since", "developed_ratio", "invested_ratio", "right_holder",
)
DATE_COLUMNS: tuple[str, ...] = (
    "approved_on", "supplied_on", "agreed_start_on", "started_on", "stopped_since",
)
MAX_PARCEL_TURN = np.deg2rad(3.0)


def _rectangles(rng: np.random.Generator, cells, u1: np.ndarray, u2: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Corner coordinates (n, 4) in EPSG:4547 and exact areas of the parcel rectangles."""
    c = cells.cell
    w, h = c * u1, c * u2
    phi = rng.uniform(-MAX_PARCEL_TURN, MAX_PARCEL_TURN, len(c))
    cos_p, sin_p = np.cos(phi), np.sin(phi)
    ex = (w * np.abs(cos_p) + h * np.abs(sin_p)) / 2.0
    ey = (w * np.abs(sin_p) + h * np.abs(cos_p)) / 2.0
    gap = 0.02 * c
    ox = rng.uniform(-1.0, 1.0, len(c)) * np.maximum(c / 2.0 - ex - gap, 0.0)
    oy = rng.uniform(-1.0, 1.0, len(c)) * np.maximum(c / 2.0 - ey - gap, 0.0)
    dx = np.array([-0.5, 0.5, 0.5, -0.5])[None, :] * w[:, None]
    dy = np.array([-0.5, -0.5, 0.5, 0.5])[None, :] * h[:, None]
    px = (cells.cx + ox)[:, None] + dx * cos_p[:, None] - dy * sin_p[:, None]
    py = (cells.cy + oy)[:, None] + dx * sin_p[:, None] + dy * cos_p[:, None]
    cos_t, sin_t = np.cos(cells.tilt)[:, None], np.sin(cells.tilt)[:, None]
    x = cells.bx[:, None] + px * cos_t - py * sin_t
    y = cells.by[:, None] + px * sin_t + py * cos_t
    return x, y, w * h


def _to_polygons(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Closed rectangles (EPSG:4547 corners) → shapely Polygons in EPSG:4490."""
    tr = Transformer.from_crs(PROJECTED_EPSG, STORAGE_EPSG, always_xy=True)
    lon, lat = tr.transform(x.ravel(), y.ravel())
    coords = np.empty((x.shape[0], 5, 2))
    coords[:, :4, 0] = np.asarray(lon).reshape(x.shape)
    coords[:, :4, 1] = np.asarray(lat).reshape(x.shape)
    coords[:, 4] = coords[:, 0]
    return shapely.polygons(coords)


def generate_parcels(n: int = 20000, seed: int = 42,
                     districts: gpd.GeoDataFrame | None = None) -> gpd.GeoDataFrame:
    """Synthetic survey parcels (调查地块) in EPSG:4490 with the canonical columns.

    Parcels lie inside their district and do not overlap. Clusters: industrial parks
    (工业园区), urban quarters, villages (宅基地) and quarries. Attributes: land use (用地用海分类),
    planned use and FAR (规划用途/容积率), floor area and footprint, building year and safety
    grade, GB/T 4754 industry, tax/output/investment (万元), the land supply chain dates
    (批/供/约定开工/开工/停工) including idle (闲置) and approved-not-supplied (批而未供) cases,
    development/investment ratios and right holders (权利人). ``building_year`` is a nullable
    ``Int64`` (missing where nothing is built).
    """
    if n < 0:
        raise ValueError("n must be ≥ 0")
    districts = load_districts() if districts is None else districts
    land = build_landscape(seed, districts)
    cells = layout_cells(n, seed, land)
    order = np.lexsort((cells.block_id, cells.district))  # group rows by district
    cells = type(cells)(*(getattr(cells, f)[order] for f in (
        "group", "district", "cell", "cx", "cy", "bx", "by", "tilt", "block_id")),
        block_m=cells.block_m)
    rng = stream(seed, "parcels")
    lu = assign_land_use(rng, cells.group)
    u1, u2 = side_factors(rng, lu)
    x, y, area = _rectangles(rng, cells, u1, u2)
    geoms = _to_polygons(x, y)
    dcode = land.codes[cells.district].astype(str)
    dname = land.names[cells.district].astype(str)
    attrs = parcel_attributes(rng, lu, area, dcode, dname)

    first = np.r_[0, np.flatnonzero(cells.district[1:] != cells.district[:-1]) + 1]
    seq = np.arange(len(lu)) - np.repeat(first, np.diff(np.r_[first, len(lu)]))
    width = max(6, len(str(len(lu))))
    codes = np.strings.add(np.strings.add(dcode.astype(StringDType()), "-"),
                           np.strings.zfill((seq + 1).astype(StringDType()), width))
    year = np.asarray(attrs.pop("building_year"))
    data: dict[str, object] = {"parcel_code": codes.astype(object), "district_code":
                               dcode.astype(object)}
    data.update(attrs)
    data["building_year"] = pd.arrays.IntegerArray(year.astype("int64"), year < 0)
    frame = pd.DataFrame({c: data[c] for c in PARCEL_COLUMNS})
    for col in DATE_COLUMNS:  # keep python dates / None, not inferred strings
        frame[col] = pd.Series(data[col], dtype=object)
    gdf = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs=STORAGE_EPSG))
    gdf.attrs["demo_block_m"] = float(cells.block_m)
    gdf.attrs["demo_seed"] = seed
    return gdf


def _for_file(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Date columns as Arrow ``date32`` so that pyogrio writes real DATE fields."""
    out = gdf.copy()
    for col in DATE_COLUMNS:
        if col in out:
            arr = pa.array(out[col].to_numpy(dtype=object), type=pa.date32())
            out[col] = pd.Series(arr, index=out.index, dtype=pd.ArrowDtype(pa.date32()))
    return out


#: The share of the demo's parcels placed in the other cities' places (白云区, 中山市).
OTHER_SHARE = 0.05


def write_demo_files(directory: str | Path, n: int = 20000, seed: int = 42) -> dict[str, Path]:
    """Write ``parcels.gpkg`` (layer ``parcels``), ``zones.gpkg`` (layer ``zones``) and
    ``districts.geojson`` into ``directory``; returns ``{"parcels", "zones", "districts"}`` paths.

    ``n`` parcels lie in Jiangmen; another 5 % of ``n`` (at least 100) in 广州市白云区 and 中山市,
    each place with its own zone layers, so that the demo shows every city under its own rules.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    home, others = load_districts(), load_other_districts()
    parcels = generate_parcels(n=n, seed=seed, districts=home)
    zones = generate_zones(seed=seed, parcels=parcels, districts=home)
    if n:
        far = generate_parcels(n=max(100, round(n * OTHER_SHARE)), seed=seed + 1,
                               districts=others)
        far_zones = generate_zones(seed=seed + 1, parcels=far, districts=others)
        parcels = gpd.GeoDataFrame(pd.concat([parcels, far], ignore_index=True),
                                   geometry="geometry", crs=parcels.crs)
        zones = gpd.GeoDataFrame(pd.concat([zones, far_zones], ignore_index=True),
                                 geometry="geometry", crs=zones.crs)
    districts = gpd.GeoDataFrame(pd.concat([home, others], ignore_index=True),
                                 geometry="geometry", crs=home.crs)
    paths = {
        "parcels": directory / "parcels.gpkg",
        "zones": directory / "zones.gpkg",
        "districts": directory / "districts.geojson",
    }
    for path in paths.values():
        path.unlink(missing_ok=True)
    _for_file(parcels).to_file(paths["parcels"], layer="parcels", driver="GPKG",
                               engine="pyogrio", use_arrow=True)
    zones.to_file(paths["zones"], layer="zones", driver="GPKG", engine="pyogrio")
    districts.to_file(paths["districts"], driver="GeoJSON", engine="pyogrio")
    return paths
