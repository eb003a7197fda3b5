"""Zhongshan land consolidation workflow (四个阶段、十一个步骤): the pack, a full walk, every
out-of-order close, every wrong role, every missing item, conditional net-land items, returns,
the append-only log and bad packs."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from landrenew.core import packs
from landrenew.core.errors import ConfigurationError, Conflict, InputError, PermissionDenied
from landrenew.core.packs import Registry
from landrenew.projects.scheme import ConsolidationRules, scheme, scheme_for
from landrenew.projects.workflow import workflow
from landrenew.projects.workflow_state import (
    ConsolidationState,
    RequirementsMissing,
    RoleNotAllowed,
    check_append_only,
)

W = workflow("zhongshan-consolidation")
RULES = W.rules
STEP_CODES = [s.code for s in RULES.steps]
ALL_ROLES = list(RULES.roles)
T0 = dt.datetime(2024, 4, 1, 9, 0)
ALL_FLAGS = {f: True for f in RULES.flags if f != "special_loan_declared_before_issue"}
PACK_FILE = packs.registry().get("zhongshan-consolidation").path


def tick(state: ConsolidationState) -> dt.datetime:
    """A time one minute after the state's last entry."""
    last = state.last_at or T0
    return last + dt.timedelta(minutes=1)


def fill(state: ConsolidationState, step: str, skip: Iterable[str] = ()) -> ConsolidationState:
    """Provide every item of ``step`` required under the state's flags, each by its first
    allowed role (decisions passed), except ``skip``."""
    sdef = W.step(step)
    for req in W.requirements(state, step):
        if not req.required or req.code in skip:
            continue
        role = sdef.provider_roles(sdef.requirement(req.code))[0]
        state = W.provide(state, step, req.code, by_user=f"user-{role}", by_role=role,
                          at=tick(state), ref=f"doc/{step}/{req.code}",
                          passed=True if req.kind == "decision" else None)
    return state


def close(state: ConsolidationState, step: str) -> ConsolidationState:
    role = W.step(step).roles[0]
    return W.close_step(state, step, by_user=f"user-{role}", by_role=role, at=tick(state))


def declare(state: ConsolidationState, flags: Mapping[str, bool]) -> ConsolidationState:
    for name, value in flags.items():
        role = RULES.flags[name].roles[0]
        state = W.set_flags(state, {name: value}, by_user=f"user-{role}", by_role=role,
                            at=tick(state))
    return state


@cache
def _at_dict(index: int, flags: tuple[tuple[str, bool], ...]) -> dict[str, Any]:
    state = declare(W.start(), dict(flags))
    for code in STEP_CODES[:index]:
        state = close(fill(state, code), code)
    return state.to_dict()


def at_step(index: int, flags: Mapping[str, bool] | None = None) -> ConsolidationState:
    """A state whose steps before ``index`` are closed (index 11 = complete)."""
    return W.load_state(_at_dict(index, tuple(sorted((flags or {}).items()))))


# ----------------------------------------------------------------------------- the pack


def test_pack_has_four_stages_and_eleven_steps_in_order() -> None:
    assert [s.code for s in RULES.stages] == ["preparation", "consolidation", "storage", "supply"]
    assert [s.zh for s in RULES.stages] == ["前期工作阶段", "整备土地阶段", "收储入库阶段",
                                           "净地出让阶段"]
    assert STEP_CODES == ["delimit", "choose_entity", "survey", "preliminary_study",
                          "willingness", "implementation_plan", "expropriation", "net_land",
                          "storage", "supply", "disbursement"]
    assert [s.stage for s in RULES.steps] == (["preparation"] * 5 + ["consolidation"] * 3
                                              + ["storage"] + ["supply"] * 2)
    for step in RULES.steps:
        assert step.clause.startswith(f"§四 {step.number}："), step.code
    assert {"town_government", "consolidation_entity", "city_bureau", "committee",
            "reserve_centre", "finance", "third_party_accountant",
            "trading_centre"} <= set(RULES.roles)
    assert RULES.roles["committee"].zh == "市土地管理委员会"


