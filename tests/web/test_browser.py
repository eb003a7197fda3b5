"""Browser tests (浏览器测试): Playwright driving Debian's Chromium (headless, no sandbox) against
a live server over the demo city, on SQLite and PostGIS. Screenshots of each step are kept in
``test-artifacts/screenshots`` (CI keeps them as artifacts).

What they check: logging in; the map draws parcels (pixels of the category colours on the WebGL
canvas, not a blank canvas); clicking a parcel opens its card with the reasons and clauses the API
gives; the dashboard shows the API's numbers and draws its charts; an upload goes through
report → confirm; the language switch; and that no page breaks its Content Security Policy (no
violation reported in any test).
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from landrenew.core.clock import city_today

from api.conftest import running_server, settings_for

CHROMIUM = os.environ.get("LANDRENEW_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
ADMIN = ("admin", "demo-admin-2024")
DISTRICT = ("pengjiang", "demo-district-2024")

pytestmark = pytest.mark.browser


def _need_chromium() -> None:
    if shutil.which(CHROMIUM) or Path(CHROMIUM).exists():
        return
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the browser tests: {CHROMIUM} is missing (.ci/run installs it)")
    pytest.skip(f"browser tests need Chromium at {CHROMIUM}")


@pytest.fixture(scope="module", params=["sqlite", "postgis"])
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
         fresh_postgres: Callable[[], str]) -> Iterator[dict[str, Any]]:
    """The demo city (300 parcels, evaluated with the Jiangmen rules) served by uvicorn."""
    _need_chromium()
    from landrenew.core.store import Store
    from landrenew.demo.build import build_demo
    from landrenew.server import create_app

    folder = tmp_path_factory.mktemp("browser")
    url = (f"sqlite:///{folder / 'demo.db'}" if request.param == "sqlite"
           else fresh_postgres())
    store = Store.open(url)
    build_demo(store, n=300)
    app = create_app(settings_for(store.url), store=store)
    try:
        with running_server(app) as base:
            token = httpx.post(f"{base}/api/auth/token",
                               data={"username": ADMIN[0], "password": ADMIN[1]}).json()
            yield {"base": base, "backend": request.param, "folder": folder,
                   "api": httpx.Client(base_url=base, headers={
                       "Authorization": f"Bearer {token['access_token']}"}, timeout=30)}
    finally:
        store.dispose()


@pytest.fixture(scope="module")
def browser(site: dict[str, Any]) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                               args=["--no-sandbox", "--use-angle=swiftshader",
                                     "--enable-unsafe-swiftshader"])
        yield b
        b.close()


@pytest.fixture
def page(browser: Any, site: dict[str, Any], request: pytest.FixtureRequest) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="zh-CN")
    # every Content Security Policy violation is reported to the console (init scripts are not
    # subject to the page's policy)
    context.add_init_script("document.addEventListener('securitypolicyviolation', e => "
                            "console.error('CSP violation: ' + e.violatedDirective + ' ' + "
                            "e.blockedURI));")
    p = context.new_page()
    errors: list[str] = []
    violations: list[str] = []
    p.on("pageerror", lambda e: errors.append(str(e)))
    p.on("console", lambda m: violations.append(m.text) if m.type == "error" and (
        "Content Security Policy" in m.text or "CSP violation" in m.text) else None)
    yield p
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    p.screenshot(path=str(ARTIFACTS / f"{site['backend']}-{request.node.originalname}-end.png"))
    context.close()
    assert errors == [], f"JavaScript errors: {errors}"
    assert violations == [], f"Content Security Policy violations: {violations}"


def shot(page: Any, site: dict[str, Any], name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{site['backend']}-{name}.png"))


def log_in(page: Any, site: dict[str, Any], account: tuple[str, str] = ADMIN,
           next_path: str = "/") -> None:
    page.goto(f"{site['base']}/login?next={next_path}")
    page.fill("input[name=username]", account[0])
    page.fill("input[name=password]", account[1])
    page.click("#login-form button[type=submit]")
    page.wait_for_url(f"{site['base']}{next_path}")
    assert account[0] in page.inner_text("#who")


def wait_until(page: Any, expression: str, timeout: float = 30.0) -> None:
    """Until ``expression`` is true in the page. Playwright's ``wait_for_function`` evaluates its
    predicate with ``eval`` inside the page, which the pages' Content Security Policy forbids
    (no 'unsafe-eval'); ``page.evaluate`` runs through the debugging protocol, outside it."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(f"() => Boolean({expression})"):
        assert time.monotonic() < deadline, f"not true within {timeout} s: {expression}"
        time.sleep(0.1)


