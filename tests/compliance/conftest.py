"""Compliance checks: Guangzhou's pack and requests that pass every rule, to break one at a time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import geopandas as gpd
import pyogrio
import pytest
import shapely

from landrenew.compliance.checks import decide
from landrenew.compliance.decisions import Decision
from landrenew.compliance.fields import parse_request
from landrenew.compliance.packs import CompliancePack, compliance_pack
from landrenew.core.store import Store
from landrenew.land.districts import import_districts
from landrenew.land.zones import import_zones

GZ = "440111"  # 广州市白云区
DAY = dt.date(2025, 6, 30)

#: A request of each kind that meets every rule (a road for the exemptions).
PASSING: dict[str, dict[str, Any]] = {
    "point_supply": {"district_code": GZ, "industry": "乡村休闲旅游业", "area_mu": "30",
                     "inside_udb_ratio": "0", "scattered": "是", "planning_conditions": "是",
                     "benchmark_price": "1000", "floor_price": "700"},
    "industry_integration": {"district_code": GZ, "project_area_mu": "3000",
                             "support_area_mu": "30", "far": "1.1", "use": "工业",
                             "split_transfer": "否", "term_years": "50",
                             "priority_industry": "true", "national_min_price": "240",
                             "actual_cost": "100", "floor_price": "168"},
    "exemption": {"district_code": GZ, "case": "road", "width_m": "6",
                  "uses_permanent_farmland": "否", "uses_cultivated": "否",
                  "in_national_network": "否", "serves_farming": "是"},
    "rural_housing_site": {"district_code": GZ, "in_hazard_area": "否"},
    "homestead": {"district_code": GZ, "built_on": "2010-05-01", "plan_conforming": "是",
                  "legal_source": "是", "eligible": "是", "one_household": "是",
                  "within_area_standard": "是"},
    "renovation_permit": {"district_code": GZ, "permits_complete": "是", "area_changed": "否",
                          "height_changed": "否", "floors_changed": "否",
                          "facade_changed": "否", "safety_class_lowered": "否",
                          "use_changed": "否"},
    "legacy_land": {"district_code": GZ, "has_approval": "否",
                    "construction_in_second_survey": "是", "area_mu": "12"},
}


@pytest.fixture(scope="session")
def pack() -> CompliancePack:
    return compliance_pack(GZ, DAY)


def check(kind: str, pack: CompliancePack, **changes: Any) -> Decision:
    """The decision on the passing request of ``kind`` with ``changes`` (None drops a field)."""
    values: dict[str, Any] = {**PASSING[kind], **changes}
    return run(kind, pack, {k: v for k, v in values.items() if v is not None})


def run(kind: str, pack: CompliancePack, values: Mapping[str, Any]) -> Decision:
    return decide(kind, parse_request(kind, values, strict=True), pack)


def failed_fields(decision: Decision) -> set[str]:
    return {r.field for r in decision.failed}


def with_parameter(pack: CompliancePack, name: str, value: str | dt.date) -> CompliancePack:
    """A copy of the pack with one parameter's value changed (a bureau's own setting)."""
    new = value if isinstance(value, dt.date) else Decimal(value)
    param = pack.parameters[name].model_copy(update={"value": new})
    return pack.model_copy(update={"parameters": {**pack.parameters, name: param}})


# ------------------------------------------------------------------ a small mapped place
# Two Guangzhou districts side by side (白云区 west of x = 410 000, 黄埔区 east of it) and a
# Jiangmen one north of them, in EPSG:4547; the zones lie in 白云区.

X0, Y0 = 400_000.0, 2_560_000.0
CRS = "EPSG:4547"
HP, JM = "440112", "440703"  # 黄埔区, 蓬江区
UDB = shapely.box(X0 + 1000, Y0 + 1000, X0 + 2000, Y0 + 2000)
PBF = shapely.box(X0 + 3000, Y0 + 1000, X0 + 4000, Y0 + 2000)
HAZARD = shapely.box(X0 + 5000, Y0 + 1000, X0 + 5500, Y0 + 1500)


def lonlat(geom: shapely.Geometry) -> dict[str, Any]:
    """A geometry drawn in EPSG:4547 as the API takes it: GeoJSON in EPSG:4490."""
    out = gpd.GeoSeries([geom], crs=CRS).to_crs(4490).iloc[0]
    return shapely.geometry.mapping(out)


def wkt(geom: shapely.Geometry) -> str:
    return gpd.GeoSeries([geom], crs=CRS).to_crs(4490).iloc[0].wkt


def map_place(store: Store, folder: Path, *, hazard: bool = True) -> None:
    """Import the districts and the zone layers (the hazard layer only when ``hazard``)."""
    districts = gpd.GeoDataFrame(
        {"district_code": [GZ, HP, JM], "name": ["白云区", "黄埔区", "蓬江区"]},
        geometry=[shapely.box(X0, Y0, X0 + 10_000, Y0 + 10_000),
                  shapely.box(X0 + 10_000, Y0, X0 + 20_000, Y0 + 10_000),
                  shapely.box(X0, Y0 + 10_000, X0 + 20_000, Y0 + 20_000)], crs=CRS)
    path = folder / "districts.gpkg"
    pyogrio.write_dataframe(districts, path, layer="districts")
    import_districts(store, path, user="setup", projected_crs=CRS)
    rows = [("UDB-1", "urban_development_boundary", "白云区城镇开发边界", UDB),
            ("PBF-1", "permanent_basic_farmland", "白云区永久基本农田001", PBF)]
    if hazard:
        rows.append(("GH-1", "geological_hazard", "白云区地质灾害隐患区01", HAZARD))
    zones = gpd.GeoDataFrame({"zone_code": [r[0] for r in rows], "kind": [r[1] for r in rows],
                              "name": [r[2] for r in rows]},
                             geometry=[r[3] for r in rows], crs=CRS)
    path = folder / "zones.gpkg"
    pyogrio.write_dataframe(zones, path, layer="zones")
    import_zones(store, path, user="setup", projected_crs=CRS)


@pytest.fixture
def mapped(store: Store, tmp_path: Path) -> Store:
    """A migrated store (each backend) with the districts and the zone layers."""
    map_place(store, tmp_path)
    return store
