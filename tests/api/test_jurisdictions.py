"""Rules belong to places: every decision under its own city's rules, resolved by (kind, place,
date) from the shipped packs — a Jiangmen phase has no phase rules, a Guangzhou phase follows
Guangzhou's gate once its scheme is approved, Zhongshan's scheme covers urban villages and
contiguous industrial land only, never whole-area land consolidation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from landrenew.core.store import Store
from landrenew.core.store.migrate import upgrade

from .conftest import GZ, WEST, ZS, World, build_world, rules_path


@pytest.fixture(scope="module", params=["sqlite", "postgis"])
def places_world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
                 fresh_postgres: Callable[[], str]) -> Iterator[World]:
    """Jiangmen's two districts, 广州市白云区 and 中山市, and only the shipped packs."""
    folder = tmp_path_factory.mktemp("places")
    url = f"sqlite:///{folder / 'places.db'}" if request.param == "sqlite" else fresh_postgres()
    store = Store.open(url)
    upgrade(store.engine)
    with rules_path(None):
        w = build_world(store, folder, places=True)
        yield w
    w.client.close()
    store.dispose()


def _post(w: World, url: str, body: Any, role: str = "admin") -> Any:
    return w.client.post(url, headers=w.headers(role), json=body)


def _project(w: World, district: str, type_: str = "urban_village", **extra: Any) -> int:
    r = _post(w, "/api/projects", {"name": f"{type_} {district}", "type": type_,
                                   "district_code": district, **extra})
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def _phase_with_people(w: World, project: int, n: int = 5) -> int:
    phase = _post(w, f"/api/projects/{project}/phases", {"name": "一期"}).json()["id"]
    people = [{"person_id": f"P{i}", "name": f"村民{i}", "kind": "villager"} for i in range(n)]
    assert _post(w, f"/api/phases/{phase}/people", people).status_code == 201
    return int(phase)


def test_a_jiangmen_phase_has_no_phase_rules(places_world: World) -> None:
    w = places_world
    phase = _phase_with_people(w, _project(w, WEST))
    gate = w.client.get(f"/api/phases/{phase}/demolition-gate", headers=w.headers("viewer"))
    assert gate.status_code == 409 and gate.json()["code"] == "no_rules"
    assert "江门市 has no urban-village phase rules (kind renewal_phases)" in gate.json()["message"]
    moved = _post(w, f"/api/phases/{phase}/transition", {"to": "signing"})
    assert moved.status_code == 409 and moved.json()["code"] == "no_rules"
    # an agreement is a fact and is kept; the gate it reports says why there is none
    signed = _post(w, f"/api/phases/{phase}/agreements",
                   {"person_id": "P0", "signed_on": "2026-01-05"})
    assert signed.status_code == 201, signed.text
    assert signed.json()["gate"]["allowed"] is False
    assert signed.json()["gate"]["no_rules"]["kind"] == "renewal_phases"


