"""A small city for the API tests: two districts, six parcels with sensitive values, one
evaluation run, one zone layer, and a user of every role with a bearer token.

Rules belong to places: the two districts are Jiangmen's (蓬江区, 江海区), which has no
urban-village phase rules nor a consolidation scheme of its own. The world's bureau has adopted
them in its own packs (``LANDRENEW_RULES_PATH``): Guangzhou's phase rules and Zhongshan's scheme,
willingness conditions and money rules, and Guangzhou's compliance rules, as city-level packs of
江门市 naming the shipped ones as parent — so that the project and permission tests run on this
small city. ``places=True`` adds 广州市白云区 and 中山市 and leaves the bureau's packs out: the
shipped packs decide by place."""

from __future__ import annotations

import datetime as dt
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pyogrio
import pytest
import shapely
from fastapi.testclient import TestClient

from landrenew.core import packs
from landrenew.core.access import Principal
from landrenew.core.auth import create_user
from landrenew.core.settings import Settings
from landrenew.core.store import Store
from landrenew.evaluation.publishing import publish_run
from landrenew.evaluation.stored import run_on_store
from landrenew.land.districts import import_districts
from landrenew.land.importing import ImportOptions, import_parcels
from landrenew.land.zones import import_zones
from landrenew.server import create_app

X0, Y0 = 405_000.0, 2_500_000.0
CRS = "EPSG:4547"
WEST, EAST = "440703", "440704"  # 蓬江区 (x < 406 000), 江海区
GZ, ZS = "440111", "442000"  # 广州市白云区, 中山市 (with places=True)
PASSWORD = "correct-horse-battery"
ROLES = ("viewer", "district_staff", "city_staff", "admin", "consolidation_entity")
#: The consolidation entity's company (土地整备主体): owner company of the projects it may see.
ENTITY_ORG = "江门市土地整备有限公司"
SECRET = "test-secret-" + "x" * 40


def rect(i: int, w: float = 100.0, h: float = 100.0) -> shapely.Polygon:
    x = X0 + i * 500.0
    return shapely.box(x, Y0, x + w, Y0 + h)


#: Parcels 0–1 lie in WEST, 2–5 in EAST. Old, sparse industrial land: low-efficiency candidates.
PARCELS: list[dict[str, Any]] = [
    {"parcel_code": f"JM-{i:04d}", "land_use": "100101", "floor_area_m2": 2000.0 + i,
     "building_year": 1995 + i, "tax_10k_yuan": 1.5 + i, "output_10k_yuan": 80.0 + i,
     "investment_10k_yuan": 300.0 + i, "right_holder": f"江门市第{i}制造有限公司",
     "supplied_on": dt.date(2001, 1, 1)}
    for i in range(6)
]
WEST_CODES = {"JM-0000", "JM-0001"}
EAST_CODES = {p["parcel_code"] for p in PARCELS} - WEST_CODES


def districts_file(folder: Path, places: bool = False) -> Path:
    west = shapely.box(X0 - 5000, Y0 - 5000, 406_000, Y0 + 5000)
    east = shapely.box(406_000, Y0 - 5000, X0 + 10_000, Y0 + 5000)
    codes, names, boxes = [WEST, EAST], ["蓬江区", "江海区"], [west, east]
    if places:  # two boxes north of the city: stand-ins for 白云区 and 中山市
        codes += [GZ, ZS]
        names += ["白云区", "中山市"]
        boxes += [shapely.box(X0 - 5000, Y0 + 5000, 406_000, Y0 + 15_000),
                  shapely.box(406_000, Y0 + 5000, X0 + 10_000, Y0 + 15_000)]
    gdf = gpd.GeoDataFrame({"district_code": codes, "name": names},
                           geometry=boxes, crs=CRS).to_crs(4490)
    path = folder / "districts.geojson"
    pyogrio.write_dataframe(gdf, path, driver="GeoJSON")
    return path


def parcels_file(folder: Path, rows: list[dict[str, Any]] | None = None,
                 name: str = "parcels.gpkg", start: int = 0) -> Path:
    rows = rows or PARCELS
    gdf = gpd.GeoDataFrame(rows, geometry=[rect(start + i) for i in range(len(rows))], crs=CRS)
    path = folder / name
    pyogrio.write_dataframe(gdf, path, layer="parcels")
    return path


def zones_file(folder: Path) -> Path:
    gdf = gpd.GeoDataFrame({"zone_code": ["UDB-1", "UDB-2"], "name": ["城区", "郊区"]},
                           geometry=[shapely.box(X0 - 100, Y0 - 100, X0 + 1200, Y0 + 400),
                                     shapely.box(X0 + 2000, Y0, X0 + 2600, Y0 + 300)], crs=CRS)
    path = folder / "zones.gpkg"
    pyogrio.write_dataframe(gdf, path, layer="zones")
    return path


@dataclass
class World:
    store: Store
    client: TestClient
    folder: Path
    tokens: dict[str, str] = field(default_factory=dict)
    run_id: int = 0
    pages: dict[str, TestClient] = field(default_factory=dict)

    def page(self, role: str) -> TestClient:
        """A browser-like client for the pages: logged in with the session cookie (none for
        anonymous), sending ``Accept: text/html`` as a browser does."""
        if role not in self.pages:
            client = TestClient(self.client.app, headers={"Accept": "text/html"})
            if role != "anonymous":
                r = post_login(client, username=role, password=PASSWORD)
                assert r.status_code == 303, r.text
            self.pages[role] = client
        return self.pages[role]

    def csrf(self, role: str) -> str:
        return self.page(role).cookies.get("landrenew_csrf") or ""

    def headers(self, role: str | None) -> dict[str, str]:
        if role is None or role == "anonymous":
            return {}
        return {"Authorization": f"Bearer {self.tokens[role]}"}


