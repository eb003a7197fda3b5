"""Programme supervision as services (任务督办): the programme's units and tasks created from its
pack, each unit's progress with evidence, completions, supervision acts (通报/督办/问责), yearly
targets and their revisions, the overdue list worst first, the milestones checked against the
project library, and the district GDP figures. Every write is audited; a task's every change
writes a version.

Who may do what: administrators and city staff run the programme (``init``, completions,
supervision acts, targets, figures); a user reports progress only for a unit they belong to that
is lead or responsible for the task (district staff also for their district's government);
everyone signed in reads the tasks. Functions take (store, principal, plain values).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from landrenew.core import audit, places
from landrenew.core.access import Principal, require_admin, require_write
from landrenew.core.clock import city_today
from landrenew.core.errors import InputError, NotFound, PermissionDenied
from landrenew.core.evidence import check_not_future, is_sha256
from landrenew.core.store import Store, utcnow
from landrenew.core.store.models import (
    DistrictFigure,
    ProgrammeMember,
    ProgrammeProgress,
    ProgrammeTarget,
    ProgrammeTask,
    ProgrammeTaskVersion,
    ProgrammeUnit,
    ProjectVersion,
    SupervisionAct,
)
from landrenew.core.store.versions import as_of_cutoff
from landrenew.supervision import rules
from landrenew.supervision.packs import ProgrammePack, programme_pack

MAX_TEXT = 4000


def city_of(code: str) -> str:
    """The city a code names (a district code gives its city)."""
    places.check_code(code, "city")
    return places.city_of(code)


def pack_for(city: str, on: dt.date | None = None) -> ProgrammePack:
    return programme_pack(city_of(city), check_day(on or city_today()))


def check_day(day: dt.date, field: str = "on") -> dt.date:
    """A day the programme can be asked about (years 1900–2999)."""
    if not 1900 <= day.year <= 2999:
        raise InputError(f"{field} {day} is not a day between 1900 and 2999", field=field)
    return day


def _require_runner(user: Principal) -> None:
    """Running the programme (init, completion, supervision, targets) is the city's: admin or
    city staff."""
    require_write(user)
    if user.role not in ("admin", "city_staff"):
        raise PermissionDenied("only the city bureau runs the programme (administrators and "
                               "city staff)", field="role")


def _text(value: str | None, field: str, *, required: bool) -> str | None:
    text = (value or "").strip()
    if required and not text:
        raise InputError(f"{field} is required", field=field)
    if len(text) > MAX_TEXT:
        raise InputError(f"{field} is longer than {MAX_TEXT} characters", field=field)
    return text or None


def read_evidence(items: Iterable[Mapping[str, Any]] | None, field: str = "evidence"
                  ) -> list[dict[str, str]]:
    """Evidence files as ``{name, sha256}`` (the file itself is kept by whoever holds it; the
    hash proves which one)."""
    out = []
    for item in items or []:
        name = str(item.get("name") or "").strip()
        digest = str(item.get("sha256") or "").strip().lower()
        if not name:
            raise InputError("every evidence file needs its name", field=field)
        if not is_sha256(digest):
            raise InputError(f"{field} sha256 must be 64 hex digits", field=field)
        out.append({"name": name, "sha256": digest})
    return out


# ------------------------------------------------------------------ records

def task_record(t: ProgrammeTask) -> dict[str, Any]:
    return {"id": t.id, "city_code": t.city_code, "code": t.code, "title": t.title,
            "clause": t.clause, "pack": t.pack, "pack_version": t.pack_version,
            "deadline": t.deadline, "lead_units": list(t.lead_units),
            "responsible_units": list(t.responsible_units), "done_on": t.done_on,
            "done_evidence": list(t.done_evidence or []), "done_note": t.done_note,
            "version": t.version}


def _status_of(pack: ProgrammePack, rec: Mapping[str, Any], on: dt.date) -> dict[str, Any]:
    deadline = _day(rec["deadline"])
    assert deadline is not None
    done_on = _day(rec.get("done_on"))
    on_time = pack.number("deadline_day_on_time").flag
    status = rules.task_status(deadline, done_on, on, deadline_day_on_time=on_time)
    return {"status": status, "status_name": rules.STATUSES[status],
            "days_overdue": rules.days_overdue(deadline, done_on, on)
            if status in ("overdue", "done_late") else 0}


def _day(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _task(session: Session, task_id: int) -> ProgrammeTask:
    task = session.get(ProgrammeTask, task_id)
    if task is None:
        raise NotFound(f"no task {task_id}", field="task")
    return task


def find_task(store: Store, city: str, code: str) -> int:
    """The id of a task named by its code (一 … 十) in a city."""
    with store.read_session() as session:
        found = session.scalar(select(ProgrammeTask.id).where(
            ProgrammeTask.city_code == city_of(city), ProgrammeTask.code == code.strip()))
    if found is None:
        raise NotFound(f"no task '{code}' in {city} (run `landrenew programme init`)",
                       field="code")
    return found


def _write_version(session: Session, task: ProgrammeTask, user: Principal,
                   reason: str | None, before: Any, now: dt.datetime) -> None:
    record = task_record(task)
    session.add(ProgrammeTaskVersion(task_id=task.id, version=task.version,
                                     record=audit.jsonable(record), changed_by=user.name,
                                     reason=reason, at=now))
    audit.record(session, actor=user.name, action="update" if before else "insert",
                 entity_type="programme_task", entity_id=str(task.id), reason=reason,
                 before=before, after=record)


# ------------------------------------------------------------------ the programme

def init_programme(store: Store, user: Principal, city: str, *, on: dt.date | None = None
                   ) -> dict[str, Any]:
    """Create the city's units and tasks from its programme pack; those already there are left
    as they are (idempotent). The tasks belong to the programme's whole period."""
    _require_runner(user)
    store.ensure_current()
    pack = pack_for(city, on)
    now = utcnow()
    made_units, made_tasks = [], []
    with store.session() as session:
        have = set(session.scalars(select(ProgrammeUnit.name).where(
            ProgrammeUnit.city_code == pack.city_code)))
        for name in pack.units():
            if name in have:
                continue
            district = pack.district_of(name)
            kind = "committee" if name == pack.committee else "district" if district else "city"
            session.add(ProgrammeUnit(city_code=pack.city_code, name=name, kind=kind,
                                      district_code=district, created_at=now,
                                      created_by=user.name))
            made_units.append(name)
        tasks = set(session.scalars(select(ProgrammeTask.code).where(
            ProgrammeTask.city_code == pack.city_code)))
        for rule in pack.tasks:
            if rule.code in tasks:
                continue
            task = ProgrammeTask(
                city_code=pack.city_code, code=rule.code, title=rule.title, clause=rule.clause,
                pack=pack.id, pack_version=pack.version, deadline=rule.deadline,
                lead_units=list(pack.expand(rule.lead_units)),
                responsible_units=list(pack.expand(rule.responsible_units)), version=1,
                created_at=now, created_by=user.name, updated_at=now)
            session.add(task)
            session.flush()
            _write_version(session, task, user, f"{pack.label} programme init", None, now)
            made_tasks.append(rule.code)
        if made_units:
            audit.record(session, actor=user.name, action="insert", entity_type="programme_unit",
                         entity_id=pack.city_code, reason=f"{pack.label} programme init",
                         after={"units": made_units})
    return {"city_code": pack.city_code, "pack": pack.id, "pack_version": pack.version,
            "units_created": made_units, "tasks_created": made_tasks,
            "units": len(pack.units()), "tasks": len(pack.tasks)}


