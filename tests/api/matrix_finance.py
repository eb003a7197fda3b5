"""Permission-matrix cases of the money routes (merged into test_permissions.MATRIX).

The cost ledger and the fund-balance study are kept by the project's district writers and its
consolidation entity; the storage-fee settlement and disbursements are the city's decisions
(the entity reads them, cannot make them). Other districts' and companies' projects are 404.
"""

from __future__ import annotations

from typing import Any

from .test_permissions import (
    PROJECT_SCOPED,
    Case,
    World,
    get_as,
    matrix_projects,
    page_as,
    redirected_to_login,
    scoped,
)

SHA = "cd" * 32


def _entity_writes(w: World, role: str, make: Any) -> None:
    """Writes open to district writers and the owning entity: viewer 403, anonymous 401, the
    other district's (and other company's) project 404 for the scoped roles."""
    own = make("west")
    if role == "consolidation_entity":
        assert own.status_code in (200, 201), own.text
        assert make("east").status_code == 404
        return
    scoped(w, role, make, write=True)


def costs_add(w: World, role: str) -> None:
    ids = matrix_projects(w)
    _entity_writes(w, role, lambda side: w.client.post(
        f"/api/projects/{ids[side]['project']}/costs", headers=w.headers(role),
        json={"category": "clearance", "amount": "1000", "description": f"{role} 清表",
              "evidence_sha256": SHA}))


def costs_list(w: World, role: str) -> None:
    ids = matrix_projects(w)
    scoped(w, role, lambda side: get_as(w, role, f"/api/projects/{ids[side]['project']}/costs"),
            write=False)


def fund_balance(w: World, role: str) -> None:
    ids = matrix_projects(w)
    body = {"compensation": "100", "resettlement_construction": "100", "other_costs": "0",
            "financing_cost": "0", "supply_area_m2": "10", "far": "2", "floor_price": "100"}
    _entity_writes(w, role, lambda side: w.client.post(
        f"/api/projects/{ids[side]['project']}/fund-balance", headers=w.headers(role),
        json=body))


def _city_decision(w: World, role: str, make: Any) -> None:
    own = make("west")
    if role == "consolidation_entity":
        assert own.status_code == 403, own.text
        assert make("east").status_code == 404
        return
    scoped(w, role, make, write=True)


def storage_fee(w: World, role: str) -> None:
    ids = matrix_projects(w)
    _city_decision(w, role, lambda side: w.client.post(
        f"/api/projects/{ids[side]['project']}/storage-fee", headers=w.headers(role),
        json={"audited_cost": "1000", "service_rate": "0.05"}))


def disbursement(w: World, role: str) -> None:
    ids = matrix_projects(w)
    for side in ("west", "east"):
        w.client.post(f"/api/projects/{ids[side]['project']}/storage-fee",
                      headers=w.headers("admin"), json={"audited_cost": "1000",
                                                         "service_rate": "0.05"})
    _city_decision(w, role, lambda side: w.client.post(
        f"/api/projects/{ids[side]['project']}/disbursements", headers=w.headers(role),
        json={"revenue": "5000"}))


def finance_get(w: World, role: str) -> None:
    ids = matrix_projects(w)
    scoped(w, role, lambda side: get_as(w, role, f"/api/projects/{ids[side]['project']}/finance"),
            write=False)


def finance_records(w: World, role: str) -> None:
    ids = matrix_projects(w)
    scoped(w, role, lambda side: get_as(
        w, role, f"/api/projects/{ids[side]['project']}/finance/records"), write=False)


CASES: dict[tuple[str, str], Case] = {
    ("POST", "/api/projects/{project_id}/costs"): costs_add,
    ("GET", "/api/projects/{project_id}/costs"): costs_list,
    ("POST", "/api/projects/{project_id}/fund-balance"): fund_balance,
    ("POST", "/api/projects/{project_id}/storage-fee"): storage_fee,
    ("POST", "/api/projects/{project_id}/disbursements"): disbursement,
    ("GET", "/api/projects/{project_id}/finance"): finance_get,
    ("GET", "/api/projects/{project_id}/finance/records"): finance_records,
}


