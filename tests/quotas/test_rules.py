"""The pure rules of the quota ledger: exact amounts, the ring-fence minimum, the balances that
may never go negative (hypothesis), the legacy-land offset and its pre-borrowing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from landrenew.core.errors import InputError
from landrenew.quotas.accounts import (
    ZERO,
    Account,
    Entry,
    Holder,
    balance,
    balances,
    mu_str,
    parse_holder,
    parse_mu,
)
from landrenew.quotas.packs import QuotasPack
from landrenew.quotas.programme import reward_due, ring_fence, split_offset
from landrenew.quotas.rules import Facts, QuotaRefused, check_move

from .conftest import DAY

CITY = Holder("city", "440100")
HP = Holder("district", "440112")
BY = Holder("district", "440111")
PLAN = Holder("source", "plan")
USE = Holder("sink", "use")


def entry(kind: str, src: Holder, dst: Holder, mu: str, movement: str, *,
          year: int | None = 2025, on: dt.date = DAY, project: int | None = None) -> Entry:
    return Entry(kind, src, dst, Decimal(mu), movement, year, on, project)


@pytest.mark.parametrize(("planned", "meets", "short"), [
    ("1000", True, "0"), ("999.99", False, "0.01"), ("1200", True, "0")])
def test_ring_fence_minimum_includes_1000(pack: QuotasPack, planned: str, meets: bool,
                                          short: str) -> None:
    fence = ring_fence(pack, Decimal(planned))
    assert fence.meets is meets and mu_str(fence.short_by) == short
    assert "不少于1000亩" in fence.clause and fence.rule == "guangzhou-quotas:ring_fence_min_mu"


def test_exact_decimals_600_plus_400_then_a_hundredth_refused(pack: QuotasPack) -> None:
    ledger = [entry("construction", PLAN, CITY, "1000", "plan")]
    for mu in ("600", "400"):
        e = entry("construction", CITY, HP, mu, "allocate")
        allowed = check_move(pack, e, ledger, Facts())
        assert allowed[0].rule == "guangzhou-quotas:allocation"
        ledger.append(e)
    assert balance(ledger, Account("construction", CITY, 2025)) == ZERO
    with pytest.raises(QuotaRefused) as err:
        check_move(pack, entry("construction", CITY, HP, "0.01", "allocate"), ledger, Facts())
    e = err.value
    assert (e.account, e.balance, e.amount) == ("construction/city:440100/2025", "0", "0.01")
    assert "city:440100" in e.message and "0.01" in e.message
    assert e.rule == "guangzhou-quotas:no_overdraft" and "不得为负" in e.clause


def test_a_backdated_movement_may_not_empty_a_later_day(pack: QuotasPack) -> None:
    ledger = [entry("construction", PLAN, CITY, "100", "plan", on=dt.date(2025, 3, 1)),
              entry("construction", CITY, HP, "100", "allocate", on=dt.date(2025, 5, 1))]
    late = entry("construction", CITY, BY, "1", "allocate", on=dt.date(2025, 4, 1))
    with pytest.raises(QuotaRefused, match="2025-05-01"):
        check_move(pack, late, ledger, Facts())


def test_amounts_are_exact_and_positive() -> None:
    assert parse_mu("600.50") == Decimal("600.50") and mu_str(Decimal("600.50")) == "600.5"
    assert mu_str(Decimal("1E+3")) == "1000"
    for bad in (0.1, "0", "-1", "abc", "1.0000001", True):
        with pytest.raises(InputError):
            parse_mu(bad)


def test_holders_are_named_by_type() -> None:
    assert parse_holder("village:石井村") == Holder("village", "石井村")
    for bad in ("440112", "district:440100", "city:440112", "project:x", "planet:1", "village:"):
        with pytest.raises(InputError):
            parse_holder(bad)


def test_movements_take_and_give_the_right_holders(pack: QuotasPack) -> None:
    for bad in (entry("construction", HP, CITY, "1", "plan"),
                entry("construction", CITY, USE, "1", "use"),
                entry("construction", Holder("village", "甲村"), USE, "1", "offset"),
                entry("reward", PLAN, CITY, "1", "plan", year=None)):
        with pytest.raises(InputError):
            check_move(pack, bad, [], Facts())


def test_ring_fenced_quota_only_to_tagged_projects(pack: QuotasPack) -> None:
    ledger = [entry("ring_fence", PLAN, CITY, "1000", "plan")]
    to = Holder("project", "7")
    e = entry("ring_fence", CITY, to, "10", "allocate")
    with pytest.raises(QuotaRefused, match="百千万工程") as err:
        check_move(pack, e, ledger, Facts(project_tags={"project:7": ("先进制造业",)}))
    assert err.value.rule == "guangzhou-quotas:ring_fence_tagged"
    rules = [a.rule for a in check_move(pack, e, ledger,
                                        Facts(project_tags={"project:7": ("百千万工程",)}))]
    assert "guangzhou-quotas:ring_fence_tagged" in rules


def test_provincial_quota_for_the_six_types_and_advanced_manufacturing(pack: QuotasPack
                                                                       ) -> None:
    ledger = [entry("provincial", PLAN, CITY, "50", "plan")]
    e = entry("provincial", CITY, Holder("project", "3"), "5", "allocate")
    for tag in ("乡村旅游", "创意农业", "先进制造业"):
        check_move(pack, e, ledger, Facts(project_tags={"project:3": (tag,)}))
    with pytest.raises(QuotaRefused, match="provincial"):
        check_move(pack, e, ledger, Facts(project_tags={"project:3": ("房地产",)}))


def test_reward_needs_acceptance_and_stays_within_what_is_due(pack: QuotasPack) -> None:
    e = entry("reward", Holder("source", "reward"), HP, "10", "reward", year=None, project=4)
    with pytest.raises(QuotaRefused, match="accepted") as err:
        check_move(pack, e, [], Facts())
    assert "验收通过后" in err.value.clause
    with pytest.raises(QuotaRefused):  # accepted only after the entry's day
        check_move(pack, e, [], Facts(accepted_on=DAY + dt.timedelta(days=1)))
    due = reward_due(pack, Decimal("10"), Decimal("10")).due  # 10 × 0.5 + 10 × 0.3
    assert due == Decimal("8")
    with pytest.raises(QuotaRefused, match="due 8 mu"):
        check_move(pack, e, [], Facts(accepted_on=DAY, reward_due=due))
    ok = entry("reward", Holder("source", "reward"), HP, "8", "reward", year=None, project=4)
    assert check_move(pack, ok, [], Facts(accepted_on=DAY, reward_due=due))[0].rule \
        == "guangzhou-quotas:reward_after_acceptance"


def test_reward_quota_only_for_its_permitted_uses(pack: QuotasPack) -> None:
    ledger = [entry("reward", Holder("source", "reward"), HP, "8", "reward", year=None)]
    give = entry("reward", HP, Holder("project", "9"), "3", "allocate", year=None)
    with pytest.raises(QuotaRefused, match="reward quota") as err:
        check_move(pack, give, ledger, Facts(project_tags={"project:9": ("商品住宅",)}))
    assert "公共服务设施" in err.value.clause
    for tag in ("基础设施", "公共服务设施", "农村一二三产业融合发展"):
        check_move(pack, give, ledger, Facts(project_tags={"project:9": (tag,)}))


def test_legacy_offset_half_the_area_with_and_without_space(pack: QuotasPack) -> None:
    full = split_offset(pack, "甲村", Decimal("12"), Decimal("10"), None)
    assert (full.total, full.from_balance, full.preborrowed) == (6, 6, 0)
    part = split_offset(pack, "甲村", Decimal("12"), Decimal("4"), Decimal("2"))
    assert (part.from_balance, part.preborrowed) == (4, 2)
    with pytest.raises(QuotaRefused, match=r"leaves 0\.01 mu uncovered") as err:
        split_offset(pack, "甲村", Decimal("12.02"), Decimal("4"), Decimal("2"))
    assert err.value.rule == "guangzhou-quotas:preborrow" and "预支空间" in err.value.clause
    with pytest.raises(QuotaRefused, match="pre-borrow 0 mu"):
        split_offset(pack, "乙村", Decimal("2"), Decimal("0"), None)
    # already borrowed 1 of a space of 2: 1 left
    again = split_offset(pack, "甲村", Decimal("2"), Decimal("-1"), Decimal("2"))
    assert (again.from_balance, again.preborrowed) == (0, 1)


# ---------------------------------------------------------------------- hypothesis

HOLDERS = [CITY, HP, BY, Holder("village", "甲村"), Holder("project", "1"), PLAN, USE,
           Holder("sink", "offset")]
MOVES = ["plan", "allocate", "use", "transfer", "cancel", "offset", "preborrow", "repay"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["construction", "reserved_land"]),
                          st.sampled_from(HOLDERS), st.sampled_from(HOLDERS),
                          st.decimals(min_value=Decimal("0.01"), max_value=Decimal("500"),
                                      places=2),
                          st.sampled_from(MOVES), st.integers(0, 60)), max_size=40))
def test_no_accepted_sequence_goes_negative_and_every_kind_sums_to_zero(
        pack: QuotasPack, steps: list[tuple[str, Holder, Holder, Decimal, str, int]]) -> None:
    space = Decimal("5")
    tags = {"project:1": ("百千万工程",)}
    ledger: list[Entry] = []
    for kind, src, dst, mu, movement, day in steps:
        year = 2025 if kind == "construction" else None
        e = Entry(kind, src, dst, mu, movement, year, DAY + dt.timedelta(days=day))
        try:
            check_move(pack, e, [x for x in ledger if x.kind == kind],
                       Facts(project_tags=tags, preborrow_space=space, village_waived=True))
        except (QuotaRefused, InputError):
            continue
        ledger.append(e)
    days = sorted({x.on for x in ledger})
    for day in days:
        found = balances(ledger, day)
        for account, held in found.items():
            if not account.holder.booked:
                continue
            floor = -space if (account.kind == "reserved_land"
                               and account.holder.type == "village") else ZERO
            assert held >= floor, (account, held, day)
        for kind in ("construction", "reserved_land"):
            assert sum((v for a, v in found.items() if a.kind == kind), ZERO) == 0