def wait_for_map(page: Any) -> None:
    """Until MapLibre has loaded the style and every visible tile and is idle."""
    wait_until(page, "window.landrenewMap && window.landrenewMap.loaded() && "
               "window.landrenewMap.areTilesLoaded() && !!document.body.dataset.mapIdle",
               timeout=60.0)


def coloured_pixels(page: Any, colours: list[str], opacity: float = 0.8) -> int:
    """Canvas pixels showing one of ``colours`` as drawn with ``opacity`` over the background."""
    return int(page.evaluate("""([colours, opacity]) => {
        const src = window.landrenewMap.getCanvas();
        const c = document.createElement('canvas');
        c.width = src.width; c.height = src.height;
        const ctx = c.getContext('2d');
        ctx.drawImage(src, 0, 0);
        const data = ctx.getImageData(0, 0, c.width, c.height).data;
        const bg = [0xf4, 0xf6, 0xf8];
        const want = colours.map(h => [1, 3, 5].map((i, k) =>
            parseInt(h.substr(i, 2), 16) * opacity + bg[k] * (1 - opacity)));
        let n = 0;
        for (let i = 0; i < data.length; i += 4) {
            for (const w of want) {
                if (Math.abs(data[i] - w[0]) < 10 && Math.abs(data[i + 1] - w[1]) < 10 &&
                    Math.abs(data[i + 2] - w[2]) < 10) { n++; break; }
            }
        }
        return n;
    }""", [colours, opacity]))


def _config(page: Any) -> dict[str, Any]:
    return page.evaluate("JSON.parse(document.getElementById('map-config').textContent)")


def _low_parcel(site: dict[str, Any]) -> tuple[dict[str, Any], tuple[float, float]]:
    """A low-efficiency parcel with its reasons, and a point inside it (lon, lat)."""
    import shapely.geometry

    api = site["api"]
    listed = api.get("/api/parcels", params={"category": "extensive_use", "limit": 1}).json()
    code = listed["items"][0]["parcel_code"]
    detail = api.get(f"/api/parcels/{code}").json()
    inside = shapely.geometry.shape(detail["geometry"]).representative_point()
    return detail, (inside.x, inside.y)


def test_login_and_the_map_draws_parcels(page: Any, site: dict[str, Any]) -> None:
    log_in(page, site)
    wait_for_map(page)
    shot(page, site, "map-city")
    config = _config(page)
    colours = [c["colour"] for c in config["categories"]] + [config["not_low"]]
    overview = coloured_pixels(page, colours)
    assert overview > 20, "the city view shows no parcel cells: the canvas is blank"
    _, (lon, lat) = _low_parcel(site)
    page.evaluate(f"window.landrenewMap.jumpTo({{center: [{lon}, {lat}], zoom: 16}})")
    page.wait_for_timeout(200)
    wait_for_map(page)
    shot(page, site, "map-parcels")
    assert coloured_pixels(page, colours) > 500, "no parcel drawn at zoom 16"


def test_clicking_a_parcel_shows_its_reasons(page: Any, site: dict[str, Any]) -> None:
    log_in(page, site)
    wait_for_map(page)
    detail, (lon, lat) = _low_parcel(site)
    page.evaluate(f"window.landrenewMap.jumpTo({{center: [{lon}, {lat}], zoom: 17}})")
    page.wait_for_timeout(200)
    wait_for_map(page)
    box = page.locator("#map canvas").bounding_box()
    point = page.evaluate(f"window.landrenewMap.project([{lon}, {lat}])")
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    card = page.locator(f"#card .parcel-card[data-parcel='{detail['parcel_code']}']")
    card.wait_for(timeout=20_000)
    shot(page, site, "parcel-card")
    reasons = page.inner_text("#reasons")
    for reason in detail["evaluation"]["reasons"]:  # each rule's row, in words, with its clause
        row = page.locator(f"#reasons tr[data-rule='{reason['rule']}']")
        assert row.count() >= 1, (reason["rule"], reasons)
        assert reason["clause"] in row.first.inner_text()
    assert "_" not in reasons  # words, not item codes
    assert "低效用地" in page.inner_text("#verdict")
    assert page.locator("#history li").count() >= 1


