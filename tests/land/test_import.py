"""Importing parcel surveys on both backends: all or nothing, partial, reports, versions."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd
import pyogrio
import pytest
import shapely
from sqlalchemy import func, select

from landrenew.core.errors import ConfigurationError, InputError, ValidationFailed
from landrenew.core.store import Store, get_setting
from landrenew.core.store.models import AuditEvent, ParcelVersion, SurveyBatch
from landrenew.land import parcels as P
from landrenew.land.districts import import_districts, list_districts
from landrenew.land.importing import ImportOptions, import_parcels

from .conftest import (
    AREAS_M2,
    CODES,
    PARCELS,
    X0,
    Y0,
    in_rows,
    parcels_gdf,
    write_csv_wkt,
    write_excel,
    write_mapping,
)


def _days(values) -> list:  # type: ignore[no-untyped-def]
    """Stored dates (date objects or Timestamps, depending on the reader) as ``datetime.date``."""
    return [None if pd.isna(v) else pd.Timestamp(v).date() for v in values]


def _rows(store: Store) -> int:
    with store.read_session() as s:
        return int(s.scalar(select(func.count()).select_from(ParcelVersion)) or 0)


def _opts(tmp_path: Path, **kw) -> ImportOptions:  # type: ignore[no-untyped-def]
    return ImportOptions(report=str(tmp_path / "report.csv"), **kw)


def _bad_file(tmp_path: Path) -> Path:
    """The five parcels with one problem each in rows 2–4 (GeoPackage fids 2, 3, 4)."""
    rows = [dict(p) for p in PARCELS]
    rows[1]["land_use"] = "9999"
    rows[2]["approved_on"] = "2021-02-30"
    rows[3]["floor_area_m2"] = "很多"
    gdf = parcels_gdf(rows)
    gdf["floor_area_m2"] = gdf["floor_area_m2"].astype(str)
    gdf["approved_on"] = gdf["approved_on"].map(str)
    path = tmp_path / "bad.gpkg"
    pyogrio.write_dataframe(gdf, path)
    return path


BAD_PROBLEMS = [(2, "land_use", "unknown_land_use"), (3, "approved_on", "impossible_date"),
                (4, "floor_area_m2", "not_a_number")]


def test_import_shapefile_gbk_with_mapping(store: Store, shp_gbk: Path, mapping_file: Path,
                                           tmp_path: Path) -> None:
    rep = import_parcels(store, shp_gbk, _opts(tmp_path, mapping=str(mapping_file)), user="alice")
    assert (rep.rows_read, rep.inserted, rep.updated, rep.unchanged, rep.refused) == (5, 5, 0, 0, 0)
    assert rep.projected_crs == "EPSG:4547" and rep.stored
    assert rep.area_mu == pytest.approx(111.0, abs=1e-6)
    frame = P.read_parcels(store).set_index("parcel_code")
    assert frame.index.tolist() == CODES
    for p in PARCELS:
        row = frame.loc[p["parcel_code"]]
        assert row["land_use"] == p["land_use"]
        assert row["floor_area_m2"] == p["floor_area_m2"]
        assert row["building_year"] == p["building_year"]
        assert row["right_holder"] == p["right_holder"]
        assert _days([row["approved_on"]]) == [p["approved_on"]]
        assert row["attributes"] == {"备注": p["note"]}  # unmapped field kept as an extra
        assert row["area_m2"] == pytest.approx(AREAS_M2[p["parcel_code"]], abs=1e-3)
        assert row["version"] == 1 and row["changed_by"] == "alice"
        assert row["reason"] == "import shp_gbk"
    assert frame.loc["JM-0001", "area_mu"] == pytest.approx(15.0, abs=1e-6)
    assert frame.loc["JM-0001", "area_ha"] == pytest.approx(1.0, abs=1e-7)
    with store.read_session() as s:
        assert get_setting(s, "projected_crs") == "EPSG:4547"
        ev = s.scalars(select(AuditEvent).where(AuditEvent.action == "import_parcels")).one()
        assert ev.actor == "alice" and ev.after["inserted"] == 5


@pytest.mark.parametrize("fixture", ["gpkg_file", "geojson_file", "parquet_file", "csv_wkt",
                                     "shp_zip"])
def test_every_format_imports_same_parcels(fixture: str, request: pytest.FixtureRequest,
                                           store: Store, tmp_path: Path, mapping_file: Path) -> None:
    path = request.getfixturevalue(fixture)
    mapping = str(mapping_file) if fixture == "shp_zip" else None
    rep = import_parcels(store, path, _opts(tmp_path, mapping=mapping), user="t")
    key = "备注" if fixture == "shp_zip" else "note"
    # the one column no field takes is named in a warning (its values stay, as extras)
    assert rep.inserted == 5 and [(p.row, p.field, p.code, p.severity) for p in rep.problems] == [
        (None, key, "unmapped_column", "warning")]
    frame = P.read_parcels(store).set_index("parcel_code")
    assert frame["area_m2"].round(2).to_dict() == AREAS_M2
    assert frame["floor_area_m2"].tolist() == [p["floor_area_m2"] for p in PARCELS]
    assert _days(frame["approved_on"]) == [p["approved_on"] for p in PARCELS]
    assert frame.loc["JM-0003", "attributes"] == {key: "仓库"}


def test_all_or_nothing(store: Store, tmp_path: Path) -> None:
    path = _bad_file(tmp_path)
    report = tmp_path / "problems.json"
    with pytest.raises(ValidationFailed) as err:
        import_parcels(store, path, ImportOptions(report=str(report)), user="t")
    assert err.value.file == str(path)
    assert "3 of 5 rows refused, nothing stored" in str(err.value)
    assert sorted((p.row, p.field, p.code) for p in in_rows(err.value.problems)) == BAD_PROBLEMS
    assert _rows(store) == 0
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["count"] == 4  # and the warning naming the unmapped column 'note'
    rows = [p for p in data["problems"] if p["row"] is not None]
    assert sorted((p["row"], p["field"], p["code"]) for p in rows) == BAD_PROBLEMS
    assert {p["file"] for p in data["problems"]} == {str(path)}
    assert {p["value"] for p in rows} == {"9999", "2021-02-30", "很多"}


def test_partial_stores_good_rows_and_reports_rest(store: Store, tmp_path: Path) -> None:
    path = _bad_file(tmp_path)
    rep = import_parcels(store, path, _opts(tmp_path, partial=True), user="t")
    assert (rep.inserted, rep.refused, len(rep.errors)) == (2, 3, 3)
    assert P.read_parcels(store)["parcel_code"].tolist() == ["JM-0001", "JM-0005"]
    with open(rep.report_path, encoding="utf-8-sig", newline="") as fh:
        lines = list(csv.reader(fh))
    assert lines[0][:4] == ["文件 file", "行/要素号 row", "字段 field", "问题代码 code"]
    assert sorted((int(r[1]), r[2], r[3]) for r in lines[1:] if r[1]) == BAD_PROBLEMS
    assert [r[2:5] for r in lines[1:] if not r[1]] == [["note", "unmapped_column", "warning"]]
    assert all(r[4] == "error" for r in lines[1:] if r[1])


def test_partial_with_every_row_refused_stores_nothing(store: Store, tmp_path: Path) -> None:
    rows = [dict(p, land_use="9999") for p in PARCELS]
    path = tmp_path / "allbad.gpkg"
    pyogrio.write_dataframe(parcels_gdf(rows), path)
    with pytest.raises(ValidationFailed, match="all 5 rows refused"):
        import_parcels(store, path, _opts(tmp_path, partial=True), user="t")
    assert _rows(store) == 0


def test_duplicate_codes_in_file_name_both_rows(store: Store, tmp_path: Path) -> None:
    rows = [dict(p) for p in PARCELS]
    rows[4]["parcel_code"] = "JM-0002"
    path = write_csv_wkt(parcels_gdf(rows), tmp_path / "dup.csv")
    with pytest.raises(ValidationFailed) as err:
        import_parcels(store, path, _opts(tmp_path), user="t")
    got = sorted((p.row, p.field, p.code, p.message) for p in in_rows(err.value.problems))
    assert got == [(3, "parcel_code", "duplicate_code", "'JM-0002' appears again in row(s) [6]"),
                   (6, "parcel_code", "duplicate_code", "'JM-0002' appears again in row(s) [3]")]
    assert _rows(store) == 0


def test_missing_code_refused_not_crashing(store: Store, tmp_path: Path) -> None:
    gdf = parcels_gdf()
    gdf.loc[1, "parcel_code"] = None
    path = tmp_path / "nocode.gpkg"
    pyogrio.write_dataframe(gdf, path)
    with pytest.raises(ValidationFailed) as err:
        import_parcels(store, path, _opts(tmp_path), user="t")
    assert [(p.row, p.field, p.code) for p in in_rows(err.value.problems)] == [
        (2, "parcel_code", "missing_code")]
    rep = import_parcels(store, path, _opts(tmp_path, partial=True), user="t")
    assert rep.inserted == 4 and rep.refused == 1


def test_geometry_repaired_with_warning_or_refused_when_strict(store: Store, tmp_path: Path) -> None:
    rows = [dict(p) for p in PARCELS[:2]]
    x = X0 + 3000
    rows[1]["geometry"] = shapely.Polygon([(x, Y0), (x + 100, Y0 + 100), (x + 100, Y0), (x, Y0 + 100)])
    rows.append({"parcel_code": "JM-EMPTY", "land_use": "1001", "geometry": shapely.Polygon()})
    path = tmp_path / "geoms.gpkg"
    pyogrio.write_dataframe(parcels_gdf(rows), path)
    with pytest.raises(ValidationFailed) as err:
        import_parcels(store, path, _opts(tmp_path, strict_geometry=True), user="t")
    assert sorted((p.row, p.code, p.severity) for p in in_rows(err.value.problems)) == [
        (2, "invalid_geometry", "error"), (3, "empty_geometry", "error")]
    rep = import_parcels(store, path, _opts(tmp_path, partial=True), user="t")
    assert rep.inserted == 2 and rep.refused == 1
    assert [(w.row, w.field, w.code) for w in in_rows(rep.warnings)] == [
        (2, "geometry", "repaired_geometry")]
    fixed = P.get_parcel(store, "JM-0002").iloc[0]
    assert fixed.geometry.is_valid
    assert fixed["area_m2"] == pytest.approx(5000.0, abs=0.01)  # the two triangles of the bow tie


def test_reimport_changed_creates_version_identical_creates_nothing(
        store: Store, gpkg_file: Path, tmp_path: Path) -> None:
    import_parcels(store, gpkg_file, _opts(tmp_path), user="t")
    assert _rows(store) == 5
    again = import_parcels(store, gpkg_file, _opts(tmp_path), user="t")
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 5)
    assert _rows(store) == 5
    rows = [dict(p) for p in PARCELS]
    rows[0]["floor_area_m2"] = 99.0
    rows[4]["w"] = 310.0  # geometry change
    changed = tmp_path / "changed.gpkg"
    pyogrio.write_dataframe(parcels_gdf(rows), changed)
    rep = import_parcels(store, changed, _opts(tmp_path, reason="2024 resurvey"), user="bob")
    assert (rep.inserted, rep.updated, rep.unchanged) == (0, 2, 3)
    assert _rows(store) == 7
    cur = P.read_parcels(store).set_index("parcel_code")
    assert cur.loc["JM-0001", "floor_area_m2"] == 99.0 and cur.loc["JM-0001", "version"] == 2
    assert cur.loc["JM-0001", "reason"] == "2024 resurvey"
    assert cur.loc["JM-0005", "area_m2"] == pytest.approx(31_000.0, abs=1e-3)
    assert cur.loc["JM-0002", "version"] == 1
    with store.read_session() as s:
        assert s.scalar(select(func.count()).select_from(ParcelVersion)
                        .where(ParcelVersion.valid_to.is_(None))) == 5


def test_no_crs_refused_and_crs_option(store: Store, csv_no_crs: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        import_parcels(store, csv_no_crs, _opts(tmp_path), user="t")
    assert err.value.file == str(csv_no_crs) and err.value.field == "crs"
    assert _rows(store) == 0
    rep = import_parcels(store, csv_no_crs, _opts(tmp_path, crs="EPSG:4547"), user="t")
    assert rep.inserted == 5
    assert P.read_parcels(store)["area_m2"].round(2).tolist() == [AREAS_M2[c] for c in CODES]
    with pytest.raises(InputError, match="unknown coordinate reference system"):
        import_parcels(store, csv_no_crs, _opts(tmp_path, crs="EPSG:nope"), user="t")


def test_mapping_errors(store: Store, gpkg_file: Path, tmp_path: Path) -> None:
    bad = write_mapping(tmp_path / "bad.yaml", {"fields": {"宗地代码": "parcel_id"}})
    with pytest.raises(InputError) as err:
        import_parcels(store, gpkg_file, _opts(tmp_path, mapping=str(bad)), user="t")
    assert err.value.file == str(bad) and err.value.field == "fields.宗地代码"
    dup = write_mapping(tmp_path / "dup.yaml", {"fields": {"a": "land_use", "b": "land_use"}})
    with pytest.raises(InputError, match="several source fields map to"):
        import_parcels(store, gpkg_file, _opts(tmp_path, mapping=str(dup)), user="t")
    odd = write_mapping(tmp_path / "odd.yaml", {"fieldz": {}})
    with pytest.raises(InputError) as err:
        import_parcels(store, gpkg_file, _opts(tmp_path, mapping=str(odd)), user="t")
    assert err.value.field == "fieldz"


def test_file_without_code_field(store: Store, shp_utf8: Path, tmp_path: Path) -> None:
    """宗地号 is not a canonical name (宗地代码 is): the refusal says to choose a mapping and
    lists the file's fields."""
    with pytest.raises(InputError) as err:
        import_parcels(store, shp_utf8, _opts(tmp_path), user="t")
    assert err.value.field == "parcel_code" and "--mapping" in str(err.value)
    assert "宗地号" in str(err.value) and "saved mapping" in str(err.value)


