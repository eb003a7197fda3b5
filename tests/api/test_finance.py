"""The money of a consolidation project through the API, on both backends: the cost ledger with
refusals by clause, the fund-balance study, the storage-fee settlement and disbursements that add
up to the fen; who may do which."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from landrenew.core.store.models import AuditEvent

from .conftest import ENTITY_ORG, WEST, World

SHA = "ab" * 32


def _project(w: World, *, owner: str = ENTITY_ORG, type_: str = "urban_village") -> int:
    r = w.client.post("/api/projects", headers=w.headers("admin"), json={
        "name": "外沙村土地整备", "type": type_, "district_code": WEST, "owner_company": owner})
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def _cost(w: World, pid: int, role: str, **kw: Any) -> Any:
    body = {"category": "expropriation_compensation", "amount": "1200000.00",
            "description": "第一批补偿款", "evidence_sha256": SHA} | kw
    return w.client.post(f"/api/projects/{pid}/costs", headers=w.headers(role), json=body)


def test_cost_ledger_accepts_allowed_items_and_refuses_excluded_ones(world: World) -> None:
    pid = _project(world)
    assert _cost(world, pid, "consolidation_entity").status_code == 201
    r = _cost(world, pid, "district_staff", category="测绘", amount=30000,
              document_ref="测绘合同 ZS-2025-01")
    assert r.status_code == 201 and r.json()["category"] == "surveying_mapping"
    assert r.json()["amount"] == "30000.00" and "§四(二)6(3)" in r.json()["clause"]
    refused = _cost(world, pid, "consolidation_entity", category="management_fees",
                    amount="5000", description="公司管理费")
    assert refused.status_code == 422
    body = refused.json()
    assert body["code"] == "cost_item_excluded" and body["field"] == "category"
    assert "不包括" in body["clause"]
    assert _cost(world, pid, "consolidation_entity", amount=12.5).json()["code"] == \
        "float_refused"
    no_evidence = _cost(world, pid, "consolidation_entity", evidence_sha256=None)
    assert no_evidence.status_code == 422 and no_evidence.json()["field"] == "evidence_sha256"
    ledger = world.client.get(f"/api/projects/{pid}/costs", headers=world.headers("viewer"))
    assert ledger.status_code == 200
    data = ledger.json()
    assert data["total"] == "1230000.00" and len(data["items"]) == 2
    by_code = {c["category"]: c["amount"] for c in data["summary"]["categories"]}
    assert by_code["expropriation_compensation"] == "1200000.00"
    assert by_code["willingness_survey"] == "0.00"
    assert {e["code"] for e in data["excluded"]} == {"entity_staff_cost", "working_expenses",
                                                    "management_fees"}
    with world.store.read_session() as session:  # the refusal is on the record too
        refusals = session.query(AuditEvent).filter(AuditEvent.action == "cost_refused").all()
    assert [e.after["code"] for e in refusals] == ["cost_item_excluded", "float_refused",
                                                   "missing_evidence"]


def test_money_routes_need_a_consolidation_project_and_respect_scope(world: World) -> None:
    other = _project(world, type_="sanjiu")
    assert _cost(world, other, "admin").json()["code"] == "not_a_consolidation_project"
    foreign = _project(world, owner="另一家整备公司")
    assert _cost(world, foreign, "consolidation_entity").status_code == 404
    assert world.client.get(f"/api/projects/{foreign}/finance",
                            headers=world.headers("consolidation_entity")).status_code == 404
    assert _cost(world, foreign, "viewer").status_code == 403


def test_fund_balance_study_with_sensitivity(world: World) -> None:
    pid = _project(world)
    r = world.client.post(f"/api/projects/{pid}/fund-balance",
                          headers=world.headers("consolidation_entity"), json={
                              "compensation": "300000000", "resettlement_construction": "150000000",
                              "other_costs": "40000000", "financing_cost": "10000000",
                              "supply_area_m2": "60000", "far": "3.0", "floor_price": "4000"})
    assert r.status_code == 201, r.text
    result = r.json()["result"]
    balance = result["balance"]
    assert balance["revenue"] == "720000000.00"  # 60 000 m² × 3.0 × 4 000 yuan
    assert balance["total_cost"] == "500000000.00"
    provisions = sum(Decimal(p["amount"]) for p in balance["provisions"])
    assert Decimal(balance["surplus"]) == Decimal("720000000.00") - provisions - \
        Decimal("500000000.00")
    assert all(p["clause"] and p["base"] for p in balance["provisions"])
    grid = result["sensitivity"]
    assert grid["surplus"][2][2] == balance["surplus"]  # the centre is the base case
    column = [Decimal(row[2]) for row in grid["surplus"]]
    assert column == sorted(column)  # a higher price never lowers the surplus
    bad = world.client.post(f"/api/projects/{pid}/fund-balance", headers=world.headers("admin"),
                            json={"compensation": "1"})
    assert bad.status_code == 422 and bad.json()["field"] == "resettlement_construction"


def test_settlement_and_disbursement_add_up_to_the_fen(world: World) -> None:
    pid = _project(world)
    _cost(world, pid, "consolidation_entity", amount="1000000.01")
    assert world.client.post(f"/api/projects/{pid}/disbursements", headers=world.headers("admin"),
                             json={"revenue": "5000000"}).json()["code"] == \
        "no_storage_settlement"
    entity = world.client.post(f"/api/projects/{pid}/storage-fee",
                               headers=world.headers("consolidation_entity"),
                               json={"service_rate": "0.05"})
    assert entity.status_code == 403  # the entity does not settle its own fee
    r = world.client.post(f"/api/projects/{pid}/storage-fee", headers=world.headers("city_staff"),
                          json={"service_rate": "0.05", "milestones": [
                              {"name": "交储后", "share": "1/3"}, {"name": "出让后", "share": "2/3"}]})
    assert r.status_code == 201, r.text
    fee = r.json()["result"]
    assert fee["ledger_total"] == "1000000.01"
    assert fee["storage_fee"]["total"] == "1050000.01"  # + 5 % of 1 000 000.01 = 50 000.00
    amounts = [Decimal(p["amount"]) for p in fee["schedule"]["payments"]]
    assert sum(amounts) == Decimal("1050000.01") and amounts[0] == Decimal("350000.00")
    bad = world.client.post(f"/api/projects/{pid}/storage-fee", headers=world.headers("admin"),
                            json={"service_rate": "0.05", "milestones": [
                                {"name": "a", "share": "50%"}, {"name": "b", "share": "40%"}]})
    assert bad.status_code == 422 and bad.json()["code"] == "shares_not_100_percent"
    d = world.client.post(f"/api/projects/{pid}/disbursements", headers=world.headers("admin"),
                          json={"revenue": "3000000.00", "loan_principal": "400000",
                                "loan_interest": "12345.67"})
    assert d.status_code == 201, d.text
    steps = d.json()["result"]["steps"]
    assert sum(Decimal(s["amount"]) for s in steps) == Decimal("3000000.00")
    codes = [s["code"] for s in steps]
    assert codes.index("special_loan_principal") < codes.index("entity") < codes.index("city")
    by = {s["code"]: s for s in steps}
    assert by["entity"]["amount"] == str(Decimal("1050000.01") - Decimal("400000.00")
                                         - Decimal("12345.67"))
    # a second sale pays nothing more to the entity: the fee is settled
    again = world.client.post(f"/api/projects/{pid}/disbursements",
                              headers=world.headers("admin"), json={"revenue": "100"}).json()
    assert {s["code"]: s["amount"] for s in again["result"]["steps"]}["entity"] == "0.00"
    assert [r["kind"] for r in world.client.get(
        f"/api/projects/{pid}/finance/records", headers=world.headers("viewer")).json()] == \
        ["storage_settlement", "disbursement", "disbursement"]


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(revenue=st.integers(1, 10**11), fee=st.integers(0, 10**10),
       principal=st.integers(0, 10**10), interest=st.integers(0, 10**8))
def test_any_disbursement_adds_up(world: World, revenue: int, fee: int, principal: int,
                                  interest: int) -> None:
    """Through the API, for any revenue, fee and loan: every step ≥ 0 and the steps add up to
    the revenue to the fen (amounts in fen, sent as yuan strings)."""
    pid = _project(world)
    to_yuan = lambda fen: str(Decimal(fen) / 100)  # noqa: E731
    world.client.post(f"/api/projects/{pid}/storage-fee", headers=world.headers("admin"),
                      json={"audited_cost": to_yuan(fee), "service_rate": "0.03"})
    r = world.client.post(f"/api/projects/{pid}/disbursements", headers=world.headers("admin"),
                          json={"revenue": to_yuan(revenue), "loan_principal": to_yuan(principal),
                                "loan_interest": to_yuan(interest)})
    assert r.status_code == 201, r.text
    steps = r.json()["result"]["steps"]
    assert all(Decimal(s["amount"]) >= 0 for s in steps)
    assert sum(Decimal(s["amount"]) for s in steps) == Decimal(revenue) / 100


def test_finance_page_and_workbook(world: World) -> None:
    """The page shows the ledger and every decision; its form adds an item or shows the
    refusal with its clause; the workbook holds the same numbers."""
    import io

    from openpyxl import load_workbook

    pid = _project(world)
    _cost(world, pid, "admin")
    world.client.post(f"/api/projects/{pid}/fund-balance", headers=world.headers("admin"), json={
        "compensation": "100", "resettlement_construction": "100", "other_costs": "0",
        "financing_cost": "0", "supply_area_m2": "10", "far": "2", "floor_price": "100"})
    world.client.post(f"/api/projects/{pid}/storage-fee", headers=world.headers("admin"),
                      json={"service_rate": "0.05"})
    world.client.post(f"/api/projects/{pid}/disbursements", headers=world.headers("admin"),
                      json={"revenue": "2000000"})
    page = world.page("consolidation_entity")
    r = page.get(f"/projects/{pid}/finance")
    assert r.status_code == 200
    assert 'id="cost-total" data-total="1200000.00">1,200,000.00<' in r.text and 'data-total="1260000.00"' in r.text
    assert 'data-step="entity"' in r.text and 'id="sensitivity"' in r.text
    ok = page.post(f"/projects/{pid}/finance/costs", data={
        "csrf_token": world.csrf("consolidation_entity"), "category": "clearance",
        "amount": "800.50", "description": "清表", "document_ref": "QB-1"})
    assert ok.status_code == 200 and 'data-total="1200800.50">1,200,800.50<' in ok.text
    refused = page.post(f"/projects/{pid}/finance/costs", data={
        "csrf_token": world.csrf("consolidation_entity"), "category": "working_expenses",
        "amount": "10", "description": "办公经费", "document_ref": "X"})
    assert 'data-code="cost_item_excluded"' in refused.text and "不包括" in refused.text
    assert 'data-total="1200800.50">1,200,800.50<' in refused.text  # nothing was added
    forged = page.post(f"/projects/{pid}/finance/costs", data={
        "csrf_token": "forged", "category": "clearance", "amount": "1", "description": "x"})
    assert forged.status_code == 403
    book = load_workbook(io.BytesIO(page.get(f"/projects/{pid}/finance.xlsx").content))
    assert {"成本台账", "资金平衡", "敏感性分析", "收储费用", "资金拨付1"} <= set(book.sheetnames)
    total_row = next(r for r in book["成本台账"].iter_rows(values_only=True) if r[1] == "合计")
    assert total_row[2] == Decimal("1200800.50") or float(total_row[2]) == 1200800.50
    steps = [r for r in book["资金拨付1"].iter_rows(min_row=5, values_only=True)]
    assert round(sum(float(r[2]) for r in steps), 2) == 2000000.00


def test_stored_items_are_shown_not_checked_again(world: World) -> None:
    """An item stored under a category a later pack no longer names still reads (labelled by
    its code) and counts in the total: the ledger is a record, not a re-check."""
    from landrenew.core.store import utcnow
    from landrenew.core.store.models import CostItem

    pid = _project(world)
    with world.store.session() as session:
        session.add(CostItem(project_id=pid, category="retired_category", description="旧类别",
                             amount=Decimal("10.00"), document_ref="X", recorded_by="setup",
                             recorded_at=utcnow()))
    r = world.client.get(f"/api/projects/{pid}/costs", headers=world.headers("viewer"))
    assert r.status_code == 200, r.text
    assert r.json()["total"] == "10.00"
    assert r.json()["items"][0]["category_zh"] == "retired_category"


def _counting(world: World, monkeypatch: Any) -> dict[str, int]:
    """Count the sessions the store opens (write and read) from now on."""
    opened = {"session": 0, "read_session": 0}
    for name in opened:
        original = getattr(world.store, name)

        def counted(*a: Any, _name: str = name, _original: Any = original, **kw: Any) -> Any:
            opened[_name] += 1
            return _original(*a, **kw)

        monkeypatch.setattr(world.store, name, counted)
    return opened


def test_each_money_service_works_in_one_session(world: World, monkeypatch: Any) -> None:
    """A write checks the project and writes in one transaction (no read session before it);
    the ledger and the overview read in one session."""
    from landrenew.core.access import Principal
    from landrenew.finance import service
    from landrenew.finance.costs import CostRefused

    pid = _project(world)
    admin = Principal("admin", "admin")
    opened = _counting(world, monkeypatch)

    def once(kind: str) -> None:
        assert opened == {"session": int(kind == "session"),
                          "read_session": int(kind == "read_session")}
        opened.update(session=0, read_session=0)

    service.add_cost_item(world.store, admin, pid, {
        "category": "clearance", "amount": "1000.00", "description": "清表",
        "document_ref": "QB-1"})
    once("session")
    with pytest.raises(CostRefused):
        service.add_cost_item(world.store, admin, pid, {
            "category": "management_fees", "amount": "5", "description": "管理费",
            "document_ref": "X"})
    once("session")
    service.study_fund_balance(world.store, admin, pid, {
        "compensation": "100", "resettlement_construction": "100", "other_costs": "0",
        "financing_cost": "0", "supply_area_m2": "10", "far": "2", "floor_price": "100"})
    once("session")
    fee = service.settle_storage_fee(world.store, admin, pid, {"service_rate": "0.05"})
    once("session")
    assert fee["result"]["ledger_total"] == "1000.00"
    service.record_disbursement(world.store, admin, pid, {"revenue": "2000"})
    once("session")
    assert service.cost_ledger(world.store, admin, pid)["total"] == "1000.00"
    once("read_session")
    view = service.overview(world.store, admin, pid)
    once("read_session")
    assert view["costs"]["total"] == "1000.00" and len(view["disbursements"]) == 1
    assert view["project"]["id"] == pid and view["fund_balance"] and view["settlement"]


def test_a_refusal_is_audited_only_for_whom_may_write(world: World) -> None:
    """The project is checked before the item: a user who may not write it gets 404/403 and
    leaves no refusal on the record; a writer's refusal is kept (committed) and adds no item."""
    from landrenew.core.store.models import CostItem

    pid = _project(world)
    foreign = _project(world, owner="另一家整备公司")
    excluded = {"category": "management_fees", "amount": "5000", "description": "公司管理费"}
    assert _cost(world, pid, "viewer", **excluded).status_code == 403
    assert _cost(world, foreign, "consolidation_entity", **excluded).status_code == 404
    with world.store.read_session() as session:
        assert session.query(AuditEvent).filter(AuditEvent.action == "cost_refused").count() == 0
    refused = _cost(world, pid, "consolidation_entity", **excluded)
    assert refused.status_code == 422 and refused.json()["code"] == "cost_item_excluded"
    with world.store.read_session() as session:
        refusals = session.query(AuditEvent).filter(AuditEvent.action == "cost_refused").all()
        assert session.query(CostItem).filter(CostItem.project_id == pid).count() == 0
    assert [(e.entity_id, e.actor, e.after["category"]) for e in refusals] == \
        [(str(pid), "consolidation_entity", "management_fees")]


