"""The money of a consolidation project through the API, on both backends: the cost ledger with
refusals by clause, the fund-balance study, the storage-fee settlement and disbursements that add
up to the fen; who may do which."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from landrenew.core.store.models import AuditEvent

from .conftest import ENTITY_ORG, WEST, World

SHA = "ab" * 32


def _project(w: World, *, owner: str = ENTITY_ORG, type_: str = "land_consolidation") -> int:
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
    assert 'id="cost-total">1200000.00<' in r.text and 'data-total="1260000.00"' in r.text
    assert 'data-step="entity"' in r.text and 'id="sensitivity"' in r.text
    ok = page.post(f"/projects/{pid}/finance/costs", data={
        "csrf_token": world.csrf("consolidation_entity"), "category": "clearance",
        "amount": "800.50", "description": "清表", "document_ref": "QB-1"})
    assert ok.status_code == 200 and 'id="cost-total">1200800.50<' in ok.text
    refused = page.post(f"/projects/{pid}/finance/costs", data={
        "csrf_token": world.csrf("consolidation_entity"), "category": "working_expenses",
        "amount": "10", "description": "办公经费", "document_ref": "X"})
    assert 'data-code="cost_item_excluded"' in refused.text and "不包括" in refused.text
    assert 'id="cost-total">1200800.50<' in refused.text  # nothing was added
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
