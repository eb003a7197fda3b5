"""The intranet base map: a PMTiles or MBTiles file, or an intranet tile service, served by the
app at /basemap/{z}/{x}/{y}; without any, 404 and a plain style drawn from districts and zones."""

from __future__ import annotations

import gzip
import json
import re
import sqlite3
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from pmtiles.tile import Compression, TileType, zxy_to_tileid
from pmtiles.writer import Writer

from landrenew.core.errors import ConfigurationError
from landrenew.server import create_app
from landrenew.serving.basemap import Basemap, ProxySource, open_basemap

from .conftest import World, settings_for

#: A valid 1×1 PNG (the tiles' content does not matter, only that they come back unchanged).
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


def pmtiles_file(path: Path, tiles: dict[tuple[int, int, int], bytes], *,
                 tile_type: TileType = TileType.PNG, gzipped: bool = False,
                 metadata: dict[str, Any] | None = None) -> Path:
    with path.open("wb") as f:
        writer = Writer(f)
        for (z, x, y), data in sorted(tiles.items(), key=lambda t: zxy_to_tileid(*t[0])):
            writer.write_tile(zxy_to_tileid(z, x, y), data)
        writer.finalize({
            "tile_type": tile_type,
            "tile_compression": Compression.GZIP if gzipped else Compression.NONE,
            "min_lon_e7": 1120000000, "min_lat_e7": 210000000, "max_lon_e7": 1140000000,
            "max_lat_e7": 230000000, "center_zoom": 1, "center_lon_e7": 1130000000,
            "center_lat_e7": 220000000}, metadata or {"attribution": "本局底图"})
    return path


def mbtiles_file(path: Path, tiles: dict[tuple[int, int, int], bytes], fmt: str = "png",
                 metadata: dict[str, str] | None = None) -> Path:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
    conn.execute("CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, "
                 "tile_row INTEGER, tile_data BLOB)")
    meta = {"format": fmt, "minzoom": "0", "maxzoom": "2", "attribution": "内网底图",
            **(metadata or {})}
    conn.executemany("INSERT INTO metadata VALUES (?, ?)", list(meta.items()))
    for (z, x, y), data in tiles.items():  # MBTiles rows count from the south
        conn.execute("INSERT INTO tiles VALUES (?, ?, ?, ?)", (z, x, (1 << z) - 1 - y, data))
    conn.commit()
    conn.close()
    return path


def _client(city: World, **settings: Any) -> TestClient:
    return TestClient(create_app(settings_for(city.store.url, **settings), store=city.store))


def _map_config(client: TestClient) -> dict[str, Any]:
    html = client.get("/").text
    found = re.search(r'<script id="map-config" type="application/json">(.*?)</script>', html,
                      re.S)
    assert found
    return json.loads(found.group(1))


def test_a_pmtiles_file_is_served(city: World, tmp_path: Path) -> None:
    path = pmtiles_file(tmp_path / "base.pmtiles", {(0, 0, 0): PNG, (1, 1, 0): PNG + b"1"})
    client = _client(city, basemap_file=str(path))
    r = client.get("/basemap/1/1/0")
    assert r.status_code == 200 and r.content == PNG + b"1"
    assert r.headers["content-type"] == "image/png" and "max-age" in r.headers["cache-control"]
    assert client.get("/basemap/1/0/0").status_code == 204  # not in the file
    assert client.get("/basemap/9/0/0").status_code == 204  # beyond its zooms
    assert client.get("/basemap/1/2/0").status_code == 422  # no such tile
    config = _map_config(client)
    assert config["basemap"]["kind"] == "raster" and config["basemap"]["attribution"] == "本局底图"
    assert config["basemap"]["tiles"] == "/basemap/{z}/{x}/{y}" and config["tianditu"] is None


def test_vector_tiles_go_out_gzipped_to_those_who_take_it(city: World, tmp_path: Path) -> None:
    mvt = b"\x1a\x05fake"
    path = pmtiles_file(tmp_path / "v.pmtiles", {(0, 0, 0): gzip.compress(mvt)},
                        tile_type=TileType.MVT, gzipped=True,
                        metadata={"vector_layers": [{"id": "roads"}, {"id": "water"}]})
    client = _client(city, basemap_file=str(path))
    r = client.get("/basemap/0/0/0")  # httpx takes gzip and undoes it
    assert r.status_code == 200 and r.content == mvt
    assert r.headers["content-encoding"] == "gzip"
    plain = client.get("/basemap/0/0/0", headers={"Accept-Encoding": "identity"})
    assert plain.content == mvt and "content-encoding" not in plain.headers
    config = _map_config(client)["basemap"]
    assert config["kind"] == "vector" and config["layers"] == ["roads", "water"]


def test_an_mbtiles_file_is_served_with_its_rows_flipped(city: World, tmp_path: Path) -> None:
    path = mbtiles_file(tmp_path / "base.mbtiles", {(2, 1, 0): b"north", (2, 1, 3): b"south"},
                        fmt="jpg")
    client = _client(city, basemap_file=str(path))
    north = client.get("/basemap/2/1/0")
    assert north.content == b"north" and north.headers["content-type"] == "image/jpeg"
    assert client.get("/basemap/2/1/3").content == b"south"
    assert client.get("/basemap/2/0/0").status_code == 204


def test_an_intranet_service_is_fetched_for_the_browser(city: World) -> None:
    asked: list[str] = []

    def service(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        if request.url.params.get("TILEROW") == "5":
            return httpx.Response(404)
        return httpx.Response(200, content=PNG, headers={"Content-Type": "image/png"})

    template = ("http://tiles.intranet/wmts?SERVICE=WMTS&REQUEST=GetTile&LAYER=vec"
                "&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}")
    client = _client(city, basemap_url=template)
    client.app.state.basemap = Basemap(  # type: ignore[attr-defined]
        ProxySource(template, httpx.Client(transport=httpx.MockTransport(service))), "png")
    r = client.get("/basemap/3/6/2")
    assert r.status_code == 200 and r.content == PNG
    assert asked == ["http://tiles.intranet/wmts?SERVICE=WMTS&REQUEST=GetTile&LAYER=vec"
                     "&TILEMATRIX=3&TILEROW=2&TILECOL=6"]
    assert client.get("/basemap/3/6/5").status_code == 204
    tms = ProxySource("http://tiles.intranet/{z}/{x}/{-y}.png")
    assert tms.url(3, 6, 2) == "http://tiles.intranet/3/6/5.png"


def test_without_a_base_map_the_map_draws_a_plain_style(city: World) -> None:
    client = _client(city)
    assert client.get("/basemap/0/0/0").status_code == 404
    config = _map_config(client)
    assert config["basemap"] is None and config["tianditu"] is None
    assert 'id="basemap-kind"' in client.get("/").text
    with_key = _map_config(_client(city, tianditu_token="abc"))
    assert with_key["tianditu"] == "abc" and with_key["basemap"] is None


def test_a_bad_base_map_setting_is_refused_at_start(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="no base map file"):
        open_basemap(str(tmp_path / "missing.pmtiles"), None)
    junk = tmp_path / "junk.mbtiles"
    junk.write_bytes(b"not a tile file at all")
    with pytest.raises(ConfigurationError, match="not an MBTiles file"):
        open_basemap(str(junk), None)
    with pytest.raises(ConfigurationError, match="BASEMAP_URL"):
        open_basemap(None, "ftp://tiles/{z}/{x}/{y}")
    assert open_basemap(None, None) is None
