"""The demo accounts: one of every role, district staff of each demo place."""

from __future__ import annotations

from landrenew.core import auth
from landrenew.core.settings import Settings
from landrenew.core.store import Store
from landrenew.core.store.engine import utcnow
from landrenew.core.store.models import District
from landrenew.demo.accounts import DEMO_ENTITY_ORG, create_demo_accounts


def test_demo_accounts_are_idempotent(store: Store) -> None:
    with store.session() as s:
        for code, name in (("440703", "蓬江区"), ("440111", "白云区"), ("442000", "中山市")):
            s.add(District(code=code, name=name, updated_at=utcnow(), updated_by="t"))
    first = create_demo_accounts(store)
    again = create_demo_accounts(store)
    assert first == again and {r for _, r, _ in first} == {
        "admin", "city_staff", "district_staff", "viewer", "consolidation_entity"}
    assert auth.get_user(store, "pengjiang").districts == ("440703",)
    assert auth.get_user(store, "baiyun").districts == ("440111",)
    assert auth.get_user(store, "zhongshan").districts == ("442000",)
    entity = auth.get_user(store, "zhengbei").principal()
    assert entity.organisation == DEMO_ENTITY_ORG and entity.workflow_role == \
        "consolidation_entity"
    assert auth.get_user(store, "weiyuanhui").principal().workflow_role == "committee"
    assert auth.get_user(store, "city").principal().workflow_role == "city_bureau"
    settings = Settings(database_url=store.url)
    for name, _, password in first:
        assert auth.authenticate(store, settings, name, password, "127.0.0.1").name == name

