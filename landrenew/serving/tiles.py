"""Vector tiles (矢量切片): Mapbox Vector Tiles in Web Mercator XYZ, one layer per request.

Layers: ``parcels`` (coloured by ``category``, the first category of the published evaluation run;
below zoom 13 a grid overview, see :mod:`landrenew.serving.overview`),
``districts`` and one per zone kind. Tiles carry no sensitive field at all, so anonymous users
may fetch them; district staff get only their own districts' parcels and districts (zones are
city-wide planning layers, as in the REST API).

PostGIS builds the tile with ``ST_AsMVTGeom``/``ST_AsMVT``; SQLite reads the candidates through
the R*Tree bounding boxes, simplifies them for the zoom with shapely and encodes with
``mapbox-vector-tile``. Both use an extent of :data:`EXTENT` and a buffer of :data:`BUFFER`.
"""

from __future__ import annotations

import math
from typing import Any

import mapbox_vector_tile
import numpy as np
import shapely
from pyproj import Transformer
from sqlalchemy import (
    Boolean,
    ColumnElement,
    Select,
    Text,
    and_,
    cast,
    func,
    literal_column,
    null,
    select,
)

from landrenew.core.access import Principal
from landrenew.core.errors import InputError, NotFound
from landrenew.core.store import Store
from landrenew.core.store.models import District, ParcelResult, ParcelVersion, ZoneVersion
from landrenew.core.store.versions import box_overlaps
from landrenew.land.parcels import bbox_clause
from landrenew.land.zones import ZONE_KINDS
from landrenew.serving import tilestore
from landrenew.serving.caches import TILES, data_stamp
from landrenew.serving.overview import MIN_PARCEL_ZOOM, POINTS, overview_tile
from landrenew.serving.parcels import current_run_id

EXTENT = 4096
BUFFER = 64
MAX_ZOOM = 24
MEDIA_TYPE = "application/vnd.mapbox-vector-tile"
HALF = 20037508.342789244  # half the Web Mercator world width, metres
LAYERS = ("parcels", "districts", *ZONE_KINDS)

P = ParcelVersion.__table__
R = ParcelResult.__table__
D = District.__table__
Z = ZoneVersion.__table__
_TO_MERCATOR = Transformer.from_crs(4490, 3857, always_xy=True)

BBox = tuple[float, float, float, float]


def check_tile(layer: str, z: int, x: int, y: int) -> None:
    if layer not in LAYERS:
        raise NotFound(f"no tile layer '{layer}'; known: {', '.join(LAYERS)}", field="layer")
    if not 0 <= z <= MAX_ZOOM:
        raise InputError(f"zoom {z} is outside 0…{MAX_ZOOM}", field="z")
    n = 1 << z
    if not (0 <= x < n and 0 <= y < n):
        raise InputError(f"tile {z}/{x}/{y} does not exist", field="x")


def mercator_bounds(z: int, x: int, y: int) -> BBox:
    size = 2 * HALF / (1 << z)
    minx = -HALF + x * size
    maxy = HALF - y * size
    return minx, maxy - size, minx + size, maxy


def lonlat_bounds(z: int, x: int, y: int, margin: float = 0.0) -> BBox:
    """The tile (grown by ``margin`` of its size on each side) in longitude/latitude."""
    n = 1 << z

    def lon(tx: float) -> float:
        return tx / n * 360.0 - 180.0

    def lat(ty: float) -> float:
        ty = min(max(ty, 0.0), float(n))
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * ty / n))))

    return (max(lon(x - margin), -180.0), lat(y + 1 + margin), min(lon(x + 1 + margin), 180.0),
            lat(y - margin))


def tile_for(lon: float, lat: float, z: int) -> tuple[int, int]:
    """The x/y of the zoom-``z`` tile holding a point."""
    n = 1 << z
    x = int((lon + 180.0) / 360.0 * n)
    r = math.radians(lat)
    y = int((1 - math.asinh(math.tan(r)) / math.pi) / 2 * n)
    return min(max(x, 0), n - 1), min(max(y, 0), n - 1)


