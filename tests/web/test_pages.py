"""The pages against a real database (SQLite and PostGIS): what they show matches the API,
nothing comes from another host, errors are pages, the import is upload → report → confirm."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from pathlib import Path

import geopandas as gpd
import pyogrio
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from landrenew.core import errors as core_errors
from landrenew.web.assets import VENDOR

from api.conftest import (
    CRS,
    PARCELS,
    PASSWORD,
    WEST,
    World,
    login_field,
    parcels_file,
    post_login,
    rect,
)


def _config(html: str) -> dict:
    m = re.search(r'<script id="map-config" type="application/json">(.*?)</script>', html, re.S)
    assert m, "the map page carries its configuration"
    return json.loads(m.group(1))


def test_map_page_is_self_contained(city: World) -> None:
    r = city.page("anonymous").get("/")
    assert r.status_code == 200
    # every script, style and image is served by this app: nothing from another host
    refs = re.findall(r'(?:src|href)="([^"]+)"', r.text)
    assert refs and not [u for u in refs if u.startswith(("http:", "https:", "//"))]
    assert {u for u in refs if u.startswith("/static/vendor/")} == {
        "/static/vendor/maplibre-gl.css", "/static/vendor/maplibre-gl.js",
        "/static/vendor/htmx.min.js"}
    for name in VENDOR:  # the libraries and their licences, copied from node_modules
        served = city.client.get(f"/static/vendor/{name}")
        assert served.status_code == 200 and served.content
    config = _config(r.text)
    codes = [c["code"] for c in config["categories"]]
    assert "low_output" in codes and "extensive_use" in codes
    assert {c["label"] for c in config["categories"]} >= {"投入产出低", "利用粗放"}
    assert config["tianditu"] is None and config["evaluated"] is True
    minx, miny, maxx, maxy = config["bounds"]
    assert 112 < minx < maxx < 114 and 21 < miny < maxy < 23


def test_tianditu_basemap_only_with_a_token(tmp_path: Path, city: World) -> None:
    from fastapi.testclient import TestClient

    from landrenew.server import create_app

    from api.conftest import settings_for

    app = create_app(settings_for(city.store.url, tianditu_token="abc123"), store=city.store)
    with TestClient(app) as client:
        config = _config(client.get("/").text)
    assert config["tianditu"] == "abc123"


def test_english_switch(city: World) -> None:
    page = city.page("viewer")
    zh = page.get("/dashboard")
    assert "统计看板" in zh.text and zh.headers["content-language"] == "zh-CN"
    page.get("/lang/en?next=/dashboard")
    en = page.get("/dashboard")
    assert "Dashboard" in en.text and "统计看板" not in en.text
    assert en.headers["content-language"] == "en"
    assert "low input and output" in en.text  # category labels come from the pack's English
    page.cookies.delete("landrenew_lang")


def test_card_shows_the_reasons_with_their_clauses(city: World) -> None:
    api = city.client.get("/api/parcels/JM-0000", headers=city.headers("city_staff")).json()
    reasons = api["evaluation"]["reasons"]
    assert reasons
    card = city.page("city_staff").get("/pages/parcels/JM-0000/card").text
    for reason in reasons:
        assert reason["clause"] in card.replace("&#34;", '"').replace("&#39;", "'")
        assert reason["rule"] in card
    assert "v1" in card and 'id="history"' in card
    public = city.page("anonymous").get("/pages/parcels/JM-0000/card").text
    assert "制造有限公司" not in public and "tax_per_mu =" not in public
    missing = city.page("anonymous").get("/pages/parcels/NOPE/card")
    assert missing.status_code == 404 and "NOPE" in missing.text


def test_the_card_says_names_and_reasons_in_words(city: World) -> None:
    """蓬江区 not 440703, 工业用地 not 1001, the rule's own message and each comparison in its
    unit, and a note once the parcel changed after its evaluation."""
    from landrenew.core import places
    from landrenew.evaluation.wording import comparison
    from landrenew.land.landuse import land_use_table

    api = city.client.get("/api/parcels/JM-0000", headers=city.headers("city_staff")).json()
    card = city.page("city_staff").get("/pages/parcels/JM-0000/card").text
    assert places.place_name(api["district_code"]) in card
    assert land_use_table().name(api["land_use"]) in card
    for reason in api["evaluation"]["reasons"]:
        assert comparison(reason) in card.replace("&lt;", "<").replace("&gt;", ">")
    assert "ratio_" not in card and 'id="evaluation-stale"' not in card
    assert "新增" in card and " insert " not in card  # the history names its operations
    city.client.patch("/api/parcels/JM-0000", headers=city.headers("admin"),
                      json={"floor_area_m2": 123.0, "reason": "复核建筑面积"})
    changed = city.page("city_staff").get("/pages/parcels/JM-0000/card").text
    assert 'id="evaluation-stale"' in changed and "须重新运行认定" in changed


def test_a_reason_reads_in_its_units() -> None:
    from landrenew.evaluation.wording import comparison

    assert comparison({"field": "coverage", "value": 0.253, "op": "<", "threshold": 0.3}) == \
        "建筑密度 25.3 % < 30.0 %"
    assert comparison({"field": "ratio_industrial_control_line", "value": 0.1, "op": "<",
                       "threshold": 0.5, "note": "本市认定标准参数（初始值）"}) == \
        "位于工业用地控制线内的面积占比 10.0 % < 50.0 %（本市认定标准参数（初始值））"
    assert comparison({"field": "tax_per_mu", "value": 3.456, "op": "<=", "threshold": 5},
                      "en") == "tax per mu 3.46 10k yuan/mu ≤ 5.00 10k yuan/mu"
    assert comparison({"field": "industry_code", "value": "2211", "op": "in",
                       "threshold": ["2211", "3041"]}) == "行业代码 2211 属于 2211、3041"
    assert comparison({"field": "years_stopped", "value": 2.5, "op": "not >=",
                       "threshold": 1}) == "并非停工时间 2.5 年 ≥ 1.0 年"


def test_dashboard_numbers_match_the_api(city: World) -> None:
    stats = city.client.get(f"/api/evaluations/{city.run_id}/statistics",
                            headers=city.headers("city_staff")).json()
    html = city.page("city_staff").get("/dashboard").text
    total = stats["total"]
    for kpi, value in (("kpi-parcels", total["parcels"]), ("kpi-low", total["low_efficiency"]),
                       ("kpi-low-mu", total["low_efficiency_mu"])):
        m = re.search(rf'id="{kpi}" data-value="([^"]+)"', html)
        assert m and float(m.group(1)) == float(value), kpi
    chart = json.loads(re.search(r'<script id="chart-data" type="application/json">(.*?)</script>',
                                 html, re.S).group(1))  # type: ignore[union-attr]
    assert len(chart["districts"]) == len(stats["districts"])
    # the bars add up to the table: each district's bar is its low-efficiency area (a parcel
    # counted once, under its primary category), not once per category it falls in
    for i, d in enumerate(stats["districts"]):
        bar = sum(series["data"][i] for series in chart["series"])
        assert abs(bar - d["low_efficiency_mu"]) < 0.05, d["district"]
    low_by_chart = sum(sum(s["data"]) for s in chart["series"])
    assert abs(low_by_chart - total["low_efficiency_mu"]) < 0.05
    multi = sum(r["area_mu"] for r in stats["categories"] if r["kind"] == "category")
    assert multi > total["low_efficiency_mu"]  # the multi-counted rows would overstate it
    assert 'id="category-total"' in html
    book = load_workbook(io.BytesIO(city.page("city_staff").get("/dashboard.xlsx").content))
    rows = list(book["分区汇总"].iter_rows(values_only=True))
    assert rows[-1][2:6] == (total["parcels"], total["area_mu"], total["low_efficiency"],
                             total["low_efficiency_mu"])


def test_parcel_list_filters_match_the_api(city: World) -> None:
    api = city.client.get("/api/parcels", params={"category": "low_output"},
                          headers=city.headers("viewer")).json()
    page = city.page("viewer").get("/parcels", params={"category": "low_output"},
                                   headers={"HX-Request": "true"})
    assert page.status_code == 200 and "<html" not in page.text  # htmx gets just the table
    assert set(re.findall(r'data-parcel="([^"]+)"', page.text)) == {
        p["parcel_code"] for p in api["items"]}
    assert f'data-value="{api["total"]}"' in page.text
    book = load_workbook(io.BytesIO(city.page("viewer").get(
        "/parcels.xlsx", params={"category": "low_output"}).content), read_only=True)
    rows = list(book["地块清单"].iter_rows(values_only=True))
    assert len(rows) - 2 == api["total"]
    notes = dict(list(book["说明"].iter_rows(values_only=True))[1:])
    assert "category=low_output" in notes["筛选条件"]


def test_refused_upload_names_the_rows_and_stores_nothing(world: World) -> None:
    bad = [dict(PARCELS[0], parcel_code="JM-NEW"), dict(PARCELS[1], parcel_code="JM-NEW",
                                                        building_year=3020)]
    path = parcels_file(world.folder, bad, name="bad.gpkg")
    before = world.client.get("/api/parcels", headers=world.headers("admin")).json()["total"]
    r = world.page("city_staff").post(
        "/import", data={"csrf_token": world.csrf("city_staff")},
        files={"file": (path.name, io.BytesIO(path.read_bytes()))})
    assert r.status_code == 422
    assert 'id="import-refused"' in r.text and "bad.gpkg" in r.text
    rows = re.findall(r'<tr class="severity-error"><td>error</td><td>([^<]*)</td><td>([^<]*)</td>',
                      r.text)
    assert ("building_year" in {f for _, f in rows}) and ("parcel_code" in {f for _, f in rows})
    after = world.client.get("/api/parcels", headers=world.headers("admin")).json()["total"]
    assert after == before


def test_upload_then_confirm_stores_the_file(world: World) -> None:
    rows = [dict(PARCELS[0], parcel_code="JM-0100", district_code=WEST)]
    gdf = gpd.GeoDataFrame(rows, geometry=[rect(0, 30, 30)], crs=CRS)
    path = world.folder / "new.gpkg"
    pyogrio.write_dataframe(gdf, path, layer="parcels")
    page = world.page("district_staff")
    before = world.client.get("/api/parcels", headers=world.headers("admin")).json()["total"]
    checked = page.post("/import", data={"csrf_token": world.csrf("district_staff"),
                                         "reason": "2026 survey"},
                        files={"file": (path.name, io.BytesIO(path.read_bytes()))})
    assert checked.status_code == 200 and re.search(r'id="inserted">1<', checked.text)
    assert world.client.get("/api/parcels/JM-0100",
                            headers=world.headers("admin")).status_code == 404
    token = re.search(r'name="token" value="([^"]+)"', checked.text).group(1)  # type: ignore[union-attr]
    done = page.post("/import/confirm", data={"csrf_token": world.csrf("district_staff"),
                                              "token": token})
    assert done.status_code == 200 and 'data-stored="true"' in done.text
    stored = world.client.get("/api/parcels/JM-0100", headers=world.headers("admin")).json()
    assert stored["changed_by"] == "district_staff" and abs(stored["area_m2"] - 900) < 1
    # list totals are cached per data stamp: the import is a new stamp, so the total moves
    after = world.client.get("/api/parcels", headers=world.headers("admin")).json()["total"]
    assert after == before + 1
    history = world.client.get("/api/parcels/JM-0100/history",
                               headers=world.headers("admin")).json()["items"]
    assert history[0]["reason"] == "2026 survey"


def test_an_import_report_page_lists_the_first_warnings(world: World, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The page counts every warning and lists the first ``MAX_PROBLEMS`` (2 here)."""
    monkeypatch.setattr(core_errors, "MAX_PROBLEMS", 2)
    rows = [dict(PARCELS[2], parcel_code=f"JM-03{i:02d}", approved_on=dt.date(2005, 1, 1))
            for i in range(3)]  # each supplied (2001) before it was approved: a warning
    path = parcels_file(world.folder, rows, name="w.gpkg", start=2)
    r = world.page("city_staff").post(
        "/import", data={"csrf_token": world.csrf("city_staff")},
        files={"file": (path.name, io.BytesIO(path.read_bytes()))})
    assert r.status_code == 200, r.text
    assert re.search(r'id="warnings">3<', r.text)  # every warning, counted
    assert len(re.findall(r'<tr class="severity-warning">', r.text)) == 2


