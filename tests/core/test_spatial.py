"""Spatial basics: Gauss-Krüger zone choice, CRS parsing, areas, repairs, area units."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import CRS

from landrenew.core.errors import InputError
from landrenew.core.spatial import (
    STORAGE_CRS,
    areas_m2,
    check_polygons,
    check_projected,
    gk_epsg_for_lon,
    gk_zone_for_lon,
    parse_crs,
    polygonal_part,
    projected_crs_for_bounds,
    to_storage,
)
from landrenew.core.units import M2_PER_MU, area_triplet, m2_to_ha, m2_to_mu, mu_to_m2

GK_4547 = CRS.from_epsg(4547)


@pytest.mark.parametrize(("lon", "epsg"), [
    (112.4, 4546),  # 开平/恩平: nearest CM is 111E (1.4° away), not 114E (1.6°)
    (113.1, 4547),
    (116.9, 4548),
    (75.0, 4534),
    (135.0, 4554),
    (111.0, 4546),
    (114.0, 4547),
    (117.0, 4548),
])
def test_gk_epsg_for_lon(lon: float, epsg: int) -> None:
    assert gk_epsg_for_lon(lon) == epsg
    params = CRS.from_epsg(epsg).coordinate_operation.params
    cm = next(p.value for p in params if p.name == "Longitude of natural origin")
    assert abs(cm - lon) <= 1.5  # the nearest central meridian


def test_gk_zone_number_and_name() -> None:
    assert gk_zone_for_lon(113.1) == 38
    assert "CM 114E" in CRS.from_epsg(gk_epsg_for_lon(113.1)).name
    assert "CM 111E" in CRS.from_epsg(gk_epsg_for_lon(112.4)).name


@pytest.mark.parametrize("lon", [10.0, 73.0, 137.0, -113.0])
def test_gk_zone_outside_china_refused(lon: float) -> None:
    with pytest.raises(InputError, match="outside China"):
        gk_zone_for_lon(lon)


def test_projected_crs_for_bounds_uses_centre_longitude() -> None:
    assert projected_crs_for_bounds((112.0, 22.0, 114.2, 23.0)).to_epsg() == 4547  # centre 113.1
    assert projected_crs_for_bounds((112.3, 22.0, 112.5, 22.1)).to_epsg() == 4546
    with pytest.raises(InputError, match="empty data"):
        projected_crs_for_bounds((np.nan, np.nan, np.nan, np.nan))


def test_parse_crs_forms() -> None:
    assert parse_crs("EPSG:4547").to_epsg() == 4547
    assert parse_crs("4490").to_epsg() == 4490
    assert parse_crs(4547).to_epsg() == 4547
    assert parse_crs(None) is None
    assert parse_crs(GK_4547) is GK_4547
    with pytest.raises(InputError) as err:
        parse_crs("EPSG:999999")
    assert err.value.field == "crs"


def test_check_projected() -> None:
    assert check_projected(GK_4547) is GK_4547
    with pytest.raises(InputError, match="not a projected CRS"):
        check_projected(CRS.from_epsg(4490))


def test_fifteen_mu_square_through_storage_and_back() -> None:
    """A 100 m × 100 m square built in EPSG:4547 is 10 000 m² = 15 亩 = 1 公顷 after 4490 and back."""
    square = shapely.box(405_000, 2_500_000, 405_100, 2_500_100)
    gdf = gpd.GeoDataFrame(geometry=[square], crs=4547)
    stored = to_storage(gdf)
    assert stored.crs.equals(STORAGE_CRS)
    lon, lat = stored.geometry.iloc[0].centroid.coords[0]
    assert 113.0 < lon < 113.2 and 22.5 < lat < 22.7  # Jiangmen
    (m2,) = areas_m2(stored.geometry.values, STORAGE_CRS, GK_4547)
    assert m2 == pytest.approx(10_000.0, abs=1e-4)
    assert m2_to_mu(m2) == pytest.approx(15.0, abs=1e-8)
    assert m2_to_ha(m2) == pytest.approx(1.0, abs=1e-8)
    back = stored.to_crs(4547).geometry.iloc[0]
    assert shapely.equals_exact(shapely.normalize(back), shapely.normalize(square), tolerance=1e-6)


def test_areas_in_another_zone_differ_slightly() -> None:
    """The same square measured in the neighbouring zone (CM 111E) is off by scale distortion."""
    square = gpd.GeoSeries([shapely.box(405_000, 2_500_000, 405_100, 2_500_100)], crs=4547)
    (own,) = areas_m2(square.values, GK_4547, GK_4547)
    (other,) = areas_m2(square.values, GK_4547, CRS.from_epsg(4546))
    assert own == 10_000.0
    assert other != pytest.approx(10_000.0, abs=0.01)
    assert other == pytest.approx(10_000.0, rel=1e-3)


def test_to_storage_refuses_missing_crs_and_keeps_4490() -> None:
    with pytest.raises(InputError, match="no coordinate reference system"):
        to_storage(gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 1, 1)]))
    g = gpd.GeoDataFrame(geometry=[shapely.box(113, 22, 113.001, 22.001)], crs=4490)
    out = to_storage(g)
    assert out.geometry.iloc[0].equals(g.geometry.iloc[0])


def test_check_polygons_classifies_and_repairs() -> None:
    bow = shapely.Polygon([(0, 0), (10, 10), (10, 0), (0, 10)])  # self-intersecting bow tie
    spike = shapely.Polygon([(0, 0), (10, 0), (10, 0), (0, 0)])  # collapses to nothing
    geoms = np.array([shapely.box(0, 0, 1, 1), None, shapely.Polygon(), shapely.Point(1, 1),
                      bow, spike], dtype=object)
    res = check_polygons(geoms)
    assert res.missing.tolist() == [False, True, False, False, False, False]
    assert res.empty.tolist() == [False, False, True, False, False, True]
    assert res.wrong_type.tolist() == [False, False, False, True, False, False]
    assert res.invalid.tolist() == [False, False, False, False, True, True]
    assert res.reasons[0] is None and res.reasons[4].startswith("Self-intersection")
    fixed = res.repaired[4]
    assert fixed.is_valid and fixed.geom_type == "MultiPolygon"
    assert fixed.area == pytest.approx(50.0)
    assert res.repaired[0].equals(geoms[0])


def test_polygonal_part() -> None:
    coll = shapely.GeometryCollection([shapely.box(0, 0, 1, 1), shapely.LineString([(0, 0), (5, 5)])])
    assert polygonal_part(coll).equals(shapely.box(0, 0, 1, 1))
    assert polygonal_part(shapely.LineString([(0, 0), (1, 1)])).is_empty
    assert polygonal_part(None).is_empty


# ------------------------------------------------------------------ units

def test_mu_and_hectare_constants() -> None:
    assert m2_to_mu(10_000.0) == 15.0  # exactly, not 14.999…
    assert m2_to_ha(10_000.0) == 1.0
    assert mu_to_m2(15.0) == 10_000.0
    assert pytest.approx(666.6667, abs=1e-4) == M2_PER_MU
    assert m2_to_mu(M2_PER_MU) == pytest.approx(1.0)
    arr = m2_to_mu(np.array([0.0, 10_000.0, 20_000.0]))
    assert arr.tolist() == [0.0, 15.0, 30.0]


def test_area_triplet() -> None:
    assert area_triplet(10_000) == {"area_m2": 10_000.0, "area_mu": 15.0, "area_ha": 1.0}
    t = area_triplet(1000.0)
    assert t["area_mu"] == 1.5 and t["area_ha"] == 0.1
    assert t["area_ha"] * 15 == pytest.approx(t["area_mu"])  # 1 公顷 = 15 亩
