"""Shared builders: parcels and zones as small squares in EPSG:4547 (CGCS2000 GK CM 114E)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import geopandas as gpd
import pytest
import shapely

from landrenew.evaluation.loader import load_pack
from landrenew.evaluation.packs import RulePack

X0, Y0 = 500_000.0, 2_500_000.0
AS_OF = dt.date(2024, 6, 30)


def square(i: int = 0, size: float = 100.0, dx: float = 0.0) -> shapely.Polygon:
    """The i-th square of a row, 1 km apart."""
    x = X0 + i * 1000.0 + dx
    return shapely.box(x, Y0, x + size, Y0 + size)


def parcels(rows: list[dict[str, Any]], size: float = 100.0) -> gpd.GeoDataFrame:
    """One parcel per row (defaults: industrial 100101, 100 m × 100 m = 15 亩)."""
    full = [{"parcel_code": f"P{i:04d}", "land_use": "100101", **r} for i, r in enumerate(rows)]
    geoms = [r.pop("geometry", None) or square(i, size) for i, r in enumerate(full)]
    return gpd.GeoDataFrame(full, geometry=geoms, crs=4547)


def zones(items: list[tuple[str, shapely.Geometry]]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"kind": [k for k, _ in items]}, geometry=[g for _, g in items],
                            crs=4547)


@pytest.fixture(scope="session")
def jiangmen() -> RulePack:
    return load_pack("jiangmen")
