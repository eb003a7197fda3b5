"""Compliance checks as services (合规审查): read a request, resolve the compliance pack of its
district on the day, measure its site against the stored zones, decide, and keep the check with
who asked and when (append-only, audited).

Who may do what: a check is a record a writer keeps — city staff and administrators anywhere,
district staff only in their districts (another district is refused, 403); viewers and
consolidation entities read the checks (without the request's reference, which may name a
household) but cannot make one. A place without compliance rules is refused with 409
``no_rules``, naming the kind and the place. A request missing or garbling a fact the rules need
is refused (422 ``check_invalid``, naming the fields) and nothing is stored; a batch keeps going
and marks that row ``invalid`` instead (:mod:`landrenew.compliance.batch`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import shapely
from pyproj import CRS
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from landrenew.compliance.checks import decide
from landrenew.compliance.decisions import DECISIONS, Decision
from landrenew.compliance.fields import KIND_NAMES, Parsed, blank, check_kind, parse_request
from landrenew.compliance.geometry import read_geometry
from landrenew.compliance.packs import CompliancePack, compliance_pack
from landrenew.compliance.zones import outside_district, site_facts
from landrenew.core import audit, places
from landrenew.core import packs as rule_packs
from landrenew.core.access import (
    Principal,
    district_filter,
    require_district,
    require_write,
    require_write_district,
)
from landrenew.core.clock import city_today
from landrenew.core.errors import InputError, LandrenewError, NotFound
from landrenew.core.store import Store, utcnow
from landrenew.core.store.capabilities import Capabilities
from landrenew.core.store.models import ComplianceCheck, District
from landrenew.core.store.types import storage_wkb
from landrenew.land.importing import resolve_projected_crs


class CheckInvalid(InputError):
    """422 ``check_invalid``: a fact the rules need is missing or cannot be read; the decision
    (``invalid``) and its reasons name every such field. Nothing is stored."""

    code = "check_invalid"

    def __init__(self, decision: Decision) -> None:
        self.decision = decision
        fields = decision.invalid_fields
        listed = "; ".join(f"{r.field}: {r.message or ('missing' if r.kind == 'missing' else r.kind)}"
                           for r in decision.reasons if r.kind in ("missing", "malformed"))
        super().__init__(f"the {decision.kind} check cannot decide: {listed}",
                         field=fields[0] if fields else None)

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "decision": "invalid",
                "fields": list(self.decision.invalid_fields),
                "reasons": [r.as_dict() for r in self.decision.reasons]}


@dataclass(frozen=True)
class Request:
    """A request ready to decide: the facts read, the district, the site (EPSG:4490)."""

    kind: str
    values: Mapping[str, Any]
    parsed: Parsed
    district: str
    site: shapely.Geometry | None


def read_request(kind: str, values: Mapping[str, Any], *, strict: bool) -> Request:
    """Read the values and the site; a request without its district cannot be placed (422)."""
    parsed = parse_request(kind, values, strict=strict)
    district = parsed.facts.get("district_code")
    if district is None:
        bad = next((p for p in parsed.problems if p.field == "district_code"), None)
        raise InputError(bad.message if bad else "give the district (district_code) the "
                         "request lies in", field="district_code")
    site, problems = read_geometry(values)
    if problems:
        parsed = Parsed(parsed.facts, (*parsed.problems, *problems), parsed.ignored)
    return Request(kind, values, parsed, district, site)


def judge(session: Session, request: Request, day: dt.date, crs: Callable[[], CRS]) -> Decision:
    """The decision on a request under the compliance pack of its district on ``day`` (409
    ``no_rules`` where none applies); the site's map facts read from the stored zones."""
    pack = compliance_pack(request.district, day)
    parsed, facts = request.parsed, {}
    if request.site is not None:
        field = next(k for k in ("geometry", "wkt", "lon") if not blank(request.values.get(k)))
        outside = outside_district(session, request.district, request.site, field)
        if outside is not None:
            parsed = Parsed(parsed.facts, (*parsed.problems, outside), parsed.ignored)
        else:
            facts = site_facts(session, request.site, request.kind, pack, crs())
    return decide(request.kind, parsed, pack, facts)


def keep(session: Session, caps: Capabilities, user: Principal, request: Request,
         decision: Decision, day: dt.date, *, source: str, batch: str | None = None,
         row: int | None = None) -> ComplianceCheck:
    """Store a decided check and its audit record, in the caller's transaction."""
    inputs = {k: v for k, v in request.values.items() if k != "geometry"}
    record = ComplianceCheck(
        kind=request.kind, district_code=request.district,
        reference=request.parsed.facts.get("reference"), decision=decision.decision,
        inputs=audit.jsonable(inputs), reasons=[r.as_dict() for r in decision.reasons],
        outcome=decision.outcome() or None,
        geom=storage_wkb([request.site], caps)[0] if request.site else None,
        quota_offset_mu=decision.quota_offset_mu, pack=decision.pack,
        pack_version=decision.pack_version, draft=decision.draft, checked_on=day, source=source,
        batch=batch, row=row, recorded_by=user.name, recorded_at=utcnow())
    session.add(record)
    session.flush()
    audit.record(session, actor=user.name, action="compliance_check", entity_type="check",
                 entity_id=str(record.id),
                 after={"kind": record.kind, "district_code": record.district_code,
                        "decision": record.decision, "pack": record.pack,
                        "pack_version": record.pack_version, "source": source, "batch": batch,
                        "row": row})
    return record


