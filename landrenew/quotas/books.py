"""The quota ledgers in the store (指标台账): entries read from and appended to the signed,
hash-chained ledgers (one ``quota:CITY:KIND`` per city and kind), and the facts the rules need
about holders (a village's district and pre-borrowing space, a district's farmland obligation,
a project's tags, district and village).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from landrenew.core import audit, ledger, places
from landrenew.core.errors import InputError, NotFound
from landrenew.core.ledger import LedgerTrust
from landrenew.core.store import utcnow
from landrenew.core.store.models import LedgerRecord, Project, QuotaHolder
from landrenew.quotas.accounts import Entry, Holder, mu_str, parse_holder
from landrenew.quotas.rules import Allowed

PREFIX = "quota:"


def ledger_of(city: str, kind: str) -> str:
    """The ledger of a city's quota of one kind."""
    return f"{PREFIX}{city}:{kind}"


def entry_of(rec: LedgerRecord) -> Entry:
    d = rec.details if isinstance(rec.details, dict) else {}
    return Entry(kind=str(d.get("kind")), source=parse_holder(d.get("from")),
                 target=parse_holder(d.get("to")), mu=Decimal(str(d.get("mu"))),
                 movement=rec.action, year=d.get("year"), on=rec.effective_on,
                 project=rec.project_id, seq=rec.seq, reverses=d.get("reverses"))


def records(session: Session, *, city: str | None = None, kind: str | None = None
            ) -> list[LedgerRecord]:
    """The quota ledgers' records (of a city, a kind), in order."""
    stmt = select(LedgerRecord)
    if city and kind:
        stmt = stmt.where(LedgerRecord.ledger == ledger_of(city, kind))
    else:
        stmt = stmt.where(LedgerRecord.ledger.like(f"{PREFIX}{city or ''}%"))
        if kind:
            stmt = stmt.where(LedgerRecord.ledger.like(f"%:{kind}"))
    return list(session.scalars(stmt.order_by(LedgerRecord.ledger, LedgerRecord.seq)))


def entries(session: Session, city: str, kind: str) -> list[Entry]:
    return [entry_of(r) for r in records(session, city=city, kind=kind)]


def append(session: Session, trust: LedgerTrust, *, city: str, entry: Entry, actor: str,
           allowed: list[Allowed], pack: Any, extra: dict[str, Any]) -> LedgerRecord:
    """Append a checked entry (signed when the store's trust signs) and audit the new head."""
    name = ledger_of(city, entry.kind)
    main = allowed[0]
    details = audit.jsonable({
        "kind": entry.kind, "from": str(entry.source), "to": str(entry.target),
        "mu": mu_str(entry.mu), "year": entry.year, "reverses": entry.reverses,
        "rule": main.rule, "clause": main.clause, "rules": [a.as_dict() for a in allowed],
        "pack": pack.id, "pack_version": pack.version, **extra})
    rec = ledger.append(session, trust, ledger=name, project_id=entry.project, phase_id=None,
                        subject=str(entry.target)[:64], action=entry.movement,
                        effective_on=entry.on, recorded_by=actor, details=details)
    audit.record(session, actor=actor, action=f"quota_{entry.movement}", entity_type="ledger",
                 entity_id=name, reason=extra.get("reason"),
                 after={"seq": rec.seq, "hash": rec.hash, "kind": entry.kind,
                        "from": details["from"], "to": details["to"], "mu": details["mu"]})
    return rec


# ------------------------------------------------------------------------------ holders


@dataclass(frozen=True)
class HolderInfo:
    """A holder as the rules and the scope see it."""

    holder: Holder
    district: str | None  # None: the city (or outside the books)
    city: str | None
    tags: tuple[str, ...] = ()
    village: str | None = None
    preborrow_space: Decimal | None = None
    obligation: Decimal | None = None
    project: Project | None = None


def holder_row(session: Session, holder: Holder) -> QuotaHolder | None:
    return session.scalars(select(QuotaHolder).where(QuotaHolder.holder == str(holder))).first()


def info(session: Session, holder: Holder, field: str = "holder") -> HolderInfo:
    """What is known of a holder; an unregistered village or an unknown project is refused."""
    row = holder_row(session, holder) if holder.type in ("village", "district", "project") \
        else None
    space = row.preborrow_space_mu if row is not None else None
    obligation = row.obligation_mu if row is not None else None
    if holder.type == "city":
        return HolderInfo(holder, None, holder.name)
    if holder.type == "district":
        return HolderInfo(holder, holder.name, places.city_of(holder.name),
                          obligation=obligation)
    if holder.type == "village":
        if row is None:
            raise InputError(f"village {holder.name} is not registered: register it with its "
                             "district first", field=field)
        return HolderInfo(holder, row.district_code, places.city_of(row.district_code),
                          preborrow_space=space)
    if holder.type == "project":
        project = session.get(Project, int(holder.name))
        if project is None:
            raise NotFound(f"no project {holder.name}", field=field)
        return HolderInfo(holder, project.district_code, places.city_of(project.district_code),
                          tuple(project.tags or ()), row.village if row is not None else None,
                          project=project)
    return HolderInfo(holder, None, None)


def districts_of(session: Session, holders: Iterable[Holder]) -> dict[Holder, str | None]:
    """The district of each booked holder (None: the city, or outside the books; a village or
    project no longer known is treated as the city's)."""
    out: dict[Holder, str | None] = {}
    villages = {f"village:{h.name}" for h in holders if h.type == "village"}
    rows = {r.holder: r.district_code for r in session.scalars(
        select(QuotaHolder).where(QuotaHolder.holder.in_(villages)))} if villages else {}
    ids = {int(h.name) for h in holders if h.type == "project"}
    projects = dict(session.execute(select(Project.id, Project.district_code)
                                    .where(Project.id.in_(ids))).all()) if ids else {}
    for h in holders:
        if h.type == "district":
            out[h] = h.name
        elif h.type == "village":
            out[h] = rows.get(str(h))
        elif h.type == "project":
            out[h] = projects.get(int(h.name))
        else:
            out[h] = None
    return out


def save_holder(session: Session, actor: str, holder: Holder, district: str, *,
                reason: str | None, **values: Any) -> QuotaHolder:
    """Create or change a holder's row, audited with the row before and after."""
    row = holder_row(session, holder)
    before = _row(row) if row is not None else None
    if row is None:
        row = QuotaHolder(holder=str(holder), district_code=district, version=0,
                          updated_by=actor, updated_at=utcnow())
        session.add(row)
    elif row.district_code != district:
        raise InputError(f"{holder} is registered in district {row.district_code}, not "
                         f"{district}", field="district")
    for k, v in values.items():
        setattr(row, k, v)
    row.version += 1
    row.updated_by = actor
    row.updated_at = utcnow()
    session.flush()
    audit.record(session, actor=actor, action="update" if before else "insert",
                 entity_type="quota_holder", entity_id=str(holder), reason=reason,
                 before=before, after=_row(row))
    return row


def _row(row: QuotaHolder) -> dict[str, Any]:
    return audit.jsonable({"holder": row.holder, "district_code": row.district_code,
                           "village": row.village, "preborrow_space_mu": row.preborrow_space_mu,
                           "obligation_mu": row.obligation_mu, "version": row.version})
