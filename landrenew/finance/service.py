"""The money of a consolidation project as services (土地整备资金台账): I/O around the pure
functions of :mod:`landrenew.finance`, every write audited, project scope applied.

- Cost ledger (成本台账): items are checked against the pack; an excluded or unknown item is
  refused with its clause and the refusal itself is put on the audit trail.
- Fund-balance study (资金平衡初步方案), storage-fee settlement (收储费用核算, with the payment
  milestones) and disbursements (资金拨付) are kept whole as :class:`FinanceRecord` rows: inputs
  and result, never changed; the newest of a kind is the current one.

Who may do what: the project's district writers and its consolidation entity keep the cost ledger
and the fund-balance study; the settlement and the disbursement are the city's decisions (the
committee approves the audited cost, finance pays), so an entity may read them but not make them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from landrenew.core import audit, ledger
from landrenew.core import packs as rule_packs
from landrenew.core.access import Principal, require_write, require_write_district
from landrenew.core.clock import city_today
from landrenew.core.errors import Conflict, InputError
from landrenew.core.ledger import trust_of
from landrenew.core.ledger_check import require_intact
from landrenew.core.store import Store, lock_for_write, utcnow
from landrenew.core.store.models import CostItem as CostRow
from landrenew.core.store.models import LedgerRecord, Project
from landrenew.finance import (
    BalanceInputs,
    CostItem,
    CostRefused,
    Milestone,
    check_cost_item,
    disburse,
    payment_schedule,
    sensitivity_grid,
    storage_fee,
    sum_by_category,
)
from landrenew.finance.costs import AcceptedCost
from landrenew.finance.money import parse_yuan, yuan_str
from landrenew.finance.packs import (
    ConsolidationMoneyPack,
    LandRevenuePack,
    consolidation_money_pack,
    land_revenue_pack,
)
from landrenew.finance.records import KINDS, keep, kept_records, replay
from landrenew.projects.service import project_record
from landrenew.projects.workflow_access import consolidation_project

#: The money ledger's kind: ``ledger_name(MONEY, project_id)`` holds every disbursement.
MONEY = "money"


def _money_project(session: Session, user: Principal, project_id: int) -> Project:
    """The project as the user may see it (404), following the consolidation workflow (409
    ``not_a_consolidation_project`` otherwise): the same check as the workflow's."""
    return consolidation_project(session, user, project_id, write=False)


def _require_city_decision(user: Principal, project: Project) -> None:
    """Settlements and disbursements are the city's decisions, not the entity's."""
    require_write(user)
    require_write_district(user, project.district_code, "district_code")


def _packs(project: Project, on: dt.date | None = None
           ) -> tuple[ConsolidationMoneyPack, LandRevenuePack]:
    """The money rules and the statutory provisions in force where the project lies, on ``on``
    (today in the city by default); 409 ``no_rules`` where the place has none."""
    day = on or city_today()
    return (consolidation_money_pack(project.district_code, day),
            land_revenue_pack(project.district_code, day))


def _provenance(*used: Any) -> dict[str, Any]:
    """Which packs a money decision used (kept with it, so it can be explained later)."""
    out = {}
    for pack in used:
        info = rule_packs.registry().get(pack.id)
        out[pack.kind] = {**rule_packs.provenance(info), "title": pack.title.zh}
    return out


# ---------------------------------------------------------------- cost ledger

def _stored(row: CostRow, pack: Any) -> AcceptedCost:
    """A stored item as the ledger shows it. It was checked when it was entered; it is not
    checked again (a later pack may name categories differently), only labelled."""
    found = pack.category(row.category)
    cat = found[0] if found else None
    return AcceptedCost(ref=row.id, category=row.category,
                        category_zh=cat.zh if cat else row.category, amount=row.amount,
                        description=row.description, evidence_sha256=row.evidence_sha256,
                        document_ref=row.document_ref,
                        rule=pack.rule(f"cost_categories.{row.category}"),
                        clause=cat.clause if cat else "")


def cost_row(row: CostRow, accepted: AcceptedCost) -> dict[str, Any]:
    return {**accepted.as_dict(), "id": row.id, "incurred_on": row.incurred_on,
            "recorded_by": row.recorded_by, "recorded_at": row.recorded_at}


