"""Demo compliance checks (示例合规审查) in Guangzhou's 白云区, made through the same services a user
calls (each stored with who and when, audited): a geological hazard layer of two synthetic areas
imported like any zone layer, then one check of most kinds — a house site on a hazard area
refused from the map, a point-supply site, a support land above 30 亩, a rural road, two homestead
houses on either side of the cut-off day, a legacy land offsetting reserved-land quota and a
renovation that changes the façade."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

import geopandas as gpd
import pyogrio
import shapely
from sqlalchemy import select

from landrenew.compliance import service
from landrenew.core.access import Principal
from landrenew.core.store import Store
from landrenew.core.store.models import District
from landrenew.land.zones import import_zones

BAIYUN = "440111"
PROJECTED = "EPSG:4547"


def _hazard_areas(store: Store) -> gpd.GeoDataFrame | None:
    """Two 300 m squares inside 白云区 (EPSG:4547), around its representative point."""
    with store.read_session() as session:
        wkb = session.scalar(select(District.boundary).where(District.code == BAIYUN))
    if wkb is None:
        return None
    boundary = gpd.GeoSeries([shapely.from_wkb(wkb)], crs=4490).to_crs(PROJECTED).iloc[0]
    centre = boundary.representative_point()
    squares = [shapely.box(centre.x + dx - 150, centre.y + dy - 150, centre.x + dx + 150,
                           centre.y + dy + 150) for dx, dy in ((0, 0), (1200, -900))]
    squares = [s for s in squares if boundary.contains(s)]
    return gpd.GeoDataFrame(
        {"zone_code": [f"GH-{BAIYUN}-{i:02d}" for i in range(1, len(squares) + 1)],
         "name": [f"白云区地质灾害隐患区{i:02d}（示例）" for i in range(1, len(squares) + 1)],
         "district_code": BAIYUN}, geometry=squares, crs=PROJECTED)


def _lonlat(geom: shapely.Geometry) -> dict[str, Any]:
    return shapely.geometry.mapping(gpd.GeoSeries([geom], crs=PROJECTED).to_crs(4490).iloc[0])


def build_demo_checks(store: Store, *, user: str = "demo",
                      on: dt.date | None = None) -> list[int]:
    """The hazard layer and the demo checks of 白云区; the stored checks' ids."""
    hazards = _hazard_areas(store)
    if hazards is None or hazards.empty:
        return []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "geological_hazard.gpkg"
        pyogrio.write_dataframe(hazards.to_crs(4490), path, layer="geological_hazard")
        import_zones(store, path, kind="geological_hazard", user=user, projected_crs=PROJECTED,
                     reason="demo data: synthetic geological hazard areas of 白云区")
    admin = Principal(user, "admin")
    site = hazards.geometry.iloc[0].centroid
    requests: list[tuple[str, dict[str, Any]]] = [
        ("rural_housing_site", {"reference": "钟落潭镇某村 新建农房选址", "in_hazard_area": "否",
                                "geometry": _lonlat(site)}),
        ("point_supply", {"reference": "帽峰山脚 乡村民宿点状供地", "industry": "乡村休闲旅游业",
                          "area_mu": "18.5", "inside_udb_ratio": "0", "scattered": "是",
                          "planning_conditions": "是", "benchmark_price": "1280",
                          "floor_price": "960"}),
        ("industry_integration", {"reference": "农产品分拣中心 配套设施", "project_area_mu": "4200",
                                  "support_area_mu": "36", "far": "1.2", "use": "农产品初加工",
                                  "split_transfer": "否", "term_years": "30",
                                  "priority_industry": "是", "national_min_price": "240",
                                  "actual_cost": "150", "floor_price": "180"}),
        ("exemption", {"reference": "田间机耕路（宽6米）", "case": "road", "width_m": "6",
                       "uses_permanent_farmland": "否", "uses_cultivated": "是",
                       "in_balance_plan": "是", "in_national_network": "否",
                       "serves_farming": "是"}),
        ("homestead", {"reference": "人和镇某村 1995年建房", "built_on": "1995-06-01",
                       "plan_conforming": "是", "legal_source": "是", "eligible": "是",
                       "one_household": "是", "within_area_standard": "是"}),
        ("homestead", {"reference": "太和镇某村 2018年建房", "built_on": "2018-03-01"}),
        ("legacy_land", {"reference": "鸦岗村 历史遗留建设用地", "village": "鸦岗村",
                         "has_approval": "否", "construction_in_second_survey": "是",
                         "area_mu": "12.6"}),
        ("renovation_permit", {"reference": "江高镇某宅 外立面改造", "permits_complete": "是",
                               "area_changed": "否", "height_changed": "否",
                               "floors_changed": "否", "facade_changed": "是",
                               "safety_class_lowered": "否", "use_changed": "否"}),
    ]
    return [service.run_check(store, admin, kind, {"district_code": BAIYUN, **values}, on=on,
                              projected_crs=PROJECTED, source="demo")["id"]
            for kind, values in requests]
