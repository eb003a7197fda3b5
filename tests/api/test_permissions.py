"""The permission matrix (权限矩阵): every route × every role, generated from the app's routes.

A route without an entry in :data:`MATRIX` fails :func:`test_every_route_is_in_the_matrix`, so a
new endpoint cannot ship without its permissions being decided and tested. Each cell checks the
status and, where data comes back, that nothing of another district or no sensitive field leaks.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest

from landrenew.land.fields import SENSITIVE_FIELDS
from landrenew.server import route_table

from .conftest import (
    EAST,
    EAST_CODES,
    ENTITY_ORG,
    PARCELS,
    PASSWORD,
    WEST,
    WEST_CODES,
    World,
    parcels_file,
    post_login,
)

ALL_ROLES = ("anonymous", "viewer", "district_staff", "city_staff", "admin",
             "consolidation_entity")
SEES_SENSITIVE = {"district_staff", "city_staff", "admin"}
#: Roles that may not write city data (a consolidation entity writes only in its own projects).
READ_ONLY = {"viewer", "consolidation_entity"}
#: Roles that see only some projects: district staff their districts', an entity its own (the
#: west project below is owned by the entity's company).
PROJECT_SCOPED = {"district_staff", "consolidation_entity"}
Case = Callable[[World, str], None]


def get_as(w: World, role: str, url: str, **kw: Any) -> Any:
    return w.client.get(url, headers=w.headers(role), **kw)


def denied(r: Any, role: str, *, admin_only: bool = False, write: bool = False) -> bool:
    """Assert the refusal a role should get; True when the role was refused."""
    if role == "anonymous":
        assert r.status_code == 401, r.text
        assert r.json()["code"] == "not_authenticated"
        assert r.headers.get("www-authenticate") == "Bearer"
        return True
    if (admin_only and role != "admin") or (write and role in READ_ONLY):
        assert r.status_code == 403, r.text
        assert r.json()["code"] == "forbidden"
        return True
    return False


def _no_sensitive(record: dict[str, Any], role: str) -> None:
    present = [f for f in SENSITIVE_FIELDS if f in record]
    if role in SEES_SENSITIVE:
        assert present, f"{role} should see the sensitive fields"
    else:
        assert present == [], f"{role} sees {present}"


# ---------------------------------------------------------------- public routes

def public_get(w: World, role: str, url: str) -> None:
    assert get_as(w, role, url).status_code == 200


def token(w: World, role: str) -> None:
    name = "viewer" if role == "anonymous" else role
    password = "wrong-password" if role == "anonymous" else PASSWORD
    r = w.client.post("/api/auth/token", data={"username": name, "password": password},
                      headers={"X-Forwarded-For": role})
    if role == "anonymous":
        assert r.status_code == 401 and r.json()["field"] == "username"
        return
    body = r.json()
    assert r.status_code == 200 and body["token_type"] == "bearer" and body["access_token"]


def api_logout(w: World, role: str) -> None:
    """Logging out ends the session of the token sent (a fresh one: the world's stay)."""
    if role == "anonymous":
        assert w.client.post("/api/auth/logout").status_code == 401
        return
    token = w.client.post("/api/auth/token", data={"username": role, "password": PASSWORD}
                          ).json()["access_token"]
    h = {"Authorization": f"Bearer {token}"}
    assert w.client.post("/api/auth/logout", headers=h).status_code == 204
    assert w.client.get("/api/auth/me", headers=h).status_code == 401


def password(w: World, role: str) -> None:
    """Anyone logged in may change their own password, giving the current one."""
    r = w.client.post("/api/auth/password", headers=w.headers(role),
                      json={"current_password": "not-the-password",
                            "password": "violet-lantern-harbour-42"})
    assert r.status_code == (401 if role == "anonymous" else 422), (role, r.text)


def me(w: World, role: str) -> None:
    r = get_as(w, role, "/api/auth/me")
    if denied(r, role):
        return
    assert r.json()["role"] == role
    assert r.json()["districts"] == ([WEST] if role == "district_staff" else [])


def login(w: World, role: str) -> None:
    name = "viewer" if role == "anonymous" else role
    r = post_login(w.client, username=name, password=PASSWORD if role != "anonymous"
                   else "nope", next="//evil.example")
    if role == "anonymous":
        assert r.status_code == 401
        return
    assert r.status_code == 303 and r.headers["location"] == "/"  # no open redirect
    cookies = r.headers.get_list("set-cookie")
    session = next(c for c in cookies if c.startswith("landrenew_session="))
    assert "HttpOnly" in session and "samesite=lax" in session.lower()
    w.client.cookies.clear()


def logout(w: World, role: str) -> None:
    if role == "anonymous":
        r = w.client.post("/logout", data={"csrf_token": "x"}, follow_redirects=False)
        assert r.status_code == 403 and r.json()["code"] == "csrf_failed"
        return
    r = post_login(w.client, username=role, password=PASSWORD)
    csrf = r.cookies["landrenew_csrf"]
    bad = w.client.post("/logout", data={"csrf_token": "forged"}, follow_redirects=False)
    assert bad.status_code == 403
    ok = w.client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert ok.status_code == 303
    w.client.cookies.clear()


# ---------------------------------------------------------------- users and audit (admin)

def users_list(w: World, role: str) -> None:
    r = get_as(w, role, "/api/users")
    if denied(r, role, admin_only=True):
        return
    body = r.json()
    assert body["total"] >= 4 and {u["name"] for u in body["items"]} >= {"viewer", "admin"}
    assert all("password_hash" not in u for u in body["items"])


def users_create(w: World, role: str) -> None:
    r = w.client.post("/api/users", headers=w.headers(role), json={
        "name": f"new-{role}", "role": "viewer", "password": "a-long-password"})
    if denied(r, role, admin_only=True):
        return
    assert r.status_code == 201 and r.json()["role"] == "viewer"


def users_patch(w: World, role: str) -> None:
    r = w.client.patch("/api/users/viewer", headers=w.headers(role), json={"is_active": True})
    if denied(r, role, admin_only=True):
        return
    assert r.status_code == 200 and r.json()["is_active"] is True


def audit_list(w: World, role: str) -> None:
    r = get_as(w, role, "/api/audit", params={"entity_type": "user"})
    if denied(r, role, admin_only=True):
        return
    body = r.json()
    assert body["total"] >= 4 and all(e["entity_type"] == "user" for e in body["items"])


# ---------------------------------------------------------------- parcels

def parcels_list(w: World, role: str) -> None:
    """Parcels are a public layer by default (``public_layers``): the public reads them too."""
    r = get_as(w, role, "/api/parcels")
    assert r.status_code == 200, r.text
    body = r.json()
    codes = {p["parcel_code"] for p in body["items"]}
    expected = WEST_CODES if role == "district_staff" else WEST_CODES | EAST_CODES
    assert codes == expected and body["total"] == len(expected)
    for p in body["items"]:
        _no_sensitive(p, role)
    # filters on the latest run never widen the scope
    low = get_as(w, role, "/api/parcels", params={"category": "low_output"}).json()
    assert {p["parcel_code"] for p in low["items"]} <= expected and low["total"] <= len(expected)
    other = get_as(w, role, "/api/parcels", params={"district": EAST})
    if role == "district_staff":
        assert other.status_code == 403 and other.json()["field"] == "district"
    else:
        assert {p["parcel_code"] for p in other.json()["items"]} == EAST_CODES


def parcel_get(w: World, role: str) -> None:
    own = get_as(w, role, "/api/parcels/JM-0000")
    assert own.status_code == 200, own.text  # a public layer: the public reads it too
    body = own.json()
    assert ("changed_by" in body) == (role != "anonymous")  # never the bureau's names
    assert body["district_code"] == WEST and abs(body["area_mu"] - 15.0) < 1e-6
    assert body["evaluation"]["run_id"] == w.run_id and body["evaluation"]["reasons"]
    _no_sensitive(body, role)
    derived = {"tax_per_mu", "output_per_mu", "investment_per_mu"}
    if role not in SEES_SENSITIVE:
        assert not derived & set(body["evaluation"]["indicators"])
        assert all("value" not in r for r in body["evaluation"]["reasons"]
                   if r["field"] in derived)
    other = get_as(w, role, "/api/parcels/JM-0003")
    assert other.status_code == (404 if role == "district_staff" else 200)


def parcel_patch(w: World, role: str) -> None:
    body = {"floor_area_m2": 2500.0, "reason": f"survey correction by {role}"}
    r = w.client.patch("/api/parcels/JM-0001", headers=w.headers(role), json=body)
    if denied(r, role, write=True):
        return
    assert r.status_code == 200, r.text
    other = w.client.patch("/api/parcels/JM-0004", headers=w.headers(role), json=body)
    assert other.status_code == (404 if role == "district_staff" else 200)
    if role == "district_staff":  # cannot move a parcel out of (or into) a foreign district
        moved = w.client.patch("/api/parcels/JM-0001", headers=w.headers(role),
                               json={"district_code": EAST, "reason": "move"})
        assert moved.status_code == 403 and moved.json()["field"] == "district_code"


def parcel_history(w: World, role: str) -> None:
    r = get_as(w, role, "/api/parcels/JM-0000/history")
    if denied(r, role):
        return
    body = r.json()
    assert body["total"] >= 1 and body["items"][0]["version"] == 1
    _no_sensitive(body["items"][0], role)
    other = get_as(w, role, "/api/parcels/JM-0003/history")
    assert other.status_code == (404 if role == "district_staff" else 200)


# ---------------------------------------------------------------- zones, districts, evaluations

def zones_list(w: World, role: str) -> None:
    """Zone layers are not public by default: 401 for the public, as on /ogc and /tiles."""
    r = get_as(w, role, "/api/zones", params={"kind": "urban_development_boundary"})
    if denied(r, role):
        assert get_as(w, role, "/api/zones").status_code == 401
        return
    assert r.json()["total"] == 2


def districts_list(w: World, role: str) -> None:
    r = get_as(w, role, "/api/districts")
    assert r.status_code == 200, r.text  # a public layer: the public reads it too
    codes = [d["code"] for d in r.json()["items"]]
    assert codes == ([WEST] if role == "district_staff" else [WEST, EAST])


def rules_list(w: World, role: str) -> None:
    """Rule packs are read by every signed-in role (they explain the decisions)."""
    r = get_as(w, role, "/api/rules", params={"district": WEST})
    if denied(r, role):
        return
    assert {p["pack"] for p in r.json()} >= {"jiangmen", "jiangmen-renewal-phases"}


def rules_resolve(w: World, role: str) -> None:
    r = get_as(w, role, "/api/rules/resolve", params={"kind": "identification", "district": EAST})
    if denied(r, role):
        return
    assert r.status_code == 200 and r.json()["pack"] == "jiangmen"


def runs_list(w: World, role: str) -> None:
    r = get_as(w, role, "/api/evaluations")
    if denied(r, role):
        return
    run = r.json()["items"][0]
    assert run["id"] == w.run_id
    assert run["parcel_count"] == (len(WEST_CODES) if role == "district_staff" else len(PARCELS))


def run_get(w: World, role: str) -> None:
    r = get_as(w, role, f"/api/evaluations/{w.run_id}")
    if denied(r, role):
        return
    body = r.json()
    if role == "district_staff":
        assert body["scope"] == "districts" and body["parcel_count"] == len(WEST_CODES)
        assert body["summary"] is None  # city-wide counts would leak
    else:
        assert body["parcel_count"] == len(PARCELS) and body["summary"]["categories"]


def run_statistics(w: World, role: str) -> None:
    r = get_as(w, role, f"/api/evaluations/{w.run_id}/statistics")
    if denied(r, role):
        return
    body = r.json()
    districts = {d["district_code"] for d in body["districts"]}
    districts |= {c["district_code"] for c in body["categories"]}
    if role == "district_staff":
        assert districts == {WEST} and body["total"]["parcels"] == len(WEST_CODES)
        assert get_as(w, role, f"/api/evaluations/{w.run_id}/statistics",
                    params={"district": EAST}).status_code == 403
    else:
        assert districts == {WEST, EAST} and body["total"]["parcels"] == len(PARCELS)


def imports_upload(w: World, role: str) -> None:
    west_file = parcels_file(w.folder, [dict(PARCELS[0], floor_area_m2=1.0)],
                             name=f"west-{role}.gpkg", start=0)
    east_file = parcels_file(w.folder, [dict(PARCELS[3], floor_area_m2=1.0)],
                             name=f"east-{role}.gpkg", start=3)

    def post(path: Any) -> Any:
        return w.client.post("/api/imports/parcels", headers=w.headers(role),
                             data={"dry_run": "true"},
                             files={"file": (path.name, io.BytesIO(path.read_bytes()))})

    r = post(west_file)
    if denied(r, role, write=True):
        return
    assert r.status_code == 200, r.text
    assert r.json()["updated"] == 1 and r.json()["stored"] is False
    east = post(east_file)
    assert east.status_code == (403 if role == "district_staff" else 200), east.text


# ---------------------------------------------------------------- OGC API Features and tiles
# Unauthenticated requests are public: city-wide, never a sensitive field. With credentials the
# role's view applies (district staff: own districts only; viewer: no sensitive fields).

def _ogc_expected(role: str) -> set[str]:
    return WEST_CODES if role == "district_staff" else WEST_CODES | EAST_CODES


def ogc_collections(w: World, role: str) -> None:
    r = get_as(w, role, "/ogc/collections")
    assert r.status_code == 200
    ids = [c["id"] for c in r.json()["collections"]]
    # the public sees the public layers only (default: parcels and districts)
    assert ids[:2] == ["parcels", "districts"]
    assert ("ecological_redline" in ids) == (role != "anonymous")
    zone = get_as(w, role, "/ogc/collections/ecological_redline/items")
    assert zone.status_code == (401 if role == "anonymous" else 200)


def ogc_collection(w: World, role: str) -> None:
    r = get_as(w, role, "/ogc/collections/parcels")
    assert r.status_code == 200 and r.json()["id"] == "parcels"


def ogc_items(w: World, role: str) -> None:
    r = get_as(w, role, "/ogc/collections/parcels/items")
    assert r.status_code == 200
    body = r.json()
    assert {f["id"] for f in body["features"]} == _ogc_expected(role)
    assert body["numberMatched"] == len(_ogc_expected(role))
    for f in body["features"]:
        _no_sensitive(f["properties"], role)
    districts = get_as(w, role, "/ogc/collections/districts/items").json()
    assert {f["id"] for f in districts["features"]} == (
        {WEST} if role == "district_staff" else {WEST, EAST})


def ogc_item(w: World, role: str) -> None:
    r = get_as(w, role, "/ogc/collections/parcels/items/JM-0000")
    assert r.status_code == 200
    _no_sensitive(r.json()["properties"], role)
    other = get_as(w, role, "/ogc/collections/parcels/items/JM-0003")
    assert other.status_code == (404 if role == "district_staff" else 200)


def tile_get(w: World, role: str) -> None:
    import mapbox_vector_tile
    import shapely.geometry

    from landrenew.serving.tiles import tile_for

    geom = get_as(w, "admin", "/ogc/collections/parcels/items/JM-0000").json()["geometry"]
    c = shapely.geometry.shape(geom).centroid
    x, y = tile_for(c.x, c.y, 13)
    r = get_as(w, role, f"/tiles/parcels/13/{x}/{y}.mvt")
    assert r.status_code == 200
    features = mapbox_vector_tile.decode(r.content)["parcels"]["features"]
    assert {f["properties"]["parcel_code"] for f in features} == _ogc_expected(role)
    for f in features:  # tiles carry no sensitive field for anyone
        assert not set(SENSITIVE_FIELDS) & set(f["properties"])
    # the low-zoom overview counts only the parcels the role may see
    x, y = tile_for(c.x, c.y, 9)
    cells = mapbox_vector_tile.decode(get_as(w, role, f"/tiles/parcels/9/{x}/{y}.mvt").content)
    assert sum(f["properties"]["count"] for f in cells["parcels"]["features"]) == len(
        _ogc_expected(role))


# ---------------------------------------------------------------- projects and phases
# District staff work only on their districts' projects (others are 404, as for parcels);
# viewers read; anonymous is 401.

_PROJECTS: dict[int, dict[str, Any]] = {}


def matrix_projects(w: World) -> dict[str, Any]:
    """A project with one phase in each district, made once per world by the admin."""
    if id(w) not in _PROJECTS:
        out: dict[str, Any] = {}
        for side, code in (("west", WEST), ("east", EAST)):
            project = w.client.post("/api/projects", headers=w.headers("admin"), json={
                "name": f"{side} village", "type": "urban_village", "district_code": code,
                "scheme_approved_on": "2026-01-01",
                "owner_company": ENTITY_ORG if side == "west" else "蓬江城投"}).json()
            phase = w.client.post(f"/api/projects/{project['id']}/phases",
                                  headers=w.headers("admin"), json={"name": "一期"}).json()
            out[side] = {"project": project["id"], "phase": phase["id"]}
        _PROJECTS[id(w)] = out
    return _PROJECTS[id(w)]


def scoped(w: World, role: str, make: Callable[[str], Any], *, write: bool) -> None:
    """Run ``make(side)`` for the own (west) and the other (east) district."""
    own = make("west")
    if denied(own, role, write=write):
        return
    assert own.status_code in (200, 201), own.text
    other = make("east")
    assert other.status_code == (404 if role in PROJECT_SCOPED else own.status_code), other.text


def projects_create(w: World, role: str) -> None:
    def make(side: str) -> Any:
        return w.client.post("/api/projects", headers=w.headers(role), json={
            "name": f"{role} {side}", "type": "sanjiu",
            "district_code": WEST if side == "west" else EAST})
    own = make("west")
    if denied(own, role, write=True):
        return
    assert own.status_code == 201 and own.json()["created_by"] == role
    other = make("east")
    assert other.status_code == (403 if role == "district_staff" else 201)


def projects_list(w: World, role: str) -> None:
    ids = matrix_projects(w)
    r = get_as(w, role, "/api/projects")
    if denied(r, role):
        return
    seen = {p["id"] for p in r.json()["items"]}
    assert ids["west"]["project"] in seen
    assert (ids["east"]["project"] in seen) == (role not in PROJECT_SCOPED)
    assert all(p["district_code"] == WEST for p in r.json()["items"]) or role != "district_staff"
    if role == "consolidation_entity":
        assert {p["owner_company"] for p in r.json()["items"]} == {ENTITY_ORG}


def project_get(w: World, role: str) -> None:
    ids = matrix_projects(w)
    scoped(w, role, lambda side: get_as(w, role, f"/api/projects/{ids[side]['project']}"),
            write=False)


def project_patch(w: World, role: str) -> None:
    ids = matrix_projects(w)
    scoped(w, role, lambda side: w.client.patch(
        f"/api/projects/{ids[side]['project']}", headers=w.headers(role),
        json={"lead_unit": f"{role} 镇街", "reason": "分工调整"}), write=True)


def project_history(w: World, role: str) -> None:
    ids = matrix_projects(w)
    scoped(w, role, lambda side: get_as(w, role, f"/api/projects/{ids[side]['project']}/history"),
            write=False)


def phase_create(w: World, role: str) -> None:
    ids = matrix_projects(w)
    scoped(w, role, lambda side: w.client.post(
        f"/api/projects/{ids[side]['project']}/phases", headers=w.headers(role),
        json={"name": f"{role} phase"}), write=True)


def phases_list(w: World, role: str) -> None:
    ids = matrix_projects(w)
    scoped(w, role, lambda side: get_as(w, role, f"/api/projects/{ids[side]['project']}/phases"),
            write=False)


def phase_get(w: World, role: str) -> None:
    ids = matrix_projects(w)
    scoped(w, role, lambda side: get_as(w, role, f"/api/phases/{ids[side]['phase']}"),
            write=False)


def phase_people(w: World, role: str) -> None:
    ids = matrix_projects(w)
    scoped(w, role, lambda side: w.client.post(
        f"/api/phases/{ids[side]['phase']}/people", headers=w.headers(role),
        json=[{"person_id": f"{role}-1", "name": "甲", "kind": "villager"}]), write=True)


def phase_agreements(w: World, role: str) -> None:
    ids = matrix_projects(w)
    for side in ("west", "east"):  # the admin lists the person; the role records the signature
        w.client.post(f"/api/phases/{ids[side]['phase']}/people", headers=w.headers("admin"),
                      json=[{"person_id": f"sig-{role}", "name": "乙", "kind": "resident"}])
    scoped(w, role, lambda side: w.client.post(
        f"/api/phases/{ids[side]['phase']}/agreements", headers=w.headers(role),
        json={"person_id": f"sig-{role}", "signed_on": "2026-03-01"}), write=True)


def phase_gate(w: World, role: str) -> None:
    ids = matrix_projects(w)
    scoped(w, role, lambda side: get_as(w, role, f"/api/phases/{ids[side]['phase']}/"
                                       "demolition-gate"), write=False)


def phase_transition(w: World, role: str) -> None:
    ids = matrix_projects(w)
    r = w.client.post(f"/api/phases/{ids['west']['phase']}/transition", headers=w.headers(role),
                      json={"to": "nowhere"})
    if denied(r, role, write=True):
        return
    assert r.status_code == 422 and r.json()["field"] == "to"
    other = w.client.post(f"/api/phases/{ids['east']['phase']}/transition",
                          headers=w.headers(role), json={"to": "nowhere"})
    assert other.status_code == (404 if role in PROJECT_SCOPED else 422)


def _page_scoped(w: World, role: str, url_for: Callable[[str], str]) -> None:
    own = page_as(w, role, url_for("west"))
    if role == "anonymous":
        return redirected_to_login(own, url_for("west"))
    assert own.status_code == 200, own.text
    assert page_as(w, role, url_for("east")).status_code == (404 if role in PROJECT_SCOPED
                                                           else 200)


def page_projects(w: World, role: str) -> None:
    ids = matrix_projects(w)
    r = page_as(w, role, "/projects")
    if role == "anonymous":
        return redirected_to_login(r, "/projects")
    import re

    shown = {int(i) for i in re.findall(r'data-project="(\d+)"', r.text)}
    assert ids["west"]["project"] in shown
    assert (ids["east"]["project"] in shown) == (role not in PROJECT_SCOPED)


def page_projects_excel(w: World, role: str) -> None:
    ids = matrix_projects(w)
    r = page_as(w, role, "/projects.xlsx")
    if role == "anonymous":
        return redirected_to_login(r, "/projects.xlsx")
    rows = list(_workbook(r)["试点项目清单"].iter_rows(values_only=True))
    shown = {row[-1] for row in rows[1:]}
    assert ids["west"]["project"] in shown
    assert (ids["east"]["project"] in shown) == (role not in PROJECT_SCOPED)


def page_project(w: World, role: str) -> None:
    ids = matrix_projects(w)
    _page_scoped(w, role, lambda side: f"/projects/{ids[side]['project']}")


def page_phase(w: World, role: str) -> None:
    ids = matrix_projects(w)
    _page_scoped(w, role, lambda side: f"/phases/{ids[side]['phase']}")


def page_phase_sign(w: World, role: str) -> None:
    ids = matrix_projects(w)
    for side in ("west", "east"):
        w.client.post(f"/api/phases/{ids[side]['phase']}/people", headers=w.headers("admin"),
                      json=[{"person_id": f"page-{role}", "name": "丙", "kind": "villager"}])

    def sign(side: str) -> Any:
        return w.page(role).post(f"/phases/{ids[side]['phase']}/sign", data={
            "csrf_token": w.csrf(role), "person_id": f"page-{role}", "signed_on": "2026-04-01"},
            follow_redirects=False)
    own = sign("west")
    if role in ("anonymous", *READ_ONLY):
        assert own.status_code == 403
        return
    assert own.status_code == 200 and f'data-person="page-{role}" data-signed="true"' in own.text
    assert sign("east").status_code == (404 if role in PROJECT_SCOPED else 200)


def page_phase_advance(w: World, role: str) -> None:
    ids = matrix_projects(w)

    def advance(side: str) -> Any:
        return w.page(role).post(f"/phases/{ids[side]['phase']}/advance", data={
            "csrf_token": w.csrf(role), "to": "construction"}, follow_redirects=False)
    own = advance("west")
    if role in ("anonymous", *READ_ONLY):
        assert own.status_code == 403
        return
    assert own.status_code == 303 and "refused=" in own.headers["location"]  # out of order
    assert advance("east").status_code == (404 if role in PROJECT_SCOPED else 303)


# ---------------------------------------------------------------- pages
# Pages use the session cookie. Anonymous visitors get the public pages (map, public parcel
# card, login); the other pages redirect them to the login page. Forms need the CSRF token.

SENSITIVE_TEXT = "制造有限公司"  # part of every test parcel's right holder (a sensitive field)


def page_as(w: World, role: str, url: str, **kw: Any) -> Any:
    return w.page(role).get(url, follow_redirects=False, **kw)


def redirected_to_login(r: Any, url: str) -> None:
    assert r.status_code == 303, r.text
    assert r.headers["location"].startswith("/login?next=") and url.split("?")[0] in r.headers[
        "location"].replace("%2F", "/")


def _visible_codes(role: str) -> set[str]:
    return WEST_CODES if role == "district_staff" else WEST_CODES | EAST_CODES


def page_map(w: World, role: str) -> None:
    r = page_as(w, role, "/")
    assert r.status_code == 200 and "text/html" in r.headers["content-type"]
    assert ('action="/logout"' in r.text) == (role != "anonymous")
    assert SENSITIVE_TEXT not in r.text


def page_login_form(w: World, role: str) -> None:
    r = page_as(w, role, "/login?next=/dashboard")
    assert r.status_code == 200 and 'name="password"' in r.text and 'value="/dashboard"' in r.text
    assert 'value="//evil' not in page_as(w, role, "/login?next=//evil.example").text


def page_language(w: World, role: str) -> None:
    r = page_as(w, role, "/lang/en?next=/dashboard")
    assert r.status_code == 303 and r.headers["location"] == "/dashboard"
    assert "landrenew_lang=en" in r.headers["set-cookie"]
    assert page_as(w, role, "/lang/en?next=//evil.example").headers["location"] == "/"
    w.page(role).cookies.delete("landrenew_lang")


def page_card(w: World, role: str) -> None:
    own = page_as(w, role, "/pages/parcels/JM-0000/card")
    assert own.status_code == 200 and "JM-0000" in own.text
    assert ('id="reasons"' in own.text) and ('id="history"' in own.text) == (role != "anonymous")
    assert (SENSITIVE_TEXT in own.text) == (role in SEES_SENSITIVE)
    other = page_as(w, role, "/pages/parcels/JM-0003/card")
    assert other.status_code == (404 if role == "district_staff" else 200)
    assert SENSITIVE_TEXT not in other.text or role in SEES_SENSITIVE


def page_dashboard(w: World, role: str) -> None:
    r = page_as(w, role, "/dashboard")
    if role == "anonymous":
        return redirected_to_login(r, "/dashboard")
    assert r.status_code == 200
    assert f'id="kpi-parcels" data-value="{len(_visible_codes(role))}"' in r.text
    assert ("江海区" in r.text) == (role != "district_staff")


def _workbook(r: Any) -> Any:
    from openpyxl import load_workbook

    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(r.content), read_only=True)


