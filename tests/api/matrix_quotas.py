"""Permission-matrix cases of the quota ledgers (merged into test_permissions.MATRIX).

The city's own accounts (a plan, the city's allocations, their corrections) are city staff's and
administrators'; district staff move quota of their districts only and see only those accounts;
viewers and consolidation entities read the balances and entries, write nothing. The world's
bureau has adopted Guangzhou's quota rules for 江门市.
"""

from __future__ import annotations

from typing import Any

from .conftest import EAST, WEST
from .test_permissions import (
    ALL_ROLES,
    Case,
    World,
    denied,
    get_as,
    page_as,
    redirected_to_login,
)

CITY = "440700"
WRITERS = {"district_staff", "city_staff", "admin"}
_BOOKS: dict[int, bool] = {}


def post_as(w: World, role: str, url: str, body: dict[str, Any]) -> Any:
    return w.client.post(url, headers=w.headers(role), json=body)


def books(w: World) -> None:
    """The city's 2025 plan, 600 亩 to the west and 400 to the east, a village in each; once."""
    if id(w) in _BOOKS:
        return
    r = post_as(w, "admin", "/api/quotas/plans", {"city": CITY, "year": 2025,
                                                  "construction_mu": "3000",
                                                  "ring_fence_mu": "1000", "on": "2025-01-02"})
    assert r.status_code == 201, r.text
    for code, mu in ((WEST, "600"), (EAST, "400")):
        r = post_as(w, "admin", "/api/quotas/entries", {
            "kind": "construction", "from": f"city:{CITY}", "to": f"district:{code}",
            "mu": mu, "movement": "allocate", "year": 2025, "on": "2025-02-01",
            "reason": "下达"})
        assert r.status_code == 201, r.text
        r = post_as(w, "admin", "/api/quotas/villages", {"name": f"{code}村", "district": code,
                                                         "preborrow_space_mu": "100"})
        assert r.status_code == 201, r.text
    _BOOKS[id(w)] = True


def balances(w: World, role: str) -> None:
    books(w)
    r = get_as(w, role, "/api/quotas/balances", params={"kind": "construction"})
    if denied(r, role):
        return
    held = {b["holder"] for b in r.json()}
    if role == "district_staff":
        assert held == {f"district:{WEST}"}
    else:
        assert {f"district:{WEST}", f"district:{EAST}", f"city:{CITY}"} <= held
    other = get_as(w, role, "/api/quotas/balances", params={"holder": f"district:{EAST}"})
    assert other.status_code == (403 if role == "district_staff" else 200)


def entries(w: World, role: str) -> None:
    books(w)
    r = get_as(w, role, "/api/quotas/entries", params={"kind": "construction"})
    if denied(r, role):
        return
    tos = {e["to"] for e in r.json()["items"]}
    assert f"district:{WEST}" in tos
    assert (f"district:{EAST}" in tos) is (role != "district_staff")


def move(w: World, role: str) -> None:
    books(w)

    def use(code: str) -> Any:
        return post_as(w, role, "/api/quotas/entries", {
            "kind": "construction", "from": f"district:{code}", "to": "sink:use", "mu": "1",
            "movement": "use", "year": 2025, "on": "2025-03-01", "reason": "用地报批"})
    own = use(WEST)
    if denied(own, role, write=True):
        return
    assert own.status_code == 201 and own.json()["recorded_by"] == role, own.text
    assert use(EAST).status_code == (403 if role == "district_staff" else 201)
    city = post_as(w, role, "/api/quotas/entries", {
        "kind": "construction", "from": f"city:{CITY}", "to": f"district:{WEST}", "mu": "1",
        "movement": "allocate", "year": 2025, "on": "2025-03-01", "reason": "追加"})
    assert city.status_code == (403 if role == "district_staff" else 201), city.text
    too_much = post_as(w, role, "/api/quotas/entries", {
        "kind": "construction", "from": f"district:{WEST}", "to": "sink:use", "mu": "10000",
        "movement": "use", "year": 2025, "on": "2025-03-01", "reason": "超额"})
    assert too_much.status_code == 409 and too_much.json()["code"] == "quota_refused"
    assert too_much.json()["account"] == f"construction/district:{WEST}/2025"


def reverse(w: World, role: str) -> None:
    books(w)
    made = post_as(w, "admin", "/api/quotas/entries", {
        "kind": "construction", "from": f"city:{CITY}", "to": f"district:{WEST}", "mu": "2",
        "movement": "allocate", "year": 2025, "on": "2025-03-02", "reason": "误录"})
    assert made.status_code == 201, made.text
    r = post_as(w, role, f"/api/quotas/entries/{made.json()['id']}/reverse", {"reason": "冲正"})
    if denied(r, role, write=True):
        return
    assert r.status_code == (403 if role == "district_staff" else 201), r.text


def plans(w: World, role: str) -> None:
    year = 2030 + ALL_ROLES.index(role)
    r = post_as(w, role, "/api/quotas/plans", {"city": CITY, "year": year,
                                               "construction_mu": "2000",
                                               "ring_fence_mu": "999.99"})
    if denied(r, role, write=True):
        return
    if role == "district_staff":
        assert r.status_code == 403
        return
    assert r.status_code == 201 and r.json()["meets"] is False
    assert r.json()["short_by_mu"] == "0.01"


