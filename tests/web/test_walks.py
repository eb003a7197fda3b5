"""Walks through whole workflows in the browser, in Chinese, as the roles that do them (issue
26): the urban-village path from creating the project to an open demolition gate, and the
consolidation money path from the project to a disbursement. Every page on the way is checked
for Python reprs and English left untranslated; screenshots of each step are kept in
``test-artifacts/screenshots`` (``walk-*.png``).

One backend (SQLite) keeps the walks fast; the forms' behaviour on PostGIS is tested without a
browser in ``test_workflow_forms.py``.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import shapely
from sqlalchemy import select

from web import test_browser
from web.test_browser import ADMIN, CHROMIUM, log_in, shot, wait_until
from web.test_i18n import catalogue

from api.conftest import running_server, settings_for

pytestmark = pytest.mark.browser
#: The browser tests' fixtures, over this module's site.
browser = test_browser.browser
page = test_browser.page

BAIYUN_STAFF = ("baiyun", "demo-baiyun-2024")
ZHONGSHAN_STAFF = ("zhongshan", "demo-zhongshan-2024")
ENTITY = ("zhengbei", "demo-entity-2024")
BAIYUN, ZHONGSHAN = "440111", "442000"
#: Page messages whose English would show that a page was not translated (several words).
ENGLISH = sorted((m for m, zh in catalogue("zh_CN").items()
                  if zh and zh != m and " " in m and len(m) > 12 and "%(" not in m),
                 key=len, reverse=True)
REPR = re.compile(r"built-in method|object at 0x|<function |\bNone\b|\bnan\b")
#: English prose (six words in a row) on a Chinese page: a message left untranslated.
PROSE = re.compile(r"(?:\b[A-Za-z]{2,}\b[ ,;:'()]+){5}\b[A-Za-z]{2,}\b")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The demo city on SQLite, served by uvicorn (few parcels: the walks work in 白云区 and
    中山市, where the demo has none)."""
    if not (shutil.which(CHROMIUM) or Path(CHROMIUM).exists()):
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the browser tests: {CHROMIUM} is missing")
        pytest.skip(f"browser tests need Chromium at {CHROMIUM}")
    from landrenew.core.store import Store
    from landrenew.demo.build import build_demo
    from landrenew.server import create_app

    folder = tmp_path_factory.mktemp("walks")
    store = Store.open(f"sqlite:///{folder / 'demo.db'}")
    build_demo(store, n=60)
    app = create_app(settings_for(store.url), store=store)
    try:
        with running_server(app) as base:
            token = httpx.post(f"{base}/api/auth/token",
                               data={"username": ADMIN[0], "password": ADMIN[1]}).json()
            yield {"base": base, "backend": "walk", "folder": folder, "store": store,
                   "api": httpx.Client(base_url=base, headers={
                       "Authorization": f"Bearer {token['access_token']}"}, timeout=30)}
    finally:
        store.dispose()


def checked(page: Any, site: dict[str, Any], name: str) -> str:
    """The page's text, after checking it shows no Python repr and no untranslated message;
    a screenshot is kept."""
    text = page.inner_text("body")
    assert not REPR.search(text), f"{name}: a Python repr on the page: {REPR.search(text)}"
    left = [m for m in ENGLISH if m in text] + PROSE.findall(text)
    assert left == [], f"{name}: untranslated {left}"
    shot(page, site, f"walk-{name}")
    return text


def as_user(page: Any, site: dict[str, Any], account: tuple[str, str], path: str) -> None:
    page.context.clear_cookies()
    log_in(page, site, account, path)


# ---------------------------------------------------------------- drawing on the map

def _boxes(site: dict[str, Any], district: str) -> tuple[shapely.Geometry, list[Any]]:
    from landrenew.core.store.models import District, ZoneVersion

    with site["store"].read_session() as session:
        area = shapely.from_wkb(session.scalar(select(District.boundary)
                                               .where(District.code == district)))
        guides = [shapely.from_wkb(g) for (g,) in session.execute(
            select(ZoneVersion.geom).where(ZoneVersion.kind == "guideline_parcel",
                                           ZoneVersion.valid_to.is_(None)))]
    return area, [g for g in guides if area.intersects(g)]