def test_value_recoding_in_mapping(store: Store, shp_gbk: Path, tmp_path: Path) -> None:
    mapping = write_mapping(tmp_path / "recode.yaml", {
        "fields": {"宗地代码": "parcel_code", "用地性质": "land_use"},
        "values": {"land_use": {"1101": "1001"}}})
    import_parcels(store, shp_gbk, _opts(tmp_path, mapping=str(mapping)), user="t")
    frame = P.read_parcels(store).set_index("parcel_code")
    assert frame.loc["JM-0003", "land_use"] == "1001"
    assert frame.loc["JM-0003", "attributes"]["建筑面积"] == 800.0  # unmapped → extra


def test_excel_attributes_joined_by_code(store: Store, gpkg_file: Path, excel_sheet: Path,
                                         mapping_file: Path, tmp_path: Path) -> None:
    rep = import_parcels(store, gpkg_file, _opts(tmp_path, attributes=str(excel_sheet),
                                                 mapping=str(mapping_file)), user="t")
    assert rep.inserted == 5 and rep.errors == []
    frame = P.read_parcels(store).set_index("parcel_code")
    for i, p in enumerate(PARCELS):
        row = frame.loc[p["parcel_code"]]
        assert row["floor_area_m2"] == p["floor_area_m2"] + 100.0
        assert row["right_holder"] == p["right_holder"] + "（变更）"
        assert row["land_use"] == p["land_use"]  # not in the sheet: from the geometry file
        assert row["attributes"] == {"note": p["note"], "联系人": f"张{i}"}


