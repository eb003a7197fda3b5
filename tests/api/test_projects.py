"""Projects and phases over HTTP on both backends: the calls other tools rely on, the phase
walked from signing to an open demolition gate, refusals with their reasons."""

from __future__ import annotations

import datetime as dt
from typing import Any

import shapely
import shapely.geometry

from .conftest import EAST, WEST, World


def _post(w: World, role: str, url: str, body: Any) -> Any:
    return w.client.post(url, headers=w.headers(role), json=body)


def _square(w: World) -> dict[str, Any]:
    geom = w.client.get("/ogc/collections/parcels/items/JM-0000").json()["geometry"]
    return shapely.geometry.mapping(shapely.geometry.shape(geom).buffer(0.0005))


def test_a_phase_from_signing_to_an_open_demolition_gate(world: World) -> None:
    p = _post(world, "city_staff", "/api/projects",
              {"name": "棠下村城中村改造", "type": "urban_village", "district_code": WEST})
    assert p.status_code == 201, p.text
    project = p.json()
    assert project["type_name"] == "城中村改造" and project["version"] == 1
    ph = _post(world, "city_staff", f"/api/projects/{project['id']}/phases",
               {"name": "一期", "geometry": _square(world)})
    assert ph.status_code == 201, ph.text
    phase = ph.json()
    assert phase["state"] == "planned" and phase["area_m2"] > 10_000
    people = [{"person_id": f"V{i}", "name": f"村民{i}", "kind": "villager"} for i in range(3)]
    people += [{"person_id": "R1", "name": "居民甲", "kind": "resident"},
               {"person_id": "A1", "name": "祖屋业主乙", "kind": "ancestral_owner"}]
    added = _post(world, "city_staff", f"/api/phases/{phase['id']}/people", people)
    assert added.status_code == 201 and added.json()["total"] == 5
    gate_url = f"/api/phases/{phase['id']}/demolition-gate"
    # signing waits for the implementation scheme (项目实施方案批复并生效后)
    early = _post(world, "city_staff", f"/api/phases/{phase['id']}/transition", {"to": "signing"})
    assert early.status_code == 409 and early.json()["code"] == "scheme_not_approved", early.text
    assert "项目实施方案批复并生效后" in early.json()["message"]
    unsigned = _post(world, "city_staff", f"/api/phases/{phase['id']}/agreements",
                     {"person_id": "V0", "signed_on": "2026-03-01"})
    assert unsigned.status_code == 409 and unsigned.json()["code"] == "scheme_not_approved"
    approved = world.client.patch(f"/api/projects/{project['id']}", headers=world.headers(
        "city_staff"), json={"scheme_approved_on": "2026-04-01", "reason": "市政府批复实施方案"})
    assert approved.status_code == 200 and approved.json()["scheme_approved_on"] == "2026-04-01"
    before = _post(world, "city_staff", f"/api/phases/{phase['id']}/agreements",
                   {"person_id": "V0", "signed_on": "2026-03-31"})  # dated before the approval
    assert before.status_code == 409 and before.json()["code"] == "scheme_not_approved"
    assert "2026-03-31" in before.json()["message"]
    moved = _post(world, "city_staff", f"/api/phases/{phase['id']}/transition", {"to": "signing"})
    assert moved.status_code == 200 and moved.json()["state"] == "signing"
    assert moved.json()["decision"]["pack"] == "jiangmen-renewal-phases"
    for who in ("V0", "V1", "R1"):
        r = _post(world, "city_staff", f"/api/phases/{phase['id']}/agreements",
                  {"person_id": who, "signed_on": "2026-05-01"})
        assert r.status_code == 201, r.text
    gate = world.client.get(gate_url, headers=world.headers("viewer")).json()
    assert set(gate) == {"allowed", "signed", "total", "ratio", "threshold", "rule", "clause",
                         "basis", "pack", "pack_version", "no_rules"}
    assert (gate["pack"], gate["pack_version"], gate["basis"]) == (
        "jiangmen-renewal-phases", "1", "document")
    assert gate["allowed"] is False and (gate["signed"], gate["total"]) == (3, 5)
    assert gate["ratio"] == 0.6 and gate["threshold"] == 0.8 and "80%" in gate["clause"]
    refused = _post(world, "city_staff", f"/api/phases/{phase['id']}/transition",
                    {"to": "demolition"})
    assert refused.status_code == 409
    body = refused.json()
    assert body["code"] == "gate_closed" and body["gate"]["signed"] == 3
    assert "3 of 5" in body["message"]
    r = _post(world, "city_staff", f"/api/phases/{phase['id']}/agreements",
              {"person_id": "A1", "signed_on": "2026-05-03"})
    assert r.json()["gate"]["allowed"] is True and r.json()["gate"]["ratio"] == 0.8
    opened = _post(world, "city_staff", f"/api/phases/{phase['id']}/transition",
                   {"to": "demolition", "reason": "80 % signed"})
    assert opened.status_code == 200, opened.text
    assert opened.json()["decision"]["allowed"] is True
    audit = world.client.get("/api/audit", params={"entity_type": "phase"},
                             headers=world.headers("admin")).json()["items"]
    assert audit[0]["after"]["state"] == "demolition" and audit[0]["actor"] == "city_staff"


