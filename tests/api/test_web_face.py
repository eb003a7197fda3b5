"""The web face's promises (``docs/security.md``, "The web face"), on SQLite and PostGIS:

- an anonymous OGC request cannot fill the disk: unknown parameters are refused (400, an OGC
  exception), pages are stored under canonical keys only, and the page store is bounded;
- every answer carries the security headers; HSTS and ``Secure`` cookies in production only;
- no input gives a 500 where a 4xx is due (huge ids and offsets, null ``stage``, too-long
  values and upload names, colliding writes);
- times in answers say UTC (``Z``); production refuses a secret of spaces;
- the public never sees internal account names (``changed_by``).
"""

from __future__ import annotations

import concurrent.futures
import io
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from landrenew.core.settings import Settings
from landrenew.server import create_app
from landrenew.serving import pagestore

from api.conftest import PASSWORD, SECRET, WEST, World, post_login, running_server

ITEMS = "/ogc/collections/parcels/items"
BIG = "99999999999999999999999"


def test_unknown_ogc_parameters_are_refused_and_store_nothing(city: World) -> None:
    before = pagestore.size(city.store)[0]
    for i in range(5):
        r = city.client.get(ITEMS, params={"limit": 3, f"cachebuster{i}": "x"})
        assert r.status_code == 400, r.text
        body = r.json()
        assert body["code"] == "unknown_parameter" and f"cachebuster{i}" in body["description"]
    assert pagestore.size(city.store)[0] == before
    # the same box written four ways is one page, stored once
    for bbox in ("112.9,22.5,113.2,22.7", "112.90,22.50,113.20,22.70",
                 "112.9000,22.5,113.2,22.700", "1.129e2,22.5,113.2,22.7"):
        r = city.client.get(ITEMS, params={"limit": 2, "bbox": bbox})
        assert r.status_code == 200, r.text
        assert "bbox=112.9%2C22.5%2C113.2%2C22.7" in r.json()["links"][0]["href"]
    assert pagestore.size(city.store)[0] == before + 1


def test_ogc_bad_paging_is_an_ogc_400(city: World) -> None:
    for params in ({"offset": BIG}, {"offset": "-1"}, {"limit": "many"}, {"offset": 2**31}):
        r = city.client.get(ITEMS, params=params)
        assert r.status_code == 400, (params, r.text)
        assert r.json()["code"] and r.json()["description"]


def test_the_page_store_keeps_within_its_bound(city: World) -> None:
    stamp = city.store.stamp()
    for i in range(10):
        pagestore.write(city.store, f"{i:064d}", stamp, bytes([i]) * 1000, limit=4500)
        assert pagestore.size(city.store)[1] <= 4500
    assert pagestore.read(city.store, f"{9:064d}", stamp) is not None  # the newest stay
    assert pagestore.read(city.store, f"{0:064d}", stamp) is None  # the oldest went first
    pagestore.write(city.store, "f" * 64, stamp, b"x" * 5000, limit=4500)  # larger than all
    assert pagestore.read(city.store, "f" * 64, stamp) is None


def test_security_headers_on_pages_api_and_static(city: World) -> None:
    for path in ("/", "/login", "/api/health", "/static/app.css", ITEMS + "?limit=1"):
        h = city.client.get(path).headers
        csp = h["content-security-policy"]
        assert "default-src 'self'" in csp and "script-src 'self'" in csp, path
        assert "worker-src 'self' blob:" in csp and "img-src 'self' data: blob:" in csp
        assert "frame-ancestors 'none'" in csp and "unsafe" not in csp
        assert h["x-content-type-options"] == "nosniff" and h["x-frame-options"] == "DENY"
        assert h["referrer-policy"] == "strict-origin-when-cross-origin"
        assert "strict-transport-security" not in h  # not in test mode, not over plain HTTP


def test_production_sends_hsts_over_https_and_secure_cookies(city: World, tmp_path: Path) -> None:
    from landrenew.core.signing import generate_key_file

    generate_key_file(tmp_path / "ledger.pem")
    app = create_app(Settings(database_url=city.store.url, secret_key=SECRET, mode="production",
                              user="tester", ledger_key_file=str(tmp_path / "ledger.pem")),
                     store=city.store)
    with TestClient(app, base_url="https://landrenew.example") as tls, \
            TestClient(app, base_url="http://landrenew.example") as plain:
        assert "max-age=31536000" in tls.get("/login").headers["strict-transport-security"]
        assert "strict-transport-security" not in plain.get("/login").headers
        r = post_login(tls, username="viewer", password=PASSWORD)
        assert r.status_code == 303
        cookies = [c for c in r.headers.get_list("set-cookie") if '=""' not in c]  # not removals
        assert len(cookies) == 2 and all("Secure" in c for c in cookies), cookies