def page_dashboard_excel(w: World, role: str) -> None:
    r = page_as(w, role, "/dashboard.xlsx")
    if role == "anonymous":
        return redirected_to_login(r, "/dashboard.xlsx")
    rows = list(_workbook(r)["分区汇总"].iter_rows(values_only=True))
    districts = {row[0] for row in rows[1:-1]}
    assert districts == ({WEST} if role == "district_staff" else {WEST, EAST})
    assert rows[-1][1] == "合计" and rows[-1][2] == len(_visible_codes(role))


def page_parcels(w: World, role: str) -> None:
    r = page_as(w, role, "/parcels")
    if role == "anonymous":
        return redirected_to_login(r, "/parcels")
    assert r.status_code == 200
    import re

    codes = set(re.findall(r'data-parcel="([^"]+)"', r.text))
    assert codes == _visible_codes(role)
    assert SENSITIVE_TEXT not in r.text  # the list shows no right holder for anyone
    if role == "district_staff":
        assert page_as(w, role, f"/parcels?district={EAST}").status_code == 403


def page_parcels_excel(w: World, role: str) -> None:
    r = page_as(w, role, "/parcels.xlsx")
    if role == "anonymous":
        return redirected_to_login(r, "/parcels.xlsx")
    rows = list(_workbook(r)["地块清单"].iter_rows(values_only=True))
    fields = rows[1]
    codes = {row[fields.index("parcel_code")] for row in rows[2:]}
    assert codes == _visible_codes(role)
    assert ("right_holder" in fields) == (role in SEES_SENSITIVE)


