"""Programme supervision as services (任务督办): the programme's units and tasks created from its
pack, each unit's progress with evidence, and completions; a task read with everything kept on
it. Supervision acts and the overdue list are in :mod:`~landrenew.supervision.acts`, yearly
targets, milestones and the calendar in :mod:`~landrenew.supervision.targets`, the district GDP
figures in :mod:`~landrenew.supervision.figures`. Every write is audited; a task's every change
writes a version.

Who may do what: administrators and city staff run the programme (``init``, completions,
supervision acts, targets, figures); a user reports progress only for a unit they belong to that
is lead or responsible for the task (district staff also for their district's government);
everyone signed in reads the tasks. Functions take (store, principal, plain values).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from landrenew.core import audit, places
from landrenew.core.access import Principal, require_admin, require_write
from landrenew.core.clock import city_today
from landrenew.core.errors import InputError, NotFound, PermissionDenied
from landrenew.core.evidence import check_not_future
from landrenew.core.store import Store, utcnow
from landrenew.core.store.models import (
    ProgrammeMember,
    ProgrammeProgress,
    ProgrammeTarget,
    ProgrammeTask,
    ProgrammeTaskVersion,
    ProgrammeUnit,
    SupervisionAct,
)
from landrenew.supervision import rules
from landrenew.supervision.common import (
    act_record,
    check_day,
    city_of,
    clean_text,
    load_task,
    pack_for,
    progress_record,
    read_evidence,
    require_runner,
    target_record,
    task_record,
)
from landrenew.supervision.packs import KIND, ProgrammePack


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
    require_runner(user)
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
    member = clean_text(member, "user", required=True) or ""
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


def get_task(store: Store, user: Principal, task_id: int, *, on: dt.date | None = None
             ) -> dict[str, Any]:
    """A task with its status on ``on``, every progress report, supervision act, yearly target
    (revisions included), the years without a target, and its versions."""
    on = check_day(on or city_today())
    store.ensure_current()
    with store.read_session() as session:
        t = load_task(session, task_id)
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
    words = clean_text(text, "text", required=True) or ""
    files = read_evidence(evidence)
    now = utcnow()
    with store.session() as session:
        t = load_task(session, task_id)
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
    require_runner(user)
    check_not_future(check_day(on), "on")
    files = read_evidence(evidence)
    words = clean_text(note, "note", required=False)
    now = utcnow()
    with store.session() as session:
        t = load_task(session, task_id)
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


def programme_cities(user: Principal) -> list[tuple[str, str]]:
    """The cities with a programme pack (code, name); a district user's city first."""
    from landrenew.core import packs as rule_packs

    found: dict[str, str] = {}
    for info in rule_packs.registry().all(KIND):
        code = places.city_of(info.jurisdiction)
        found.setdefault(code, info.header.jurisdiction.name)
    mine = {places.city_of(d) for d in user.districts}
    return sorted(found.items(), key=lambda c: (c[0] not in mine, c[0]))
