"""What every programme use case stands on (任务督办): the city a code names and its programme
pack, the days the programme can be asked about, who runs it, the checks of free text and
evidence, and the records of a task's parts (task, progress, supervision act, yearly target)
as the services return them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy.orm import Session

from landrenew.core import places
from landrenew.core.access import Principal, require_write
from landrenew.core.clock import city_today
from landrenew.core.errors import InputError, NotFound, PermissionDenied
from landrenew.core.evidence import is_sha256
from landrenew.core.store.models import (
    ProgrammeProgress,
    ProgrammeTarget,
    ProgrammeTask,
    SupervisionAct,
)
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


def in_city(code: str | None, city: str) -> bool:
    """Whether a place code lies in ``city`` (a code that is none, or not a place, does not)."""
    try:
        return bool(code) and places.city_of(str(code)) == city
    except InputError:
        return False


def require_runner(user: Principal) -> None:
    """Running the programme (init, completion, supervision, targets) is the city's: admin or
    city staff."""
    require_write(user)
    if user.role not in ("admin", "city_staff"):
        raise PermissionDenied("only the city bureau runs the programme (administrators and "
                               "city staff)", field="role")


def clean_text(value: str | None, field: str, *, required: bool) -> str | None:
    """Free text stripped, refused when required and empty or longer than :data:`MAX_TEXT`."""
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


def load_task(session: Session, task_id: int) -> ProgrammeTask:
    """A task by its id (404 when there is none)."""
    task = session.get(ProgrammeTask, task_id)
    if task is None:
        raise NotFound(f"no task {task_id}", field="task")
    return task


# ------------------------------------------------------------------ records

def task_record(t: ProgrammeTask) -> dict[str, Any]:
    return {"id": t.id, "city_code": t.city_code, "code": t.code, "title": t.title,
            "clause": t.clause, "pack": t.pack, "pack_version": t.pack_version,
            "deadline": t.deadline, "lead_units": list(t.lead_units),
            "responsible_units": list(t.responsible_units), "done_on": t.done_on,
            "done_evidence": list(t.done_evidence or []), "done_note": t.done_note,
            "version": t.version}


def progress_record(p: ProgrammeProgress) -> dict[str, Any]:
    return {"id": p.id, "task_id": p.task_id, "unit": p.unit, "reported_on": p.reported_on,
            "percent": p.percent, "text": p.text, "evidence": list(p.evidence or []),
            "recorded_by": p.recorded_by, "recorded_at": p.recorded_at}


def act_record(a: SupervisionAct) -> dict[str, Any]:
    return {"id": a.id, "task_id": a.task_id, "unit": a.unit, "kind": a.kind,
            "kind_name": rules.ACT_NAMES[a.kind], "reason": a.reason,
            "evidence": list(a.evidence or []), "acted_on": a.acted_on, "due_on": a.due_on,
            "recorded_by": a.recorded_by, "recorded_at": a.recorded_at}


def target_record(x: ProgrammeTarget) -> dict[str, Any]:
    return {"id": x.id, "year": x.year, "target": x.target, "revision": x.revision,
            "reason": x.reason, "recorded_by": x.recorded_by, "recorded_at": x.recorded_at}