def test_dashboard_shows_the_api_numbers(page: Any, site: dict[str, Any]) -> None:
    log_in(page, site, DISTRICT, "/dashboard")
    wait_until(page, "window.landrenewCharts !== undefined")
    shot(page, site, "dashboard")
    # the district account's own numbers, as the API gives them to the same account
    token = httpx.post(f"{site['base']}/api/auth/token",
                       data={"username": DISTRICT[0], "password": DISTRICT[1]}).json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    run = httpx.get(f"{site['base']}/api/evaluations", headers=headers).json()["items"][0]
    stats = httpx.get(f"{site['base']}/api/evaluations/{run['id']}/statistics",
                      headers=headers).json()
    shown = int(page.inner_text("#kpi-parcels").replace(",", ""))
    assert shown == stats["total"]["parcels"] > 0
    assert int(page.inner_text("#kpi-low").replace(",", "")) == stats["total"]["low_efficiency"]
    low_mu = float(page.inner_text("#kpi-low-mu").replace(",", ""))
    assert abs(low_mu - stats["total"]["low_efficiency_mu"]) < 0.006
    assert page.locator("#district-table tbody tr").count() == len(stats["districts"]) == 1
    drawn = page.evaluate("""() => {
        const c = document.querySelector('#chart-districts canvas');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
        return n; }""")
    assert drawn > 1000, "the chart canvas is blank"
    with page.expect_download() as download:
        page.click("#dashboard-excel")
    assert download.value.suggested_filename.endswith(".xlsx")


def test_upload_report_then_confirm(page: Any, site: dict[str, Any]) -> None:
    import geopandas as gpd
    import pyogrio
    import shapely

    detail, (lon, lat) = _low_parcel(site)
    gdf = gpd.GeoDataFrame([{"parcel_code": "BROWSER-1", "land_use": "100101",
                             "district_code": detail["district_code"]}],
                           geometry=[shapely.Point(lon, lat).buffer(0.0003)], crs=4490)
    path = site["folder"] / "browser-upload.gpkg"
    pyogrio.write_dataframe(gdf, path, layer="parcels")
    log_in(page, site, ADMIN, "/import")
    page.set_input_files("#import-form input[name=file]", str(path))
    page.fill("#import-form input[name=reason]", "browser test upload")
    page.select_option("#import-mapping", "chinese")  # the built-in field mappings are offered
    shot(page, site, "import-form")
    page.click("#import-form button[type=submit]")
    page.locator("#import-report[data-stored=false]").wait_for()
    assert page.inner_text("#inserted") == "1"
    assert page.inner_text("#mapping") == "chinese (built-in)"
    shot(page, site, "import-report")
    assert site["api"].get("/api/parcels/BROWSER-1").status_code == 404
    page.click("#confirm-form button[type=submit]")
    page.locator("#import-report[data-stored=true]").wait_for()
    stored = site["api"].get("/api/parcels/BROWSER-1")
    assert stored.status_code == 200 and stored.json()["changed_by"] == "admin"


def test_language_switch(page: Any, site: dict[str, Any]) -> None:
    page.goto(site["base"] + "/")
    assert page.inner_text("header nav") .startswith("地图")
    page.click("#lang-switch")
    page.wait_for_load_state()
    assert "Map" in page.inner_text("header nav")
    assert "Legend" in page.inner_text("#legend")


