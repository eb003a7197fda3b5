"""The rules a quota movement must pass (指标变动规则), each with the clause that allows it.

:func:`check_move` takes the entry asked for, the ledger of its city and kind as it stands, the
facts about the holders (project tags, a village's pre-borrowing space, a district's farmland
obligation …) and the quota pack, and answers the rules that allowed it — or refuses with
:class:`QuotaRefused` naming the rule, the account, its balance and the amount. Pure: no
database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from landrenew.core.errors import Conflict, InputError
from landrenew.quotas.accounts import (
    ZERO,
    Entry,
    Holder,
    balance,
    lowest_from,
    mu_str,
)
from landrenew.quotas.packs import QuotasPack

#: Which holder types each movement takes from and gives to.
SHAPES: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "plan": (frozenset({"source"}), frozenset({"city", "district", "village"})),
    "allocate": (frozenset({"city", "district", "village"}),
                 frozenset({"city", "district", "village", "project"})),
    "use": (frozenset({"district", "village", "project"}), frozenset({"sink"})),
    "transfer": (frozenset({"city", "district", "village", "project"}),
                 frozenset({"city", "district", "village", "project", "sink"})),
    "reward": (frozenset({"source"}), frozenset({"district", "village"})),
    "offset": (frozenset({"village"}), frozenset({"sink"})),
    "preborrow": (frozenset({"village"}), frozenset({"sink"})),
    "repay": (frozenset({"city", "district"}), frozenset({"village"})),
    "cancel": (frozenset({"city", "district", "village", "project"}), frozenset({"sink"})),
}
#: Movements only some kinds take.
ONLY_KINDS: dict[str, frozenset[str]] = {
    "reward": frozenset({"reward"}),
    "offset": frozenset({"reserved_land"}),
    "preborrow": frozenset({"reserved_land"}),
    "repay": frozenset({"reserved_land"}),
}


class QuotaRefused(Conflict):
    """409 ``quota_refused``: a movement the rules or the balances do not allow, naming the
    rule and its clause (and the account, balance and amount where a balance refused it)."""

    code = "quota_refused"

    def __init__(self, message: str, *, rule: str, clause: str, field: str | None = None,
                 account: str | None = None, balance: str | None = None,
                 amount: str | None = None) -> None:
        self.rule, self.clause = rule, clause
        self.account, self.balance, self.amount = account, balance, amount
        super().__init__(message, field=field)

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "rule": self.rule, "clause": self.clause,
                "account": self.account, "balance": self.balance, "amount": self.amount}


@dataclass(frozen=True)
class Facts:
    """What the rules need to know about the holders of a movement."""

    #: tags of the projects involved, by holder name (``project:12``)
    project_tags: Mapping[str, Sequence[str]] = field(default_factory=dict)
    #: the village (by name) each project involved belongs to, where registered
    project_village: Mapping[str, str | None] = field(default_factory=dict)
    #: the pre-borrowing space (亩) of the village the quota leaves
    preborrow_space: Decimal | None = None
    #: the farmland balance obligation (亩) of the district the quota leaves
    obligation: Decimal | None = None
    #: the village waived its priority to quota freed in it (the evidence is kept with the entry)
    village_waived: bool = False
    #: the day the linked consolidation pilot was accepted (验收), for a reward
    accepted_on: dt.date | None = None
    #: the reward the linked pilot is due by the pack's rates, for a reward
    reward_due: Decimal | None = None


@dataclass(frozen=True)
class Allowed:
    """A rule that allowed the movement and its clause."""

    rule: str
    clause: str

    def as_dict(self) -> dict[str, str]:
        return {"rule": self.rule, "clause": self.clause}


def check_shape(entry: Entry) -> None:
    """The movement's kind and holder types go together (422 otherwise)."""
    takes, gives = SHAPES[entry.movement]
    only = ONLY_KINDS.get(entry.movement)
    if only is not None and entry.kind not in only:
        raise InputError(f"a {entry.movement} moves only {', '.join(sorted(only))} quota",
                         field="movement")
    if entry.kind == "reward" and entry.movement == "plan":
        raise InputError("reward quota comes only by a reward, after acceptance",
                         field="movement")
    if entry.source.type not in takes:
        raise InputError(f"a {entry.movement} takes quota from a "
                         f"{' or '.join(sorted(takes))}, not from {entry.source}",
                         field="from")
    if entry.target.type not in gives:
        raise InputError(f"a {entry.movement} gives quota to a {' or '.join(sorted(gives))}, "
                         f"not to {entry.target}", field="to")
    if entry.source == entry.target:
        raise InputError(f"quota cannot move from {entry.source} to itself", field="to")


def _why(pack: QuotasPack, name: str) -> dict[str, str]:
    """The rule and clause a refusal names."""
    return {"rule": pack.rule(name), "clause": pack.clause(name)}