def _page_read(w: World, role: str, suffix: str) -> None:
    ids = matrix_projects(w)
    url = f"/projects/{ids['west']['project']}{suffix}"
    own = page_as(w, role, url)
    if role == "anonymous":
        return redirected_to_login(own, url)
    assert own.status_code == 200, own.text
    other = page_as(w, role, f"/projects/{ids['east']['project']}{suffix}")
    assert other.status_code == (404 if role in PROJECT_SCOPED else 200)


def page_finance(w: World, role: str) -> None:
    _page_read(w, role, "/finance")


def page_finance_excel(w: World, role: str) -> None:
    _page_read(w, role, "/finance.xlsx")


def page_finance_cost(w: World, role: str) -> None:
    ids = matrix_projects(w)

    def add(side: str) -> Any:
        return w.page(role).post(f"/projects/{ids[side]['project']}/finance/costs", data={
            "csrf_token": w.csrf(role), "category": "clearance", "amount": "1",
            "description": f"{role} page", "document_ref": "P-1"}, follow_redirects=False)
    own = add("west")
    if role in ("anonymous", "viewer"):
        assert own.status_code == 403
        return
    assert own.status_code == 200 and 'id="cost-refusal"' not in own.text, own.text
    assert add("east").status_code == (404 if role in PROJECT_SCOPED else 200)


def _page_write(w: World, role: str, suffix: str, data: dict[str, str], *,
                city_decision: bool) -> None:
    """A money form sent from the page: stored (303 back to the money page) for the roles that
    may make it, 403 for the rest, 404 for another district's or company's project."""
    ids = matrix_projects(w)

    def send(side: str) -> Any:
        return w.page(role).post(f"/projects/{ids[side]['project']}{suffix}",
                                 data={"csrf_token": w.csrf(role), **data},
                                 follow_redirects=False)
    own = send("west")
    if role in ("anonymous", "viewer") or (city_decision and role == "consolidation_entity"):
        assert own.status_code == 403, own.text
        if role == "consolidation_entity":
            assert send("east").status_code == 404
        return
    assert own.status_code == 303, own.text
    assert own.headers["location"].startswith(f"/projects/{ids['west']['project']}/finance")
    assert send("east").status_code == (404 if role in PROJECT_SCOPED else 303)


def page_fund_balance(w: World, role: str) -> None:
    _page_write(w, role, "/finance/fund-balance", {
        "compensation": "100", "resettlement_construction": "100", "other_costs": "0",
        "financing_cost": "0", "unit": "yuan", "supply_area_m2": "10", "far": "2",
        "floor_price": "100"}, city_decision=False)


def page_storage_fee(w: World, role: str) -> None:
    _page_write(w, role, "/finance/storage-fee", {"audited_cost": "1000", "unit": "yuan",
                                                  "service_rate": "0.05"}, city_decision=True)


def page_disbursement(w: World, role: str) -> None:
    ids = matrix_projects(w)
    for side in ("west", "east"):
        w.client.post(f"/api/projects/{ids[side]['project']}/storage-fee",
                      headers=w.headers("admin"), json={"audited_cost": "1000",
                                                         "service_rate": "0.05"})
    _page_write(w, role, "/finance/disbursements", {"revenue": "5000", "unit": "yuan"},
                city_decision=True)


CASES.update({
    ("POST", "/projects/{project_id}/finance/fund-balance"): page_fund_balance,
    ("POST", "/projects/{project_id}/finance/storage-fee"): page_storage_fee,
    ("POST", "/projects/{project_id}/finance/disbursements"): page_disbursement,
    ("GET", "/projects/{project_id}/finance"): page_finance,
    ("GET", "/projects/{project_id}/finance.xlsx"): page_finance_excel,
    ("POST", "/projects/{project_id}/finance/costs"): page_finance_cost,
})
