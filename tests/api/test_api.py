"""REST API behaviour on both backends: errors, pagination, filters, edits with history and
audit, uploads, login rate limits, cookie sessions with CSRF, token checks, production settings."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import jwt
import pyogrio
import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from landrenew.core import errors as core_errors
from landrenew.core.auth import create_user, set_active
from landrenew.core.errors import InputError
from landrenew.core.settings import Settings
from landrenew.core.store import Store
from landrenew.demo.accounts import DEMO_ACCOUNTS
from landrenew.demo.build import build_demo
from landrenew.server import create_app

from .conftest import (
    EAST,
    PARCELS,
    PASSWORD,
    SECRET,
    WEST,
    World,
    parcels_file,
    post_login,
    settings_for,
)


def _upload(w: World, role: str, path: Path, dry_run: bool) -> Any:
    return w.client.post("/api/imports/parcels", headers=w.headers(role),
                         data={"dry_run": str(dry_run).lower(), "reason": "upload test"},
                         files={"file": (path.name, io.BytesIO(path.read_bytes()))})


def test_validation_errors_name_the_field(city: World) -> None:
    r = city.client.get("/api/parcels", params={"limit": 5000}, headers=city.headers("admin"))
    assert r.status_code == 422
    body = r.json()
    assert body["code"] == "invalid_input" and body["field"] == "limit"
    bad = city.client.get("/api/parcels", params={"bbox": "1,2,3"}, headers=city.headers("admin"))
    assert bad.status_code == 422 and bad.json()["field"] == "bbox"
    missing = city.client.get("/api/parcels/NOPE", headers=city.headers("admin"))
    assert missing.status_code == 404 and missing.json() == {
        "code": "not_found", "message": "no parcel 'NOPE'", "file": None, "row": None,
        "field": "parcel_code", "message_zh": "字段“parcel_code”：不存在地块“NOPE”"}


def test_pagination_and_bbox(city: World) -> None:
    h = city.headers("city_staff")
    page = city.client.get("/api/parcels", params={"limit": 2, "offset": 2}, headers=h).json()
    assert page["total"] == len(PARCELS) and (page["limit"], page["offset"]) == (2, 2)
    assert [p["parcel_code"] for p in page["items"]] == ["JM-0002", "JM-0003"]
    first = city.client.get("/api/parcels/JM-0000", headers=h).json()
    minx, miny, maxx, maxy = first["bbox"]
    box = f"{minx - 1e-5},{miny - 1e-5},{maxx + 1e-5},{maxy + 1e-5}"
    found = city.client.get("/api/parcels", params={"bbox": box}, headers=h).json()
    assert [p["parcel_code"] for p in found["items"]] == ["JM-0000"]
    zones = city.client.get("/api/zones", params={"bbox": box}, headers=h).json()
    assert [z["zone_code"] for z in zones["items"]] == ["UDB-1"]


def test_keyset_paging_walks_the_same_list_as_offsets(city: World) -> None:
    """``after=`` + ``next_after`` gives the same parcels in the same order as offsets, for every
    role's scope and with filters; the last page has no ``next_after``."""
    for role in ("admin", "district_staff"):
        h = city.headers(role)
        whole = city.client.get("/api/parcels?limit=1000", headers=h).json()
        codes = [p["parcel_code"] for p in whole["items"]]
        walked: list[str] = []
        url = "/api/parcels?limit=2"
        while True:
            page = city.client.get(url, headers=h).json()
            assert page["total"] == whole["total"]
            walked += [p["parcel_code"] for p in page["items"]]
            if "next_after" not in page or page["next_after"] is None:
                break
            assert page["next_after"] == walked[-1]
            url = f"/api/parcels?limit=2&after={page['next_after']}"
        assert walked == codes and len(codes) == whole["total"]
        offsets = city.client.get("/api/parcels?limit=2&offset=2", headers=h).json()["items"]
        keyset = city.client.get(f"/api/parcels?limit=2&after={codes[1]}", headers=h).json()
        assert [p["parcel_code"] for p in keyset["items"]] == \
            [p["parcel_code"] for p in offsets]
    # with a filter: the low-efficiency parcels of the latest run, one at a time
    h = city.headers("admin")
    low = city.client.get("/api/parcels?limit=1000", headers=h).json()["items"]
    low_codes = [p["parcel_code"] for p in low if p["is_low_efficiency"]]
    category = next(p["categories"][0] for p in low if p["categories"])
    wanted = [p["parcel_code"] for p in low if category in p["categories"]]
    assert low_codes and wanted
    got, after = [], ""
    while True:
        page = city.client.get(f"/api/parcels?category={category}&limit=1&after={after}",
                               headers=h).json()
        got += [p["parcel_code"] for p in page["items"]]
        if page.get("next_after") is None:
            break
        after = page["next_after"]
    assert got == wanted


