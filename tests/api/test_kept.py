"""Kept answers before routing (landrenew.api.kept): a tile or page this process keeps is answered
without the route, exactly as the route answers it, and only to a request the route would answer
with it; everything else falls through to the route."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from landrenew.api.deps import get_store
from landrenew.core.auth import set_active
from landrenew.core.store import Store
from landrenew.serving.tiles import tile_for

from .conftest import PASSWORD, WEST, World

#: The headers a kept answer must carry exactly as the route's.
SAME = ("content-type", "etag", "cache-control", "vary", "content-crs", "content-encoding")


@pytest.fixture
def routed(world: World) -> Iterator[list[int]]:
    """How many requests reached a route (each route reads the store through ``get_store``)."""
    calls: list[int] = []

    async def counting_store() -> Store:
        calls.append(1)
        return world.store

    app: Any = world.client.app
    app.dependency_overrides[get_store] = counting_store
    yield calls
    app.dependency_overrides.pop(get_store, None)


def _ask(w: World, path: str, role: str | None = None, **headers: str) -> Any:
    return w.client.get(path, headers={**w.headers(role), **headers})


def _same_answer(first: Any, second: Any) -> None:
    assert second.status_code == first.status_code
    assert second.content == first.content
    for name in SAME:
        assert second.headers.get(name) == first.headers.get(name), name


def _home_tile(w: World) -> str:
    page = _ask(w, "/ogc/collections/parcels/items").json()
    x0, y0 = page["features"][0]["geometry"]["coordinates"][0][0]
    x, y = tile_for(x0 + 0.0001, y0 + 0.0001, 14)
    return f"/tiles/parcels/14/{x}/{y}.mvt"


@pytest.mark.parametrize(("path", "role"), [
    ("/api/parcels?limit=3", "city_staff"),
    ("/api/parcels?limit=2&offset=1&district=" + WEST, "district_staff"),
    ("/ogc/collections/parcels/items?limit=4", None),
    ("/ogc/collections/parcels/items?limit=4&crs=http://www.opengis.net/def/crs/EPSG/0/4490",
     "viewer"),
])
def test_a_kept_page_is_answered_without_the_route_as_the_route_answers_it(
        world: World, routed: list[int], path: str, role: str | None) -> None:
    first = _ask(world, path, role)
    assert first.status_code == 200, first.text
    assert len(routed) == 1
    second = _ask(world, path, role)
    assert len(routed) == 1  # answered before routing
    _same_answer(first, second)
    # the ETag of a kept answer gives 304 there too
    again = _ask(world, path, role, **{"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and len(routed) == 1
    # a client that does not take gzip gets the plain body of a kept OGC page
    plain = _ask(world, path, role, **{"Accept-Encoding": "identity"})
    assert plain.status_code == 200 and plain.json() == first.json() and len(routed) == 1


def test_a_kept_tile_is_answered_without_the_route(world: World, routed: list[int]) -> None:
    path = _home_tile(world)
    first, count = _ask(world, path), len(routed)
    assert first.status_code == 200 and first.content
    _same_answer(first, _ask(world, path))
    assert len(routed) == count
    # district staff have their own view of the tile: made by the route, then kept for them
    staff = _ask(world, path, "district_staff")
    assert len(routed) == count + 1
    _same_answer(staff, _ask(world, path, "district_staff"))
    assert len(routed) == count + 1
    # written other than in plain digits: the route decides (same tile, same answer)
    x, y = path.split("/")[-2:]
    odd = _ask(world, f"/tiles/parcels/014/{x}/{y}")
    assert len(routed) == count + 2 and odd.content == first.content


def test_only_the_same_user_and_view_get_a_kept_page(world: World, routed: list[int]) -> None:
    path = "/api/parcels?limit=10"
    city = _ask(world, path, "city_staff")
    assert len(routed) == 1
    staff = _ask(world, path, "district_staff")  # the city's page is not theirs
    assert len(routed) == 2
    assert staff.json()["total"] < city.json()["total"]
    assert {p["district_code"] for p in staff.json()["items"]} == {WEST}
    # no token: the public's own page (parcels are a public layer), never the city's
    public = _ask(world, path)
    assert public.status_code == 200 and len(routed) == 3
    assert "right_holder" not in public.json()["items"][0]
    assert "right_holder" in city.json()["items"][0]
    # a forged token, or a disabled user's token: the route refuses, as always
    forged = world.client.get(path, headers={"Authorization": "Bearer not-a-token"})
    assert forged.status_code == 401
    set_active(world.store, "city_staff", False, actor="admin")
    assert _ask(world, path, "city_staff").status_code == 401
    set_active(world.store, "city_staff", True, actor="admin")
    # disabling ended the user's sessions: enabled again, the user logs in anew
    assert _ask(world, path, "city_staff").status_code == 401
    world.tokens["city_staff"] = world.client.post("/api/auth/token", data={
        "username": "city_staff", "password": PASSWORD}).json()["access_token"]
    # the public OGC view of a page is never the sensitive one, nor the other way round
    ogc = "/ogc/collections/parcels/items?limit=3"
    public = _ask(world, ogc)
    public_again = _ask(world, ogc)
    sensitive = _ask(world, ogc, "city_staff")
    assert public_again.content == public.content
    assert "right_holder" not in public.json()["features"][0]["properties"]
    assert "right_holder" in sensitive.json()["features"][0]["properties"]


def test_parameters_the_fast_parse_does_not_take_go_to_the_route(
        world: World, routed: list[int]) -> None:
    path = "/api/parcels?limit=3"
    kept = _ask(world, path, "city_staff")
    assert len(routed) == 1
    for odd in ("/api/parcels?limit=03", "/api/parcels?limit=3&limit=3",
                "/api/parcels?limit=3&extra=1", "/api/parcels?limit=3&bbox=1,2"):
        count = len(routed)
        r = _ask(world, odd, "city_staff")
        assert len(routed) == count + 1, odd
        assert r.status_code in (200, 422), odd
        if r.status_code == 200:
            assert r.json()["items"] == kept.json()["items"], odd
    # refused by the route whatever is kept
    assert _ask(world, "/api/parcels?limit=0", "city_staff").status_code == 422
    assert _ask(world, "/ogc/collections/parcels/items?limit=3&f=html").status_code == 400
    assert _ask(world, "/ogc/collections/nowhere/items?limit=3").status_code == 404


def test_a_write_is_shown_at_once(world: World, routed: list[int]) -> None:
    path = "/api/parcels?limit=1"
    before = _ask(world, path, "city_staff").json()["items"][0]
    assert _ask(world, path, "city_staff").json()["items"][0] == before
    count = len(routed)
    r = world.client.patch(f"/api/parcels/{before['parcel_code']}",
                           headers=world.headers("admin"),
                           json={"building_year": 2001, "reason": "survey correction"})
    assert r.status_code == 200, r.text
    after = _ask(world, path, "city_staff")
    assert len(routed) > count + 1  # the PATCH and the page made again
    assert after.json()["items"][0]["building_year"] == 2001
    assert after.json()["items"][0]["version"] == before["version"] + 1
