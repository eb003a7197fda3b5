"""Checks in batch from Excel and CSV sheets: bad rows marked ``invalid`` naming the field, the
rest decided and kept; the result sheet keeps every input column, text as text; the command."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
import shapely
from typer.testing import CliRunner

from landrenew.cli import app
from landrenew.compliance import service
from landrenew.compliance.batch import check_sheet, result_file
from landrenew.core import sheets
from landrenew.core.access import Principal
from landrenew.core.errors import InputError, PermissionDenied
from landrenew.core.store import Store

from .conftest import DAY, GZ, HAZARD, HP, JM, map_place, wkt

ADMIN = Principal("admin", "admin")
HEADER = ["行政区", "reference", "in_hazard_area", "wkt", "备注"]
ROWS: list[list[Any]] = [
    [GZ, "张三宅基地", "否", None, "good"],                        # 2: eligible
    [GZ, "李四宅基地", None, None, "no value"],                     # 3: invalid (in_hazard_area)
    [GZ, "王五宅基地", "也许", None, "garbled"],                     # 4: invalid (in_hazard_area)
    [JM, "江门某宅", "否", None, "no rules"],                      # 5: no_rules
    [GZ, "=HYPERLINK(\"http://x\")", "否", None, "formula-like"],  # 6: eligible, text kept
    [GZ, "赵六宅基地", "否", "POINT(", "bad wkt"],                  # 7: invalid (wkt)
    [None, "无区", "否", None, "no district"],                      # 8: invalid (district_code)
    [HP, "黄埔某宅", 0, None, "other district"],                    # 9: eligible (admin)
]


def xlsx(rows: list[list[Any]], header: list[str] = HEADER) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    sheets.append(ws, header)
    for r in rows:
        sheets.append(ws, r)  # a formula-like reference typed as text, as a clerk's sheet has it
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def by_note(result: Any) -> dict[str, dict[str, Any]]:
    return {r["备注"]: r for r in result.rows}


def test_bad_rows_are_invalid_naming_the_field_the_rest_decided(store: Store,
                                                                tmp_path: Path) -> None:
    map_place(store, tmp_path)
    inside = wkt(shapely.Point(HAZARD.centroid.x, HAZARD.centroid.y))
    rows = [*ROWS, [GZ, "孙七宅基地", "否", inside, "on the hazard map"]]  # 10: refused by map
    result = check_sheet(store, ADMIN, "rural_housing_site", "农房.xlsx", xlsx(rows), on=DAY)
    got = by_note(result)
    assert {k: v["decision"] for k, v in got.items()} == {
        "good": "eligible", "no value": "invalid", "garbled": "invalid", "no rules": "no_rules",
        "formula-like": "eligible", "bad wkt": "invalid", "no district": "invalid",
        "other district": "eligible", "on the hazard map": "refused"}
    assert result.undecided() == [(3, "invalid", ["in_hazard_area"]),
                                  (4, "invalid", ["in_hazard_area"]),
                                  (5, "no_rules", ["district_code"]), (7, "invalid", ["wkt"]),
                                  (8, "invalid", ["district_code"])]
    assert not result.all_decided and result.decided == 4
    hazard = json.loads(got["on the hazard map"]["reasons"])
    assert hazard[0]["zones"] == ["GH-1 白云区地质灾害隐患区01"] and hazard[0]["source"] == "map"
    assert got["good"]["pack"] == "guangzhou-compliance" and got["no rules"]["pack"] == ""
    assert "江门市" in json.loads(got["no rules"]["reasons"])[0]["message"]
    assert got["on the hazard map"]["summary"].startswith("不符合")
    # the decided rows are kept, with their row in the sheet
    total, items = service.list_checks(store, ADMIN)
    assert total == 4 and {i["row"] for i in items} == {2, 6, 9, 10}
    assert {i["source"] for i in items} == {"batch"} and items[0]["batch"] == result.batch


def test_the_result_sheet_keeps_every_column_and_text_stays_text(store: Store) -> None:
    result = check_sheet(store, ADMIN, "rural_housing_site", "农房.xlsx", xlsx(ROWS[:5]), on=DAY)
    book = openpyxl.load_workbook(io.BytesIO(result_file(result, ".xlsx")))
    ws = book.active
    header = [c.value for c in ws[1]]
    assert header == [*HEADER, "decision", "reasons", "pack", "pack_version", "check_id",
                      "summary"]
    formula = next(row for row in ws.iter_rows(min_row=2) if row[4].value == "formula-like")
    assert formula[1].value == "=HYPERLINK(\"http://x\")" and formula[1].data_type == "s"
    frame = pd.read_csv(io.BytesIO(result_file(result, ".csv")), dtype=str,
                        encoding="utf-8-sig")
    assert list(frame.columns) == header
    assert frame.loc[frame["备注"] == "formula-like", "reference"].item().startswith("'=")
    assert json.loads(frame.loc[frame["备注"] == "good", "reasons"].item())[0]["rule"] == \
        "guangzhou-compliance:hazard_avoidance"
    with pytest.raises(InputError):
        result_file(result, ".ods")


def test_a_district_staff_checks_only_their_districts_rows(store: Store) -> None:
    baiyun = Principal("baiyun", "district_staff", (GZ,))
    rows = [[GZ, "a", "否", None, "mine"], [HP, "b", "否", None, "theirs"]]
    got = by_note(check_sheet(store, baiyun, "rural_housing_site", "x.xlsx", xlsx(rows), on=DAY))
    assert got["mine"]["decision"] == "eligible" and got["theirs"]["decision"] == "invalid"
    assert "not assigned to you" in json.loads(got["theirs"]["reasons"])[0]["message"]
    with pytest.raises(PermissionDenied):
        check_sheet(store, Principal("v", "viewer"), "rural_housing_site", "x.xlsx", xlsx(rows))


def test_a_csv_in_gb18030_with_chinese_headers(store: Store) -> None:
    text = ("行政区,建成日期,符合相关规划,有合法的宅基地使用权来源材料,具备建房资格,符合一户一宅,"
            "符合建房面积标准\n"
            f"{GZ},1995-03-01,是,是,是,是,否\n{GZ},2016-01-01,是,是,是,是,是\n")
    result = check_sheet(store, ADMIN, "homestead", "宅基地.csv", text.encode("gb18030"), on=DAY)
    assert [r["decision"] for r in result.rows] == ["refused", "refused"]
    assert "符合建房面积标准" in result.rows[0]["summary"]
    assert "1987年至1998年底" in result.rows[0]["summary"]
    assert "不适用存量宅基地房屋处理" in result.rows[1]["summary"]


def test_a_sheet_that_cannot_be_a_batch_is_refused(store: Store) -> None:
    with pytest.raises(InputError, match="no district_code"):
        check_sheet(store, ADMIN, "homestead", "x.xlsx", xlsx([[1]], ["built_on"]))
    with pytest.raises(InputError, match="no rows"):
        check_sheet(store, ADMIN, "homestead", "x.xlsx", xlsx([], ["district_code"]))
    with pytest.raises(InputError):
        check_sheet(store, ADMIN, "homestead", "x.ods", b"x")
    with pytest.raises(InputError, match="unknown kind"):
        check_sheet(store, ADMIN, "nonsense", "x.xlsx", xlsx(ROWS))


def test_the_check_command(sqlite_store: Store, tmp_path: Path) -> None:
    db = str(sqlite_store.url)
    requests = tmp_path / "农房.xlsx"
    requests.write_bytes(xlsx(ROWS[:1] + ROWS[4:5]))
    out = tmp_path / "结果.xlsx"
    runner = CliRunner()
    r = runner.invoke(app, ["--db", db, "--user", "clerk", "check", "rural_housing_site",
                            str(requests), "--output", str(out), "--on", DAY.isoformat()])
    assert r.exit_code == 0, r.output
    assert "2 of 2 row(s) decided" in r.output
    sheet = pd.read_excel(out, dtype=str)
    assert list(sheet["decision"]) == ["eligible", "eligible"]
    assert service.list_checks(sqlite_store, ADMIN)[1][0]["recorded_by"] == "clerk"
    requests.write_bytes(xlsx(ROWS[:4]))
    csv_out = tmp_path / "结果.csv"
    r = runner.invoke(app, ["--db", db, "check", "rural_housing_site", str(requests),
                            "--output", str(csv_out)])
    assert r.exit_code == 1
    assert "row 3: invalid (field in_hazard_area)" in r.output
    assert "row 5: no_rules (field district_code)" in r.output
    assert len(pd.read_csv(csv_out, encoding="utf-8-sig")) == 4  # written all the same
    bad = runner.invoke(app, ["--db", db, "check", "rural_housing_site", str(requests),
                              "--output", str(tmp_path / "x.txt")])
    assert isinstance(bad.exception, InputError) and bad.exception.field == "output"
    assert not (tmp_path / "x.txt").exists()
