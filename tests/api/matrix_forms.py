"""Permission-matrix cases of the workflow forms (issue 26): project and phase forms, people,
signatures and withdrawals, consent units and votes, and the user administration page (merged
into test_permissions.MATRIX). Writers of the project's district (and every city-wide writer)
get the form; readers 403; anonymous visitors are sent to log in (a form sent without a session
is 403: no CSRF token); a project outside a district writer's scope is 404."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .conftest import WEST, World
from .test_permissions import (
    PROJECT_SCOPED,
    READ_ONLY,
    Case,
    matrix_projects,
    page_as,
    redirected_to_login,
)


def _form_get(w: World, role: str, url_for: Callable[[str], str], marker: str, *,
              scoped: bool = True) -> None:
    own = page_as(w, role, url_for("west"))
    if role == "anonymous":
        return redirected_to_login(own, url_for("west"))
    if role in READ_ONLY:
        assert own.status_code == 403, own.text
        return
    assert own.status_code == 200 and marker in own.text, own.text
    if not scoped:
        return
    other = page_as(w, role, url_for("east"))
    assert other.status_code == (404 if role in PROJECT_SCOPED else 200)


def _post(w: World, role: str, url: str, data: dict[str, Any], **kw: Any) -> Any:
    return w.page(role).post(url, data={"csrf_token": w.csrf(role), **data},
                             follow_redirects=False, **kw)


def _form_post(w: World, role: str, make: Callable[[str], Any], ok: int) -> None:
    own = make("west")
    if role in ("anonymous", *READ_ONLY):
        assert own.status_code == 403, own.text
        return
    assert own.status_code == ok, own.text
    assert make("east").status_code == (404 if role in PROJECT_SCOPED else ok)


def page_project_new_form(w: World, role: str) -> None:
    _form_get(w, role, lambda side: "/projects/new", 'id="project-form"', scoped=False)


def page_project_new(w: World, role: str) -> None:
    r = _post(w, role, "/projects/new", {"name": f"{role} 页面项目", "type": "sanjiu",
                                          "district_code": WEST})
    if role in ("anonymous", *READ_ONLY):
        assert r.status_code == 403, r.text
        return
    assert r.status_code == 303 and r.headers["location"].startswith("/projects/"), r.text


def page_project_edit_form(w: World, role: str) -> None:
    ids = matrix_projects(w)
    _form_get(w, role, lambda side: f"/projects/{ids[side]['project']}/edit",
              'id="project-form"')


def page_project_edit(w: World, role: str) -> None:
    ids = matrix_projects(w)

    def make(side: str) -> Any:
        project = w.client.get(f"/api/projects/{ids[side]['project']}",
                               headers=w.headers("admin")).json()
        return _post(w, role, f"/projects/{ids[side]['project']}/edit", {
            "name": project["name"], "type": project["type"],
            "district_code": project["district_code"], "owner_company":
                project["owner_company"] or "", "scheme_approved_on": "2026-01-01",
            "lead_unit": f"{role} 镇街", "reason": "页面调整"})
    _form_post(w, role, make, 303)


def page_phase_new_form(w: World, role: str) -> None:
    ids = matrix_projects(w)
    _form_get(w, role, lambda side: f"/projects/{ids[side]['project']}/phases/new",
              'id="phase-form"')


def page_phase_new(w: World, role: str) -> None:
    ids = matrix_projects(w)
    _form_post(w, role, lambda side: _post(
        w, role, f"/projects/{ids[side]['project']}/phases/new", {"name": f"{role} 页面分片"}),
        303)


def page_phase_people(w: World, role: str) -> None:
    ids = matrix_projects(w)
    _form_post(w, role, lambda side: _post(
        w, role, f"/phases/{ids[side]['phase']}/people",
        {"person_id": f"form-{role}", "name": "丁", "kind": "villager"}), 200)


def page_phase_withdraw(w: World, role: str) -> None:
    ids = matrix_projects(w)
    for side in ("west", "east"):  # the admin lists and signs; the role withdraws
        phase = ids[side]["phase"]
        w.client.post(f"/api/phases/{phase}/people", headers=w.headers("admin"),
                      json=[{"person_id": f"wd-{role}", "name": "戊", "kind": "villager"}])
        r = w.client.post(f"/api/phases/{phase}/agreements", headers=w.headers("admin"),
                          json={"person_id": f"wd-{role}", "signed_on": "2026-03-01"})
        assert r.status_code == 201, r.text
    _form_post(w, role, lambda side: _post(
        w, role, f"/phases/{ids[side]['phase']}/withdraw",
        {"person_id": f"wd-{role}", "signed_on": "2026-03-02", "note": "反悔"}), 200)


CASES: dict[tuple[str, str], Case] = {
    ("GET", "/projects/new"): page_project_new_form,
    ("POST", "/projects/new"): page_project_new,
    ("GET", "/projects/{project_id}/edit"): page_project_edit_form,
    ("POST", "/projects/{project_id}/edit"): page_project_edit,
    ("GET", "/projects/{project_id}/phases/new"): page_phase_new_form,
    ("POST", "/projects/{project_id}/phases/new"): page_phase_new,
    ("POST", "/phases/{phase_id}/people"): page_phase_people,
    ("POST", "/phases/{phase_id}/withdraw"): page_phase_withdraw,
}
