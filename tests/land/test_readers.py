"""Readers: every format bureaus send, encodings, CRS handling, row labels."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd
import pytest
import shapely

from landrenew.core.errors import InputError
from landrenew.land.readers import read_any, read_vector

from .conftest import (
    AREAS_M2,
    CODES,
    PARCELS,
    ZH_FIELDS,
    ZH_SHORT,
    parcels_gdf,
    write_excel,
    write_shapefile,
)

ZH_COLUMNS = [ZH_FIELDS[k] for k in ("parcel_code", "land_use", "floor_area_m2", "building_year",
                                     "right_holder", "approved_on", "note")]


def _areas_4547(frame) -> list[float]:  # type: ignore[no-untyped-def]
    return [round(a, 3) for a in frame.to_crs(4547).area]


@pytest.mark.parametrize("fixture", ["shp_gbk", "shp_zip"])
def test_shapefile_chinese_fields(fixture: str, request: pytest.FixtureRequest) -> None:
    path: Path = request.getfixturevalue(fixture)
    result = read_any(path)
    assert result.has_geometry and result.row_label == "feature"
    frame = result.gdf
    assert [c for c in frame.columns if c != "geometry"] == ZH_COLUMNS
    assert frame["宗地代码"].tolist() == CODES
    assert frame["权利人"].tolist() == [p["right_holder"] for p in PARCELS]
    assert frame["备注"].tolist() == ["旧厂房", "城中村", "仓库", "商铺", "新厂"]
    assert frame.index.tolist() == [0, 1, 2, 3, 4]  # shapefile feature ids
    assert frame.crs.to_epsg() == 4547
    assert _areas_4547(frame) == [AREAS_M2[c] for c in CODES]


def test_shapefile_utf8(shp_utf8: Path) -> None:
    assert (shp_utf8 / "parcels.cpg").read_text().strip().upper() in ("UTF-8", "UTF8")
    frame = read_any(shp_utf8).gdf
    assert [c for c in frame.columns if c != "geometry"] == list(ZH_SHORT.values())
    assert frame["宗地号"].tolist() == CODES
    assert frame["备注"].tolist() == ["旧厂房", "城中村", "仓库", "商铺", "新厂"]
    assert _areas_4547(frame) == [AREAS_M2[c] for c in CODES]


def test_gbk_cpg_written(shp_gbk: Path) -> None:
    assert (shp_gbk / "parcels.cpg").read_text().strip().upper() == "GBK"
    dbf = (shp_gbk / "parcels.dbf").read_bytes()
    assert "宗地代码".encode("gbk") in dbf and "宗地代码".encode() not in dbf


def test_gbk_without_cpg_needs_encoding(tmp_path: Path) -> None:
    folder = write_shapefile(parcels_gdf(chinese=True), tmp_path / "nocpg", encoding="GBK")
    (folder / "parcels.cpg").unlink()
    with pytest.raises(InputError) as err:
        read_any(folder)
    assert err.value.file == str(folder) and "--encoding" in str(err.value)
    frame = read_any(folder, encoding="GBK").gdf
    assert frame["宗地代码"].tolist() == CODES
    assert frame["权利人"].iloc[0] == "江门市甲乙制造有限公司"
    frame18030 = read_any(folder / "parcels.shp", encoding="GB18030").gdf
    assert frame18030["备注"].tolist() == ["旧厂房", "城中村", "仓库", "商铺", "新厂"]


def test_encoding_overrides_wrong_cpg(tmp_path: Path) -> None:
    folder = write_shapefile(parcels_gdf(chinese=True), tmp_path / "wrongcpg", encoding="GBK")
    (folder / "parcels.cpg").write_text("UTF-8")
    assert read_any(folder, encoding="GBK").gdf["宗地代码"].tolist() == CODES


def test_zip_and_folder_need_exactly_one_shapefile(tmp_path: Path, shp_gbk: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InputError, match=r"expected one \.shp in the folder, found 0"):
        read_any(empty)
    two = tmp_path / "two.zip"
    with zipfile.ZipFile(two, "w") as zf:
        for f in shp_gbk.iterdir():
            zf.write(f, arcname=f.name)
            zf.write(f, arcname="copy/" + f.name)
    with pytest.raises(InputError, match="found 2") as err:
        read_any(two)
    assert err.value.file == str(two)


def test_geopackage(gpkg_file: Path) -> None:
    result = read_any(gpkg_file)
    frame = result.gdf
    assert frame.index.tolist() == [1, 2, 3, 4, 5]  # GeoPackage fids start at 1
    assert frame.index.name == "row"
    assert frame["parcel_code"].tolist() == CODES
    assert frame["building_year"].tolist() == [2005, 1998, 2012, 2018, 2020]
    assert frame.crs.to_epsg() == 4547
    assert _areas_4547(frame) == [AREAS_M2[c] for c in CODES]


def test_geojson_is_lon_lat(geojson_file: Path) -> None:
    frame = read_any(geojson_file).gdf
    assert frame.crs.to_epsg() == 4490
    assert frame["parcel_code"].tolist() == CODES
    assert frame.index.tolist() == [0, 1, 2, 3, 4]
    assert [round(a, 2) for a in frame.to_crs(4547).area] == [AREAS_M2[c] for c in CODES]


def test_geojson_dates_are_read_as_text(tmp_path: Path) -> None:
    """An impossible date must reach validation, not be rolled over by GDAL (2021-02-30 → 03-02)."""
    import pyogrio

    gdf = parcels_gdf().to_crs(4490)
    gdf["approved_on"] = ["2004-03-01", "2021-02-30", "2011-01-15", None, "2019-09-09"]
    path = tmp_path / "dates.geojson"
    pyogrio.write_dataframe(gdf, path, driver="GeoJSON")
    frame = read_any(path).gdf
    assert frame["approved_on"].tolist()[:3] == ["2004-03-01", "2021-02-30", "2011-01-15"]
    assert read_any(path, encoding="UTF-8").gdf["approved_on"].iloc[1] == "2021-02-30"


def test_geoparquet(parquet_file: Path) -> None:
    result = read_any(parquet_file)
    assert result.row_label == "row"
    frame = result.gdf
    assert frame.index.tolist() == [0, 1, 2, 3, 4]
    assert frame.crs.to_epsg() == 4547
    assert frame["note"].tolist()[0] == "旧厂房"


def test_csv_wkt_with_prj(csv_wkt: Path) -> None:
    result = read_any(csv_wkt)
    assert result.row_label == "line"
    frame = result.gdf
    assert frame.index.tolist() == [2, 3, 4, 5, 6]  # line 1 is the header
    assert frame.crs.to_epsg() == 4547
    assert "wkt" not in frame.columns
    assert frame["floor_area_m2"].tolist()[0] == "12000.5"  # CSV values stay text
    assert _areas_4547(frame) == [AREAS_M2[c] for c in CODES]


def test_csv_without_crs_refused_and_crs_option(csv_no_crs: Path) -> None:
    with pytest.raises(InputError) as err:
        read_any(csv_no_crs)
    assert err.value.file == str(csv_no_crs) and err.value.field == "crs"
    assert "--crs" in str(err.value)
    frame = read_any(csv_no_crs, crs="EPSG:4547").gdf
    assert frame.crs.to_epsg() == 4547
    assert _areas_4547(frame) == [AREAS_M2[c] for c in CODES]


def test_shapefile_without_prj_refused(tmp_path: Path) -> None:
    folder = write_shapefile(parcels_gdf(chinese=True), tmp_path / "noprj")
    (folder / "parcels.prj").unlink()
    with pytest.raises(InputError, match="no coordinate reference system"):
        read_vector(folder)
    assert read_vector(folder, crs="4547").gdf.crs.to_epsg() == 4547


def test_csv_bad_wkt_names_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text('parcel_code,wkt\nA,"POLYGON((0 0,1 0,1 1,0 0))"\nB,"POLYGON((oops"\n',
                    encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_any(path, crs="EPSG:4547")
    assert (err.value.row, err.value.field) == (3, "wkt")


def test_csv_lon_lat_gb18030(tmp_path: Path) -> None:
    path = tmp_path / "points.csv"
    pd.DataFrame({"宗地代码": ["甲1", "乙2"], "经度": [113.1, 113.2], "纬度": [22.6, 22.7]}).to_csv(
        path, index=False, encoding="gb18030")
    frame = read_any(path, crs="EPSG:4490").gdf
    assert frame["宗地代码"].tolist() == ["甲1", "乙2"]
    assert [g.coords[0] for g in frame.geometry] == [(113.1, 22.6), (113.2, 22.7)]
    assert "经度" not in frame.columns


def test_csv_attributes_only(tmp_path: Path) -> None:
    path = tmp_path / "attrs.csv"
    path.write_text("parcel_code,floor_area_m2\nJM-0001,1\n", encoding="utf-8")
    result = read_any(path)
    assert not result.has_geometry
    with pytest.raises(InputError, match="attributes only"):
        _ = result.gdf
    with pytest.raises(InputError, match="no geometry"):
        read_vector(path)


def test_excel_sheet(excel_sheet: Path) -> None:
    result = read_any(excel_sheet)
    assert not result.has_geometry and result.row_label == "row"
    frame = result.frame
    assert list(frame.columns) == ["宗地代码", "建筑面积", "权利人", "联系人"]
    assert frame.index.tolist() == [2, 3, 4, 5, 6]  # sheet rows; row 1 is the header
    assert frame["建筑面积"].tolist()[0] == 12100.5


def test_excel_named_sheet_and_blanks(tmp_path: Path) -> None:
    path = write_excel([{"宗地代码": "A", "备注": None}, {"宗地代码": "B", "备注": "x"}],
                       tmp_path / "s.xlsx", sheet="第二页")
    frame = read_any(path, layer="第二页").frame
    assert frame["备注"].tolist() == [None, "x"]
    with pytest.raises(InputError, match="cannot read the Excel file"):
        read_any(path, layer="nope")


def test_unknown_and_missing_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_any(tmp_path / "missing.gpkg")
    odd = tmp_path / "parcels.dwg"
    odd.write_bytes(b"x")
    with pytest.raises(InputError, match=r"unknown file type '\.dwg'"):
        read_any(odd)
    broken = tmp_path / "broken.gpkg"
    broken.write_bytes(b"not a geopackage")
    with pytest.raises(InputError, match="cannot read the file") as err:
        read_any(broken)
    assert err.value.file == str(broken)


def test_reader_keeps_geometry_exact(gpkg_file: Path) -> None:
    frame = read_any(gpkg_file).gdf
    assert shapely.equals_exact(frame.geometry.iloc[0],
                                shapely.box(405_000, 2_500_000, 405_100, 2_500_100), 1e-9)