def login_field(html: str) -> str:
    """The CSRF field of the login form in a page."""
    found = re.search(r'name="csrf_token" value="([0-9a-f]+)"', html)
    assert found, "the login form has no CSRF field"
    return found.group(1)


def post_login(client: TestClient, **form: str) -> Any:
    """POST the page login form as a browser sends it: the form read first (GET /login sets
    the login nonce cookie and writes the form's CSRF field from it), then sent with its
    fields filled in (``form``)."""
    return client.post("/login", data={"csrf_token": login_field(client.get("/login").text),
                                       **form}, follow_redirects=False)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running_server(app: Any) -> Iterator[str]:
    """uvicorn serving ``app`` on a free loopback port in a thread, as ``landrenew serve`` runs
    it; yields its base URL."""
    import uvicorn

    from landrenew.server import UVICORN_PROXY_HEADERS

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="off",
                                           proxy_headers=UVICORN_PROXY_HEADERS))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def settings_for(url: str, **kw: Any) -> Settings:
    return Settings(database_url=url, secret_key=SECRET, mode="test", user="tester", **kw)


#: The world's bureau packs: (kind, shipped parent) adopted as 江门市's own.
ADOPTED = (("renewal_phases", "guangzhou-renewal"),
           ("consolidation_scheme", "zhongshan-consolidation"),
           ("willingness", "zhongshan-willingness"),
           ("consolidation_money", "zhongshan-consolidation-money"),
           ("compliance", "guangzhou-compliance"),
           ("quotas", "guangzhou-quotas"))


def write_bureau_rules(folder: Path) -> Path:
    """The world bureau's rules directory: each adopted pack as a child of the shipped one,
    belonging to 江门市 from 2024-01-01 (an issued pack of the bureau)."""
    rules = folder / "bureau-rules"
    rules.mkdir(exist_ok=True)
    for kind, parent in ADOPTED:
        (rules / f"{kind}.yaml").write_text(f"""\
kind: {kind}
id: jiangmen-{kind.replace('_', '-')}
version: "1"
parent: {parent}
title: {{zh: 江门市采用（测试）, en: adopted by Jiangmen (test)}}
jurisdiction: {{code: "440700", name: 江门市}}
effective_from: 2024-01-01
issued_on: 2024-01-01
""", encoding="utf-8")
    return rules


@contextmanager
def rules_path(folder: Path | None) -> Iterator[None]:
    """``LANDRENEW_RULES_PATH`` set to ``folder`` (or unset) while the block runs."""
    import os

    before = os.environ.get("LANDRENEW_RULES_PATH")
    if folder is None:
        os.environ.pop("LANDRENEW_RULES_PATH", None)
    else:
        os.environ["LANDRENEW_RULES_PATH"] = str(folder)
    packs.reload()
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("LANDRENEW_RULES_PATH", None)
        else:
            os.environ["LANDRENEW_RULES_PATH"] = before
        packs.reload()


def build_world(store: Store, folder: Path, *, places: bool = False, **settings: Any) -> World:
    import_districts(store, districts_file(folder, places), user="setup", projected_crs=CRS)
    import_zones(store, zones_file(folder), kind="urban_development_boundary", user="setup",
                 projected_crs=CRS)
    import_parcels(store, parcels_file(folder), ImportOptions(report=str(folder / "r.csv")),
                   user="setup", projected_crs=CRS)
    run = run_on_store(store, as_of=dt.date(2025, 6, 30), user="setup", data_as_of=None)
    publish_run(store, Principal("setup", "city_staff"), run.run.id, reason="the world's run")
    for role in ROLES:
        create_user(store, role, role, PASSWORD, actor="setup",
                    districts=[WEST] if role == "district_staff" else None,
                    organisation=ENTITY_ORG if role == "consolidation_entity" else None)
    app = create_app(settings_for(store.url, **settings), store=store)
    client = TestClient(app)
    world = World(store, client, folder, run_id=run.run.id)
    for role in ROLES:
        r = client.post("/api/auth/token", data={"username": role, "password": PASSWORD})
        assert r.status_code == 200, r.text
        world.tokens[role] = r.json()["access_token"]
    return world


@pytest.fixture
def world(store: Store, tmp_path: Path) -> Iterator[World]:
    with rules_path(write_bureau_rules(tmp_path)):
        w = build_world(store, tmp_path)
        yield w
    w.client.close()
    for c in w.pages.values():
        c.close()


@pytest.fixture(scope="module", params=["sqlite", "postgis"])
def city(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
         fresh_postgres: Callable[[], str]) -> Iterator[World]:
    """One world per test module and backend (read-mostly tests share it; cheap to run)."""
    from landrenew.core.store.migrate import upgrade

    folder = tmp_path_factory.mktemp("city")
    url = f"sqlite:///{folder / 'city.db'}" if request.param == "sqlite" else fresh_postgres()
    store = Store.open(url)
    upgrade(store.engine)
    with rules_path(write_bureau_rules(folder)):
        w = build_world(store, folder)
        yield w
    w.client.close()
    for c in w.pages.values():
        c.close()
    store.dispose()