def test_a_refused_decision_keeps_nothing(world: World) -> None:
    """A settlement or disbursement refused after the project check writes neither a record
    nor an audit event (one transaction, rolled back)."""
    pid = _project(world)
    url = f"/api/projects/{pid}"
    bad = world.client.post(f"{url}/storage-fee", headers=world.headers("admin"), json={
        "service_rate": "0.05", "milestones": [{"name": "a", "share": "50%"}]})
    assert bad.status_code == 422
    assert world.client.post(f"{url}/disbursements", headers=world.headers("admin"),
                             json={"revenue": "1"}).json()["code"] == "no_storage_settlement"
    assert world.client.post(f"{url}/storage-fee", headers=world.headers("city_staff"),
                             json={"service_rate": "0.05"}).status_code == 201
    assert world.client.post(f"{url}/disbursements", headers=world.headers("admin"),
                             json={}).status_code == 422
    assert [r["kind"] for r in world.client.get(
        f"{url}/finance/records", headers=world.headers("viewer")).json()] == \
        ["storage_settlement"]
    with world.store.read_session() as session:
        actions = [e.action for e in session.query(AuditEvent).filter(
            AuditEvent.entity_id == str(pid), AuditEvent.action.in_(
                ("storage_settlement", "disbursement"))).all()]
    assert actions == ["storage_settlement"]