def test_a_phase_walks_from_signing_to_an_open_demolition_gate(page: Any,
                                                                 site: dict[str, Any]) -> None:
    """Issue 5: the phase page records signatures one by one; the demolition step is refused
    with the gate's numbers until 80 % have signed, then allowed — in Guangzhou (白云区), whose
    phase rules set the 80 % gate, once the project's implementation scheme is approved."""
    api = site["api"]
    project = api.post("/api/projects", json={"name": "浏览器测试村", "type": "urban_village",
                                              "district_code": "440111",
                                              "scheme_approved_on": "2026-01-01"}).json()
    phase = api.post(f"/api/projects/{project['id']}/phases", json={"name": "一期"}).json()
    api.post(f"/api/phases/{phase['id']}/people", json=[
        {"person_id": f"V{i}", "name": f"村民{i}", "kind": "villager"} for i in range(5)])
    log_in(page, site, ADMIN, f"/phases/{phase['id']}")
    page.click("#advance")  # planned → signing
    page.wait_for_selector("#phase-state[data-state=signing]")
    for i in range(3):
        page.click(f"tr[data-person=V{i}] button.sign")
        page.wait_for_selector(f"tr[data-person=V{i}][data-signed=true]")
    assert page.inner_text("#gate-signed") == "3"
    assert page.get_attribute("#gate", "data-allowed") == "false"
    page.click("#advance")  # signing → demolition: refused, 3 of 5
    page.wait_for_selector("#refused")
    assert "5 名被搬迁人中已有 3 名签约" in page.inner_text("#refused")
    assert page.get_attribute("#phase-state", "data-state") == "signing"
    shot(page, site, "phase-gate-closed")
    page.click("tr[data-person=V3] button.sign")
    page.wait_for_selector("#gate[data-allowed=true]")
    shot(page, site, "phase-gate-open")
    page.click("#advance")
    page.wait_for_selector("#phase-state[data-state=demolition]")
    gate = api.get(f"/api/phases/{phase['id']}/demolition-gate").json()
    assert gate["allowed"] and gate["signed"] == 4 and gate["ratio"] == 0.8
    assert gate["pack"] == "guangzhou-renewal"


def test_a_jiangmen_phase_says_the_city_has_no_phase_rules(page: Any,
                                                            site: dict[str, Any]) -> None:
    """Rules belong to places: the demo's Jiangmen urban village shows that 江门市 sets no phase
    rules, in place of a gate; its project page lists which rules apply where it lies."""
    api = site["api"]
    items = api.get("/api/projects", params={"type": "urban_village"}).json()["items"]
    village = next(p for p in items if p["district_code"] == "440703")
    phase = api.get(f"/api/projects/{village['id']}/phases").json()[0]
    log_in(page, site, ADMIN, f"/phases/{phase['id']}")
    page.wait_for_selector("#gate-no-rules")
    assert "江门市没有城中村改造分期实施规则" in page.inner_text("#gate")
    shot(page, site, "phase-no-rules")
    page.goto(f"{site['base']}/projects/{village['id']}")
    rules = page.inner_text("#project-rules")
    assert "江门市没有城中村改造分期实施规则" in rules
    assert page.query_selector("#project-links") is None  # no consolidation scheme here


BAIYUN = ("baiyun", "demo-baiyun-2024")


