"""Quota ledgers in the store, on both backends: the plan and its ring-fence, tagged projects,
exact balances, same-village priority, the farmland surplus, rewards after acceptance, the
legacy-land offset, corrections, tampering, balances as of past dates and district scope."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update

from landrenew.core import ledger
from landrenew.core.errors import InputError, NotFound, PermissionDenied
from landrenew.core.ledger_check import LedgerBroken, verify
from landrenew.core.store import Store
from landrenew.core.store.models import AuditEvent, LedgerRecord
from landrenew.projects import service as projects
from landrenew.quotas import service, views
from landrenew.quotas.rules import QuotaRefused

from .conftest import (
    ADMIN,
    BY,
    CITY,
    CITY_STAFF,
    DAY,
    HP,
    HP_STAFF,
    VIEWER,
    YEAR,
    city_plan,
    move,
    project,
)


def bal(store: Store, kind: str, holder: str, on: dt.date | None = None) -> str:
    rows = views.balance_list(store, ADMIN, kind=kind, holder=holder, on=on)
    return rows[0]["balance_mu"] if rows else "0"


def test_the_plan_says_whether_the_ring_fence_meets_the_minimum(store: Store) -> None:
    ok = city_plan(store, "5000", "1000")
    assert ok["meets"] is True and ok["short_by_mu"] == "0" and ok["minimum_mu"] == "1000"
    assert [e["kind"] for e in ok["entries"]] == ["construction", "ring_fence"]
    assert bal(store, "construction", f"city:{CITY}") == "4000"
    short = service.plan(store, CITY_STAFF, CITY, YEAR + 1, "3000", "999.99", on=DAY)
    assert short["meets"] is False and short["short_by_mu"] == "0.01"
    assert "不少于1000亩" in short["clause"]
    with pytest.raises(InputError, match="cannot exceed"):
        service.plan(store, CITY_STAFF, CITY, YEAR, "10", "20")
    with pytest.raises(PermissionDenied):
        service.plan(store, HP_STAFF, CITY, YEAR, "10", "5")
    status = views.ring_fence_year(store, ADMIN, CITY, YEAR)
    assert (status["planned_mu"], status["allocated_mu"], status["left_mu"]) == ("1000", "0",
                                                                                "1000")


def test_ring_fence_only_to_tagged_projects_then_status(store: Store) -> None:
    city_plan(store)
    untagged = project(store, "长岭居产业园")
    with pytest.raises(QuotaRefused, match="百千万工程") as err:
        move(store, "ring_fence", f"city:{CITY}", f"project:{untagged}", "100", "allocate")
    assert err.value.rule.endswith("ring_fence_tagged")
    projects.update_project(store, ADMIN, untagged, {"tags": ["百千万工程"]}, "纳入百千万工程")
    e = move(store, "ring_fence", f"city:{CITY}", f"project:{untagged}", "100", "allocate")
    assert e["rule"].endswith("allocation")
    assert any(r["rule"].endswith("ring_fence_tagged") for r in e["rules"])
    move(store, "ring_fence", f"project:{untagged}", "sink:use", "30", "use")
    status = views.ring_fence_year(store, ADMIN, CITY, YEAR)
    assert (status["planned_mu"], status["allocated_mu"], status["used_mu"],
            status["left_mu"]) == ("1000", "100", "30", "900")


def test_exact_balances_and_the_refusal_names_account_balance_amount(store: Store) -> None:
    city_plan(store, "2000", "1000")  # 1000 outside the ring-fence
    move(store, "construction", f"city:{CITY}", f"district:{HP}", "600", "allocate")
    move(store, "construction", f"city:{CITY}", f"district:{BY}", "400", "allocate")
    assert bal(store, "construction", f"city:{CITY}") == "0"
    with pytest.raises(QuotaRefused) as err:
        move(store, "construction", f"city:{CITY}", f"district:{HP}", "0.01", "allocate")
    assert (err.value.account, err.value.balance, err.value.amount) == (
        f"construction/city:{CITY}/{YEAR}", "0", "0.01")
    assert err.value.to_dict()["code"] == "quota_refused"
    # every kind's accounts sum to zero across the ledger (the source holds the minus)
    with store.read_session() as session:
        from landrenew.quotas.accounts import balances
        from landrenew.quotas.books import entries
        found = balances(entries(session, CITY, "construction"))
    assert sum(found.values()) == 0


def test_same_village_first(store: Store) -> None:
    own = project(store, "甲村乡村振兴用地", tags=["百千万工程"])
    other = project(store, "乙村民宿")
    service.register_village(store, HP_STAFF, "甲村", HP, projects=[own], reason="登记")
    service.register_village(store, HP_STAFF, "乙村", HP, reason="登记")
    move(store, "construction", "source:consolidation", "village:甲村", "20", "plan")
    e = move(store, "construction", "village:甲村", f"project:{own}", "5", "allocate",
             user=HP_STAFF)
    assert any(r["rule"].endswith("same_village_first") for r in e["rules"])
    for to in (f"project:{other}", "village:乙村"):
        with pytest.raises(QuotaRefused, match="serves its own projects first"):
            move(store, "construction", "village:甲村", to, "5", "allocate", user=HP_STAFF)
    with pytest.raises(InputError, match="evidence"):
        move(store, "construction", "village:甲村", "village:乙村", "5", "allocate",
             user=HP_STAFF, village_waived=True)
    done = move(store, "construction", "village:甲村", "village:乙村", "5", "allocate",
                user=HP_STAFF, village_waived=True, evidence="甲村村民代表会议决议(2025)3号")
    assert done["evidence"].startswith("甲村")
    assert bal(store, "construction", "village:甲村") == "10"


def test_farmland_surplus_boundary_and_no_city_share(store: Store) -> None:
    kw = {"year": None}
    move(store, "farmland_supplement", "source:reclaimed", f"district:{HP}", "100", "plan", **kw)
    with pytest.raises(QuotaRefused, match="obligation"):
        move(store, "farmland_supplement", f"district:{HP}", f"district:{BY}", "1", "transfer",
             user=HP_STAFF, **kw)
    service.set_obligation(store, HP_STAFF, HP, "60", reason="2025年占补平衡任务")
    with pytest.raises(QuotaRefused, match="surplus of 40 mu") as err:
        move(store, "farmland_supplement", f"district:{HP}", f"district:{BY}", "40.01",
             "transfer", user=HP_STAFF, **kw)
    assert "节余" in err.value.clause
    move(store, "farmland_supplement", f"district:{HP}", f"district:{BY}", "40", "transfer",
         user=HP_STAFF, **kw)
    assert bal(store, "farmland_supplement", f"district:{HP}") == "60"
    with pytest.raises(QuotaRefused, match="no share"):
        move(store, "farmland_supplement", f"district:{HP}", f"city:{CITY}", "1", "allocate",
             user=HP_STAFF, **kw)


def test_reward_before_and_after_acceptance(store: Store) -> None:
    pilot = project(store, "九佛全域土地综合整治试点", stage="implementing")
    proposal = service.propose_reward(store, CITY_STAFF, pilot, "10", "20", on=DAY)
    assert proposal["may_reward"] is False and proposal["due_mu"] == "11"
    with pytest.raises(QuotaRefused, match="accepted"):
        move(store, "reward", "source:reward", f"district:{HP}", "11", "reward", year=None,
             project=pilot, new_farmland_mu="10", revitalised_mu="20")
    projects.update_project(store, ADMIN, pilot, {"stage": "completed",
                                                  "actual_end": dt.date(2025, 2, 1)}, "验收通过")
    proposal = service.propose_reward(store, CITY_STAFF, pilot, "10", "20", on=DAY)
    assert proposal["may_reward"] is True and proposal["entry"]["mu"] == "11"
    with pytest.raises(QuotaRefused, match="due 11 mu"):
        move(store, "reward", "source:reward", f"district:{HP}", "11.5", "reward", year=None,
             project=pilot, new_farmland_mu="10", revitalised_mu="20")
    e = move(store, "reward", "source:reward", f"district:{HP}", "11", "reward", year=None,
             project=pilot, new_farmland_mu="10", revitalised_mu="20")
    assert e["project"] == pilot and e["rule"].endswith("reward_after_acceptance")
    road = project(store, "九佛村道", tags=["基础设施"])
    villa = project(store, "九佛别墅", tags=["商品住宅"])
    move(store, "reward", f"district:{HP}", f"project:{road}", "5", "allocate", year=None,
         user=HP_STAFF)
    with pytest.raises(QuotaRefused, match="reward quota"):
        move(store, "reward", f"district:{HP}", f"project:{villa}", "5", "allocate",
             year=None, user=HP_STAFF)


def test_legacy_offset_with_and_without_preborrowing(store: Store) -> None:
    service.register_village(store, HP_STAFF, "甲村", HP, preborrow_space_mu="3")
    service.register_village(store, HP_STAFF, "乙村", HP)
    move(store, "reserved_land", "source:plan", f"city:{CITY}", "50", "plan", year=None)
    move(store, "reserved_land", f"city:{CITY}", f"district:{HP}", "20", "allocate", year=None)
    move(store, "reserved_land", f"district:{HP}", "village:甲村", "4", "allocate", year=None,
         user=HP_STAFF)
    out = service.offset_legacy(store, HP_STAFF, "甲村", "12", on=DAY)  # 6: 4 held, 2 borrowed
    assert (out["offset_mu"], out["from_balance_mu"], out["preborrowed_mu"]) == ("6", "4", "2")
    assert [e["movement"] for e in out["entries"]] == ["offset", "preborrow"]
    assert bal(store, "reserved_land", "village:甲村") == "-2"
    with pytest.raises(QuotaRefused, match="may pre-borrow 1 mu more") as err:
        service.offset_legacy(store, HP_STAFF, "甲村", "2.02", on=DAY)
    assert err.value.account == "reserved_land/village:甲村" and err.value.amount == "1.01"
    with pytest.raises(QuotaRefused, match="pre-borrow 0 mu"):
        service.offset_legacy(store, HP_STAFF, "乙村", "2", on=DAY)
    with pytest.raises(QuotaRefused, match="owes 2 mu"):
        move(store, "reserved_land", f"district:{HP}", "village:甲村", "3", "repay", year=None,
             user=HP_STAFF)
    move(store, "reserved_land", f"district:{HP}", "village:甲村", "2", "repay", year=None,
         user=HP_STAFF)
    assert bal(store, "reserved_land", "village:甲村") == "0"


def test_corrections_are_reversing_entries(store: Store) -> None:
    city_plan(store, "2000", "1000")
    e = move(store, "construction", f"city:{CITY}", f"district:{HP}", "600", "allocate")
    back = service.reverse(store, CITY_STAFF, e["id"], reason="录入错误", on=DAY)
    assert (back["from"], back["to"], back["mu"], back["reverses"]) == (
        f"district:{HP}", f"city:{CITY}", "600", e["seq"])
    assert bal(store, "construction", f"district:{HP}") == "0"
    with pytest.raises(InputError, match="already reversed"):
        service.reverse(store, CITY_STAFF, e["id"], reason="再次")
    total, rows = views.entry_list(store, ADMIN, kind="construction", holder=f"district:{HP}")
    assert total == 2 and [r["balance_after_mu"] for r in rows] == ["600", "0"]


def test_tampering_is_found_and_stops_new_entries(store: Store) -> None:
    city_plan(store, "2000", "1000")
    move(store, "construction", f"city:{CITY}", f"district:{HP}", "600", "allocate")
    assert verify(store, ledger.trust_of(store)).problems == []
    with store.session() as session:
        rec = session.scalars(select(LedgerRecord).where(
            LedgerRecord.ledger == f"quota:{CITY}:construction", LedgerRecord.seq == 2)).one()
        session.execute(update(LedgerRecord).where(LedgerRecord.id == rec.id).values(
            details={**rec.details, "mu": "60"}))
    problems = [str(p) for p in verify(store, ledger.trust_of(store)).problems]
    assert any(f"quota:{CITY}:construction #2" in p for p in problems)
    with pytest.raises(LedgerBroken):
        move(store, "construction", f"city:{CITY}", f"district:{HP}", "1", "allocate")


def test_balances_as_of_past_dates(store: Store) -> None:
    city_plan(store, "2000", "1000")
    move(store, "construction", f"city:{CITY}", f"district:{HP}", "600", "allocate",
         on=dt.date(2025, 4, 1))
    move(store, "construction", f"district:{HP}", "sink:use", "100", "use",
         on=dt.date(2025, 6, 1), user=HP_STAFF)
    assert bal(store, "construction", f"district:{HP}", dt.date(2025, 3, 31)) == "0"
    assert bal(store, "construction", f"district:{HP}", dt.date(2025, 4, 1)) == "600"
    assert bal(store, "construction", f"district:{HP}", dt.date(2025, 5, 31)) == "600"
    assert bal(store, "construction", f"district:{HP}") == "500"
    points = views.history(store, ADMIN, "construction", f"district:{HP}", YEAR)
    assert [p["balance_mu"] for p in points] == ["600", "500"]


def test_district_scope_and_read_only_roles(store: Store) -> None:
    city_plan(store, "2000", "1000")
    move(store, "construction", f"city:{CITY}", f"district:{HP}", "600", "allocate")
    move(store, "construction", f"city:{CITY}", f"district:{BY}", "400", "allocate")
    mine = views.balance_list(store, HP_STAFF, kind="construction")
    assert {r["holder"] for r in mine} == {f"district:{HP}"}
    with pytest.raises(PermissionDenied):
        views.balance_list(store, HP_STAFF, holder=f"district:{BY}")
    with pytest.raises(PermissionDenied):
        move(store, "construction", f"district:{BY}", "sink:use", "1", "use", user=HP_STAFF)
    with pytest.raises(PermissionDenied):
        move(store, "construction", f"city:{CITY}", f"district:{HP}", "1", "allocate",
             user=HP_STAFF)
    with pytest.raises(PermissionDenied):
        move(store, "construction", f"district:{HP}", "sink:use", "1", "use", user=VIEWER)
    assert len(views.balance_list(store, VIEWER, kind="construction")) == 3
    with pytest.raises(NotFound):
        move(store, "construction", f"district:{HP}", "project:999", "1", "allocate",
             user=HP_STAFF)
    with store.read_session() as session:
        heads = session.scalars(select(AuditEvent).where(
            AuditEvent.entity_type == "ledger")).all()
    assert heads and all(h.actor for h in heads)


def test_a_legacy_land_check_books_its_offset_once(store: Store) -> None:
    from landrenew.compliance.service import run_check

    service.register_village(store, HP_STAFF, "甲村", HP, preborrow_space_mu="10")
    check = run_check(store, CITY_STAFF, "legacy_land", {
        "district_code": HP, "village": "甲村", "has_approval": "否",
        "construction_in_second_survey": "是", "area_mu": "12"}, on=DAY)
    assert check["decision"] == "eligible"
    out = service.offset_from_check(store, HP_STAFF, check["id"])
    assert (out["offset_mu"], out["preborrowed_mu"]) == ("6", "6")
    assert out["entries"][0]["check"] == check["id"]
    with pytest.raises(InputError, match="already booked"):
        service.offset_from_check(store, HP_STAFF, check["id"])