def list_units(store: Store, city: str) -> list[dict[str, Any]]:
    with store.read_session() as session:
        units = session.scalars(select(ProgrammeUnit).where(
            ProgrammeUnit.city_code == city_of(city)).order_by(ProgrammeUnit.id)).all()
        members: dict[int, list[str]] = {}
        for m in session.scalars(select(ProgrammeMember).order_by(ProgrammeMember.user_name)):
            members.setdefault(m.unit_id, []).append(m.user_name)
        return [{"id": u.id, "name": u.name, "kind": u.kind, "district_code": u.district_code,
                 "members": members.get(u.id, [])} for u in units]


def _unit(session: Session, city: str, name: str) -> ProgrammeUnit:
    unit = session.scalar(select(ProgrammeUnit).where(ProgrammeUnit.city_code == city,
                                                      ProgrammeUnit.name == name.strip()))
    if unit is None:
        raise NotFound(f"no unit '{name}' in the programme of {city}", field="unit")
    return unit


def add_member(store: Store, user: Principal, city: str, unit: str, member: str
               ) -> dict[str, Any]:
    """Put a user in a unit (administrators only)."""
    require_admin(user)
    member = _text(member, "user", required=True) or ""
    now = utcnow()
    with store.session() as session:
        u = _unit(session, city_of(city), unit)
        unit_name = u.name
        exists = session.scalar(select(ProgrammeMember.id).where(
            ProgrammeMember.unit_id == u.id, ProgrammeMember.user_name == member))
        if exists is None:
            session.add(ProgrammeMember(unit_id=u.id, user_name=member, added_at=now,
                                        added_by=user.name))
            audit.record(session, actor=user.name, action="insert",
                         entity_type="programme_member", entity_id=str(u.id),
                         after={"unit": u.name, "user": member})
    return {"unit": unit_name, "user": member, "added": exists is None}


