"""A server process warms the city-wide lookups of the parcel lists when it starts
(platform/warming.py): the latest run, the parcel count and the paging anchors are then kept
before the first request asks, on both backends."""

from __future__ import annotations

import logging
from collections.abc import Hashable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from landrenew.core.store import Store
from landrenew.server import create_app
from landrenew.serving import parcels as service
from landrenew.serving.caches import COUNTS, MEMO
from landrenew.serving.warming import warm

from .conftest import World, settings_for


class NotKept(Exception):
    pass


def kept(cache: object, key: Hashable) -> object:
    """The value ``cache`` keeps under ``key``; NotKept if it would have to make it."""

    def make() -> object:
        raise NotKept(key)

    return cache.get_or_make(key, make)  # type: ignore[attr-defined]


def anchors_key(store: Store) -> tuple:
    return (store.url, store.stamp(), "code_anchors", None)


def count_key(store: Store) -> tuple:
    return ("parcels", store.url, store.stamp(), None, None, None, None)


def test_warm_keeps_the_anchors_count_and_run_the_lists_read(world: World, monkeypatch) -> None:
    monkeypatch.setattr(service, "ANCHOR_STEP", 2)
    store = world.store
    with pytest.raises(NotKept):
        kept(MEMO, anchors_key(store))
    assert warm(store) is True
    codes = [p["parcel_code"] for p in world.client.get(
        "/api/parcels?limit=100", headers=world.headers("admin")).json()["items"]]
    assert len(codes) == 6
    assert kept(MEMO, anchors_key(store)) == codes[1::2]  # every 2nd code, 1-based
    assert kept(COUNTS, count_key(store)) == 6
    assert kept(MEMO, (store.url, store.stamp(), "published_run")) == world.run_id
    # an offset page uses them as they are: the same parcels as the plain list
    page = world.client.get("/api/parcels?limit=2&offset=3", headers=world.headers("admin"))
    assert [p["parcel_code"] for p in page.json()["items"]] == codes[3:5]
    # what warming kept is for the data as it was: a write moves the stamp, and the next list
    # reads afresh
    before = store.stamp()
    r = world.client.patch("/api/parcels/JM-0002", headers=world.headers("admin"),
                           json={"building_year": 1990, "reason": "核查更正"})
    assert r.status_code == 200, r.text
    assert store.stamp() != before
    with pytest.raises(NotKept):
        kept(MEMO, anchors_key(store))


def test_the_server_warms_when_it_starts_unless_told_not_to(world: World) -> None:
    store = world.store
    for on in (False, True):
        app = create_app(settings_for(store.url, warm_on_start=on), store=store)
        with TestClient(app) as client:  # runs the lifespan: start, then (at exit) stop
            assert client.get("/api/health").status_code == 200
        if on:
            assert kept(COUNTS, count_key(store)) == 6
            assert kept(MEMO, anchors_key(store)) == []  # fewer parcels than ANCHOR_STEP
        else:
            with pytest.raises(NotKept):
                kept(COUNTS, count_key(store))


def test_warming_an_unmigrated_database_is_skipped_with_a_warning(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'empty.db'}")
    try:
        with caplog.at_level(logging.WARNING, logger="landrenew.serving.warming"):
            assert warm(store) is False
        assert "db upgrade" in caplog.text
        # and a server on it still starts (its requests then say what is wrong)
        with TestClient(create_app(settings_for(store.url), store=store)) as client:
            assert client.get("/api/health").status_code in (200, 503)
    finally:
        store.dispose()
