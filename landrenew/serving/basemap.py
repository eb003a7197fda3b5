"""The intranet base map (内网底图): tiles from a local PMTiles or MBTiles file, or from an
intranet XYZ/WMTS service, served by the app at ``/basemap/{z}/{x}/{y}``.

Many bureaus cannot reach the internet from their desks: they run their own tile service, a
天地图 mirror, or keep a tile file. ``basemap_file`` names a ``.pmtiles`` or ``.mbtiles`` file
(raster PNG/JPEG/WebP tiles, or vector tiles drawn in a plain style); ``basemap_url`` names a
tile service by a URL template with ``{z}``, ``{x}`` and ``{y}`` (``{-y}`` for a TMS row; a WMTS
KVP request as ``…&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}``), which the app fetches on the
browser's behalf — the browser talks to the app alone, so no other host enters the pages'
Content Security Policy. 天地图 with a key (``tianditu_token``) stays an option when neither is set;
without any of them the map draws a plain style from the districts and zones (map.js).
"""

from __future__ import annotations

import gzip
import json
import logging
import sqlite3
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import httpx
from pmtiles.reader import MmapSource, Reader
from pmtiles.tile import Compression, TileType

from landrenew.core.errors import ConfigurationError, InputError

log = logging.getLogger(__name__)

MEDIA_TYPES = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg",
               "webp": "image/webp", "pbf": "application/vnd.mapbox-vector-tile",
               "mvt": "application/vnd.mapbox-vector-tile"}
_PMTILES_FORMATS = {TileType.PNG: "png", TileType.JPEG: "jpg", TileType.WEBP: "webp",
                    TileType.MVT: "pbf"}
#: How long the browser may keep a base-map tile (the base map changes rarely).
MAX_AGE = 24 * 3600
#: How long the app waits for the intranet tile service.
PROXY_TIMEOUT = 10.0
MAX_ZOOM = 24


@dataclass(frozen=True)
class Tile:
    """One base-map tile: its bytes, media type and content encoding (gzip for most vector
    tiles as stored)."""

    data: bytes
    media_type: str
    encoding: str | None = None


class Source(Protocol):
    def tile(self, z: int, x: int, y: int) -> Tile | None: ...


@dataclass
class Basemap:
    """The configured base map: what map.js needs to draw it (:meth:`config`) and its tiles."""

    source: Source
    format: str  # png, jpg, webp or pbf
    minzoom: int = 0
    maxzoom: int = 18
    attribution: str | None = None
    vector_layers: tuple[str, ...] = ()
    tile_size: int = 256

    @property
    def vector(self) -> bool:
        return self.format == "pbf"

    def config(self) -> dict[str, Any]:
        return {"tiles": "/basemap/{z}/{x}/{y}", "kind": "vector" if self.vector else "raster",
                "minzoom": self.minzoom, "maxzoom": self.maxzoom,
                "attribution": self.attribution or "", "layers": list(self.vector_layers),
                "tile_size": self.tile_size}

    def tile(self, z: int, x: int, y: int) -> Tile | None:
        check_tile(z, x, y)
        if z < self.minzoom or z > self.maxzoom:
            return None
        return self.source.tile(z, x, y)


def check_tile(z: int, x: int, y: int) -> None:
    if not 0 <= z <= MAX_ZOOM:
        raise InputError(f"zoom {z} is outside 0…{MAX_ZOOM}", field="z")
    n = 1 << z
    if not (0 <= x < n and 0 <= y < n):
        raise InputError(f"tile {z}/{x}/{y} does not exist", field="x")


# ---------------------------------------------------------------- a PMTiles file

class PMTilesSource:
    def __init__(self, path: Path) -> None:
        self._file = path.open("rb")
        self._reader = Reader(MmapSource(self._file))
        self.header = self._reader.header()
        self._gzip = self.header.get("tile_compression") == Compression.GZIP

    def metadata(self) -> dict[str, Any]:
        try:
            meta = self._reader.metadata()
        except ValueError:
            return {}
        return meta if isinstance(meta, dict) else {}

    def tile(self, z: int, x: int, y: int) -> Tile | None:
        data = self._reader.get(z, x, y)
        if not data:
            return None
        fmt = _PMTILES_FORMATS.get(self.header.get("tile_type"), "png")
        return Tile(bytes(data), MEDIA_TYPES[fmt], "gzip" if self._gzip else None)


def _pmtiles(path: Path) -> Basemap:
    src = PMTilesSource(path)
    fmt = _PMTILES_FORMATS.get(src.header.get("tile_type"))
    if fmt is None:
        raise ConfigurationError(
            f"base map file {path.name}: tiles of type {src.header.get('tile_type')} cannot be "
            "shown (PNG, JPEG, WebP or vector tiles)", field="basemap_file")
    meta = src.metadata()
    return Basemap(src, fmt, int(src.header.get("min_zoom", 0)),
                   int(src.header.get("max_zoom", 18)), meta.get("attribution"),
                   _layer_ids(meta))