def test_pack_items_follow_the_seed() -> None:
    def names(step: str) -> str:
        return " ".join(r.name for r in W.step(step).requirements)

    for word in ["土地", "房屋", "规划", "人口", "产业", "公建设施", "历史文化资源", "古树名木"]:
        assert word in names("survey")
    for word in ["资金平衡初步方案", "征收补偿初步方案", "改造初步方案"]:
        assert word in names("preliminary_study")
    for word in ["项目范围", "土地整备主体", "土地整备具体任务", "资金筹措方式", "补偿安置方案",
                 "补偿款测算", "分期计划", "成本测算", "收益测算", "可行性分析", "工作进度安排",
                 "服务费用", "奖励机制", "联审", "审议通过", "协议"]:
        assert word in names("implementation_plan"), word
    for word in ["权属清晰", "补偿安置落实到位", "没有法律经济纠纷", "规划条件明确", "道路",
                 "供水", "供电", "土壤污染", "矿产压覆", "地质灾害"]:
        assert word in names("net_land"), word
    for word in ["验收", "第三方会计师事务所", "审议通过", "交储协议"]:
        assert word in names("storage"), word
    for word in ["地价评估", "出让方案", "出让公告"]:
        assert word in names("supply"), word
    assert "拨付" in names("disbursement")
    gate = W.step("willingness").requirement("willingness_gate")
    assert gate.kind == "decision" and "三分之二" in (gate.clause or "")


def test_validity_is_five_years_from_issue() -> None:
    validity = RULES.validity
    assert validity.years == 5 and "有效期5年" in validity.clause
    assert RULES.source.status == "draft" and RULES.issued_on is None
    assert validity.valid_until(None) is None and RULES.in_force(dt.date(2025, 1, 1)) is None
    assert validity.valid_until(dt.date(2024, 5, 1)) == dt.date(2029, 4, 30)
    issued = RULES.model_copy(update={"issued_on": dt.date(2024, 5, 1)})
    assert issued.in_force(dt.date(2029, 4, 30)) and not issued.in_force(dt.date(2029, 5, 1))
    assert not issued.in_force(dt.date(2024, 4, 30))
    assert validity.valid_until(dt.date(2024, 2, 29)) == dt.date(2029, 2, 28)


def test_the_pack_resolves_for_zhongshan_only() -> None:
    assert scheme("zhongshan-consolidation") == RULES
    assert scheme_for("442000", dt.date(2025, 1, 1)) == RULES
    assert RULES.label == "zhongshan-consolidation 2024.04-draft"
    assert RULES.jurisdiction.code == "442000"


def test_the_scheme_covers_urban_villages_and_contiguous_industrial_land_only() -> None:
    assert RULES.applies("urban_village", False) is not None
    industrial = RULES.applies("industrial_upgrade", True)
    assert industrial is not None and "可参照本方案实施" in industrial.clause
    assert RULES.applies("industrial_upgrade", False) is None
    assert RULES.applies("land_consolidation", True) is None  # 全域土地综合整治: another programme


# ----------------------------------------------------------------------------- the walk


@pytest.mark.parametrize("flags", [{}, ALL_FLAGS], ids=["no_flags", "all_flags"])
def test_walk_all_eleven_steps_in_order(flags: dict[str, bool]) -> None:
    state = declare(W.start(), flags)
    assert state.current == "delimit" and not state.complete
    for number, code in enumerate(STEP_CODES, start=1):
        assert state.current == code
        state = fill(state, code)
        assert W.missing(state, code) == []
        before = len(state.log)
        state = close(state, code)
        entry = state.log[-1]
        assert len(state.log) == before + 1
        assert (entry.kind, entry.step) == ("close", code)
        assert entry.by_role == W.step(code).roles[0]
        assert entry.by_user == f"user-{entry.by_role}"
        # the state survives JSON and a replay at every step
        data = json.loads(json.dumps(state.to_dict(), ensure_ascii=False))
        assert W.load_state(data) == state
        if number < len(STEP_CODES):
            assert state.current == STEP_CODES[number]
    assert state.complete and state.current is None
    assert [t.step for t in state.log if t.kind == "close"] == STEP_CODES
    assert all(row["status"] == "closed" for row in W.overview(state))
    conditional = [r for s in RULES.steps for r in s.requirements if r.required_when]
    provided = {(p.step, p.item) for p in state.provisions}
    for req in conditional:
        assert any(item == req.code for _, item in provided) == bool(flags), req.code


