"""Programme supervision: Jiangmen's programme initialised in a store, users of its units."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import update

from landrenew.core.access import Principal
from landrenew.core.store import Store
from landrenew.core.store.models import ProjectVersion
from landrenew.projects.service import create_project, update_project
from landrenew.supervision import service
from landrenew.supervision.packs import ProgrammePack, programme_pack

CITY = "440700"
PENGJIANG, JIANGHAI, XINHUI = "440703", "440704", "440705"
ADMIN = Principal(name="admin", role="admin")
CITY_STAFF = Principal(name="li", role="city_staff")
DISTRICT = Principal(name="chen", role="district_staff", districts=(PENGJIANG,))
VIEWER = Principal(name="wang", role="viewer")
SHA = "a" * 64


@pytest.fixture(scope="session")
def pack() -> ProgrammePack:
    return programme_pack(CITY, dt.date(2025, 1, 1))


@pytest.fixture
def programme(store: Store) -> Iterator[Store]:
    """The store with Jiangmen's programme initialised and 'li' a member of 市自然资源局."""
    service.init_programme(store, ADMIN, CITY)
    service.add_member(store, ADMIN, CITY, "市自然资源局", "li")
    yield store


def task_id(store: Store, code: str) -> int:
    return service.find_task(store, CITY, code)


def project(store: Store, *, district: str, batch: str, stage: str, at: dt.date,
            name: str = "试点项目") -> dict[str, Any]:
    """A project put in the library, its history dated as if recorded on ``at``."""
    rec = create_project(store, ADMIN, {"name": name, "type": "industrial_upgrade",
                                        "district_code": district, "batch": batch})
    if stage != "proposed":
        rec = update_project(store, ADMIN, rec["id"], {"stage": stage}, reason="推进")
    backdate_project(store, rec["id"], at)
    return rec


def backdate_project(store: Store, project_id: int, at: dt.date) -> None:
    when = dt.datetime.combine(at, dt.time(2, 0))
    with store.session() as session:
        session.execute(update(ProjectVersion).where(ProjectVersion.project_id == project_id)
                        .values(at=when))
