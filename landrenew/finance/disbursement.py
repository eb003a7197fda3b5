"""Disbursement waterfall (资金拨付, §四(四)11): after the sale, land-sale revenue pays the
statutory provisions, then the special loan (专项借款, principal then interest), then the rest of
the storage fee owed to the consolidation entity; the remainder stays with the city.

The special loan's principal and interest are part of the audited cost (§四(二)6(3)), so they are
repaid out of the storage fee still owed: the loan steps plus the entity step never exceed
``storage fee − already paid``; any loan beyond that is reported as ``loan_uncovered``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from landrenew.core.errors import InputError
from landrenew.finance.balance import ProvisionAmount, statutory_provisions
from landrenew.finance.money import ZERO, parse_yuan, yuan_str
from landrenew.finance.packs import ConsolidationMoneyPack, LandRevenuePack


@dataclass(frozen=True)
class DisbursementStep:
    """One step: what was ``due``, what it got (``amount``), the ``shortfall`` and what is left."""

    code: str
    zh: str
    en: str
    due: Decimal | None  # None for the city's remainder
    amount: Decimal
    shortfall: Decimal
    remaining_after: Decimal
    rule: str
    clause: str

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "zh": self.zh, "en": self.en,
                "due": None if self.due is None else yuan_str(self.due),
                "amount": yuan_str(self.amount), "shortfall": yuan_str(self.shortfall),
                "remaining_after": yuan_str(self.remaining_after),
                "rule": self.rule, "clause": self.clause}


@dataclass(frozen=True)
class Disbursement:
    revenue: Decimal
    cost_base: Decimal
    storage_fee: Decimal
    already_paid: Decimal
    owed_to_entity: Decimal
    loan_principal: Decimal
    loan_interest: Decimal
    loan_uncovered: Decimal
    provisions: list[ProvisionAmount]
    steps: list[DisbursementStep]
    shortfall: Decimal
    notes: list[str]

    def step(self, code: str) -> DisbursementStep:
        for s in self.steps:
            if s.code == code:
                return s
        raise KeyError(code)

    @property
    def to_city(self) -> Decimal:
        return self.step("city").amount

    def as_dict(self) -> dict[str, Any]:
        return {"revenue": yuan_str(self.revenue), "cost_base": yuan_str(self.cost_base),
                "storage_fee": yuan_str(self.storage_fee),
                "already_paid": yuan_str(self.already_paid),
                "owed_to_entity": yuan_str(self.owed_to_entity),
                "loan_principal": yuan_str(self.loan_principal),
                "loan_interest": yuan_str(self.loan_interest),
                "loan_uncovered": yuan_str(self.loan_uncovered),
                "provisions": [p.as_dict() for p in self.provisions],
                "steps": [s.as_dict() for s in self.steps],
                "shortfall": yuan_str(self.shortfall), "notes": list(self.notes)}


def disburse(revenue: Any, storage_fee: Any, money: ConsolidationMoneyPack,
             provisions: LandRevenuePack, *, already_paid: Any = "0", loan_principal: Any = "0",
             loan_interest: Any = "0", cost_base: Any = None) -> Disbursement:
    """资金拨付 of one sale's ``revenue`` (土地出让收入). Provisions are computed with
    ``cost_base`` as the cost of 收益 (default: the storage fee). Each step takes at most what is
    left, so the amounts are ≥ 0 and add up to the revenue exactly; unpaid dues are the
    ``shortfall``."""
    total = parse_yuan(revenue, field="revenue")
    fee = parse_yuan(storage_fee, field="storage_fee")
    paid = parse_yuan(already_paid, field="already_paid")
    principal = parse_yuan(loan_principal, field="loan_principal")
    interest = parse_yuan(loan_interest, field="loan_interest")
    cost = fee if cost_base is None else parse_yuan(cost_base, field="cost_base")
    if paid > fee:
        raise InputError(f"already paid {yuan_str(paid)} exceeds the storage fee {yuan_str(fee)}",
                         field="already_paid", code="already_paid_exceeds_storage_fee")
    owed = fee - paid
    principal_due = min(principal, owed)
    interest_due = min(interest, owed - principal_due)
    uncovered = principal + interest - principal_due - interest_due
    entity_due = owed - principal_due - interest_due

    items = statutory_provisions(total, cost, provisions)
    steps: list[DisbursementStep] = []
    left = total

    def pay(code: str, zh: str, en: str, due: Decimal, rule: str, clause: str) -> None:
        nonlocal left
        amount = min(due, left)
        left -= amount
        steps.append(DisbursementStep(code, zh, en, due, amount, due - amount, left, rule, clause))

    for p in items:
        pay(p.code, p.zh, p.en, p.amount, p.rule, p.clause)
    pay("special_loan_principal", "偿还专项借款本金", "Special loan: principal", principal_due,
        money.rule("special_loan"), money.clauses.special_loan)
    pay("special_loan_interest", "偿还专项借款利息", "Special loan: interest", interest_due,
        money.rule("special_loan"), money.clauses.special_loan)
    pay("entity", "拨付土地整备主体(收储费用余额)", "Storage fee balance to the entity",
        entity_due, money.rule("entity"), money.clauses.entity)
    steps.append(DisbursementStep("city", "留市财政(出让净收益)", "Remainder to the city", None,
                                  left, ZERO, ZERO, money.rule("city"), money.clauses.city))

    shortfall = sum((s.shortfall for s in steps), ZERO)
    notes: list[str] = []
    if shortfall > 0:
        notes.append(f"revenue {yuan_str(total)} falls short of what is due by "
                     f"{yuan_str(shortfall)}")
    if uncovered > 0:
        notes.append(f"special loan {yuan_str(uncovered)} exceeds the storage fee still owed "
                     f"({yuan_str(owed)}) and is not repaid from this sale")
    return Disbursement(total, cost, fee, paid, owed, principal, interest, uncovered, items,
                        steps, shortfall, notes)
