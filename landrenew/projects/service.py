"""Project library and urban-village phases as services (项目库、分片实施): I/O around the pure
gates, every write audited and versioned, district scope applied.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from landrenew.core import audit, ledger, packs, places
from landrenew.core.access import (
    Principal,
    require_write,
    require_write_district,
)
from landrenew.core.access import district_filter as scope_for
from landrenew.core.clock import city_today
from landrenew.core.errors import Conflict, InputError, NotFound
from landrenew.core.evidence import check_evidence, check_not_future
from landrenew.core.packs import NoRules, ParameterPack
from landrenew.core.spatial import areas_m2
from landrenew.core.store import Store, utcnow
from landrenew.core.store.models import (
    District,
    LedgerRecord,
    Phase,
    PhasePerson,
    PhaseTransition,
    Project,
    ProjectVersion,
    ZoneVersion,
)
from landrenew.core.store.versions import box_overlaps
from landrenew.land.importing import resolve_projected_crs
from landrenew.projects.gates import GateDecision, demolition_gate
from landrenew.projects.phasing import (
    GuidelineSplitCheck,
    PublicWelfareFirstCheck,
    guideline_split_check,
    public_welfare_first_check,
)
from landrenew.projects.vocabulary import (
    BATCHES,
    INSTRUMENTS,
    PERSON_KINDS,
    PHASE_ORDER,
    PROJECT_TYPES,
    STAGES,
    TERMS,
)

EDITABLE = ("name", "type", "district_code", "batch", "term", "stage", "lead_unit",
            "owner_company", "instruments", "parcel_codes", "planned_start", "planned_end",
            "actual_start", "actual_end", "scheme_approved_on", "contiguous_redevelopment")
#: Kind of the packs that hold a place's urban-village phase rules.
PHASE_RULES = "renewal_phases"
CODED = {"type": PROJECT_TYPES, "batch": BATCHES, "term": TERMS, "stage": STAGES}
SIGNING = "signing"


# ---------------------------------------------------------------- project library

def _check_values(values: dict[str, Any]) -> None:
    for field, table in CODED.items():
        v = values.get(field)
        if v is not None and v not in table:
            raise InputError(f"{field} '{v}' is not one of {', '.join(table)}", field=field)
    for v in values.get("instruments") or []:
        if v not in INSTRUMENTS:
            raise InputError(f"instrument '{v}' is not one of {', '.join(INSTRUMENTS)}",
                             field="instruments")
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


def project_record(p: Project) -> dict[str, Any]:
    return {"id": p.id, "name": p.name, "type": p.type, "type_name": PROJECT_TYPES.get(p.type),
            "district_code": p.district_code, "batch": p.batch, "term": p.term,
            "stage": p.stage, "stage_name": STAGES.get(p.stage), "lead_unit": p.lead_unit,
            "owner_company": p.owner_company, "instruments": list(p.instruments or []),
            "parcel_codes": list(p.parcel_codes or []), "planned_start": p.planned_start,
            "planned_end": p.planned_end, "actual_start": p.actual_start,
            "actual_end": p.actual_end, "scheme_approved_on": p.scheme_approved_on,
            "contiguous_redevelopment": bool(p.contiguous_redevelopment),
            "city_code": _city(p.district_code), "version": p.version,
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
        k = packs.KINDS[kind]
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


# ---------------------------------------------------------------- phases

def _phase(session: Session, user: Principal, phase_id: int) -> tuple[Phase, Project]:
    phase = session.get(Phase, phase_id)
    if phase is None:
        raise NotFound(f"no phase {phase_id}", field="id")
    project = session.get(Project, phase.project_id)
    if project is None or not user.sees_project(project.district_code, project.owner_company):
        raise NotFound(f"no phase {phase_id}", field="id")
    return phase, project


def phase_record(phase: Phase, people: int | None = None) -> dict[str, Any]:
    geom = shapely.from_wkb(phase.geom) if phase.geom is not None else None
    return {"id": phase.id, "project_id": phase.project_id, "name": phase.name,
            "state": phase.state, "area_m2": phase.area_m2,
            "geometry": shapely.geometry.mapping(geom) if geom is not None else None,
            "people": people, "created_at": phase.created_at, "created_by": phase.created_by,
            "schedule": phase.schedule, "checks": phase.checks}


def _polygon(geometry: dict[str, Any] | None) -> shapely.Geometry | None:
    if geometry is None:
        return None
    try:
        geom = shapely.geometry.shape(geometry)
    except Exception as exc:
        raise InputError(f"geometry is not GeoJSON: {exc}", field="geometry") from exc
    if geom.geom_type not in ("Polygon", "MultiPolygon") or geom.is_empty:
        raise InputError(f"a phase boundary must be a polygon, not {geom.geom_type}",
                         field="geometry")
    minx, miny, maxx, maxy = geom.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise InputError("geometry must be EPSG:4490 longitude/latitude", field="geometry")
    if not geom.is_valid:
        raise InputError(f"the phase boundary is not a valid polygon: "
                         f"{shapely.is_valid_reason(geom)}", field="geometry")
    return geom


#: Zone kind of the detailed plan's guideline parcels (详细规划导则地块).
GUIDELINE_KIND = "guideline_parcel"


class GuidelineParcelSplit(Conflict):
    """A phase boundary cutting a guideline parcel (分片切割导则地块): 409 with the check (split
    parcels with their areas inside and outside, the rule and its clause)."""

    code = "guideline_parcel_split"

    def __init__(self, check: GuidelineSplitCheck) -> None:
        super().__init__(check.explain(), field="geometry")
        self.check = check.as_dict()

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), **self.check}


def phase_rules(project: Project, on: dt.date | None = None) -> ParameterPack:
    """The urban-village phase rules (kind ``renewal_phases``) in force where the project lies,
    on ``on`` (today in the city); :class:`~landrenew.core.packs.NoRules` (409 ``no_rules``)
    where the place has none."""
    return packs.resolve_load(PHASE_RULES, project.district_code, on or city_today(),
                              ParameterPack)


def _phase_rules_or_none(project: Project) -> tuple[ParameterPack | None, NoRules | None]:
    try:
        return phase_rules(project), None
    except NoRules as exc:
        return None, exc


class SchemeNotApproved(Conflict):
    """409 ``scheme_not_approved``: signing before the implementation scheme is approved."""

    code = "scheme_not_approved"


def _require_scheme(project: Project, rules: ParameterPack, on: dt.date,
                    what: tuple[str, str]) -> None:
    """Signing and demolition start only after the project's implementation scheme is approved
    and in force (项目实施方案批复并生效后), where the place's phase rules say so; whether the day
    of approval counts as after is the pack's ``scheme_approval_day_counts``."""
    name = "signing_requires_approved_scheme"
    if not rules.has(name) or not rules.param(name).flag:
        return
    param = rules.param(name)
    approved = project.scheme_approved_on
    if approved is None:
        raise SchemeNotApproved(
            f"项目实施方案尚未批复，不能{what[0]} | project {project.id}'s implementation scheme "
            f"is not approved (scheme_approved_on is empty): {what[1]} only after it is "
            f"[{rules.id}:{name}] {param.clause}", field="scheme_approved_on")
    same_day = (rules.has("scheme_approval_day_counts")
                and rules.param("scheme_approval_day_counts").flag)
    if on < approved or (on == approved and not same_day):
        when = "on or after" if same_day else "after"
        raise SchemeNotApproved(
            f"{on.isoformat()}早于项目实施方案批复生效（{approved.isoformat()}），不能{what[0]} | "
            f"{what[1]} is dated {on.isoformat()}: it must be {when} the scheme's approval on "
            f"{approved.isoformat()} [{rules.id}:{name}] {param.clause}",
            field="scheme_approved_on")