def test_deep_offsets_from_anchors_are_the_plain_offset_pages(world: World, monkeypatch) -> None:
    """Deep ``offset`` pages start from the kept code anchors (every ANCHOR_STEP-th code): for
    every offset, in every role's scope, and again after an edit moves a parcel to the other
    district, they hold exactly the parcels a plain ``OFFSET`` would, in the REST list and in
    OGC items pages (written by the server on PostGIS)."""
    from landrenew.serving import parcels as service

    monkeypatch.setattr(service, "ANCHOR_STEP", 2)
    anchored: list[tuple[str | None, int]] = []
    real = service.from_anchor

    def spy(*args: object) -> tuple[str | None, int]:
        out = real(*args)  # type: ignore[arg-type]
        anchored.append(out)
        return out

    monkeypatch.setattr(service, "from_anchor", spy)

    def check() -> None:
        for role in ("admin", "district_staff"):
            h = world.headers(role)
            whole = [p["parcel_code"] for p in world.client.get(
                "/api/parcels?limit=1000", headers=h).json()["items"]]
            assert whole
            for offset in range(len(whole) + 2):
                for limit in (1, 2, 3):
                    page = world.client.get(f"/api/parcels?limit={limit}&offset={offset}",
                                            headers=h).json()
                    assert [p["parcel_code"] for p in page["items"]] == \
                        whole[offset:offset + limit], (role, offset, limit)
                    assert page["total"] == len(whole) and page["offset"] == offset
                    items = world.client.get("/ogc/collections/parcels/items", headers=h,
                                             params={"limit": limit, "offset": offset}).json()
                    assert [f["id"] for f in items["features"]] == \
                        whole[offset:offset + limit], ("ogc", role, offset, limit)
                    assert items["numberMatched"] == len(whole)

    check()
    assert any(after is not None for after, _ in anchored)  # the anchors were used
    r = world.client.patch("/api/parcels/JM-0003", headers=world.headers("admin"),
                           json={"district_code": WEST, "reason": "boundary survey"})
    assert r.status_code == 200, r.text
    anchored.clear()
    check()  # new data stamp: new anchors, with JM-0003 now in the district staff's list
    assert any(after is not None for after, _ in anchored)
    staff = world.client.get("/api/parcels?limit=10", headers=world.headers("district_staff"))
    assert "JM-0003" in [p["parcel_code"] for p in staff.json()["items"]]


def test_list_page_json_is_the_declared_schema(city: World) -> None:
    """List pages are written with orjson, not through the pydantic model: the text must still
    be exactly what ``Page[ParcelPublic]`` declares (every value of its type, nothing extra, the
    sensitive fields only where the role may see them)."""
    from landrenew.api.schemas import Page, ParcelPublic
    from landrenew.land.fields import SENSITIVE_FIELDS

    for role in ("admin", "viewer", "district_staff"):
        body = city.client.get("/api/parcels?limit=3", headers=city.headers(role)).content
        raw = json.loads(body)
        model = Page[ParcelPublic].model_validate_json(body, strict=False)
        assert model.model_dump(mode="json", exclude_unset=True) == raw
        for item in raw["items"]:
            assert set(item) <= set(ParcelPublic.model_fields)
            hidden = set(SENSITIVE_FIELDS) - set(item)
            assert hidden == (set(SENSITIVE_FIELDS) if role == "viewer" else set())
            assert item["area_mu"] == pytest.approx(item["area_m2"] * 15 / 10000)
            assert isinstance(item["valid_from"], str) and "T" in item["valid_from"]
        if len(raw["items"]) == 3:
            assert raw["next_after"] == raw["items"][-1]["parcel_code"]
        else:
            assert "next_after" not in raw


