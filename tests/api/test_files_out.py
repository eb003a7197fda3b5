"""Exports that cannot run code, on both backends: a value like ``=HYPERLINK(…)`` saved through
the API comes out as a text cell in every page and command-line Excel file, and with a leading
``'`` in every CSV (OWASP's neutralisation)."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from landrenew.cli import app

from .conftest import ENTITY_ORG, PARCELS, WEST, World, parcels_file

FORMULA = '=HYPERLINK("http://x","y")'
runner = CliRunner()


def _texts(content: bytes) -> list[str]:
    """Every text cell of a workbook, after checking that no cell is a formula."""
    wb = load_workbook(io.BytesIO(content))
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert [f"{c.parent.title}!{c.coordinate}" for c in cells if c.data_type == "f"] == []
    return [c.value for c in cells if isinstance(c.value, str)]


def _cli(w: World, *args: str) -> Any:
    result = runner.invoke(app, ["--db", w.store.url, "--user", "tester", *args])
    assert result.exit_code == 0, (result.output, result.exception)
    return result


@pytest.fixture
def poisoned(world: World) -> dict[str, Any]:
    """A parcel's right holder, a project's name and lead unit, and a cost's description, each
    saved through the API as a formula."""
    h = world.headers("admin")
    r = world.client.patch("/api/parcels/JM-0000", headers=h,
                           json={"right_holder": FORMULA, "reason": "formula test"})
    assert r.status_code == 200, r.text
    project = world.client.post("/api/projects", headers=h, json={
        "name": FORMULA, "type": "urban_village", "district_code": WEST,
        "owner_company": ENTITY_ORG, "lead_unit": "+cmd|' /C calc'!A0"})
    assert project.status_code == 201, project.text
    pid = int(project.json()["id"])
    cost = world.client.post(f"/api/projects/{pid}/costs", headers=h, json={
        "category": "expropriation_compensation", "amount": "1000.00",
        "description": FORMULA, "evidence_sha256": "ab" * 32})
    assert cost.status_code == 201, cost.text
    return {"project": pid}


def test_page_downloads_keep_formulas_as_text(world: World, poisoned: dict[str, Any]) -> None:
    page = world.page("admin")
    parcels = page.get("/parcels.xlsx")
    assert parcels.status_code == 200
    assert FORMULA in _texts(parcels.content)
    projects = page.get("/projects.xlsx")
    texts = _texts(projects.content)
    assert FORMULA in texts and "+cmd|' /C calc'!A0" in texts
    finance = page.get(f"/projects/{poisoned['project']}/finance.xlsx")
    assert finance.status_code == 200 and FORMULA in _texts(finance.content)
    dashboard = page.get("/dashboard.xlsx")
    assert dashboard.status_code == 200 and _texts(dashboard.content)


def test_command_line_exports_keep_formulas_as_text(world: World, poisoned: dict[str, Any],
                                                    tmp_path: Path) -> None:
    xlsx, csv_path = tmp_path / "parcels.xlsx", tmp_path / "parcels.csv"
    _cli(world, "export", "parcels", str(xlsx))
    assert FORMULA in _texts(xlsx.read_bytes())
    _cli(world, "export", "parcels", str(csv_path))
    with csv_path.open(encoding="utf-8-sig", newline="") as fh:
        rows = {r["parcel_code"]: r for r in csv.DictReader(fh)}
    assert rows["JM-0000"]["right_holder"] == "'" + FORMULA
    assert rows["JM-0001"]["right_holder"] == PARCELS[1]["right_holder"]  # others untouched
    projects = tmp_path / "projects.xlsx"
    _cli(world, "projects", "export", str(projects))
    assert FORMULA in _texts(projects.read_bytes())
    finance = tmp_path / "finance.xlsx"
    _cli(world, "finance", "export", str(poisoned["project"]), str(finance))
    assert FORMULA in _texts(finance.read_bytes())


def test_the_problem_report_neutralises_refused_values(world: World, tmp_path: Path) -> None:
    """An import's report quotes the refused values: as text in its CSV."""
    path = parcels_file(tmp_path, [dict(PARCELS[0], land_use="=1+2")], name="bad.gpkg")
    report = tmp_path / "report.csv"
    result = runner.invoke(app, ["--db", world.store.url, "import", "parcels", str(path),
                                 "--report", str(report)])
    assert result.exit_code != 0
    with report.open(encoding="utf-8-sig", newline="") as fh:
        lines = list(csv.reader(fh))
    (row,) = [r for r in lines[1:] if r[3] == "unknown_land_use"]
    assert row[6] == "'=1+2"


def test_a_phase_schedule_form_round_trips_a_formula_like_name(world: World) -> None:
    """The phase page's schedule form (CSV lines) shows a formula-like work name neutralised,
    and saving the form back stores the name as it was typed."""
    import html
    import re

    h = world.headers("admin")
    project = world.client.post("/api/projects", headers=h, json={
        "name": "外沙村", "type": "urban_village", "district_code": WEST,
        "scheme_approved_on": "2026-01-01", "owner_company": ENTITY_ORG}).json()
    phase = world.client.post(f"/api/projects/{project['id']}/phases", headers=h,
                              json={"name": "一期"}).json()
    works = [{"name": "=SUM(A1)", "kind": "resettlement_housing", "start": "2026-03-01",
              "finish": "2027-12-31"},
             {"name": "融资地块", "kind": "other", "start": "2026-03-01", "finish": "2028-06-30"}]
    put = world.client.put(f"/api/phases/{phase['id']}/schedule", headers=h,
                           json={"works": works, "reason": "formula test"})
    assert put.status_code == 200, put.text
    page = world.page("admin").get(f"/phases/{phase['id']}")
    found = re.search(r'<textarea id="schedule-works"[^>]*>([^<]*)</textarea>', page.text)
    assert found is not None
    text = html.unescape(found.group(1))
    assert text.startswith("'=SUM(A1),resettlement_housing,")
    saved = world.page("admin").post(f"/phases/{phase['id']}/schedule", data={
        "csrf_token": world.csrf("admin"), "works": text}, follow_redirects=False)
    assert saved.status_code == 200 and 'data-stored="true"' in saved.text, saved.text
    body = world.client.get(f"/api/phases/{phase['id']}", headers=h).json()
    assert [w["name"] for w in body["schedule"]] == ["=SUM(A1)", "融资地块"]