def test_compliance_checks_form_list_and_batch(page: Any, site: dict[str, Any]) -> None:
    """Issue 24: the 白云区 officer sees the demo checks of the district, checks a point-supply
    request on the form (the decision and every reason in Chinese, with its clause), then a
    sheet of homestead houses, and downloads the result sheet."""
    import io

    import openpyxl

    log_in(page, site, BAIYUN, "/checks")
    rows = page.locator("#check-table tbody tr[data-check]")
    assert rows.count() >= 8
    assert "地质灾害" in page.inner_text("#check-table") or "农房" in page.inner_text(
        "#check-table")
    assert "江门" not in page.inner_text("#check-table")  # district-scoped
    shot(page, site, "checks-list")
    page.click("a[data-kind=point_supply]")
    page.wait_for_selector("#check-form")
    page.fill("input[name=industry]", "乡村休闲旅游业")
    page.fill("input[name=area_mu]", "30.5")
    page.fill("input[name=inside_udb_ratio]", "0")
    page.select_option("select[name=scattered]", "是")
    page.select_option("select[name=planning_conditions]", "是")
    page.fill("input[name=benchmark_price]", "1280")
    page.fill("input[name=floor_price]", "896")
    page.click("#check-submit")
    page.wait_for_selector("#check-decision[data-decision=refused]")
    page.locator("#check-decision").scroll_into_view_if_needed()
    shot(page, site, "check-form-refused")
    text = page.inner_text("#check-reasons")
    assert "建设用地总面积：30.5 亩，不超过30 亩" in text
    assert "单个项目建设用地总面积不超过30亩的" in text  # the clause, quoted
    assert "出让底价：896 元/㎡，不低于896 元/㎡（基准地价 1,280 元/㎡ × 70%）" in text
    assert page.locator("#check-reasons tr[data-met=False]").count() == 1
    check_id = page.get_attribute("#check-decision", "data-check")
    stored = site["api"].get(f"/api/checks/{check_id}").json()
    assert stored["recorded_by"] == "baiyun" and stored["decision"] == "refused"
    # a sheet of homestead houses, one row missing a fact
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["行政区", "建成日期", "符合相关规划", "有合法的宅基地使用权来源材料", "具备建房资格",
               "符合一户一宅", "符合建房面积标准", "备注"])
    ws.append(["440111", "1996-08-01", "是", "是", "是", "是", "是", "甲"])
    ws.append(["440111", "2015-07-15", "是", "是", "是", "否", "是", "乙"])
    ws.append(["440111", "2003-01-01", "是", None, "是", "是", "是", "丙"])
    path = site["folder"] / "宅基地.xlsx"
    wb.save(path)
    page.goto(f"{site['base']}/checks")
    page.select_option("#batch-form select[name=kind]", "homestead")
    page.set_input_files("#batch-form input[name=file]", str(path))
    page.click("#batch-submit")
    page.wait_for_selector("#batch-report")
    assert page.get_attribute("#batch-report", "data-decided") == "2"
    assert "有合法的宅基地使用权来源材料" in page.inner_text("#batch-undecided")
    shot(page, site, "checks-batch")
    with page.expect_download() as download:
        page.click("#batch-download")
    sheet = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    decisions = [row[8].value for row in sheet.iter_rows(min_row=2)]
    assert decisions == ["eligible", "refused", "invalid"]
    page.goto(f"{site['base']}/checks/{check_id}")
    page.wait_for_selector("#check-reasons")
    shot(page, site, "check-detail")


def test_quota_ledger_balances_form_and_account(page: Any, site: dict[str, Any]) -> None:
    """Issue 25: the 白云区 officer sees the district's quota balances (the village's
    pre-borrowed reserved land below zero), books a use of construction quota on the form,
    is refused an overdraft in Chinese with the clause, and reads the account's entries."""
    log_in(page, site, BAIYUN, "/quotas")
    table = page.inner_text("#quota-balances")
    assert "白云区" in table and "鸦岗村" in table and "-3.3" in table
    assert "黄埔区" not in table  # district-scoped
    assert page.locator("#quota-balances svg.spark").count() >= 1
    shot(page, site, "quotas-balances")
    page.click("a[data-movement=use]")
    page.wait_for_selector("#quota-form")
    year = str(city_today().year)
    for name, value in (("year", year), ("from", "district:440111"), ("to", "sink:use"),
                        ("mu", "10.25"), ("reason", "某村道用地报批")):
        page.fill(f"#quota-form input[name={name}]", value)
    page.click("#quota-submit")
    page.wait_for_selector("#quota-entry")
    entry = page.get_attribute("#quota-entry", "data-entry")
    stored = site["api"].get("/api/quotas/entries", params={
        "holder": "district:440111", "kind": "construction"}).json()["items"]
    assert any(str(e["id"]) == entry and e["recorded_by"] == "baiyun" and e["mu"] == "10.25"
               for e in stored)
    page.fill("#quota-form input[name=mu]", "100000")
    page.click("#quota-submit")
    page.wait_for_selector("#quota-error")
    error = page.inner_text("#quota-error")
    assert "不足所需的 100000 亩" in error and "不得为负" in error
    shot(page, site, "quotas-refused")
    page.goto(f"{site['base']}/quotas/account?kind=construction&holder=district:440111"
              f"&year={year}")
    page.wait_for_selector("#quota-entries")
    assert "某村道用地报批" in page.inner_text("#quota-entries")
    shot(page, site, "quotas-account")

