"""Tests of the deterministic Jiangmen demo data generator (演示数据生成器)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

from landrenew.demo import generate_parcels, generate_zones, load_districts, write_demo_files
from landrenew.demo.generator import DATE_COLUMNS, PARCEL_COLUMNS
from landrenew.demo.zones import ZONE_KINDS

INDUSTRIAL = ["1001", "100101", "100102"]
REF = dt.date(2026, 6, 30)


@pytest.fixture(scope="module")
def districts():
    return load_districts()


@pytest.fixture(scope="module")
def parcels(districts):
    return generate_parcels(n=2000, seed=11, districts=districts)


@pytest.fixture(scope="module")
def big():
    return generate_parcels(n=20000, seed=42)


@pytest.fixture(scope="module")
def zones(big, districts):
    return generate_zones(seed=42, parcels=big, districts=districts)


def test_districts_load(districts):
    assert sorted(districts["district_code"]) == [
        "440703", "440704", "440705", "440781", "440783", "440784", "440785"]
    assert districts.crs.to_epsg() == 4490
    assert districts.is_valid.all()
    assert set(districts.geom_type) == {"MultiPolygon"}
    assert dict(zip(districts["district_code"], districts["name"], strict=True))["440781"] == "台山市"
    km2 = districts.to_crs(4547).area / 1e6
    assert 9000 < km2.sum() < 10500  # Jiangmen is ~9 500 km²


def test_determinism():
    a = generate_parcels(n=1500, seed=5)
    b = generate_parcels(n=1500, seed=5)
    c = generate_parcels(n=1500, seed=6)
    pd.testing.assert_frame_equal(a.drop(columns="geometry"), b.drop(columns="geometry"))
    assert list(shapely.to_wkb(a.geometry.values)) == list(shapely.to_wkb(b.geometry.values))
    assert list(shapely.to_wkb(a.geometry.values)) != list(shapely.to_wkb(c.geometry.values))
    za = generate_zones(seed=5, parcels=a)
    zb = generate_zones(seed=5, parcels=b)
    assert za["zone_code"].tolist() == zb["zone_code"].tolist()
    assert list(shapely.to_wkb(za.geometry.values)) == list(shapely.to_wkb(zb.geometry.values))


def test_columns_and_types(parcels):
    assert list(parcels.columns) == [*PARCEL_COLUMNS, "geometry"]
    assert parcels.crs.to_epsg() == 4490
    assert len(parcels) == 2000
    assert parcels["parcel_code"].is_unique
    assert (parcels["parcel_code"].str[:6] == parcels["district_code"]).all()
    for col in ("parcel_code", "district_code", "land_use", "right_holder", "industry_code"):
        assert pd.api.types.is_string_dtype(parcels[col]), col
    for col in ("planned_far", "floor_area_m2", "footprint_m2", "tax_10k_yuan",
                "developed_ratio", "invested_ratio"):
        assert parcels[col].dtype == np.float64, col
    assert pd.api.types.is_integer_dtype(parcels["building_year"])
    years = parcels["building_year"].dropna()
    assert years.between(1975, 2024).all()
    for col in DATE_COLUMNS:
        values = parcels[col].dropna()
        assert len(values) and all(type(v) is dt.date for v in values), col
    assert set(parcels["safety_grade"].dropna()) <= {"A", "B", "C", "D"}
    assert (parcels.geom_type == "Polygon").all() and parcels.is_valid.all()


def test_parcels_inside_their_district(parcels, districts):
    by_code = districts.set_index("district_code").geometry
    assert shapely.within(parcels.geometry.values, by_code.loc[parcels["district_code"]].values).all()


def test_parcels_do_not_overlap(parcels):
    geoms = parcels.to_crs(4547).geometry.values
    left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    pairs = left < right
    overlap = shapely.area(shapely.intersection(geoms[left[pairs]], geoms[right[pairs]]))
    assert (overlap < 1.0).all()


def test_realistic_values(big):
    lu = big["land_use"]
    ind = lu.isin(INDUSTRIAL)
    assert 0.30 <= ind.mean() <= 0.50
    assert {"0701", "0901", "0703", "1101", "0801", "0804", "1002"} <= set(lu)
    area = big.to_crs(4547).area.to_numpy()
    mu = area * 15 / 10000
    assert mu[ind].min() >= 2.9 and mu[ind].max() <= 151
    home = (lu == "0703").to_numpy()
    assert mu[home].min() >= 0.1 and mu[home].max() <= 0.5
    built = (big["floor_area_m2"].to_numpy() > 0) & big["stopped_since"].isna().to_numpy()
    far = big["floor_area_m2"].to_numpy() / area
    cov = big["footprint_m2"].to_numpy() / area
    assert far[built].min() >= 0.29 and far[built].max() <= 3.51
    low = ind.to_numpy() & built & ((far < 1.0) | (cov < 0.3))
    assert low.sum() > 0.3 * (ind.to_numpy() & built).sum()
    differs = big["planned_use"].notna() & (big["planned_use"] != lu)
    assert 0.03 < differs.mean() < 0.15
    assert big.loc[ind, "industry_code"].notna().mean() > 0.9
    assert big.loc[~ind, "industry_code"].isna().all()
    tax_mu = (big["tax_10k_yuan"] / mu).dropna()
    assert tax_mu.median() > 2 and tax_mu.max() <= 60.01
    assert big.loc[lu == "0703", "tax_10k_yuan"].isna().all()
    holders = big["right_holder"].dropna()
    assert holders.str.endswith("有限公司").any() and holders.str.endswith("村民委员会").any()


def test_supply_chain_and_idle_cases(big):
    rows = big[big["supplied_on"].notna()]
    for a, b in (("approved_on", "supplied_on"), ("supplied_on", "agreed_start_on"),
                 ("agreed_start_on", "started_on")):
        both = rows[rows[a].notna() & rows[b].notna()]
        assert (both[a] <= both[b]).all(), (a, b)
    idle = big[big["supplied_on"].notna() & big["started_on"].isna()]
    overdue = np.array([(REF - d).days for d in idle["agreed_start_on"]])
    assert (overdue > 730).sum() > 10 and ((overdue > 365) & (overdue <= 730)).sum() > 5
    stopped = big[big["stopped_since"].notna()]
    assert len(stopped) > 10 and (stopped["developed_ratio"] < 0.35).all()
    assert all((REF - d).days > 365 for d in stopped["stopped_since"])
    unsupplied = big[big["approved_on"].notna() & big["supplied_on"].isna()]
    assert len(unsupplied) > 10


def test_zones(zones, big):
    assert set(zones["kind"]) == set(ZONE_KINDS)
    assert zones["zone_code"].is_unique
    assert zones.is_valid.all() and not zones.is_empty.any()
    assert zones.crs.to_epsg() == 4490
    z = zones.to_crs(4547)
    p = big.to_crs(4547)
    area = p.area.to_numpy()
    ind = big["land_use"].isin(INDUSTRIAL).to_numpy()
    icl = shapely.union_all(z.loc[z["kind"] == "industrial_control_line"].geometry.values)
    share = shapely.area(shapely.intersection(p.geometry.values[ind], icl)) / area[ind]
    assert (share > 0.99).mean() > 0.5
    assert (share == 0).sum() > 50
    red = shapely.union_all(z.loc[z["kind"] == "ecological_redline"].geometry.values)
    ratio = shapely.area(shapely.intersection(p.geometry.values, red)) / area
    assert 1 <= (ratio >= 0.1).sum() <= 100


def test_complex_redline():
    parcels = generate_parcels(n=500, seed=3)
    zones = generate_zones(seed=3, parcels=parcels, complex_vertices=5000)
    red = zones[zones["kind"] == "ecological_redline"]
    assert red.is_valid.all()
    assert shapely.get_num_coordinates(red.geometry.values).max() >= 4000


def test_write_demo_files_round_trip(tmp_path):
    paths = write_demo_files(tmp_path, n=800, seed=9)
    assert set(paths) == {"parcels", "zones", "districts"}
    info = pyogrio.read_info(paths["parcels"], layer="parcels")
    assert info["features"] == 900  # 800 in Jiangmen, 100 in 白云区 and 中山市
    fields = dict(zip(info["fields"], info["dtypes"], strict=True))
    assert fields["supplied_on"] == "datetime64[D]"
    back = pyogrio.read_dataframe(paths["parcels"], layer="parcels")
    original = generate_parcels(n=800, seed=9)
    assert back["parcel_code"].tolist()[:800] == original["parcel_code"].tolist()
    assert np.allclose(back["floor_area_m2"][:800], original["floor_area_m2"])
    others = back["district_code"].iloc[800:]
    assert set(others) == {"440111", "442000"}
    districts = pyogrio.read_dataframe(paths["districts"])
    assert len(districts) == 9 and {"440111", "442000"} <= set(districts["district_code"])
    zones = pyogrio.read_dataframe(paths["zones"], layer="zones")
    assert set(zones["kind"]) == set(ZONE_KINDS)
    assert {"440111", "442000"} <= set(zones["district_code"])