def test_finance_page_form_offers_the_ledger_categories(world: World) -> None:
    """The cost form lists every allowed category of the ledger and, marked, the excluded ones
    (from the overview, not from a second look at the pack)."""
    pid = _project(world)
    costs = world.client.get(f"/api/projects/{pid}/costs", headers=world.headers("admin")).json()
    r = world.page("consolidation_entity").get(f"/projects/{pid}/finance")
    assert r.status_code == 200
    form = r.text[r.text.index('id="cost-form"'):]
    form = form[:form.index("</select>")]
    allowed = [c["category"] for c in costs["summary"]["categories"]]
    excluded = [c["code"] for c in costs["excluded"]]
    assert allowed and excluded
    offered = [part.split('"', 1)[0] for part in form.split('<option value="')[1:]]
    assert offered == allowed + excluded


def _settled(w: World) -> tuple[int, Any]:
    """A consolidation project with one cost item and its storage fee settled, and the admin."""
    from landrenew.core.access import Principal
    from landrenew.finance import service

    pid = _project(w)
    admin = Principal("admin", "admin")
    service.add_cost_item(w.store, admin, pid, {
        "category": "clearance", "amount": "1000.00", "description": "清表",
        "document_ref": "QB-1"})
    service.settle_storage_fee(w.store, admin, pid, {"service_rate": "0.05"})
    return pid, admin


