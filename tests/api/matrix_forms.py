"""Permission-matrix cases of the workflow forms (issue 26): project and phase forms, people,
signatures and withdrawals, consent units and votes, and the user administration page (merged
into test_permissions.MATRIX). Writers of the project's district (and every city-wide writer)
get the form; readers 403; anonymous visitors are sent to log in (a form sent without a session
is 403: no CSRF token); a project outside a district writer's scope is 404."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .conftest import EAST, WEST, World
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


# ---------------------------------------------------------------- consent forms
# The consolidation matrix's two projects and units; the viewer is refused (403), the entity
# writes on its own project, every writer of the district (and the city) on theirs.

def _consent_post(w: World, role: str, path: str, data: Callable[[str], dict[str, Any]]
                  ) -> None:
    from .matrix_consolidation import consolidation_projects

    ids = consolidation_projects(w)
    writer = role not in ("anonymous", "viewer")

    def make(side: str) -> Any:
        return _post(w, role, f"/projects/{ids[side]}/{path}", data(side))
    own = make("west")
    if not writer:
        assert own.status_code == 403, own.text
        return
    assert own.status_code == 200 and 'id="consent-forms"' in own.text, own.text
    assert 'id="refusal"' not in own.text, own.text
    other = make("east")
    assert other.status_code == (404 if role in PROJECT_SCOPED else 200), other.text


def page_consent_unit(w: World, role: str) -> None:
    _consent_post(w, role, "consent-units", lambda side: {
        "code": f"pu-{role}-{side}", "kind": "single_holder", "name": f"{role} 厂房",
        "owners": "holder"})


def page_consent(w: World, role: str) -> None:
    _consent_post(w, role, "consents", lambda side: {
        "unit": "m-cond", "owner": f"o-{role}", "action": "consent", "on": "2026-03-01"})


def page_vote(w: World, role: str) -> None:
    _consent_post(w, role, "votes", lambda side: {
        "unit": "m-village", "body": "villagers_meeting", "eligible": "10", "present": "6",
        "in_favour": "3", "held_on": "2026-03-01"})


def page_workflow_return(w: World, role: str) -> None:
    from .matrix_consolidation import ROLE, page_post, role_table

    page_post(w, role, "return", {"reason": f"{role}: 补充资料"},
               role_table(default=ROLE, district_staff=(200, None)))


def page_workflow_flags(w: World, role: str) -> None:
    from .matrix_consolidation import ROLE, page_post, role_table

    page_post(w, role, "flags", {"flag": "heritage_involved", "value": "true"},
               role_table(default=ROLE, district_staff=(200, None),
                      consolidation_entity=(200, None)))


# ---------------------------------------------------------------- user administration page
# Administrators only: anonymous visitors are sent to log in (403 for a form without a session),
# everyone else 403. Each role's case works on its own user, so that no other case's user changes.

STRONG = "长城-黄河-珠江-2026"


def _admin_only(r: Any, role: str, url: str, *, form: bool) -> bool:
    """True when the role was refused as it should be."""
    if role == "anonymous" and not form:
        redirected_to_login(r, url)
        return True
    if role != "admin":
        assert r.status_code == 403, r.text
        return True
    return False


def _made(w: World, name: str, role: str = "district_staff") -> str:
    w.client.post("/api/users", headers=w.headers("admin"), json={
        "name": name, "role": role, "password": STRONG,
        "districts": [WEST] if role == "district_staff" else []})
    return name


def page_users(w: World, role: str) -> None:
    r = page_as(w, role, "/users")
    if not _admin_only(r, role, "/users", form=False):
        assert r.status_code == 200 and 'id="user-form"' in r.text


def page_users_add(w: World, role: str) -> None:
    r = _post(w, role, "/users", {"name": f"m-{role}", "role": "viewer", "password": STRONG})
    if not _admin_only(r, role, "/users", form=True):
        assert r.status_code == 303 and r.headers["location"] == f"/users/m-{role}"


def page_user(w: World, role: str) -> None:
    name = _made(w, f"u-{role}")
    r = page_as(w, role, f"/users/{name}")
    if not _admin_only(r, role, f"/users/{name}", form=False):
        assert r.status_code == 200 and 'id="assign-form"' in r.text
        assert page_as(w, role, "/users/nobody-here").status_code == 404


def page_user_active(w: World, role: str) -> None:
    name = _made(w, f"a-{role}")
    r = _post(w, role, f"/users/{name}/active", {"active": "false"})
    if not _admin_only(r, role, f"/users/{name}", form=True):
        assert r.status_code == 303
        assert page_as(w, role, f"/users/{name}").text.count('data-active="false"') == 1


def page_user_password(w: World, role: str) -> None:
    name = _made(w, f"p-{role}")
    r = _post(w, role, f"/users/{name}/password", {"password": "黄山-泰山-华山-2027"})
    if not _admin_only(r, role, f"/users/{name}", form=True):
        assert r.status_code == 303


def page_user_assign(w: World, role: str) -> None:
    name = _made(w, f"d-{role}")
    r = _post(w, role, f"/users/{name}/assign", {"districts": [WEST, EAST]})
    if not _admin_only(r, role, f"/users/{name}", form=True):
        assert r.status_code == 303
        users = w.client.get("/api/users", headers=w.headers("admin")).json()["items"]
        assert next(u for u in users if u["name"] == name)["districts"] == sorted([WEST, EAST])


# ---------------------------------------------------------------- the parcel form
# Writers change the parcels of their districts (others' are 404 for district staff); readers
# and the entity are refused; anonymous visitors log in.

def page_parcel_form(w: World, role: str) -> None:
    own = page_as(w, role, "/parcels/JM-0001/edit")
    if role == "anonymous":
        return redirected_to_login(own, "/parcels/JM-0001/edit")
    if role in READ_ONLY:
        assert own.status_code == 403
        return
    assert own.status_code == 200 and 'id="parcel-form"' in own.text
    assert page_as(w, role, "/parcels/JM-0004/edit").status_code == (
        404 if role == "district_staff" else 200)


def page_parcel_edit(w: World, role: str) -> None:
    def make(code: str) -> Any:
        return _post(w, role, f"/parcels/{code}/edit", {
            "floor_area_m2": str(2600 + len(role)), "reason": f"page correction by {role}"})
    own = make("JM-0001")
    if role in ("anonymous", *READ_ONLY):
        assert own.status_code == 403, own.text
        return
    assert own.status_code == 303, own.text
    assert make("JM-0004").status_code == (404 if role == "district_staff" else 303)


# ---------------------------------------------------------------- one's own password
# Every signed-in role changes its own password (the case sends two different new passwords,
# refused beside the field, so that no role's password changes); anonymous visitors log in.

def page_account_form(w: World, role: str) -> None:
    r = page_as(w, role, "/account/password")
    if role == "anonymous":
        return redirected_to_login(r, "/account/password")
    assert r.status_code == 200 and 'id="password-form"' in r.text


def page_account_change(w: World, role: str) -> None:
    r = _post(w, role, "/account/password", {"current_password": "x", "password": STRONG,
                                              "confirm": STRONG + "!"})
    if role == "anonymous":
        assert r.status_code == 403
        return
    assert r.status_code == 422 and 'data-field="confirm"' in r.text


CASES: dict[tuple[str, str], Case] = {
    ("GET", "/parcels/{code}/edit"): page_parcel_form,
    ("POST", "/parcels/{code}/edit"): page_parcel_edit,
    ("GET", "/account/password"): page_account_form,
    ("POST", "/account/password"): page_account_change,
    ("POST", "/projects/{project_id}/consent-units"): page_consent_unit,
    ("POST", "/projects/{project_id}/consents"): page_consent,
    ("POST", "/projects/{project_id}/votes"): page_vote,
    ("POST", "/projects/{project_id}/workflow/return"): page_workflow_return,
    ("POST", "/projects/{project_id}/workflow/flags"): page_workflow_flags,
    ("GET", "/users"): page_users,
    ("POST", "/users"): page_users_add,
    ("GET", "/users/{name}"): page_user,
    ("POST", "/users/{name}/active"): page_user_active,
    ("POST", "/users/{name}/password"): page_user_password,
    ("POST", "/users/{name}/assign"): page_user_assign,
    ("GET", "/projects/new"): page_project_new_form,
    ("POST", "/projects/new"): page_project_new,
    ("GET", "/projects/{project_id}/edit"): page_project_edit_form,
    ("POST", "/projects/{project_id}/edit"): page_project_edit,
    ("GET", "/projects/{project_id}/phases/new"): page_phase_new_form,
    ("POST", "/projects/{project_id}/phases/new"): page_phase_new,
    ("POST", "/phases/{phase_id}/people"): page_phase_people,
    ("POST", "/phases/{phase_id}/withdraw"): page_phase_withdraw,
}
