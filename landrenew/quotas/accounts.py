"""Accounts of the quota ledger (指标账户): kinds of quota, holders, amounts in 亩 and balances.

An account is a kind of quota held by a holder, for a year where the kind is annual. Holders are
named ``city:440100``, ``district:440112``, ``village:NAME`` or ``project:ID`` (they may never go
below zero, except a village's reserved land within its pre-borrowing space), and ``source:NAME``
/ ``sink:NAME``, the outside of the books: where quota comes from (a plan handed down, land
consolidation, a reward) and where it goes (land used, offset, cancelled, sold out of the city).
Every entry moves an amount from one account to another, so the accounts of a kind always sum to
zero across the ledger. Pure: no database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from landrenew.core import places
from landrenew.core.errors import InputError

#: Kinds of quota (指标种类), zh and en.
KINDS: dict[str, tuple[str, str]] = {
    "construction": ("新增建设用地指标", "new construction-land quota"),
    "ring_fence": ("“百千万工程”专项指标", "programme ring-fence quota"),
    "provincial": ("省保障用地指标", "provincial quota"),
    "farmland_supplement": ("补充耕地指标", "farmland-supplement quota"),
    "reward": ("奖励指标", "reward quota"),
    "reserved_land": ("留用地指标", "reserved-land quota"),
}
#: Kinds kept by year (年度计划指标).
ANNUAL = frozenset({"construction", "ring_fence", "provincial"})
#: Kinds of movement (变动类型), zh and en.
MOVEMENTS: dict[str, tuple[str, str]] = {
    "plan": ("下达计划", "plan"),
    "allocate": ("分配", "allocate"),
    "use": ("使用", "use"),
    "transfer": ("转让", "transfer"),
    "reward": ("奖励", "reward"),
    "offset": ("抵扣", "offset"),
    "preborrow": ("预支", "pre-borrow"),
    "repay": ("归还预支", "repay"),
    "cancel": ("核销", "cancel"),
}
#: Holder types (持有方) and their names.
HOLDER_TYPES: dict[str, tuple[str, str]] = {
    "city": ("市", "city"), "district": ("区", "district"), "village": ("村集体", "village"),
    "project": ("项目", "project"), "source": ("来源", "source"), "sink": ("去向", "sink"),
}
#: Holders on the books (never below zero but by a village's pre-borrowing).
BOOKED = frozenset({"city", "district", "village", "project"})
ZERO = Decimal(0)
_PLACES = 6


@dataclass(frozen=True, order=True)
class Holder:
    type: str
    name: str

    def __str__(self) -> str:
        return f"{self.type}:{self.name}"

    @property
    def booked(self) -> bool:
        return self.type in BOOKED


def parse_holder(text: Any, field: str = "holder") -> Holder:
    """A holder from its name (``district:440112`` …); a wrong one is refused naming the field."""
    raw = str(text or "").strip()
    kind, sep, name = raw.partition(":")
    name = name.strip()
    if not sep or kind not in HOLDER_TYPES or not name:
        raise InputError(f"holder '{raw}' is not TYPE:NAME with TYPE one of "
                         f"{', '.join(HOLDER_TYPES)} (e.g. district:440112)", field=field)
    if kind in ("city", "district"):
        code = places.check_code(name, field)
        if places.level(code) != kind:
            raise InputError(f"holder '{raw}': {code} is not a {kind} code", field=field)
    elif kind == "project" and not (name.isdigit() and 0 < int(name) < 2**31):
        raise InputError(f"holder '{raw}': a project is named by its id (project:12)",
                         field=field)
    if len(raw) > 64:
        raise InputError(f"holder '{raw}' is longer than 64 characters", field=field)
    return Holder(kind, name)


def parse_mu(value: Any, field: str = "mu") -> Decimal:
    """An amount in 亩 as an exact decimal (> 0, at most six decimals); floats are refused
    because 0.1 is not exactly a tenth."""
    if isinstance(value, bool | float):
        raise InputError(f"give {field} as text or an exact decimal ('600.5'), not a float",
                         field=field)
    try:
        mu = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise InputError(f"{field} '{value}' is not a number of mu", field=field) from None
    if not mu.is_finite() or mu <= 0:
        raise InputError(f"{field} must be more than 0 mu (got {value})", field=field)
    exponent = mu.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -_PLACES:
        raise InputError(f"{field} '{value}' has more than six decimals", field=field)
    return mu


def mu_str(value: Decimal) -> str:
    """An amount as plain text without exponent or trailing zeros ('1000', '0.01')."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise InputError(f"unknown quota kind '{kind}' (known: {', '.join(KINDS)})",
                         field="kind")
    return kind


def check_movement_name(movement: str) -> str:
    if movement not in MOVEMENTS:
        raise InputError(f"unknown movement '{movement}' (known: {', '.join(MOVEMENTS)})",
                         field="movement")
    return movement


def check_year(kind: str, year: int | None) -> int | None:
    """Annual kinds need their year; the others have none."""
    if kind in ANNUAL:
        if year is None:
            raise InputError(f"{kind} quota is kept by year: give the year", field="year")
        if not 1990 <= year <= 2200:
            raise InputError(f"year {year} is out of range", field="year")
        return year
    if year is not None:
        raise InputError(f"{kind} quota is not kept by year: give no year", field="year")
    return None


@dataclass(frozen=True)
class Account:
    kind: str
    holder: Holder
    year: int | None

    def __str__(self) -> str:
        return f"{self.kind}/{self.holder}" + (f"/{self.year}" if self.year else "")


@dataclass(frozen=True)
class Entry:
    """One double entry: ``mu`` moved from one account to another on ``on``."""

    kind: str
    source: Holder
    target: Holder
    mu: Decimal
    movement: str
    year: int | None
    on: dt.date
    project: int | None = None
    seq: int | None = None
    reverses: int | None = None

    @property
    def debit(self) -> Account:
        return Account(self.kind, self.source, self.year)

    @property
    def credit(self) -> Account:
        return Account(self.kind, self.target, self.year)


def balances(entries: Iterable[Entry], on: dt.date | None = None) -> dict[Account, Decimal]:
    """Every account's balance at the end of ``on`` (all entries when ``None``)."""
    out: dict[Account, Decimal] = {}
    for e in entries:
        if on is not None and e.on > on:
            continue
        out[e.debit] = out.get(e.debit, ZERO) - e.mu
        out[e.credit] = out.get(e.credit, ZERO) + e.mu
    return out


def balance(entries: Iterable[Entry], account: Account, on: dt.date | None = None) -> Decimal:
    return balances(entries, on).get(account, ZERO)


def lowest_from(entries: Iterable[Entry], account: Account, day: dt.date
                ) -> tuple[Decimal, dt.date]:
    """The lowest end-of-day balance of ``account`` on ``day`` or any later day an entry moves
    it (a movement dated in the past must not leave a later day negative), and that day."""
    mine = sorted((e for e in entries if account in (e.debit, e.credit)), key=lambda e: e.on)
    days = sorted({day} | {e.on for e in mine if e.on >= day})
    running, low, low_day, i = ZERO, None, day, 0
    for d in days:
        while i < len(mine) and mine[i].on <= d:
            e = mine[i]
            running += e.mu if e.credit == account else -e.mu
            i += 1
        if low is None or running < low:
            low, low_day = running, d
    return (low if low is not None else ZERO), low_day


def city_of_holder(holder: Holder) -> str | None:
    """The city of a city or district holder (villages and projects need the store)."""
    if holder.type in ("city", "district"):
        return places.city_of(holder.name)
    return None