def _paid(disbursement: dict[str, Any]) -> Decimal:
    """What a disbursement paid out of the revenue: the special loan and the entity."""
    return sum((Decimal(s["amount"]) for s in disbursement["result"]["steps"]
                if s["code"] in ("special_loan_principal", "special_loan_interest", "entity")),
               Decimal(0))


def test_a_disbursement_waits_for_another_on_the_same_project(world: World) -> None:
    """Two disbursements of one project are made one after the other: while another transaction
    holds the project (PostgreSQL: its row locked, as a disbursement locks it; SQLite: the one
    writer), a disbursement waits, and then counts what was paid before it."""
    import threading

    from sqlalchemy import text

    from landrenew.finance import service

    pid, admin = _settled(world)
    first = service.record_disbursement(world.store, admin, pid, {"revenue": "600"})
    done: list[dict[str, Any]] = []
    holder = world.store.engine.connect()
    if world.store.caps.spatial_sql:
        # NO KEY UPDATE: a lock that the foreign keys of the rows a disbursement adds do not
        # wait for (they take KEY SHARE), only the disbursement's own lock of the project does
        holder.execute(text("SELECT id FROM projects WHERE id = :p FOR NO KEY UPDATE"),
                       {"p": pid})
    else:
        holder.exec_driver_sql("BEGIN IMMEDIATE")
    worker = threading.Thread(target=lambda: done.append(service.record_disbursement(
        world.store, admin, pid, {"revenue": "600"})))
    worker.start()
    worker.join(0.8)
    assert worker.is_alive() and not done  # waiting for the holder
    holder.rollback()
    holder.close()
    worker.join(30)
    assert done, "the disbursement did not finish once the holder let go"
    paid_first = _paid(first)
    assert Decimal(done[0]["inputs"]["already_paid"]) == paid_first > 0


