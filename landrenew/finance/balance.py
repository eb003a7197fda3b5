"""Fund balance (资金平衡, 前期研究 §四(一)4): land-sale revenue against the consolidation cost
and the statutory provisions (法定计提), with a price × FAR sensitivity grid."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction
from typing import Any

from landrenew.core.errors import InputError
from landrenew.finance.money import (
    ZERO,
    decimal_str,
    exact_product,
    parse_decimal,
    parse_yuan,
    times,
    to_fen,
    yuan_str,
)
from landrenew.finance.packs import BASES, Base, ConsolidationMoneyPack, LandRevenuePack


@dataclass(frozen=True)
class ProvisionAmount:
    """One provision: ``amount`` = round(rate × base amount), zero when the base is below zero;
    where the rule sets a floor on another base, at least round(floor rate × that base)
    (``floor_applied`` says the floor decided)."""

    code: str
    zh: str
    en: str
    base: Base
    base_zh: str
    base_amount: Decimal
    rate: Decimal
    amount: Decimal
    rule: str
    clause: str
    basis: str
    floor_base: Base | None = None
    floor_rate: Decimal | None = None
    floor_amount: Decimal | None = None
    floor_applied: bool = False

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "zh": self.zh, "en": self.en, "base": self.base,
               "base_zh": self.base_zh, "base_amount": yuan_str(self.base_amount),
               "rate": decimal_str(self.rate), "amount": yuan_str(self.amount),
               "rule": self.rule, "clause": self.clause, "basis": self.basis}
        if self.floor_base is not None and self.floor_rate is not None:
            out["floor"] = {"base": self.floor_base, "rate": decimal_str(self.floor_rate),
                            "amount": yuan_str(self.floor_amount or ZERO),
                            "applied": self.floor_applied}
        return out


def statutory_provisions(revenue: Decimal, cost: Decimal,
                         pack: LandRevenuePack) -> list[ProvisionAmount]:
    """计提 in pack order. Bases: 收入 = revenue; 收益 = revenue − cost; 净收益 = 收益 − the
    provisions on 收益 that the pack counts for net income. Each amount is rounded half up to
    the fen; a floor ("不低于") raises a provision to its floor amount."""
    bases: dict[Base, Decimal] = {"revenue": revenue, "revenue_net_of_costs": revenue - cost}
    on_net_of_costs = [p for p in pack.provisions
                       if p.base == "revenue_net_of_costs" and p.in_net_income]
    taken = sum((_amount(bases["revenue_net_of_costs"], p.rate.exact) for p in on_net_of_costs),
                ZERO)
    bases["net_income"] = bases["revenue_net_of_costs"] - taken
    labels = {b: getattr(pack.bases, b).zh for b in BASES}
    out = []
    for p in pack.provisions:
        amount = _amount(bases[p.base], p.rate.exact)
        floor = None if p.floor is None else _amount(bases[p.floor.base], p.floor.rate.exact)
        applied = floor is not None and floor > amount
        out.append(ProvisionAmount(
            p.code, p.title.zh, p.title.en, p.base, labels[p.base], bases[p.base], p.rate.value,
            max(amount, floor) if floor is not None else amount, pack.rule(p.code),
            p.rate.clause if not applied or p.floor is None else p.floor.rate.clause,
            p.rate.basis, None if p.floor is None else p.floor.base,
            None if p.floor is None else p.floor.rate.value, floor, applied))
    return out


def _amount(base: Decimal, rate: Fraction) -> Decimal:
    return to_fen(times(base, rate)) if base > 0 else ZERO


@dataclass(frozen=True)
class BalanceInputs:
    """Preliminary-study inputs: costs in yuan; ``supply_area_m2`` the land to sell (出让面积),
    ``far`` its plot ratio (容积率), ``floor_price`` yuan per m² of floor area (楼面地价).
    Values as str / int / Decimal, never float. ``other_costs`` includes any service fee."""

    compensation: Any
    resettlement_construction: Any
    other_costs: Any
    financing_cost: Any
    supply_area_m2: Any
    far: Any
    floor_price: Any


@dataclass(frozen=True)
class CostLine:
    code: str
    zh: str
    amount: Decimal

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "zh": self.zh, "amount": yuan_str(self.amount)}


@dataclass(frozen=True)
class FundBalance:
    supply_area_m2: Decimal
    far: Decimal
    floor_price: Decimal
    floor_area_m2: Decimal
    revenue: Decimal
    revenue_rule: str
    costs: list[CostLine]
    total_cost: Decimal
    provisions: list[ProvisionAmount]
    total_provisions: Decimal
    surplus: Decimal  # revenue − provisions − total cost; below zero is a gap (资金缺口)
    rule: str
    clause: str
    provisions_pack: str

    @property
    def status(self) -> str:
        return "surplus" if self.surplus > 0 else "gap" if self.surplus < 0 else "balanced"

    def as_dict(self) -> dict[str, Any]:
        return {"supply_area_m2": decimal_str(self.supply_area_m2), "far": decimal_str(self.far),
                "floor_price": decimal_str(self.floor_price),
                "floor_area_m2": decimal_str(self.floor_area_m2),
                "revenue": yuan_str(self.revenue), "revenue_rule": self.revenue_rule,
                "costs": [c.as_dict() for c in self.costs],
                "total_cost": yuan_str(self.total_cost),
                "provisions": [p.as_dict() for p in self.provisions],
                "total_provisions": yuan_str(self.total_provisions),
                "surplus": yuan_str(self.surplus), "status": self.status,
                "rule": self.rule, "clause": self.clause,
                "provisions_pack": self.provisions_pack}


_COSTS = (("compensation", "征收补偿"), ("resettlement_construction", "安置房建安费用"),
          ("other_costs", "其他成本"), ("financing_cost", "融资成本"))


def fund_balance(inputs: BalanceInputs, money: ConsolidationMoneyPack,
                 provisions: LandRevenuePack) -> FundBalance:
    """资金平衡: revenue = round(area × FAR × floor price); surplus = revenue − provisions −
    total cost (negative = gap). Provisions on 收益 use revenue − total cost."""
    costs = [CostLine(code, zh, parse_yuan(getattr(inputs, code), field=code))
             for code, zh in _COSTS]
    area = _positive(inputs.supply_area_m2, "supply_area_m2")
    far = _positive(inputs.far, "far")
    price = _positive(inputs.floor_price, "floor_price")
    revenue = to_fen(times(area, far, price))
    total_cost = sum((c.amount for c in costs), ZERO)
    items = statutory_provisions(revenue, total_cost, provisions)
    total_provisions = sum((p.amount for p in items), ZERO)
    return FundBalance(area, far, price, exact_product(area, far), revenue,
                       "revenue = supply_area_m2 × far × floor_price, rounded half up to the fen",
                       costs, total_cost, items, total_provisions,
                       revenue - total_provisions - total_cost, money.rule("fund_balance"),
                       money.clauses.fund_balance, provisions.label)


def _positive(value: Any, field: str) -> Decimal:
    number = parse_decimal(value, field=field)
    if number < 0:
        raise InputError(f"{field} must not be negative, got {number}", field=field,
                         code="negative_value")
    return number


STEPS: tuple[Decimal, ...] = tuple(Decimal(s) for s in ("-0.20", "-0.10", "0", "0.10", "0.20"))


@dataclass(frozen=True)
class SensitivityGrid:
    """Surplus (or gap) with the floor price varied by row and the FAR by column."""

    price_steps: tuple[Decimal, ...]
    far_steps: tuple[Decimal, ...]
    surplus: list[list[Decimal]]  # surplus[price_index][far_index]
    base: FundBalance

    def cell(self, price_step: Decimal, far_step: Decimal) -> Decimal:
        return self.surplus[self.price_steps.index(price_step)][self.far_steps.index(far_step)]

    def as_dict(self) -> dict[str, Any]:
        return {"price_steps": [decimal_str(s) for s in self.price_steps],
                "far_steps": [decimal_str(s) for s in self.far_steps],
                "surplus": [[yuan_str(v) for v in row] for row in self.surplus],
                "base_surplus": yuan_str(self.base.surplus),
                "note": "rows: floor price × (1 + step); columns: FAR × (1 + step); "
                        "costs held constant"}


def sensitivity_grid(inputs: BalanceInputs, money: ConsolidationMoneyPack,
                     provisions: LandRevenuePack, steps: tuple[Decimal, ...] = STEPS
                     ) -> SensitivityGrid:
    """敏感性分析: the fund balance at price × (1 + p) and FAR × (1 + f) for each step pair (costs
    held constant); the (0, 0) cell is the base result."""
    base = fund_balance(inputs, money, provisions)
    rows = [[fund_balance(replace(inputs, floor_price=exact_product(base.floor_price, 1 + p),
                                  far=exact_product(base.far, 1 + f)), money, provisions).surplus
             for f in steps] for p in steps]
    return SensitivityGrid(steps, steps, rows, base)