def _guideline_check(session: Session, geom: shapely.Geometry, crs: CRS,
                     rules: ParameterPack) -> GuidelineSplitCheck:
    """The phase (EPSG:4490) against the current guideline parcels whose boxes meet its box,
    both projected into the city's zone ``crs``."""
    rows = session.execute(select(ZoneVersion.zone_code, ZoneVersion.geom).where(
        ZoneVersion.kind == GUIDELINE_KIND, ZoneVersion.valid_to.is_(None),
        ZoneVersion.is_deleted.is_(False), ZoneVersion.geom.is_not(None),
        box_overlaps(ZoneVersion, geom.bounds)).order_by(ZoneVersion.zone_code)).all()
    storage = CRS.from_epsg(4490)
    phase = gpd.GeoSeries([geom], crs=storage).to_crs(crs).iloc[0]
    parcels: list[tuple[str, Any]] = []
    if rows:
        projected = gpd.GeoSeries(shapely.from_wkb([r.geom for r in rows]), crs=storage).to_crs(crs)
        parcels = list(zip([r.zone_code for r in rows], projected.tolist(), strict=True))
    return guideline_split_check(phase, parcels, rules)


def create_phase(store: Store, user: Principal, project_id: int, name: str,
                 geometry: dict[str, Any] | None, *, projected_crs: str | None = None
                 ) -> dict[str, Any]:
    """A phase (分片) of a project, starting in ``planned``; its area is computed in the city's
    projected zone, as parcel areas are. A boundary cutting a guideline parcel (导则地块) is
    refused (409 ``guideline_parcel_split``, nothing stored); otherwise the check is kept in
    ``checks["guideline_split"]`` with the pack that decided. Where the place has no phase rules
    the phase is kept without the check, and ``checks["no_rules"]`` says so."""
    require_write(user)
    store.ensure_current()
    if not name or not name.strip():
        raise InputError("a phase needs a name", field="name")
    geom = _polygon(geometry)
    with store.session() as session:
        project = visible_project(session, user, project_id)
        require_write_district(user, project.district_code, "district_code")
        area = None
        checks: dict[str, Any] | None = None
        if geom is not None:
            crs = resolve_projected_crs(session, projected_crs, geom.bounds, user.name)
            area = float(areas_m2(np.array([geom], dtype=object), CRS.from_epsg(4490), crs)[0])
            rules, missing = _phase_rules_or_none(project)
            if rules is None:
                checks = {"no_rules": missing.to_dict() if missing else None}
            else:
                split = _guideline_check(session, geom, crs, rules)
                if not split.allowed:
                    raise GuidelineParcelSplit(split)  # the session rolls back: nothing stored
                checks = {"guideline_split": {**split.as_dict(), "pack": rules.id,
                                              "pack_version": rules.version}}
        phase = Phase(project_id=project.id, name=name.strip(),
                      geom=shapely.to_wkb(geom) if geom is not None else None, area_m2=area,
                      state=PHASE_ORDER[0], created_at=utcnow(), created_by=user.name,
                      checks=checks)
        session.add(phase)
        session.flush()
        rec = phase_record(phase, 0)
        audit.record(session, actor=user.name, action="insert", entity_type="phase",
                     entity_id=str(phase.id), after={k: v for k, v in rec.items()
                                                     if k != "geometry"})
    return rec