def test_two_disbursements_at_once_do_not_both_count_the_fee_unpaid(world: World,
                                                                   monkeypatch) -> None:
    """Two disbursements of one project at the same moment: the second waits before it reads
    what was paid (SQLite as well, which ignores row locks), so it counts the first's payment
    and the storage fee is not paid twice."""
    import threading

    from landrenew.finance import service

    pid, admin = _settled(world)
    inside, go = threading.Event(), threading.Event()
    paid_on_ledger = service.paid_on_ledger

    def first_waits_inside(records: list[Any]) -> str:
        if not inside.is_set():  # the first disbursement, having read what was paid
            inside.set()
            assert go.wait(30)
        return paid_on_ledger(records)

    monkeypatch.setattr(service, "paid_on_ledger", first_waits_inside)
    done: dict[str, dict[str, Any]] = {}

    def pay(name: str) -> None:
        done[name] = service.record_disbursement(world.store, admin, pid, {"revenue": "600"})

    first = threading.Thread(target=pay, args=("first",))
    first.start()
    assert inside.wait(30)
    second = threading.Thread(target=pay, args=("second",))
    second.start()
    second.join(0.8)
    assert second.is_alive() and "second" not in done  # waiting before its reads
    go.set()
    first.join(30)
    second.join(30)
    paid_first = _paid(done["first"])
    assert Decimal(done["first"]["inputs"]["already_paid"]) == 0
    assert Decimal(done["second"]["inputs"]["already_paid"]) == paid_first > 0