def test_list_pages_are_cached_until_the_data_changes(world: World) -> None:
    """A page asked again is the same bytes with the same ETag (304 with If-None-Match); an
    edit changes the data stamp, so the next answer shows it; views never mix."""
    h = world.headers("city_staff")
    first = world.client.get("/api/parcels?limit=2", headers=h)
    again = world.client.get("/api/parcels?limit=2", headers=h)
    assert again.content == first.content and again.headers["etag"] == first.headers["etag"]
    assert world.client.get("/api/parcels?limit=2", headers={
        **h, "If-None-Match": first.headers["etag"]}).status_code == 304
    viewer = world.client.get("/api/parcels?limit=2", headers=world.headers("viewer")).json()
    assert "right_holder" in first.json()["items"][0]
    assert "right_holder" not in viewer["items"][0]  # another view, another cached page
    r = world.client.patch("/api/parcels/JM-0000", headers=world.headers("admin"),
                           json={"land_use": "0701", "reason": "re-surveyed"})
    assert r.status_code == 200
    after = world.client.get("/api/parcels?limit=2", headers={
        **h, "If-None-Match": first.headers["etag"]})
    assert after.status_code == 200 and after.json()["items"][0]["land_use"] == "0701"


def test_category_filter_agrees_with_statistics(city: World) -> None:
    h = city.headers("city_staff")
    stats = city.client.get(f"/api/evaluations/{city.run_id}/statistics", headers=h).json()
    for row in stats["categories"]:
        listed = city.client.get("/api/parcels", headers=h, params={
            "category": row["code"], "district": row["district_code"]}).json()
        assert listed["total"] == row["parcels"]
    none = city.client.get("/api/parcels", headers=h, params={"flag": "no-such-flag"}).json()
    assert none["total"] == 0 and none["items"] == []


def test_patch_makes_a_version_with_history_and_audit(city: World) -> None:
    h = city.headers("district_staff")
    r = city.client.patch("/api/parcels/JM-0000", headers=h,
                          json={"building_year": 1990, "supplied_on": "2000-05-01",
                                "reason": "核实建成年份"})
    assert r.status_code == 200, r.text
    assert r.json()["changed"] is True and r.json()["version"] == r.json()["previous_version"] + 1
    detail = city.client.get("/api/parcels/JM-0000", headers=h).json()
    assert detail["building_year"] == 1990 and detail["supplied_on"] == "2000-05-01"
    history = city.client.get("/api/parcels/JM-0000/history", headers=h).json()
    last = history["items"][-1]
    assert last["reason"] == "核实建成年份" and last["changed_by"] == "district_staff"
    assert set(last["changed"]) == {"building_year", "supplied_on"}
    audit = city.client.get("/api/audit", headers=city.headers("admin"), params={
        "entity_type": "parcel", "entity_id": "JM-0000", "actor": "district_staff"}).json()
    event = audit["items"][0]
    assert event["action"] == "update" and event["reason"] == "核实建成年份"
    assert event["after"]["building_year"] == 1990 and event["before"]["building_year"] != 1990
    no_reason = city.client.patch("/api/parcels/JM-0000", headers=h, json={"building_year": 1})
    assert no_reason.status_code == 422 and no_reason.json()["field"] == "reason"
    unknown = city.client.patch("/api/parcels/JM-0000", headers=h,
                                json={"area_m2": 1, "reason": "x"})
    assert unknown.status_code == 422 and unknown.json()["field"] == "area_m2"
    bad = city.client.patch("/api/parcels/JM-0000", headers=h,
                            json={"developed_ratio": 7, "reason": "x"})
    assert bad.status_code == 422 and bad.json()["code"] == "validation_failed"


