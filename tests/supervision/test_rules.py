"""The programme pack and the pure rules: every task's units and deadline from the plan, the
status at and around each deadline, half-years, target years, milestones, laggards, windows."""

from __future__ import annotations

import datetime as dt

import pytest

from landrenew.core.errors import InputError
from landrenew.supervision import rules
from landrenew.supervision.packs import ProgrammePack
from landrenew.supervision.rules import OutsideWindow

DISTRICT_UNITS = ["蓬江区政府", "江海区政府", "新会区政府", "台山市政府", "开平市政府",
                  "鹤山市政府", "恩平市政府"]
# (code, lead units as the plan writes them, responsible units, deadline) — 江府函〔2023〕202号 §三
PLAN = [
    ("一", ["市自然资源局"], ["各县(市、区)政府"], "2026-12-31"),
    ("二", ["市自然资源局", "各县(市、区)政府"],
     ["市发展改革局", "市生态环境局", "市住房城乡建设局", "市统计局", "市税务局"], "2024-03-31"),
    ("三", ["市自然资源局"], ["各县(市、区)政府", "市发展改革局", "市工业和信息化局",
                          "市政府投资促进中心"], "2024-12-31"),
    ("四", ["市自然资源局"], ["各县(市、区)政府"], "2024-12-31"),
    ("五", ["各县(市、区)政府", "市自然资源局"],
     ["市发展改革局", "市工业和信息化局", "市财政局", "市生态环境局", "市住房城乡建设局",
      "市金融局", "市政府投资促进中心", "市税务局"], "2025-06-30"),
    ("六", ["市自然资源局"], ["市发展改革局", "市工业和信息化局", "市司法局", "市生态环境局",
                          "市住房城乡建设局", "市农业农村局", "市金融局", "市土地储备中心",
                          "市税务局", "各县(市、区)政府"], "2026-12-31"),
    ("七", ["各县(市、区)政府", "市自然资源局"],
     ["市发展改革局", "市工业和信息化局", "市财政局", "市自然资源局", "市生态环境局",
      "市住房城乡建设局", "市金融局", "市政府投资促进中心", "市税务局"], "2027-05-31"),
    ("八", ["新会区政府"], ["市发展改革局", "市财政局", "市自然资源局", "市生态环境局",
                        "市住房城乡建设局", "市农业农村局", "市税务局"], "2024-12-31"),
    ("九", ["市住房城乡建设局"], ["蓬江区政府", "江海区政府", "新会区政府", "市自然资源局",
                           "市农业农村局", "市城市管理综合执法局"], "2027-05-31"),
    ("十", ["市自然资源局"], ["各县(市、区)政府"], "2027-05-31"),
]


@pytest.mark.parametrize(("code", "lead", "responsible", "deadline"), PLAN)
def test_every_task_has_the_plans_units_and_deadline(pack: ProgrammePack, code: str,
                                                      lead: list[str], responsible: list[str],
                                                      deadline: str) -> None:
    task = next(t for t in pack.tasks if t.code == code)
    assert list(task.lead_units) == lead
    assert list(task.responsible_units) == responsible
    assert task.deadline == dt.date.fromisoformat(deadline)
    assert task.clause.startswith(f"江府函〔2023〕202号 §三({code})")


def test_the_district_group_expands_to_the_seven_governments(pack: ProgrammePack) -> None:
    assert list(pack.expand(("各县(市、区)政府",))) == DISTRICT_UNITS
    assert list(pack.expand(("市自然资源局", "各县(市、区)政府", "蓬江区政府"))) == [
        "市自然资源局", *DISTRICT_UNITS]
    assert pack.district_of("新会区政府") == "440705"
    assert pack.committee in pack.units()
    assert [t.code for t in pack.tasks] == [*list("一二三四五六七八九"), "十"]


def test_periods_and_parameters_cite_the_plan(pack: ProgrammePack) -> None:
    assert pack.periods["implementation"].start == dt.date(2023, 10, 1)
    assert pack.periods["implementation"].end == dt.date(2027, 5, 31)
    assert (pack.periods["mid_term"].start, pack.periods["mid_term"].end) == (
        dt.date(2025, 6, 1), dt.date(2025, 9, 30))
    assert (pack.periods["final"].start, pack.periods["final"].end) == (
        dt.date(2027, 6, 1), dt.date(2027, 9, 30))
    assert pack.number("half_year_report_grace_days").basis == "local_initial"
    assert pack.number("deadline_day_on_time").basis == "document"
    assert all(p.clause for p in pack.parameters.values())


@pytest.mark.parametrize(("done_on", "on", "status"), [
    (None, "2024-03-30", "open"),
    (None, "2024-03-31", "open"),            # the deadline day itself is not yet overdue
    (None, "2024-04-01", "overdue"),
    ("2024-03-31", "2024-04-01", "done_on_time"),  # "……前": done on the day is on time
    ("2024-03-30", "2024-03-30", "done_on_time"),
    ("2024-04-01", "2024-04-01", "done_late"),
    ("2024-04-01", "2024-03-31", "open"),     # a completion after the day is not yet known
    ("2024-05-01", "2024-04-15", "overdue"),
])
def test_status_at_and_around_the_deadline(done_on: str | None, on: str, status: str) -> None:
    day = dt.date.fromisoformat
    assert rules.task_status(dt.date(2024, 3, 31), day(done_on) if done_on else None,
                             day(on)) == status