def test_the_login_form_must_come_from_this_site_in_this_browser(world: World) -> None:
    """Login CSRF: another site cannot post a login form (with its own account) into a
    visitor's browser. The form's CSRF field is made from a nonce in an HttpOnly cookie that
    GET /login sets; a post without both, or with another browser's, is refused before the
    password is checked."""
    attacker, victim = (TestClient(world.client.app, headers={"Accept": "text/html"})
                        for _ in range(2))
    form = attacker.get("/login")
    nonce = next(c for c in form.headers.get_list("set-cookie")
                 if c.startswith("landrenew_session_login="))
    assert "HttpOnly" in nonce and "Path=/login" in nonce and "samesite=lax" in nonce.lower()
    token = login_field(form.text)
    right = {"username": "viewer", "password": PASSWORD}
    for data in (right, {**right, "csrf_token": token}):  # none; the attacker's own form's
        r = victim.post("/login", data=data, follow_redirects=False)
        assert r.status_code == 403 and 'id="login-error"' in r.text
        assert "登录页面已过期" in r.text and "landrenew_session" not in victim.cookies
    victim.get("/login")  # with a nonce of its own, the attacker's field still does not match
    r = victim.post("/login", data={**right, "csrf_token": token}, follow_redirects=False)
    assert r.status_code == 403 and "landrenew_session" not in victim.cookies
    # the form shown again carries a field that works, and a login spends the nonce
    retry = login_field(r.text)
    ok = victim.post("/login", data={**right, "csrf_token": retry}, follow_redirects=False)
    assert ok.status_code == 303 and "landrenew_session" in victim.cookies
    assert any(c.startswith("landrenew_session_login=") and "Max-Age=0" in c
               for c in ok.headers.get_list("set-cookie"))
    assert post_login(attacker, **right).status_code == 303  # in its own browser it may