def page_import_form(w: World, role: str) -> None:
    r = page_as(w, role, "/import")
    if role == "anonymous":
        return redirected_to_login(r, "/import")
    assert r.status_code == (403 if role in READ_ONLY else 200)


def _stage(w: World, role: str, code: str) -> Any:
    path = parcels_file(w.folder, [dict(PARCELS[0], parcel_code=code)], name=f"{code}.gpkg",
                        start=0)
    return w.page(role).post("/import", data={"csrf_token": w.csrf(role), "reason": "new"},
                             files={"file": (path.name, io.BytesIO(path.read_bytes()))},
                             follow_redirects=False)


def page_import_upload(w: World, role: str) -> None:
    r = _stage(w, role, f"JM-U-{role}")
    if role == "anonymous":  # no session, so no CSRF token: refused before anything is read
        assert r.status_code == 403
        return
    if role in READ_ONLY:
        assert r.status_code == 403
        return
    assert r.status_code == 200, r.text
    assert 'data-stored="false"' in r.text and 'name="token"' in r.text
    forged = w.page(role).post("/import", data={"csrf_token": "forged"}, files={
        "file": ("x.gpkg", io.BytesIO(b"x"))}, follow_redirects=False)
    assert forged.status_code == 403
    assert get_as(w, "admin", f"/api/parcels/JM-U-{role}").status_code == 404  # not stored


