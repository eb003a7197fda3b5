"""The project library as services (项目库): projects put in the library (入库) and changed with a
reason (动态调整), every write audited and versioned; the library listed by district, type, batch
and stage; the rule packs that decide for a project where it lies; and who may see and write a
project (:func:`visible_project`, :func:`require_project_write`: district scope, or the
consolidation entity owning it). A project's phases are :mod:`landrenew.projects.phase_service`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from landrenew.core import audit, packs, places
from landrenew.core.access import Principal, require_write, require_write_district
from landrenew.core.access import district_filter as scope_for
from landrenew.core.clock import city_today
from landrenew.core.errors import InputError, NotFound
from landrenew.core.evidence import check_not_future
from landrenew.core.packmodels import KINDS
from landrenew.core.packs import NoRules
from landrenew.core.store import Store, utcnow
from landrenew.core.store.columns import check_columns
from landrenew.core.store.models import District, Project, ProjectVersion
from landrenew.projects.vocabulary import BATCHES, INSTRUMENTS, PROJECT_TYPES, STAGES, TERMS

EDITABLE = ("name", "type", "district_code", "batch", "term", "stage", "lead_unit",
            "owner_company", "instruments", "parcel_codes", "planned_start", "planned_end",
            "actual_start", "actual_end", "scheme_approved_on", "contiguous_redevelopment",
            "tags")
#: Kind of the packs that hold a place's urban-village phase rules.
PHASE_RULES = "renewal_phases"
CODED = {"type": PROJECT_TYPES, "batch": BATCHES, "term": TERMS, "stage": STAGES}


# ---------------------------------------------------------------- project library

def _check_values(values: dict[str, Any]) -> None:
    check_columns(Project, values)  # null where the table needs a value, text too long
    for field, table in CODED.items():
        v = values.get(field)
        if v is not None and v not in table:
            raise InputError(f"{field} '{v}' is not one of {', '.join(table)}", field=field)
    for v in values.get("instruments") or []:
        if v not in INSTRUMENTS:
            raise InputError(f"instrument '{v}' is not one of {', '.join(INSTRUMENTS)}",
                             field="instruments")
    _check_tags(values)
    for a, b in (("planned_start", "planned_end"), ("actual_start", "actual_end")):
        if values.get(a) and values.get(b) and values[a] > values[b]:
            raise InputError(f"{b} {values[b]} is before {a} {values[a]}", field=b)
    if "name" in values and not str(values["name"] or "").strip():
        raise InputError("a project needs a name", field="name")
    approved = values.get("scheme_approved_on")
    if approved is not None:
        if not isinstance(approved, dt.date):
            raise InputError(f"scheme_approved_on '{approved}' is not a date (YYYY-MM-DD)",
                             field="scheme_approved_on")
        check_not_future(approved, "scheme_approved_on")
    if "contiguous_redevelopment" in values and not isinstance(
            values["contiguous_redevelopment"], bool):
        raise InputError("contiguous_redevelopment must be true or false",
                         field="contiguous_redevelopment")


def _check_tags(values: dict[str, Any]) -> None:
    """Tags (标签, e.g. 百千万工程) are a list of short names, kept once each in their order."""
    if "tags" not in values or values["tags"] is None:
        return
    tags = values["tags"]
    if not isinstance(tags, list | tuple) or not all(isinstance(t, str) for t in tags):
        raise InputError("tags must be a list of names", field="tags")
    clean = [t.strip() for t in tags]
    if any(not t or len(t) > 32 for t in clean):
        raise InputError("a tag is a name of 1 to 32 characters", field="tags")
    values["tags"] = list(dict.fromkeys(clean))


def project_record(p: Project) -> dict[str, Any]:
    return {"id": p.id, "name": p.name, "type": p.type, "type_name": PROJECT_TYPES.get(p.type),
            "district_code": p.district_code, "batch": p.batch, "term": p.term,
            "stage": p.stage, "stage_name": STAGES.get(p.stage), "lead_unit": p.lead_unit,
            "owner_company": p.owner_company, "instruments": list(p.instruments or []),
            "parcel_codes": list(p.parcel_codes or []), "planned_start": p.planned_start,
            "planned_end": p.planned_end, "actual_start": p.actual_start,
            "actual_end": p.actual_end, "scheme_approved_on": p.scheme_approved_on,
            "contiguous_redevelopment": bool(p.contiguous_redevelopment),
            "tags": list(p.tags or []), "city_code": _city(p.district_code), "version": p.version,
            "created_at": p.created_at, "created_by": p.created_by, "updated_at": p.updated_at}


def _city(code: str | None) -> str | None:
    try:
        return places.city_of(code) if code else None
    except InputError:
        return None


def _known_district(session: Session, code: str) -> None:
    if session.get(District, code) is None and session.scalar(
            select(func.count()).select_from(District)):
        raise InputError(f"district_code '{code}' is not a district of this city",
                         field="district_code")


def create_project(store: Store, user: Principal, values: dict[str, Any], *,
                   reason: str | None = None) -> dict[str, Any]:
    """Put a project in the library (入库): version 1, audited."""
    require_write(user)
    store.ensure_current()
    values = {k: v for k, v in values.items() if k in EDITABLE and v is not None}
    for required in ("name", "type", "district_code"):
        if not values.get(required):
            raise InputError(f"{required} is required", field=required)
    _check_values(values)
    require_write_district(user, values["district_code"], "district_code")
    now = utcnow()
    with store.session() as session:
        _known_district(session, values["district_code"])
        project = Project(**{"stage": "proposed", **values}, version=1,
                          created_at=now, created_by=user.name, updated_at=now)
        session.add(project)
        session.flush()
        record = project_record(project)
        session.add(ProjectVersion(project_id=project.id, version=1,
                                   record=audit.jsonable(record), changed=sorted(values),
                                   changed_by=user.name, reason=reason, at=now))
        audit.record(session, actor=user.name, action="insert", entity_type="project",
                     entity_id=str(project.id), reason=reason, after=record)
    return record


#: The kinds of rules a project of each type may follow (the consolidation scheme only where its
#: pack covers the type; see :func:`project_rules`).
RULE_KINDS: dict[str, tuple[str, ...]] = {
    "urban_village": (PHASE_RULES, "consolidation_scheme"),
    "industrial_upgrade": ("consolidation_scheme",),
}


def project_rules(project: dict[str, Any], on: dt.date | None = None) -> list[dict[str, Any]]:
    """The rule packs that decide for a project where it lies (on ``on``, today): per kind its
    pack, version, jurisdiction and whether it is a draft — or the "no rules" answer. A
    consolidation scheme that does not cover the project's type is left out."""
    day = on or city_today()
    out: list[dict[str, Any]] = []
    for kind in RULE_KINDS.get(project["type"], ()):
        k = KINDS[kind]
        line: dict[str, Any] = {"kind": kind, "kind_zh": k.zh, "kind_en": k.en}
        try:
            info = packs.resolve(kind, project["district_code"], day)
        except NoRules as exc:
            out.append({**line, "no_rules": exc.message})
            continue
        if kind == "consolidation_scheme":
            from landrenew.projects.scheme import scheme

            if scheme(info.id).applies(project["type"],
                                       bool(project.get("contiguous_redevelopment"))) is None:
                continue
        out.append({**line, **info.as_dict()})
    return out


