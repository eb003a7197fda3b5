"""The command line: programme init (idempotent), tasks list/complete/supervise, a report file."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from landrenew.cli import app
from landrenew.core.errors import InputError
from landrenew.core.store import Store
from landrenew.supervision import service

from .conftest import ADMIN, CITY


def test_the_programme_from_the_command_line(sqlite_store: Store, tmp_path: Path) -> None:
    db = sqlite_store.url
    runner = CliRunner()

    def run(*args: str) -> str:
        r = runner.invoke(app, ["--db", db, "--user", "clerk", *args])
        assert r.exit_code == 0, (r.output, r.exception)
        return r.output

    assert "10 of 10 task(s) created" in run("programme", "init", "--city", CITY)
    assert "0 of 10 task(s) created" in run("programme", "init", "--city", CITY)
    listed = json.loads(run("tasks", "list", "--city", CITY, "--on", "2024-04-01", "--json"))
    assert listed[1] == {"code": "二", "title": "开展低效用地调查评价",
                         "lead_units": listed[1]["lead_units"],
                         "responsible_units": ["市发展改革局", "市生态环境局", "市住房城乡建设局",
                                               "市统计局", "市税务局"],
                         "deadline": "2024-03-31", "status": "overdue", "done_on": None}
    assert listed[1]["lead_units"][0] == "市自然资源局"
    proof = tmp_path / "验收意见.pdf"
    proof.write_bytes(b"%PDF-1.4 proof")
    assert "done on 2024-03-31" in run("tasks", "complete", "二", "--city", CITY, "--on",
                                       "2024-03-31", "--evidence", str(proof))
    listed = json.loads(run("tasks", "list", "--city", CITY, "--on", "2024-04-01", "--json",
                            "--unit", "市统计局"))
    assert [(t["code"], t["status"]) for t in listed] == [("二", "done_on_time")]
    detail = service.get_task(sqlite_store, ADMIN, service.find_task(sqlite_store, CITY, "二"))
    assert detail["done_evidence"][0]["name"] == "验收意见.pdf"
    assert detail["versions"][-1]["changed_by"] == "clerk"
    assert "督办 江海区政府" in run("tasks", "supervise", "三", "--city", CITY, "--unit",
                                 "江海区政府", "--kind", "督办", "--reason", "控制线未划定",
                                 "--on", "2025-01-10")
    bad = runner.invoke(app, ["--db", db, "tasks", "supervise", "三", "--city", CITY, "--unit",
                              "江海区政府", "--kind", "问责", "--reason", "x"])
    assert isinstance(bad.exception, InputError) and bad.exception.field == "evidence"
    ranked = json.loads(run("programme", "overdue", "--city", CITY, "--on", "2025-01-15",
                            "--json"))
    assert ranked[0]["overdue"] == 3

    sheet = tmp_path / "gdp.xlsx"
    pd.DataFrame([{"district_code": "440703", "year": 2023, "gdp_10k_yuan": 10_000_000,
                   "construction_land_mu": 150_000}]).to_excel(sheet, index=False)
    assert "1 row(s) imported" in run("programme", "figures", "--city", CITY, str(sheet))

    out = tmp_path / "2024H2.xlsx"
    assert "2024年下半年情况报告" in run("report", "half-year", "2024H2", "--city", CITY,
                                      "--output", str(out), "--file")
    assert pd.read_excel(out, sheet_name="表1", header=1).shape[0] == 10
    late = runner.invoke(app, ["--db", db, "report", "evaluation", "mid-term", "--city", CITY,
                               "--as-of", "2025-10-01", "--output", str(tmp_path / "m.xlsx")])
    assert late.exit_code != 0 and getattr(late.exception, "code", "") == "outside_window"
    assert not (tmp_path / "m.xlsx").exists()
    sections = tmp_path / "sections.yaml"
    sections.write_text("experience: 一图统管\n", encoding="utf-8")
    mid = tmp_path / "mid.xlsx"
    run("report", "evaluation", "mid-term", "--city", CITY, "--as-of", "2025-09-01",
        "--output", str(mid), "--sections", str(sections))
    assert "表9" in pd.ExcelFile(mid).sheet_names