def test_a_disbursement_never_pays_what_was_paid_again(world: World) -> None:
    """The review's attack: once the storage fee was paid, a disbursement stating
    ``already_paid: 0`` paid the entity again. What was paid comes from the money ledger."""
    pid = _project(world)
    _cost(world, pid, "consolidation_entity", amount="1000000.00")
    h = world.headers("admin")
    fee = world.client.post(f"/api/projects/{pid}/storage-fee", headers=h,
                            json={"service_rate": "0.05"}).json()["result"]["storage_fee"]["total"]
    first = world.client.post(f"/api/projects/{pid}/disbursements", headers=h,
                              json={"revenue": "90000000"})
    assert first.status_code == 201, first.text
    assert _paid(first.json()) == Decimal(fee)
    attack = world.client.post(f"/api/projects/{pid}/disbursements", headers=h,
                               json={"revenue": "90000000", "already_paid": "0"})
    assert attack.status_code == 409 and attack.json()["code"] == "already_paid_mismatch"
    assert fee in attack.json()["message"]
    agreed = world.client.post(f"/api/projects/{pid}/disbursements", headers=h,
                               json={"revenue": "90000000", "already_paid": fee})
    assert agreed.status_code == 201 and _paid(agreed.json()) == 0
    records = world.client.get(f"/api/projects/{pid}/finance/records?kind=disbursement",
                               headers=h).json()
    assert sum(_paid(r) for r in records) == Decimal(fee)