def clear_square(site: dict[str, Any], district: str, side: float = 0.0015
                 ) -> shapely.Polygon:
    """A square in the district that meets no guideline parcel."""
    area, guides = _boxes(site, district)
    taken = shapely.union_all(guides).buffer(0.0005) if guides else shapely.Polygon()
    minx, miny, maxx, maxy = area.bounds
    steps = 40
    for i in range(1, steps):
        for j in range(1, steps):
            x = minx + (maxx - minx) * i / steps
            y = miny + (maxy - miny) * j / steps
            square = shapely.box(x, y, x + side, y + side)
            if area.contains(square) and not taken.intersects(square):
                return square
    raise AssertionError(f"no clear square in {district}")


def inside_guideline(site: dict[str, Any], district: str) -> shapely.Polygon:
    """A small square inside a guideline parcel of the district (a boundary that cuts it)."""
    area, guides = _boxes(site, district)
    guide = next(g for g in guides if area.contains(g.representative_point()))
    c = guide.representative_point()
    return shapely.box(c.x - 0.0003, c.y - 0.0003, c.x + 0.0003, c.y + 0.0003)


def draw(page: Any, square: shapely.Polygon) -> None:
    """Click the square's corners on the drawing map and close the polygon."""
    c = square.centroid
    page.evaluate("([x, y]) => window.landrenewDrawMap.jumpTo({center: [x, y], zoom: 16})",
                  [c.x, c.y])
    wait_until(page, "window.landrenewDrawMap.loaded() && !window.landrenewDrawMap.isMoving()")
    box = page.locator("#draw-map canvas").bounding_box()
    for x, y in list(square.exterior.coords)[:-1]:
        px, py = page.evaluate("([x, y]) => { const p = window.landrenewDrawMap.project([x, y]);"
                               " return [p.x, p.y]; }", [x, y])
        page.mouse.click(box["x"] + px, box["y"] + py)
        page.wait_for_timeout(120)  # apart, so that no two clicks make a double click
    page.click("#draw-close")


# ---------------------------------------------------------------- the urban-village walk