def test_overview_and_requirements_shapes() -> None:
    state = at_step(5)
    rows = W.overview(state)
    assert [r["status"] for r in rows] == ["closed"] * 5 + ["current"] + ["pending"] * 5
    assert rows[0]["closed_by"] == {"user": "user-town_government", "role": "town_government"}
    assert rows[5]["missing"] == len(W.step("implementation_plan").requirements)
    req = W.requirements(state, "implementation_plan")[0].as_dict()
    assert set(req) == {"step", "code", "name", "en", "kind", "group", "clause", "basis",
                        "roles", "required", "condition", "status", "provision"}
    assert req["status"] == "missing" and req["group"] == "implementation_plan"
    done = W.requirements(state, "delimit")[0]
    assert done.status == "present" and done.provision is not None
    assert done.provision["by_role"] == "town_government"


# ----------------------------------------------------------------------------- order


PAIRS = [(i, j) for i in range(len(STEP_CODES) + 1) for j in range(len(STEP_CODES)) if i != j]


@pytest.mark.parametrize(("current", "attempt"), PAIRS,
                         ids=[f"at{i + 1}-close{j + 1}" for i, j in PAIRS])
def test_every_out_of_order_close_is_refused(current: int, attempt: int) -> None:
    state = at_step(current)
    step = W.step(STEP_CODES[attempt])
    with pytest.raises(Conflict) as err:
        W.close_step(state, step.code, by_user="u", by_role=step.roles[0], at=tick(state))
    assert err.value.code == "out_of_order" and err.value.status == 409
    assert step.code in err.value.message


def test_provide_outside_the_current_step_is_refused() -> None:
    state = at_step(3)
    with pytest.raises(Conflict) as err:
        W.provide(state, "delimit", "demolition_boundary", by_user="u",
                  by_role="town_government", at=tick(state))
    assert err.value.code == "step_closed"
    with pytest.raises(Conflict) as err:
        W.provide(state, "willingness", "willingness_announcement", by_user="u",
                  by_role="town_government", at=tick(state))
    assert err.value.code == "out_of_order"
    done = at_step(len(STEP_CODES))
    with pytest.raises(Conflict) as err:
        W.provide(done, "disbursement", "disbursement_record", by_user="u", by_role="finance",
                  at=tick(done))
    assert err.value.code == "out_of_order" and "complete" in err.value.message


# ----------------------------------------------------------------------------- roles


CLOSE_ROLE_CASES = [(i, role) for i, s in enumerate(RULES.steps)
                    for role in [*ALL_ROLES, "mayor"] if role not in s.roles]


@pytest.mark.parametrize(("index", "role"), CLOSE_ROLE_CASES,
                         ids=[f"{STEP_CODES[i]}-{r}" for i, r in CLOSE_ROLE_CASES])
def test_every_wrong_role_may_not_close(index: int, role: str) -> None:
    code = STEP_CODES[index]
    state = fill(at_step(index, ALL_FLAGS), code)
    with pytest.raises(PermissionDenied) as err:
        W.close_step(state, code, by_user="u", by_role=role, at=tick(state))
    exc = err.value
    assert isinstance(exc, RoleNotAllowed)
    assert exc.code == "role_not_allowed" and exc.status == 403
    assert exc.allowed == W.step(code).roles
    for allowed in exc.allowed:
        assert allowed in exc.message and RULES.roles[allowed].zh in exc.message
    assert exc.to_dict()["allowed"] == exc.allowed
    close(state, code)  # the right role can


ITEMS = [(i, r.code) for i, s in enumerate(RULES.steps) for r in s.requirements]


@pytest.mark.parametrize(("index", "item"), ITEMS,
                         ids=[f"{STEP_CODES[i]}-{c}" for i, c in ITEMS])