def list_phases(store: Store, user: Principal, project_id: int) -> list[dict[str, Any]]:
    """The phases of a project, in the order they were made."""
    store.ensure_current()
    with store.read_session() as session:
        visible_project(session, user, project_id)
        return [phase_record(p) for p in session.scalars(
            select(Phase).where(Phase.project_id == project_id).order_by(Phase.id))]


def phase_overview(store: Store, user: Principal, phase_id: int) -> dict[str, Any]:
    """Everything the phase page shows, read in one session: the phase, its project, its people
    with whether each has signed, and the demolition gate."""
    store.ensure_current()
    with store.read_session() as session:
        phase, project = _phase(session, user, phase_id)
        people = list(session.scalars(select(PhasePerson).where(PhasePerson.phase_id == phase_id)
                                      .order_by(PhasePerson.id)))
        agreements = _agreements(session, project.id, phase_id)
        status = {a["subject"]: a["action"] for a in agreements}
        rules, missing = _phase_rules_or_none(project)
        gate_out = (demolition_gate([p.person_id for p in people], agreements, rules).as_dict()
                    if rules is not None else
                    {"allowed": False, "no_rules": missing.to_dict() if missing else None})
        return {"phase": phase_record(phase, len(people)), "project": project_record(project),
                "gate": gate_out,
                "people": [{"person_id": p.person_id, "name": p.name, "kind": p.kind,
                            "signed": status.get(p.person_id) == "sign"} for p in people]}