def test_a_guangzhou_phase_signs_after_its_scheme_and_opens_at_80_percent(
        places_world: World) -> None:
    w = places_world
    project = _project(w, GZ)
    phase = _phase_with_people(w, project)
    refused = _post(w, f"/api/phases/{phase}/transition", {"to": "signing"})
    assert refused.status_code == 409 and refused.json()["code"] == "scheme_not_approved"
    assert w.client.patch(f"/api/projects/{project}", headers=w.headers("admin"), json={
        "scheme_approved_on": "2026-02-01", "reason": "实施方案批复"}).status_code == 200
    day_before = _post(w, f"/api/phases/{phase}/agreements",
                       {"person_id": "P0", "signed_on": "2026-01-31"})
    assert day_before.status_code == 409 and day_before.json()["code"] == "scheme_not_approved"
    # the day of approval counts as after it (the pack's scheme_approval_day_counts = 1)
    on_the_day = _post(w, f"/api/phases/{phase}/agreements",
                       {"person_id": "P0", "signed_on": "2026-02-01"})
    assert on_the_day.status_code == 201, on_the_day.text
    assert _post(w, f"/api/phases/{phase}/transition", {"to": "signing"}).status_code == 200
    for who in ("P1", "P2"):
        _post(w, f"/api/phases/{phase}/agreements", {"person_id": who, "signed_on": "2026-03-01"})
    gate = w.client.get(f"/api/phases/{phase}/demolition-gate", headers=w.headers("viewer"))
    body = gate.json()
    assert (body["pack"], body["pack_version"]) == ("guangzhou-renewal", "2024.2")
    assert body["allowed"] is False and (body["signed"], body["total"]) == (3, 5)
    _post(w, f"/api/phases/{phase}/agreements", {"person_id": "P3", "signed_on": "2026-03-02"})
    opened = _post(w, f"/api/phases/{phase}/transition", {"to": "demolition"})
    assert opened.status_code == 200, opened.text
    assert opened.json()["decision"]["pack"] == "guangzhou-renewal"


def test_zhongshan_follows_its_own_scheme_as_a_draft(places_world: World) -> None:
    w = places_world
    pid = _project(w, ZS)
    view = w.client.get(f"/api/projects/{pid}/workflow", headers=w.headers("city_staff"))
    assert view.status_code == 200, view.text
    body = view.json()
    assert body["pack"]["id"] == "zhongshan-consolidation" and body["pack"]["draft"] is True
    assert body["pack_version"] == body["pack"]["version"] and len(body["steps"]) == 11
    gate = body["willingness"]
    assert gate["pack"].startswith("zhongshan-willingness") and gate["draft"] is True


@pytest.mark.parametrize(("district", "type_", "extra", "code"), [
    (ZS, "land_consolidation", {}, "not_a_consolidation_project"),  # 全域土地综合整治
    (ZS, "industrial_upgrade", {}, "not_a_consolidation_project"),
    (GZ, "urban_village", {}, "no_rules"),
    (WEST, "urban_village", {}, "no_rules"),
])
def test_the_scheme_is_never_another_programmes_or_another_citys(
        places_world: World, district: str, type_: str, extra: dict[str, Any], code: str) -> None:
    w = places_world
    pid = _project(w, district, type_, **extra)
    r = w.client.get(f"/api/projects/{pid}/workflow", headers=w.headers("city_staff"))
    assert r.status_code == 409 and r.json()["code"] == code, r.text
    money = w.client.get(f"/api/projects/{pid}/finance", headers=w.headers("city_staff"))
    assert money.status_code == 409


def test_contiguous_industrial_redevelopment_may_follow_the_scheme(places_world: World) -> None:
    w = places_world
    pid = _project(w, ZS, "industrial_upgrade", contiguous_redevelopment=True)
    r = w.client.get(f"/api/projects/{pid}/workflow", headers=w.headers("city_staff"))
    assert r.status_code == 200, r.text
    started = _post(w, f"/api/projects/{pid}/workflow", {"reason": "成片连片再开发"})
    assert started.status_code == 201, started.text


def test_money_follows_the_place_and_keeps_its_packs(places_world: World) -> None:
    w = places_world
    pid = _project(w, ZS)
    r = _post(w, f"/api/projects/{pid}/fund-balance", {
        "compensation": "1000000", "resettlement_construction": "0", "other_costs": "0",
        "financing_cost": "0", "supply_area_m2": "1000", "far": "2", "floor_price": "2000"})
    assert r.status_code == 201, r.text
    used = r.json()["result"]["packs"]
    assert used["consolidation_money"]["pack"] == "zhongshan-consolidation-money"
    assert used["consolidation_money"]["draft"] is True
    assert used["land_revenue"]["pack"] == "guangdong-land-revenue"