def test_every_wrong_role_may_not_provide(index: int, item: str) -> None:
    step = RULES.steps[index]
    state = at_step(index, ALL_FLAGS)
    allowed = step.provider_roles(step.requirement(item))
    kind = step.requirement(item).kind
    outcome = True if kind == "decision" else None
    for role in [*ALL_ROLES, "mayor"]:
        if role in allowed:
            continue
        with pytest.raises(RoleNotAllowed) as err:
            W.provide(state, step.code, item, by_user="u", by_role=role, at=tick(state),
                      passed=outcome)
        assert err.value.allowed == allowed and err.value.code == "role_not_allowed"
    for role in allowed:
        W.provide(state, step.code, item, by_user="u", by_role=role, at=tick(state),
                  passed=outcome)


def test_only_the_flag_roles_may_declare_a_flag() -> None:
    state = W.start()
    with pytest.raises(RoleNotAllowed):
        W.set_flags(state, {"soil_pollution_risk": True}, by_user="u", by_role="finance",
                    at=T0)
    with pytest.raises(InputError) as err:
        W.set_flags(state, {"volcano": True}, by_user="u", by_role="town_government", at=T0)
    assert err.value.code == "unknown_flag"


# ----------------------------------------------------------------------------- requirements


@pytest.mark.parametrize(("index", "item"), ITEMS,
                         ids=[f"{STEP_CODES[i]}-{c}" for i, c in ITEMS])
def test_each_missing_item_is_named(index: int, item: str) -> None:
    code = STEP_CODES[index]
    state = fill(at_step(index, ALL_FLAGS), code, skip=[item])
    req = W.step(code).requirement(item)
    with pytest.raises(Conflict) as err:
        close(state, code)
    exc = err.value
    assert isinstance(exc, RequirementsMissing)
    assert exc.code == "requirements_missing" and exc.status == 409
    assert exc.missing == [{"code": item, "name": req.name}]
    assert item in exc.message and req.name in exc.message
    assert exc.to_dict()["missing"] == exc.missing
    assert W.missing(state, code) == exc.missing


def test_a_decision_that_did_not_pass_blocks_and_a_later_pass_unblocks() -> None:
    state = fill(at_step(4), "willingness", skip=["willingness_gate"])
    state = W.provide(state, "willingness", "willingness_gate", by_user="u",
                      by_role="town_government", at=tick(state), passed=False,
                      note="集体土地同意率未达要求")
    [gate] = [r for r in W.requirements(state, "willingness") if r.code == "willingness_gate"]
    assert gate.status == "refused" and gate.blocking
    with pytest.raises(RequirementsMissing) as err:
        close(state, "willingness")
    assert err.value.missing == [{"code": "willingness_gate",
                                  "name": W.step("willingness").requirement(
                                      "willingness_gate").name}]
    assert "decision not passed" in err.value.message
    state = W.provide(state, "willingness", "willingness_gate", by_user="u",
                      by_role="town_government", at=tick(state), passed=True)
    assert close(state, "willingness").current == "implementation_plan"


def test_decisions_need_an_outcome_and_documents_must_not_have_one() -> None:
    state = at_step(1)
    with pytest.raises(InputError) as err:
        W.provide(state, "choose_entity", "entity_qualified", by_user="u",
                  by_role="town_government", at=tick(state))
    assert err.value.code == "decision_outcome_required"
    with pytest.raises(InputError) as err:
        W.provide(state, "choose_entity", "entity_nomination", by_user="u",
                  by_role="town_government", at=tick(state), passed=True)
    assert err.value.code == "not_a_decision"
    with pytest.raises(InputError) as err:
        W.provide(state, "choose_entity", "nonsense", by_user="u", by_role="town_government",
                  at=tick(state))
    assert err.value.code == "unknown_item"
    with pytest.raises(InputError) as err:
        W.provide(state, "nowhere", "x", by_user="u", by_role="town_government", at=tick(state))
    assert err.value.code == "unknown_step"
    with pytest.raises(InputError) as err:
        W.provide(state, "choose_entity", "entity_nomination", by_user=" ",
                  by_role="town_government", at=tick(state))
    assert err.value.code == "user_required"


NET_FLAGS = {"soil_pollution_risk": "soil_pollution_check",
             "mineral_overlay": "mineral_overlay_check",
             "geological_hazard_risk": "geological_hazard_check"}