def page_import_confirm(w: World, role: str) -> None:
    import re

    code = f"JM-C-{role}"
    staged = _stage(w, role, code)
    if role in ("anonymous", *READ_ONLY):
        assert staged.status_code == 403
        r = w.page(role).post("/import/confirm", data={"csrf_token": w.csrf(role),
                                                       "token": "x"}, follow_redirects=False)
        assert r.status_code == 403
        return
    token = re.search(r'name="token" value="([^"]+)"', staged.text).group(1)  # type: ignore[union-attr]
    intruder = "admin" if role != "admin" else "city_staff"
    stolen = w.page(intruder).post("/import/confirm", data={"csrf_token": w.csrf(intruder),
                                                            "token": token})
    assert stolen.status_code == 403  # another user's staged upload
    r = w.page(role).post("/import/confirm", data={"csrf_token": w.csrf(role), "token": token},
                          follow_redirects=False)
    assert r.status_code == 200 and 'data-stored="true"' in r.text
    stored = get_as(w, "admin", f"/api/parcels/{code}").json()
    assert stored["changed_by"] == role
    again = w.page(role).post("/import/confirm", data={"csrf_token": w.csrf(role),
                                                       "token": token})
    assert again.status_code == 404  # a staged upload is imported once


def page_audit(w: World, role: str) -> None:
    r = page_as(w, role, "/audit")
    if role == "anonymous":
        return redirected_to_login(r, "/audit")
    assert r.status_code == (200 if role == "admin" else 403)
    if role == "admin":
        assert "import_parcels" in r.text