def test_rules_api_lists_and_resolves(places_world: World) -> None:
    w = places_world
    h = w.headers("viewer")
    listed = w.client.get("/api/rules", params={"kind": "identification", "district": "440703"},
                          headers=h).json()
    assert {p["pack"] for p in listed} == {"guangdong", "jiangmen"}
    assert all(not p["source"].startswith("/") for p in listed)  # no server paths
    r = w.client.get("/api/rules/resolve", params={"kind": "renewal_phases", "district": GZ,
                                                   "on": "2025-01-01"}, headers=h)
    assert r.status_code == 200 and r.json() == {
        "pack": "guangzhou-renewal", "version": "2024.2", "kind": "renewal_phases",
        "jurisdiction": "440100", "jurisdiction_name": "广州市", "draft": False,
        "effective_from": "2023-06-01", "effective_to": None,
        "title": {"zh": "广州市城中村改造分期实施规则",
                  "en": "Guangzhou urban-village renewal, phased implementation"}}
    missing = w.client.get("/api/rules/resolve", params={"kind": "renewal_phases",
                                                         "district": "440703"}, headers=h)
    assert missing.status_code == 404 and missing.json()["code"] == "no_rules"
    assert "江门市 has no urban-village phase rules" in missing.json()["message"]
    bad = w.client.get("/api/rules/resolve", params={"kind": "nonsense", "district": GZ},
                       headers=h)
    assert bad.status_code == 422 and bad.json()["field"] == "kind"
    assert w.client.get("/api/rules").status_code == 401


def test_districts_name_their_city(places_world: World) -> None:
    w = places_world
    items = w.client.get("/api/districts", headers=w.headers("admin")).json()["items"]
    cities = {d["code"]: (d["city_code"], d["city_name"]) for d in items}
    assert cities == {"440703": ("440700", "江门市"), "440704": ("440700", "江门市"),
                      GZ: ("440100", "广州市"), ZS: ("442000", "中山市")}


def test_an_evaluation_run_uses_each_citys_standard(places_world: World) -> None:
    w = places_world
    run = w.client.get(f"/api/evaluations/{w.run_id}", headers=w.headers("admin")).json()
    assert run["packs"] == {"440703": {"pack": "jiangmen", "version": "2023.2",
                                       "jurisdiction": "440700"},
                            "440704": {"pack": "jiangmen", "version": "2023.2",
                                       "jurisdiction": "440700"}}
    assert run["pack_id"] == "jiangmen"
    card = w.client.get("/api/parcels/JM-0000", headers=w.headers("admin")).json()
    assert card["evaluation"]["pack_id"] == "jiangmen"
    assert dt.date.fromisoformat(run["as_of"]) == dt.date(2025, 6, 30)


def test_a_workflow_may_not_start_after_the_schemes_five_years(
        places_world: World, tmp_path: Any) -> None:
    """"本方案自印发之日起施行，有效期5年": a bureau records the issue day (here 2020-01-01, in a
    pack of its own); from 2025-01-01 on, no workflow may start under it."""
    rules = tmp_path / "bureau"
    rules.mkdir()
    (rules / "issued.yaml").write_text("""\
kind: consolidation_scheme
id: zhongshan-consolidation-issued
version: "1"
parent: zhongshan-consolidation
title: {zh: 中山市城中村改造土地整备工作方案, en: Zhongshan consolidation scheme (issued)}
jurisdiction: {code: "442000", name: 中山市}
effective_from: 2024-03-09
issued_on: 2020-01-01
""", encoding="utf-8")
    w = places_world
    pid = _project(w, ZS)
    with rules_path(rules):
        r = _post(w, f"/api/projects/{pid}/workflow", {"reason": "启动"})
        assert r.status_code == 409 and r.json()["code"] == "scheme_expired", r.text
        assert "2024-12-31" in r.json()["message"]
    started = _post(w, f"/api/projects/{pid}/workflow", {"reason": "启动"})  # the draft again
    assert started.status_code == 201, started.text