def units_of(session: Session, user: Principal, city: str) -> list[str]:
    """The units a user acts for: those they belong to, and (district staff) the governments of
    their districts."""
    names = list(session.scalars(
        select(ProgrammeUnit.name).join(ProgrammeMember, ProgrammeMember.unit_id ==
                                        ProgrammeUnit.id)
        .where(ProgrammeMember.user_name == user.name, ProgrammeUnit.city_code == city)))
    if user.role == "district_staff" and user.districts:
        names += [n for n in session.scalars(select(ProgrammeUnit.name).where(
            ProgrammeUnit.city_code == city,
            ProgrammeUnit.district_code.in_(user.districts))) if n not in names]
    return names


# ------------------------------------------------------------------ reading tasks

def list_tasks(store: Store, user: Principal, city: str, *, on: dt.date | None = None,
               unit: str | None = None, status: str | None = None) -> list[dict[str, Any]]:
    """Each task as ``{code, title, lead_units, responsible_units, deadline, status, done_on}``
    (and its id, days overdue, last progress) on ``on`` (default today); ``unit`` keeps the
    tasks that unit leads or is responsible for; ``status`` one status."""
    on = check_day(on or city_today())
    if status is not None and status not in rules.STATUSES:
        raise InputError(f"status '{status}' is not one of {', '.join(rules.STATUSES)}",
                         field="status")
    city = city_of(city)
    pack = pack_for(city, on)
    store.ensure_current()
    with store.read_session() as session:
        tasks = session.scalars(select(ProgrammeTask).where(ProgrammeTask.city_code == city)
                                .order_by(ProgrammeTask.id)).all()
        last = _last_progress(session, [t.id for t in tasks], on)
        out = []
        for t in tasks:
            rec = task_record(t)
            if unit and unit not in (*rec["lead_units"], *rec["responsible_units"]):
                continue
            if rec["done_on"] is not None and rec["done_on"] > on:
                # done after the day asked about: not yet done that day
                rec.update(done_on=None, done_evidence=[], done_note=None)
            rec.update(_status_of(pack, rec, on))
            rec["last_progress"] = last.get(t.id)
            if status is None or rec["status"] == status:
                out.append(rec)
    return out


