"""The Zhongshan land-consolidation workflow and the willingness gate over HTTP, on both backends:
all 11 steps walked by the bodies the pack names, refusals with what they name (roles, missing
items, order), step 5 bound to the consent units, an entity's own projects only, the consent
ledger's tamper evidence, and the workflow page with its htmx forms."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import text
from typer.testing import CliRunner

from landrenew.cli import app as cli_app
from landrenew.core import ledger
from landrenew.core.auth import create_user
from landrenew.core.ledger_check import verify

from .conftest import ENTITY_ORG, PASSWORD, WEST, World

#: The user acting for each body of the workflow: the conftest's district staff act for the
#: town government, its city staff for the city bureau; the others are city staff given an
#: agency here.
ACTOR = {
    "town_government": "district_staff",
    "consolidation_entity": "consolidation_entity",
    "city_bureau": "city_staff",
    "housing_bureau": "housing",
    "finance": "finance",
    "committee": "committee",
    "reserve_centre": "reserve",
    "third_party_accountant": "accountant",
    "trading_centre": "trading",
}
AGENCIES = {"housing": "housing_bureau", "finance": "finance", "committee": "committee",
            "reserve": "reserve_centre", "accountant": "third_party_accountant",
            "trading": "trading_centre"}


def _agents(w: World) -> None:
    """City staff acting for the other bodies, each with a bearer token (once per world)."""
    for name, agency in AGENCIES.items():
        if name in w.tokens:
            continue
        create_user(w.store, name, "city_staff", PASSWORD, actor="setup", agency=agency)
        r = w.client.post("/api/auth/token", data={"username": name, "password": PASSWORD})
        assert r.status_code == 200, r.text
        w.tokens[name] = r.json()["access_token"]


def _post(w: World, who: str, url: str, body: Any = None) -> Any:
    return w.client.post(url, headers=w.headers(who), json=body)


def _get(w: World, who: str, url: str) -> Any:
    return w.client.get(url, headers=w.headers(who))


def _project(w: World, name: str, *, type: str = "urban_village",
             owner: str | None = ENTITY_ORG) -> int:
    r = _post(w, "admin", "/api/projects", {"name": name, "type": type, "district_code": WEST,
                                            "owner_company": owner})
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def _wf(pid: int) -> str:
    return f"/api/projects/{pid}/workflow"


def _provide(w: World, who: str, pid: int, step: str | int, item: str, **kw: Any) -> Any:
    return _post(w, who, f"{_wf(pid)}/steps/{step}/items", {"item": item, **kw})


def _close(w: World, who: str, pid: int, step: str | int) -> Any:
    return _post(w, who, f"{_wf(pid)}/steps/{step}/close", {})


def _current(w: World, pid: int) -> dict[str, Any]:
    body = _get(w, "admin", _wf(pid)).json()
    return next(s for s in body["steps"] if s["status"] == "current")


def _provide_missing(w: World, pid: int) -> dict[str, Any]:
    """Provide every missing required item of the current step, each by the first body the
    pack names for it (decisions passed; the willingness decision is computed)."""
    step = _current(w, pid)
    for r in step["requirements"]:
        if r["required"] and r["status"] != "present":
            extra = {"passed": True} if r["kind"] == "decision" and not r["computed"] else {}
            got = _provide(w, ACTOR[r["roles"][0]], pid, step["code"], r["code"],
                           ref=f"{step['code']}/{r['code']}", **extra)
            assert got.status_code == 201, got.text
    return step


def _walk_to(w: World, pid: int, number: int) -> None:
    """Provide and close steps until ``number`` is the current step."""
    while (step := _current(w, pid))["number"] < number:
        _provide_missing(w, pid)
        closed = _close(w, ACTOR[step["roles"][0]], pid, step["code"])
        assert closed.status_code == 200, closed.text


def _condominium(w: World, pid: int, code: str = "A栋") -> None:
    """Six households, 600 m² of exclusive floor area: o1 150, o2 150, o3 100, o4 100, o5 50,
    o6 50."""
    areas = [150, 150, 100, 100, 50, 50]
    r = _post(w, "district_staff", f"/api/projects/{pid}/consent-units", {
        "code": code, "kind": "condominium", "name": f"{code}住宅楼",
        "definition": {"owners": [{"id": f"o{i + 1}", "exclusive_area": a}
                                  for i, a in enumerate(areas)]}})
    assert r.status_code == 201, r.text


def _consent(w: World, pid: int, owner: str, action: str = "consent", unit: str = "A栋",
             who: str = "district_staff") -> Any:
    return _post(w, who, f"/api/projects/{pid}/consents", {
        "unit": unit, "owner": owner, "action": action, "on": "2026-03-02",
        "evidence_sha256": "ab" * 32})


def _gate(w: World, pid: int) -> dict[str, Any]:
    r = _get(w, "viewer", f"/api/projects/{pid}/willingness-gate")
    assert r.status_code == 200, r.text
    return r.json()


# ---------------------------------------------------------------- the whole workflow


def test_all_eleven_steps_walked_by_the_right_bodies(city: World) -> None:
    _agents(city)
    pid = _project(city, "岐江村城中村改造")
    fresh = _get(city, "viewer", _wf(pid)).json()
    assert fresh["started"] is False and fresh["current"]["number"] == 1
    assert [s["code"] for s in fresh["stages"]] == ["preparation", "consolidation", "storage",
                                                   "supply"]
    assert [s["number"] for s in fresh["steps"]] == list(range(1, 12))
    started = _post(city, "district_staff", _wf(pid), {"reason": "纳入整备"})
    assert started.status_code == 201 and started.json()["version"] == 1
    assert _post(city, "district_staff", _wf(pid), {}).status_code == 200  # already started

    # a single right holder who consents opens the willingness gate
    unit = _post(city, "consolidation_entity", f"/api/projects/{pid}/consent-units", {
        "code": "S1", "kind": "single_holder", "name": "某公司厂房",
        "definition": {"owners": [{"id": "holder"}]}})
    assert unit.status_code == 201, unit.text
    assert _consent(city, pid, "holder", unit="S1", who="consolidation_entity").status_code == 201

    _walk_to(city, pid, 4)
    # step 4: the town government returns one plan; it must be provided again
    _provide_missing(city, pid)
    back = _post(city, "district_staff", f"{_wf(pid)}/steps/4/return",
                 {"reason": "改造初步方案需补充", "items": ["renovation_plan"]})
    assert back.status_code == 200, back.text
    refused = _close(city, "district_staff", pid, 4)
    assert refused.status_code == 409 and refused.json()["missing"] == [
        {"code": "renovation_plan", "name": "改造初步方案"}]
    _provide_missing(city, pid)
    assert _close(city, "district_staff", pid, 4).status_code == 200

    # flags: a closed step's requirements cannot change; the entity declares heritage, finance
    # the special loan
    late = _post(city, "district_staff", f"{_wf(pid)}/flags",
                 {"flags": {"special_loan_declared_before_issue": True}})
    assert late.status_code == 409 and late.json()["code"] == "flag_affects_closed_step"
    assert _post(city, "consolidation_entity", f"{_wf(pid)}/flags",
                 {"flags": {"heritage_involved": True}, "reason": "村内有古树"}).status_code == 200
    assert _post(city, "finance", f"{_wf(pid)}/flags",
                 {"flags": {"special_loan": True}}).status_code == 200
    step5 = _current(city, pid)
    protection = next(r for r in step5["requirements"] if r["code"] == "protection_plan")
    assert protection["required"] and protection["status"] == "missing"

    _walk_to(city, pid, 6)
    # step 6: the committee does not approve and returns the cost estimate
    _provide_missing(city, pid)
    no = _provide(city, "committee", pid, 6, "committee_approval", passed=False)
    assert no.status_code == 201
    refused = _close(city, "district_staff", pid, 6)
    assert refused.status_code == 409
    assert "decision not passed" in refused.json()["message"]
    assert [m["code"] for m in refused.json()["missing"]] == ["committee_approval"]
    back = _post(city, "committee", f"{_wf(pid)}/steps/implementation_plan/return",
                 {"reason": "成本测算依据不足", "items": ["plan_cost", "committee_approval"]})
    assert back.status_code == 200, back.text
    assert [m["code"] for m in next(s for s in back.json()["steps"] if s["number"] == 6)[
        "missing_items"]] == ["plan_cost", "committee_approval"]

    _walk_to(city, pid, 11)
    last = _current(city, pid)
    loan = next(r for r in last["requirements"] if r["code"] == "loan_repayment")
    assert loan["required"]  # switched on by the special_loan flag
    _provide_missing(city, pid)
    done = _close(city, "finance", pid, "disbursement")
    assert done.status_code == 200, done.text
    body = done.json()
    assert body["complete"] is True and body["current"] is None
    assert all(s["status"] == "closed" for s in body["steps"])
    closes = [t for t in body["log"] if t["kind"] == "close"]
    assert [t["step_number"] for t in closes] == list(range(1, 12))
    pack_roles = {s["code"]: s["roles"] for s in body["steps"]}
    assert all(t["by_role"] in pack_roles[t["step"]] for t in closes)
    assert {t["by_user"] for t in closes} >= {"district_staff", "consolidation_entity",
                                              "reserve", "city_staff", "finance"}
    gate_item = next(p for p in body["provisions"] if p["item"] == "willingness_gate")
    assert gate_item["passed"] is True and "1/1" in gate_item["ref"]
    assert "single_holder_consent" in gate_item["note"] or "权利人同意" in gate_item["note"]
    writes = 1 + len(body["provisions"]) + len(body["log"])  # start + every entry
    assert body["version"] == writes
    # every write audited
    audit = _get(city, "admin", "/api/audit?entity_type=consolidation_workflow&limit=1000").json()
    mine = [e for e in audit["items"] if e["entity_id"] == str(pid)]
    assert len(mine) == writes
    # the finished workflow refuses more work
    more = _provide(city, "finance", pid, 11, "disbursement_record")
    assert more.status_code == 409 and more.json()["code"] == "out_of_order"


def test_every_operation_answers_with_the_workflow_read_back(city: World) -> None:
    """What start, provide, close (step 5 with its computed gate included), return and flags
    answer is what GET reads back afterwards for the same user (the page shows the answer)."""
    _agents(city)
    pid = _project(city, "小榄村城中村改造")
    _condominium(city, pid)
    for owner in ("o1", "o2", "o3", "o4"):
        assert _consent(city, pid, owner).status_code == 201

    def same(answer: Any, who: str, status: int = 200) -> dict[str, Any]:
        assert answer.status_code == status, answer.text
        body: dict[str, Any] = answer.json()
        assert body == _get(city, who, _wf(pid)).json()
        return body

    same(_post(city, "district_staff", _wf(pid), {}), "district_staff", 201)
    same(_post(city, "district_staff", _wf(pid), {}), "district_staff")
    while (step := _current(city, pid))["number"] <= 6:
        for r in step["requirements"]:
            if r["required"] and r["status"] != "present":
                extra = {"passed": True} if r["kind"] == "decision" and not r["computed"] else {}
                who = ACTOR[r["roles"][0]]
                same(_provide(city, who, pid, step["code"], r["code"], ref="x", **extra), who,
                     201)
        if step["number"] == 6:
            break
        who = ACTOR[step["roles"][0]]
        body = same(_close(city, who, pid, step["code"]), who)
        if step["code"] == "willingness":
            assert body["willingness"]["allowed"] is True
    back = same(_post(city, "committee", f"{_wf(pid)}/steps/implementation_plan/return",
                      {"reason": "成本测算依据不足", "items": ["plan_cost"]}), "committee")
    assert back["current"]["number"] == 6
    same(_post(city, "finance", f"{_wf(pid)}/flags", {"flags": {"special_loan": True}}),
         "finance")


# ---------------------------------------------------------------- refusals


def test_refusals_name_roles_missing_items_and_order(city: World) -> None:
    _agents(city)
    pid = _project(city, "沙溪村城中村改造")
    wrong = _provide(city, "finance", pid, 1, "demolition_boundary", ref="x")
    assert wrong.status_code == 403, wrong.text
    body = wrong.json()
    assert body["code"] == "role_not_allowed" and body["allowed"] == ["town_government"]
    assert "town_government" in body["message"] and "finance" in body["message"]
    admin = _provide(city, "admin", pid, 1, "demolition_boundary")
    assert admin.status_code == 403 and admin.json()["allowed"] == ["town_government"]
    assert "no agency" in admin.json()["message"]
    viewer = _provide(city, "viewer", pid, 1, "demolition_boundary")
    assert viewer.status_code == 403 and viewer.json()["code"] == "forbidden"
    entity_close = _close(city, "consolidation_entity", pid, 1)
    assert entity_close.status_code == 403 and entity_close.json()["code"] == "role_not_allowed"

    missing = _close(city, "district_staff", pid, 1)
    assert missing.status_code == 409 and missing.json()["code"] == "requirements_missing"
    assert [m["code"] for m in missing.json()["missing"]] == ["potential_and_sentiment",
                                                            "demolition_boundary"]
    assert "拆除部分四至范围" in missing.json()["message"]

    ahead = _provide(city, "district_staff", pid, "survey", "survey_land")
    assert ahead.status_code == 409 and ahead.json()["code"] == "out_of_order"
    assert _close(city, "district_staff", pid, 2).json()["code"] == "out_of_order"
    ok = _provide(city, "district_staff", pid, 1, "demolition_boundary", ref="四至图")
    assert ok.status_code == 201
    row = next(r for r in ok.json()["steps"][0]["requirements"]
               if r["code"] == "demolition_boundary")
    assert row["status"] == "present" and row["provision"]["by_user"] == "district_staff"
    assert row["provision"]["by_role"] == "town_government"

    bad = _provide(city, "district_staff", pid, 1, "demolition_boundary", passed=True)
    assert bad.status_code == 422 and bad.json()["field"] == "passed"
    unknown = _provide(city, "district_staff", pid, 1, "no_such_item")
    assert unknown.status_code == 422 and unknown.json()["field"] == "item"
    assert _provide(city, "district_staff", pid, 99, "x").json()["field"] == "step"
    flag = _post(city, "district_staff", f"{_wf(pid)}/flags", {"flags": {"nonsense": True}})
    assert flag.status_code == 422 and flag.json()["field"] == "flags"
    ret = _post(city, "district_staff", f"{_wf(pid)}/steps/1/return", {"reason": "x"})
    assert ret.status_code == 403 and ret.json()["allowed"] == []

    _walk_to(city, pid, 2)
    closed = _provide(city, "district_staff", pid, 1, "demolition_boundary")
    assert closed.status_code == 409 and closed.json()["code"] == "step_closed"

    other = _project(city, "某三旧改造", type="sanjiu")
    for r in (_get(city, "city_staff", _wf(other)),
              _post(city, "city_staff", f"/api/projects/{other}/consent-units",
                    {"code": "x", "kind": "single_holder", "name": "x",
                     "definition": {"owners": [{"id": "a"}]}})):
        assert r.status_code == 409 and r.json()["code"] == "not_a_consolidation_project"
    assert _get(city, "city_staff", _wf(10_000)).status_code == 404


# ---------------------------------------------------------------- the willingness gate


def test_step_five_closes_only_with_the_willingness_gate_open(city: World) -> None:
    _agents(city)
    pid = _project(city, "张家边村城中村改造")
    _condominium(city, pid)
    for owner in ("o1", "o3", "o4"):
        assert _consent(city, pid, owner).status_code == 201
    gate = _gate(city, pid)
    assert gate["allowed"] is False and gate["failing"] == ["A栋"]
    unit = gate["units"][0]
    assert unit["name"] == "A栋住宅楼" and unit["failing"] == ["area", "households"]
    area, households = unit["checks"]
    assert (area["counted"], area["base"], area["ratio"]) == ("350.00", "600.00", "0.5833")
    assert (households["counted"], households["base"]) == (3, 6)
    assert area["fraction"] == "2/3" and area["comparison"] == ">="
    assert area["rule"] == "jiangmen-willingness:condominium_area_ratio"  # the adopted pack
    assert "三分之二以上" in area["clause"]

    _walk_to(city, pid, 5)
    _provide_missing(city, pid)  # the decision is computed: refused while the gate is closed
    step = _current(city, pid)
    decision = next(r for r in step["requirements"] if r["code"] == "willingness_gate")
    assert decision["status"] == "refused" and decision["computed"] is True
    assert "0/1" in decision["provision"]["ref"]
    assert "350.00/600.00" in decision["provision"]["note"]
    closed = _close(city, "district_staff", pid, 5)
    assert closed.status_code == 409 and closed.json()["code"] == "requirements_missing"
    assert closed.json()["missing"][0]["code"] == "willingness_gate"
    assert closed.json()["gate"]["allowed"] is False
    asserted = _provide(city, "district_staff", pid, 5, "willingness_gate", passed=True)
    assert asserted.status_code == 422 and asserted.json()["code"] == "computed_decision"

    # o5 (50 m²): exactly 2/3 of the area (400/600) and of the households (4/6) → open
    opened = _consent(city, pid, "o5").json()
    assert opened["gate"]["allowed"] is True and opened["unit"]["decision"]["allowed"] is True
    area, households = _gate(city, pid)["units"][0]["checks"]
    assert (area["counted"], area["ratio"], area["passed"]) == ("400.00", "0.6667", True)
    assert (households["counted"], households["passed"]) == (4, True)
    # the recorded decision still says "not passed": provide it again
    assert _close(city, "district_staff", pid, 5).status_code == 409
    again = _provide(city, "district_staff", pid, 5, "willingness_gate", ref="复核")
    assert again.status_code == 201
    decision = next(r for r in _current(city, pid)["requirements"]
                    if r["code"] == "willingness_gate")
    assert decision["status"] == "present" and "1/1" in decision["provision"]["ref"]
    assert decision["provision"]["ref"].endswith("· 复核")

    # a withdrawal (a new ledger record) closes the gate again: one household short
    withdrawn = _consent(city, pid, "o5", "withdraw")
    assert withdrawn.status_code == 201 and withdrawn.json()["gate"]["allowed"] is False
    assert withdrawn.json()["record"]["subject"] == "A栋/o5"
    refused = _close(city, "district_staff", pid, 5)
    assert refused.status_code == 409 and refused.json()["gate"]["allowed"] is False
    assert [m["code"] for m in refused.json()["missing"]] == ["willingness_gate"]
    assert "withdrawn" in refused.json()["message"]
    assert _consent(city, pid, "o5", "withdraw").json()["code"] == "nothing_to_withdraw"
    assert _consent(city, pid, "o5").status_code == 201
    assert _consent(city, pid, "o5").json()["code"] == "already_consented"
    assert _close(city, "district_staff", pid, 5).status_code == 200
    assert _current(city, pid)["code"] == "implementation_plan"


def test_exact_area_one_household_short_fails(city: World) -> None:
    pid = _project(city, "港口村城中村改造")
    _condominium(city, pid)
    for owner in ("o1", "o2", "o3"):  # 400 m² of 600 (exactly 2/3), 3 of 6 households
        _consent(city, pid, owner)
    unit = _gate(city, pid)["units"][0]
    assert unit["allowed"] is False and unit["failing"] == ["households"]
    assert unit["checks"][0]["passed"] is True and unit["checks"][0]["ratio"] == "0.6667"
    assert _consent(city, pid, "o6").json()["gate"]["allowed"] is True  # 4 of 6, 450 m²


def test_consent_units_votes_and_their_refusals(city: World) -> None:
    pid = _project(city, "濠头村城中村改造")
    units = f"/api/projects/{pid}/consent-units"
    village = _post(city, "district_staff", units, {
        "code": "濠头村", "kind": "collective", "name": "濠头村集体土地",
        "definition": {"body": "villagers_meeting"}})
    assert village.status_code == 201 and village.json()["pending"] is True
    gate = _gate(city, pid)
    assert gate["allowed"] is False and gate["pending"] == ["濠头村"]
    assert gate["units"][0]["pending"] is True

    def vote(in_favour: int, **kw: Any) -> Any:
        return _post(city, "district_staff", f"/api/projects/{pid}/votes", {
            "unit": "濠头村", "body": "villagers_meeting", "eligible": 100, "present": 60,
            "in_favour": in_favour, "held_on": "2026-02-01", **kw})

    first = vote(31)
    assert first.status_code == 201, first.text
    assert first.json()["gate"]["allowed"] is True
    assert first.json()["record"]["action"] == "vote"
    assert vote(30).json()["gate"]["allowed"] is False  # the latest vote counts: exactly half
    checks = _gate(city, pid)["units"][0]["checks"]
    decision = next(c for c in checks if c["name"] == "decision")
    assert (decision["counted"], decision["base"], decision["comparison"]) == (30, 60, ">")
    assert "第二十二条" in decision["clause"]
    listed = _get(city, "viewer", units).json()
    assert listed[0]["vote"]["in_favour"] == 30 and listed[0]["records"] == 2

    too_many = vote(10, present=120)
    assert too_many.status_code == 422 and too_many.json()["field"] == "present"
    assert vote(10, body="parliament").json()["field"] == "body"
    assert vote(10, households_total=50).json()["field"] == "households_present"
    consent = _post(city, "district_staff", f"/api/projects/{pid}/consents", {
        "unit": "濠头村", "owner": "x", "action": "consent", "on": "2026-02-02"})
    assert consent.status_code == 422 and consent.json()["field"] == "unit"

    def unit(body: dict[str, Any]) -> Any:
        return _post(city, "district_staff", units, body)

    no_area = unit({"code": "B", "kind": "condominium", "name": "B栋",
                    "definition": {"owners": [{"id": "b1"}]}})
    assert no_area.status_code == 422
    assert no_area.json()["field"] == "definition.owners[0].exclusive_area"
    assert unit({"code": "B", "kind": "tower", "name": "B"}).json()["field"] == "kind"
    assert unit({"code": "B", "kind": "single_holder", "name": "B", "definition": {
        "owners": [{"id": "b1"}], "records": []}}).json()["field"] == "definition.records"
    assert unit({"code": "B", "kind": "co_owned", "name": "B", "definition": {
        "owners": [{"id": "b1"}, {"id": "b1"}]}}).json()["field"] == "definition.owners[1].id"
    dup = unit({"code": "濠头村", "kind": "single_holder", "name": "x",
                "definition": {"owners": [{"id": "a"}]}})
    assert dup.status_code == 409 and dup.json()["code"] == "duplicate_unit"

    # several state parcels: consents name the parcel; 2/3 of the land area must be ready
    parcels = unit({"code": "P", "kind": "state_parcels", "name": "国有地块组", "definition": {
        "parcels": [{"id": "p1", "kind": "single_holder", "area": 2000, "owners": [{"id": "甲"}]},
                    {"id": "p2", "kind": "co_owned", "area": 1000,
                     "owners": [{"id": "乙"}, {"id": "丙"}]}]}})
    assert parcels.status_code == 201, parcels.text
    no_parcel = _post(city, "district_staff", f"/api/projects/{pid}/consents", {
        "unit": "P", "owner": "甲", "action": "consent", "on": "2026-02-02"})
    assert no_parcel.status_code == 422 and no_parcel.json()["field"] == "parcel"
    got = _post(city, "district_staff", f"/api/projects/{pid}/consents", {
        "unit": "P", "parcel": "p1", "owner": "甲", "action": "consent", "on": "2026-02-02"})
    assert got.status_code == 201 and got.json()["record"]["subject"] == "P/p1/甲"
    p = got.json()["unit"]["decision"]
    assert p["allowed"] is True and p["checks"][0]["counted"] == "2000.00"
    stranger = _post(city, "district_staff", f"/api/projects/{pid}/consents", {
        "unit": "P", "parcel": "p2", "owner": "甲", "action": "consent", "on": "2026-02-02"})
    assert stranger.status_code == 422 and stranger.json()["field"] == "owner"


# ---------------------------------------------------------------- who sees what


def test_an_entity_sees_and_acts_only_on_its_own_projects(city: World) -> None:
    own = _project(city, "本公司整备项目")
    other = _project(city, "他公司整备项目", owner="中山城建集团")
    entity = "consolidation_entity"
    assert _get(city, entity, _wf(own)).status_code == 200
    for url in (_wf(other), f"/api/projects/{other}/consent-units",
                f"/api/projects/{other}/willingness-gate"):
        assert _get(city, entity, url).status_code == 404, url
    for url, body in ((f"{_wf(other)}/flags", {"flags": {"heritage_involved": True}}),
                      (f"{_wf(other)}/steps/1/items", {"item": "demolition_boundary"}),
                      (f"/api/projects/{other}/consent-units",
                       {"code": "x", "kind": "single_holder", "name": "x",
                        "definition": {"owners": [{"id": "a"}]}}),
                      (_wf(other), {})):
        assert _post(city, entity, url, body).status_code == 404, url
    flags = _post(city, entity, f"{_wf(own)}/flags", {"flags": {"heritage_involved": True}})
    assert flags.status_code == 200 and flags.json()["workflow_role"] == entity
    assert flags.json()["log"][-1]["by_role"] == entity
    assert _provide(city, entity, own, 1, "demolition_boundary").json()["code"] == (
        "role_not_allowed")
    _condominium(city, own, "E栋")
    assert _consent(city, own, "o1", unit="E栋", who=entity).status_code == 201
    # district staff of the district see both
    assert _get(city, "district_staff", _wf(other)).status_code == 200


# ---------------------------------------------------------------- the consent ledger


def test_tampering_with_a_consent_record_is_detected(city: World) -> None:
    pid = _project(city, "石岐村城中村改造")
    _condominium(city, pid)
    for owner in ("o1", "o2"):
        _consent(city, pid, owner)
    _consent(city, pid, "o2", "withdraw")
    name = ledger.ledger_name("consent", pid)
    verified = verify(city.store, ledger.trust_of(city.store), name)
    checked, problems = verified.checked, verified.problems
    assert checked == 3 and problems == []
    runner = CliRunner()
    ok = runner.invoke(cli_app, ["--db", city.store.url, "ledger", "verify"])
    assert ok.exit_code == 0, ok.output

    where = {"n": name}
    with city.store.engine.begin() as conn:
        original = conn.execute(text("SELECT action FROM ledger_records WHERE ledger = :n "
                                     "AND seq = 3"), where).scalar_one()
        assert original == "withdraw"
        conn.execute(text("UPDATE ledger_records SET action = 'consent' WHERE ledger = :n "
                          "AND seq = 3"), where)
    try:
        problems = verify(city.store, ledger.trust_of(city.store)).problems  # every ledger, as the CLI does
        assert [(p.ledger, p.seq) for p in problems] == [(name, 3)]
        assert "edited" in problems[0].problem
        broken = runner.invoke(cli_app, ["--db", city.store.url, "ledger", "verify"])
        assert broken.exit_code != 0 and name in broken.output
    finally:
        with city.store.engine.begin() as conn:
            conn.execute(text("UPDATE ledger_records SET action = :a WHERE ledger = :n "
                              "AND seq = 3"), {**where, "a": original})
    assert verify(city.store, ledger.trust_of(city.store), name).problems == []


# ---------------------------------------------------------------- the page


def test_the_workflow_page_and_its_htmx_forms(city: World) -> None:
    pid = _project(city, "大涌村城中村改造")
    _condominium(city, pid)
    _consent(city, pid, "o1")
    page = city.page("district_staff")
    r = page.get(f"/projects/{pid}/workflow")
    assert r.status_code == 200, r.text
    assert len(re.findall(r'<details class="step"', r.text)) == 11
    assert len(re.findall(r'data-stage="', r.text)) == 4
    assert 'id="step-1" data-step="delimit" data-status="current"' in r.text
    assert 'id="provide-form"' in r.text and 'id="close-form"' in r.text
    assert 'data-unit="A栋" data-allowed="false"' in r.text and "150.00 / 600.00" in r.text
    assert "三分之二以上" in r.text  # the clause
    hx = {"HX-Request": "true"}

    def post(client: Any, role: str, what: str, data: dict[str, str]) -> Any:
        return client.post(f"/projects/{pid}/workflow/{what}", headers=hx,
                           data={"csrf_token": city.csrf(role), **data})

    provided = post(page, "district_staff", "provide",
                    {"step": "delimit", "item": "potential_and_sentiment", "ref": "摸底报告",
                     "passed": ""})
    assert provided.status_code == 200, provided.text
    assert 'data-item="potential_and_sentiment" data-status="present"' in provided.text
    assert "<html" not in provided.text  # the body only
    refused = post(page, "district_staff", "close", {"step": "delimit"})
    assert refused.status_code == 409
    assert 'id="refusal" data-code="requirements_missing"' in refused.text
    assert 'data-missing="demolition_boundary"' in refused.text
    assert 'data-missing="potential_and_sentiment"' not in refused.text
    bureau = city.page("city_staff")
    wrong = post(bureau, "city_staff", "provide", {"step": "delimit",
                                                   "item": "demolition_boundary"})
    assert wrong.status_code == 403 and 'data-code="role_not_allowed"' in wrong.text
    assert 'data-allowed="town_government"' in wrong.text
    post(page, "district_staff", "provide", {"step": "delimit", "item": "demolition_boundary"})
    closed = post(page, "district_staff", "close", {"step": "delimit", "note": "范围确定"})
    assert closed.status_code == 200
    assert 'id="step-1" data-step="delimit" data-status="closed"' in closed.text
    assert 'id="current-step" data-step="choose_entity"' in closed.text
    assert 'data-kind="close"' in closed.text and "范围确定" in closed.text
    forged = page.post(f"/projects/{pid}/workflow/close", headers=hx,
                       data={"csrf_token": "forged", "step": "choose_entity"})
    assert forged.status_code == 403
    viewer = city.page("viewer").get(f"/projects/{pid}/workflow")
    assert viewer.status_code == 200 and 'id="provide-form"' not in viewer.text
    english = page.get(f"/projects/{pid}/workflow?lang=en")
    assert "Consolidation workflow" in english.text and "delimit the demolition area" in english.text


def test_the_audit_trail_of_a_workflow_counts_its_versions_one_by_one(city: World) -> None:
    """Each saved change of a workflow is audited with the version it replaced and the one it
    made, so the trail reads 0→1, 1→2, 2→3 … without a gap or a repeat."""
    from sqlalchemy import select

    from landrenew.core.store.models import AuditEvent

    _agents(city)
    pid = _project(city, "古镇村城中村改造")
    assert _post(city, "district_staff", _wf(pid), {}).status_code == 201
    step = _current(city, pid)
    for r in step["requirements"]:
        if r["required"] and r["status"] != "present" and r["kind"] != "decision":
            who = ACTOR[r["roles"][0]]
            assert _provide(city, who, pid, step["code"], r["code"], ref="x").status_code == 201
    with city.store.read_session() as session:
        events = session.scalars(select(AuditEvent).where(
            AuditEvent.entity_type == "consolidation_workflow",
            AuditEvent.entity_id == str(pid)).order_by(AuditEvent.id)).all()
        pairs = [(e.before["version"], e.after["version"]) for e in events]
    assert len(pairs) >= 2
    assert pairs == [(n, n + 1) for n in range(len(pairs))]