CITY_STAFF = ("city", "demo-city-2024")


def test_programme_battle_table_a_task_and_a_report(page: Any, site: dict[str, Any]) -> None:
    """Issue 23: the city officer (市自然资源局) opens the battle table of the demo programme,
    reports progress on task 三 with an evidence file, and makes and downloads the 2025H1 report
    as Word."""
    import io

    import docx

    log_in(page, site, CITY_STAFF, "/tasks")
    rows = page.locator("#battle-table tbody tr[data-task]")
    assert rows.count() == 10
    assert page.get_attribute("#battle-table tr[data-task=二]", "data-status") == "done_on_time"
    assert page.get_attribute("#battle-table tr[data-task=四]", "data-status") == "done_late"
    assert "江海区政府" in page.inner_text("#overdue")
    assert "任务督办" in page.inner_text("header nav")
    shot(page, site, "tasks-battle-table")
    page.click("#battle-table tr[data-task=三] a")
    page.wait_for_selector("#progress-form")
    assert "通报" in page.inner_text("#acts") and "督办" in page.inner_text("#acts")
    page.fill("#progress-form input[name=percent]", "90")
    page.fill("#progress-form input[name=text]", "控制线成果已报市政府")
    proof = site["folder"] / "报审稿.pdf"
    proof.write_bytes(b"%PDF-1.4 demo")
    page.set_input_files("#progress-form input[name=evidence]", str(proof))
    page.click("#progress-form button[type=submit]")
    page.wait_for_selector("text=控制线成果已报市政府")
    assert "报审稿.pdf" in page.inner_text("#progress") and "90%" in page.inner_text("#progress")
    shot(page, site, "task-detail")
    page.goto(f"{site['base']}/programme/report")
    assert "2023年下半年" in page.inner_text("#missing-reports")
    page.select_option("#half-year-form select[name=period]", "2025H1")
    page.click("#half-year-form button[type=submit]")
    page.wait_for_selector("#report-table tr[data-report]")
    shot(page, site, "programme-reports")
    with page.expect_download() as download:
        page.click("#report-table tr[data-filed=no] a[data-format=docx]")
    document = docx.Document(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert document.paragraphs[0].text == "江门市推进低效用地再开发试点工作2025年上半年情况报告"

def test_the_public_map_names_its_run_and_draws_a_plain_base_map(
        page: Any, site: dict[str, Any]) -> None:
    """Without signing in: the published run named, the public layers only (no zone layer by
    default), and a plain base map from the districts instead of a grey void; signed in, the
    dashboard says the run it shows is the published one."""
    page.goto(f"{site['base']}/")
    wait_for_map(page)
    shot(page, site, "map-public-plain-basemap")
    assert "已发布的第 1 次认定" in page.inner_text("#shown-run")
    config = _config(page)
    assert config["layers"] == ["parcels", "districts"] and config["zones"] == []
    assert page.locator("#layers input[data-layer]").count() == 2
    assert "登录后可查看其他图层" in page.inner_text("#layers")
    ground = page.evaluate("""() => {
        const src = window.landrenewMap.getCanvas();
        const c = document.createElement('canvas');
        c.width = src.width; c.height = src.height;
        const ctx = c.getContext('2d');
        ctx.drawImage(src, 0, 0);
        const data = ctx.getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 0; i < data.length; i += 4) {
            if (Math.abs(data[i] - 0xe8) < 4 && Math.abs(data[i + 1] - 0xed) < 4 &&
                Math.abs(data[i + 2] - 0xe4) < 4) { n++; }
        }
        return n;
    }""")
    assert ground > 1000, "no plain base map: the districts are not drawn as the ground"
    log_in(page, site, next_path="/dashboard")
    status = page.locator("#run-status")
    assert status.get_attribute("data-published") == "true" and "已发布" in status.inner_text()
    shot(page, site, "dashboard-published-run")