def page_audit_excel(w: World, role: str) -> None:
    r = page_as(w, role, "/audit.xlsx")
    if role == "anonymous":
        return redirected_to_login(r, "/audit.xlsx")
    assert r.status_code == (200 if role == "admin" else 403)
    if role == "admin":
        assert r.content[:2] == b"PK"


MATRIX: dict[tuple[str, str], Case] = {
    ("GET", "/api/openapi.json"): lambda w, r: public_get(w, r, "/api/openapi.json"),
    ("GET", "/api/health"): lambda w, r: public_get(w, r, "/api/health"),
    ("POST", "/api/auth/token"): token,
    ("GET", "/api/auth/me"): me,
    ("POST", "/api/auth/logout"): api_logout,
    ("POST", "/api/auth/password"): password,
    ("POST", "/login"): login,
    ("POST", "/logout"): logout,
    ("GET", "/api/users"): users_list,
    ("POST", "/api/users"): users_create,
    ("PATCH", "/api/users/{name}"): users_patch,
    ("GET", "/api/audit"): audit_list,
    ("GET", "/api/parcels"): parcels_list,
    ("GET", "/api/parcels/{code}"): parcel_get,
    ("PATCH", "/api/parcels/{code}"): parcel_patch,
    ("GET", "/api/parcels/{code}/history"): parcel_history,
    ("GET", "/api/zones"): zones_list,
    ("GET", "/api/districts"): districts_list,
    ("GET", "/api/rules"): rules_list,
    ("GET", "/api/rules/resolve"): rules_resolve,
    ("GET", "/api/evaluations"): runs_list,
    ("GET", "/api/evaluations/{run_id}"): run_get,
    ("GET", "/api/evaluations/{run_id}/statistics"): run_statistics,
    ("POST", "/api/imports/parcels"): imports_upload,
    ("GET", "/ogc"): lambda w, r: public_get(w, r, "/ogc"),
    ("GET", "/ogc/conformance"): lambda w, r: public_get(w, r, "/ogc/conformance"),
    ("GET", "/ogc/api"): lambda w, r: public_get(w, r, "/ogc/api"),
    ("GET", "/ogc/collections"): ogc_collections,
    ("GET", "/ogc/collections/{collection_id}"): ogc_collection,
    ("GET", "/ogc/collections/{collection_id}/items"): ogc_items,
    ("GET", "/ogc/collections/{collection_id}/items/{feature_id}"): ogc_item,
    ("GET", "/tiles/{layer}/{z}/{x}/{y}.mvt"): tile_get,
    ("GET", "/"): page_map,
    ("GET", "/login"): page_login_form,
    ("GET", "/lang/{locale}"): page_language,
    ("GET", "/pages/parcels/{code}/card"): page_card,
    ("GET", "/dashboard"): page_dashboard,
    ("GET", "/dashboard.xlsx"): page_dashboard_excel,
    ("GET", "/parcels"): page_parcels,
    ("GET", "/parcels.xlsx"): page_parcels_excel,
    ("GET", "/import"): page_import_form,
    ("POST", "/import"): page_import_upload,
    ("POST", "/import/confirm"): page_import_confirm,
    ("GET", "/audit"): page_audit,
    ("GET", "/audit.xlsx"): page_audit_excel,
    ("GET", "/projects"): page_projects,
    ("GET", "/projects.xlsx"): page_projects_excel,
    ("GET", "/projects/{project_id}"): page_project,
    ("GET", "/phases/{phase_id}"): page_phase,
    ("POST", "/phases/{phase_id}/sign"): page_phase_sign,
    ("POST", "/phases/{phase_id}/advance"): page_phase_advance,
    ("POST", "/api/projects"): projects_create,
    ("GET", "/api/projects"): projects_list,
    ("GET", "/api/projects/{project_id}"): project_get,
    ("PATCH", "/api/projects/{project_id}"): project_patch,
    ("GET", "/api/projects/{project_id}/history"): project_history,
    ("POST", "/api/projects/{project_id}/phases"): phase_create,
    ("GET", "/api/phases/{phase_id}"): phase_get,
    ("POST", "/api/phases/{phase_id}/people"): phase_people,
    ("POST", "/api/phases/{phase_id}/agreements"): phase_agreements,
    ("GET", "/api/projects/{project_id}/phases"): phases_list,
    ("GET", "/api/phases/{phase_id}/demolition-gate"): phase_gate,
    ("POST", "/api/phases/{phase_id}/transition"): phase_transition,
}


# Issue 5's route groups keep their cases in their own files; each adds them here.
from . import (  # noqa: E402
    matrix_compliance,
    matrix_consolidation,
    matrix_finance,
    matrix_forms,
    matrix_mappings,
    matrix_maps,
    matrix_phases,
    matrix_quotas,
    matrix_supervision,
)

for _part in (matrix_consolidation, matrix_finance, matrix_phases, matrix_compliance,
              matrix_mappings, matrix_supervision, matrix_quotas, matrix_forms,
              matrix_maps):
    MATRIX.update(_part.CASES)


def test_every_route_is_in_the_matrix(city: World) -> None:
    routes = route_table(city.client.app)  # type: ignore[arg-type]
    assert set(routes) == set(MATRIX), (
        f"routes without a permission entry: {sorted(set(routes) - set(MATRIX))}; "
        f"entries without a route: {sorted(set(MATRIX) - set(routes))}")


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("route", list(MATRIX), ids=lambda r: f"{r[0]} {r[1]}")
def test_matrix(city: World, route: tuple[str, str], role: str) -> None:
    MATRIX[route](city, role)