def visible_project(session: Session, user: Principal, project_id: int) -> Project:
    project = session.get(Project, project_id)
    if project is None or not user.sees_project(project.district_code, project.owner_company):
        raise NotFound(f"no project {project_id}", field="id")  # 404 outside the scope too
    return project


def require_project_write(user: Principal, project: Project) -> None:
    """Who may record work on a project: writers of its district, and the consolidation
    entity that is its owner company (its own projects only; 403 for anyone else)."""
    if user.is_entity:
        if not user.sees_project(project.district_code, project.owner_company):
            raise NotFound(f"no project {project.id}", field="id")
        return
    require_write(user)
    require_write_district(user, project.district_code, "district_code")


def get_project(store: Store, user: Principal, project_id: int) -> dict[str, Any]:
    store.ensure_current()
    with store.read_session() as session:
        return project_record(visible_project(session, user, project_id))


def list_projects(store: Store, user: Principal, *, district: str | None = None,
                  type: str | None = None, batch: str | None = None, stage: str | None = None,
                  overdue_on: dt.date | None = None, limit: int = 100, offset: int = 0
                  ) -> tuple[int, list[dict[str, Any]]]:
    """The library by district, type, batch and stage; ``overdue_on`` keeps projects whose
    planned end has passed on that date without an actual end (逾期项目)."""
    store.ensure_current()
    districts = scope_for(user, district)
    stmt = select(Project)
    if districts is not None:
        stmt = stmt.where(Project.district_code.in_(districts))
    if user.is_entity:  # a consolidation entity sees its own projects only
        stmt = stmt.where(Project.owner_company == (user.organisation or ""))
    for col, v in ((Project.type, type), (Project.batch, batch), (Project.stage, stage)):
        if v:
            stmt = stmt.where(col == v)
    if overdue_on is not None:
        stmt = stmt.where(Project.planned_end < overdue_on, Project.actual_end.is_(None),
                          Project.stage != "withdrawn")
    with store.read_session() as session:
        total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        rows = session.scalars(stmt.order_by(Project.id).limit(limit).offset(offset)).all()
        return int(total), [project_record(p) for p in rows]


def update_project(store: Store, user: Principal, project_id: int, changes: dict[str, Any],
                   reason: str) -> dict[str, Any]:
    """Change a project (动态调整): a new version with what changed, who and why."""
    require_write(user)
    store.ensure_current()
    if not reason or not reason.strip():
        raise InputError("give the reason for the change", field="reason")
    changes = {k: v for k, v in changes.items() if k in EDITABLE}
    if not changes:
        raise InputError("give at least one field to change", field="body")
    _check_values(changes)
    with store.session() as session:
        project = visible_project(session, user, project_id)
        require_write_district(user, project.district_code, "district_code")
        if "district_code" in changes:
            require_write_district(user, changes["district_code"], "district_code")
            _known_district(session, changes["district_code"])
        before = project_record(project)
        changed = sorted(k for k, v in changes.items() if before.get(k) != v)
        if not changed:
            return {**before, "changed": []}
        for k in changed:
            setattr(project, k, changes[k])
        project.version += 1
        project.updated_at = utcnow()
        session.flush()
        after = project_record(project)
        session.add(ProjectVersion(project_id=project.id, version=project.version,
                                   record=audit.jsonable(after), changed=changed,
                                   changed_by=user.name, reason=reason, at=project.updated_at))
        audit.record(session, actor=user.name, action="update", entity_type="project",
                     entity_id=str(project.id), reason=reason, before=before, after=after)
    return {**after, "changed": changed}


def project_history(store: Store, user: Principal, project_id: int) -> list[dict[str, Any]]:
    store.ensure_current()
    with store.read_session() as session:
        visible_project(session, user, project_id)
        return [{"version": v.version, "at": v.at, "changed_by": v.changed_by,
                 "reason": v.reason, "changed": v.changed, "record": v.record}
                for v in session.scalars(select(ProjectVersion)
                                         .where(ProjectVersion.project_id == project_id)
                                         .order_by(ProjectVersion.version))]
