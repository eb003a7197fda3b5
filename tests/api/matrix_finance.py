"""Permission-matrix cases of the money routes (merged into test_permissions.MATRIX).

The cost ledger and the fund-balance study are kept by the project's district writers and its
consolidation entity; the storage-fee settlement and disbursements are the city's decisions
(the entity reads them, cannot make them). Other districts' and companies' projects are 404.
"""

from __future__ import annotations

from typing import Any

from .test_permissions import Case, World, _get, _projects, _scoped

SHA = "cd" * 32


def _entity_writes(w: World, role: str, make: Any) -> None:
    """Writes open to district writers and the owning entity: viewer 403, anonymous 401, the
    other district's (and other company's) project 404 for the scoped roles."""
    own = make("west")
    if role == "consolidation_entity":
        assert own.status_code in (200, 201), own.text
        assert make("east").status_code == 404
        return
    _scoped(w, role, make, write=True)


def costs_add(w: World, role: str) -> None:
    ids = _projects(w)
    _entity_writes(w, role, lambda side: w.client.post(
        f"/api/projects/{ids[side]['project']}/costs", headers=w.headers(role),
        json={"category": "clearance", "amount": "1000", "description": f"{role} 清表",
              "evidence_sha256": SHA}))


def costs_list(w: World, role: str) -> None:
    ids = _projects(w)
    _scoped(w, role, lambda side: _get(w, role, f"/api/projects/{ids[side]['project']}/costs"),
            write=False)


def fund_balance(w: World, role: str) -> None:
    ids = _projects(w)
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
    _scoped(w, role, make, write=True)


def storage_fee(w: World, role: str) -> None:
    ids = _projects(w)
    _city_decision(w, role, lambda side: w.client.post(
        f"/api/projects/{ids[side]['project']}/storage-fee", headers=w.headers(role),
        json={"audited_cost": "1000", "service_rate": "0.05"}))


def disbursement(w: World, role: str) -> None:
    ids = _projects(w)
    for side in ("west", "east"):
        w.client.post(f"/api/projects/{ids[side]['project']}/storage-fee",
                      headers=w.headers("admin"), json={"audited_cost": "1000",
                                                         "service_rate": "0.05"})
    _city_decision(w, role, lambda side: w.client.post(
        f"/api/projects/{ids[side]['project']}/disbursements", headers=w.headers(role),
        json={"revenue": "5000"}))


def finance_get(w: World, role: str) -> None:
    ids = _projects(w)
    _scoped(w, role, lambda side: _get(w, role, f"/api/projects/{ids[side]['project']}/finance"),
            write=False)


def finance_records(w: World, role: str) -> None:
    ids = _projects(w)
    _scoped(w, role, lambda side: _get(
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