def test_login_errors_are_pages(world: World) -> None:
    page = world.page("anonymous")
    r = post_login(page, username="viewer", password="wrong")
    assert r.status_code == 401 and 'id="login-error"' in r.text and "用户名或密码错误" in r.text
    for _ in range(10):
        r = post_login(page, username="viewer", password="wrong")
    assert r.status_code == 429 and "登录失败次数过多" in r.text
    # a tampered session cookie is no session: the protected page asks to log in again
    page.cookies.set("landrenew_session", "not-a-token")
    assert page.get("/dashboard", follow_redirects=False).status_code == 303


def test_page_errors_are_html_for_browsers_json_for_tools(city: World) -> None:
    html = city.page("viewer").get("/import")
    assert html.status_code == 403 and "<html" in html.text and 'data-code="forbidden"' in html.text
    from fastapi.testclient import TestClient

    with TestClient(city.client.app, cookies=city.page("viewer").cookies) as tool:
        api = tool.get("/import")  # same session, no Accept: text/html
    assert api.status_code == 403 and api.json()["code"] == "forbidden"
    missing = city.page("viewer").get("/no-such-page")
    assert missing.status_code == 404 and "<html" in missing.text
    # an error page keeps the signed-in header: the user is still named, with a way out
    assert "viewer" in html.text and 'action="/logout"' in html.text
    assert "viewer" in missing.text and 'action="/logout"' in missing.text