def get_phase(store: Store, user: Principal, phase_id: int) -> dict[str, Any]:
    store.ensure_current()
    with store.read_session() as session:
        phase, _ = _phase(session, user, phase_id)
        n = session.scalar(select(func.count()).select_from(PhasePerson)
                           .where(PhasePerson.phase_id == phase_id))
        return phase_record(phase, int(n or 0))


def add_people(store: Store, user: Principal, phase_id: int, people: list[dict[str, Any]]
               ) -> dict[str, Any]:
    """Register the people to relocate (被搬迁人) of a phase; all or nothing."""
    require_write(user)
    store.ensure_current()
    if not people:
        raise InputError("give at least one person", field="body")
    problems = []
    seen: set[str] = set()
    for i, p in enumerate(people):
        pid = str(p.get("person_id") or "").strip()
        if not pid:
            problems.append(InputError("person_id is required", row=i, field="person_id"))
        elif pid in seen:
            problems.append(InputError(f"person_id '{pid}' is listed twice", row=i,
                                       field="person_id"))
        seen.add(pid)
        if not str(p.get("name") or "").strip():
            problems.append(InputError("name is required", row=i, field="name"))
        if p.get("kind") not in PERSON_KINDS:
            problems.append(InputError(f"kind '{p.get('kind')}' is not one of "
                                       f"{', '.join(PERSON_KINDS)}", row=i, field="kind"))
    if problems:
        raise problems[0]
    with store.session() as session:
        _, project = _phase(session, user, phase_id)
        require_write_district(user, project.district_code, "district_code")
        existing = set(session.scalars(select(PhasePerson.person_id)
                                       .where(PhasePerson.phase_id == phase_id)))
        clash = sorted(seen & existing)
        if clash:
            raise Conflict(f"already listed in phase {phase_id}: {', '.join(clash[:10])}",
                           field="person_id")
        now = utcnow()
        for p in people:
            session.add(PhasePerson(phase_id=phase_id, person_id=str(p["person_id"]).strip(),
                                    name=str(p["name"]).strip(), kind=p["kind"], added_at=now,
                                    added_by=user.name))
        audit.record(session, actor=user.name, action="add_people", entity_type="phase",
                     entity_id=str(phase_id), after={"added": sorted(seen)})
        total = int(session.scalar(select(func.count()).select_from(PhasePerson)
                                   .where(PhasePerson.phase_id == phase_id)) or 0)
    return {"phase_id": phase_id, "added": len(people), "total": total}


def _agreements(session: Session, project_id: int, phase_id: int) -> list[dict[str, Any]]:
    name = ledger.ledger_name(SIGNING, project_id)
    return [{"subject": r.subject, "action": r.action} for r in session.scalars(
        select(LedgerRecord).where(LedgerRecord.ledger == name, LedgerRecord.phase_id == phase_id)
        .order_by(LedgerRecord.seq))]