@pytest.mark.parametrize(("flag", "item"), NET_FLAGS.items())
def test_conditional_net_land_items_are_required_only_when_flagged(flag: str,
                                                                   item: str) -> None:
    net = STEP_CODES.index("net_land")
    plain = at_step(net)
    [status] = [r for r in W.requirements(plain, "net_land") if r.code == item]
    assert not status.required and status.status == "not_required"
    assert status.condition == f"required_when:{flag}"
    assert close(fill(plain, "net_land"), "net_land").current == "storage"
    # a preview with the flag shows it required without changing the state
    assert {"code": item, "name": status.name} in W.missing(plain, "net_land", {flag: True})
    assert plain.flags == {}

    flagged = declare(plain, {flag: True})
    assert flagged.log[-1].kind == "flags" and flagged.log[-1].flags == {flag: True}
    state = fill(flagged, "net_land", skip=[item])
    with pytest.raises(RequirementsMissing) as err:
        close(state, "net_land")
    assert err.value.missing == [{"code": item, "name": status.name}]
    state = fill(state, "net_land")
    assert close(state, "net_land").current == "storage"


def test_other_conditional_items() -> None:
    willing = at_step(STEP_CODES.index("willingness"))
    assert "protection_plan" not in [m["code"] for m in W.missing(willing, "willingness")]
    assert "protection_plan" in [m["code"] for m in
                                 W.missing(declare(willing, {"heritage_involved": True}),
                                           "willingness")]
    done = at_step(STEP_CODES.index("disbursement"))
    assert "loan_repayment" not in [m["code"] for m in W.missing(done, "disbursement")]
    loan = at_step(STEP_CODES.index("disbursement"), {"special_loan": True})
    assert "loan_repayment" in [m["code"] for m in W.missing(loan, "disbursement")]


def test_a_special_loan_declared_before_issue_waives_the_preliminary_study() -> None:
    state = at_step(STEP_CODES.index("preliminary_study"))
    assert len(W.missing(state, "preliminary_study")) == 4
    waived = declare(state, {"special_loan_declared_before_issue": True})
    assert W.missing(waived, "preliminary_study") == []
    assert close(waived, "preliminary_study").current == "willingness"


def test_a_flag_may_not_change_a_closed_step() -> None:
    state = at_step(STEP_CODES.index("storage"))
    with pytest.raises(Conflict) as err:
        W.set_flags(state, {"soil_pollution_risk": True}, by_user="u",
                    by_role="consolidation_entity", at=tick(state))
    assert err.value.code == "flag_affects_closed_step" and "net_land" in err.value.message
    same = W.set_flags(state, {"soil_pollution_risk": False}, by_user="u",
                       by_role="consolidation_entity", at=tick(state))
    assert same == state  # no change, nothing logged
    later = W.set_flags(state, {"resettlement_by_sale_condition": True}, by_user="u",
                        by_role="city_bureau", at=tick(state))
    assert later.flags == {"resettlement_by_sale_condition": True}


# ----------------------------------------------------------------------------- returns


def test_the_committee_returns_the_implementation_plan() -> None:
    plan = STEP_CODES.index("implementation_plan")
    state = fill(at_step(plan), "implementation_plan", skip=["committee_approval"])
    state = W.provide(state, "implementation_plan", "committee_approval", by_user="委员会",
                      by_role="committee", at=tick(state), passed=False)
    with pytest.raises(RequirementsMissing):
        close(state, "implementation_plan")
    with pytest.raises(RoleNotAllowed) as err:
        W.return_step(state, "implementation_plan", reason="x", by_user="u",
                      by_role="town_government", at=tick(state))
    assert set(err.value.allowed) == {"committee", "city_bureau"}
    with pytest.raises(InputError) as ierr:
        W.return_step(state, "implementation_plan", reason=" ", by_user="u",
                      by_role="committee", at=tick(state))
    assert ierr.value.code == "reason_required"

    before = state
    state = W.return_step(state, "implementation_plan", reason="成本测算依据不足",
                          by_user="委员会", by_role="committee", at=tick(state),
                          items=["plan_cost", "committee_approval"])
    entry = state.log[-1]
    assert (entry.kind, entry.step, entry.to_step, entry.by_role) == (
        "return", "implementation_plan", "implementation_plan", "committee")
    assert entry.invalidated == ["plan_cost", "committee_approval"]
    assert state.provisions == before.provisions  # nothing deleted
    check_append_only(before, state)
    assert [m["code"] for m in W.missing(state, "implementation_plan")] == [
        "plan_cost", "committee_approval"]
    state = fill(state, "implementation_plan")
    assert close(state, "implementation_plan").current == "expropriation"


