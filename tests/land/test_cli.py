"""The command line against a temporary SQLite database (and the real entry point for errors)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from landrenew.cli import app
from landrenew.core.errors import ValidationFailed

from .conftest import PARCELS, parcels_gdf

runner = CliRunner()


def _run(db: Path, *args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["--db", f"sqlite:///{db}", "--user", "cli-user", *args],
                         catch_exceptions=True)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "cli.db"
    result = _run(path, "db", "upgrade")
    assert result.exit_code == 0, result.output
    from landrenew.core.store.migrate import head_revision

    assert str(head_revision()) in result.output and "(sqlite)" in result.output
    return path


def test_commands_need_upgrade(tmp_path: Path, gpkg_file: Path) -> None:
    result = _run(tmp_path / "fresh.db", "import", "parcels", str(gpkg_file))
    assert result.exit_code != 0
    assert "landrenew db upgrade" in str(result.exception)
    # a command that only reads never leaves an empty database file behind
    assert not (tmp_path / "fresh.db").exists()
    result = _run(tmp_path / "typo.db", "stats")
    assert "no database at" in str(result.exception) and not (tmp_path / "typo.db").exists()


def test_import_export_history_stats(db: Path, shp_gbk: Path, mapping_file: Path,
                                     tmp_path: Path) -> None:
    result = _run(db, "import", "parcels", str(shp_gbk), "--mapping", str(mapping_file),
                  "--batch", "B1", "--report", str(tmp_path / "r.csv"))
    assert result.exit_code == 0, result.output
    assert "EPSG:4547" in result.output and "111.00" in result.output
    out = tmp_path / "out.gpkg"
    result = _run(db, "export", "parcels", str(out))
    assert result.exit_code == 0, result.output
    assert "5 parcels, 111.00 亩" in result.output and out.exists()
    result = _run(db, "parcels", "history", "JM-0001", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [(r["version"], r["operation"], r["changed_by"]) for r in rows] == [(1, "insert", "cli-user")]
    assert rows[0]["area_mu"] == pytest.approx(15.0, abs=1e-4)
    result = _run(db, "parcels", "delete", "JM-0001", "--reason", "合并")
    assert result.exit_code == 0 and "version 2" in result.output
    result = _run(db, "parcels", "history", "JM-0001", "--json")
    rows = json.loads(result.output)
    assert rows[1]["changes"] == [{"field": "deleted", "before": False, "after": True}]
    assert rows[0]["valid_from"].endswith("+08:00")  # Beijing time, saying so
    table = _run(db, "parcels", "history", "JM-0001")
    assert "deleted: False → True" in table.output and "北京时间" in table.output
    result = _run(db, "parcels", "history", "JM-0001")
    assert result.exit_code == 0 and "delete" in result.output and "合并" in result.output
    result = _run(db, "stats")
    assert result.exit_code == 0, result.output
    assert "合计 total" in result.output and "96.00" in result.output  # 111 − 15 亩
    result = _run(db, "batches", "review", "B1")
    assert result.exit_code == 0 and "reviewed" in result.output
    result = _run(db, "batches", "return", "B1", "--reason", "缺图")
    assert result.exit_code == 0 and "returned" in result.output
    result = _run(db, "batches", "list")
    assert "缺图" in result.output and "已退回" in result.output


def test_import_failure_in_process(db: Path, tmp_path: Path) -> None:
    rows = [dict(p) for p in PARCELS]
    rows[2]["land_use"] = "9999"
    path = tmp_path / "bad.gpkg"
    import pyogrio

    pyogrio.write_dataframe(parcels_gdf(rows), path)
    result = _run(db, "import", "parcels", str(path), "--report", str(tmp_path / "r.json"))
    assert result.exit_code != 0
    assert isinstance(result.exception, ValidationFailed)
    (p,) = [q for q in result.exception.problems if q.severity == "error"]
    assert (p.file, p.row, p.field, p.code) == (str(path), 3, "land_use", "unknown_land_use")
    assert json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["count"] == 2  # and 'note' unmapped


def test_entry_point_error_names_file_row_field(db: Path, tmp_path: Path) -> None:
    """The installed ``landrenew`` prints one line per problem and exits 2 on a refused file."""
    rows = [dict(p) for p in PARCELS]
    rows[3]["approved_on"] = "2021-02-30"
    path = tmp_path / "bad.csv"
    from .conftest import write_csv_wkt

    write_csv_wkt(parcels_gdf(rows), path)
    exe = Path(sys.executable).with_name("landrenew")
    env = {**os.environ, "LANDRENEW_DATABASE_URL": f"sqlite:///{db}", "COLUMNS": "200"}
    proc = subprocess.run([str(exe), "import", "parcels", str(path), "--report",
                           str(tmp_path / "r.csv")], capture_output=True, text=True, env=env,
                          timeout=120)
    assert proc.returncode == 2
    assert "nothing stored" in proc.stderr
    assert f"{path}: row 5, field 'approved_on':" in proc.stderr
    assert "'2021-02-30' is not a real date" in proc.stderr
    proc = subprocess.run([str(exe), "export", "parcels", str(tmp_path / "x.dwg")],
                          capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 1 and "unknown export format" in proc.stderr


def test_bad_as_of(db: Path, tmp_path: Path) -> None:
    result = _run(db, "export", "parcels", str(tmp_path / "x.gpkg"), "--as-of", "2024-02-30")
    assert result.exit_code != 0
    assert result.exception.field == "as-of"  # type: ignore[union-attr]


def test_demo(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    result = _run(db, "demo", "--parcels", "300", "--seed", "3", "--no-serve")
    assert result.exit_code == 0, result.output
    # 300 parcels in Jiangmen's 7 districts, 100 more in 白云区 and 中山市
    assert "400 parcels" in result.output and "9 districts" in result.output
    assert "guangzhou 2023.2" in result.output and "jiangmen 2023.2" in result.output
    result = _run(db, "stats")
    # piped: plain, complete rows (tab-separated), never a table cut at 80 columns
    assert result.exit_code == 0 and "合计 total" in result.output and "│" not in result.output
    assert any(line.split("\t")[-2:-1] == ["400"] or "\t400\t" in line
               for line in result.output.splitlines() if "合计 total" in line)
    result = _run(db, "demo", "--parcels", "300", "--no-serve")
    assert "already present" in result.output
    # the second run reports what the database holds, not zeros
    assert "400 parcels" in result.output and "9 districts" in result.output
    assert " 0 zones" not in result.output and "evaluation run 1" in result.output
    # the commands it prints run as printed (from any folder: they name the database)
    printed = [line.strip() for line in result.output.splitlines()
               if line.strip().startswith(str(Path(sys.executable).parent / "landrenew"))]
    assert len(printed) == 3 and all(f"--db sqlite:///{db}" in c for c in printed)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for command in printed:
        proc = subprocess.run(command.split("#")[0].split(), capture_output=True, text=True,
                              cwd=elsewhere, timeout=300, env={**os.environ, "COLUMNS": "200"})
        assert proc.returncode == 0, (command, proc.stderr)
    assert (elsewhere / "parcels.gpkg").exists() and not (elsewhere / "landrenew.db").exists()
    import sqlite3

    with sqlite3.connect(db) as conn:
        (code,) = conn.execute("SELECT min(parcel_code) FROM parcel_versions").fetchone()
    result = _run(db, "parcels", "show", code)
    assert result.exit_code == 0 and "land_use" in result.output




def test_error_line_shows_machine_codes(db: Path, tmp_path: Path) -> None:
    rows = [dict(p) for p in PARCELS]
    rows[3]["approved_on"] = "2021-02-30"
    path = tmp_path / "bad.gpkg"
    import pyogrio

    pyogrio.write_dataframe(parcels_gdf(rows), path)
    exe = Path(sys.executable).with_name("landrenew")
    env = {**os.environ, "LANDRENEW_DATABASE_URL": f"sqlite:///{db}", "COLUMNS": "200"}
    proc = subprocess.run([str(exe), "import", "parcels", str(path), "--report",
                           str(tmp_path / "r.csv")], capture_output=True, text=True, env=env,
                          timeout=120)
    assert "[validation_failed]" in proc.stderr and "[impossible_date]" in proc.stderr


def test_refused_import_writes_its_report_beside_the_file_not_in_the_working_folder(
        db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [dict(p) for p in PARCELS]
    rows[1]["land_use"] = "9999"
    source = tmp_path / "survey"
    source.mkdir()
    path = source / "bad.gpkg"
    import pyogrio

    pyogrio.write_dataframe(parcels_gdf(rows), path)
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    result = _run(db, "import", "parcels", str(path))
    assert isinstance(result.exception, ValidationFailed)
    assert str(source / "bad.import-report.csv") in str(result.exception)
    assert (source / "bad.import-report.csv").is_file()
    assert list(elsewhere.iterdir()) == []


def test_saved_mappings_and_public_attributes_from_the_command_line(
        db: Path, tmp_path: Path, shp_utf8: Path) -> None:
    """``landrenew mappings save/list/show/delete``, ``import parcels --mapping NAME`` (a saved
    or built-in mapping by name, a file by path) and ``settings set public_attributes``."""
    import pyogrio

    from .conftest import ZH_SHORT, write_mapping, zip_folder

    yaml_file = write_mapping(tmp_path / "short.yaml", {
        "title": "短字段名", "fields": {v: k for k, v in ZH_SHORT.items() if k != "note"}})
    saved = _run(db, "mappings", "save", "short-names", str(yaml_file), "--reason", "区县表")
    assert saved.exit_code == 0, saved.output
    assert "version 1" in saved.output
    listed = _run(db, "mappings", "list")
    assert all(n in listed.output for n in ("chinese", "shapefile", "short-names", "短字段名"))
    shown = _run(db, "mappings", "show", "short-names")
    assert "宗地号" in shown.output and "parcel_code" in shown.output and "区县表" in shown.output
    zipped = zip_folder(shp_utf8, tmp_path / "short.zip")
    imported = _run(db, "import", "parcels", str(zipped), "--mapping", "short-names")
    assert imported.exit_code == 0, (imported.output, imported.exception)
    shp = tmp_path / "canonical"
    shp.mkdir()
    with pytest.warns(RuntimeWarning, match="laundered"):  # GDAL cuts the names to 10
        pyogrio.write_dataframe(
            parcels_gdf([dict(p, parcel_code=p["parcel_code"] + "-S") for p in PARCELS]),
            shp / "p.shp", encoding="UTF-8")
    cut = _run(db, "import", "parcels", str(shp), "--mapping", "shapefile")
    assert cut.exit_code == 0, (cut.output, cut.exception)
    unknown = _run(db, "import", "parcels", str(zipped), "--mapping", "nope")
    assert unknown.exit_code != 0 and "no field mapping 'nope'" in str(unknown.exception)
    assert _run(db, "mappings", "delete", "short-names", "--reason", "old").exit_code == 0
    assert "short-names" not in _run(db, "mappings", "list").output
    public = _run(db, "settings", "set", "public_attributes", "备注、地块位置")
    assert public.exit_code == 0, public.output
    assert "备注, 地块位置" in _run(db, "settings", "show").output


def test_tables_are_complete_rows_when_piped_and_json_with_json(
        db: Path, shp_gbk: Path, mapping_file: Path, tmp_path: Path) -> None:
    """Piped output is plain tab-separated rows, never cut at 80 columns; --json is JSON on
    stdout with the messages on stderr."""
    result = _run(db, "import", "parcels", str(shp_gbk), "--mapping", str(mapping_file),
                  "--report", str(tmp_path / "r.csv"))
    assert result.exit_code == 0, result.output
    reason = "测量更正：" + "很长的原因" * 30  # far wider than 80 columns
    assert _run(db, "parcels", "delete", "JM-0002", "--reason", reason).exit_code == 0
    piped = _run(db, "parcels", "history", "JM-0002")
    lines = piped.stdout.splitlines()
    assert lines[0].startswith("# 地块 JM-0002 历史") and "│" not in piped.stdout
    header = lines[1].split("\t")
    assert header[0] == "版本 version" and len(header) == 8
    last = lines[-1].split("\t")
    assert len(last) == 8 and last[5] == reason  # the whole reason, on one line
    assert last[6] == "deleted: False → True"
    stats = runner.invoke(app, ["--db", f"sqlite:///{db}", "--json", "stats"])
    assert stats.exit_code == 0, stats.output
    doc = json.loads(stats.stdout)
    assert doc["title"].startswith("地块统计") and doc["rows"][-1]["宗数"] == "4"
    history = runner.invoke(app, ["--db", f"sqlite:///{db}", "--json", "parcels", "history",
                                  "JM-0002"])
    rows = json.loads(history.stdout)
    assert rows[-1]["reason"] == reason and rows[-1]["changes"][0]["after"] is True
