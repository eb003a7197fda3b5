"""The programme's numbers (“百千万工程”): the annual ring-fence against its minimum, the year's
ring-fence status, the reward of an accepted consolidation pilot and the legacy-land offset
against a village's reserved land (with its pre-borrowing). Pure: no database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from landrenew.core.errors import InputError
from landrenew.quotas.accounts import ZERO, Entry, Holder, mu_str
from landrenew.quotas.packs import QuotasPack
from landrenew.quotas.rules import QuotaRefused


@dataclass(frozen=True)
class RingFence:
    """The year's ring-fence against the pack's minimum (不少于, the minimum itself meets it)."""

    planned: Decimal
    minimum: Decimal
    rule: str
    clause: str

    @property
    def meets(self) -> bool:
        return self.planned >= self.minimum

    @property
    def short_by(self) -> Decimal:
        return max(self.minimum - self.planned, ZERO)

    def as_dict(self) -> dict[str, Any]:
        return {"ring_fence_mu": mu_str(self.planned), "minimum_mu": mu_str(self.minimum),
                "meets": self.meets, "short_by_mu": mu_str(self.short_by),
                "rule": self.rule, "clause": self.clause}


def ring_fence(pack: QuotasPack, planned: Decimal) -> RingFence:
    param = pack.number("ring_fence_min_mu")
    return RingFence(planned, param.value, pack.rule("ring_fence_min_mu"), param.clause)


def check_plan(construction: Decimal, ring: Decimal) -> None:
    """The ring-fence is part of the year's new construction quota."""
    if ring > construction:
        raise InputError(f"the ring-fence ({mu_str(ring)} mu) is part of the year's new "
                         f"construction quota ({mu_str(construction)} mu) and cannot exceed it",
                         field="ring_fence_mu")


def ring_fence_status(entries: Iterable[Entry], city: Holder, year: int) -> dict[str, str]:
    """Planned (into the city), allocated (out of the city), used (by anyone) and left (the
    city's balance) of the year's ring-fence; reversals count against what they reverse."""
    planned = allocated = used = ZERO
    for e in entries:
        if e.kind != "ring_fence" or e.year != year:
            continue
        sign = -1 if e.reverses is not None else 1
        if e.movement == "plan" and city in (e.target, e.source):
            planned += sign * e.mu
        elif e.movement in ("allocate", "transfer") and city in (e.source, e.target):
            allocated += sign * e.mu
        elif e.movement == "use":
            used += sign * e.mu
    return {"planned_mu": mu_str(planned), "allocated_mu": mu_str(allocated),
            "used_mu": mu_str(used), "left_mu": mu_str(planned - allocated)}


@dataclass(frozen=True)
class Reward:
    """The reward an accepted pilot is due: new farmland and revitalised land at the rates."""

    new_farmland_mu: Decimal
    revitalised_mu: Decimal
    per_new_farmland: Decimal
    per_revitalised: Decimal
    rule: str
    clause: str

    @property
    def due(self) -> Decimal:
        return (self.new_farmland_mu * self.per_new_farmland
                + self.revitalised_mu * self.per_revitalised)

    def as_dict(self) -> dict[str, Any]:
        return {"new_farmland_mu": mu_str(self.new_farmland_mu),
                "revitalised_mu": mu_str(self.revitalised_mu),
                "per_new_farmland_mu": mu_str(self.per_new_farmland),
                "per_revitalised_mu": mu_str(self.per_revitalised),
                "due_mu": mu_str(self.due), "rule": self.rule, "clause": self.clause}


def reward_due(pack: QuotasPack, new_farmland: Decimal, revitalised: Decimal) -> Reward:
    a, b = pack.number("reward_per_new_farmland_mu"), pack.number("reward_per_revitalised_mu")
    return Reward(new_farmland, revitalised, a.value, b.value,
                  pack.rule("reward_after_acceptance"), pack.clause("reward_after_acceptance"))


@dataclass(frozen=True)
class Offset:
    """A legacy-land offset: the part the village's balance covers and the part pre-borrowed."""

    area: Decimal
    ratio: Decimal
    from_balance: Decimal
    preborrowed: Decimal

    @property
    def total(self) -> Decimal:
        return self.area * self.ratio


def split_offset(pack: QuotasPack, village: str, area: Decimal, held: Decimal,
                 space: Decimal | None) -> Offset:
    """50 % of ``area`` against the village's reserved land: from what it holds, the rest
    pre-borrowed within its space (``held`` may already be negative by earlier borrowing)."""
    ratio = pack.number("legacy_offset_ratio").value
    need = area * ratio
    covered = min(max(held, ZERO), need)
    rest = need - covered
    if rest > 0:
        room = (space or ZERO) + min(held, ZERO)
        if rest > room:
            raise QuotaRefused(
                f"village {village} holds {mu_str(held)} mu of reserved-land quota and may "
                f"pre-borrow {mu_str(max(room, ZERO))} mu more: the offset of "
                f"{mu_str(need)} mu leaves {mu_str(rest - max(room, ZERO))} mu uncovered",
                rule=pack.rule("preborrow"), clause=pack.clause("preborrow"),
                field="area_mu", account=f"reserved_land/village:{village}",
                balance=mu_str(held), amount=mu_str(need))
    return Offset(area, ratio, covered, rest)