def _last_progress(session: Session, ids: Sequence[int], on: dt.date
                   ) -> dict[int, dict[str, Any]]:
    out: dict[int, dict[str, Any]] = {}
    if not ids:
        return out
    rows = session.scalars(select(ProgrammeProgress).where(
        ProgrammeProgress.task_id.in_(ids), ProgrammeProgress.reported_on <= on)
        .order_by(ProgrammeProgress.reported_on, ProgrammeProgress.id))
    for p in rows:
        out[p.task_id] = progress_record(p)
    return out


def progress_record(p: ProgrammeProgress) -> dict[str, Any]:
    return {"id": p.id, "task_id": p.task_id, "unit": p.unit, "reported_on": p.reported_on,
            "percent": p.percent, "text": p.text, "evidence": list(p.evidence or []),
            "recorded_by": p.recorded_by, "recorded_at": p.recorded_at}


def act_record(a: SupervisionAct) -> dict[str, Any]:
    return {"id": a.id, "task_id": a.task_id, "unit": a.unit, "kind": a.kind,
            "kind_name": rules.ACT_NAMES[a.kind], "reason": a.reason,
            "evidence": list(a.evidence or []), "acted_on": a.acted_on, "due_on": a.due_on,
            "recorded_by": a.recorded_by, "recorded_at": a.recorded_at}


def get_task(store: Store, user: Principal, task_id: int, *, on: dt.date | None = None
             ) -> dict[str, Any]:
    """A task with its status on ``on``, every progress report, supervision act, yearly target
    (revisions included), the years without a target, and its versions."""
    on = check_day(on or city_today())
    store.ensure_current()
    with store.read_session() as session:
        t = _task(session, task_id)
        pack = pack_for(t.city_code, on)
        rec = task_record(t)
        rec.update(_status_of(pack, rec, on))
        rec["progress"] = [progress_record(p) for p in session.scalars(
            select(ProgrammeProgress).where(ProgrammeProgress.task_id == t.id)
            .order_by(ProgrammeProgress.reported_on.desc(), ProgrammeProgress.id.desc()))]
        rec["acts"] = [act_record(a) for a in session.scalars(
            select(SupervisionAct).where(SupervisionAct.task_id == t.id)
            .order_by(SupervisionAct.acted_on.desc(), SupervisionAct.id.desc()))]
        targets = session.scalars(select(ProgrammeTarget).where(ProgrammeTarget.task_id == t.id)
                                  .order_by(ProgrammeTarget.year, ProgrammeTarget.revision))
        rec["targets"] = [target_record(x) for x in targets]
        start = pack.periods["implementation"].start
        rec["target_years"] = rules.target_years(start, t.deadline)
        rec["missing_target_years"] = rules.missing_target_years(
            start, t.deadline, (x["year"] for x in rec["targets"]))
        rec["versions"] = [{"version": v.version, "changed_by": v.changed_by,
                            "reason": v.reason, "at": v.at, "record": v.record}
                           for v in session.scalars(select(ProgrammeTaskVersion).where(
                               ProgrammeTaskVersion.task_id == t.id)
                               .order_by(ProgrammeTaskVersion.version))]
        rec["my_units"] = [u for u in units_of(session, user, t.city_code)
                           if u in (*rec["lead_units"], *rec["responsible_units"])]
    return rec


def target_record(x: ProgrammeTarget) -> dict[str, Any]:
    return {"id": x.id, "year": x.year, "target": x.target, "revision": x.revision,
            "reason": x.reason, "recorded_by": x.recorded_by, "recorded_at": x.recorded_at}


# ------------------------------------------------------------------ writing

