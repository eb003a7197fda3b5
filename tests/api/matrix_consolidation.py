"""Permission-matrix cases of the consolidation routes (merged into test_permissions.MATRIX).

The cases work on two urban-village projects of their own (west: owned by the entity's company,
in the district staff's district; east: another company's, in the other district), each walked
to step 4 (preliminary study: the town government closes and returns it, the entity and the town
provide its plans) and given a condominium and a collective consent unit. No case can close
step 4 (its town decision is never provided), so every case finds the same step whatever ran
before it.

Expected answers: anonymous 401 (API) or the login redirect / 403 CSRF (pages); the viewer reads
and is refused every write (403 ``forbidden``); the other roles write (the entity only on its own
projects), but a workflow operation also needs the body the user acts for to be one the pack
names: the district staff act for the town government, the city staff for the city bureau, the
entity for itself, the admin for none (403 ``role_not_allowed``). District staff and the entity
get 404 for the east project, as for every project they do not see.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from landrenew.core.access import Principal
from landrenew.projects import consent_service as consents
from landrenew.projects import workflow_service as workflows

from .conftest import EAST, ENTITY_ORG, WEST, World
from .test_permissions import (
    ALL_ROLES,
    PROJECT_SCOPED,
    Case,
    denied,
    get_as,
    page_as,
    redirected_to_login,
)

_IDS: dict[int, dict[str, int]] = {}
STEP = "preliminary_study"  # step 4
TOWN = Principal(name="matrix-town", role="city_staff", agency="town_government")
Expect = dict[str, tuple[int, str | None]]


def _cprojects(w: World) -> dict[str, int]:
    """The two projects, made once per world by the admin and walked to step 4 by the town."""
    if id(w) not in _IDS:
        out: dict[str, int] = {}
        for side, code, owner in (("west", WEST, ENTITY_ORG), ("east", EAST, "中山城建集团")):
            r = w.client.post("/api/projects", headers=w.headers("admin"), json={
                "name": f"{side} consolidation", "type": "urban_village", "district_code": code,
                "owner_company": owner})
            assert r.status_code == 201, r.text
            pid = int(r.json()["id"])
            for step in ("delimit", "choose_entity", "survey"):
                view = workflows.get_workflow(w.store, TOWN, pid)
                reqs = next(s for s in view["steps"] if s["code"] == step)["requirements"]
                for req in reqs:
                    if req["required"]:
                        workflows.provide_item(w.store, TOWN, pid, step, req["code"],
                                               passed=True if req["kind"] == "decision" else None)
                workflows.close_step(w.store, TOWN, pid, step)
            consents.add_consent_unit(w.store, TOWN, pid, code="m-cond", kind="condominium",
                                      name="矩阵住宅楼", definition={"owners": [
                                          {"id": f"o-{role}", "exclusive_area": 80}
                                          for role in ALL_ROLES]})
            consents.add_consent_unit(w.store, TOWN, pid, code="m-village", kind="collective",
                                      name="矩阵村集体土地",
                                      definition={"body": "villagers_meeting"})
            out[side] = pid
        _IDS[id(w)] = out
    return _IDS[id(w)]


def _expect(w: World, role: str, make: Callable[[str], Any], table: Expect) -> Any:
    """``make(side)`` for the west and east projects: the west answer as ``table`` says for the
    role, the east one 404 for project-scoped roles and the same as the west one otherwise."""
    own = make("west")
    if denied(own, role):
        return None
    status, code = table[role]
    assert own.status_code == status, own.text
    if code:
        assert own.json()["code"] == code, own.text
    other = make("east")
    if role in PROJECT_SCOPED:
        assert other.status_code == 404, other.text
    else:
        assert other.status_code == status, other.text
    return own


def _table(default: tuple[int, str | None] = (200, None), **kw: tuple[int, str | None]
           ) -> Expect:
    """The answer each signed-in role gets: ``default`` unless named."""
    return {role: kw.get(role, default) for role in ALL_ROLES if role != "anonymous"}


READ = _table()
#: Writes that need no workflow body (consent units, consents, votes, starting).
WRITE = _table(default=(201, None), viewer=(403, "forbidden"))
ROLE = (403, "role_not_allowed")


# ---------------------------------------------------------------- REST: the workflow

def workflow_get(w: World, role: str) -> None:
    ids = _cprojects(w)
    own = _expect(w, role, lambda side: get_as(w, role, f"/api/projects/{ids[side]}/workflow"),
                  READ)
    if own is not None:
        body = own.json()
        assert len(body["steps"]) == 11 and body["current"]["code"] == STEP
        assert body["can_write"] == (role != "viewer")


def workflow_start(w: World, role: str) -> None:
    ids = _cprojects(w)  # already started: 200 and nothing changes
    _expect(w, role, lambda side: w.client.post(f"/api/projects/{ids[side]}/workflow",
                                                headers=w.headers(role), json={}),
            _table(viewer=(403, "forbidden")))


def workflow_provide(w: World, role: str) -> None:
    ids = _cprojects(w)
    own = _expect(w, role, lambda side: w.client.post(
        f"/api/projects/{ids[side]}/workflow/steps/{STEP}/items", headers=w.headers(role),
        json={"item": "fund_balance_plan", "ref": f"{role} 资金平衡方案"}),
        _table(default=(201, None), viewer=(403, "forbidden"), city_staff=ROLE, admin=ROLE))
    if own is not None and own.status_code == 403 and role != "viewer":
        assert own.json()["allowed"] == ["consolidation_entity", "town_government"]


def workflow_close(w: World, role: str) -> None:
    ids = _cprojects(w)
    own = _expect(w, role, lambda side: w.client.post(
        f"/api/projects/{ids[side]}/workflow/steps/4/close", headers=w.headers(role), json={}),
        _table(default=ROLE, viewer=(403, "forbidden"),
               district_staff=(409, "requirements_missing")))
    if role == "district_staff":
        assert "town_decision" in {m["code"] for m in own.json()["missing"]}


def workflow_return(w: World, role: str) -> None:
    ids = _cprojects(w)
    _expect(w, role, lambda side: w.client.post(
        f"/api/projects/{ids[side]}/workflow/steps/{STEP}/return", headers=w.headers(role),
        json={"reason": f"{role}: 补充资料"}),
        _table(default=ROLE, viewer=(403, "forbidden"), district_staff=(200, None)))


def workflow_flags(w: World, role: str) -> None:
    ids = _cprojects(w)
    _expect(w, role, lambda side: w.client.post(
        f"/api/projects/{ids[side]}/workflow/flags", headers=w.headers(role),
        json={"flags": {"heritage_involved": True}}),
        _table(default=ROLE, viewer=(403, "forbidden"), district_staff=(200, None),
               consolidation_entity=(200, None)))


# ---------------------------------------------------------------- REST: consent

def units_list(w: World, role: str) -> None:
    ids = _cprojects(w)
    own = _expect(w, role, lambda side: get_as(w, role, f"/api/projects/{ids[side]}/consent-units"),
                  READ)
    if own is not None:
        assert {"m-cond", "m-village"} <= {u["code"] for u in own.json()}


def units_add(w: World, role: str) -> None:
    ids = _cprojects(w)
    _expect(w, role, lambda side: w.client.post(
        f"/api/projects/{ids[side]}/consent-units", headers=w.headers(role), json={
            "code": f"u-{role}-{side}", "kind": "single_holder", "name": f"{role} 厂房",
            "definition": {"owners": [{"id": "holder"}]}}), WRITE)


def consents_add(w: World, role: str) -> None:
    ids = _cprojects(w)
    own = _expect(w, role, lambda side: w.client.post(
        f"/api/projects/{ids[side]}/consents", headers=w.headers(role), json={
            "unit": "m-cond", "owner": f"o-{role}", "action": "refuse", "on": "2026-03-01"}),
        WRITE)
    if own is not None and own.status_code == 201:
        assert own.json()["record"]["recorded_by"] == role


def votes_add(w: World, role: str) -> None:
    ids = _cprojects(w)
    _expect(w, role, lambda side: w.client.post(
        f"/api/projects/{ids[side]}/votes", headers=w.headers(role), json={
            "unit": "m-village", "body": "villagers_meeting", "eligible": 10, "present": 6,
            "in_favour": 4, "held_on": "2026-03-01"}), WRITE)


def gate_get(w: World, role: str) -> None:
    ids = _cprojects(w)
    own = _expect(w, role, lambda side: get_as(
        w, role, f"/api/projects/{ids[side]}/willingness-gate"), READ)
    if own is not None:
        assert {u["id"] for u in own.json()["units"]} >= {"m-cond", "m-village"}


# ---------------------------------------------------------------- pages

def page_workflow(w: World, role: str) -> None:
    ids = _cprojects(w)
    url = f"/projects/{ids['west']}/workflow"
    own = page_as(w, role, url)
    if role == "anonymous":
        return redirected_to_login(own, url)
    assert own.status_code == 200 and 'data-step="delimit"' in own.text
    assert ('id="provide-form"' in own.text) == (role != "viewer")
    other = page_as(w, role, f"/projects/{ids['east']}/workflow")
    assert other.status_code == (404 if role in PROJECT_SCOPED else 200)


def _page_post(w: World, role: str, what: str, data: dict[str, str],
               table: Expect) -> None:
    ids = _cprojects(w)

    def post(side: str) -> Any:
        return w.page(role).post(f"/projects/{ids[side]}/workflow/{what}", data={
            "csrf_token": w.csrf(role), "step": STEP, **data}, follow_redirects=False)
    own = post("west")
    if role in ("anonymous", "viewer"):  # no CSRF token, or read-only
        assert own.status_code == 403
        return
    status, code = table[role]
    assert own.status_code == status, own.text
    if code:
        assert f'data-code="{code}"' in own.text
    assert post("east").status_code == (404 if role in PROJECT_SCOPED else status)


def page_provide(w: World, role: str) -> None:
    _page_post(w, role, "provide", {"item": "compensation_plan", "ref": role},
               _table(city_staff=ROLE, admin=ROLE))


def page_close(w: World, role: str) -> None:
    _page_post(w, role, "close", {},
               _table(default=ROLE, district_staff=(409, "requirements_missing")))


CASES: dict[tuple[str, str], Case] = {
    ("GET", "/api/projects/{project_id}/workflow"): workflow_get,
    ("POST", "/api/projects/{project_id}/workflow"): workflow_start,
    ("POST", "/api/projects/{project_id}/workflow/steps/{step}/items"): workflow_provide,
    ("POST", "/api/projects/{project_id}/workflow/steps/{step}/close"): workflow_close,
    ("POST", "/api/projects/{project_id}/workflow/steps/{step}/return"): workflow_return,
    ("POST", "/api/projects/{project_id}/workflow/flags"): workflow_flags,
    ("GET", "/api/projects/{project_id}/consent-units"): units_list,
    ("POST", "/api/projects/{project_id}/consent-units"): units_add,
    ("POST", "/api/projects/{project_id}/consents"): consents_add,
    ("POST", "/api/projects/{project_id}/votes"): votes_add,
    ("GET", "/api/projects/{project_id}/willingness-gate"): gate_get,
    ("GET", "/projects/{project_id}/workflow"): page_workflow,
    ("POST", "/projects/{project_id}/workflow/provide"): page_provide,
    ("POST", "/projects/{project_id}/workflow/close"): page_close,
}


# The consolidation projects and the page-post check, for the workflow forms' cases (issue 26,
# tests/api/matrix_forms.py) and tests/web/test_workflow_forms.py.
consolidation_projects = _cprojects
page_post = _page_post
role_table = _table
