"""Uploads that can be trusted, on both backends: extra attributes hidden from viewers unless
declared public, the platform's own downloads read back, no district's values confirmed by a
dry run, the uploaded file's own name in every message, and zipped Shapefiles imported with a
saved or built-in field mapping."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any

import geopandas as gpd
import pyogrio
import pytest
from openpyxl import load_workbook

from landrenew.core.access import Principal
from landrenew.core.store.models import AuditEvent, SurveyBatch
from landrenew.land.visibility import set_public_attributes

from .conftest import EAST, PARCELS, WEST, World, parcels_file, rect


def _upload(w: World, role: str, path: Path, *, dry_run: bool = True, **data: str) -> Any:
    return w.client.post("/api/imports/parcels", headers=w.headers(role),
                         data={"dry_run": str(dry_run).lower(), **data},
                         files={"file": (path.name, io.BytesIO(path.read_bytes()))})


def _zipped_shapefile(folder: Path, gdf: gpd.GeoDataFrame, name: str) -> Path:
    """A Shapefile written by GDAL (pyogrio), zipped with its sidecar files."""
    shp = folder / name
    shp.mkdir()
    with pytest.warns(RuntimeWarning, match="Normalized/laundered field name"):
        pyogrio.write_dataframe(gdf, shp / f"{name}.shp", encoding="UTF-8")
    target = folder / f"{name}.zip"
    with zipfile.ZipFile(target, "w") as zf:
        for f in sorted(shp.iterdir()):
            zf.write(f, arcname=f.name)
    return target


# ---------------------------------------------------------------- extra attributes


def test_extra_attributes_are_hidden_from_viewers_unless_declared_public(world: World) -> None:
    rows = [dict(PARCELS[0], 身份证号="440703198001010011", 备注="旧厂房")]
    path = parcels_file(world.folder, rows, name="extras.gpkg")
    r = _upload(world, "city_staff", path, dry_run=False)
    assert r.status_code == 200, r.text
    warned = {p["field"]: p["message"] for p in r.json()["problems"]
              if p["code"] == "unmapped_column"}
    assert set(warned) == {"身份证号", "备注"}
    assert "not declared public" in warned["身份证号"]

    def attributes(role: str) -> Any:
        got = world.client.get("/api/parcels/JM-0000", headers=world.headers(role))
        assert got.status_code == 200, got.text
        return got.json()["attributes"]

    assert attributes("city_staff") == {"身份证号": "440703198001010011", "备注": "旧厂房"}
    assert attributes("viewer") == {}
    set_public_attributes(world.store, Principal("admin", "admin"), "备注，地块位置",
                          "a note is public")
    assert attributes("viewer") == {"备注": "旧厂房"}
    assert attributes("district_staff") == {"身份证号": "440703198001010011", "备注": "旧厂房"}
    with world.store.read_session() as session:
        event = session.query(AuditEvent).filter(AuditEvent.action == "set_setting").one()
    assert (event.entity_id, event.after, event.reason) == (
        "public_attributes", "备注,地块位置", "a note is public")


def test_the_parcel_list_download_reads_back_unchanged(world: World) -> None:
    """The page's Excel download (Chinese headers over field codes, areas and evaluation
    columns) uploads back as an attribute sheet: every parcel unchanged, no column unmapped."""
    content = world.page("city_staff").get("/parcels.xlsx").content
    path = world.folder / "地块清单.xlsx"
    path.write_bytes(content)
    header = next(load_workbook(path, read_only=True)["地块清单"].iter_rows(values_only=True))
    assert header[:2] == ("宗地代码", "行政区代码") and "税收(万元)" in header
    r = _upload(world, "city_staff", path)
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["rows_read"], body["unchanged"], body["updated"]) == (len(PARCELS),
                                                                        len(PARCELS), 0)
    assert body["problems"] == []


# ---------------------------------------------------------------- a dry run reveals nothing


def test_a_dry_run_cannot_confirm_another_districts_values(world: World) -> None:
    """District staff of the west district upload an east parcel exactly as stored (a right
    guess of its sensitive values) and with a wrong guess: both are refused alike, 403."""
    right = parcels_file(world.folder, [PARCELS[3]], name="guess-right.gpkg", start=3)
    wrong = parcels_file(world.folder, [dict(PARCELS[3], tax_10k_yuan=99.0)],
                         name="guess-wrong.gpkg", start=3)
    as_city = _upload(world, "city_staff", right)
    assert as_city.status_code == 200 and as_city.json()["unchanged"] == 1  # the guess is right
    answers = [_upload(world, "district_staff", path) for path in (right, wrong)]
    assert [a.status_code for a in answers] == [403, 403]
    assert answers[0].json() == answers[1].json()
    assert answers[0].json()["field"] == "district_code" and EAST not in answers[0].text
    attribute_sheet = world.folder / "guess.csv"
    attribute_sheet.write_text(f"parcel_code,tax_10k_yuan\nJM-0003,{PARCELS[3]['tax_10k_yuan']}\n",
                               encoding="utf-8")
    assert _upload(world, "district_staff", attribute_sheet).status_code == 403
    own = parcels_file(world.folder, [PARCELS[0]], name="own.gpkg")
    mine = _upload(world, "district_staff", own)
    assert mine.status_code == 200 and mine.json()["unchanged"] == 1


# ---------------------------------------------------------------- the uploaded file's name


def test_every_message_names_the_uploaded_file_not_the_servers_copy(world: World) -> None:
    broken = world.folder / "调查成果.gpkg"
    broken.write_bytes(b"not a geopackage at all")
    shapeless = world.folder / "无图形.zip"
    with zipfile.ZipFile(shapeless, "w") as zf:
        zf.writestr("readme.txt", "no shapefile here")
    bad_rows = parcels_file(world.folder, [dict(PARCELS[0], land_use="9999")], name="坏值.gpkg")
    for path in (broken, shapeless, bad_rows):
        r = _upload(world, "city_staff", path)
        assert r.status_code == 422, r.text
        assert "landrenew-upload-" not in r.text and "/tmp" not in r.text, r.text
        assert path.name in r.json()["message"] or r.json()["file"] == path.name
        assert {p["file"] for p in r.json().get("problems", [])} <= {path.name}
    page = world.page("city_staff").post(
        "/import", data={"csrf_token": world.csrf("city_staff")},
        files={"file": (broken.name, io.BytesIO(broken.read_bytes()))})
    assert page.status_code == 422 and "landrenew-upload-" not in page.text
    batch = parcels_file(world.folder, [dict(PARCELS[0], floor_area_m2=1.5)], name="批次.gpkg")
    stored = _upload(world, "city_staff", batch, dry_run=False, batch="蓬江-2026-01")
    assert stored.status_code == 200, stored.text
    with world.store.read_session() as session:
        source = session.query(SurveyBatch.source_file).filter(
            SurveyBatch.name == "蓬江-2026-01").scalar()
        event = session.query(AuditEvent).filter(AuditEvent.action == "submit_batch").one()
    assert source == "批次.gpkg" and event.after["file"] == "批次.gpkg"


# ---------------------------------------------------------------- zipped Shapefiles, mappings


def _shapefile_rows(start: int, n: int) -> list[dict[str, Any]]:
    return [dict(PARCELS[start + i], parcel_code=f"JM-S{start + i:03d}",
                 supplied_on=PARCELS[start + i]["supplied_on"].isoformat()) for i in range(n)]


def test_a_zipped_shapefile_uploads_with_the_builtin_shapefile_mapping(world: World) -> None:
    rows = _shapefile_rows(0, 2)
    gdf = gpd.GeoDataFrame(rows, geometry=[rect(i, 40, 40) for i in range(2)], crs="EPSG:4547")
    path = _zipped_shapefile(world.folder, gdf, "survey")
    names = pyogrio.read_info(f"/vsizip/{path}/survey.shp")["fields"].tolist()
    assert "parcel_cod" in names and "parcel_code" not in names  # cut by GDAL
    refused = _upload(world, "city_staff", path)
    assert refused.status_code == 422 and refused.json()["field"] == "parcel_code"
    assert "parcel_cod" in refused.json()["message"] and "mapping" in refused.json()["message"]
    r = _upload(world, "city_staff", path, dry_run=False, mapping="shapefile")
    assert r.status_code == 200, r.text
    assert (r.json()["inserted"], r.json()["mapping"]) == (2, "shapefile (built-in)")
    assert r.json()["problems"] == []
    got = world.client.get("/api/parcels/JM-S001", headers=world.headers("admin")).json()
    assert got["right_holder"] == PARCELS[1]["right_holder"]
    assert got["investment_10k_yuan"] == PARCELS[1]["investment_10k_yuan"]
    assert got["supplied_on"] == "2001-01-01" and got["district_code"] == WEST
    unknown = _upload(world, "city_staff", path, mapping="no-such-mapping")
    assert unknown.status_code == 422 and unknown.json()["field"] == "mapping"


MAPPING_V1 = """\
title: 区县调查表（短字段名）
fields: {宗地号: parcel_code, 用途: land_use, 建面: floor_area_m2, 业主: right_holder}
"""


def test_an_admin_saves_a_mapping_that_uploads_choose(world: World) -> None:
    admin = world.headers("admin")
    assert world.client.put("/api/imports/mappings/district-short", headers=world.headers(
        "city_staff"), json={"definition": MAPPING_V1}).status_code == 403
    bad = world.client.put("/api/imports/mappings/district-short", headers=admin,
                           json={"definition": "fields: {宗地号: parcel_id}"})
    assert bad.status_code == 422 and bad.json()["field"] == "fields.宗地号"
    builtin = world.client.put("/api/imports/mappings/shapefile", headers=admin,
                               json={"definition": MAPPING_V1})
    assert builtin.status_code == 422 and builtin.json()["field"] == "name"
    saved = world.client.put("/api/imports/mappings/district-short", headers=admin,
                             json={"definition": MAPPING_V1, "reason": "蓬江区 2026 调查表"})
    assert saved.status_code == 200 and saved.json()["version"] == 1, saved.text
    rows = [{"宗地号": "JM-T001", "用途": "100101", "建面": 1500.0, "业主": "江门市某厂"}]
    gdf = gpd.GeoDataFrame(rows, geometry=[rect(1, 30, 30)], crs="EPSG:4547")
    path = world.folder / "short.zip"
    folder = world.folder / "short"
    folder.mkdir()
    pyogrio.write_dataframe(gdf, folder / "short.shp", encoding="UTF-8")
    with zipfile.ZipFile(path, "w") as zf:
        for f in sorted(folder.iterdir()):
            zf.write(f, arcname=f.name)
    r = _upload(world, "district_staff", path, dry_run=False, mapping="district-short")
    assert r.status_code == 200, r.text
    assert (r.json()["inserted"], r.json()["mapping"]) == (1, "district-short v1")
    got = world.client.get("/api/parcels/JM-T001", headers=admin).json()
    assert (got["floor_area_m2"], got["right_holder"]) == (1500.0, "江门市某厂")
    listed = world.client.get("/api/imports/mappings", headers=world.headers("district_staff"))
    assert [m["name"] for m in listed.json()] == ["chinese", "shapefile", "district-short"]
    world.client.put("/api/imports/mappings/district-short", headers=admin,
                     json={"definition": MAPPING_V1 + "values: {land_use: {'1': '1001'}}\n"})
    detail = world.client.get("/api/imports/mappings/district-short", headers=admin).json()
    assert [v["version"] for v in detail["history"]] == [1, 2]
    assert detail["history"][0]["reason"] == "蓬江区 2026 调查表"
    gone = world.client.delete("/api/imports/mappings/district-short", headers=admin,
                               params={"reason": "replaced"})
    assert gone.status_code == 200 and gone.json()["version"] == 3
    assert _upload(world, "city_staff", path, mapping="district-short").status_code == 422


def test_the_import_page_offers_the_mappings_and_confirms_with_the_version_checked(
        world: World) -> None:
    admin = world.headers("admin")
    world.client.put("/api/imports/mappings/page-map", headers=admin, json={
        "definition": "title: 页面测试\nfields: {宗地号: parcel_code}\n"})
    page = world.page("city_staff")
    form = page.get("/import")
    assert form.status_code == 200
    options = re.findall(r'<option value="([^"]*)">', form.text)
    assert options == ["", "chinese", "shapefile", "page-map"]
    assert "页面测试 (v1)" in form.text
    rows = [{"宗地号": "JM-P001", "land_use": "100101"}]
    gdf = gpd.GeoDataFrame(rows, geometry=[rect(0, 20, 20)], crs="EPSG:4547")
    path = world.folder / "page.gpkg"
    pyogrio.write_dataframe(gdf, path)
    checked = page.post("/import", data={"csrf_token": world.csrf("city_staff"),
                                         "mapping": "page-map"},
                        files={"file": (path.name, io.BytesIO(path.read_bytes()))})
    assert checked.status_code == 200, checked.text
    assert re.search(r'id="mapping">page-map v1<', checked.text)
    token = re.search(r'name="token" value="([^"]+)"', checked.text).group(1)  # type: ignore[union-attr]
    world.client.put("/api/imports/mappings/page-map", headers=admin, json={
        "definition": "fields: {编号: parcel_code}\n"})  # v2 no longer maps 宗地号
    done = page.post("/import/confirm", data={"csrf_token": world.csrf("city_staff"),
                                              "token": token})
    assert done.status_code == 200 and 'data-stored="true"' in done.text, done.text
    assert re.search(r'id="mapping">page-map v1<', done.text)
    assert world.client.get("/api/parcels/JM-P001", headers=admin).status_code == 200