def report_progress(store: Store, user: Principal, task_id: int, *, percent: int, text: str,
                    unit: str | None = None, on: dt.date | None = None,
                    evidence: Iterable[Mapping[str, Any]] | None = None) -> dict[str, Any]:
    """A unit's progress on a task: only for a unit the user acts for that is lead or
    responsible for it (an administrator names any such unit)."""
    require_write(user)
    on = check_day(on or city_today())
    check_not_future(on, "on")
    if not isinstance(percent, int) or isinstance(percent, bool) or not 0 <= percent <= 100:
        raise InputError("percent must be a whole number from 0 to 100", field="percent")
    words = _text(text, "text", required=True) or ""
    files = read_evidence(evidence)
    now = utcnow()
    with store.session() as session:
        t = _task(session, task_id)
        units = (*t.lead_units, *t.responsible_units)
        mine = [u for u in units_of(session, user, t.city_code) if u in units]
        if unit is not None and unit not in units:
            raise InputError(f"unit '{unit}' is neither lead nor responsible for task {t.code}",
                             field="unit")
        if not user.is_admin:
            if not mine:
                raise PermissionDenied(f"your unit is neither lead nor responsible for task "
                                       f"{t.code}", field="unit")
            if unit is not None and unit not in mine:
                raise PermissionDenied(f"you do not act for unit '{unit}'", field="unit")
        chosen = unit or (mine[0] if mine else None)
        if chosen is None:
            raise InputError("name the unit the progress is reported for", field="unit")
        row = ProgrammeProgress(task_id=t.id, unit=chosen, reported_on=on, percent=percent,
                                text=words, evidence=files, recorded_by=user.name,
                                recorded_at=now)
        session.add(row)
        session.flush()
        record = progress_record(row)
        audit.record(session, actor=user.name, action="insert", entity_type="programme_progress",
                     entity_id=str(row.id), after=record)
    return record


def complete_task(store: Store, user: Principal, task_id: int, *, on: dt.date,
                  evidence: Iterable[Mapping[str, Any]] | None = None,
                  note: str | None = None) -> dict[str, Any]:
    """Record a task done on ``on`` with its evidence; a change of the day needs a note (the
    reason), the former record kept as a version."""
    _require_runner(user)
    check_not_future(check_day(on), "on")
    files = read_evidence(evidence)
    words = _text(note, "note", required=False)
    now = utcnow()
    with store.session() as session:
        t = _task(session, task_id)
        if t.done_on is not None and not words:
            raise InputError(f"task {t.code} was recorded done on {t.done_on}; give the reason "
                             "for changing it (note)", field="note")
        before = task_record(t)
        t.done_on, t.done_evidence, t.done_note = on, files, words
        t.version += 1
        t.updated_at = now
        session.flush()
        _write_version(session, t, user, words or "completed", before, now)
        record = task_record(t)
    return record


def supervise(store: Store, user: Principal, task_id: int, *, unit: str, kind: str,
              reason: str | None, on: dt.date | None = None, due_on: dt.date | None = None,
              evidence: Iterable[Mapping[str, Any]] | None = None) -> dict[str, Any]:
    """A supervision act against a unit of a task: 通报, 督办 (due day: given, else the pack's
    default days later) or 问责 (refused without a reason and evidence)."""
    _require_runner(user)
    code = rules.act_code(kind)
    on = on or city_today()
    check_not_future(on, "on")
    files = read_evidence(evidence)
    words = _text(reason, "reason", required=True) or ""
    with store.session() as session:
        t = _task(session, task_id)
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


def set_target(store: Store, user: Principal, task_id: int, *, year: int, target: str,
               reason: str | None = None) -> dict[str, Any]:
    """A task's target for a year; revising one (修正目标) needs the reason."""
    _require_runner(user)
    words = _text(target, "target", required=True) or ""
    why = _text(reason, "reason", required=False)
    with store.session() as session:
        t = _task(session, task_id)
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


# ------------------------------------------------------------------ supervision views

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
        return [r for r in records if _in_city(r.get("district_code"), city)]


def _in_city(code: str | None, city: str) -> bool:
    try:
        return bool(code) and places.city_of(str(code)) == city
    except InputError:
        return False


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


# ------------------------------------------------------------------ district figures