def offsets(w: World, role: str) -> None:
    books(w)

    def offset(code: str) -> Any:
        return post_as(w, role, "/api/quotas/offsets", {"village": f"{code}村", "area_mu": "2",
                                                        "on": "2025-04-01"})
    own = offset(WEST)
    if denied(own, role, write=True):
        return
    assert own.status_code == 201 and own.json()["offset_mu"] == "1", own.text
    assert offset(EAST).status_code == (403 if role == "district_staff" else 201)


def villages(w: World, role: str) -> None:
    def register(code: str) -> Any:
        return post_as(w, role, "/api/quotas/villages", {"name": f"{role}{code}村",
                                                         "district": code})
    own = register(WEST)
    if denied(own, role, write=True):
        return
    assert own.status_code == 201, own.text
    assert register(EAST).status_code == (403 if role == "district_staff" else 201)


def obligations(w: World, role: str) -> None:
    def oblige(code: str) -> Any:
        return post_as(w, role, "/api/quotas/obligations", {"district": code,
                                                            "obligation_mu": "50",
                                                            "reason": "占补平衡任务"})
    own = oblige(WEST)
    if denied(own, role, write=True):
        return
    assert own.status_code == 201 and own.json()["obligation_mu"] == "50", own.text
    assert oblige(EAST).status_code == (403 if role == "district_staff" else 201)


def ring_fence(w: World, role: str) -> None:
    books(w)
    r = get_as(w, role, "/api/quotas/ring-fence", params={"city": CITY, "year": 2025})
    if denied(r, role):
        return
    assert r.status_code == 200 and r.json()["planned_mu"] == "1000" and r.json()["meets"]


CASES: dict[tuple[str, str], Case] = {
    ("GET", "/api/quotas/balances"): balances,
    ("GET", "/api/quotas/entries"): entries,
    ("POST", "/api/quotas/entries"): move,
    ("POST", "/api/quotas/entries/{entry_id}/reverse"): reverse,
    ("POST", "/api/quotas/plans"): plans,
    ("POST", "/api/quotas/offsets"): offsets,
    ("POST", "/api/quotas/villages"): villages,
    ("POST", "/api/quotas/obligations"): obligations,
    ("GET", "/api/quotas/ring-fence"): ring_fence,
}


# ---------------------------------------------------------------- pages


def page_quotas(w: World, role: str) -> None:
    books(w)
    r = page_as(w, role, "/quotas")
    if role == "anonymous":
        return redirected_to_login(r, "/quotas")
    assert r.status_code == 200
    assert f'data-account="construction/district:{WEST}/2025"' in r.text
    assert (f'data-account="construction/district:{EAST}/2025"' in r.text) is (
        role != "district_staff")
    assert ('id="quota-forms"' in r.text) is (role in WRITERS)
    assert ('id="ring-fence"' in r.text) is (role != "district_staff")


def page_account(w: World, role: str) -> None:
    books(w)
    url = f"/quotas/account?kind=construction&holder=district:{WEST}&year=2025"
    r = page_as(w, role, url)
    if role == "anonymous":
        return redirected_to_login(r, "/quotas/account")
    assert r.status_code == 200 and 'id="quota-entries"' in r.text
    other = page_as(w, role, f"/quotas/account?kind=construction&holder=district:{EAST}")
    assert other.status_code == (403 if role == "district_staff" else 200)


def page_move_form(w: World, role: str) -> None:
    r = page_as(w, role, "/quotas/move?movement=use")
    if role == "anonymous":
        return redirected_to_login(r, "/quotas/move")
    assert r.status_code == (200 if role in WRITERS else 403)


def page_move_submit(w: World, role: str) -> None:
    books(w)

    def submit(code: str) -> Any:
        return w.page(role).post("/quotas/move", data={
            "csrf_token": w.csrf(role), "kind": "construction", "from": f"district:{code}",
            "to": "sink:use", "mu": "1", "movement": "use", "year": "2025",
            "on": "2025-03-01", "reason": "用地报批"}, follow_redirects=False)
    own = submit(WEST)
    if role not in WRITERS:
        assert own.status_code == 403
        return
    assert own.status_code == 200 and 'id="quota-entry"' in own.text, own.text
    assert submit(EAST).status_code == (403 if role == "district_staff" else 200)


def page_export(w: World, role: str) -> None:
    books(w)
    r = page_as(w, role, "/quotas.xlsx")
    if role == "anonymous":
        return redirected_to_login(r, "/quotas.xlsx")
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    import io

    import openpyxl
    rows = list(openpyxl.load_workbook(io.BytesIO(r.content))["指标台账"].iter_rows(
        values_only=True))
    tos = {row[6] for row in rows[1:]}
    assert ("江海区" in tos) is (role != "district_staff")


CASES.update({
    ("GET", "/quotas"): page_quotas,
    ("GET", "/quotas/account"): page_account,
    ("GET", "/quotas/move"): page_move_form,
    ("POST", "/quotas/move"): page_move_submit,
    ("GET", "/quotas.xlsx"): page_export,
})