def test_a_return_to_an_earlier_step_reopens_it_and_keeps_later_work() -> None:
    storage = STEP_CODES.index("storage")
    state = at_step(storage)
    state = W.return_step(state, "storage", to_step="implementation_plan",
                          items=["plan_cost"], reason="成本核算与实施方案不符",
                          by_user="委员会", by_role="committee", at=tick(state))
    assert state.current == "implementation_plan"
    rows = W.overview(state)
    assert rows[STEP_CODES.index("expropriation")]["status"] == "pending"
    assert W.missing(state, "implementation_plan") == [
        {"code": "plan_cost", "name": "实施方案：成本测算"}]
    with pytest.raises(Conflict) as err:
        close(state, "storage")
    assert err.value.code == "out_of_order"
    state = close(fill(state, "implementation_plan"), "implementation_plan")
    state = close(state, "expropriation")  # earlier provisions still count
    state = close(state, "net_land")
    assert state.current == "storage"
    assert [t.kind for t in state.log].count("return") == 1
    assert W.load_state(state.to_dict()) == state


def test_returns_are_limited() -> None:
    state = at_step(0)
    with pytest.raises(RoleNotAllowed) as err:
        W.return_step(state, "delimit", reason="x", by_user="u", by_role="town_government",
                      at=tick(state))
    assert err.value.allowed == [] and "cannot be returned" in err.value.message
    study = at_step(STEP_CODES.index("preliminary_study"))
    with pytest.raises(InputError) as ierr:
        W.return_step(study, "preliminary_study", to_step="willingness", reason="x",
                      by_user="u", by_role="town_government", at=tick(study))
    assert ierr.value.code == "invalid_return_target"
    with pytest.raises(Conflict) as cerr:
        W.return_step(study, "storage", reason="x", by_user="u", by_role="committee",
                      at=tick(study))
    assert cerr.value.code == "out_of_order"


# ----------------------------------------------------------------------------- the log


def test_the_log_is_append_only_and_checked_on_load() -> None:
    old = at_step(3)
    new = close(fill(old, "preliminary_study"), "preliminary_study")
    check_append_only(old, new)
    assert old.current == "preliminary_study"  # the old state was not changed

    rewritten = new.model_copy(update={"log": new.log[1:]})
    with pytest.raises(Conflict) as err:
        check_append_only(new, rewritten)
    assert err.value.code == "history_rewritten"
    edited = new.model_copy(update={"log": [new.log[0].model_copy(update={"by_user": "x"}),
                                            *new.log[1:]]})
    with pytest.raises(Conflict):
        check_append_only(new, edited)

    data = new.to_dict()
    with pytest.raises(InputError) as ierr:
        W.load_state({**data, "current": "supply"})
    assert ierr.value.code == "invalid_state"
    skipped = json.loads(json.dumps(data))
    skipped["log"][1]["step"] = "survey"
    with pytest.raises(InputError):
        W.load_state(skipped)
    with pytest.raises(InputError) as ierr:
        W.load_state({**data, "surprise": 1})
    assert ierr.value.code == "invalid_state" and "surprise" in ierr.value.message
    with pytest.raises(Conflict) as cerr:
        W.load_state({**data, "pack": "other"})
    assert cerr.value.code == "pack_mismatch"