def test_out_of_order_steps_are_refused(world: World) -> None:
    project = _post(world, "admin", "/api/projects", {"name": "x", "type": "urban_village",
                                                      "district_code": WEST}).json()
    phase = _post(world, "admin", f"/api/projects/{project['id']}/phases", {"name": "p"}).json()
    url = f"/api/phases/{phase['id']}/transition"
    for to in ("demolition", "supply", "approval", "construction", "planned"):
        r = _post(world, "admin", url, {"to": to})
        assert r.status_code == 409 and r.json()["code"] == "out_of_order", (to, r.text)
        assert "next state is 'signing'" in r.json()["message"]
    assert _post(world, "admin", url, {"to": "nowhere"}).status_code == 422


def test_agreements_need_listed_people_and_no_double_signing(world: World) -> None:
    project = _post(world, "admin", "/api/projects", {"name": "y", "type": "urban_village",
                                                      "district_code": WEST,
                                                      "scheme_approved_on": "2025-12-01"}).json()
    phase = _post(world, "admin", f"/api/projects/{project['id']}/phases", {"name": "p"}).json()
    agr = f"/api/phases/{phase['id']}/agreements"
    r = _post(world, "admin", agr, {"person_id": "NOBODY", "signed_on": "2026-01-01"})
    assert r.status_code == 422 and r.json()["field"] == "person_id"
    _post(world, "admin", f"/api/phases/{phase['id']}/people",
          [{"person_id": "V1", "name": "甲", "kind": "villager"}])
    assert _post(world, "admin", agr, {"person_id": "V1", "signed_on": "2026-01-01"}
                 ).status_code == 201
    again = _post(world, "admin", agr, {"person_id": "V1", "signed_on": "2026-01-02"})
    assert again.status_code == 409
    future = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    assert _post(world, "admin", agr, {"person_id": "V1", "signed_on": future,
                                       "action": "withdraw"}).status_code == 422
    bad_kind = _post(world, "admin", f"/api/phases/{phase['id']}/people",
                     [{"person_id": "V2", "name": "乙", "kind": "tenant"}])
    assert bad_kind.status_code == 422 and "kind" in bad_kind.json()["field"]
    dup = _post(world, "admin", f"/api/phases/{phase['id']}/people",
                [{"person_id": "V1", "name": "甲", "kind": "villager"}])
    assert dup.status_code == 409


def test_project_changes_are_versions_and_input_is_checked(world: World) -> None:
    bad = _post(world, "admin", "/api/projects", {"name": "z", "type": "castle",
                                                  "district_code": WEST})
    assert bad.status_code == 422 and bad.json()["field"] == "type"
    unknown = _post(world, "admin", "/api/projects", {"name": "z", "type": "sanjiu",
                                                      "district_code": "999999"})
    assert unknown.status_code == 422 and unknown.json()["field"] == "district_code"
    project = _post(world, "admin", "/api/projects", {
        "name": "旧厂房改造", "type": "sanjiu", "district_code": EAST, "batch": "first",
        "planned_end": "2025-06-30", "instruments": ["far_bonus"]}).json()
    r = world.client.patch(f"/api/projects/{project['id']}", headers=world.headers("admin"),
                           json={"stage": "implementing", "reason": "方案已批复"})
    assert r.status_code == 200 and r.json()["version"] == 2 and r.json()["changed"] == ["stage"]
    history = world.client.get(f"/api/projects/{project['id']}/history",
                               headers=world.headers("viewer")).json()
    assert [v["version"] for v in history] == [1, 2] and history[1]["reason"] == "方案已批复"
    assert history[0]["record"]["stage"] == "proposed"
    overdue = world.client.get("/api/projects", params={"overdue_on": "2026-01-01"},
                               headers=world.headers("viewer")).json()
    assert project["id"] in [p["id"] for p in overdue["items"]]
    not_yet = world.client.get("/api/projects", params={"overdue_on": "2025-01-01"},
                               headers=world.headers("viewer")).json()
    assert project["id"] not in [p["id"] for p in not_yet["items"]]