def test_the_audit_log_is_a_table_staff_can_read(city: World) -> None:
    """Chinese names for actions and records, filters by day, user, record and action, each
    change as field / before / after, times in Beijing time, and the same rows as Excel."""
    from landrenew.core.clock import city_time_text, city_today
    from landrenew.core.store.models import AuditEvent

    admin = city.page("admin")
    edit = city.client.patch("/api/parcels/JM-0001", headers=city.headers("admin"),
                             json={"land_use": "0701", "reason": "审计页面测试"})
    assert edit.status_code == 200, edit.text
    html = admin.get("/audit", params={"entity_type": "parcel", "action": "update"}).text
    assert 'data-action="update"' in html and 'data-action="import_parcels"' not in html
    assert "修改" in html and "地块" in html and "审计页面测试" in html
    assert "时间（北京时间）" in html
    assert re.search(r'<td>land_use</td><td class="before">[^<]+</td><td class="after">0701</td>',
                     html), html
    with city.store.read_session() as session:
        at = session.query(AuditEvent).order_by(AuditEvent.id.desc()).first().at  # type: ignore[union-attr]
    assert city_time_text(at) in html  # stored in UTC, shown in Beijing time
    today = city_today()
    later = admin.get("/audit", params={"since": (today + dt.timedelta(days=1)).isoformat()}).text
    assert 'data-total="0"' in later
    assert 'data-action="update"' in admin.get("/audit", params={
        "since": today.isoformat(), "until": today.isoformat(), "actor": "admin"}).text
    bad = admin.get("/audit", params={"since": "2026-13-01"})
    assert bad.status_code == 422 and "since" in bad.text
    book = load_workbook(io.BytesIO(admin.get("/audit.xlsx", params={
        "entity_type": "parcel", "action": "update"}).content))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][:4] == ("编号", "时间（北京时间）", "操作人", "操作")
    assert any(r[7] == "land_use" and r[9] == "0701" and r[6] == "审计页面测试" for r in rows[1:])
