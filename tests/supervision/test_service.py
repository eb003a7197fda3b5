"""Programme supervision on the store (SQLite and PostGIS): init, unit scoping of progress,
completion, supervision acts, targets, overdue list, milestones from project data, figures."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from landrenew.core.errors import InputError, NotFound, PermissionDenied
from landrenew.core.store import Store
from landrenew.core.store.models import AuditEvent, ProgrammeTaskVersion, ProgrammeUnit
from landrenew.supervision import acts, figures, service, targets

from .conftest import (
    ADMIN,
    CITY,
    CITY_STAFF,
    DISTRICT,
    JIANGHAI,
    PENGJIANG,
    SHA,
    VIEWER,
    XINHUI,
    project,
    task_id,
)

EVIDENCE = [{"name": "会议纪要.pdf", "sha256": SHA}]


def test_init_creates_units_and_tasks_once(store: Store) -> None:
    first = service.init_programme(store, ADMIN, CITY)
    assert len(first["tasks_created"]) == 10 and len(first["units_created"]) == 22
    again = service.init_programme(store, ADMIN, "440703")  # a district names its city
    assert again["tasks_created"] == [] and again["units_created"] == []
    tasks = service.list_tasks(store, VIEWER, CITY, on=dt.date(2024, 1, 1))
    assert [t["code"] for t in tasks] == [*list("一二三四五六七八九"), "十"]
    two = tasks[1]
    assert two["lead_units"][:2] == ["市自然资源局", "蓬江区政府"] and len(two["lead_units"]) == 8
    assert two["deadline"] == dt.date(2024, 3, 31) and two["status"] == "open"
    with store.read_session() as session:
        units = {u.name: u for u in session.scalars(select(ProgrammeUnit))}
        assert units["新会区政府"].district_code == XINHUI
        assert units["市自然资源统筹管理委员会"].kind == "committee"
    with pytest.raises(PermissionDenied):
        service.init_programme(store, DISTRICT, CITY)


def test_status_on_dates_filters_by_unit_and_status(programme: Store) -> None:
    on = dt.date(2024, 4, 1)
    overdue = service.list_tasks(programme, VIEWER, CITY, on=on, status="overdue")
    assert [t["code"] for t in overdue] == ["二"]
    eight = service.list_tasks(programme, VIEWER, CITY, on=on, unit="新会区政府")
    assert "八" in [t["code"] for t in eight] and "九" in [t["code"] for t in eight]
    taishan = service.list_tasks(programme, VIEWER, CITY, on=on, unit="台山市政府")
    assert "八" not in [t["code"] for t in taishan] and "九" not in [t["code"] for t in taishan]
    with pytest.raises(InputError):
        service.list_tasks(programme, VIEWER, CITY, status="late")


def test_progress_only_for_the_users_units(programme: Store) -> None:
    two, nine = task_id(programme, "二"), task_id(programme, "九")
    # district staff of Pengjiang report for 蓬江区政府 on task 九 (responsible)
    rec = service.report_progress(programme, DISTRICT, nine, percent=40, text="完成调研",
                                  on=dt.date(2024, 5, 6), evidence=EVIDENCE)
    assert rec["unit"] == "蓬江区政府" and rec["evidence"] == EVIDENCE
    # li belongs to 市自然资源局: lead of 二
    assert service.report_progress(programme, CITY_STAFF, two, percent=100, text="数据库建成",
                                   on=dt.date(2024, 3, 1))["unit"] == "市自然资源局"
    # 八 is 新会区政府's: Pengjiang's staff may not report on it
    eight = task_id(programme, "八")
    with pytest.raises(PermissionDenied):
        service.report_progress(programme, DISTRICT, eight, percent=10, text="x")
    with pytest.raises(PermissionDenied):
        service.report_progress(programme, DISTRICT, nine, percent=10, text="x",
                                unit="江海区政府")
    other = CITY_STAFF.__class__(name="zhao", role="city_staff")  # in no unit
    with pytest.raises(PermissionDenied):
        service.report_progress(programme, other, two, percent=10, text="x")
    with pytest.raises(PermissionDenied):
        service.report_progress(programme, VIEWER, two, percent=10, text="x")
    with pytest.raises(InputError):
        service.report_progress(programme, CITY_STAFF, two, percent=101, text="x")
    with pytest.raises(InputError):
        service.report_progress(programme, CITY_STAFF, two, percent=10, text="x",
                                evidence=[{"name": "a", "sha256": "xyz"}])
    # an administrator names the unit
    assert service.report_progress(programme, ADMIN, eight, percent=5, text="启动",
                                   unit="新会区政府")["unit"] == "新会区政府"
    detail = service.get_task(programme, DISTRICT, nine)
    assert detail["my_units"] == ["蓬江区政府"] and detail["progress"][0]["percent"] == 40
    last = service.list_tasks(programme, VIEWER, CITY, on=dt.date(2024, 6, 1))
    assert next(t for t in last if t["code"] == "九")["last_progress"]["percent"] == 40


def test_completion_versions_and_status(programme: Store) -> None:
    two = task_id(programme, "二")
    service.complete_task(programme, CITY_STAFF, two, on=dt.date(2024, 3, 31), evidence=EVIDENCE)
    on = dt.date(2024, 6, 1)
    rec = next(t for t in service.list_tasks(programme, VIEWER, CITY, on=on) if t["code"] == "二")
    assert (rec["status"], rec["done_on"]) == ("done_on_time", dt.date(2024, 3, 31))
    with pytest.raises(InputError):  # changing the day needs the reason
        service.complete_task(programme, CITY_STAFF, two, on=dt.date(2024, 4, 2))
    service.complete_task(programme, CITY_STAFF, two, on=dt.date(2024, 4, 2),
                          note="以省厅审核通过日为准")
    rec = next(t for t in service.list_tasks(programme, VIEWER, CITY, on=on) if t["code"] == "二")
    assert rec["status"] == "done_late" and rec["days_overdue"] == 2
    detail = service.get_task(programme, VIEWER, two, on=on)
    assert [v["version"] for v in detail["versions"]] == [1, 2, 3]
    assert detail["versions"][-1]["reason"] == "以省厅审核通过日为准"
    with programme.read_session() as session:
        assert session.scalar(select(ProgrammeTaskVersion.record).where(
            ProgrammeTaskVersion.task_id == two, ProgrammeTaskVersion.version == 2)
        )["done_on"] == "2024-03-31"
        events = session.scalars(select(AuditEvent).where(
            AuditEvent.entity_type == "programme_task", AuditEvent.entity_id == str(two))).all()
        assert events[-1].before["done_on"] == "2024-03-31"
    with pytest.raises(PermissionDenied):
        service.complete_task(programme, DISTRICT, two, on=dt.date(2024, 3, 1))


def test_supervision_acts(programme: Store) -> None:
    two = task_id(programme, "二")
    on = dt.date(2024, 4, 10)
    notice = acts.supervise(programme, CITY_STAFF, two, unit="江海区政府", kind="通报",
                            reason="调查数据未按期报送", on=on)
    assert notice["kind"] == "notice" and notice["due_on"] is None
    press = acts.supervise(programme, CITY_STAFF, two, unit="江海区政府", kind="督办",
                           reason="限期报送", on=on)
    assert press["due_on"] == on + dt.timedelta(days=15)
    with pytest.raises(InputError):  # 问责 without a reason
        acts.supervise(programme, CITY_STAFF, two, unit="江海区政府", kind="问责",
                       reason="  ", on=on, evidence=EVIDENCE)
    with pytest.raises(InputError):  # 问责 without evidence
        acts.supervise(programme, CITY_STAFF, two, unit="江海区政府", kind="问责",
                       reason="弄虚作假", on=on)
    account = acts.supervise(programme, CITY_STAFF, two, unit="江海区政府", kind="问责",
                             reason="弄虚作假", on=on, evidence=EVIDENCE)
    assert account["kind_name"] == "问责"
    with pytest.raises(InputError):  # not a unit of the task
        acts.supervise(programme, CITY_STAFF, task_id(programme, "八"), unit="江海区政府",
                       kind="通报", reason="x", on=on)
    with pytest.raises(PermissionDenied):
        acts.supervise(programme, DISTRICT, two, unit="江海区政府", kind="通报", reason="x")
    ranked = acts.overdue(programme, VIEWER, CITY, on=on)
    assert ranked[0]["overdue"] == 1 and ranked[0]["days_overdue"] == 10
    jianghai = next(r for r in ranked if r["unit"] == "江海区政府")
    assert [a["kind_name"] for a in jianghai["acts"]] == ["问责", "督办", "通报"]
    assert len(acts.list_acts(programme, VIEWER, CITY, on=on)) == 3
    assert acts.list_acts(programme, VIEWER, CITY, on=on - dt.timedelta(days=1)) == []


def test_overdue_units_worst_first(programme: Store) -> None:
    on = dt.date(2025, 1, 15)  # 二 (2024-03-31), 三, 四, 八 (2024-12-31) overdue
    ranked = acts.overdue(programme, VIEWER, CITY, on=on)
    bureau = next(r for r in ranked if r["unit"] == "市自然资源局")
    assert ranked[0]["overdue"] == 4 and bureau["tasks"] == ["二", "三", "四", "八"]
    xinhui = next(r for r in ranked if r["unit"] == "新会区政府")
    pengjiang = next(r for r in ranked if r["unit"] == "蓬江区政府")
    assert xinhui["overdue"] == 4 and pengjiang["overdue"] == 3
    assert ranked.index(xinhui) < ranked.index(pengjiang)


def test_targets_and_revisions(programme: Store) -> None:
    one = task_id(programme, "一")
    targets.set_target(programme, CITY_STAFF, one, year=2024, target="完成3个单元详细规划")
    with pytest.raises(InputError):
        targets.set_target(programme, CITY_STAFF, one, year=2024, target="完成2个")
    targets.set_target(programme, CITY_STAFF, one, year=2024, target="完成2个单元",
                       reason="中期评估修正")
    with pytest.raises(InputError):
        targets.set_target(programme, CITY_STAFF, one, year=2028, target="x")
    detail = service.get_task(programme, VIEWER, one)
    assert detail["target_years"] == [2023, 2024, 2025, 2026]
    assert detail["missing_target_years"] == [2023, 2025, 2026]
    assert [(t["revision"], t["reason"]) for t in detail["targets"]] == [
        (1, None), (2, "中期评估修正")]


def test_milestones_from_project_data(programme: Store) -> None:
    project(programme, district=PENGJIANG, batch="first", stage="implementing",
            at=dt.date(2025, 5, 1))
    project(programme, district=JIANGHAI, batch="first", stage="implementing",
            at=dt.date(2025, 7, 15))  # started after the milestone's day
    project(programme, district=PENGJIANG, batch="second", stage="in_library",
            at=dt.date(2025, 6, 20))
    found = {m["code"]: m for m in targets.milestones(programme, VIEWER, CITY,
                                                       on=dt.date(2025, 8, 1))}
    first = found["first_batch_started"]
    assert first["state"] == "due" and first["checked_on"] == dt.date(2025, 6, 30)
    behind = [b["district_code"] for b in first["behind"]]
    assert PENGJIANG not in behind and JIANGHAI in behind and len(behind) == 6
    assert next(b["unit"] for b in found["second_batch_library"]["behind"]) == "江海区政府"
    assert found["second_batch_done"]["state"] == "pending"


def test_district_figures_and_land_per_gdp(programme: Store) -> None:
    rows = [{"district_code": PENGJIANG, "year": 2023, "gdp_10k_yuan": "10000000",
             "construction_land_mu": "150000"},
            {"行政区代码": PENGJIANG, "年份": "2024", "GDP(万元)": "12,000,000",
             "建设用地面积(亩)": "150000"}]
    assert figures.import_figures(programme, CITY_STAFF, CITY, rows)["rows"] == 2
    table = figures.land_per_gdp(programme, CITY)
    assert [str(r["mu_per_100m_yuan"]) for r in table] == ["150.00", "125.00"]
    assert str(table[1]["change"]) == "-25.00" and str(table[1]["change_ratio"]) == "-0.1667"
    with pytest.raises(InputError):
        figures.import_figures(programme, CITY_STAFF, CITY, [{**rows[0], "district_code":
                                                              "440103"}])
    with pytest.raises(InputError):
        figures.import_figures(programme, CITY_STAFF, CITY, [{**rows[0], "year": None}])


def test_unknown_task_and_unit(programme: Store) -> None:
    with pytest.raises(NotFound):
        service.find_task(programme, CITY, "十一")
    with pytest.raises(NotFound):
        service.get_task(programme, VIEWER, 9999)
    with pytest.raises(NotFound):
        service.add_member(programme, ADMIN, CITY, "市规划局", "li")
    with pytest.raises(PermissionDenied):
        service.add_member(programme, CITY_STAFF, CITY, "市自然资源局", "li")
    cal = targets.calendar(CITY, dt.date(2025, 7, 1))
    assert cal["current"] == "mid_term" and cal["half_years"][0]["code"] == "2023H2"