def _layer_ids(meta: dict[str, Any]) -> tuple[str, ...]:
    return tuple(str(layer["id"]) for layer in meta.get("vector_layers") or []
                 if isinstance(layer, dict) and "id" in layer)


# ---------------------------------------------------------------- an MBTiles file

@dataclass
class MBTilesSource:
    path: Path
    format: str = "png"
    _local: threading.local = field(default_factory=threading.local)

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:  # one read-only connection per thread
            conn = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True)
            self._local.conn = conn
        return conn

    def metadata(self) -> dict[str, str]:
        return {str(k): str(v) for k, v in
                self._conn().execute("SELECT name, value FROM metadata").fetchall()}

    def tile(self, z: int, x: int, y: int) -> Tile | None:
        row = self._conn().execute(  # MBTiles rows count from the south (TMS)
            "SELECT tile_data FROM tiles WHERE zoom_level=? AND tile_column=? AND tile_row=?",
            (z, x, (1 << z) - 1 - y)).fetchone()
        if row is None or not row[0]:
            return None
        data = bytes(row[0])
        fmt = self.format
        encoding = "gzip" if fmt == "pbf" and data[:2] == b"\x1f\x8b" else None
        return Tile(data, MEDIA_TYPES[fmt], encoding)


def _mbtiles(path: Path) -> Basemap:
    src = MBTilesSource(path)
    try:
        meta = src.metadata()
    except sqlite3.DatabaseError as exc:
        raise ConfigurationError(f"base map file {path.name} is not an MBTiles file",
                                 field="basemap_file") from exc
    fmt = meta.get("format", "png").lower()
    if fmt not in MEDIA_TYPES:
        raise ConfigurationError(
            f"base map file {path.name}: tiles of format '{fmt}' cannot be shown (png, jpg, "
            "webp or pbf)", field="basemap_file")
    src.format = "pbf" if fmt == "mvt" else fmt
    try:
        vector_meta = json.loads(meta.get("json") or "{}")
    except ValueError:
        vector_meta = {}
    return Basemap(src, src.format, int(meta.get("minzoom", 0)), int(meta.get("maxzoom", 18)),
                   meta.get("attribution"), _layer_ids(vector_meta))


# ---------------------------------------------------------------- an intranet tile service

class ProxySource:
    """Tiles fetched from an intranet XYZ/WMTS service on the browser's behalf."""

    def __init__(self, template: str, client: httpx.Client | None = None) -> None:
        self.template = template
        self.client = client or httpx.Client(timeout=PROXY_TIMEOUT, follow_redirects=False)

    def url(self, z: int, x: int, y: int) -> str:
        return (self.template.replace("{z}", str(z)).replace("{x}", str(x))
                .replace("{-y}", str((1 << z) - 1 - y)).replace("{y}", str(y)))

    def tile(self, z: int, x: int, y: int) -> Tile | None:
        try:
            r = self.client.get(self.url(z, x, y))
        except httpx.HTTPError as exc:
            log.warning("base map service did not answer tile %s/%s/%s: %s", z, x, y, exc)
            return None
        media = r.headers.get("content-type", "").split(";")[0].strip()
        if r.status_code != 200 or not r.content or not (
                media.startswith("image/") or media in MEDIA_TYPES.values()):
            if r.status_code not in (200, 204, 404):
                log.warning("base map service answered %s for tile %s/%s/%s", r.status_code,
                            z, x, y)
            return None
        return Tile(r.content, media)


def _proxy(template: str, attribution: str | None) -> Basemap:
    if not template.startswith(("http://", "https://")) or not all(
            p in template for p in ("{z}", "{x}")) or not ("{y}" in template or
                                                          "{-y}" in template):
        raise ConfigurationError(
            "setting LANDRENEW_BASEMAP_URL must be an http(s) URL template naming the tile's "
            "zoom, column and row as z, x and y in braces", field="basemap_url")
    return Basemap(ProxySource(template), "png", attribution=attribution)


# ---------------------------------------------------------------- from the settings

def open_basemap(basemap_file: str | None, basemap_url: str | None,
                 attribution: str | None = None) -> Basemap | None:
    """The base map the settings name (a file first, else a service), or None (天地图 with a key,
    else the plain style). A file that is missing or not a tile file is refused at start."""
    if basemap_file:
        path = Path(basemap_file)
        if not path.is_file():
            raise ConfigurationError(f"no base map file at {basemap_file}",
                                     field="basemap_file")
        with path.open("rb") as fh:
            magic = fh.read(7)
        made = _pmtiles(path) if magic == b"PMTiles" else _mbtiles(path)
        if attribution:
            made.attribution = attribution
        return made
    if basemap_url:
        return _proxy(basemap_url, attribution)
    return None


def decompressed(tile: Tile) -> bytes:
    """The tile's bytes without their gzip (for a client that does not accept gzip)."""
    return gzip.decompress(tile.data) if tile.encoding == "gzip" else tile.data
