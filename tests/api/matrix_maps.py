"""Permission-matrix cases of what the map shows (merged into test_permissions.MATRIX): publishing
a run, and the base map.

The base map is public like the map page; the matrix world names none, so every role gets 404.

City staff and administrators publish a run, from the API and from the dashboard; every other
role is refused, anonymous callers with 401 (API) or 403 (a page form without a session). Each
successful case publishes a new run and then the world's run again, so the other cases keep
seeing the world's run."""

from __future__ import annotations

import datetime as dt

from landrenew.evaluation.stored import run_on_store

from .test_permissions import Case, World, denied

PUBLISHERS = {"city_staff", "admin"}


def _new_run(w: World) -> int:
    return run_on_store(w.store, as_of=dt.date(2025, 12, 31), user="matrix",
                        data_as_of=None).run.id


def api_publish(w: World, role: str) -> None:
    run = _new_run(w) if role in PUBLISHERS else w.run_id
    r = w.client.post(f"/api/evaluations/{run}/publish", headers=w.headers(role),
                      json={"reason": f"matrix {role}"})
    if denied(r, role, write=True):
        return
    if role not in PUBLISHERS:
        assert r.status_code == 403 and r.json()["code"] == "forbidden", r.text
        return
    assert r.status_code == 200, r.text
    assert r.json()["run_id"] == run and r.json()["previous_run_id"] == w.run_id
    shown = w.client.get("/api/evaluations", headers=w.headers(role)).json()["items"]
    assert [x["id"] for x in shown if x["published"]] == [run]
    back = w.client.post(f"/api/evaluations/{w.run_id}/publish", headers=w.headers(role))
    assert back.status_code == 200, back.text
    again = w.client.post(f"/api/evaluations/{w.run_id}/publish", headers=w.headers(role))
    assert again.status_code == 409 and again.json()["code"] == "conflict"


def page_publish(w: World, role: str) -> None:
    run = _new_run(w) if role in PUBLISHERS else w.run_id
    r = w.page(role).post("/dashboard/publish", data={
        "csrf_token": w.csrf(role), "run": str(run), "reason": "matrix"},
        follow_redirects=False)
    if role not in PUBLISHERS:
        assert r.status_code == 403, r.text
        return
    assert r.status_code == 303 and r.headers["location"] == f"/dashboard?run={run}"
    page = w.page(role).get(f"/dashboard?run={run}")
    assert 'id="run-status" data-published="true"' in page.text
    back = w.page(role).post("/dashboard/publish", data={
        "csrf_token": w.csrf(role), "run": str(w.run_id)}, follow_redirects=False)
    assert back.status_code == 303


def basemap_tile(w: World, role: str) -> None:
    r = w.client.get("/basemap/0/0/0", headers=w.headers(role))
    assert r.status_code == 404 and r.json()["code"] == "not_found", r.text


CASES: dict[tuple[str, str], Case] = {
    ("GET", "/basemap/{z}/{x}/{y}"): basemap_tile,
    ("POST", "/api/evaluations/{run_id}/publish"): api_publish,
    ("POST", "/dashboard/publish"): page_publish,
}