def test_the_same_submission_is_one_payment(world: World) -> None:
    pid = _project(world)
    _cost(world, pid, "consolidation_entity", amount="500000.00")
    h = world.headers("admin")
    world.client.post(f"/api/projects/{pid}/storage-fee", headers=h, json={"service_rate": "0.05"})
    key = {**h, "Idempotency-Key": "pay-2026-0001"}
    one = world.client.post(f"/api/projects/{pid}/disbursements", headers=key,
                            json={"revenue": "200000"})
    two = world.client.post(f"/api/projects/{pid}/disbursements", headers=key,
                            json={"revenue": "200000"})
    assert one.status_code == two.status_code == 201
    assert two.json()["id"] == one.json()["id"] and two.json()["replayed"] is True
    assert not one.json()["replayed"]
    other = world.client.post(f"/api/projects/{pid}/disbursements", headers=key,
                              json={"revenue": "300000"})
    assert other.status_code == 409 and other.json()["code"] == "idempotency_key_reused"
    records = world.client.get(f"/api/projects/{pid}/finance/records?kind=disbursement",
                               headers=h).json()
    assert len(records) == 1


def test_a_deleted_payment_record_does_not_make_the_fee_unpaid(world: World) -> None:
    """Deleting the disbursement row does not make its money unpaid (the money ledger still
    holds it); deleting the ledger record too breaks the ledger, and no disbursement is made
    from a broken ledger."""
    from sqlalchemy import text

    pid = _project(world)
    _cost(world, pid, "consolidation_entity", amount="100000.00")
    h = world.headers("admin")
    world.client.post(f"/api/projects/{pid}/storage-fee", headers=h, json={"service_rate": "0.05"})
    paid = world.client.post(f"/api/projects/{pid}/disbursements", headers=h,
                             json={"revenue": "5000000"}).json()
    with world.store.engine.begin() as conn:
        conn.execute(text("DELETE FROM finance_records WHERE id = :i"), {"i": paid["id"]})
    again = world.client.post(f"/api/projects/{pid}/disbursements", headers=h,
                              json={"revenue": "5000000"})
    assert again.status_code == 201 and _paid(again.json()) == 0
    with world.store.engine.begin() as conn:
        conn.execute(text("DELETE FROM ledger_records WHERE ledger = :n AND seq = 2"),
                     {"n": f"money:project:{pid}"})
        conn.execute(text("DELETE FROM ledger_records WHERE ledger = :n AND seq = 1"),
                     {"n": f"money:project:{pid}"})
    broken = world.client.post(f"/api/projects/{pid}/disbursements", headers=h,
                               json={"revenue": "5000000"})
    assert broken.status_code == 409 and broken.json()["code"] == "ledger_broken"