def test_excel_attributes_with_unknown_code(store: Store, gpkg_file: Path, tmp_path: Path) -> None:
    sheet = write_excel([{"parcel_code": "JM-0001", "floor_area_m2": 1.0},
                         {"parcel_code": "JM-9999", "floor_area_m2": 2.0}], tmp_path / "s.xlsx")
    with pytest.raises(ValidationFailed) as err:
        import_parcels(store, gpkg_file, _opts(tmp_path, attributes=str(sheet)), user="t")
    assert [(p.file, p.row, p.field, p.code) for p in in_rows(err.value.problems)] == [
        (str(sheet), 3, "parcel_code", "unknown_parcel")]
    assert _rows(store) == 0


def test_excel_only_update_of_known_parcels(store: Store, gpkg_file: Path, tmp_path: Path,
                                            mapping_file: Path) -> None:
    import_parcels(store, gpkg_file, _opts(tmp_path), user="t")
    sheet = write_excel([{"宗地代码": "JM-0002", "建筑面积": 6000, "建成年份": 1999},
                         {"宗地代码": "JM-0004", "建筑面积": 3000, "建成年份": 2018}],
                        tmp_path / "update.xlsx")
    rep = import_parcels(store, sheet, _opts(tmp_path, mapping=str(mapping_file)), user="clerk")
    assert (rep.rows_read, rep.updated, rep.unchanged, rep.inserted) == (2, 1, 1, 0)
    cur = P.read_parcels(store).set_index("parcel_code")
    assert cur.loc["JM-0002", ["floor_area_m2", "building_year", "version"]].tolist() == [
        6000.0, 1999, 2]
    assert cur.loc["JM-0002", "land_use"] == "0701"  # untouched fields kept
    assert cur.loc["JM-0002", "attributes"] == {"note": "城中村"}
    assert cur.loc["JM-0002", "area_m2"] == pytest.approx(3000.0, abs=1e-3)
    assert cur.loc["JM-0002"].geometry.equals(
        P.read_parcels(store, as_of=None).set_index("parcel_code").loc["JM-0002"].geometry)
    assert _rows(store) == 6
    unknown = write_excel([{"宗地代码": "JM-7777", "建筑面积": 1}], tmp_path / "unknown.xlsx")
    with pytest.raises(ValidationFailed) as err:
        import_parcels(store, unknown, _opts(tmp_path, mapping=str(mapping_file)), user="t")
    assert [(p.row, p.field, p.code) for p in err.value.problems] == [
        (2, "parcel_code", "unknown_parcel")]