FIGURE_COLUMNS = {"district_code": ("district_code", "行政区代码"), "year": ("year", "年份"),
                  "gdp_10k_yuan": ("gdp_10k_yuan", "GDP(万元)", "地区生产总值(万元)"),
                  "construction_land_mu": ("construction_land_mu", "建设用地面积(亩)")}


def import_figures(store: Store, user: Principal, city: str, rows: Sequence[Mapping[str, Any]],
                   *, source: str | None = None) -> dict[str, Any]:
    """District GDP (万元) and construction-land area (亩) by year; every row checked first,
    nothing kept when one is wrong (422 naming the row and column)."""
    _require_runner(user)
    city = city_of(city)
    clean = []
    for i, row in enumerate(rows, start=2):
        values: dict[str, Any] = {}
        for key, names in FIGURE_COLUMNS.items():
            raw = next((row[n] for n in names if n in row and row[n] not in (None, "")), None)
            if raw is None:
                raise InputError(f"row {i}: {key} is missing", field=key)
            values[key] = raw
        code = str(values["district_code"]).strip().split(".")[0]
        if not _in_city(code, city) or places.level(code) != "district":
            raise InputError(f"row {i}: district_code '{code}' is not a district of {city}",
                             field="district_code")
        try:
            year = int(str(values["year"]).strip().split(".")[0])
            gdp = Decimal(str(values["gdp_10k_yuan"]).replace(",", "").strip())
            land = Decimal(str(values["construction_land_mu"]).replace(",", "").strip())
        except (ValueError, InvalidOperation):
            raise InputError(f"row {i}: year, gdp_10k_yuan and construction_land_mu must be "
                             "numbers", field="year") from None
        if gdp <= 0 or land <= 0:
            raise InputError(f"row {i}: GDP and construction land must be above 0",
                             field="gdp_10k_yuan")
        clean.append((code, year, gdp, land))
    now = utcnow()
    with store.session() as session:
        for code, year, gdp, land in clean:
            session.add(DistrictFigure(city_code=city, district_code=code, year=year,
                                       gdp_10k_yuan=gdp, construction_land_mu=land,
                                       source=source, recorded_by=user.name, recorded_at=now))
        audit.record(session, actor=user.name, action="import", entity_type="district_figures",
                     entity_id=city, reason=source, after={"rows": len(clean)})
    return {"city_code": city, "rows": len(clean)}


def land_per_gdp(store: Store, city: str, *, known_at: dt.datetime | None = None
                 ) -> list[dict[str, Any]]:
    """单位GDP建设用地使用面积 (亩/万元 GDP, shown per 亿元) by district and year, with the change
    from the year before — the latest figures known at ``known_at``."""
    city = city_of(city)
    with store.read_session() as session:
        stmt = select(DistrictFigure).where(DistrictFigure.city_code == city)
        if known_at is not None:
            stmt = stmt.where(DistrictFigure.recorded_at <= known_at)
        latest: dict[tuple[str, int], DistrictFigure] = {}
        for f in session.scalars(stmt.order_by(DistrictFigure.recorded_at, DistrictFigure.id)):
            latest[(f.district_code, f.year)] = f
    out = []
    for (code, year), f in sorted(latest.items()):
        per = (f.construction_land_mu / f.gdp_10k_yuan * 10000).quantize(Decimal("0.01"))
        prev = latest.get((code, year - 1))
        before = ((prev.construction_land_mu / prev.gdp_10k_yuan * 10000).quantize(
            Decimal("0.01")) if prev else None)
        out.append({"district_code": code, "district": places.place_name(code), "year": year,
                    "gdp_10k_yuan": f.gdp_10k_yuan,
                    "construction_land_mu": f.construction_land_mu,
                    "mu_per_100m_yuan": per,
                    "change": (per - before) if before is not None else None,
                    "change_ratio": ((per - before) / before).quantize(Decimal("0.0001"))
                    if before else None})
    return out
