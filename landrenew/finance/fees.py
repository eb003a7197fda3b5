"""Service fee (服务费), storage fee (收储费用 = 土地整备成本 + 服务费用) and its payment
milestones (支付节点), §四(二)6(3) and §四(三)9."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from landrenew.core.errors import InputError
from landrenew.finance.money import (
    ZERO,
    allocate,
    decimal_str,
    fraction_decimal,
    parse_ratio,
    parse_yuan,
    times,
    to_fen,
    yuan_str,
)
from landrenew.finance.packs import ConsolidationMoneyPack


@dataclass(frozen=True)
class ServiceFee:
    """``base`` = round(rate × audited cost); ``reward`` from a fixed amount or a rate of the cost."""

    audited_cost: Decimal
    rate: Fraction
    base: Decimal
    reward: Decimal
    reward_rate: Fraction | None
    reward_amount: Decimal | None
    total: Decimal
    rule: str
    clause: str
    reward_rule: str
    reward_clause: str

    def as_dict(self) -> dict[str, Any]:
        return {"audited_cost": yuan_str(self.audited_cost), "rate": decimal_str(self.rate),
                "base": yuan_str(self.base), "reward": yuan_str(self.reward),
                "reward_rate": decimal_str(self.reward_rate),
                "reward_amount": None if self.reward_amount is None
                else yuan_str(self.reward_amount),
                "total": yuan_str(self.total), "rule": self.rule, "clause": self.clause,
                "reward_rule": self.reward_rule, "reward_clause": self.reward_clause}


def service_fee(audited_cost: Any, rate: Any, pack: ConsolidationMoneyPack, *,
                reward_amount: Any = None, reward_rate: Any = None) -> ServiceFee:
    """服务费 = rate × audited cost (+ reward). ``rate`` and ``reward_rate`` as ``"0.05"``,
    ``"5%"`` or Decimal; give at most one of ``reward_amount`` and ``reward_rate``."""
    cost = parse_yuan(audited_cost, field="audited_cost")
    fee_rate = parse_ratio(rate, field="service_fee_rate")
    if reward_amount is not None and reward_rate is not None:
        raise InputError("give the reward as an amount or as a rate, not both",
                         field="reward_rate", code="reward_ambiguous")
    r_amount = None if reward_amount is None else parse_yuan(reward_amount, field="reward_amount")
    r_rate = None if reward_rate is None else parse_ratio(reward_rate, field="reward_rate")
    base = to_fen(times(cost, fee_rate))
    if r_amount is not None:
        reward = r_amount
    elif r_rate is not None:
        reward = to_fen(times(cost, r_rate))
    else:
        reward = ZERO
    return ServiceFee(cost, fee_rate, base, reward, r_rate, r_amount, base + reward,
                      pack.rule("service_fee"), pack.clauses.service_fee,
                      pack.rule("reward"), pack.clauses.reward)


@dataclass(frozen=True)
class StorageFee:
    audited_cost: Decimal
    service: ServiceFee
    total: Decimal
    rule: str
    clause: str

    def as_dict(self) -> dict[str, Any]:
        return {"audited_cost": yuan_str(self.audited_cost), "service_fee": self.service.as_dict(),
                "total": yuan_str(self.total), "rule": self.rule, "clause": self.clause}


def storage_fee(audited_cost: Any, rate: Any, pack: ConsolidationMoneyPack, *,
                reward_amount: Any = None, reward_rate: Any = None) -> StorageFee:
    """收储费用 = audited cost (第三方核算的土地整备成本) + service fee."""
    service = service_fee(audited_cost, rate, pack, reward_amount=reward_amount,
                          reward_rate=reward_rate)
    return StorageFee(service.audited_cost, service, service.audited_cost + service.total,
                      pack.rule("storage_fee"), pack.clauses.storage_fee)


@dataclass(frozen=True)
class Milestone:
    """A payment milestone as agreed: ``share`` (``"30%"``, ``"0.3"``, ``"1/3"``) or a fixed
    ``amount``, and when it falls due (a date or a condition such as ``"入库后"``)."""

    name: str
    share: Any = None
    amount: Any = None
    due: str | dt.date | None = None


@dataclass(frozen=True)
class ScheduledPayment:
    name: str
    share: Fraction | None
    amount: Decimal
    due: str | dt.date | None

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name,
                "share": None if self.share is None else decimal_str(fraction_decimal(self.share)),
                "amount": yuan_str(self.amount),
                "due": self.due.isoformat() if isinstance(self.due, dt.date) else self.due}


@dataclass(frozen=True)
class PaymentSchedule:
    total: Decimal
    payments: list[ScheduledPayment]
    rule: str
    clause: str

    def as_dict(self) -> dict[str, Any]:
        return {"total": yuan_str(self.total), "payments": [p.as_dict() for p in self.payments],
                "rule": self.rule, "clause": self.clause}


def payment_schedule(total: Any, milestones: Sequence[Milestone],
                     pack: ConsolidationMoneyPack) -> PaymentSchedule:
    """Turn milestones into amounts that add up to ``total`` (the storage fee) exactly to the fen.
    Fixed amounts are taken first; shares divide what is left and must add up to exactly 100 %
    (allocated by largest remainder). With amounts only, they must add up to the total."""
    fee = parse_yuan(total, field="total")
    if not milestones:
        raise InputError("at least one payment milestone is needed", field="milestones",
                         code="no_milestones")
    shares: list[Fraction | None] = []
    fixed: list[Decimal | None] = []
    for i, m in enumerate(milestones):
        if not (m.name or "").strip():
            raise InputError("milestone needs a name", field="name", row=i,
                             code="missing_milestone_name")
        if (m.share is None) == (m.amount is None):
            raise InputError(f"milestone '{m.name}' needs either a share or an amount",
                             field="share", row=i, code="milestone_share_or_amount")
        if m.share is not None:
            share = parse_ratio(m.share, field="share", row=i)
            if share <= 0:
                raise InputError(f"milestone '{m.name}' has a zero share", field="share", row=i,
                                 code="non_positive_share")
            shares.append(share)
            fixed.append(None)
        else:
            amount = parse_yuan(m.amount, field="amount", row=i)
            if amount <= 0:
                raise InputError(f"milestone '{m.name}' has a zero amount", field="amount",
                                 row=i, code="non_positive_amount")
            shares.append(None)
            fixed.append(amount)
    fixed_sum = sum((a for a in fixed if a is not None), ZERO)
    share_sum = sum((s for s in shares if s is not None), Fraction(0))
    rest = fee - fixed_sum
    if rest < 0:
        raise InputError(f"fixed milestone amounts {yuan_str(fixed_sum)} exceed the total "
                         f"{yuan_str(fee)}", field="amount", code="milestones_exceed_total")
    if any(s is not None for s in shares):
        if share_sum != 1:
            raise InputError(f"milestone shares add up to {fraction_decimal(share_sum * 100)} %, "
                             f"not 100 %", field="share", code="shares_not_100_percent")
        parts = iter(allocate(rest, [s for s in shares if s is not None]))
        amounts = [a if a is not None else next(parts) for a in fixed]
    else:
        if rest != 0:
            raise InputError(f"milestone amounts add up to {yuan_str(fixed_sum)}, not the total "
                             f"{yuan_str(fee)}", field="amount", code="milestones_do_not_add_up")
        amounts = [a for a in fixed if a is not None]
    payments = [ScheduledPayment(m.name.strip(), s, a, m.due)
                for m, s, a in zip(milestones, shares, amounts, strict=True)]
    return PaymentSchedule(fee, payments, pack.rule("payment_milestones"),
                           pack.clauses.payment_milestones)
