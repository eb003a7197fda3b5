"""Permission-matrix cases of the phases routes (merged into test_permissions.MATRIX)."""

from __future__ import annotations

from typing import Any

from .conftest import World
from .test_permissions import (
    PROJECT_SCOPED,
    READ_ONLY,
    Case,
    get_as,
    matrix_projects,
    scoped,
)

#: A plan that passes 公益先行: the financing parcel starts the day the last public-welfare
#: work starts.
WORKS = [{"name": "复建安置房一期", "kind": "resettlement_housing", "start": "2026-03-01",
          "finish": "2027-12-31"},
         {"name": "融资地块", "kind": "other", "start": "2026-03-01", "finish": "2028-06-30"}]


def phase_schedule(w: World, role: str) -> None:
    ids = matrix_projects(w)
    scoped(w, role, lambda side: w.client.put(
        f"/api/phases/{ids[side]['phase']}/schedule", headers=w.headers(role),
        json={"works": WORKS, "reason": role}), write=True)
    if role in ("anonymous", *READ_ONLY):
        return
    body = get_as(w, role, f"/api/phases/{ids['west']['phase']}").json()
    assert [x["name"] for x in body["schedule"]] == ["复建安置房一期", "融资地块"]
    assert body["checks"]["public_welfare_first"]["allowed"] is True


def page_phase_schedule(w: World, role: str) -> None:
    ids = matrix_projects(w)

    def post(side: str) -> Any:
        return w.page(role).post(f"/phases/{ids[side]['phase']}/schedule", data={
            "csrf_token": w.csrf(role),
            "works": "复建安置房,resettlement_housing,2026-05-01,2027-05-01\n"
                     "商品住宅,other,2026-05-02,2028-05-01"}, follow_redirects=False)
    own = post("west")
    if role in ("anonymous", *READ_ONLY):
        assert own.status_code == 403
        assert 'id="schedule"' not in own.text
        return
    assert own.status_code == 200 and 'data-stored="true"' in own.text, own.text
    assert 'data-work="商品住宅"' in own.text and "schedule-refused" not in own.text
    assert post("east").status_code == (404 if role in PROJECT_SCOPED else 200)
    # a bad line does not turn the other side's phase into a refusal page either
    bad = w.page(role).post(f"/phases/{ids['east']['phase']}/schedule", data={
        "csrf_token": w.csrf(role), "works": "just one field"}, follow_redirects=False)
    assert bad.status_code == (404 if role in PROJECT_SCOPED else 200)
    assert ("schedule-refused" in bad.text) == (role not in PROJECT_SCOPED)


CASES: dict[tuple[str, str], Case] = {
    ("PUT", "/api/phases/{phase_id}/schedule"): phase_schedule,
    ("POST", "/phases/{phase_id}/schedule"): page_phase_schedule,
}