def _query(store: Store, user: Principal, layer: str, bbox: BBox) -> Any:
    """Rows (properties…, geom) of ``layer`` whose bounding box meets ``bbox`` (lon/lat)."""
    stmt: Select
    if layer == "parcels":
        run_id = current_run_id(store)
        if run_id is None:
            cols: list[ColumnElement[Any]] = [cast(null(), Boolean).label("is_low_efficiency"),
                                              cast(null(), Text).label("categories")]
            src: Any = P
        else:
            cols = [R.c.is_low_efficiency, R.c.categories]
            src = P.outerjoin(R, and_(R.c.parcel_code == P.c.parcel_code, R.c.run_id == run_id))
        stmt = (select(P.c.parcel_code, P.c.district_code, P.c.land_use, *cols, P.c.geom)
                .select_from(src)
                .where(P.c.valid_to.is_(None), P.c.is_deleted.is_(False),
                       bbox_clause(store.caps, bbox)))
        if user.scope is not None:
            stmt = stmt.where(P.c.district_code.in_(user.scope))
        return stmt.order_by(P.c.parcel_code)
    if layer == "districts":
        stmt = select(D.c.code.label("district_code"), D.c.name, D.c.boundary.label("geom")
                      ).where(box_overlaps(D, bbox))
        if user.scope is not None:
            stmt = stmt.where(D.c.code.in_(user.scope))
        return stmt.order_by(D.c.code)
    return (select(Z.c.zone_code, Z.c.kind, Z.c.name, Z.c.geom)
            .where(Z.c.kind == layer, Z.c.valid_to.is_(None), Z.c.is_deleted.is_(False),
                   box_overlaps(Z, bbox)).order_by(Z.c.zone_code))


def _properties(layer: str, m: Any) -> dict[str, Any]:
    props = {k: v for k, v in m.items() if k != "geom" and v is not None}
    if layer == "parcels":
        cats = [c for c in (m.get("categories") or "").split(";") if c]
        if m.get("is_low_efficiency") is not None:
            props["is_low_efficiency"] = bool(m["is_low_efficiency"])
        if cats:
            props["category"] = cats[0]
    return props


def tile(store: Store, user: Principal, layer: str, z: int, x: int, y: int) -> bytes:
    """The encoded tile (empty bytes when no feature falls in it)."""
    return tile_with_stamp(store, user, layer, z, x, y)[0]


def _key(store: Store, user: Principal, layer: str, z: int, x: int, y: int
         ) -> tuple[tuple[Any, ...], str]:
    check_tile(layer, z, x, y)
    store.ensure_current()
    stamp = data_stamp(store)
    return _stamped_key(store, user, layer, z, x, y, stamp), stamp


def _stamped_key(store: Store, user: Principal, layer: str, z: int, x: int, y: int, stamp: str
                 ) -> tuple[Any, ...]:
    return (store.url, stamp, layer, z, x, y, tilestore.scope_key(user))


def cached_tile(store: Store, user: Principal, layer: str, z: int, x: int, y: int
                ) -> tuple[bytes | None, str]:
    """The tile if this process keeps it for the current stamp (else None), and the stamp: no
    database read, no rendering, so the server may answer from its event loop."""
    key, stamp = _key(store, user, layer, z, x, y)
    return TILES.peek(key), stamp


def stored_tile(store: Store, user: Principal, layer: str, z: int, x: int, y: int, stamp: str
                ) -> bytes | None:
    """The tile from the shared tile store if it was made from ``stamp`` (else None), then kept
    in this process's memory: one read by primary key, no rendering, so the server may answer
    from its event loop (:mod:`landrenew.api.making` says why that is cheaper than a thread for
    so short a job). Called after :func:`cached_tile`, which checked the tile and gave
    ``stamp``."""
    with store.reading() as conn:
        data = tilestore.read(conn, layer, tilestore.scope_key(user), z, x, y, stamp)
    if data is not None:
        TILES.put(_stamped_key(store, user, layer, z, x, y, stamp), data)
    return data


def tile_with_stamp(store: Store, user: Principal, layer: str, z: int, x: int, y: int
                    ) -> tuple[bytes, str]:
    """The encoded tile and the data stamp it was made from (cached per stamp; see
    :mod:`landrenew.serving.caches`). Parcels below zoom
    :data:`~landrenew.serving.overview.MIN_PARCEL_ZOOM` are the grid overview."""
    key, stamp = _key(store, user, layer, z, x, y)
    scope = key[-1]

    def make() -> bytes:
        with store.reading() as conn:
            data = tilestore.read(conn, layer, scope, z, x, y, stamp)
        if data is None:
            data = render_tile(store, user, layer, z, x, y, stamp)
            tilestore.write(store, [(layer, scope, z, x, y, stamp, data)])
        return data

    return TILES.get_or_make(key, make), stamp


