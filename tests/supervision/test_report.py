"""Programme reports: gathered as of a day (later edits do not change them), frozen when filed,
evaluations refused outside their window, and the .docx/.pdf/.xlsx files opened and read."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from landrenew.core.errors import InputError, PermissionDenied
from landrenew.core.store import Store
from landrenew.core.store.models import EvaluationRun, ParcelResult, ProgrammeTarget
from landrenew.supervision import acts, render, report, service, targets
from landrenew.supervision.rules import OutsideWindow

from .conftest import ADMIN, CITY, CITY_STAFF, DISTRICT, PENGJIANG, SHA, XINHUI, project, task_id

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
END_2024 = dt.date(2024, 12, 31)


def _stable(inputs: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in inputs.items() if k != "generated_at"}


def test_a_report_as_of_a_past_day_and_frozen_when_filed(programme: Store) -> None:
    two, three = task_id(programme, "二"), task_id(programme, "三")
    service.complete_task(programme, CITY_STAFF, two, on=dt.date(2024, 3, 20))
    service.report_progress(programme, CITY_STAFF, three, percent=60, text="控制线初稿",
                            on=dt.date(2024, 11, 2))
    draft = report.make_report(programme, CITY_STAFF, CITY, "half_year", period="2024H2")
    assert (draft["period"], draft["as_of"]) == ("2024H2", END_2024)
    before = report.get_report(programme, CITY_STAFF, draft["id"])["inputs"]
    rows = {t["code"]: t for t in before["tasks"]}
    assert rows["二"]["status"] == "done_on_time" and rows["三"]["status"] == "open"
    assert rows["三"]["last_percent"] == 60
    # edits dated after the report's day leave it as it was
    service.report_progress(programme, CITY_STAFF, three, percent=100, text="已划定",
                            on=dt.date(2025, 1, 3))
    service.complete_task(programme, CITY_STAFF, three, on=dt.date(2025, 1, 5))
    acts.supervise(programme, CITY_STAFF, three, unit="江海区政府", kind="通报",
                   reason="逾期", on=dt.date(2025, 1, 6))
    again = report.gather(programme, CITY_STAFF, CITY, "half_year", "2024H2", END_2024)
    assert _stable(again) == _stable(before)
    # once filed, even a correction dated inside the period leaves the filed report as it was
    report.file_report(programme, CITY_STAFF, draft["id"], on=dt.date(2025, 1, 20))
    service.complete_task(programme, CITY_STAFF, two, on=dt.date(2024, 4, 2), note="更正")
    frozen = report.report_inputs(programme, CITY_STAFF, CITY, "half_year", period="2024H2")
    assert frozen == before
    fresh = report.gather(programme, CITY_STAFF, CITY, "half_year", "2024H2", END_2024)
    assert {t["code"]: t for t in fresh["tasks"]}["二"]["status"] == "done_late"
    with pytest.raises(report.ReportFiled):
        report.update_report(programme, CITY_STAFF, draft["id"], sections={})
    listed = report.list_reports(programme, CITY_STAFF, CITY)
    assert listed["reports"][0]["filed"] is True
    missing = [m["period"] for m in listed["missing"]]
    assert "2024H2" not in missing and "2023H2" in missing and "2024H1" in missing


def test_evaluations_in_their_window_with_targets_and_sections(programme: Store) -> None:
    with pytest.raises(OutsideWindow):
        report.make_report(programme, CITY_STAFF, CITY, "mid-term", as_of=dt.date(2025, 5, 31))
    with pytest.raises(OutsideWindow):
        report.report_inputs(programme, CITY_STAFF, CITY, "final", as_of=dt.date(2027, 10, 1))
    with pytest.raises(InputError):
        report.make_report(programme, CITY_STAFF, CITY, "mid-term")
    with pytest.raises(PermissionDenied):
        report.make_report(programme, DISTRICT, CITY, "half_year", period="2024H1")
    one = task_id(programme, "一")
    targets.set_target(programme, CITY_STAFF, one, year=2025, target="完成3个单元")
    targets.set_target(programme, CITY_STAFF, one, year=2025, target="完成2个单元",
                       reason="结合发展变化修正")
    with programme.session() as session:  # recorded in 2025, before the evaluation day
        session.execute(update(ProgrammeTarget).values(recorded_at=dt.datetime(2025, 5, 1)))
    made = report.make_report(programme, CITY_STAFF, CITY, "mid-term",
                              as_of=dt.date(2025, 9, 1), sections={"experience": "一图统管"})
    with pytest.raises(InputError):
        report.update_report(programme, CITY_STAFF, made["id"], sections={"other": "x"})
    report.update_report(programme, CITY_STAFF, made["id"], sections={"cases": "某厂房改造"})
    inputs = report.get_report(programme, CITY_STAFF, made["id"])["inputs"]
    assert inputs["sections"]["experience"] == "一图统管"
    assert inputs["sections"]["cases"] == "某厂房改造"
    assert [(t["revision"], t["reason"]) for t in inputs["targets"]] == [
        (1, None), (2, "结合发展变化修正")]
    assert inputs["title"].endswith("中期评估报告")
    assert inputs["targets"][1]["status_name"] == "进行中"  # progress against the target


def _stock_run(store: Store) -> None:
    """Two evaluation runs: the year's start and mid-year, parcels of two districts."""
    def parcel(run: int, code: str, district: str, area_mu: float, low: bool, flags: str,
               tax: float | None) -> ParcelResult:
        return ParcelResult(run_id=run, parcel_code=code, district_code=district,
                            land_use="1001", area_m2=area_mu / 0.0015, is_low_efficiency=low,
                            categories="", flags=flags, potential_floor_area_m2=1000.0,
                            indicators={"tax_per_mu": tax}, reasons=[])
    with store.session() as session:
        for n, day in ((1, dt.date(2025, 1, 1)), (2, dt.date(2025, 6, 1))):
            session.add(EvaluationRun(id=n, pack_id="p", pack_version="1", as_of=day,
                                      created_at=dt.datetime(2025, 6, 2), created_by="x",
                                      engine="local", parcel_count=3, low_efficiency_count=1))
        session.flush()
        session.add_all([
            parcel(1, "A", PENGJIANG, 10, True, "idle", 5.0),
            parcel(1, "B", PENGJIANG, 20, False, "", None),
            parcel(1, "C", XINHUI, 30, True, "approved_not_supplied", 2.0),
            parcel(2, "A", PENGJIANG, 10, True, "", 5.0),
            parcel(2, "B", PENGJIANG, 20, False, "", 20.0),
            parcel(2, "C", XINHUI, 30, True, "approved_not_supplied", 2.0),
            parcel(2, "D", "440111", 50, True, "idle", 1.0),  # another city's: left out
        ])