def test_upload_dry_run_then_store_all_or_nothing(city: World) -> None:
    new = dict(PARCELS[2], parcel_code="JM-0100", building_year=2010)
    path = parcels_file(city.folder, [new], name="new.gpkg", start=2)
    h = city.headers("city_staff")
    dry = _upload(city, "city_staff", path, True)
    assert dry.status_code == 200 and dry.json()["inserted"] == 1 and not dry.json()["stored"]
    assert city.client.get("/api/parcels/JM-0100", headers=h).status_code == 404
    stored = _upload(city, "city_staff", path, False)
    assert stored.status_code == 200 and stored.json()["stored"] is True
    assert city.client.get("/api/parcels/JM-0100", headers=h).json()["district_code"] == EAST
    broken = [dict(PARCELS[2], parcel_code="JM-0101"),
              dict(PARCELS[2], parcel_code="JM-0102", developed_ratio=3.0)]
    refused = _upload(city, "city_staff", parcels_file(city.folder, broken, name="bad.gpkg"),
                      False)
    assert refused.status_code == 422 and refused.json()["code"] == "validation_failed"
    problem = refused.json()["problems"][0]
    assert problem["field"] == "developed_ratio" and problem["file"] == "bad.gpkg"
    assert city.client.get("/api/parcels/JM-0101", headers=h).status_code == 404
    (city.folder / "notes.txt").write_text("x")
    wrong = _upload(city, "city_staff", city.folder / "notes.txt", True)
    assert wrong.status_code == 422 and wrong.json()["field"] == "file"


