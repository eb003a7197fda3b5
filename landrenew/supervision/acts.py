"""Supervision acts (通报/督办/问责) against the units of a task, and the overdue list: the units
with overdue or late tasks, worst first, each with the acts against it. Only the city bureau
(administrators and city staff) acts; every act is audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select

from landrenew.core import audit
from landrenew.core.access import Principal
from landrenew.core.clock import city_today
from landrenew.core.errors import InputError
from landrenew.core.evidence import check_not_future
from landrenew.core.store import Store, utcnow
from landrenew.core.store.models import ProgrammeTask, SupervisionAct
from landrenew.supervision import rules
from landrenew.supervision.common import (
    act_record,
    check_day,
    city_of,
    clean_text,
    load_task,
    pack_for,
    read_evidence,
    require_runner,
)
from landrenew.supervision.service import list_tasks


def supervise(store: Store, user: Principal, task_id: int, *, unit: str, kind: str,
              reason: str | None, on: dt.date | None = None, due_on: dt.date | None = None,
              evidence: Iterable[Mapping[str, Any]] | None = None) -> dict[str, Any]:
    """A supervision act against a unit of a task: 通报, 督办 (due day: given, else the pack's
    default days later) or 问责 (refused without a reason and evidence)."""
    require_runner(user)
    code = rules.act_code(kind)
    on = on or city_today()
    check_not_future(on, "on")
    files = read_evidence(evidence)
    words = clean_text(reason, "reason", required=True) or ""
    with store.session() as session:
        t = load_task(session, task_id)
        pack = pack_for(t.city_code, on)
        act = pack.act(code)
        if act.needs_evidence and not files:
            raise InputError(f"{act.name} needs its evidence ({act.clause})", field="evidence")
        if unit not in (*t.lead_units, *t.responsible_units):
            raise InputError(f"unit '{unit}' is neither lead nor responsible for task {t.code}",
                             field="unit")
        if act.needs_due and due_on is None:
            due_on = on + dt.timedelta(days=int(pack.number("press_default_days").value))
        if due_on is not None and due_on < on:
            raise InputError(f"due_on {due_on} is before the act's day {on}", field="due_on")
        row = SupervisionAct(task_id=t.id, unit=unit, kind=code, reason=words, evidence=files,
                             acted_on=on, due_on=due_on if act.needs_due else None,
                             recorded_by=user.name, recorded_at=utcnow())
        session.add(row)
        session.flush()
        record = act_record(row)
        audit.record(session, actor=user.name, action="insert", entity_type="supervision_act",
                     entity_id=str(row.id), reason=words, after=record)
    return record


def list_acts(store: Store, user: Principal, city: str, *, on: dt.date | None = None
              ) -> list[dict[str, Any]]:
    on = check_day(on or city_today())
    with store.read_session() as session:
        rows = session.execute(
            select(SupervisionAct, ProgrammeTask.code, ProgrammeTask.title)
            .join(ProgrammeTask, ProgrammeTask.id == SupervisionAct.task_id)
            .where(ProgrammeTask.city_code == city_of(city), SupervisionAct.acted_on <= on)
            .order_by(SupervisionAct.acted_on.desc(), SupervisionAct.id.desc())).all()
        return [{**act_record(a), "task_code": code, "task_title": title}
                for a, code, title in rows]


def overdue(store: Store, user: Principal, city: str, *, on: dt.date | None = None
            ) -> list[dict[str, Any]]:
    """The units with overdue (or late) tasks, worst first, with the acts against each."""
    on = on or city_today()
    rows = []
    for task in list_tasks(store, user, city, on=on):
        for unit in dict.fromkeys((*task["lead_units"], *task["responsible_units"])):
            rows.append({"unit": unit, "status": task["status"], "task_code": task["code"],
                         "days_overdue": task["days_overdue"]})
    ranked = rules.laggards(rows)
    acts = list_acts(store, user, city, on=on)
    for entry in ranked:
        entry["acts"] = [a for a in acts if a["unit"] == entry["unit"]]
    return ranked
