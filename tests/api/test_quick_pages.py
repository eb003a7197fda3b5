"""Short list pages are made on the server's event loop, longer ones on maker threads
(api/making.py, ``parcels.is_quick_page``), and both give the same answer, on both backends."""

from __future__ import annotations

import asyncio
from typing import Any

from landrenew.core.access import Principal
from landrenew.serving import parcels as service
from landrenew.serving.warming import warm

from .conftest import WEST, World

ADMIN = Principal("admin", "admin")
PLAIN: dict[str, Any] = {"district": None, "category": None, "flag": None, "bbox": None,
                         "limit": 100, "offset": 0, "after": None}


def quick(world: World, user: Principal = ADMIN, **changes: Any) -> bool:
    return service.is_quick_page(world.store, user, world.store.stamp(), **{**PLAIN, **changes})


def test_a_quick_page_is_a_short_whole_city_page_whose_lookups_are_kept(
        world: World, monkeypatch) -> None:
    monkeypatch.setattr(service, "ANCHOR_STEP", 2)
    assert not quick(world)  # nothing kept yet: the count would be read first
    assert warm(world.store)
    assert quick(world)
    assert quick(world, after="JM-0001")
    assert quick(world, offset=1)  # fewer than ANCHOR_STEP entries to skip
    assert quick(world, offset=4)  # from the kept anchors
    assert not quick(world, offset=4, after="JM-0001")  # skipping after a code: no anchors
    assert not quick(world, limit=101)
    assert not quick(world, district=WEST)
    assert not quick(world, Principal("d", "district_staff", (WEST,)))
    assert not quick(world, category="1")
    assert not quick(world, flag="idle")
    assert not quick(world, bbox=(112.0, 22.0, 114.0, 23.0))
    # a write moves the stamp: nothing is kept for the new data, so nothing is quick
    r = world.client.patch("/api/parcels/JM-0002", headers=world.headers("admin"),
                           json={"building_year": 1990, "reason": "核查更正"})
    assert r.status_code == 200, r.text
    assert not quick(world)


def test_quick_pages_are_made_on_the_event_loop_and_the_same_as_made_on_threads(
        world: World, monkeypatch) -> None:
    made_on_loop: list[bool] = []
    real = service.list_parcels

    def spy(*args: Any, **kwargs: Any) -> Any:
        try:
            asyncio.get_running_loop()
            made_on_loop.append(True)
        except RuntimeError:  # no loop in this thread: a maker thread
            made_on_loop.append(False)
        return real(*args, **kwargs)

    monkeypatch.setattr(service, "list_parcels", spy)
    h = world.headers("admin")
    first = world.client.get("/api/parcels?limit=4", headers=h)  # count not kept yet: a thread
    second = world.client.get("/api/parcels?limit=5", headers=h)  # count kept now: the loop
    assert first.status_code == second.status_code == 200
    assert made_on_loop == [False, True]
    assert second.json()["items"][:4] == first.json()["items"]
    assert second.json()["total"] == first.json()["total"] == 6
    # longer or narrower pages stay on the threads, whatever is kept
    for url, role in (("/api/parcels?limit=200", "admin"),
                      ("/api/parcels?limit=5&flag=idle", "admin"),
                      (f"/api/parcels?limit=5&district={WEST}", "admin"),
                      ("/api/parcels?limit=5", "district_staff")):
        r = world.client.get(url, headers=world.headers(role))
        assert r.status_code == 200, (url, r.text)
        assert made_on_loop[-1] is False, url
    assert len(made_on_loop) == 6
