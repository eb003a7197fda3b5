"""The pure rules of programme supervision: a task's status on a day, the half-year reporting
periods and when a report is late, the years a task's targets must cover, the milestones checked
against the project library, the laggards named worst first, and the evaluation windows.

Nothing here reads the store: every function takes plain values and returns plain values.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from landrenew.core.errors import Conflict, InputError
from landrenew.supervision.packs import STAGE_ORDER, Milestone, ProgrammePack

#: A task's status on a day, in Chinese.
STATUSES: dict[str, str] = {"open": "进行中", "done_on_time": "按期完成",
                            "done_late": "逾期完成", "overdue": "逾期未完成"}
#: The supervision acts in Chinese, by code; :data:`ACT_CODES` reads either name.
ACT_NAMES: dict[str, str] = {"notice": "通报", "press": "督办", "accountability": "问责"}
ACT_CODES: dict[str, str] = {**{v: k for k, v in ACT_NAMES.items()}, **{k: k for k in ACT_NAMES}}
#: The two evaluations (评估) and the period of the pack that is each one's window.
EVALUATIONS: dict[str, str] = {"mid-term": "mid_term", "final": "final"}
EVALUATION_NAMES: dict[str, str] = {"mid-term": "中期评估", "final": "总结评估"}
_HALF = re.compile(r"^(\d{4})\s*H([12])$", re.IGNORECASE)


class OutsideWindow(Conflict):
    """409 ``outside_window``: an evaluation asked for a day outside its window."""

    code = "outside_window"


def task_status(deadline: dt.date, done_on: dt.date | None, on: dt.date, *,
                deadline_day_on_time: bool = True) -> str:
    """The status of a task on ``on``: ``done_on_time`` or ``done_late`` once done (a completion
    dated after ``on`` is not yet known that day), else ``overdue`` after the deadline, else
    ``open``. "……前" reads as "by": the deadline day itself is on time."""
    def late(day: dt.date) -> bool:
        return day > deadline if deadline_day_on_time else day >= deadline

    if done_on is not None and done_on <= on:
        return "done_late" if late(done_on) else "done_on_time"
    return "overdue" if late(on) else "open"


def days_overdue(deadline: dt.date, done_on: dt.date | None, on: dt.date) -> int:
    """Days past the deadline on ``on`` (to the completion when done late); 0 when not late."""
    end = done_on if done_on is not None and done_on <= on else on
    return max(0, (end - deadline).days)


# ------------------------------------------------------------------ half-year reports

@dataclass(frozen=True)
class HalfYear:
    year: int
    half: int

    @property
    def code(self) -> str:
        return f"{self.year}H{self.half}"

    @property
    def name(self) -> str:
        return f"{self.year}年{'上' if self.half == 1 else '下'}半年"

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 1 if self.half == 1 else 7, 1)

    @property
    def end(self) -> dt.date:
        """The period's last day: "上半年" ends on 30 June."""
        return dt.date(self.year, 6, 30) if self.half == 1 else dt.date(self.year, 12, 31)


def parse_half_year(text: str) -> HalfYear:
    m = _HALF.match(text.strip())
    if not m:
        raise InputError(f"'{text}' is not a half-year like 2025H1", field="period")
    return HalfYear(int(m.group(1)), int(m.group(2)))


def half_years(pack: ProgrammePack) -> list[HalfYear]:
    """The reporting periods of the programme: from its first half-year (the pilot's start) to
    the half-year of its end, both included (2023H2 … 2027H2 for Jiangmen)."""
    start, end = pack.effective_from, pack.effective_to or pack.periods["final"].end
    out, y, h = [], start.year, 1 if start.month <= 6 else 2
    first = int(pack.number("first_report_year").value)
    y = max(y, first)
    while HalfYear(y, h).start <= end:
        out.append(HalfYear(y, h))
        y, h = (y, 2) if h == 1 else (y + 1, 1)
    return out


def check_half_year(pack: ProgrammePack, text: str) -> HalfYear:
    period = parse_half_year(text)
    codes = [p.code for p in half_years(pack)]
    if period.code not in codes:
        raise InputError(f"{period.code} is not a reporting period of the programme "
                         f"({codes[0]} … {codes[-1]})", field="period")
    return period


def report_due(pack: ProgrammePack, period: HalfYear) -> dt.date:
    """The last day a half-year report may be filed (the period's end plus the grace days)."""
    return period.end + dt.timedelta(days=int(pack.number("half_year_report_grace_days").value))