def test_an_urban_village_from_its_creation_to_an_open_gate(page: Any, site: dict[str, Any]
                                                            ) -> None:
    """白云区's district officer creates the project, adds its first phase by drawing it
    (a boundary cutting a guideline parcel is refused with the rule and clause), registers the
    people to relocate, records signatures with their scanned agreements (refused until the
    scheme is approved), withdraws one, and moves the phase into demolition once 80 % have
    signed."""
    as_user(page, site, BAIYUN_STAFF, "/projects")
    page.click("#project-new")
    page.wait_for_selector("#project-form")
    checked(page, site, "project-new")
    page.fill("#project-form input[name=name]", "石井村城中村改造（走查）")
    page.select_option("#project-form select[name=type]", "urban_village")
    page.fill("#project-form input[name=lead_unit]", "石井街道")
    page.click("#project-save")
    page.wait_for_selector("#project-actions")
    assert page.inner_text("h1") == "石井村城中村改造（走查）"
    project_id = int(page.url.rsplit("/", 1)[1])
    checked(page, site, "project")

    page.click("#phase-new")
    page.wait_for_selector("#phase-form")
    wait_until(page, "window.landrenewDrawMap && window.landrenewDrawMap.loaded()")
    page.fill("#phase-form input[name=name]", "一期")
    draw(page, inside_guideline(site, BAIYUN))
    assert '"Polygon"' in page.input_value("#draw-geometry")
    page.click("#phase-save")
    page.wait_for_selector("#form-refusal[data-code=guideline_parcel_split]")
    text = checked(page, site, "phase-refused")
    assert "导则地块" in page.inner_text("#form-refusal") and "GLP-" in text
    assert page.input_value("#phase-form input[name=name]") == "一期"  # what was typed stays
    assert '"Polygon"' in page.input_value("#draw-geometry")
    page.click("#draw-clear")
    wait_until(page, "window.landrenewDrawMap.loaded()")
    draw(page, clear_square(site, BAIYUN))
    page.click("#phase-save")
    page.wait_for_selector("#people-form")
    phase_id = int(page.url.rsplit("/", 1)[1])
    phase = site["api"].get(f"/api/phases/{phase_id}").json()
    assert phase["project_id"] == project_id and 20_000 < phase["area_m2"] < 35_000

    page.fill("#people-form textarea[name=lines]",
              "\n".join(f"SJ-{i}, 村民{i}, 村民" for i in range(1, 5)) + "\nSJ-5, 祖屋户, 祖屋业主")
    page.click("#people-add")
    page.wait_for_selector("tr[data-person=SJ-5]")
    assert "祖屋业主" in page.inner_text("tr[data-person=SJ-5]")
    scan = site["folder"] / "SJ-1协议扫描件.pdf"
    scan.write_bytes(b"%PDF-1.4 compensation agreement SJ-1")
    page.set_input_files("tr[data-person=SJ-1] input[name=evidence]", str(scan))
    page.click("tr[data-person=SJ-1] button.sign")
    page.wait_for_selector("#people-refused")
    text = checked(page, site, "sign-refused")
    assert "项目实施方案尚未批复" in text and "signing_requires_approved_scheme" in text
    page.click("#advance")  # planned → signing: refused as well, with the rule
    page.wait_for_selector("#refused")
    assert "项目实施方案尚未批复" in page.inner_text("#refused")

    # the officer records the scheme's approval on the project
    page.goto(f"{site['base']}/projects/{project_id}/edit")
    page.fill("#project-form input[name=scheme_approved_on]", "2026-01-15")
    page.select_option("#project-form select[name=stage]", "approved")
    page.fill("#project-form input[name=reason]", "实施方案已批复")
    page.click("#project-save")
    page.wait_for_selector("#project-actions")
    page.goto(f"{site['base']}/phases/{phase_id}")
    page.click("#advance")  # planned → signing
    page.wait_for_selector("#phase-state[data-state=signing]")
    assert page.query_selector("#refused") is None
    page.set_input_files("tr[data-person=SJ-1] input[name=evidence]", str(scan))
    page.click("tr[data-person=SJ-1] button.sign")
    page.wait_for_selector("tr[data-person=SJ-1][data-signed=true]")
    assert page.query_selector("#people-refused") is None  # gone once the scheme is approved
    for person in ("SJ-2", "SJ-3", "SJ-4"):
        page.click(f"tr[data-person={person}] button.sign")
        page.wait_for_selector(f"tr[data-person={person}][data-signed=true]")
    page.wait_for_selector("#gate[data-allowed=true]")
    # one withdraws: the gate closes, and the move into demolition is refused with the numbers
    page.fill("tr[data-person=SJ-2] input[name=note]", "本人要求解除协议")
    page.click("tr[data-person=SJ-2] button.withdraw")
    page.wait_for_selector("tr[data-person=SJ-2][data-signed=false]")
    assert page.get_attribute("#gate", "data-allowed") == "false"
    page.click("#advance")
    page.wait_for_selector("#refused[data-code=gate_closed]")
    assert "5 名被搬迁人中已有 3 名签约（60.00 %），规则要求不低于 80 %" in checked(
        page, site, "gate-closed")
    page.click("tr[data-person=SJ-5] button.sign")
    page.wait_for_selector("#gate[data-allowed=true]")
    assert page.inner_text("#gate-signed") == "4"
    page.reload()  # the refusal is gone once the gate is open
    assert page.query_selector("#refused") is None
    page.click("#advance")
    page.wait_for_selector("#phase-state[data-state=demolition]")
    checked(page, site, "gate-open")
    gate = site["api"].get(f"/api/phases/{phase_id}/demolition-gate").json()
    assert gate["allowed"] and gate["signed"] == 4 and gate["total"] == 5


