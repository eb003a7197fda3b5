"""Reading the quota ledgers (指标台账查询): entries as the faces show them, balances by kind,
holder and year on any date, an account's entries with its running balance, the year's
ring-fence, and the history of a balance (for a sparkline) — each within the reader's districts
(district staff see the accounts of their districts' districts, villages and projects; the
city's own accounts and the outside of the books are city-wide readers').
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from landrenew.core import places
from landrenew.core.access import PermissionDenied, Principal
from landrenew.core.errors import InputError
from landrenew.core.store import Store
from landrenew.core.store.models import LedgerRecord, Project
from landrenew.quotas import books
from landrenew.quotas.accounts import (
    HOLDER_TYPES,
    KINDS,
    MOVEMENTS,
    ZERO,
    Account,
    Entry,
    Holder,
    balances,
    check_kind,
    check_year,
    mu_str,
    parse_holder,
)
from landrenew.quotas.packs import quotas_pack
from landrenew.quotas.programme import ring_fence, ring_fence_status


def holder_name(holder: Holder | str, names: dict[str, str] | None = None) -> str:
    """A holder in words (广州市, 黄埔区, 某某村, the project's name or 项目 12, 来源 plan)."""
    h = holder if isinstance(holder, Holder) else parse_holder(holder)
    if h.type in ("city", "district"):
        return places.place_name(h.name, names)
    if h.type == "project" and names and str(h) in names:
        return names[str(h)]
    if h.type == "village":
        return h.name
    return f"{HOLDER_TYPES[h.type][0]} {h.name}"


def project_names(session: Session, holders: Iterable[Holder]) -> dict[str, str]:
    """The names of the project holders among ``holders`` (``project:12`` → its name)."""
    ids = {int(h.name) for h in holders if h.type == "project"}
    if not ids:
        return {}
    return {f"project:{i}": n for i, n in session.execute(
        select(Project.id, Project.name).where(Project.id.in_(ids)))}


def entry_record(rec: LedgerRecord) -> dict[str, Any]:
    """A ledger record of a quota ledger as the faces show it."""
    d = dict(rec.details) if isinstance(rec.details, dict) else {}
    kind = str(d.get("kind"))
    return {"id": rec.id, "ledger": rec.ledger, "seq": rec.seq, "kind": kind,
            "kind_name": KINDS.get(kind, (kind,))[0], "from": d.get("from"), "to": d.get("to"),
            "from_name": holder_name(str(d.get("from"))), "to_name": holder_name(str(d.get("to"))),
            "mu": d.get("mu"), "movement": rec.action,
            "movement_name": MOVEMENTS.get(rec.action, (rec.action,))[0],
            "year": d.get("year"), "on": rec.effective_on, "project": rec.project_id,
            "check": d.get("check"), "reason": d.get("reason"), "evidence": d.get("evidence"),
            "rule": d.get("rule"), "clause": d.get("clause"), "rules": d.get("rules") or [],
            "pack": d.get("pack"), "pack_version": d.get("pack_version"),
            "reverses": d.get("reverses"), "reverses_entry": d.get("reverses_entry"),
            "recorded_by": rec.recorded_by, "recorded_at": rec.recorded_at,
            "hash": rec.hash, "signed": rec.signature is not None}


def _scope(session: Session, user: Principal, holders: Iterable[Holder]
           ) -> dict[Holder, bool]:
    """Which holders the user sees."""
    scope = user.scope
    hs = set(holders)
    if scope is None:
        return dict.fromkeys(hs, True)
    where = books.districts_of(session, hs)
    return {h: where[h] is not None and where[h] in scope for h in hs}


def _filters(user: Principal, kind: str | None, holder: str | None
             ) -> tuple[str | None, Holder | None]:
    if kind:
        check_kind(kind)
    return kind, (parse_holder(holder) if holder else None)


def _all_entries(session: Session, kind: str | None, city: str | None = None
                 ) -> list[tuple[LedgerRecord, Entry]]:
    return [(r, books.entry_of(r)) for r in books.records(session, city=city, kind=kind)]


def balance_list(store: Store, user: Principal, *, kind: str | None = None,
                 holder: str | None = None, on: dt.date | None = None,
                 year: int | None = None) -> list[dict[str, Any]]:
    """``[{kind, holder, year, balance_mu}]`` of every account on the books (booked holders) at
    the end of ``on`` (today's books when ``None``), within the user's districts."""
    kind, wanted = _filters(user, kind, holder)
    store.ensure_current()
    with store.read_session() as session:
        pairs = _all_entries(session, kind)
        found = balances((e for _, e in pairs), on)
        accounts = [a for a in found if a.holder.booked and (wanted is None or a.holder == wanted)
                    and (year is None or a.year == year)]
        seen = _scope(session, user, (a.holder for a in accounts))
        if wanted is not None and not seen.get(wanted, True):
            raise PermissionDenied(f"{wanted} is not in your districts", field="holder")
        named = project_names(session, (a.holder for a in accounts))
        out = [{"kind": a.kind, "kind_name": KINDS[a.kind][0], "holder": str(a.holder),
                "holder_name": holder_name(a.holder, named), "year": a.year,
                "balance_mu": mu_str(found[a])} for a in accounts if seen[a.holder]]
        return sorted(out, key=lambda r: (list(KINDS).index(r["kind"]), r["holder"],
                                          r["year"] or 0))


def entry_list(store: Store, user: Principal, *, kind: str | None = None,
               holder: str | None = None, year: int | None = None,
               on: dt.date | None = None, limit: int = 500, offset: int = 0
               ) -> tuple[int, list[dict[str, Any]]]:
    """The entries (of an account when ``holder`` is given, with its balance after each),
    oldest first, within the user's districts."""
    kind, wanted = _filters(user, kind, holder)
    store.ensure_current()
    with store.read_session() as session:
        pairs = [(r, e) for r, e in _all_entries(session, kind)
                 if (wanted is None or wanted in (e.source, e.target))
                 and (year is None or e.year == year) and (on is None or e.on <= on)]
        seen = _scope(session, user, {h for _, e in pairs for h in (e.source, e.target)})
        if wanted is not None and not seen.get(wanted, True):
            raise PermissionDenied(f"{wanted} is not in your districts", field="holder")
        visible = [(r, e) for r, e in pairs
                   if (e.source.booked and seen[e.source]) or (e.target.booked and seen[e.target])]
        visible.sort(key=lambda p: (p[1].on, p[0].id))
        named = project_names(session, {h for _, e in visible for h in (e.source, e.target)})
        running: dict[Account, Decimal] = {}
        rows = []
        for r, e in visible:
            row = entry_record(r)
            row["from_name"], row["to_name"] = (holder_name(e.source, named),
                                                holder_name(e.target, named))
            if wanted is not None:
                acc = e.credit if e.target == wanted else e.debit
                running[acc] = running.get(acc, ZERO) + (e.mu if e.target == wanted else -e.mu)
                row["balance_after_mu"] = mu_str(running[acc])
            rows.append(row)
        return len(rows), rows[offset:offset + limit]


def ring_fence_year(store: Store, user: Principal, city: str, year: int) -> dict[str, Any]:
    """The year's ring-fence: planned, allocated, used and left, against the pack's minimum."""
    code = places.check_code(city, "city")
    if places.level(code) != "city":
        raise InputError(f"{code} is not a city code", field="city")
    check_year("construction", year)
    store.ensure_current()
    with store.read_session() as session:
        status = ring_fence_status((e for _, e in _all_entries(session, "ring_fence", code)),
                                   Holder("city", code), year)
    fence = ring_fence(quotas_pack(code, dt.date(year, 12, 31)), Decimal(status["planned_mu"]))
    return {"city": code, "year": year, **status, **fence.as_dict()}


def history(store: Store, user: Principal, kind: str, holder: str, year: int | None = None
            ) -> list[dict[str, Any]]:
    """The balance of an account after each day it moved (a sparkline's points)."""
    rows = entry_list(store, user, kind=kind, holder=holder, year=year, limit=10_000)[1]
    points: dict[str, str] = {}
    for r in rows:
        points[str(r["on"])] = r["balance_after_mu"]
    return [{"on": d, "balance_mu": b} for d, b in points.items()]


def ring_fence_years(store: Store, user: Principal) -> list[dict[str, Any]]:
    """The ring-fence of every city and year on the books."""
    store.ensure_current()
    with store.read_session() as session:
        found = {(r.ledger.split(":")[1], e.year) for r, e in _all_entries(session, "ring_fence")
                 if e.year is not None}
    return [ring_fence_year(store, user, city, year) for city, year in sorted(found)]


def export(store: Store, user: Principal, *, kind: str | None = None,
           on: dt.date | None = None) -> bytes:
    """The ledger the user sees as the bureau's Excel workbook."""
    from landrenew.quotas.export import ledger_workbook

    rows = entry_list(store, user, kind=kind, on=on, limit=1_000_000)[1]
    return ledger_workbook(rows, balance_list(store, user, kind=kind, on=on),
                           ring_fence_years(store, user) if user.scope is None else [],
                           user=user.name)


def sparklines(store: Store, user: Principal, *, kind: str | None = None,
               on: dt.date | None = None) -> dict[str, list[str]]:
    """Every booked account's balance after each day it moved (``kind/holder/year`` → the
    balances in order), for the sparklines of the balances page."""
    if kind:
        check_kind(kind)
    store.ensure_current()
    with store.read_session() as session:
        pairs = sorted(_all_entries(session, kind), key=lambda p: (p[1].on, p[0].id))
    running: dict[Account, Decimal] = {}
    days: dict[Account, dict[dt.date, Decimal]] = {}
    for _, e in pairs:
        if on is not None and e.on > on:
            continue
        for acc, sign in ((e.debit, -1), (e.credit, 1)):
            if acc.holder.booked:
                running[acc] = running.get(acc, ZERO) + sign * e.mu
                days.setdefault(acc, {})[e.on] = running[acc]
    return {str(a): [mu_str(v) for v in d.values()] for a, d in days.items()}