def missing_reports(pack: ProgrammePack, filed: Mapping[str, dt.date], on: dt.date
                    ) -> list[dict[str, Any]]:
    """The half-years whose report was not filed by its due day, as seen on ``on``
    (``filed``: the day each period's report was filed)."""
    out = []
    for period in half_years(pack):
        due = report_due(pack, period)
        if due >= on:
            continue
        day = filed.get(period.code)
        if day is None or day > due:
            out.append({"period": period.code, "name": period.name, "due": due,
                        "filed_on": day})
    return out


# ------------------------------------------------------------------ yearly targets

def target_years(start: dt.date, deadline: dt.date) -> list[int]:
    """The years a task spans, from the programme's start to its deadline ("分解到年度")."""
    return list(range(start.year, max(start.year, deadline.year) + 1))


def missing_target_years(start: dt.date, deadline: dt.date, years: Iterable[int]) -> list[int]:
    have = set(years)
    return [y for y in target_years(start, deadline) if y not in have]


# ------------------------------------------------------------------ milestones

def stage_rank(stage: str | None) -> int:
    """How far a project has gone (-1 for withdrawn or unknown)."""
    return STAGE_ORDER.index(stage) if stage in STAGE_ORDER else -1


def milestone_behind(milestone: Milestone, projects: Sequence[Mapping[str, Any]],
                     districts: Sequence[str]) -> list[dict[str, Any]]:
    """The districts behind ``milestone``: among each district's projects of the milestone's
    batch (withdrawn ones left out), fewer than ``min_count`` have reached ``min_stage``, or
    (``all``) one has not. ``projects``: records with ``district_code``, ``batch``, ``stage``
    as they stood on the milestone's day."""
    need = stage_rank(milestone.min_stage)
    out = []
    for code in districts:
        mine = [p for p in projects if p.get("district_code") == code
                and p.get("batch") == milestone.batch and p.get("stage") != "withdrawn"]
        reached = [p for p in mine if stage_rank(p.get("stage")) >= need]
        short = len(reached) < milestone.min_count or (milestone.all and len(reached) < len(mine))
        if short:
            out.append({"district_code": code, "projects": len(mine), "reached": len(reached),
                        "required": max(milestone.min_count, len(mine) if milestone.all else 0)})
    return out


# ------------------------------------------------------------------ laggards

def laggards(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The units with overdue tasks, worst first: most overdue tasks, then most days overdue,
    then the unit's name. ``rows``: one per (task, unit) with ``unit``, ``status``,
    ``days_overdue``, ``task_code``."""
    by_unit: dict[str, dict[str, Any]] = {}
    for row in rows:
        if row["status"] not in ("overdue", "done_late"):
            continue
        entry = by_unit.setdefault(row["unit"], {"unit": row["unit"], "overdue": 0,
                                                 "done_late": 0, "days_overdue": 0,
                                                 "tasks": []})
        entry[row["status"]] += 1
        entry["days_overdue"] += int(row["days_overdue"])
        entry["tasks"].append(row["task_code"])
    return sorted(by_unit.values(),
                  key=lambda e: (-e["overdue"], -e["days_overdue"], -e["done_late"], e["unit"]))


# ------------------------------------------------------------------ evaluations

def check_evaluation(pack: ProgrammePack, kind: str, as_of: dt.date) -> dt.date:
    """The day an evaluation is run as of, refused (409) outside its window."""
    if kind not in EVALUATIONS:
        raise InputError(f"evaluation '{kind}' is not one of {', '.join(EVALUATIONS)}",
                         field="kind")
    window = pack.periods[EVALUATIONS[kind]]
    if not window.start <= as_of <= window.end:
        raise OutsideWindow(f"the {kind} evaluation runs from {window.start} to {window.end}; "
                            f"{as_of} is outside it", field="as_of")
    return as_of


def period_on(pack: ProgrammePack, on: dt.date) -> str | None:
    """The programme's period ``on`` falls in (the evaluation windows before implementation,
    which overlaps the mid-term); None outside every period."""
    for name in ("mid_term", "final", "implementation"):
        p = pack.periods[name]
        if p.start <= on <= p.end:
            return name
    return None


def act_code(text: str) -> str:
    """A supervision act named in Chinese (通报/督办/问责) or by code."""
    code = ACT_CODES.get(text.strip())
    if code is None:
        raise InputError(f"kind '{text}' is not one of 通报, 督办, 问责", field="kind")
    return code
