"""The collections of the OGC API (OGC API 要素集合): how each is queried and made into features.

``parcels`` (地块: the current parcels with the published evaluation's categories), ``districts``
(行政区) and one per zone kind (管控图层, e.g. ``ecological_redline``). Each collection's rows are
read within the acting :class:`~landrenew.core.access.Principal`'s districts and view; its
outlines are written as GeoJSON text in one vectorised pass. The documents, paging and pages of
items are :mod:`landrenew.serving.ogc`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
import shapely
from sqlalchemy import Select, func, select
from sqlalchemy.engine import Connection

from landrenew.core.access import PUBLIC, Principal
from landrenew.core.errors import NotFound
from landrenew.core.store import Store
from landrenew.core.store.models import District, ZoneVersion
from landrenew.core.store.versions import box_overlaps
from landrenew.core.units import area_triplet
from landrenew.land.parcels import bbox_clause
from landrenew.land.records import parcel_records
from landrenew.land.zones import ZONE_KINDS
from landrenew.serving.parcels import BBox, P, count_current, current_run_id, listing

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG4490 = "http://www.opengis.net/def/crs/EPSG/0/4490"


def geometries_json(wkbs: list[bytes | None], crs: str) -> list[str]:
    """GeoJSON text of each WKB geometry (``null`` for none), all in one vectorised pass: in
    ``crs`` EPSG:4490 the axes are swapped to its official latitude-first order."""
    geoms = shapely.from_wkb(wkbs)
    if crs == EPSG4490:
        geoms = shapely.transform(geoms, lambda c: c[:, ::-1])
    return [g if g is not None else "null" for g in shapely.to_geojson(geoms)]


def _feature(fid: str, props: dict[str, Any], geometry: str) -> dict[str, Any]:
    """A GeoJSON Feature whose geometry is already JSON text (written as it is by orjson)."""
    return {"type": "Feature", "id": fid, "geometry": orjson.Fragment(geometry),
            "properties": props}


class _Collection:
    """How one collection is queried and turned into features."""

    def __init__(self, cid: str, title: str, description: str,
                 query: Callable[[Store, Principal, BBox | None], tuple[Select, Any]],
                 feature: Callable[[list[Any], Principal], list[tuple[str, dict[str, Any]]]],
                 one: Callable[[Store, Principal, str], Select]):
        self.id, self.title, self.description = cid, title, description
        self.query, self.properties, self.one = query, feature, one

    def count(self, conn: Connection, store: Store, user: Principal, bbox: BBox | None) -> int:
        """``numberMatched`` (parcels: see
        :func:`~landrenew.serving.parcels.count_current`)."""
        if self.id == "parcels":
            return count_current(conn, store, user.scope, bbox)
        stmt = select(func.count()).select_from(self.query(store, user, bbox)[0].subquery())
        return int(conn.scalar(stmt) or 0)

    def page_rows(self, conn: Connection, store: Store, user: Principal, bbox: BBox | None,
                  limit: int, offset: int) -> list[Any]:
        """One page of rows in feature-id order (parcels: see :func:`~landrenew.serving.ogc.items`)."""
        stmt, order = self.query(store, user, bbox)
        return list(conn.execute(stmt.order_by(order).limit(limit).offset(offset)).all())

    def features(self, rows: list[Any], user: Principal, crs: str) -> list[dict[str, Any]]:
        """Each row as a GeoJSON Feature, the outlines converted from WKB in one pass."""
        geometries = geometries_json([r.geom for r in rows], crs)
        return [_feature(fid, props, g)
                for (fid, props), g in zip(self.properties(rows, user), geometries, strict=True)]


def _parcels_query(store: Store, user: Principal, bbox: BBox | None) -> tuple[Select, Any]:
    run_id = current_run_id(store)
    stmt = listing(run_id, user.sees_sensitive).add_columns(P.c.geom)
    if user.scope is not None:
        stmt = stmt.where(P.c.district_code.in_(user.scope))
    if bbox is not None:
        stmt = stmt.where(bbox_clause(store.caps, bbox))
    return stmt, P.c.parcel_code


def _parcel_features(rows: list[Any], user: Principal) -> list[tuple[str, dict[str, Any]]]:
    """(code, properties) of each parcel row: the API's record without its bbox (the geometry
    says it), categories and flags as ';'-joined text (one value per attribute, for GIS)."""
    out = []
    for props in parcel_records(rows, user):
        del props["bbox"]
        props["categories"] = ";".join(props["categories"]) or None
        props["flags"] = ";".join(props["flags"]) or None
        out.append((props["parcel_code"], props))
    return out


def _each(feature: Callable[[Any, Principal], tuple[str, dict[str, Any]]]
          ) -> Callable[[list[Any], Principal], list[tuple[str, dict[str, Any]]]]:
    """A one-row feature function applied to each row of a page."""
    return lambda rows, user: [feature(r, user) for r in rows]


def _parcel_one(store: Store, user: Principal, fid: str) -> Select:
    stmt, _ = _parcels_query(store, user, None)
    return stmt.where(P.c.parcel_code == fid)


D = District.__table__
Z = ZoneVersion.__table__


def _districts_query(store: Store, user: Principal, bbox: BBox | None) -> tuple[Select, Any]:
    stmt = select(D.c.code, D.c.name, D.c.area_m2, D.c.boundary.label("geom"))
    if user.scope is not None:
        stmt = stmt.where(D.c.code.in_(user.scope))
    if bbox is not None:
        stmt = stmt.where(box_overlaps(D, bbox))
    return stmt, D.c.code


def _district_feature(row: Any, user: Principal) -> tuple[str, dict[str, Any]]:
    return row.code, {"code": row.code, "name": row.name, **area_triplet(row.area_m2 or 0.0)}


def _district_one(store: Store, user: Principal, fid: str) -> Select:
    stmt, _ = _districts_query(store, PUBLIC, None)
    return stmt.where(D.c.code == fid)


def _zones(kind: str) -> tuple[Callable[..., tuple[Select, Any]], Callable[..., Select]]:
    def query(store: Store, user: Principal, bbox: BBox | None) -> tuple[Select, Any]:
        stmt = select(Z.c.zone_code, Z.c.kind, Z.c.name, Z.c.area_m2, Z.c.version,
                      Z.c.valid_from, Z.c.geom).where(
            Z.c.kind == kind, Z.c.valid_to.is_(None), Z.c.is_deleted.is_(False))
        if bbox is not None:
            stmt = stmt.where(box_overlaps(Z, bbox))
        return stmt, Z.c.zone_code

    def one(store: Store, user: Principal, fid: str) -> Select:
        return query(store, user, None)[0].where(Z.c.zone_code == fid)

    return query, one


def _zone_feature(row: Any, user: Principal) -> tuple[str, dict[str, Any]]:
    return row.zone_code, {
        "zone_code": row.zone_code, "kind": row.kind, "kind_name": ZONE_KINDS.get(row.kind),
        "name": row.name, **area_triplet(row.area_m2 or 0.0), "version": row.version,
        "valid_from": row.valid_from}


def collections() -> dict[str, _Collection]:
    out = {
        "parcels": _Collection("parcels", "地块 Parcels",
                               "Current parcels with the published evaluation's categories",
                               _parcels_query, _parcel_features, _parcel_one),
        "districts": _Collection("districts", "行政区 Districts", "District boundaries",
                                 _districts_query, _each(_district_feature), _district_one),
    }
    for kind, name in ZONE_KINDS.items():
        query, one = _zones(kind)
        out[kind] = _Collection(kind, f"{name} {kind}", f"Zone layer {kind} ({name})",
                                query, _each(_zone_feature), one)
    return out


COLLECTIONS = collections()


def get_collection(cid: str) -> _Collection:
    coll = COLLECTIONS.get(cid)
    if coll is None:
        raise NotFound(f"no collection '{cid}'; known: {', '.join(COLLECTIONS)}",
                       field="collectionId")
    return coll
