"""Quota ledgers as services (指标台账): the annual plan and its ring-fence, movements checked by
the rules of the place's quota pack and booked as signed double entries, corrections as
reversing entries, the legacy-land offset against a village's reserved land, the reward of an
accepted consolidation pilot, and the villages and district obligations the rules read.

Who may do what: the city's own movements (a plan, a reward, anything taken from the city's
accounts) are city staff's and administrators'; district staff move quota out of the accounts of
their districts (their villages and projects) only, and see only those accounts; viewers read
everything, write nothing. Every write is audited; the ledger a movement is booked on must pass
its checks first (409 ``ledger_broken``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from landrenew.core import places
from landrenew.core.access import PermissionDenied, Principal, require_write
from landrenew.core.clock import city_today
from landrenew.core.errors import InputError, NotFound
from landrenew.core.ledger import trust_of
from landrenew.core.ledger_check import require_intact
from landrenew.core.store import Store
from landrenew.core.store.models import LedgerRecord, Project
from landrenew.quotas import books
from landrenew.quotas.accounts import (
    Entry,
    Holder,
    check_kind,
    check_movement_name,
    check_year,
    mu_str,
    parse_holder,
    parse_mu,
)
from landrenew.quotas.packs import quotas_pack
from landrenew.quotas.programme import check_plan, reward_due, ring_fence, split_offset
from landrenew.quotas.rules import Facts, check_move, check_reversal
from landrenew.quotas.views import entry_record


def require_writer(user: Principal, district: str | None, field: str) -> None:
    """Write to an account of ``district`` (None: the city's own)."""
    require_write(user)
    if district is None and user.scope is not None:
        raise PermissionDenied("only city staff move the city's own quota", field=field)
    if district is not None and not user.covers(district):
        raise PermissionDenied(f"district '{district}' is not assigned to you", field=field)


def _city_of(a: books.HolderInfo, b: books.HolderInfo) -> str:
    cities = {c for c in (a.city, b.city) if c}
    if len(cities) != 1:
        raise InputError(f"{a.holder} and {b.holder} are in different cities: each city keeps "
                         "its own quota ledger", field="to")
    return cities.pop()


def _book(session: Session, store: Store, user: Principal, entry: Entry, *,
          reason: str, facts: Facts, extra: dict[str, Any] | None = None,
          reversal: bool = False) -> LedgerRecord:
    """Check ``entry`` on its city's ledger and append it (in the caller's transaction)."""
    a = books.info(session, entry.source, "from")
    b = books.info(session, entry.target, "to")
    city = _city_of(a, b)
    writer = a if entry.source.booked else b
    if reversal:  # the one who could make the entry corrects it
        writer = b if entry.target.booked else a
    if entry.movement in ("plan", "reward"):
        require_writer(user, None, "from")
    else:
        require_writer(user, writer.district, "from")
    place = a.district or b.district or city
    pack = quotas_pack(place, entry.on)
    trust = trust_of(store)
    name = books.ledger_of(city, entry.kind)
    require_intact(session, trust, name)
    ledger = books.entries(session, city, entry.kind)
    checked = check_reversal if reversal else check_move
    allowed = checked(pack, entry, ledger, facts)
    return books.append(session, trust, city=city, entry=entry, actor=user.name,
                        allowed=allowed, pack=pack, extra={"reason": reason, **(extra or {})})


def _facts(session: Session, source: Holder, target: Holder, *, waived: bool = False,
           accepted_on: dt.date | None = None, due: Decimal | None = None) -> Facts:
    tags: dict[str, tuple[str, ...]] = {}
    village: dict[str, str | None] = {}
    space = obligation = None
    for h in (source, target):
        i = books.info(session, h)
        if h.type == "project":
            tags[str(h)], village[str(h)] = i.tags, i.village
    src = books.info(session, source)
    space, obligation = src.preborrow_space, src.obligation
    return Facts(tags, village, space, obligation, waived, accepted_on, due)


def _reason(reason: str | None) -> str:
    if not reason or not reason.strip():
        raise InputError("give the reason for the entry", field="reason")
    return reason.strip()


def accepted_on(project: Project) -> dt.date | None:
    """The day a consolidation pilot was accepted (验收): a completed project's end."""
    if project.stage == "completed" and project.actual_end is not None:
        return project.actual_end
    return None


def move(store: Store, user: Principal, kind: str, source: str, target: str, mu: Any,
         movement: str, *, reason: str | None, year: int | None = None,
         project: int | None = None, on: dt.date | None = None, evidence: str | None = None,
         village_waived: bool = False, new_farmland_mu: Any = None,
         revitalised_mu: Any = None, check: int | None = None) -> dict[str, Any]:
    """Book one movement (the entry as the faces show it), or refuse it naming the rule."""
    check_kind(kind)
    check_movement_name(movement)
    year = check_year(kind, year)
    amount = parse_mu(mu)
    src, dst = parse_holder(source, "from"), parse_holder(target, "to")
    why = _reason(reason)
    if village_waived and not (evidence or "").strip():
        raise InputError("a village's waiver of its priority needs its evidence (the "
                         "villagers' decision)", field="evidence")
    day = on or city_today()
    store.ensure_current()
    with store.session() as session:
        extra: dict[str, Any] = {"evidence": evidence, "check": check}
        accepted, due = None, None
        if project is not None:
            linked = session.get(Project, project)
            if linked is None or not user.covers(linked.district_code):
                raise NotFound(f"no project {project}", field="project")
            accepted = accepted_on(linked)
        if movement == "reward" and new_farmland_mu is not None and revitalised_mu is not None:
            where = books.info(session, dst, "to")
            pack = quotas_pack(where.district or where.city or "", day)
            reward = reward_due(pack, parse_mu(new_farmland_mu, "new_farmland_mu"),
                                parse_mu(revitalised_mu, "revitalised_mu"))
            due = reward.due
            extra["reward"] = reward.as_dict()
        if village_waived:
            extra["village_waived"] = True
        facts = _facts(session, src, dst, waived=village_waived, accepted_on=accepted, due=due)
        entry = Entry(kind, src, dst, amount, movement, year, day, project)
        rec = _book(session, store, user, entry, reason=why, facts=facts, extra=extra)
        return entry_record(rec)


def plan(store: Store, user: Principal, city: str, year: int, construction_mu: Any,
         ring_fence_mu: Any, *, on: dt.date | None = None, reason: str | None = None
         ) -> dict[str, Any]:
    """Record the year's plan: the new construction quota handed to the city, of which the
    ring-fence for the programme; the answer says whether the ring-fence meets the minimum."""
    require_writer(user, None, "city")
    code = places.check_code(city, "city")
    if places.level(code) != "city":
        raise InputError(f"{code} is not a city code", field="city")
    total = parse_mu(construction_mu, "construction_mu")
    ring = parse_mu(ring_fence_mu, "ring_fence_mu")
    check_plan(total, ring)
    why = (reason or "").strip() or f"{year}年度土地利用计划"
    day = on or dt.date(year, 1, 1)
    store.ensure_current()
    with store.session() as session:
        pack = quotas_pack(code, day)
        fence = ring_fence(pack, ring)
        src, dst = Holder("source", "plan"), Holder("city", code)
        for kind in ("construction", "ring_fence"):
            kept = books.entries(session, code, kind)
            if any(e.movement == "plan" and e.year == year and e.source == src and e.target == dst
                   and e.reverses is None and not any(r.reverses == e.seq for r in kept)
                   for e in kept):
                raise InputError(f"the {year} plan of {code} is already recorded: reverse its "
                                 "entries to record it anew", field="year")
        out = []
        extra = {"plan_total_mu": mu_str(total), "ring_fence": fence.as_dict()}
        for kind, amount in (("construction", total - ring), ("ring_fence", ring)):
            if amount > 0:
                entry = Entry(kind, src, dst, amount, "plan", year, day)
                rec = _book(session, store, user, entry, reason=why, facts=Facts(),
                            extra=extra)
                out.append(entry_record(rec))
        return {"city": code, "year": year, "construction_mu": mu_str(total),
                **fence.as_dict(), "entries": out}


def reverse(store: Store, user: Principal, entry_id: int, *, reason: str | None,
            on: dt.date | None = None) -> dict[str, Any]:
    """Correct an entry by a reversing entry (冲正): the same amount moved back; the entry itself
    is never edited. An entry already reversed, or a reversal, is not reversed again."""
    why = _reason(reason)
    store.ensure_current()
    with store.session() as session:
        rec = session.get(LedgerRecord, entry_id)
        if rec is None or not rec.ledger.startswith(books.PREFIX):
            raise NotFound(f"no quota entry {entry_id}", field="entry")
        original = books.entry_of(rec)
        if original.reverses is not None:
            raise InputError(f"entry {entry_id} is itself a correction", field="entry")
        if any(e.reverses == rec.seq for e in books.entries(session, rec.ledger.split(":")[1],
                                                            original.kind)):
            raise InputError(f"entry {entry_id} is already reversed", field="entry")
        back = Entry(original.kind, original.target, original.source, original.mu,
                     original.movement, original.year, max(on or city_today(), original.on),
                     original.project, reverses=rec.seq)
        facts = _facts(session, back.source, back.target)
        done = _book(session, store, user, back, reason=why, facts=facts,
                     extra={"reverses_entry": entry_id}, reversal=True)
        return entry_record(done)


def offset_legacy(store: Store, user: Principal, village: str, area_mu: Any, *,
                  on: dt.date | None = None, check: int | None = None,
                  reason: str | None = None) -> dict[str, Any]:
    """Book the legacy-land offset (历史遗留建设用地抵扣留用地指标): the pack's share (50 %) of
    the area against the village's reserved land, the part it does not hold pre-borrowed
    within its space (refused beyond it, naming the balance and the amount)."""
    holder = parse_holder(village if ":" in str(village) else f"village:{village}", "village")
    if holder.type != "village":
        raise InputError(f"{holder} is not a village", field="village")
    area = parse_mu(area_mu, "area_mu")
    day = on or city_today()
    why = (reason or "").strip() or "历史遗留建设用地抵扣留用地指标"
    store.ensure_current()
    with store.session() as session:
        known = books.info(session, holder, "village")
        assert known.city is not None and known.district is not None
        require_writer(user, known.district, "village")
        pack = quotas_pack(known.district, day)
        ledger = books.entries(session, known.city, "reserved_land")
        held = Decimal(0)
        for e in ledger:
            if e.on <= day:
                held += e.mu if e.target == holder else (-e.mu if e.source == holder else 0)
        split = split_offset(pack, holder.name, area, held, known.preborrow_space)
        facts = Facts(preborrow_space=known.preborrow_space)
        sink = Holder("sink", "offset")
        extra = {"area_mu": mu_str(area), "ratio": mu_str(split.ratio), "check": check}
        out = []
        for movement, amount in (("offset", split.from_balance), ("preborrow", split.preborrowed)):
            if amount > 0:
                rec = _book(session, store, user,
                            Entry("reserved_land", holder, sink, amount, movement, None, day),
                            reason=why, facts=facts, extra=extra)
                out.append(entry_record(rec))
        return {"village": holder.name, "area_mu": mu_str(area), "ratio": mu_str(split.ratio),
                "offset_mu": mu_str(split.total), "from_balance_mu": mu_str(split.from_balance),
                "preborrowed_mu": mu_str(split.preborrowed), "entries": out}


def register_village(store: Store, user: Principal, name: str, district: str, *,
                     preborrow_space_mu: Any = None, projects: list[int] | None = None,
                     reason: str | None = None) -> dict[str, Any]:
    """Register a village collective (村集体) in its district, with its pre-borrowing space for
    reserved land and the projects that lie in it."""
    holder = parse_holder(f"village:{str(name or '').strip()}", "name")
    code = places.check_code(district, "district")
    require_writer(user, code, "district")
    space = parse_mu(preborrow_space_mu, "preborrow_space_mu") \
        if preborrow_space_mu not in (None, "", "0", 0) else None
    store.ensure_current()
    with store.session() as session:
        values: dict[str, Any] = {}
        if preborrow_space_mu is not None:
            values["preborrow_space_mu"] = space
        row = books.save_holder(session, user.name, holder, code, reason=reason, **values)
        for pid in projects or []:
            project = session.get(Project, pid)
            if project is None:
                raise NotFound(f"no project {pid}", field="projects")
            if project.district_code != code:
                raise InputError(f"project {pid} lies in {project.district_code}, not in the "
                                 f"village's district {code}", field="projects")
            books.save_holder(session, user.name, Holder("project", str(pid)), code,
                              reason=reason, village=holder.name)
        return {"village": holder.name, "holder": str(holder), "district_code": code,
                "preborrow_space_mu": mu_str(row.preborrow_space_mu)
                if row.preborrow_space_mu is not None else None,
                "projects": list(projects or [])}


def set_obligation(store: Store, user: Principal, district: str, obligation_mu: Any, *,
                   reason: str | None = None) -> dict[str, Any]:
    """Record a district's farmland balance obligation (耕地占补平衡任务, 亩): only the
    farmland-supplement quota beyond it may be sold."""
    code = places.check_code(district, "district")
    require_writer(user, code, "district")
    text = str(obligation_mu).strip()
    amount = Decimal(0) if text in ("0", "0.0") else parse_mu(obligation_mu, "obligation_mu")
    store.ensure_current()
    with store.session() as session:
        books.save_holder(session, user.name, Holder("district", code), code,
                          reason=_reason(reason), obligation_mu=amount)
        return {"district_code": code, "obligation_mu": mu_str(amount)}


def propose_reward(store: Store, user: Principal, project_id: int, new_farmland_mu: Any,
                   revitalised_mu: Any, *, on: dt.date | None = None) -> dict[str, Any]:
    """The reward an accepted consolidation pilot is due (not booked): the entry to make, or
    why none may be made yet."""
    farmland = parse_mu(new_farmland_mu, "new_farmland_mu")
    revitalised = parse_mu(revitalised_mu, "revitalised_mu")
    day = on or city_today()
    store.ensure_current()
    with store.read_session() as session:
        project = session.get(Project, project_id)
        if project is None or not user.covers(project.district_code):
            raise NotFound(f"no project {project_id}", field="project")
        pack = quotas_pack(project.district_code, day)
        reward = reward_due(pack, farmland, revitalised)
        accepted = accepted_on(project)
        ready = accepted is not None and accepted <= day
        return {"project": project_id, "district_code": project.district_code,
                "accepted_on": accepted, "may_reward": ready, **reward.as_dict(),
                "entry": {"kind": "reward", "from": "source:reward",
                          "to": f"district:{project.district_code}",
                          "mu": mu_str(reward.due), "movement": "reward",
                          "project": project_id} if ready else None}


def offset_from_check(store: Store, user: Principal, check_id: int, *,
                      on: dt.date | None = None) -> dict[str, Any]:
    """Book the offset a stored legacy-land check decided (合规审查的历史遗留用地认定): its
    village and area, once per check."""
    from landrenew.compliance.service import quota_offsets

    store.ensure_current()
    found = next((o for o in quota_offsets(store, user) if o["check_id"] == check_id), None)
    if found is None:
        raise NotFound(f"no eligible legacy-land check {check_id} with an offset",
                       field="check")
    if not found.get("village") or found.get("area_mu") is None:
        raise InputError(f"check {check_id} names no village or area", field="check")
    with store.read_session() as session:
        if any(r.details.get("check") == check_id for r in books.records(session)
               if isinstance(r.details, dict) and r.action in ("offset", "preborrow")):
            raise InputError(f"the offset of check {check_id} is already booked", field="check")
    return offset_legacy(store, user, str(found["village"]), found["area_mu"],
                         on=on or found["checked_on"], check=check_id,
                         reason=f"合规审查 {check_id}：历史遗留建设用地抵扣留用地指标")
