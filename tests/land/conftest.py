"""File-building fixtures: real survey files written to disk, never mocked readers.

The hand-made parcels are rectangles in EPSG:4547 (CGCS2000 3-degree GK, CM 114°E, false easting
500 000) around Jiangmen (113.08°E → x ≈ 405 000, y ≈ 2 500 000). Their areas are exact in that
CRS, which is also the zone the importer chooses for them, so imported areas are checked to the cm².
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely
import yaml
from openpyxl import Workbook

X0, Y0 = 405_000.0, 2_500_000.0
CRS_GK = "EPSG:4547"

#: Canonical attributes of five hand-made parcels; ``w``/``h`` give the rectangle in metres.
PARCELS: list[dict[str, Any]] = [
    {"parcel_code": "JM-0001", "land_use": "1001", "floor_area_m2": 12000.5, "building_year": 2005,
     "right_holder": "江门市甲乙制造有限公司", "approved_on": dt.date(2004, 3, 1), "note": "旧厂房",
     "w": 100.0, "h": 100.0},
    {"parcel_code": "JM-0002", "land_use": "0701", "floor_area_m2": 5400.0, "building_year": 1998,
     "right_holder": "蓬江区某村民委员会", "approved_on": dt.date(1997, 6, 30), "note": "城中村",
     "w": 60.0, "h": 50.0},
    {"parcel_code": "JM-0003", "land_use": "1101", "floor_area_m2": 800.0, "building_year": 2012,
     "right_holder": "江门市物流公司", "approved_on": dt.date(2011, 1, 15), "note": "仓库",
     "w": 200.0, "h": 150.0},
    {"parcel_code": "JM-0004", "land_use": "0901", "floor_area_m2": 3000.0, "building_year": 2018,
     "right_holder": "新会区商贸公司", "approved_on": dt.date(2017, 12, 31), "note": "商铺",
     "w": 40.0, "h": 25.0},
    {"parcel_code": "JM-0005", "land_use": "100101", "floor_area_m2": 25000.0, "building_year": 2020,
     "right_holder": "江海区电子厂", "approved_on": dt.date(2019, 9, 9), "note": "新厂",
     "w": 300.0, "h": 100.0},
]
CODES = [p["parcel_code"] for p in PARCELS]
AREAS_M2 = {p["parcel_code"]: p["w"] * p["h"] for p in PARCELS}

#: The survey's own (Chinese) field names and the mapping file that turns them canonical.
ZH_FIELDS = {"parcel_code": "宗地代码", "land_use": "用地性质", "floor_area_m2": "建筑面积",
             "building_year": "建成年份", "right_holder": "权利人", "approved_on": "批准日期",
             "note": "备注"}
MAPPING = {"fields": {zh: en for en, zh in ZH_FIELDS.items() if en != "note"}}


def in_rows(problems: list[Any]) -> list[Any]:
    """The problems of rows (not the warnings naming a column no field takes, e.g. ``note``)."""
    return [p for p in problems if p.row is not None]


def rect(i: int, w: float, h: float) -> shapely.Polygon:
    """The i-th rectangle of a row (500 m apart) in EPSG:4547."""
    x = X0 + i * 500.0
    return shapely.box(x, Y0, x + w, Y0 + h)


def parcels_gdf(rows: list[dict[str, Any]] | None = None, *, chinese: bool = False,
                crs: str | None = CRS_GK) -> gpd.GeoDataFrame:
    """The hand-made parcels as a GeoDataFrame (canonical or Chinese field names)."""
    rows = [dict(r) for r in (rows or PARCELS)]
    geoms = [r.pop("geometry") if "geometry" in r else rect(i, r["w"], r["h"])
             for i, r in enumerate(rows)]
    for r in rows:
        r.pop("w", None)
        r.pop("h", None)
    frame = pd.DataFrame(rows)
    if "building_year" in frame:
        frame["building_year"] = frame["building_year"].astype("Int64")
    if chinese:
        frame = frame.rename(columns=ZH_FIELDS)
    return gpd.GeoDataFrame(frame, geometry=geoms, crs=crs)


def write_mapping(path: Path, mapping: dict[str, Any] | None = None) -> Path:
    path.write_text(yaml.safe_dump(mapping or MAPPING, allow_unicode=True), encoding="utf-8")
    return path


def write_shapefile(gdf: gpd.GeoDataFrame, folder: Path, name: str = "parcels",
                    encoding: str = "GBK") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    out = gdf.copy()
    for c in out.columns:  # dBASE has no DATE from object columns: write text dates
        if out[c].dtype == object and any(isinstance(v, dt.date) for v in out[c]):
            out[c] = out[c].map(lambda v: v.isoformat() if isinstance(v, dt.date) else v)
    pyogrio.write_dataframe(out, folder / f"{name}.shp", encoding=encoding)
    return folder


def zip_folder(folder: Path, target: Path) -> Path:
    with zipfile.ZipFile(target, "w") as zf:
        for f in sorted(folder.iterdir()):
            zf.write(f, arcname=f.name)
    return target


def write_csv_wkt(gdf: gpd.GeoDataFrame, path: Path, *, prj: bool = True,
                  encoding: str = "utf-8-sig") -> Path:
    table = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
    table["wkt"] = shapely.to_wkt(gdf.geometry.values, rounding_precision=-1)
    table.to_csv(path, index=False, encoding=encoding)
    if prj and gdf.crs is not None:
        path.with_suffix(".prj").write_text(gdf.crs.to_wkt(), encoding="utf-8")
    return path


def write_excel(rows: list[dict[str, Any]], path: Path, sheet: str = "属性") -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    header = list(rows[0])
    ws.append(header)
    for r in rows:
        ws.append([r.get(h) for h in header])
    wb.save(path)
    return path


# ------------------------------------------------------------------ fixtures: one file per format

@pytest.fixture
def mapping_file(tmp_path: Path) -> Path:
    return write_mapping(tmp_path / "mapping.yaml")


@pytest.fixture
def shp_gbk(tmp_path: Path) -> Path:
    """A Shapefile folder, Chinese field names, GBK text and a ``.cpg`` saying so."""
    return write_shapefile(parcels_gdf(chinese=True), tmp_path / "shp_gbk", encoding="GBK")


#: In UTF-8 a Chinese character takes 3 bytes, so dBASE's 10-byte names hold three of them.
ZH_SHORT = {"parcel_code": "宗地号", "land_use": "用途", "floor_area_m2": "建面", "building_year": "年份",
            "right_holder": "权利人", "approved_on": "批准日", "note": "备注"}


@pytest.fixture
def shp_utf8(tmp_path: Path) -> Path:
    """A UTF-8 Shapefile (``.cpg`` UTF-8) with short Chinese field names (see ``ZH_SHORT``)."""
    gdf = parcels_gdf().rename(columns=ZH_SHORT)
    return write_shapefile(gdf, tmp_path / "shp_utf8", encoding="UTF-8")


@pytest.fixture
def shp_zip(tmp_path: Path) -> Path:
    folder = write_shapefile(parcels_gdf(chinese=True), tmp_path / "zipped", encoding="GBK")
    return zip_folder(folder, tmp_path / "parcels_shp.zip")


@pytest.fixture
def gpkg_file(tmp_path: Path) -> Path:
    path = tmp_path / "parcels.gpkg"
    pyogrio.write_dataframe(parcels_gdf(), path, layer="parcels")
    return path


@pytest.fixture
def geojson_file(tmp_path: Path) -> Path:
    """GeoJSON is always lon/lat: the parcels reprojected to EPSG:4490."""
    path = tmp_path / "parcels.geojson"
    gdf = parcels_gdf().to_crs(4490)
    gdf["approved_on"] = gdf["approved_on"].map(lambda d: d.isoformat())
    pyogrio.write_dataframe(gdf, path, driver="GeoJSON")
    return path


@pytest.fixture
def parquet_file(tmp_path: Path) -> Path:
    path = tmp_path / "parcels.parquet"
    gdf = parcels_gdf()
    gdf["approved_on"] = gdf["approved_on"].map(lambda d: d.isoformat())
    gdf.to_parquet(path)
    return path


@pytest.fixture
def csv_wkt(tmp_path: Path) -> Path:
    """CSV with a WKT column in EPSG:4547 (the CRS given by a .prj beside it)."""
    return write_csv_wkt(parcels_gdf(), tmp_path / "parcels.csv")


@pytest.fixture
def csv_no_crs(tmp_path: Path) -> Path:
    return write_csv_wkt(parcels_gdf(), tmp_path / "nocrs.csv", prj=False)


@pytest.fixture
def excel_sheet(tmp_path: Path) -> Path:
    """An attribute sheet (Chinese headers) for the five parcels: new floor areas and holders."""
    rows = [{"宗地代码": p["parcel_code"], "建筑面积": p["floor_area_m2"] + 100.0,
             "权利人": p["right_holder"] + "（变更）", "联系人": f"张{i}"}
            for i, p in enumerate(PARCELS)]
    return write_excel(rows, tmp_path / "attributes.xlsx")


@pytest.fixture
def districts_file(tmp_path: Path) -> Path:
    """Two districts split at x = 406 000 (EPSG:4547): JM-0001, JM-0002 west, the rest east."""
    west = shapely.box(X0 - 5000, Y0 - 5000, 406_000, Y0 + 5000)
    east = shapely.box(406_000, Y0 - 5000, X0 + 10_000, Y0 + 5000)
    gdf = gpd.GeoDataFrame({"district_code": ["440703", "440704"], "name": ["蓬江区", "江海区"]},
                           geometry=[west, east], crs=CRS_GK).to_crs(4490)
    path = tmp_path / "districts.geojson"
    pyogrio.write_dataframe(gdf, path, driver="GeoJSON")
    return path


@pytest.fixture(scope="session")
def demo_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """200 generated Jiangmen parcels (seed 11), their zones and districts, built once."""
    from landrenew.demo.generator import write_demo_files

    return write_demo_files(tmp_path_factory.mktemp("demo"), n=200, seed=11)