def add_cost_item(store: Store, user: Principal, project_id: int, values: dict[str, Any]
                  ) -> dict[str, Any]:
    """Put an item in the cost ledger, or refuse it with the rule (422, ``cost_item_excluded``
    with the clause for the entity's staff cost, working expenses and management fees). A
    refusal is kept in the audit trail, so an auditor sees what was tried and why it was
    refused."""
    store.ensure_current()
    item = CostItem(str(values.get("category") or ""), values.get("amount"),
                    str(values.get("description") or ""), values.get("evidence_sha256"),
                    values.get("document_ref"))
    incurred = values.get("incurred_on")
    if incurred is not None and not isinstance(incurred, dt.date):
        try:
            incurred = dt.date.fromisoformat(str(incurred))
        except ValueError as exc:
            raise InputError(f"incurred_on '{incurred}' is not a date (YYYY-MM-DD)",
                             field="incurred_on") from exc
    refusal: CostRefused | None = None
    with store.session() as session:
        project = consolidation_project(session, user, project_id, write=True)
        money, _ = _packs(project)
        try:
            accepted = check_cost_item(item, money)
        except CostRefused as exc:
            refusal = exc
            audit.record(session, actor=user.name, action="cost_refused",
                         entity_type="project", entity_id=str(project_id),
                         reason=refusal.message,
                         after={"category": item.category, "amount": str(item.amount),
                                "code": refusal.code, "field": refusal.field,
                                "clause": refusal.clause})
        else:
            row = CostRow(project_id=project_id, category=accepted.category,
                          description=accepted.description, amount=accepted.amount,
                          evidence_sha256=accepted.evidence_sha256,
                          document_ref=accepted.document_ref, incurred_on=incurred,
                          recorded_by=user.name, recorded_at=utcnow())
            session.add(row)
            session.flush()
            out = cost_row(row, accepted)
            audit.record(session, actor=user.name, action="cost_added", entity_type="project",
                         entity_id=str(project_id), after=out)
    if refusal is not None:
        raise refusal  # only once the block has committed the refusal's audit record
    return out


def cost_ledger(store: Store, user: Principal, project_id: int) -> dict[str, Any]:
    """The ledger's items and the totals by category (every allowed category, zero included)."""
    store.ensure_current()
    with store.read_session() as session:
        money, _ = _packs(_money_project(session, user, project_id))
        return _ledger(session, project_id, money)


def _ledger(session: Session, project_id: int, money: Any) -> dict[str, Any]:
    """:func:`cost_ledger` of a project already checked, in the caller's session."""
    rows = list(session.scalars(select(CostRow).where(CostRow.project_id == project_id)
                                .order_by(CostRow.id)))
    accepted = [_stored(r, money) for r in rows]
    items = [cost_row(r, a) for r, a in zip(rows, accepted, strict=True)]
    allowed = {c.code for c in money.cost_categories}
    summary = sum_by_category([a for a in accepted if a.category in allowed], money)
    # items of categories the current pack no longer allows: shown and counted, never dropped
    unlisted = [a for a in accepted if a.category not in allowed]
    total = summary.total + sum((a.amount for a in unlisted), Decimal("0.00"))
    return {"project_id": project_id, "items": items, "summary": summary.as_dict(),
            "not_in_pack": [a.as_dict() for a in unlisted],
            "total": yuan_str(total), "excluded": [
                {"code": c.code, "zh": c.zh, "clause": c.clause} for c in money.excluded_categories]}


def ledger_total(session: Session, project_id: int) -> Decimal:
    """The cost ledger's total, summed here in :class:`Decimal` (not by the database)."""
    return sum(session.scalars(select(CostRow.amount).where(CostRow.project_id == project_id)),
               Decimal("0.00"))


def records(store: Store, user: Principal, project_id: int, kind: str | None = None
            ) -> list[dict[str, Any]]:
    """The project's money decisions, oldest first (a kind's newest is the current one)."""
    store.ensure_current()
    if kind is not None and kind not in KINDS:
        raise InputError(f"kind '{kind}' is not one of {', '.join(KINDS)}", field="kind")
    with store.read_session() as session:
        _money_project(session, user, project_id)
        return kept_records(session, project_id, kind)