def test_upload_takes_every_standalone_file_the_readers_know(city: World) -> None:
    from landrenew.land.readers import READERS
    from landrenew.land.service import SUFFIXES

    assert set(SUFFIXES) == set(READERS) - {".shp"}
    assert {".fgb", ".geoparquet"} <= set(SUFFIXES) and ".xls" not in SUFFIXES
    new = dict(PARCELS[2], parcel_code="JM-0110")
    gpkg = parcels_file(city.folder, [new], name="flat.gpkg", start=2)
    fgb = city.folder / "flat.fgb"
    pyogrio.write_dataframe(pyogrio.read_dataframe(gpkg), fgb, driver="FlatGeobuf")
    r = _upload(city, "city_staff", fgb, True)
    assert r.status_code == 200 and r.json()["inserted"] == 1, r.text
    (city.folder / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    old = _upload(city, "city_staff", city.folder / "old.xls", True)
    assert old.status_code == 422 and old.json()["field"] == "file"
    assert "old.xls" in old.json()["message"]


def test_an_upload_beyond_the_setting_is_refused_before_it_is_read(city: World) -> None:
    from landrenew.land.service import read_upload

    with pytest.raises(InputError) as info:
        read_upload(io.BytesIO(b"x" * (2 * 2**20 + 1)), 2)
    assert "2 MiB" in str(info.value) and info.value.field == "file"
    assert read_upload(io.BytesIO(b"x" * 2**20), 2) == b"x" * 2**20


def test_district_staff_upload_is_refused_whole_when_one_parcel_is_foreign(city: World) -> None:
    rows = [dict(PARCELS[1], floor_area_m2=999.0), dict(PARCELS[4], floor_area_m2=999.0)]
    path = parcels_file(city.folder, rows, name="mixed.gpkg", start=1)
    r = _upload(city, "district_staff", path, False)
    assert r.status_code == 403 and r.json()["field"] == "district_code"
    assert "JM-0004" in r.json()["message"] and "JM-0001" not in r.json()["message"]
    h = city.headers("city_staff")
    assert city.client.get("/api/parcels/JM-0001", headers=h).json()["floor_area_m2"] != 999.0
    own = parcels_file(city.folder, rows[:1], name="own.gpkg", start=1)
    ok = _upload(city, "district_staff", own, False)
    assert ok.status_code == 200 and ok.json()["updated"] == 1
    assert city.client.get("/api/parcels/JM-0001", headers=h).json()["floor_area_m2"] == 999.0


def test_login_rate_limit(city: World) -> None:
    create_user(city.store, "ratelimited", "viewer", PASSWORD, actor="setup")
    for _ in range(5):
        r = city.client.post("/api/auth/token", data={"username": "ratelimited",
                                                      "password": "wrong-one"})
        assert r.status_code == 401
    blocked = city.client.post("/api/auth/token", data={"username": "ratelimited",
                                                         "password": PASSWORD})
    assert blocked.status_code == 429 and blocked.json()["code"] == "rate_limited"


def test_disabled_user_token_stops_working(city: World) -> None:
    create_user(city.store, "leaver", "city_staff", PASSWORD, actor="setup")
    token = city.client.post("/api/auth/token", data={"username": "leaver",
                                                      "password": PASSWORD}).json()
    h = {"Authorization": f"Bearer {token['access_token']}"}
    assert city.client.get("/api/districts", headers=h).status_code == 200
    set_active(city.store, "leaver", False, actor="admin")
    assert city.client.get("/api/districts", headers=h).status_code == 401
    again = city.client.post("/api/auth/token", data={"username": "leaver", "password": PASSWORD})
    assert again.status_code == 401


def test_forged_expired_and_wrong_kind_tokens_are_refused(city: World) -> None:
    now = dt.datetime.now(dt.UTC)
    claims = {"sub": "admin", "role": "admin", "kind": "access", "jti": "x"}
    forged = jwt.encode({**claims, "exp": now + dt.timedelta(hours=1)}, "other-secret" * 4,
                        algorithm="HS256")
    expired = jwt.encode({**claims, "exp": now - dt.timedelta(minutes=1)}, SECRET,
                         algorithm="HS256")
    session = jwt.encode({**claims, "kind": "session", "exp": now + dt.timedelta(hours=1)},
                         SECRET, algorithm="HS256")
    for token, words in ((forged, "not valid"), (expired, "expired"), (session, "session")):
        r = city.client.get("/api/audit", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 401 and words in r.json()["message"]


def test_session_cookie_needs_csrf_for_writes(city: World) -> None:
    client = city.client
    login = post_login(client, username="city_staff", password=PASSWORD)
    assert login.status_code == 303
    csrf = login.cookies["landrenew_csrf"]
    try:
        assert client.get("/api/parcels/JM-0002").status_code == 200
        body = {"floor_area_m2": 3100.0, "reason": "cookie edit"}
        refused = client.patch("/api/parcels/JM-0002", json=body)
        assert refused.status_code == 403 and refused.json()["code"] == "csrf_failed"
        ok = client.patch("/api/parcels/JM-0002", json=body, headers={"X-CSRF-Token": csrf})
        assert ok.status_code == 200
    finally:
        client.cookies.clear()
    assert client.get("/api/parcels/JM-0002/history").status_code == 401


def test_production_mode_refuses_default_secret(city: World, tmp_path: Path) -> None:
    from landrenew.core.signing import generate_key_file

    with pytest.raises(ValidationError, match="secret_key"):
        create_app(Settings(database_url=city.store.url, mode="production"))
    weak = Settings(database_url=city.store.url).model_copy(
        update={"mode": "production", "secret_key": "short"})
    with pytest.raises(ValidationError, match="secret_key"):
        create_app(weak, store=city.store)
    with pytest.raises(ValidationError, match="ledger signing key"):
        create_app(Settings(database_url=city.store.url, mode="production",
                            secret_key="s" * 48), store=city.store)
    key = tmp_path / "ledger.pem"
    generate_key_file(key)
    app = create_app(Settings(database_url=city.store.url, mode="production",
                              secret_key="s" * 48, ledger_key_file=str(key)), store=city.store)
    assert app.state.settings.mode == "production"


def test_openapi_lists_the_api(city: World) -> None:
    spec = city.client.get("/api/openapi.json").json()
    assert {"/api/parcels", "/api/parcels/{code}", "/api/imports/parcels",
            "/api/evaluations/{run_id}/statistics", "/api/audit"} <= set(spec["paths"])
    assert WEST  # the district codes are shared with the matrix


def test_flag_filter_lists_exactly_the_parcels_with_that_flag(store: Store) -> None:
    """``flag=`` on the demo city, whose evaluation raises several flags (idle land, approved
    but not supplied, …, some whose codes begin with another's): exactly the parcels whose latest
    result carries that flag, alone and with a district."""
    build_demo(store, n=300)
    password = next(a[3] for a in DEMO_ACCOUNTS if a[0] == "city")
    with TestClient(create_app(settings_for(store.url), store=store)) as client:
        token = client.post("/api/auth/token", data={"username": "city", "password": password}
                            ).json()["access_token"]
        h = {"Authorization": f"Bearer {token}"}

        def listed(**params: Any) -> tuple[int, dict[str, Any]]:
            body = client.get("/api/parcels", headers=h, params={"limit": 1000, **params}).json()
            return body["total"], {p["parcel_code"]: p for p in body["items"]}

        total, every = listed()
        assert total == len(every) == 400  # 300 in Jiangmen, 100 in 白云区 and 中山市
        flagged: dict[str, set[str]] = {}
        for code, parcel in every.items():
            for flag in parcel["flags"]:
                flagged.setdefault(flag, set()).add(code)
        assert len(flagged) >= 2 and all(flagged.values())
        for flag, codes in flagged.items():
            count, found = listed(flag=flag)
            assert count == len(codes) and set(found) == codes, flag
            district = every[min(codes)]["district_code"]
            count, found = listed(flag=flag, district=district)
            assert set(found) == {c for c in codes if every[c]["district_code"] == district}
            assert count == len(found) > 0
        assert listed(flag="no-such-flag") == (0, {})


def test_upload_an_excel_sheet_of_known_parcels(city: World) -> None:
    """An Excel workbook through the upload endpoint: a dry run reports, the upload updates the
    parcels it names (a new version each) and keeps their outlines; an unknown code is refused
    with its row."""
    from openpyxl import Workbook

    def sheet(rows: list[tuple[str, float]], name: str) -> Path:
        wb = Workbook()
        ws = wb.active
        ws.append(["parcel_code", "floor_area_m2"])
        for row in rows:
            ws.append(list(row))
        path = city.folder / name
        wb.save(path)
        return path

    h = city.headers("city_staff")
    before = city.client.get("/api/parcels/JM-0003", headers=h).json()
    path = sheet([("JM-0003", 7777.0)], "update.xlsx")
    dry = _upload(city, "city_staff", path, True)
    assert dry.status_code == 200, dry.text
    assert (dry.json()["updated"], dry.json()["stored"]) == (1, False)
    assert city.client.get("/api/parcels/JM-0003", headers=h).json()["floor_area_m2"] == \
        before["floor_area_m2"]
    stored = _upload(city, "city_staff", path, False)
    assert stored.status_code == 200 and stored.json()["updated"] == 1
    after = city.client.get("/api/parcels/JM-0003", headers=h).json()
    assert after["floor_area_m2"] == 7777.0 and after["version"] == before["version"] + 1
    assert after["area_m2"] == before["area_m2"] and after["bbox"] == before["bbox"]
    unknown = _upload(city, "city_staff", sheet([("JM-9999", 1.0)], "unknown.xlsx"), False)
    assert unknown.status_code == 422
    problem = unknown.json()["problems"][0]
    assert (problem["file"], problem["row"], problem["field"]) == \
        ("unknown.xlsx", 2, "parcel_code")


def test_an_import_report_lists_its_first_problems_and_counts_them_all(
        city: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """No answer is an unbounded list: a report's warnings, like a refused file's problems,
    are listed up to ``MAX_PROBLEMS`` (made 2 here) in file order, with ``problem_count``."""
    monkeypatch.setattr(core_errors, "MAX_PROBLEMS", 2)
    rows = [dict(PARCELS[2], parcel_code=f"JM-03{i:02d}", approved_on=dt.date(2005, 1, 1))
            for i in range(3)]  # each supplied (2001) before it was approved: a warning
    report = _upload(city, "city_staff", parcels_file(city.folder, rows, name="w.gpkg",
                                                      start=2), True)
    assert report.status_code == 200, report.text
    body = report.json()
    assert body["warnings"] == body["problem_count"] == 3
    assert [(p["row"], p["code"]) for p in body["problems"]] == [(1, "date_order"),
                                                                 (2, "date_order")]
    broken = [dict(r, developed_ratio=3.0) for r in rows]
    refused = _upload(city, "city_staff", parcels_file(city.folder, broken, name="b.gpkg",
                                                       start=2), True)
    assert refused.status_code == 422 and refused.json()["problem_count"] == 6
    assert len(refused.json()["problems"]) == 2