def test_every_money_decision_has_a_form_that_keeps_what_was_typed(world: World) -> None:
    """The money page alone: a cost with its evidence file (hashed by the server), the fund
    balance in 万元 with separators, the settlement with milestone lines, a disbursement sent
    twice (paid once); a refused form answers 422 with the message beside its field and the
    typed values kept."""
    import hashlib
    import re

    pid = _project(world)
    city = world.page("city_staff")
    csrf = world.csrf("city_staff")
    evidence = "补偿协议扫描件".encode() * 100
    cost = city.post(f"/projects/{pid}/finance/costs", data={
        "csrf_token": csrf, "category": "expropriation_compensation", "amount": "1,200,000.00",
        "unit": "yuan", "description": "第一批补偿款"},
        files={"evidence": ("协议.pdf", evidence, "application/pdf")})
    assert cost.status_code == 200 and 'data-total="1200000.00"' in cost.text
    assert hashlib.sha256(evidence).hexdigest() in cost.text and "协议.pdf" in cost.text
    wan = city.post(f"/projects/{pid}/finance/costs", data={
        "csrf_token": csrf, "category": "clearance", "amount": "0.5", "unit": "wan",
        "description": "清表", "document_ref": "QB-1"})
    assert 'data-total="1205000.00"' in wan.text
    bad = city.post(f"/projects/{pid}/finance/costs", data={
        "csrf_token": csrf, "category": "clearance", "amount": "一百", "unit": "yuan",
        "description": "清表二", "document_ref": "QB-2"})
    assert 'id="cost-error" data-field="amount"' in bad.text and 'value="一百"' in bad.text
    assert 'value="清表二"' in bad.text

    refused = city.post(f"/projects/{pid}/finance/fund-balance", data={
        "csrf_token": csrf, "unit": "wan", "compensation": "120", "resettlement_construction":
        "80.5", "other_costs": "1,000", "financing_cost": "十", "supply_area_m2": "35,000",
        "far": "2.5", "floor_price": "8,000"})
    assert refused.status_code == 422 and 'data-form="fund_balance"' in refused.text
    assert 'data-field="financing_cost"' in refused.text and 'value="1,000"' in refused.text
    stored = city.post(f"/projects/{pid}/finance/fund-balance", data={
        "csrf_token": csrf, "unit": "wan", "compensation": "120", "resettlement_construction":
        "80.5", "other_costs": "1,000", "financing_cost": "10", "supply_area_m2": "35,000",
        "far": "2.5", "floor_price": "8,000"}, follow_redirects=False)
    assert stored.status_code == 303
    record = world.client.get(f"/api/projects/{pid}/finance/records?kind=fund_balance",
                              headers=world.headers("admin")).json()[-1]
    assert record["inputs"]["other_costs"] == "10000000.00"  # 1,000 万元
    assert record["inputs"]["supply_area_m2"] == "35000"

    lines = "交储后, 1/3, 2026-06-30\n出让后，2/3"
    settled = city.post(f"/projects/{pid}/finance/storage-fee", data={
        "csrf_token": csrf, "service_rate": "5%", "unit": "yuan", "milestones": lines},
        follow_redirects=False)
    assert settled.status_code == 303, settled.text
    page = city.get(f"/projects/{pid}/finance").text
    assert "1,265,250.00" in page and "33.33 %" in page and "126.53" in page  # 元, %, 万元
    key = re.search(r'name="pay_key" value="([0-9a-f]+)"', page).group(1)  # type: ignore[union-attr]
    form = {"csrf_token": csrf, "revenue": "300", "unit": "wan", "sold_on": "2026-11-30",
            "pay_key": key}
    first = city.post(f"/projects/{pid}/finance/disbursements", data=form,
                      follow_redirects=False)
    again = city.post(f"/projects/{pid}/finance/disbursements", data=form,
                      follow_redirects=False)
    assert first.status_code == again.status_code == 303
    paid = world.client.get(f"/api/projects/{pid}/finance/records?kind=disbursement",
                            headers=world.headers("admin")).json()
    assert len(paid) == 1 and paid[0]["result"]["revenue"] == "3000000.00"
    assert _paid(paid[0]) == Decimal("1265250.00")
    wrong_day = city.post(f"/projects/{pid}/finance/disbursements", data={
        **form, "pay_key": "other", "sold_on": "2026-02-30"})
    assert wrong_day.status_code == 422 and 'data-field="sold_on"' in wrong_day.text
    entity = world.page("consolidation_entity").get(f"/projects/{pid}/finance").text
    assert 'id="fund-balance-form"' in entity and 'id="disbursement-form"' not in entity
    for html in (page, entity, bad.text):
        assert "built-in method" not in html and " object at 0x" not in html
        assert ">None<" not in html and ">nan<" not in html