def crs_of(session: Session, user: Principal, site: shapely.Geometry | None,
           projected_crs: str | None) -> Callable[[], CRS]:
    """The city's projected zone, looked up only when a site needs it."""
    def resolve() -> CRS:
        assert site is not None
        return resolve_projected_crs(session, projected_crs, site.bounds, user.name)
    return resolve


def run_check(store: Store, user: Principal, kind: str, values: Mapping[str, Any], *,
              on: dt.date | None = None, projected_crs: str | None = None,
              source: str = "api") -> dict[str, Any]:
    """Check one request (``values`` by field code, with ``geometry`` as GeoJSON) and keep it.
    Unknown fields are refused (422, naming the field)."""
    check_kind(kind)
    require_write(user)
    store.ensure_current()
    request = read_request(kind, values, strict=True)
    require_write_district(user, request.district, "district_code")
    day = on or city_today()
    with store.session() as session:
        decision = judge(session, request, day,
                         crs_of(session, user, request.site, projected_crs))
        if decision.decision == "invalid":
            raise CheckInvalid(decision)  # the session rolls back: nothing stored
        record = keep(session, store.caps, user, request, decision, day, source=source)
        return check_record(record, user, _names(session))


def _names(session: Session) -> dict[str, str]:
    return {code: name for code, name in session.execute(select(District.code, District.name))}


def pack_names(pack_id: str) -> dict[str, str | None]:
    """The title and source document of the pack a check used (None when it is no longer read:
    the stored id and version still say which it was)."""
    try:
        pack = rule_packs.load(pack_id, CompliancePack)
    except LandrenewError:
        return {"pack_title": None, "pack_source": None}
    return {"pack_title": pack.title.zh, "pack_source": pack.source}


def check_record(row: ComplianceCheck, user: Principal, names: dict[str, str]) -> dict[str, Any]:
    """A stored check as the faces show it (the reference hidden from read-only roles)."""
    private = not user.sees_sensitive
    inputs = dict(row.inputs or {})
    if private:
        inputs.pop("reference", None)
    return {
        "id": row.id, "kind": row.kind, "kind_name": KIND_NAMES[row.kind][0],
        "district_code": row.district_code,
        "district_name": places.place_name(row.district_code, names),
        "reference": None if private else row.reference, "decision": row.decision,
        "decision_name": DECISIONS.get(row.decision, (row.decision,))[0],
        "reasons": row.reasons, "pack": row.pack, "pack_version": row.pack_version,
        **pack_names(row.pack),
        "draft": row.draft, **(row.outcome or {}), "checked_on": row.checked_on,
        "source": row.source, "batch": row.batch, "row": row.row,
        "recorded_by": row.recorded_by, "recorded_at": row.recorded_at, "inputs": inputs,
        "geometry": (shapely.geometry.mapping(shapely.from_wkb(row.geom))
                     if row.geom is not None else None),
    }


def list_checks(store: Store, user: Principal, *, kind: str | None = None,
                district: str | None = None, decision: str | None = None, limit: int = 100,
                offset: int = 0) -> tuple[int, list[dict[str, Any]]]:
    """Past checks, newest first, within the user's districts (naming another is 403)."""
    store.ensure_current()
    if kind:
        check_kind(kind)
    if decision and decision not in DECISIONS:
        raise InputError(f"unknown decision '{decision}' (known: {', '.join(DECISIONS)})",
                         field="decision")
    scope = district_filter(user, places.check_code(district) if district else None)
    stmt = select(ComplianceCheck)
    if kind:
        stmt = stmt.where(ComplianceCheck.kind == kind)
    if decision:
        stmt = stmt.where(ComplianceCheck.decision == decision)
    if scope is not None:
        stmt = stmt.where(ComplianceCheck.district_code.in_(scope))
    with store.read_session() as session:
        total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        rows = session.scalars(stmt.order_by(ComplianceCheck.id.desc())
                               .limit(limit).offset(offset)).all()
        names = _names(session)
        return int(total), [check_record(r, user, names) for r in rows]


def get_check(store: Store, user: Principal, check_id: int) -> dict[str, Any]:
    """One stored check; another district's is answered as absent (404)."""
    store.ensure_current()
    with store.read_session() as session:
        row = session.get(ComplianceCheck, check_id)
        if row is None:
            raise NotFound(f"no check {check_id}", field="check_id")
        require_district(user, row.district_code, f"check {check_id}", "check_id")
        return check_record(row, user, _names(session))


def quota_offsets(store: Store, user: Principal, district: str | None = None
                  ) -> list[dict[str, Any]]:
    """The reserved-land quota offsets of the stored legacy-land checks (for the quota ledger):
    each check with its village, area, offset and the rule and clause behind it."""
    _, items = list_checks(store, user, kind="legacy_land", district=district,
                           decision="eligible", limit=1_000_000)
    out = []
    for item in items:
        offset = item.get("quota_offset_mu")
        if offset in (None, "0"):
            continue
        basis: dict[str, Any] = next(
            (r for r in item["reasons"] if r["field"] == "quota_offset_mu"), {})
        out.append({"check_id": item["id"], "district_code": item["district_code"],
                    "village": item["inputs"].get("village"),
                    "area_mu": (basis.get("of") or {}).get("value"), "offset_mu": offset,
                    "rule": basis.get("rule"), "clause": basis.get("clause"),
                    "pack": item["pack"], "pack_version": item["pack_version"],
                    "checked_on": item["checked_on"]})
    return out
