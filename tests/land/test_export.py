"""Exports for QGIS and Excel, and the round trip import → export → import for every format."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pyogrio
import pytest
import yaml
from openpyxl import load_workbook
from sqlalchemy import update

from landrenew.core.errors import InputError
from landrenew.core.store import Store
from landrenew.core.store.models import ParcelVersion
from landrenew.land import parcels as P
from landrenew.land.districts import import_districts
from landrenew.land.editing import update_parcel
from landrenew.land.exporting import export_parcels, shapefile_names
from landrenew.land.fields import CANONICAL
from landrenew.land.importing import ImportOptions, import_parcels
from landrenew.land.mapping import BUILTIN

from .conftest import AREAS_M2, CODES, PARCELS

COMPARED = ["land_use", "floor_area_m2", "building_year", "right_holder", "approved_on",
            "attributes"]


@pytest.fixture
def loaded(store: Store, gpkg_file: Path, districts_file: Path, tmp_path: Path) -> Store:
    import_districts(store, districts_file, user="t")
    import_parcels(store, gpkg_file, ImportOptions(report=str(tmp_path / "r.csv")), user="t")
    return store


def _state(store: Store) -> pd.DataFrame:
    return P.read_parcels(store).set_index("parcel_code")


@pytest.mark.parametrize("ext", [".gpkg", ".shp", ".geojson", ".parquet", ".csv"])
def test_round_trip(ext: str, loaded: Store, tmp_path: Path) -> None:
    out = tmp_path / f"export{ext}"
    rep = export_parcels(loaded, out)
    assert rep.count == 5 and rep.area_mu == pytest.approx(111.0, abs=1e-6)
    target = Store.open(f"sqlite:///{tmp_path / 'copy.db'}")
    from landrenew.core.store.migrate import upgrade

    upgrade(target.engine)
    try:
        opts = ImportOptions(report=str(tmp_path / "r2.csv"))
        if ext == ".shp":
            opts.mapping = str(out.with_suffix(".mapping.yaml"))
        again = import_parcels(target, out, opts, user="t")
        assert again.inserted == 5 and again.errors == []
        a, b = _state(loaded), _state(target)
        assert b.index.tolist() == CODES
        for col in [*COMPARED, "district_code"]:
            assert b[col].tolist() == a[col].tolist(), col
        assert b["area_m2"].round(3).tolist() == a["area_m2"].round(3).tolist()
        # and back into the source: nothing changed
        same = import_parcels(loaded, out, opts, user="t")
        assert (same.inserted, same.updated, same.unchanged) == (0, 0, 5)
    finally:
        target.dispose()


def test_shapefile_cpg_and_mapping(loaded: Store, tmp_path: Path) -> None:
    out = tmp_path / "地块.shp"
    rep = export_parcels(loaded, out)
    assert (tmp_path / "地块.cpg").read_text().strip().upper() in ("UTF-8", "UTF8")
    mapping_file = tmp_path / "地块.mapping.yaml"
    assert rep.extra_files == [str(mapping_file)]
    fields = yaml.safe_load(mapping_file.read_text(encoding="utf-8"))["fields"]
    # canonical fields are cut as GDAL cuts them: what the built-in 'shapefile' mapping reads
    assert fields["floor_area"] == "floor_area_m2"
    assert fields["right_hold"] == "right_holder"
    assert fields["planned_us"] == "planned_use" and fields["planned_fa"] == "planned_far"
    assert {k: v for k, v in fields.items() if v in CANONICAL} == BUILTIN["shapefile"].fields
    assert "land_use" not in fields.values()  # short names are kept as they are
    names = pyogrio.read_info(out)["fields"].tolist()
    assert all(len(n.encode("utf-8")) <= 10 for n in names)
    assert "note" in names and "floor_area" in names and "parcel_cod" in names
    # read back with the built-in mapping alone (no sidecar file): nothing changed
    again = import_parcels(loaded, out, ImportOptions(mapping=BUILTIN["shapefile"]), user="t")
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 5)


def test_shapefile_names_unique_and_cut() -> None:
    m = shapefile_names(["investment_total", "investment_10k_yuan", "建筑面积", "land_use"])
    assert m["land_use"] == "land_use" and m["investment_10k_yuan"] == "investment"
    assert len(set(m.values())) == 4
    assert all(len(v.encode("utf-8")) <= 10 for v in m.values())
    assert m["建筑面积"] == "建筑"  # cut on a character boundary (3 bytes each)


def test_excel_export_area_in_mu_and_legend(loaded: Store, tmp_path: Path) -> None:
    out = tmp_path / "parcels.xlsx"
    export_parcels(loaded, out)
    wb = load_workbook(out, read_only=True)
    assert wb.sheetnames == ["parcels", "字段说明 fields"]
    rows = list(wb["parcels"].iter_rows(values_only=True))
    header = list(rows[0])
    assert header[:2] == ["parcel_code", "district_code"]
    assert "area_mu" in header and "note" in header
    by_code = {r[0]: dict(zip(header, r, strict=True)) for r in rows[1:]}
    assert list(by_code) == CODES
    assert by_code["JM-0001"]["area_mu"] == pytest.approx(15.0, abs=1e-6)
    assert by_code["JM-0003"]["area_mu"] == pytest.approx(45.0, abs=1e-6)
    assert by_code["JM-0002"]["right_holder"] == "蓬江区某村民委员会"
    legend = {r[0]: r[1] for r in wb["字段说明 fields"].iter_rows(values_only=True)}
    assert legend["area_mu"] == "面积(亩)" and legend["parcel_code"] == "宗地代码"


def test_excel_export_reimports_as_unchanged(loaded: Store, tmp_path: Path) -> None:
    out = tmp_path / "parcels.xlsx"
    export_parcels(loaded, out)
    rep = import_parcels(loaded, out, ImportOptions(report=str(tmp_path / "r.csv")), user="t")
    assert (rep.updated, rep.unchanged) == (0, 5)


def test_csv_export_has_wkt_and_bom(loaded: Store, tmp_path: Path) -> None:
    out = tmp_path / "parcels.csv"
    export_parcels(loaded, out)
    assert out.read_bytes()[:3] == b"\xef\xbb\xbf"
    table = pd.read_csv(out, encoding="utf-8-sig", dtype=str)
    assert table["parcel_code"].tolist() == CODES
    assert table["wkt"].str.startswith("POLYGON").all()
    assert table["note"].tolist() == [p["note"] for p in PARCELS]
    assert "CGCS2000" in (tmp_path / "parcels.prj").read_text(encoding="utf-8")


def test_export_as_of_and_district(loaded: Store, tmp_path: Path) -> None:
    with loaded.session() as s:
        s.execute(update(ParcelVersion).values(valid_from=dt.datetime(2024, 1, 10, 2, 0)))
    update_parcel(loaded, "JM-0001", {"floor_area_m2": 1.0}, user="a", reason="r")
    past = tmp_path / "past.gpkg"
    assert export_parcels(loaded, past, as_of=dt.date(2024, 6, 30)).count == 5
    old = pyogrio.read_dataframe(past).set_index("parcel_code")
    assert old.loc["JM-0001", "floor_area_m2"] == 12000.5
    now = tmp_path / "now.gpkg"
    export_parcels(loaded, now)
    assert pyogrio.read_dataframe(now).set_index("parcel_code").loc["JM-0001", "floor_area_m2"] == 1.0
    assert export_parcels(loaded, tmp_path / "before.gpkg", as_of=dt.date(2024, 1, 1)).count == 0
    east = tmp_path / "east.geojson"
    rep = export_parcels(loaded, east, district="440704")
    assert rep.count == 3
    assert pyogrio.read_dataframe(east)["parcel_code"].tolist() == ["JM-0003", "JM-0004", "JM-0005"]
    assert rep.area_mu == pytest.approx(sum(AREAS_M2[c] for c in CODES[2:]) * 15 / 10000, abs=1e-5)


def test_export_gpkg_layer_and_crs(loaded: Store, tmp_path: Path) -> None:
    out = tmp_path / "parcels.gpkg"
    export_parcels(loaded, out)
    info = pyogrio.read_info(out, layer="parcels")
    assert info["crs"] == "EPSG:4490" and info["features"] == 5
    export_parcels(loaded, out)  # overwriting works
    assert pyogrio.read_info(out)["features"] == 5


def test_unknown_export_format(loaded: Store, tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"unknown export format '\.dwg'"):
        export_parcels(loaded, tmp_path / "x.dwg")