def record_agreement(store: Store, user: Principal, phase_id: int, person_id: str,
                     signed_on: dt.date, *, action: str = "sign",
                     evidence_sha256: str | None = None, note: str | None = None
                     ) -> dict[str, Any]:
    """A signed compensation agreement (补偿安置协议) or its withdrawal, appended to the
    project's signing ledger; returns the record and the phase's gate after it."""
    require_write(user)
    store.ensure_current()
    if action not in ("sign", "withdraw"):
        raise InputError("action must be sign or withdraw", field="action")
    check_evidence(evidence_sha256)
    check_not_future(signed_on, "signed_on")
    with store.session() as session:
        phase, project = _phase(session, user, phase_id)
        require_write_district(user, project.district_code, "district_code")
        listed = session.scalar(select(PhasePerson).where(PhasePerson.phase_id == phase_id,
                                                          PhasePerson.person_id == person_id))
        if listed is None:
            raise InputError(f"person '{person_id}' is not listed in phase {phase_id}; add "
                             "them with POST /api/phases/{id}/people first", field="person_id")
        current = {a["subject"]: a["action"] for a in _agreements(session, project.id, phase_id)}
        if action == "sign" and current.get(person_id) == "sign":
            raise Conflict(f"person '{person_id}' has already signed", field="person_id")
        if action == "withdraw" and current.get(person_id) != "sign":
            raise Conflict(f"person '{person_id}' has no agreement to withdraw",
                           field="person_id")
        rules, missing = _phase_rules_or_none(project)
        if rules is not None and action == "sign":
            _require_scheme(project, rules, signed_on,
                            ("签订补偿安置协议", "an agreement"))
        name = ledger.ledger_name(SIGNING, project.id)
        rec = ledger.append(session, ledger=name, project_id=project.id, phase_id=phase_id,
                            subject=person_id, action=action, effective_on=signed_on,
                            recorded_by=user.name, evidence_sha256=evidence_sha256,
                            details={"note": note} if note else None)
        audit.record(session, actor=user.name, action=f"ledger_{action}", entity_type="ledger",
                     entity_id=name, after={"seq": rec.seq, "hash": rec.hash,
                                            "phase_id": phase_id, "subject": person_id})
        out = {k: v for k, v in ledger.as_fields(rec).items()}
        gate_out = (_gate(session, phase, project, rules).as_dict() if rules is not None else
                    {"allowed": False, "no_rules": missing.to_dict() if missing else None})
    return {"record": out, "gate": gate_out}


def _gate(session: Session, phase: Phase, project: Project,
          rules: ParameterPack | None = None) -> GateDecision:
    """The demolition gate of a phase under the place's phase rules (409 ``no_rules`` where
    there are none)."""
    people = list(session.scalars(select(PhasePerson.person_id)
                                  .where(PhasePerson.phase_id == phase.id)
                                  .order_by(PhasePerson.id)))
    return demolition_gate(people, _agreements(session, project.id, phase.id),
                           rules if rules is not None else phase_rules(project))


def gate(store: Store, user: Principal, phase_id: int) -> dict[str, Any]:
    store.ensure_current()
    with store.read_session() as session:
        phase, project = _phase(session, user, phase_id)
        return _gate(session, phase, project).as_dict()


class GateClosed(Conflict):
    """A transition refused by its gate: 409 with the decision."""

    code = "gate_closed"

    def __init__(self, message: str, decision: dict[str, Any]) -> None:
        super().__init__(message, field="state")
        self.decision = decision

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "gate": self.decision}


class PublicWelfareNotFirst(Conflict):
    """A construction schedule refused by 公益先行 (public-welfare works first): 409 with the
    check (reason, offending works, dates, rule and clause)."""

    code = "public_welfare_not_first"

    def __init__(self, check: PublicWelfareFirstCheck) -> None:
        super().__init__(check.explain(), field="works")
        self.check = check.as_dict()

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), **self.check}


