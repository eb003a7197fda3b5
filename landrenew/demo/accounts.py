"""Demo accounts (示例账户) made by ``landrenew demo``: one of every role, district staff of each
of the demo's places (蓬江区, 白云区, 中山市), the consolidation entity and a committee member."""

from __future__ import annotations

import contextlib

from sqlalchemy import select

from landrenew.core.auth import create_user
from landrenew.core.errors import Conflict
from landrenew.core.store import Store
from landrenew.core.store.models import District

#: Demo accounts (示例账户) made by ``landrenew demo``: name, role, districts, password.
DEMO_ACCOUNTS: tuple[tuple[str, str, tuple[str, ...], str], ...] = (
    ("admin", "admin", (), "demo-admin-2024"),
    ("city", "city_staff", (), "demo-city-2024"),
    ("pengjiang", "district_staff", ("440703",), "demo-district-2024"),
    ("baiyun", "district_staff", ("440111",), "demo-baiyun-2024"),
    ("zhongshan", "district_staff", ("442000",), "demo-zhongshan-2024"),
    ("viewer", "viewer", (), "demo-viewer-2024"),
    ("zhengbei", "consolidation_entity", (), "demo-entity-2024"),
    ("weiyuanhui", "city_staff", (), "demo-committee-2024"),
)
#: The demo consolidation entity's company (土地整备主体), owner of the demo consolidation project.
DEMO_ENTITY_ORG = "中山市城中村土地整备开发有限公司"
#: What the demo accounts beyond role and districts carry: the entity's organisation, and the
#: committee member's agency in the consolidation workflow (市土地管理委员会).
DEMO_EXTRA: dict[str, dict[str, str]] = {
    "zhengbei": {"organisation": DEMO_ENTITY_ORG},
    "weiyuanhui": {"agency": "committee"},
}


def create_demo_accounts(store: Store, *, actor: str = "demo") -> list[tuple[str, str, str]]:
    """Create the demo accounts that are missing; returns (name, role, password) of each.

    A district account gets its demo district when present (else the first district).
    """
    with store.read_session() as session:
        districts = sorted(session.scalars(select(District.code)))
    out = []
    for name, role, wanted, password in DEMO_ACCOUNTS:
        codes = [c for c in wanted if c in districts] or districts[:1]
        with contextlib.suppress(Conflict):
            create_user(store, name, role, password, actor=actor,
                        districts=codes if role == "district_staff" else None,
                        **DEMO_EXTRA.get(name, {}))
        out.append((name, role, password))
    return out
