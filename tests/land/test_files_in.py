"""What a survey file may bring in, on both backends: columns no field takes are named in the
report and kept as sensitive extras, canonical Chinese names are recognised, Excel formula cells
give Excel's value with a warning or refuse their row naming the cell, and coordinates outside
the file's CRS or the city are refused, naming the row."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
import shapely
from openpyxl import Workbook

from landrenew.core.errors import InputError, ValidationFailed
from landrenew.core.store import Store
from landrenew.land import parcels as P
from landrenew.land.districts import import_districts
from landrenew.land.importing import ImportOptions, import_parcels
from landrenew.land.mapping import BUILTIN, normalise_label, recognise
from landrenew.land.zones import import_zones

from .conftest import PARCELS, X0, Y0, in_rows, parcels_gdf


def _opts(**kw) -> ImportOptions:  # type: ignore[no-untyped-def]
    return ImportOptions(**kw)


# ---------------------------------------------------------------- unmapped columns, Chinese names

def test_canonical_chinese_names_are_recognised_without_a_mapping(store: Store,
                                                                  tmp_path: Path) -> None:
    """A file with the Chinese names of the fields (as the platform's own Excel downloads write
    them, full-width parentheses too) needs no mapping; 身份证号 matches no field: kept as an
    extra attribute and named in a warning."""
    gdf = parcels_gdf()
    gdf = gdf.drop(columns=["note"]).rename(columns={
        "parcel_code": "宗地代码", "land_use": "用地现状分类", "floor_area_m2": "建筑面积（m²）",
        "building_year": "建成年份", "right_holder": "权利人", "approved_on": "批准日期"})
    gdf["税收（万元）"] = [1.5, 2.0, 0.0, 3.25, 10.0]
    gdf["身份证号"] = [f"44070319800101{i:04d}" for i in range(5)]
    path = tmp_path / "中文字段.gpkg"
    pyogrio.write_dataframe(gdf, path)
    rep = import_parcels(store, path, _opts(), user="t")
    assert rep.inserted == 5
    assert [(p.field, p.code, p.severity) for p in rep.problems] == [
        ("身份证号", "unmapped_column", "warning")]
    assert "not declared public" in rep.problems[0].message
    frame = P.read_parcels(store).set_index("parcel_code")
    assert frame.loc["JM-0004", "right_holder"] == "新会区商贸公司"
    assert frame.loc["JM-0004", "tax_10k_yuan"] == 3.25
    assert frame.loc["JM-0004", "floor_area_m2"] == 3000.0
    assert frame.loc["JM-0004", "attributes"] == {"身份证号": "440703198001010003"}


def test_recognition_keeps_a_field_the_file_already_has() -> None:
    assert normalise_label(" 建筑面积（平方米） ") == "建筑面积(㎡)"
    assert recognise(["宗地代码", "权利人", "税收"], {"parcel_code"}) == {
        "权利人": "right_holder"}  # 税收 without its unit (万元) is not taken for 税收(万元)
    assert BUILTIN["shapefile"].fields["parcel_cod"] == "parcel_code"
    assert BUILTIN["chinese"].fields["宗地代码"] == "parcel_code"


# ---------------------------------------------------------------- Excel formula cells

def _with_cached_values(path: Path, values: dict[str, str], kind: str = "n") -> Path:
    """The workbook as Excel saves it: each formula cell with the value it last calculated
    (``kind`` ``e``: an error value such as ``#DIV/0!``)."""
    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode("utf-8")
    for cell, value in values.items():
        sheet, n = re.subn(rf'<c r="{cell}"[^>]*>(<f>[^<]*</f>)<v\s*/?>(</v>)?',
                           rf'<c r="{cell}" t="{kind}">\g<1><v>{value}</v>', sheet)
        assert n == 1, cell
    parts["xl/worksheets/sheet1.xml"] = sheet.encode("utf-8")
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return path


def _formula_sheet(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "属性 表"
    ws.append(["parcel_code", "floor_area_m2", "building_year"])
    ws.append(["JM-0001", "=1000+234.5", 2006])
    ws.append(["JM-0002", 5400.0, "=1990+9"])
    wb.save(path)
    return path


def test_excel_formula_cells_refuse_their_row_without_a_value(store: Store, gpkg_file: Path,
                                                              tmp_path: Path) -> None:
    """Written by a program (openpyxl), the formulas were never calculated: each row is
    refused, naming the cell; nothing is stored."""
    import_parcels(store, gpkg_file, _opts(), user="t")
    sheet = _formula_sheet(tmp_path / "formulas.xlsx")
    with pytest.raises(ValidationFailed) as err:
        import_parcels(store, sheet, _opts(), user="t")
    got = [(p.row, p.field, p.code) for p in err.value.problems]
    assert got == [(2, "floor_area_m2", "formula_without_value"),
                   (3, "building_year", "formula_without_value")]
    assert "'属性 表'!B2 is a formula (=1000+234.5) without a calculated value" in \
        err.value.problems[0].message
    assert err.value.problems[1].message.startswith("'属性 表'!C3 ")
    assert P.get_parcel(store, "JM-0001").iloc[0]["version"] == 1


def test_excel_formula_cells_import_excels_value_with_a_warning(store: Store, gpkg_file: Path,
                                                                tmp_path: Path) -> None:
    import_parcels(store, gpkg_file, _opts(), user="t")
    sheet = _with_cached_values(_formula_sheet(tmp_path / "saved.xlsx"),
                                {"B2": "1234.5", "C3": "1999"})
    rep = import_parcels(store, sheet, _opts(), user="t")
    assert (rep.updated, rep.unchanged) == (2, 0)
    assert [(w.row, w.field, w.code) for w in rep.warnings] == [
        (2, "floor_area_m2", "formula_cell"), (3, "building_year", "formula_cell")]
    assert "'属性 表'!B2 is a formula (=1000+234.5); the value Excel last calculated (1234.5)" \
        in rep.warnings[0].message
    cur = P.read_parcels(store).set_index("parcel_code")
    assert cur.loc["JM-0001", "floor_area_m2"] == 1234.5
    assert cur.loc["JM-0002", "building_year"] == 1999


def test_an_excel_error_value_is_no_value(store: Store, gpkg_file: Path, tmp_path: Path) -> None:
    import_parcels(store, gpkg_file, _opts(), user="t")
    wb = Workbook()
    ws = wb.active
    ws.append(["parcel_code", "floor_area_m2"])
    ws.append(["JM-0001", "=1/0"])
    wb.save(tmp_path / "div0.xlsx")
    sheet = _with_cached_values(tmp_path / "div0.xlsx", {"B2": "#DIV/0!"}, kind="e")
    with pytest.raises(ValidationFailed) as err:
        import_parcels(store, sheet, _opts(), user="t")
    assert [(p.row, p.code) for p in err.value.problems] == [(2, "formula_without_value")]


def test_a_formula_in_an_attribute_sheet_refuses_that_sheet_row(store: Store, gpkg_file: Path,
                                                                tmp_path: Path) -> None:
    sheet = _formula_sheet(tmp_path / "join.xlsx")
    with pytest.raises(ValidationFailed) as err:
        import_parcels(store, gpkg_file, _opts(attributes=str(sheet)), user="t")
    assert {(p.file, p.row, p.code) for p in in_rows(err.value.problems)} == {
        (str(sheet), 2, "formula_without_value"), (str(sheet), 3, "formula_without_value")}


# ---------------------------------------------------------------- coordinates

def test_a_polygon_at_longitude_500_is_refused_naming_the_row(store: Store,
                                                             tmp_path: Path) -> None:
    gdf = parcels_gdf(PARCELS[:3]).to_crs(4490)
    geoms = list(gdf.geometry)
    geoms[1] = shapely.box(500.0, 22.5, 500.001, 22.501)
    gdf = gdf.set_geometry(geoms)
    path = tmp_path / "lon500.geojson"
    gdf["approved_on"] = gdf["approved_on"].map(str)
    pyogrio.write_dataframe(gdf, path, driver="GeoJSON")
    with pytest.raises(ValidationFailed) as err:
        import_parcels(store, path, _opts(), user="t")
    (p,) = in_rows(err.value.problems)
    assert (p.row, p.field, p.code) == (1, "geometry", "outside_crs_area")
    assert "(500, 22.5 – 500.001, 22.501)" in p.message and "EPSG:4490" in p.message
    assert P.count_parcels(store) == 0


def test_a_file_in_metres_labelled_epsg_4490_is_refused(store: Store, tmp_path: Path) -> None:
    gdf = parcels_gdf().set_crs(4490, allow_override=True)  # x ≈ 405 000 read as degrees
    path = tmp_path / "metres.gpkg"
    pyogrio.write_dataframe(gdf, path)
    with pytest.raises(ValidationFailed) as err:
        import_parcels(store, path, _opts(), user="t")
    rows = in_rows(err.value.problems)
    assert [(p.row, p.code) for p in rows] == [(i, "outside_crs_area") for i in range(1, 6)]
    assert "metres labelled as degrees" in rows[0].message
    with pytest.raises(ValidationFailed):  # partial: every row refused, nothing stored
        import_parcels(store, path, _opts(partial=True), user="t")
    assert P.count_parcels(store) == 0


def test_parcels_outside_the_city_are_refused_once_districts_are_stored(
        store: Store, districts_file: Path, tmp_path: Path) -> None:
    far = [dict(p) for p in PARCELS[:2]]
    far[1]["geometry"] = shapely.box(X0 + 150_000, Y0, X0 + 150_100, Y0 + 100)  # ~114.5°E
    path = tmp_path / "far.gpkg"
    pyogrio.write_dataframe(parcels_gdf(far), path)
    import_districts(store, districts_file, user="t")
    with pytest.raises(ValidationFailed) as err:
        import_parcels(store, path, _opts(), user="t")
    (p,) = in_rows(err.value.problems)
    assert (p.row, p.code) == (2, "outside_city") and "the districts span" in p.message
    rep = import_parcels(store, path, _opts(partial=True), user="t")
    assert (rep.inserted, rep.refused) == (1, 1)
    near = [dict(PARCELS[2], geometry=shapely.box(X0 - 5500, Y0, X0 - 5400, Y0 + 100))]
    near_path = tmp_path / "near.gpkg"  # 400 m beyond the city's edge: within the margin
    pyogrio.write_dataframe(parcels_gdf(near), near_path)
    assert import_parcels(store, near_path, _opts(), user="t").inserted == 1


def test_district_and_zone_files_outside_their_crs_are_refused(store: Store,
                                                              tmp_path: Path) -> None:
    """The districts make the city's extent: a district file in metres labelled EPSG:4490 is
    refused, naming the row; so is such a zone layer (which may reach beyond the city)."""
    gdf = gpd.GeoDataFrame({"district_code": ["440703"], "name": ["蓬江区"]},
                           geometry=[shapely.box(X0 - 5000, Y0 - 5000, X0, Y0)], crs=4490)
    path = tmp_path / "districts.gpkg"
    pyogrio.write_dataframe(gdf, path)
    with pytest.raises(InputError) as err:
        import_districts(store, path, user="t")
    assert (err.value.row, err.value.field) == (1, "geometry")
    assert "outside the area of use of EPSG:4490" in err.value.message
    zones = gpd.GeoDataFrame({"zone_code": ["Z-1"]}, geometry=[shapely.box(500, 22, 501, 23)],
                             crs=4490)
    zone_path = tmp_path / "zones.gpkg"
    pyogrio.write_dataframe(zones, zone_path)
    with pytest.raises(ValidationFailed) as refused:
        import_zones(store, zone_path, kind="ecological_redline", user="t")
    assert [(p.row, p.code) for p in refused.value.problems] == [(1, "outside_crs_area")]