def transition(store: Store, user: Principal, phase_id: int, to: str, *,
               reason: str | None = None) -> dict[str, Any]:
    """Move a phase to its next state, under the phase rules in force where the project lies
    (409 ``no_rules`` where there are none). Only the next state is allowed; into ``signing``
    and ``demolition`` only once the implementation scheme is approved where the rules say so
    (409 ``scheme_not_approved``); into ``demolition`` only when the demolition gate is open
    (the refusal carries the gate's numbers); into ``construction`` only with a stored schedule
    whose public-welfare-first check passes (409 ``gate_closed`` with the check otherwise).
    The decision kept with the transition names the pack and its version."""
    require_write(user)
    store.ensure_current()
    with store.session() as session:
        phase, project = _phase(session, user, phase_id)  # 404 outside the user's districts
        require_write_district(user, project.district_code, "district_code")
        if to not in PHASE_ORDER:
            raise InputError(f"state '{to}' is not one of {', '.join(PHASE_ORDER)}", field="to")
        here = PHASE_ORDER.index(phase.state)
        if PHASE_ORDER.index(to) != here + 1:
            nxt = PHASE_ORDER[here + 1] if here + 1 < len(PHASE_ORDER) else None
            raise Conflict(f"phase {phase_id} is in '{phase.state}'; the next state is "
                           f"{repr(nxt) if nxt else 'none (construction is the last)'}, "
                           f"not '{to}'", field="to", code="out_of_order")
        rules = phase_rules(project)
        decision: dict[str, Any] | None = {"pack": rules.id, "pack_version": rules.version}
        if to in ("signing", "demolition"):
            _require_scheme(project, rules, city_today(),
                            ("进入签约或拆除", f"moving phase {phase_id} to {to}"))
        if to == "demolition":
            g = _gate(session, phase, project, rules)
            decision = g.as_dict()
            if not g.allowed:
                raise GateClosed(g.explain(), decision)
        elif to == "construction":
            check = public_welfare_first_check(phase.schedule or [], rules)
            decision = {**check.as_dict(), "pack": rules.id, "pack_version": rules.version}
            if not check.allowed:
                missing = ("" if phase.schedule else
                           f"phase {phase_id} has no construction schedule; save one with "
                           f"PUT /api/phases/{phase_id}/schedule first. ")
                raise GateClosed(missing + check.explain(), decision)
        before = phase.state
        phase.state = to
        session.add(PhaseTransition(phase_id=phase_id, from_state=before, to_state=to,
                                    decision=decision, by=user.name, reason=reason,
                                    at=utcnow()))
        audit.record(session, actor=user.name, action="transition", entity_type="phase",
                     entity_id=str(phase_id), reason=reason, before={"state": before},
                     after={"state": to, "gate": decision})
        rec = phase_record(phase)
    return {**rec, "from_state": before, "decision": decision}


# ---------------------------------------------------------------- construction schedule

def set_schedule(store: Store, user: Principal, phase_id: int, works: list[dict[str, Any]],
                 *, reason: str | None = None) -> dict[str, Any]:
    """The construction plan of a phase (建设计划: works with kind, start and finish), kept only
    when its public-welfare works start first (公益先行); otherwise 409
    ``public_welfare_not_first`` with the check and nothing stored. Bad works are 422 naming the
    row and field. Audited with the plan before and after."""
    require_write(user)
    store.ensure_current()
    with store.session() as session:
        phase, project = _phase(session, user, phase_id)  # 404 outside the user's districts
        require_write_district(user, project.district_code, "district_code")
        rules = phase_rules(project)
        check = public_welfare_first_check(works, rules, path="works")
        if not check.allowed:
            raise PublicWelfareNotFirst(check)
        schedule = [{"name": w.name, "kind": w.kind, "start": w.start.isoformat(),
                     "finish": w.finish.isoformat()} for w in check.works]
        result = check.as_dict()
        before = {"schedule": phase.schedule,
                  "public_welfare_first": (phase.checks or {}).get("public_welfare_first")}
        result = {**result, "pack": rules.id, "pack_version": rules.version}
        phase.schedule = schedule
        phase.checks = {**(phase.checks or {}), "public_welfare_first": result}
        audit.record(session, actor=user.name, action="schedule", entity_type="phase",
                     entity_id=str(phase_id), reason=reason, before=before,
                     after={"schedule": schedule, "public_welfare_first": result})
        session.flush()
        people = session.scalar(select(func.count()).select_from(PhasePerson)
                                .where(PhasePerson.phase_id == phase_id))
        return phase_record(phase, int(people or 0))