# ---------------------------------------------------------------- the consolidation money walk

def test_consolidation_money_from_the_project_to_a_disbursement(page: Any, site: dict[str, Any]
                                                               ) -> None:
    """中山市's district officer puts a consolidation project in the library; the
    consolidation entity records its costs with their evidence files (a staff cost is refused
    with its clause) and studies the fund balance; the officer settles the storage fee and
    disburses a land sale."""
    as_user(page, site, ZHONGSHAN_STAFF, "/projects/new")
    page.fill("#project-form input[name=name]", "沙溪村土地整备（走查）")
    page.select_option("#project-form select[name=type]", "urban_village")
    page.fill("#project-form input[name=owner_company]", "中山市城中村土地整备开发有限公司")
    page.click("#project-save")
    page.wait_for_selector("#project-links")
    project_id = int(page.url.rsplit("/", 1)[1])

    as_user(page, site, ENTITY, f"/projects/{project_id}/finance")
    assert page.query_selector("#storage-fee-form") is None  # the city's decision
    evidence = site["folder"] / "补偿协议汇总.pdf"
    evidence.write_bytes(b"%PDF-1.4 compensation summary")
    page.select_option("#cost-form select[name=category]", "expropriation_compensation")
    page.fill("#cost-form input[name=amount]", "1,234,567.80")
    page.fill("#cost-form input[name=description]", "第一批房屋补偿")
    page.set_input_files("#cost-form input[name=evidence]", str(evidence))
    page.click("#cost-form button[type=submit]")
    page.wait_for_selector("#cost-total[data-total='1234567.80']")
    assert "1,234,567.80" in page.inner_text("#cost-summary")
    page.select_option("#cost-form select[name=category]", "entity_staff_cost")
    page.fill("#cost-form input[name=amount]", "50000")
    page.fill("#cost-form input[name=description]", "整备主体人员工资")
    page.click("#cost-form button[type=submit]")
    page.wait_for_selector("#cost-refusal")
    text = checked(page, site, "cost-refused")
    assert "不包括土地整备主体的人力成本" in page.inner_text("#cost-refusal")
    assert page.input_value("#cost-form input[name=description]") == "整备主体人员工资"
    for name, value in (("compensation", "3,650"), ("resettlement_construction", "5,200"),
                        ("other_costs", "245"), ("financing_cost", "185"),
                        ("supply_area_m2", "42,000"), ("far", "2.8"),
                        ("floor_price", "3,200")):
        page.fill(f"#fund-balance-form input[name={name}]", value)
    page.click("#fund-balance-form button[type=submit]")
    page.wait_for_selector("#fund-balance")
    checked(page, site, "fund-balance")

    as_user(page, site, ZHONGSHAN_STAFF, f"/projects/{project_id}/finance")
    page.fill("#storage-fee-form input[name=service_rate]", "5%")
    page.fill("#storage-fee-form textarea[name=milestones]", "交储后, 40%\n出让后, 60%")
    page.click("#storage-fee-form button[type=submit]")
    page.wait_for_selector("#storage-fee")
    assert page.get_attribute("#storage-fee", "data-total") == "1296296.19"  # 1,234,567.80 × 1.05
    page.select_option("#disbursement-form select[name=unit]", "wan")
    page.fill("#disbursement-form input[name=revenue]", "2,000")
    page.click("#disbursement-form button[type=submit]")
    page.wait_for_selector("table.disbursement[data-revenue]")
    text = checked(page, site, "disbursement")
    assert "20,000,000.00" in text
    records = site["api"].get(f"/api/projects/{project_id}/finance/records").json()
    assert {r["kind"] for r in records} >= {"fund_balance", "storage_settlement",
                                            "disbursement"}