def _tagged(pack: QuotasPack, facts: Facts, holder: Holder, tag_list: str, rule: str,
            what: str) -> Allowed:
    wanted = pack.tags[tag_list]
    tags = set(facts.project_tags.get(str(holder), ()))
    if not tags & set(wanted.names):
        raise QuotaRefused(
            f"{what} goes only to a project tagged "
            f"{' / '.join(wanted.names)}; {holder} is tagged "
            f"{', '.join(sorted(tags)) or 'nothing'}", field="to", **_why(pack, rule))
    return Allowed(pack.rule(rule), wanted.clause)


def _use_rules(pack: QuotasPack, entry: Entry, facts: Facts) -> list[Allowed]:
    """The rules on who may receive (or, for reward quota, use) each kind."""
    out: list[Allowed] = []
    if entry.target.type == "project" and entry.movement in ("allocate", "transfer"):
        if entry.kind == "ring_fence":
            out.append(_tagged(pack, facts, entry.target, "programme", "ring_fence_tagged",
                               "ring-fenced quota"))
        elif entry.kind == "provincial":
            out.append(_tagged(pack, facts, entry.target, "provincial", "provincial_uses",
                               "provincial quota"))
        elif entry.kind == "reward":
            out.append(_tagged(pack, facts, entry.target, "reward", "reward_uses",
                               "reward quota"))
    if entry.kind == "reward" and entry.movement == "use" and entry.source.type == "project":
        out.append(_tagged(pack, facts, entry.source, "reward", "reward_uses", "reward quota"))
    return out


def _same_village(pack: QuotasPack, entry: Entry, facts: Facts) -> list[Allowed]:
    """Construction quota a village holds (freed by consolidation in it) serves the village's
    own needs first: it leaves the village only for its own projects, or with its waiver."""
    if entry.kind != "construction" or entry.source.type != "village" \
            or entry.movement not in ("allocate", "transfer"):
        return []
    village = entry.source.name
    if entry.target.type == "project" and facts.project_village.get(str(entry.target)) == village:
        return [Allowed(pack.rule("same_village_first"), pack.clause("same_village_first"))]
    if facts.village_waived:
        return [Allowed(pack.rule("same_village_first"), pack.clause("same_village_first"))]
    raise QuotaRefused(
        f"construction quota freed in village {village} "
        f"serves its own projects first: {entry.target} is not one of them, and the "
        "village has not waived its priority", field="to", **_why(pack, "same_village_first"))


def _farmland(pack: QuotasPack, entry: Entry, ledger: Sequence[Entry],
              facts: Facts) -> list[Allowed]:
    if entry.kind != "farmland_supplement" or entry.source.type != "district":
        return []
    if entry.target.type == "city":
        raise QuotaRefused(
            "the city takes no share of a district's "
            "farmland-supplement quota", field="to", **_why(pack, "farmland_own_whole"))
    if entry.movement != "transfer":
        return []
    if facts.obligation is None:
        raise QuotaRefused(
            f"record the farmland balance obligation of "
            f"{entry.source} first: only the surplus beyond it may be sold",
            field="from", **_why(pack, "farmland_surplus"))
    held = balance(ledger, entry.debit, entry.on)
    surplus = held - facts.obligation
    if entry.mu > surplus:
        raise QuotaRefused(
            f"{entry.source} holds {mu_str(held)} mu of "
            f"farmland-supplement quota and needs {mu_str(facts.obligation)} mu for "
            f"its own balance: its surplus of {mu_str(max(surplus, ZERO))} mu is less "
            f"than the {mu_str(entry.mu)} mu asked", field="mu",
            account=str(entry.debit), balance=mu_str(held), amount=mu_str(entry.mu),
            **_why(pack, "farmland_surplus"))
    return [Allowed(pack.rule("farmland_surplus"), pack.clause("farmland_surplus"))]


def _reward(pack: QuotasPack, entry: Entry, ledger: Sequence[Entry],
            facts: Facts) -> list[Allowed]:
    if entry.movement != "reward":
        return []
    if entry.project is None or facts.accepted_on is None or facts.accepted_on > entry.on:
        raise QuotaRefused(
            "a reward comes only after the "
            "consolidation pilot is accepted (验收); link the accepted pilot",
            field="project", **_why(pack, "reward_after_acceptance"))
    if facts.reward_due is not None:
        given = sum((e.mu if e.reverses is None else -e.mu for e in ledger
                     if e.movement == "reward" and e.project == entry.project), ZERO)
        if given + entry.mu > facts.reward_due:
            raise QuotaRefused(
                f"pilot {entry.project} is due "
                f"{mu_str(facts.reward_due)} mu of reward quota, of which "
                f"{mu_str(given)} mu is given: {mu_str(entry.mu)} mu more is too "
                "much", field="mu", amount=mu_str(entry.mu),
                **_why(pack, "reward_after_acceptance"))
    return [Allowed(pack.rule("reward_after_acceptance"), pack.clause("reward_after_acceptance"))]