def test_status_with_the_deadline_day_late() -> None:
    assert rules.task_status(dt.date(2024, 3, 31), dt.date(2024, 3, 31), dt.date(2024, 4, 1),
                             deadline_day_on_time=False) == "done_late"


@pytest.mark.parametrize("task", PLAN)
def test_each_deadline_on_the_day_and_the_day_after(pack: ProgrammePack, task: tuple) -> None:
    deadline = dt.date.fromisoformat(task[3])
    after = deadline + dt.timedelta(days=1)
    assert rules.task_status(deadline, None, deadline) == "open"
    assert rules.task_status(deadline, None, after) == "overdue"
    assert rules.task_status(deadline, deadline, after) == "done_on_time"
    assert rules.task_status(deadline, after, after) == "done_late"
    assert rules.days_overdue(deadline, None, after + dt.timedelta(days=9)) == 10


def test_half_years_run_from_2023h2_to_2027h2(pack: ProgrammePack) -> None:
    codes = [h.code for h in rules.half_years(pack)]
    assert codes == ["2023H2", "2024H1", "2024H2", "2025H1", "2025H2", "2026H1", "2026H2",
                     "2027H1", "2027H2"]
    h1 = rules.parse_half_year("2025h1")
    assert (h1.start, h1.end, h1.name) == (dt.date(2025, 1, 1), dt.date(2025, 6, 30),
                                          "2025年上半年")
    with pytest.raises(InputError):
        rules.check_half_year(pack, "2023H1")
    with pytest.raises(InputError):
        rules.parse_half_year("2025-1")


def test_a_report_not_filed_by_its_grace_day_is_flagged(pack: ProgrammePack) -> None:
    due = rules.report_due(pack, rules.parse_half_year("2024H1"))
    assert due == dt.date(2024, 7, 31)
    on = dt.date(2024, 12, 1)
    missing = rules.missing_reports(pack, {"2023H2": dt.date(2024, 1, 31),
                                           "2024H1": due + dt.timedelta(days=1)}, on)
    assert [m["period"] for m in missing] == ["2024H1"]
    assert rules.missing_reports(pack, {"2023H2": dt.date(2024, 1, 31), "2024H1": due},
                                 on) == []
    # the second half of 2024 is not due yet on 2024-12-01
    assert rules.missing_reports(pack, {}, on)[-1]["period"] == "2024H1"


def test_target_years_cover_the_task_and_missing_ones_are_flagged() -> None:
    start = dt.date(2023, 10, 1)
    assert rules.target_years(start, dt.date(2024, 3, 31)) == [2023, 2024]
    assert rules.missing_target_years(start, dt.date(2026, 12, 31), [2023, 2025]) == [2024, 2026]


def test_milestones_flag_the_districts_behind(pack: ProgrammePack) -> None:
    first = next(m for m in pack.milestones if m.code == "first_batch_started")
    projects = [
        {"district_code": "440703", "batch": "first", "stage": "implementing"},
        {"district_code": "440704", "batch": "first", "stage": "approved"},
        {"district_code": "440705", "batch": "first", "stage": "withdrawn"},
        {"district_code": "440705", "batch": "second", "stage": "completed"},
    ]
    behind = rules.milestone_behind(first, projects, ["440703", "440704", "440705"])
    assert [b["district_code"] for b in behind] == ["440704", "440705"]
    done = next(m for m in pack.milestones if m.code == "second_batch_done")
    projects = [{"district_code": "440703", "batch": "second", "stage": "completed"},
                {"district_code": "440703", "batch": "second", "stage": "implementing"}]
    assert rules.milestone_behind(done, projects, ["440703"])[0]["reached"] == 1


def test_laggards_worst_first() -> None:
    rows = [{"unit": "A", "status": "overdue", "days_overdue": 5, "task_code": "一"},
            {"unit": "B", "status": "overdue", "days_overdue": 3, "task_code": "一"},
            {"unit": "B", "status": "overdue", "days_overdue": 1, "task_code": "二"},
            {"unit": "C", "status": "done_on_time", "days_overdue": 0, "task_code": "二"},
            {"unit": "D", "status": "done_late", "days_overdue": 9, "task_code": "三"}]
    ranked = rules.laggards(rows)
    assert [r["unit"] for r in ranked] == ["B", "A", "D"]
    assert ranked[0]["tasks"] == ["一", "二"]


def test_evaluations_are_refused_outside_their_window(pack: ProgrammePack) -> None:
    assert rules.check_evaluation(pack, "mid-term", dt.date(2025, 6, 1))
    assert rules.check_evaluation(pack, "mid-term", dt.date(2025, 9, 30))
    with pytest.raises(OutsideWindow):
        rules.check_evaluation(pack, "mid-term", dt.date(2025, 5, 31))
    with pytest.raises(OutsideWindow):
        rules.check_evaluation(pack, "final", dt.date(2027, 10, 1))
    with pytest.raises(InputError):
        rules.check_evaluation(pack, "yearly", dt.date(2025, 7, 1))


def test_periods_on_a_day(pack: ProgrammePack) -> None:
    assert rules.period_on(pack, dt.date(2024, 1, 1)) == "implementation"
    assert rules.period_on(pack, dt.date(2025, 7, 1)) == "mid_term"
    assert rules.period_on(pack, dt.date(2027, 7, 1)) == "final"
    assert rules.period_on(pack, dt.date(2028, 1, 1)) is None
    assert rules.act_code("问责") == "accountability"
    with pytest.raises(InputError):
        rules.act_code("批评")