def render(store: Store, user: Principal, layer: str, z: int, x: int, y: int, stamp: str
           ) -> bytes:
    """Render a tile now, bypassing both caches (the seeding run)."""
    check_tile(layer, z, x, y)
    return render_tile(store, user, layer, z, x, y, stamp)


def render_tile(store: Store, user: Principal, layer: str, z: int, x: int, y: int,
                stamp: str) -> bytes:
    """One tile made from the database (no cache consulted)."""
    if layer == "parcels" and z < MIN_PARCEL_ZOOM:
        return overview_tile(POINTS.get(store, stamp), user, mercator_bounds(z, x, y), EXTENT)
    margin = BUFFER / EXTENT
    stmt = _query(store, user, layer, lonlat_bounds(z, x, y, margin))
    if store.caps.spatial_sql:
        return _postgis_tile(store, stmt, layer, z, x, y)
    return _python_tile(store, stmt, layer, z, x, y)


def _postgis_tile(store: Store, stmt: Any, layer: str, z: int, x: int, y: int) -> bytes:
    src = stmt.order_by(None).subquery("src")
    cols: list[Any] = [c for c in src.c if c.name != "geom"]
    if layer == "parcels":
        cols.append(func.nullif(func.split_part(src.c.categories, ";", 1), "").label("category"))
    geom = func.ST_AsMVTGeom(func.ST_Transform(src.c.geom, 3857), func.ST_TileEnvelope(z, x, y),
                             EXTENT, BUFFER, True).label("mvtgeom")
    mvt = select(*cols, geom).select_from(src).subquery("mvt")
    query = select(func.ST_AsMVT(literal_column("mvt"), layer, EXTENT, "mvtgeom")
                   ).select_from(mvt).where(mvt.c.mvtgeom.is_not(None))
    with store.engine.connect() as conn:
        data = conn.execute(query).scalar()
    return bytes(data or b"")


def _python_tile(store: Store, stmt: Any, layer: str, z: int, x: int, y: int) -> bytes:
    with store.engine.connect() as conn:
        rows = conn.execute(stmt).all()
    if not rows:
        return b""
    minx, miny, maxx, _ = mercator_bounds(z, x, y)
    scale = EXTENT / (maxx - minx)  # tile units (y up) per metre

    def to_tile(c: np.ndarray) -> np.ndarray:
        mx, my = _TO_MERCATOR.transform(c[:, 0], c[:, 1])
        return np.column_stack(((np.asarray(mx) - minx) * scale, (np.asarray(my) - miny) * scale))

    geoms = tile_geometries(shapely.transform(shapely.from_wkb([r.geom for r in rows]), to_tile))
    features = [{"geometry": geom, "properties": _properties(layer, row._mapping)}
                for row, geom in zip(rows, geoms, strict=True) if geom is not None]
    if not features:
        return b""
    return encode(layer, features)


def tile_geometries(geoms: np.ndarray) -> list[Any]:
    """Polygons in tile units (y up) made ready to encode: clipped to the tile and its buffer,
    simplified by half a unit, snapped to the tile grid (slivers collapse to nothing) and
    oriented as MVT wants (exterior rings clockwise with y up), all in vectorised passes, so the
    encoder need not rebuild every polygon point by point to check its winding. None where
    nothing is left to draw."""
    geoms = shapely.clip_by_rect(geoms, -BUFFER, -BUFFER, EXTENT + BUFFER, EXTENT + BUFFER)
    geoms = shapely.simplify(geoms, 0.5, preserve_topology=True)
    geoms = shapely.set_precision(geoms, 1.0)
    geoms = shapely.orient_polygons(geoms, exterior_cw=True)
    out: list[Any] = []
    for geom in geoms:
        if geom is not None and geom.geom_type == "GeometryCollection":
            polys = [g for g in geom.geoms if g.geom_type in ("Polygon", "MultiPolygon")]
            geom = (shapely.orient_polygons(shapely.union_all(polys), exterior_cw=True)
                    if polys else None)
        out.append(None if geom is None or geom.is_empty else geom)
    return out


def encode(layer: str, features: list[dict[str, Any]], check_winding_order: bool = False
           ) -> bytes:
    """One MVT layer. The geometries come on the tile grid, valid and already oriented, so the
    encoder's own per-polygon winding check is off unless asked for (the tests compare both)."""
    return mapbox_vector_tile.encode(
        [{"name": layer, "features": features}],
        default_options={"extents": EXTENT, "check_winding_order": check_winding_order,
                         "on_invalid_geometry": mapbox_vector_tile.encoder
                         .on_invalid_geometry_make_valid})