def test_districts_assigned_from_boundaries(store: Store, gpkg_file: Path, districts_file: Path,
                                            tmp_path: Path) -> None:
    assert import_districts(store, districts_file, user="t") == 2
    assert [(d.code, d.name) for d in list_districts(store)] == [("440703", "蓬江区"),
                                                                ("440704", "江海区")]
    import_parcels(store, gpkg_file, _opts(tmp_path), user="t")
    frame = P.read_parcels(store).set_index("parcel_code")
    assert frame["district_code"].to_dict() == {
        "JM-0001": "440703", "JM-0002": "440703", "JM-0003": "440704", "JM-0004": "440704",
        "JM-0005": "440704"}
    assert P.count_parcels(store, district="440704") == 3


def test_unknown_district_code_refused(store: Store, districts_file: Path, tmp_path: Path) -> None:
    import_districts(store, districts_file, user="t")
    rows = [dict(p) for p in PARCELS]
    rows[2]["district_code"] = "440785"
    path = tmp_path / "d.gpkg"
    pyogrio.write_dataframe(parcels_gdf(rows), path)
    with pytest.raises(ValidationFailed) as err:
        import_parcels(store, path, _opts(tmp_path), user="t")
    assert [(p.row, p.field, p.code) for p in in_rows(err.value.problems)] == [
        (3, "district_code", "unknown_district")]