def test_production_refuses_a_secret_of_spaces() -> None:
    with pytest.raises(ValidationError, match="secret_key"):
        Settings(mode="production", secret_key=" " * 40)
    with pytest.raises(ValidationError, match="secret_key"):
        Settings(mode="production", secret_key="  short-secret-padded-with-spaces      ")


@pytest.mark.parametrize("path", [
    f"/api/projects/{BIG}", f"/api/projects/{2**31}/phases", f"/api/phases/{BIG}",
    f"/api/evaluations/{BIG}", f"/api/projects/{BIG}/finance", f"/api/parcels?offset={BIG}",
    f"/api/audit?offset={BIG}", f"/api/projects?offset={2**63}"])
def test_huge_ids_and_offsets_are_refused_not_500(city: World, path: str) -> None:
    r = city.client.get(path, headers=city.headers("admin"))
    assert r.status_code in (404, 422), (path, r.status_code, r.text)


def test_null_stage_or_type_and_long_values_are_422(city: World) -> None:
    h = city.headers("admin")
    r = city.client.post("/api/projects", headers=h, json={
        "name": "白沙工业园改造", "type": "industrial_upgrade", "district_code": WEST})
    assert r.status_code == 201, r.text
    pid = r.json()["id"]
    for field in ("stage", "type", "name", "district_code"):
        r = city.client.patch(f"/api/projects/{pid}", headers=h,
                              json={field: None, "reason": "测试"})
        assert r.status_code == 422 and r.json()["field"] == field, r.text
    r = city.client.patch("/api/parcels/JM-0000", headers=h,
                          json={"industry_code": "C" * 9, "reason": "测试"})
    assert r.status_code == 422 and r.json()["field"] == "industry_code", r.text


def test_an_upload_name_too_long_is_422(city: World) -> None:
    for name in ("地" * 200 + ".gpkg", "p" * 300 + ".gpkg"):
        r = city.client.post("/api/imports/parcels", headers=city.headers("admin"),
                             data={"dry_run": "true"}, files={"file": (name, io.BytesIO(b"x"))})
        assert r.status_code == 422 and r.json()["field"] == "file", r.text


def test_colliding_writes_to_one_parcel_never_answer_500(world: World) -> None:
    h = world.headers("city_staff")
    with running_server(world.client.app) as base:
        def patch(i: int) -> int:
            return httpx.patch(f"{base}/api/parcels/JM-0002", headers=h, timeout=60,
                               json={"floor_area_m2": 3000 + i, "reason": f"并发 {i}"}
                               ).status_code

        with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
            codes = list(pool.map(patch, range(16)))
    assert set(codes) <= {200, 409} and 200 in codes, codes
    history = world.client.get("/api/parcels/JM-0002/history", headers=h).json()
    versions = [v["version"] for v in history["items"]]
    assert len(versions) == len(set(versions)) == codes.count(200) + 1


def test_times_in_answers_say_utc(city: World) -> None:
    h = city.headers("admin")
    parcel = city.client.get("/api/parcels/JM-0000", headers=h).json()
    listed = city.client.get("/api/parcels?limit=1", headers=h).json()["items"][0]
    users = city.client.get("/api/users", headers=h).json()["items"]
    feature = city.client.get(ITEMS, params={"limit": 1}, headers=h).json()["features"][0]
    for value in (parcel["valid_from"], listed["valid_from"], users[0]["created_at"],
                  feature["properties"]["valid_from"]):
        assert value.endswith("Z") and "T" in value, value


def test_the_public_never_sees_account_names(city: World) -> None:
    anonymous = city.client.get(ITEMS, params={"limit": 6}).json()["features"]
    staff = city.client.get(ITEMS, params={"limit": 6},
                            headers=city.headers("viewer")).json()["features"]
    assert anonymous and all("changed_by" not in f["properties"] for f in anonymous)
    assert all(f["properties"]["changed_by"] == "setup" for f in staff)
    one = city.client.get(ITEMS + "/JM-0000").json()
    assert "changed_by" not in one["properties"]
    card = city.client.get("/pages/parcels/JM-0000/card", headers={"Accept": "text/html"})
    assert card.status_code == 200 and "setup" not in card.text