def floor_of(entry: Entry, facts: Facts) -> Decimal:
    """How low the account the quota leaves may go: zero, or a village's pre-borrowing space
    for a pre-borrowing."""
    if entry.movement == "preborrow":
        return -(facts.preborrow_space or ZERO)
    return ZERO


def _balance(pack: QuotasPack, entry: Entry, ledger: Sequence[Entry],
             facts: Facts) -> list[Allowed]:
    """Nothing leaves a booked account below its floor, on the day or on any later day."""
    if not entry.source.booked:
        return []
    account = entry.debit
    held = balance(ledger, account, entry.on)
    floor = floor_of(entry, facts)
    hard = -(facts.preborrow_space or ZERO) if entry.kind == "reserved_land" \
        and entry.source.type == "village" else ZERO
    if entry.movement == "preborrow":
        if not facts.preborrow_space:
            raise QuotaRefused(
                f"village {entry.source.name} has no "
                "pre-borrowing space for reserved-land quota", field="from",
                account=str(account), balance=mu_str(held), amount=mu_str(entry.mu),
                **_why(pack, "preborrow"))
        if held - entry.mu < floor:
            raise QuotaRefused(
                f"pre-borrowing {mu_str(entry.mu)} mu would take "
                f"{account} from {mu_str(held)} mu beyond its pre-borrowing space of "
                f"{mu_str(-floor)} mu", field="mu", account=str(account),
                balance=mu_str(held), amount=mu_str(entry.mu), **_why(pack, "preborrow"))
    elif held - entry.mu < floor:
        raise QuotaRefused(
            f"account {account} holds {mu_str(held)} mu on "
            f"{entry.on}, less than the {mu_str(entry.mu)} mu asked", field="mu",
            account=str(account), balance=mu_str(held), amount=mu_str(entry.mu),
            **_why(pack, "no_overdraft"))
    low, day = lowest_from([*ledger, entry], account, entry.on)
    if low < hard:
        raise QuotaRefused(
            f"account {account} would hold {mu_str(low)} mu on "
            f"{day}: later entries already draw on it ({mu_str(entry.mu)} mu asked "
            f"on {entry.on})", field="on", account=str(account),
            balance=mu_str(held), amount=mu_str(entry.mu), **_why(pack, "no_overdraft"))
    rule = "preborrow" if entry.movement == "preborrow" else "no_overdraft"
    return [Allowed(pack.rule(rule), pack.clause(rule))]


def _repay(pack: QuotasPack, entry: Entry, ledger: Sequence[Entry]) -> list[Allowed]:
    if entry.movement != "repay":
        return []
    owed = -balance(ledger, entry.credit, entry.on)
    if entry.mu > owed:
        raise QuotaRefused(
            f"village {entry.target.name} owes "
            f"{mu_str(max(owed, ZERO))} mu of pre-borrowed reserved-land quota, less "
            f"than the {mu_str(entry.mu)} mu repaid", field="mu",
            account=str(entry.credit), balance=mu_str(-owed), amount=mu_str(entry.mu),
            **_why(pack, "preborrow"))
    return [Allowed(pack.rule("preborrow"), pack.clause("preborrow"))]


#: The main rule of each movement (what the entry cites first).
MAIN_RULE = {"plan": "plan", "allocate": "allocation", "use": "allocation",
             "transfer": "allocation", "reward": "reward_after_acceptance",
             "offset": "legacy_offset", "preborrow": "preborrow", "repay": "preborrow",
             "cancel": "no_overdraft"}


def check_move(pack: QuotasPack, entry: Entry, ledger: Sequence[Entry],
               facts: Facts) -> list[Allowed]:
    """The rules that allow ``entry`` on the ledger of its city and kind (the main rule first),
    or :class:`QuotaRefused` / :class:`~landrenew.core.errors.InputError`."""
    check_shape(entry)
    name = MAIN_RULE[entry.movement]
    found = [Allowed(pack.rule(name), pack.clause(name))]
    for more in (_use_rules(pack, entry, facts), _same_village(pack, entry, facts),
                 _farmland(pack, entry, ledger, facts), _reward(pack, entry, ledger, facts),
                 _repay(pack, entry, ledger), _balance(pack, entry, ledger, facts)):
        found += [a for a in more if a not in found]
    return found


def check_reversal(pack: QuotasPack, entry: Entry, ledger: Sequence[Entry],
                   facts: Facts) -> list[Allowed]:
    """A correction (冲正) moves the amount back; only the balances can refuse it."""
    return _balance(pack, entry, ledger, facts) or [
        Allowed(pack.rule("no_overdraft"), pack.clause("no_overdraft"))]
