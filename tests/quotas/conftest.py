"""Quota ledgers: Guangzhou's pack, a city, two districts, villages and projects to move quota
between."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from landrenew.core.access import Principal
from landrenew.core.store import Store
from landrenew.projects import service as projects
from landrenew.quotas import service
from landrenew.quotas.packs import QuotasPack, quotas_pack

CITY, HP, BY = "440100", "440112", "440111"  # 广州市, 黄埔区, 白云区
DAY = dt.date(2025, 3, 1)
YEAR = 2025
ADMIN = Principal("admin", "admin")
CITY_STAFF = Principal("市局张三", "city_staff")
HP_STAFF = Principal("黄埔李四", "district_staff", (HP,))
VIEWER = Principal("viewer", "viewer")


@pytest.fixture(scope="session")
def pack() -> QuotasPack:
    return quotas_pack(CITY, DAY)


def project(store: Store, name: str, *, district: str = HP, tags: list[str] | None = None,
            **more: Any) -> int:
    """A project in the library, tagged."""
    values = {"name": name, "type": more.pop("type", "land_consolidation"),
              "district_code": district, **more}
    if tags:
        values["tags"] = tags
    return int(projects.create_project(store, ADMIN, values)["id"])


def move(store: Store, kind: str, src: str, dst: str, mu: str, movement: str, *,
         user: Principal = CITY_STAFF, year: int | None = YEAR, on: dt.date = DAY,
         **more: Any) -> dict[str, Any]:
    from landrenew.quotas.accounts import ANNUAL

    return service.move(store, user, kind, src, dst, mu, movement,
                        year=year if kind in ANNUAL else None, on=on,
                        reason=more.pop("reason", "测试"), **more)


def city_plan(store: Store, construction: str = "5000", ring: str = "1000") -> dict[str, Any]:
    return service.plan(store, CITY_STAFF, CITY, YEAR, construction, ring, on=DAY)