def study_fund_balance(store: Store, user: Principal, project_id: int,
                       values: dict[str, Any]) -> dict[str, Any]:
    """资金平衡: costs against the expected land-sale revenue (supply area × FAR × floor price)
    less the statutory provisions, with the price × FAR sensitivity table; kept whole."""
    store.ensure_current()
    names = ("compensation", "resettlement_construction", "other_costs", "financing_cost",
             "supply_area_m2", "far", "floor_price")
    missing = [n for n in names if values.get(n) is None]
    if missing:
        raise InputError(f"the fund-balance study needs {', '.join(missing)}", field=missing[0])
    with store.session() as session:
        project = consolidation_project(session, user, project_id, write=True)
        money, provisions = _packs(project)
        grid = sensitivity_grid(BalanceInputs(**{n: values[n] for n in names}), money,
                                provisions)
        result = {"balance": grid.base.as_dict(), "sensitivity": grid.as_dict(),
                  "packs": _provenance(money, provisions)}
        return keep(session, user, project_id, "fund_balance",
                     {n: values[n] for n in names}, result)


def settle_storage_fee(store: Store, user: Principal, project_id: int,
                       values: dict[str, Any]) -> dict[str, Any]:
    """收储费用 = audited cost + service fee (the plan's rate × audited cost, plus any reward),
    with the payment milestones allocated to the fen. The audited cost is the third party's;
    the cost ledger's total is shown beside it (and used when no audited cost is given)."""
    store.ensure_current()
    with store.session() as session:
        project = _money_project(session, user, project_id)
        _require_city_decision(user, project)
        money, _ = _packs(project)
        ledger = ledger_total(session, project_id)
        audited = values.get("audited_cost")
        if audited is None:
            audited = yuan_str(ledger)
        if values.get("service_rate") is None:
            raise InputError("give the implementation plan's service-fee rate (e.g. \"0.05\")",
                             field="service_rate")
        fee = storage_fee(audited, values["service_rate"], money,
                          reward_amount=values.get("reward_amount"),
                          reward_rate=values.get("reward_rate"))
        milestones = values.get("milestones") or [{"name": "入库后一次付清", "share": "1"}]
        try:
            plan = [Milestone(str(m["name"]), m.get("share"), m.get("amount"), m.get("due"))
                    for m in milestones]
        except (KeyError, TypeError) as exc:
            raise InputError("each milestone needs a name and a share or an amount",
                             field="milestones") from exc
        schedule = payment_schedule(fee.total, plan, money)
        result = {"storage_fee": fee.as_dict(), "schedule": schedule.as_dict(),
                  "ledger_total": yuan_str(ledger),
                  "audited_differs_from_ledger": yuan_str(fee.audited_cost) != yuan_str(ledger),
                  "packs": _provenance(money)}
        inputs = {k: values.get(k) for k in ("audited_cost", "service_rate", "reward_amount",
                                             "reward_rate")} | {"milestones": milestones}
        return keep(session, user, project_id, "storage_settlement", inputs, result)


