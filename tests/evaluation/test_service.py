"""File mode end to end: real files in, every output format, refusals, statistics, CLI."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from typer.testing import CliRunner

from landrenew.core.errors import InputError
from landrenew.evaluation.compare import diff_results
from landrenew.evaluation.files import evaluate_files

from .conftest import AS_OF, parcels, square, zones

ROWS = [
    {"district_code": "440703", "floor_area_m2": 5000, "footprint_m2": 2000, "tax_10k_yuan": 30,
     "supplied_on": "2015-01-01"},
    {"district_code": "440703", "land_use": "0701", "safety_grade": "D", "floor_area_m2": 20000},
    {"district_code": "440705", "floor_area_m2": 30000, "footprint_m2": 6000,
     "tax_10k_yuan": 150, "approved_on": "2020-01-01"},
    {"district_code": "440705", "land_use": "0901", "floor_area_m2": 1},
]


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    p = parcels([dict(r) for r in ROWS])  # EPSG:4547, so that areas stay exact
    p.to_file(tmp_path / "parcels.gpkg", engine="pyogrio")
    z = zones([("ecological_redline", square(3, 100, dx=50)),
               ("industrial_control_line", square(2, 100))])
    z.to_file(tmp_path / "zones.gpkg", engine="pyogrio")
    zones([("x", square(0))]).drop(columns="kind").to_file(tmp_path / "icl.geojson")
    return {"parcels": tmp_path / "parcels.gpkg", "zones": tmp_path / "zones.gpkg",
            "icl": tmp_path / "icl.geojson", "dir": tmp_path}


@pytest.mark.parametrize("ext", [".gpkg", ".geojson", ".parquet", ".csv", ".xlsx"])
def test_every_output_format(files, ext):
    out = files["dir"] / f"result{ext}"
    res = evaluate_files(files["parcels"], [str(files["zones"])], "jiangmen", AS_OF, out)
    assert out.exists()
    back = (pd.read_csv(out, dtype={"land_use": str}) if ext == ".csv" else
            pd.read_excel(out, dtype={"land_use": str}) if ext == ".xlsx" else
            gpd.read_parquet(out) if ext == ".parquet" else gpd.read_file(out))
    for col in ("parcel_code", "land_use", "floor_area_m2", "area_mu", "far", "coverage",
                "tax_per_mu", "ratio_ecological_redline", "ratio_industrial_control_line",
                "is_low_efficiency", "categories", "flags", "potential_floor_area_m2", "reasons"):
        assert col in back.columns, col
    assert back["categories"].fillna("").tolist() == res.result["categories"].tolist()
    first = back["reasons"].iloc[0]  # GDAL's GeoJSON reader turns JSON text into lists
    assert (first if isinstance(first, list) else json.loads(first))[0]["rule"] == "IND-FAR"
    assert res.result["categories"].tolist() == [
        "extensive_use;low_output", "dilapidated", "", "plan_conflict"]
    assert res.result["flags"].tolist()[2] == "approved_not_supplied"


def test_zones_given_as_kind_equals_path(files):
    res = evaluate_files(files["parcels"], [f"industrial_control_line={files['icl']}"],
                         "jiangmen", AS_OF, files["dir"] / "o.parquet")
    assert res.result["ratio_industrial_control_line"].round(9).tolist() == [1.0, 0.0, 0.0, 0.0]
    assert "ratio_ecological_redline" not in res.result.columns


def test_refusals(files, tmp_path):
    with pytest.raises(InputError, match="unknown zone kind 'x'"):
        evaluate_files(files["parcels"], [f"x={files['icl']}"], "jiangmen", AS_OF, None)
    bad = parcels([{}]).drop(columns="land_use")
    bad.to_file(tmp_path / "bad.gpkg")
    with pytest.raises(InputError, match="field 'land_use': required field is missing"):
        evaluate_files(tmp_path / "bad.gpkg", [], "jiangmen", AS_OF, None)
    nocrs = parcels([{}]).set_crs(None, allow_override=True)
    nocrs.to_file(tmp_path / "nocrs.geojson")
    (tmp_path / "nocrs.geojson").write_text((tmp_path / "nocrs.geojson").read_text().replace(
        '"crs"', '"x_crs"'))
    with pytest.raises(InputError):
        evaluate_files(tmp_path / "nocrs.geojson", [], "jiangmen", AS_OF, None)
    with pytest.raises(InputError, match=r"row P0000.*not a date"):
        evaluate_files(_write(parcels([{"supplied_on": "someday"}]), tmp_path), [], "jiangmen",
                       AS_OF, None)


def _write(gdf, tmp_path):
    path = tmp_path / "p.gpkg"
    gdf.to_file(path)
    return path


def test_summary_csv_and_excel_have_chinese_headers(files):
    csv = files["dir"] / "summary.csv"
    res = evaluate_files(files["parcels"], [str(files["zones"])], "jiangmen", AS_OF, None,
                         summary=csv)
    assert [p.name for p in res.summary_files] == [
        "summary.csv", "summary_区县指标.csv", "summary_处置率.csv", "summary_说明.csv"]
    table = pd.read_csv(csv, encoding="utf-8-sig", dtype=str)
    assert {"行政区", "低效类型", "用地一级类", "地块数", "面积(亩)", "潜力建筑面积(㎡)"} <= set(table.columns)
    districts = pd.read_csv(files["dir"] / "summary_区县指标.csv", encoding="utf-8-sig")
    city = districts[districts["行政区代码"] == "全市"].iloc[0]
    assert city["建设用地面积(亩)"] == 60.0 and city["低效用地面积(亩)"] == 45.0
    assert city["亩均税收(万元/亩)"] == pytest.approx(180 / 30)
    xlsx = files["dir"] / "summary.xlsx"
    evaluate_files(files["parcels"], [str(files["zones"])], "jiangmen", AS_OF, None, summary=xlsx)
    sheets = pd.read_excel(xlsx, sheet_name=None)
    assert set(sheets) == {"分类统计", "区县指标", "处置率", "说明"}
    assert "年度处置率" in sheets["处置率"].columns
    assert sheets["说明"]["计算口径"].str.contains("年初存量").any()


def test_cli_file_mode_and_rules(files):
    from landrenew.cli import app

    runner = CliRunner()
    out = files["dir"] / "cli.gpkg"
    r = runner.invoke(app, ["evaluate", str(files["parcels"]), "--zones", str(files["zones"]),
                            "--rules", "jiangmen", "--as-of", "2024-06-30", "--output", str(out)])
    assert r.exit_code == 0, r.output
    assert out.exists() and "extensive_use" in r.output
    r = runner.invoke(app, ["evaluate", str(files["parcels"]), "--zones", f"moon={files['icl']}",
                            "--rules", "jiangmen", "--output", str(out)])
    assert r.exit_code != 0
    for args in (["rules", "list"], ["rules", "show", "jiangmen"],
                 ["rules", "check", "zhongshan-consolidation"],
                 ["rules", "show", "guangzhou-renewal"],
                 ["rules", "which", "identification", "--district", "440703"]):
        r = runner.invoke(app, args)
        assert r.exit_code == 0, r.output
    bad = files["dir"] / "bad.yaml"
    bad.write_text("kind: identification\nid: x\nversion: '1'\nnonsense: 1\n", encoding="utf-8")
    r = runner.invoke(app, ["rules", "check", str(bad)])
    assert r.exit_code != 0
    r = runner.invoke(app, ["evaluate", "--rules", "jiangmen"])
    assert r.exit_code != 0  # database mode: lead's part


def test_diff_results():
    a = pd.DataFrame({"parcel_code": ["1", "2", "3"], "categories": ["a", "a;b", ""],
                      "flags": ["", "", ""]})
    b = pd.DataFrame({"parcel_code": ["1", "2", "4"], "categories": ["a", "b", "c"],
                      "flags": ["", "", ""]})
    d = diff_results(a, b)
    assert d["parcel_code"].tolist() == ["2", "3", "4"]
    assert d["removed"].iloc[0] == "a" and d["added"].iloc[2] == "c"


def test_evaluation_is_repeatable_as_of_another_date(files):
    a = evaluate_files(files["parcels"], [], "jiangmen", AS_OF, None).result
    b = evaluate_files(files["parcels"], [], "jiangmen", dt.date(2027, 9, 30), None).result
    assert a["building_age"].isna().all() and len(a) == len(b)


def test_rules_which_and_check_say_where_rules_come_from():
    """``rules which`` names the pack that decides (or refuses naming kind and place);
    ``rules check`` lists the initial values a bureau still has to confirm."""
    from landrenew.cli import app

    runner = CliRunner()
    r = runner.invoke(app, ["rules", "which", "renewal_phases", "--district", "440111",
                            "--on", "2025-01-01"])
    assert r.exit_code == 0 and "guangzhou-renewal 2024.2" in r.output
    r = runner.invoke(app, ["rules", "which", "renewal_phases", "--district", "440703"])
    assert r.exit_code == 1
    r = runner.invoke(app, ["rules", "which", "willingness", "--district", "442000",
                            "--on", "2025-04-30"])
    assert "zhongshan-willingness-2024" in r.output and "not in force" in r.output
    r = runner.invoke(app, ["rules", "check"], env={"COLUMNS": "250"})
    assert r.exit_code == 0, r.output
    assert "local_initial" in r.output and "industrial_min_tax_per_mu" in r.output
    assert "industrial_min_coverage" not in r.output  # national, not an initial value
