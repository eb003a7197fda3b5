"""CLI for programme supervision (任务督办) and reports (报告):

- ``landrenew programme init --city 440700`` creates the city's units and tasks from its
  programme pack (idempotent); ``programme units / member / calendar / overdue / milestones /
  figures`` read and keep the rest;
- ``landrenew tasks list [--city] [--on] [--unit] [--status] [--json]``, ``tasks show``,
  ``tasks progress``, ``tasks complete``, ``tasks supervise``, ``tasks target``;
- ``landrenew report half-year 2025H1 --city 440700 --output FILE.docx|.pdf|.xlsx`` and
  ``landrenew report evaluation mid-term|final --city 440700 --as-of DATE --output FILE``.

Commands act as the command line's user (``--user``) with the administrator's rights.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from landrenew.cli.common import console, state
from landrenew.cli.land import parse_day
from landrenew.core.access import Principal
from landrenew.core.errors import InputError

programme_app = typer.Typer(help="The pilot programme: units, tasks, calendar (试点工作).",
                            no_args_is_help=True)
tasks_app = typer.Typer(help="Programme tasks: status, progress, supervision (任务督办).",
                        no_args_is_help=True)
report_app = typer.Typer(help="Half-year reports and evaluations (报告).", no_args_is_help=True)

CityOpt = Annotated[str, typer.Option("--city", help="City (or district) code, e.g. 440700")]
DayOpt = Annotated[str | None, typer.Option("--on", help="Day (YYYY-MM-DD; default today)")]
EvidenceOpt = Annotated[list[Path] | None, typer.Option(
    "--evidence", help="Evidence file (its SHA-256 is kept); may be repeated")]


def _user() -> Principal:
    return Principal(name=state.settings().user, role="admin")


def _json(value: Any) -> None:
    typer.echo(json.dumps(value, ensure_ascii=False, default=str, indent=2))


def _evidence(paths: list[Path] | None) -> list[dict[str, str]]:
    out = []
    for path in paths or []:
        if not path.is_file():
            raise InputError("no such file", file=str(path), field="evidence")
        out.append({"name": path.name, "sha256": hashlib.sha256(path.read_bytes()).hexdigest()})
    return out


# ------------------------------------------------------------------ programme

@programme_app.command("init")
def init_cmd(city: CityOpt) -> None:
    """Create the city's units and tasks from its programme pack (again: nothing changes)."""
    from landrenew.supervision.service import init_programme

    made = init_programme(state.store(), _user(), city)
    console.print(f"{made['pack']} {made['pack_version']}: {len(made['units_created'])} of "
                  f"{made['units']} unit(s) and {len(made['tasks_created'])} of {made['tasks']} "
                  f"task(s) created")


@programme_app.command("units")
def units_cmd(city: CityOpt) -> None:
    """The programme's units and their members."""
    from landrenew.supervision.service import list_units

    table = Table("单位 unit", "类别 kind", "行政区 district", "成员 members")
    for u in list_units(state.store(), city):
        table.add_row(u["name"], u["kind"], u["district_code"] or "", ", ".join(u["members"]))
    console.print(table)


@programme_app.command("member")
def member_cmd(city: CityOpt,
               unit: Annotated[str, typer.Option(help="Unit name, e.g. 市自然资源局")],
               user: Annotated[str, typer.Option("--member", help="User name")]) -> None:
    """Put a user in a unit (they then report progress on its tasks)."""
    from landrenew.supervision.service import add_member

    made = add_member(state.store(), _user(), city, unit, user)
    console.print(f"{made['user']} {'added to' if made['added'] else 'already in'} "
                  f"{made['unit']}")


@programme_app.command("calendar")
def calendar_cmd(city: CityOpt, on: DayOpt = None) -> None:
    """The programme's periods, deadlines and half-year reports, with today's period."""
    from landrenew.supervision.targets import calendar

    cal = calendar(city, parse_day(on, "on"))
    table = Table("期间 period", "起 from", "止 to", "")
    for p in cal["periods"]:
        table.add_row(p["name"], str(p["start"]), str(p["end"]), "◀ 当前" if p["current"] else "")
    console.print(table)
    for d in cal["deadlines"]:
        console.print(f"  {d['deadline']}  任务{d['code']} {d['title']}")