def test_times_are_kept_in_order_as_naive_utc() -> None:
    state = W.start()
    aware = dt.datetime(2024, 4, 1, 17, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    state = W.provide(state, "delimit", "demolition_boundary", by_user="u",
                      by_role="town_government", at=aware)
    assert state.provisions[0].at == dt.datetime(2024, 4, 1, 9, 0)
    assert state.to_dict()["provisions"][0]["at"] == "2024-04-01T09:00:00"
    with pytest.raises(InputError) as err:
        W.provide(state, "delimit", "potential_and_sentiment", by_user="u",
                  by_role="town_government", at=dt.datetime(2024, 3, 1))
    assert err.value.code == "time_order"


# ----------------------------------------------------------------------------- bad packs


def _pack_data() -> dict[str, Any]:
    data = yaml.safe_load(PACK_FILE.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _spoil_extra(d: dict[str, Any]) -> None:
    d["steps"][0]["colour"] = "red"


def _spoil_role(d: dict[str, Any]) -> None:
    d["steps"][2]["roles"] = ["mayor"]


def _spoil_flag(d: dict[str, Any]) -> None:
    d["steps"][7]["requirements"][11]["required_when"] = "volcano"


def _spoil_number(d: dict[str, Any]) -> None:
    d["steps"][1]["number"] = 3


def _spoil_validity(d: dict[str, Any]) -> None:
    del d["validity"]["years"]


def _spoil_kind(d: dict[str, Any]) -> None:
    d["steps"][0]["requirements"][0]["kind"] = "rumour"


def _spoil_stage(d: dict[str, Any]) -> None:
    d["steps"][4]["stage"] = "afterlife"


def _spoil_item_role(d: dict[str, Any]) -> None:
    d["steps"][5]["requirements"][12]["roles"] = ["mayor"]


def _spoil_duplicate(d: dict[str, Any]) -> None:
    d["steps"][3]["code"] = "survey"


BAD_PACKS = {
    "extra_field": (_spoil_extra, "steps.0.colour"),
    "unknown_role": (_spoil_role, "steps[2].roles: unknown role 'mayor'"),
    "unknown_flag": (_spoil_flag, "steps[7].requirements[11].required_when: unknown flag"),
    "step_number": (_spoil_number, "steps[1].number: expected 2"),
    "validity_years": (_spoil_validity, "validity.years"),
    "requirement_kind": (_spoil_kind, "steps.0.requirements.0.kind"),
    "unknown_stage": (_spoil_stage, "steps[4].stage: unknown stage 'afterlife'"),
    "item_role": (_spoil_item_role, "steps[5].requirements[12].roles: unknown role"),
    "duplicate_step": (_spoil_duplicate, "steps[3].code: duplicate step code 'survey'"),
}


@pytest.mark.parametrize("case", BAD_PACKS)
def test_a_bad_pack_is_refused_naming_the_file_and_field(
        case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spoil, expected = BAD_PACKS[case]
    data = _pack_data()
    spoil(data)
    path = _copy(tmp_path, data)
    with pytest.raises(ConfigurationError) as err:
        Registry.scan([(tmp_path, "bureau")]).load(COPY_ID, ConsolidationRules)
    assert expected in str(err.value)
    assert err.value.file == str(path)


COPY_ID = "testcity-consolidation"


def _copy(folder: Path, data: dict[str, Any]) -> Path:
    """A bureau's copy of the pack under another id."""
    path = folder / "consolidation.yaml"
    path.write_text(yaml.safe_dump({**data, "id": COPY_ID}, allow_unicode=True),
                    encoding="utf-8")
    return path


def test_the_unspoilt_copy_loads(tmp_path: Path) -> None:
    _copy(tmp_path, _pack_data())
    loaded = Registry.scan([(tmp_path, "bureau")]).load(COPY_ID, ConsolidationRules)
    assert loaded.model_copy(update={"id": RULES.id}) == RULES


def test_every_provider_and_closer_role_exists() -> None:
    for step, req in itertools.chain.from_iterable(
            ((s, r) for r in s.requirements) for s in RULES.steps):
        assert set(step.provider_roles(req)) <= set(RULES.roles)


def test_overview_from_given_requirements_is_the_overview() -> None:
    """Requirements computed once per step (as the service does) give the same rows, and each
    row's missing count is the number of items ``missing`` names."""
    for state in (W.start(), at_step(5), declare(at_step(4), {"heritage_involved": True}),
                  at_step(11)):
        statuses = {s.code: W.requirements(state, s.code) for s in W.steps}
        rows = W.overview(state, statuses)
        assert rows == W.overview(state)
        assert [r["missing"] for r in rows] == [len(W.missing(state, s.code)) for s in W.steps]
