"""What the programme aims at and by when: a task's yearly targets and their revisions (修正目标),
the dated milestones checked against the project library as its history stood, and the
programme's calendar (periods, half-years, deadlines)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select

from landrenew.core import audit
from landrenew.core.access import Principal
from landrenew.core.clock import city_today
from landrenew.core.errors import InputError
from landrenew.core.store import Store, utcnow
from landrenew.core.store.models import ProgrammeTarget, ProjectVersion
from landrenew.core.store.versions import as_of_cutoff
from landrenew.supervision import rules
from landrenew.supervision.common import (
    check_day,
    clean_text,
    in_city,
    load_task,
    pack_for,
    require_runner,
    target_record,
)


def set_target(store: Store, user: Principal, task_id: int, *, year: int, target: str,
               reason: str | None = None) -> dict[str, Any]:
    """A task's target for a year; revising one (修正目标) needs the reason."""
    require_runner(user)
    words = clean_text(target, "target", required=True) or ""
    why = clean_text(reason, "reason", required=False)
    with store.session() as session:
        t = load_task(session, task_id)
        pack = pack_for(t.city_code, t.deadline)
        years = rules.target_years(pack.periods["implementation"].start, t.deadline)
        if year not in years:
            raise InputError(f"task {t.code} spans {years[0]}–{years[-1]}; {year} is outside it",
                             field="year")
        last = session.scalar(select(func.max(ProgrammeTarget.revision)).where(
            ProgrammeTarget.task_id == t.id, ProgrammeTarget.year == year)) or 0
        if last and not why:
            raise InputError(f"the {year} target of task {t.code} is set; give the reason for "
                             "revising it", field="reason")
        row = ProgrammeTarget(task_id=t.id, year=year, target=words, revision=last + 1,
                              reason=why, recorded_by=user.name, recorded_at=utcnow())
        session.add(row)
        session.flush()
        record = target_record(row)
        audit.record(session, actor=user.name, action="insert", entity_type="programme_target",
                     entity_id=str(row.id), reason=why, after=record)
    return record


def projects_as_of(store: Store, city: str, day: dt.date) -> list[dict[str, Any]]:
    """The project library of a city as it stood at the end of ``day`` (each project's last
    version recorded by then)."""
    cutoff = as_of_cutoff(day)
    with store.read_session() as session:
        latest = (select(ProjectVersion.project_id, func.max(ProjectVersion.version).label("v"))
                  .where(ProjectVersion.at < cutoff).group_by(ProjectVersion.project_id)
                  .subquery())
        records = session.scalars(select(ProjectVersion.record).join(
            latest, (latest.c.project_id == ProjectVersion.project_id)
            & (latest.c.v == ProjectVersion.version)).order_by(ProjectVersion.project_id))
        return [r for r in records if in_city(r.get("district_code"), city)]


def milestones(store: Store, user: Principal, city: str, *, on: dt.date | None = None
               ) -> list[dict[str, Any]]:
    """Each milestone with the districts behind it: checked on its due day once it has passed
    (``due``), else on ``on`` as a warning (``pending``)."""
    on = check_day(on or city_today())
    pack = pack_for(city, on)
    districts = [d.code for d in pack.districts]
    names = {d.code: d.unit for d in pack.districts}
    out = []
    for m in pack.milestones:
        day = min(on, m.due)
        behind = rules.milestone_behind(m, projects_as_of(store, pack.city_code, day),
                                        districts)
        for b in behind:
            b["unit"] = names[b["district_code"]]
        out.append({"code": m.code, "task": m.task, "title": m.title, "due": m.due,
                    "clause": m.clause, "state": "due" if on >= m.due else "pending",
                    "checked_on": day, "behind": behind})
    return out


def calendar(city: str, on: dt.date | None = None) -> dict[str, Any]:
    """The programme's periods and half-years, with the one ``on`` falls in."""
    on = check_day(on or city_today())
    pack = pack_for(city, on)
    return {"on": on, "current": rules.period_on(pack, on),
            "periods": [{"code": k, "name": p.name, "start": p.start, "end": p.end,
                         "clause": p.clause, "current": p.start <= on <= p.end}
                        for k, p in pack.periods.items()],
            "half_years": [{"code": h.code, "name": h.name, "start": h.start, "end": h.end,
                            "due": rules.report_due(pack, h)} for h in rules.half_years(pack)],
            "deadlines": sorted(({"code": t.code, "title": t.title, "deadline": t.deadline}
                                 for t in pack.tasks), key=lambda x: x["deadline"])}