@programme_app.command("overdue")
def overdue_cmd(city: CityOpt, on: DayOpt = None,
                as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """The units with overdue tasks, worst first, and the acts against each."""
    from landrenew.supervision.acts import overdue

    ranked = overdue(state.store(), _user(), city, on=parse_day(on, "on"))
    if as_json:
        _json(ranked)
        return
    table = Table("单位 unit", "逾期未完成", "逾期完成", "逾期天数", "任务", "督导")
    for r in ranked:
        table.add_row(r["unit"], str(r["overdue"]), str(r["done_late"]), str(r["days_overdue"]),
                      "、".join(r["tasks"]), "、".join(a["kind_name"] for a in r["acts"]))
    console.print(table)


@programme_app.command("milestones")
def milestones_cmd(city: CityOpt, on: DayOpt = None) -> None:
    """The milestones checked against the project library, with the districts behind."""
    from landrenew.supervision.targets import milestones

    for m in milestones(state.store(), _user(), city, on=parse_day(on, "on")):
        behind = "、".join(b["unit"] for b in m["behind"]) or "无"
        console.print(f"任务{m['task']} {m['title']}（{m['due']}前，{m['state']}）: 落后 {behind}")


@programme_app.command("figures")
def figures_cmd(city: CityOpt,
                sheet: Annotated[Path, typer.Argument(help="Excel or CSV: district_code, year, "
                                                           "gdp_10k_yuan, construction_land_mu")]
                ) -> None:
    """Import district GDP and construction-land area by year; show 单位GDP建设用地使用面积."""
    from landrenew.supervision.figures import import_figures, land_per_gdp, read_figures_sheet

    if not sheet.is_file():
        raise InputError("no such file", file=str(sheet))
    rows = read_figures_sheet(sheet.name, sheet.read_bytes())
    made = import_figures(state.store(), _user(), city, rows, source=sheet.name)
    table = Table("行政区", "年份", "亩/亿元", "比上年")
    for r in land_per_gdp(state.store(), city):
        table.add_row(r["district"], str(r["year"]), str(r["mu_per_100m_yuan"]),
                      str(r["change"] if r["change"] is not None else ""))
    console.print(table)
    console.print(f"{made['rows']} row(s) imported")


# ------------------------------------------------------------------ tasks

@tasks_app.command("list")
def tasks_list_cmd(
    city: Annotated[str | None, typer.Option(
        "--city", help="City code (default: the city with a programme pack)")] = None,
    on: DayOpt = None,
    unit: Annotated[str | None, typer.Option(help="Only the tasks of this unit")] = None,
    status: Annotated[str | None, typer.Option(
        help="open, done_on_time, done_late or overdue")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON records")] = False,
) -> None:
    """Each task with its units, deadline and status on the day."""
    from landrenew.supervision.service import list_tasks, programme_cities

    user = _user()
    if city is None:
        cities = programme_cities(user)
        if not cities:
            raise InputError("no city has a programme pack", field="city")
        city = cities[0][0]
    tasks = list_tasks(state.store(), user, city, on=parse_day(on, "on"), unit=unit,
                       status=status)
    if as_json:
        _json([{k: t[k] for k in ("code", "title", "lead_units", "responsible_units",
                                  "deadline", "status", "done_on")} for t in tasks])
        return
    table = Table("任务", "名称", "牵头单位", "完成时限", "状态", "完成日期")
    for t in tasks:
        table.add_row(t["code"], t["title"], "、".join(t["lead_units"]), str(t["deadline"]),
                      t["status_name"], str(t["done_on"] or ""))
    console.print(table)


def _task(city: str, code: str) -> int:
    from landrenew.supervision.service import find_task

    return find_task(state.store(), city, code)


@tasks_app.command("show")
def tasks_show_cmd(code: Annotated[str, typer.Argument(help="Task code, 一 … 十")],
                   city: CityOpt, on: DayOpt = None) -> None:
    """A task with its progress, acts, targets and versions (JSON)."""
    from landrenew.supervision.service import get_task

    _json(get_task(state.store(), _user(), _task(city, code), on=parse_day(on, "on")))


@tasks_app.command("progress")
def tasks_progress_cmd(
    code: Annotated[str, typer.Argument(help="Task code, 一 … 十")], city: CityOpt,
    unit: Annotated[str, typer.Option(help="The reporting unit")],
    percent: Annotated[int, typer.Option(help="Share done, 0–100")],
    text: Annotated[str, typer.Option(help="What was done")],
    on: DayOpt = None, evidence: EvidenceOpt = None,
) -> None:
    """A unit's progress on a task, with evidence files."""
    from landrenew.supervision.service import report_progress

    made = report_progress(state.store(), _user(), _task(city, code), percent=percent, text=text,
                           unit=unit, on=parse_day(on, "on"), evidence=_evidence(evidence))
    console.print(f"task {code}: {made['unit']} {made['percent']}% on {made['reported_on']}")


@tasks_app.command("complete")
def tasks_complete_cmd(
    code: Annotated[str, typer.Argument(help="Task code, 一 … 十")], city: CityOpt,
    on: Annotated[str, typer.Option("--on", help="The day it was done (YYYY-MM-DD)")],
    evidence: EvidenceOpt = None,
    note: Annotated[str | None, typer.Option(help="Why (required to change a day)")] = None,
) -> None:
    """Record a task done on a day, with its evidence."""
    from landrenew.supervision.service import complete_task

    day = parse_day(on, "on")
    assert day is not None
    made = complete_task(state.store(), _user(), _task(city, code), on=day,
                         evidence=_evidence(evidence), note=note)
    console.print(f"task {code} done on {made['done_on']} (version {made['version']})")


@tasks_app.command("supervise")
def tasks_supervise_cmd(
    code: Annotated[str, typer.Argument(help="Task code, 一 … 十")], city: CityOpt,
    unit: Annotated[str, typer.Option(help="The unit named, pressed or held accountable")],
    kind: Annotated[str, typer.Option(help="通报, 督办 or 问责")],
    reason: Annotated[str, typer.Option(help="Why")] = "",
    on: DayOpt = None,
    due: Annotated[str | None, typer.Option(help="督办: the day to act by")] = None,
    evidence: EvidenceOpt = None,
) -> None:
    """A supervision act against a unit for a task (问责 needs a reason and evidence)."""
    from landrenew.supervision.acts import supervise

    made = supervise(state.store(), _user(), _task(city, code), unit=unit, kind=kind,
                     reason=reason, on=parse_day(on, "on"), due_on=parse_day(due, "due"),
                     evidence=_evidence(evidence))
    due_text = f", due {made['due_on']}" if made["due_on"] else ""
    console.print(f"task {code}: {made['kind_name']} {made['unit']} on {made['acted_on']}"
                  f"{due_text}")


@tasks_app.command("target")
def tasks_target_cmd(
    code: Annotated[str, typer.Argument(help="Task code, 一 … 十")], city: CityOpt,
    year: Annotated[int, typer.Option(help="Year")],
    target: Annotated[str, typer.Option(help="The year's target")],
    reason: Annotated[str | None, typer.Option(help="Why (required to revise)")] = None,
) -> None:
    """Set or revise a task's target for a year."""
    from landrenew.supervision.targets import set_target

    made = set_target(state.store(), _user(), _task(city, code), year=year, target=target,
                      reason=reason)
    console.print(f"task {code} {made['year']}: revision {made['revision']}")


# ------------------------------------------------------------------ reports

OutputOpt = Annotated[Path, typer.Option("--output", "-o", help="FILE.docx, .pdf or .xlsx")]


def _write(inputs: dict[str, Any], output: Path) -> None:
    from landrenew.supervision.render import render

    output.write_bytes(render(inputs, output.suffix))
    console.print(f"{inputs['title']}（截至{inputs['as_of']}）written to {output}")


@report_app.command("half-year")
def half_year_cmd(period: Annotated[str, typer.Argument(help="Half-year, e.g. 2025H1")],
                  city: CityOpt, output: OutputOpt,
                  file: Annotated[bool, typer.Option(
                      "--file", help="Keep and file the report (then frozen)")] = False) -> None:
    """The half-year report as of the period's last day (a filed one as it was filed)."""
    from landrenew.supervision import report

    store, user = state.store(), _user()
    if file:
        made = report.make_report(store, user, city, "half_year", period=period)
        report.file_report(store, user, made["id"])
    _write(report.report_inputs(store, user, city, "half_year", period=period), output)


@report_app.command("evaluation")
def evaluation_cmd(
    kind: Annotated[str, typer.Argument(help="mid-term or final")], city: CityOpt,
    as_of: Annotated[str, typer.Option("--as-of", help="The evaluation's day (in its window)")],
    output: OutputOpt,
    sections: Annotated[Path | None, typer.Option(
        help="YAML of the sections: experience, problems, recommendations, cases")] = None,
    file: Annotated[bool, typer.Option("--file", help="Keep and file the report")] = False,
) -> None:
    """The mid-term or final evaluation report as of a day in its window."""
    import yaml

    from landrenew.supervision import report

    day = parse_day(as_of, "as-of")
    texts = yaml.safe_load(sections.read_text("utf-8")) if sections else None
    if texts is not None and not isinstance(texts, dict):
        raise InputError("the sections file is a mapping of section to text",
                         file=str(sections))
    store, user = state.store(), _user()
    if file:
        made = report.make_report(store, user, city, kind, as_of=day, sections=texts)
        report.file_report(store, user, made["id"])
    _write(report.report_inputs(store, user, city, kind, as_of=day, sections=texts), output)


def register(app: typer.Typer) -> None:
    app.add_typer(programme_app, name="programme")
    app.add_typer(tasks_app, name="tasks")
    app.add_typer(report_app, name="report")
