"""Which layers are public is one setting (``public_layers``), honoured by /ogc, /tiles and /api
alike: the public reads the named layers and is refused (401) every other, on every face."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from landrenew.core.errors import ConfigurationError
from landrenew.server import create_app
from landrenew.serving.tiles import tile_for

from .conftest import World, settings_for

UDB = "urban_development_boundary"


def _home_tile(w: World, z: int = 13) -> tuple[int, int]:
    import shapely.geometry

    geom = w.client.get("/ogc/collections/parcels/items/JM-0000").json()["geometry"]
    c = shapely.geometry.shape(geom).centroid
    return tile_for(c.x, c.y, z)


def _faces(client: TestClient, layer: str, tile: tuple[int, int], headers: Any = None
           ) -> dict[str, int]:
    """The status of reading ``layer`` on each face."""
    api = {"parcels": "/api/parcels", "districts": "/api/districts"}.get(
        layer, f"/api/zones?kind={layer}")
    x, y = tile
    return {"ogc": client.get(f"/ogc/collections/{layer}/items", headers=headers).status_code,
            "ogc_item_list": client.get(f"/ogc/collections/{layer}", headers=headers
                                        ).status_code,
            "tiles": client.get(f"/tiles/{layer}/13/{x}/{y}.mvt", headers=headers).status_code,
            "api": client.get(api, headers=headers).status_code}


def _map_layers(client: TestClient) -> list[str]:
    import json
    import re

    found = re.search(r'<script id="map-config" type="application/json">(.*?)</script>',
                      client.get("/").text, re.S)
    assert found
    return list(json.loads(found.group(1))["layers"])


def test_by_default_the_public_reads_parcels_and_districts_only(city: World) -> None:
    tile = _home_tile(city)
    for layer in ("parcels", "districts"):
        assert set(_faces(city.client, layer, tile).values()) <= {200, 204}, layer
    for layer in (UDB, "ecological_redline", "permanent_basic_farmland", "guideline_parcel"):
        assert set(_faces(city.client, layer, tile).values()) == {401}, layer
        # the same layer for anyone signed in, the viewer too
        assert set(_faces(city.client, layer, tile, city.headers("viewer")).values()) <= {
            200, 204}, layer
    listed = [c["id"] for c in city.client.get("/ogc/collections").json()["collections"]]
    assert listed == ["parcels", "districts"]
    assert city.client.get("/api/zones").status_code == 401
    assert city.client.get("/ogc/collections/nope/items").status_code == 404  # still unknown
    public = city.client.get("/api/parcels").json()
    assert public["total"] == 6 and "right_holder" not in public["items"][0]


def test_a_kept_tile_is_not_handed_to_the_public(city: World) -> None:
    x, y = _home_tile(city)
    url = f"/tiles/{UDB}/13/{x}/{y}.mvt"
    assert city.client.get(url, headers=city.headers("viewer")).status_code == 200
    assert city.client.get(url).status_code == 401  # kept for the viewer, refused to the public
    items = f"/ogc/collections/{UDB}/items"
    assert city.client.get(items, headers=city.headers("city_staff")).status_code == 200
    assert city.client.get(items).status_code == 401


def test_the_setting_opens_a_layer_on_every_face(city: World) -> None:
    client = TestClient(create_app(settings_for(city.store.url,
                                                public_layers=f"parcels,{UDB}"),
                                   store=city.store))
    tile = _home_tile(city)
    assert set(_faces(client, UDB, tile).values()) <= {200, 204}
    assert set(_faces(client, "districts", tile).values()) == {401}
    zones = client.get("/api/zones").json()  # no kind: the public kinds only
    assert zones["total"] == 2 and {z["kind"] for z in zones["items"]} == {UDB}
    assert client.get("/api/zones", params={"kind": "ecological_redline"}).status_code == 401
    assert client.get("/pages/parcels/JM-0002/card").status_code == 200  # parcels: public
    closed = TestClient(create_app(settings_for(city.store.url, public_layers=UDB),
                                   store=city.store))
    assert closed.get("/api/parcels").status_code == 401
    assert closed.get("/pages/parcels/JM-0002/card").status_code == 401
    assert _map_layers(closed) == [UDB]
    page = client.get("/").text  # the public map offers only the public layers
    assert f'data-layer="{UDB}"' in page and 'data-layer="ecological_redline"' not in page
    assert 'data-layer="districts"' not in page and 'id="layers-public"' in page
    everything = TestClient(create_app(settings_for(city.store.url, public_layers="*"),
                                       store=city.store))
    assert everything.get("/api/zones").json()["total"] == 2
    assert 'id="layers-public"' not in everything.get("/").text


def test_an_unknown_layer_in_the_setting_is_refused_at_start(city: World) -> None:
    with pytest.raises(ConfigurationError, match="unknown layer"):
        create_app(settings_for(city.store.url, public_layers="parcels,redlines"),
                   store=city.store)