def test_batch_opened_by_import(store: Store, gpkg_file: Path, tmp_path: Path) -> None:
    import_parcels(store, gpkg_file, _opts(tmp_path, batch="蓬江-2024-01"), user="district")
    with store.read_session() as s:
        batch = s.scalars(select(SurveyBatch)).one()
        assert (batch.name, batch.status, batch.parcel_count, batch.submitted_by) == (
            "蓬江-2024-01", "submitted", 5, "district")
        ids = set(s.scalars(select(ParcelVersion.batch_id)))
        assert ids == {batch.id}


def test_import_refuses_unmigrated_db(tmp_path: Path, gpkg_file: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'empty.db'}")
    try:
        with pytest.raises(ConfigurationError, match="landrenew db upgrade"):
            import_parcels(store, gpkg_file, _opts(tmp_path), user="t")
    finally:
        store.dispose()


def test_demo_parcels_import(store: Store, demo_files: dict[str, Path], tmp_path: Path) -> None:
    rep = import_parcels(store, demo_files["parcels"], _opts(tmp_path), user="t")
    assert rep.inserted == 300 and rep.errors == []  # 200 in Jiangmen, 100 in other cities
    assert P.count_parcels(store) == 300


def test_the_import_service_writes_no_report_unless_asked(store: Store, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Servers import uploads in a temporary folder; no report file may land in the working one."""
    monkeypatch.chdir(tmp_path)
    path = _bad_file(tmp_path)
    with pytest.raises(ValidationFailed) as info:
        import_parcels(store, path, ImportOptions(), user="t")
    assert len(in_rows(info.value.problems)) == 3 and "listed in" not in str(info.value)
    rep = import_parcels(store, path, ImportOptions(partial=True), user="t")
    assert rep.report_path is None and len(rep.errors) == 3
    assert not [p.name for p in tmp_path.iterdir() if "report" in p.name]