def record_disbursement(store: Store, user: Principal, project_id: int,
                        values: dict[str, Any], *,
                        idempotency_key: str | None = None) -> dict[str, Any]:
    """资金拨付 of one land sale: revenue → statutory provisions → the special loan → the rest
    of the storage fee to the entity → the remainder to the city; adds up to the fen.

    What was already paid towards the storage fee is read from the project's money ledger
    (signed, checked first), never taken from the request: a request that states another
    amount is refused (409 ``already_paid_mismatch``), and so is any disbursement that would
    pay beyond the fee. The same submission again (``idempotency_key``) is answered with the
    decision already made, not paid twice."""
    store.ensure_current()
    trust = trust_of(store)
    with store.session() as session:  # what was paid is read in the transaction that pays
        project = _money_project(session, user, project_id)
        _require_city_decision(user, project)
        money, provisions = _packs(project)
        # one disbursement of a project at a time: a second waits until this one commits, and
        # then counts it as paid
        lock_for_write(session, Project, project_id)
        inputs = {k: values.get(k) for k in ("revenue", "loan_principal", "loan_interest",
                                             "cost_base", "sold_on")}
        replayed = replay(session, project_id, "disbursement", idempotency_key, inputs)
        if replayed is not None:
            return replayed
        settlements = kept_records(session, project_id, "storage_settlement")
        if not settlements:
            raise Conflict("settle the storage fee first (收储费用核算): the disbursement "
                           "pays the entity what the settlement owes it", field="storage_fee",
                           code="no_storage_settlement")
        settlement = settlements[-1]
        if values.get("revenue") is None:
            raise InputError("give the land-sale revenue (土地出让收入)", field="revenue")
        fee = settlement["result"]["storage_fee"]["total"]
        name = ledger.ledger_name(MONEY, project_id)
        require_intact(session, trust, name)
        paid = paid_on_ledger(ledger.records(session, name))
        stated = values.get("already_paid")
        if stated is not None and parse_yuan(stated, field="already_paid") != Decimal(paid):
            raise Conflict(f"已拨付金额以资金台账为准：{paid} 元，请求所填 {stated} 元 | what was "
                           f"already paid is read from the money ledger ({paid} yuan), not "
                           f"taken from the request ({stated})", field="already_paid",
                           code="already_paid_mismatch")
        result = disburse(values["revenue"], fee, money, provisions, already_paid=paid,
                          loan_principal=values.get("loan_principal", "0"),
                          loan_interest=values.get("loan_interest", "0"),
                          cost_base=values.get("cost_base"))
        out = result.as_dict()
        towards = Decimal(paid_so_far([{"result": out}]))
        if Decimal(paid) + towards > Decimal(fee):
            raise Conflict(f"this disbursement would pay {yuan_str(towards)} towards a storage "
                           f"fee of {fee} of which {paid} is paid", field="revenue",
                           code="beyond_what_is_owed")
        out["to_city"] = yuan_str(result.to_city)
        out["settlement_id"] = settlement["id"]
        out["packs"] = _provenance(money, provisions)
        kept = keep(session, user, project_id, "disbursement",
                     inputs | {"already_paid": paid}, out, idempotency_key)
        rec = ledger.append(session, trust, ledger=name, project_id=project_id, phase_id=None,
                            subject=f"record:{kept['id']}", action="disburse",
                            effective_on=values.get("sold_on") or city_today(),
                            recorded_by=user.name,
                            details={"record": kept["id"], "towards_fee": yuan_str(towards),
                                     "to_city": out["to_city"], "fee": fee})
        audit.record(session, actor=user.name, action="ledger_disburse", entity_type="ledger",
                     entity_id=name, after={"seq": rec.seq, "hash": rec.hash,
                                            "record": kept["id"]})
        return kept


def paid_on_ledger(records: list[LedgerRecord]) -> str:
    """What the money ledger's disbursements paid towards the storage fee."""
    return yuan_str(sum((Decimal(r.details["towards_fee"]) for r in records
                         if r.action == "disburse" and isinstance(r.details, dict)),
                        Decimal("0.00")))


def paid_so_far(disbursements: list[dict[str, Any]]) -> str:
    """What earlier disbursements already paid towards the storage fee (loan and entity)."""
    total = Decimal("0.00")
    for rec in disbursements:
        for step in rec["result"].get("steps", []):
            if step["code"] in ("special_loan_principal", "special_loan_interest", "entity"):
                total += Decimal(step["amount"])
    return yuan_str(total)


def overview(store: Store, user: Principal, project_id: int) -> dict[str, Any]:
    """Everything the finance page and the workbook show."""
    store.ensure_current()
    with store.read_session() as session:
        row = _money_project(session, user, project_id)
        money, _ = _packs(row)
        project = project_record(row)
        ledger = _ledger(session, project_id, money)
        kept = kept_records(session, project_id)

    def newest(kind: str) -> dict[str, Any] | None:
        found = [r for r in kept if r["kind"] == kind]
        return found[-1] if found else None

    return {"project": project, "costs": ledger, "fund_balance": newest("fund_balance"),
            "settlement": newest("storage_settlement"),
            "disbursements": [r for r in kept if r["kind"] == "disbursement"]}