def test_stock_per_mu_and_disposal_rates(sqlite_store: Store) -> None:
    service.init_programme(sqlite_store, ADMIN, CITY)
    _stock_run(sqlite_store)
    inputs = report.gather(sqlite_store, ADMIN, CITY, "half_year", "2025H1",
                           dt.date(2025, 6, 30))
    stock = {r["district"]: r for r in inputs["stock"]}
    assert inputs["evaluation"]["run"] == 2 and inputs["evaluation"]["start_run"] == 1
    assert stock["蓬江区"]["low_mu"] == 10.0 and stock["蓬江区"]["construction_mu"] == 30.0
    assert stock["蓬江区"]["tax_per_mu"] == 15.0  # (5×10 + 20×20) ÷ 30
    assert stock["全市"]["low_share"] == round(40 / 60, 4)
    assert "白云区" not in stock and stock["全市"]["parcels"] == 3
    idle = {r["district"]: r for r in inputs["disposal"] if r["flag"] == "idle"}
    assert idle["蓬江区"]["disposed_mu"] == 10.0 and idle["蓬江区"]["rate"] == 1.0
    unsupplied = {r["district"]: r for r in inputs["disposal"]
                  if r["flag"] == "approved_not_supplied"}
    assert unsupplied["新会区"]["rate"] == 0.0


def test_files_open_and_read(sqlite_store: Store) -> None:
    service.init_programme(sqlite_store, ADMIN, CITY)
    project(sqlite_store, district=PENGJIANG, batch="first", stage="implementing",
            at=dt.date(2025, 3, 1), name="蓬江工业园改造")
    _stock_run(sqlite_store)
    acts.supervise(sqlite_store, ADMIN, service.find_task(sqlite_store, CITY, "二"),
                   unit="恩平市政府", kind="问责", reason="数据弄虚作假",
                   on=dt.date(2025, 4, 1), evidence=[{"name": "核查.pdf", "sha256": SHA}])
    inputs = report.gather(sqlite_store, ADMIN, CITY, "half_year", "2025H1",
                           dt.date(2025, 6, 30))

    import docx
    document = docx.Document(io.BytesIO(render.render(inputs, ".docx")))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "江门市推进低效用地再开发试点工作2025年上半年情况报告" in text
    assert "逾期未完成" in text and "计算口径" in text
    tasks = document.tables[0]
    assert len(tasks.rows) == 11 and tasks.rows[2].cells[0].text == "二"
    assert tasks.rows[2].cells[5].text.startswith("逾期未完成（逾期")
    assert any("恩平市政府" in c.text and "问责" in document.tables[3].rows[1].cells[3].text
               for c in document.tables[3].rows[1].cells)

    from openpyxl import load_workbook
    wb = load_workbook(io.BytesIO(render.render(inputs, ".xlsx")))
    assert wb.sheetnames[:2] == ["表1", "表2"] and "计算口径" in wb.sheetnames
    assert wb["表1"].max_row == 12 and wb["表1"]["B3"].value == "有效衔接国土空间规划"
    assert wb["表5"]["A3"].value == "首批" and wb["表5"]["D3"].value == "1"
    assert wb["表6"]["D3"].value == "10.00"

    import pypdfium2 as pdfium
    pdf = pdfium.PdfDocument(render.render(inputs, ".pdf"))
    try:
        page_text = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
        assert "2025年上半年情况报告" in page_text and "逾期未完成" in page_text
        assert "数据弄虚作假" in page_text and "亩均税收" in page_text
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        pdf[0].render(scale=1.2).to_pil().save(ARTIFACTS / "supervision_report_page1.png")
    finally:
        pdf.close()
    assert render.file_name(inputs, ".pdf") == "江门市2025年上半年半年度工作情况报告_2025-06-30.pdf"
    with pytest.raises(InputError):
        render.render(inputs, ".txt")
