"""OGC API Features, read-only (OGC API 要素服务): landing page, collections and items as GeoJSON.

Collections: ``parcels`` (地块), ``districts`` (行政区) and one per zone kind (管控图层, e.g.
``ecological_redline``), defined in :mod:`landrenew.serving.ogc_collections`. The same policy
as the REST API applies through the acting :class:`~landrenew.core.access.Principal`: district
staff see their own districts' parcels and districts, sensitive fields are removed by
:func:`~landrenew.core.access.redact`. Unauthenticated requests act as
:data:`~landrenew.core.access.PUBLIC` — city-wide, never any sensitive field.

Coordinates are stored in EPSG:4490 (CGCS2000, longitude/latitude in the columns); the default
output CRS is OGC CRS84 (lon, lat: the stored numbers). ``crs=…/EPSG/0/4490`` returns the same
positions in that CRS's official axis order, latitude first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import orjson
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.engine import Connection

from landrenew.core.access import Principal, require_district
from landrenew.core.errors import InputError, NotFound
from landrenew.core.store import Store
from landrenew.serving.caches import COUNTS, FEATURES, data_stamp
from landrenew.serving.featuretext import server_texts
from landrenew.serving.ogc_collections import (
    COLLECTIONS,
    CRS84,
    EPSG4490,
    D,
    Z,
    get_collection,
)
from landrenew.serving.parcels import P, page_id_list, version_rows

SUPPORTED_CRS = (CRS84, EPSG4490)
#: The axis order of each output CRS: CRS84 is longitude first, as stored; EPSG:4490's
#: official order is latitude first.
AXES = {CRS84: "xy", EPSG4490: "yx"}
CRS_ALIASES = {CRS84: CRS84, "CRS84": CRS84, "OGC:CRS84": CRS84, EPSG4490: EPSG4490,
               "EPSG:4490": EPSG4490, "4490": EPSG4490}
GEOJSON = "application/geo+json"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
DEFAULT_LIMIT = 100
MAX_LIMIT = 10_000
CONFORMANCE = (
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
)
#: The user unauthenticated OGC requests act as: city-wide, without sensitive fields.
BBox = tuple[float, float, float, float]


#: The largest offset served: beyond any collection, and within every database's integers.
MAX_OFFSET = 2**31 - 1


class OgcInputError(InputError):
    """A bad OGC request parameter: 400, as OGC API Features requires (the REST API uses 422),
    answered as an OGC exception (``code`` and ``description``, the REST fields besides)."""

    status = 400

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "description": self.message}


def check_paging(limit: int, offset: int) -> None:
    if not 1 <= limit <= MAX_LIMIT:
        raise OgcInputError(f"limit must be 1…{MAX_LIMIT}", field="limit")
    if not 0 <= offset <= MAX_OFFSET:
        raise OgcInputError(f"offset must be 0…{MAX_OFFSET}", field="offset")


def parse_crs(value: str | None, field: str = "crs") -> str:
    if not value:
        return CRS84
    crs = CRS_ALIASES.get(value.strip())
    if crs is None:
        raise OgcInputError(f"unsupported {field} '{value}'; supported: {', '.join(SUPPORTED_CRS)}",
                         field=field)
    return crs


def parse_bbox(value: str | None, bbox_crs: str | None = None) -> BBox | None:
    """``minx,miny,maxx,maxy`` (CRS84, or ``bbox-crs`` EPSG:4490 as lat,lon) → stored lon/lat."""
    if not value:
        return None
    try:
        parts = [float(v) for v in value.split(",")]
    except ValueError as exc:
        raise OgcInputError(f"bbox '{value}' is not four numbers", field="bbox") from exc
    if len(parts) == 6:  # 3D bbox: drop the heights
        parts = [parts[0], parts[1], parts[3], parts[4]]
    if len(parts) != 4:
        raise OgcInputError(f"bbox '{value}' must be minx,miny,maxx,maxy", field="bbox")
    if parse_crs(bbox_crs, "bbox-crs") == EPSG4490:
        parts = [parts[1], parts[0], parts[3], parts[2]]
    if parts[0] > parts[2] or parts[1] > parts[3]:
        raise OgcInputError(f"bbox '{value}' must be minx,miny,maxx,maxy", field="bbox")
    return parts[0], parts[1], parts[2], parts[3]


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def dumps(doc: Any) -> bytes:
    """UTF-8 JSON (dates ISO 8601, times in UTC with ``Z`` — stored times are naive UTC —,
    Decimal as a number)."""
    return orjson.dumps(doc, default=_jsonable, option=orjson.OPT_NAIVE_UTC | orjson.OPT_UTC_Z)


# ---------------------------------------------------------------- documents

def _link(href: str, rel: str, type_: str, title: str | None = None) -> dict[str, Any]:
    link = {"href": href, "rel": rel, "type": type_}
    if title:
        link["title"] = title
    return link


def landing(base: str) -> dict[str, Any]:
    """``base`` is the absolute URL of ``/ogc`` without a trailing slash."""
    return {"title": "landrenew 低效用地再开发平台 OGC API Features",
            "description": "Parcels, districts and zone layers (read-only)",
            "links": [_link(base, "self", "application/json", "this document"),
                      _link(f"{base}/api", "service-desc", OPENAPI, "the API definition"),
                      _link(f"{base}/conformance", "conformance", "application/json",
                            "conformance classes"),
                      _link(f"{base}/collections", "data", "application/json", "collections")]}


def conformance() -> dict[str, Any]:
    return {"conformsTo": list(CONFORMANCE)}


def _extent(store: Store, user: Principal, cid: str) -> list[float] | None:
    where: list[ColumnElement[bool]]
    if cid == "parcels":
        table, where = P, [P.c.valid_to.is_(None), P.c.is_deleted.is_(False)]
        if user.scope is not None:
            where.append(P.c.district_code.in_(user.scope))
    elif cid == "districts":
        table, where = D, [] if user.scope is None else [D.c.code.in_(user.scope)]
    else:
        table, where = Z, [Z.c.kind == cid, Z.c.valid_to.is_(None), Z.c.is_deleted.is_(False)]
    stmt = select(func.min(table.c.minx), func.min(table.c.miny), func.max(table.c.maxx),
                  func.max(table.c.maxy)).where(*where)
    with store.engine.connect() as conn:
        row = conn.execute(stmt).first()
    if row is None or row[0] is None:
        return None
    return [float(v) for v in row]


def collection_doc(store: Store, user: Principal, base: str, cid: str) -> dict[str, Any]:
    coll = get_collection(cid)
    href = f"{base}/collections/{cid}"
    doc: dict[str, Any] = {
        "id": cid, "title": coll.title, "description": coll.description, "itemType": "feature",
        "crs": list(SUPPORTED_CRS), "storageCrs": EPSG4490,
        "links": [_link(href, "self", "application/json"),
                  _link(f"{href}/items", "items", GEOJSON, "features")]}
    bbox = _extent(store, user, cid)
    if bbox is not None:
        doc["extent"] = {"spatial": {"bbox": [bbox], "crs": CRS84}}
    return doc


def collections_doc(store: Store, user: Principal, base: str,
                    readable: Collection[str] | None = None) -> dict[str, Any]:
    """The collections document: every collection, or those in ``readable`` (the layers the
    user may read, :mod:`landrenew.serving.layers`)."""
    store.ensure_current()
    return {"links": [_link(f"{base}/collections", "self", "application/json")],
            "crs": list(SUPPORTED_CRS),
            "collections": [collection_doc(store, user, base, cid) for cid in COLLECTIONS
                            if readable is None or cid in readable]}


#: Each parcel feature's GeoJSON text (要素文本缓存) per database, data stamp, view and axis
#: order, in this process. Pages of neighbouring boxes share most of their features (500
#: random 1000-feature pages of the bench city hold 83 000 distinct parcels in 500 000 places),
#: so a new page is mostly joined from texts earlier pages made; a write drops them all.


def _parcel_texts(conn: Connection, store: Store, user: Principal, ids: list[int], crs: str
                  ) -> dict[int, bytes]:
    """Each parcel version's feature text in ``user``'s view: written by the server on PostGIS
    (:mod:`landrenew.serving.featuretext`), else made here (outlines in one vectorised pass)."""
    if store.caps.spatial_sql:
        return server_texts(conn, store, user, ids, AXES[crs])
    rows = version_rows(conn, store, user, ids)
    features = get_collection("parcels").features(rows, user, crs)
    return dict(zip((row.id for row in rows), _texts(features), strict=True))


#: How every feature's text begins (:func:`~landrenew.serving.ogc_collections._feature` puts
#: these keys first).
_FEATURE_START = b'{"type":"Feature","id":'


def _texts(features: list[dict[str, Any]]) -> list[bytes]:
    """Each feature's JSON text, written in one orjson call for all of them (a call per feature
    costs six times as much) and cut where each feature begins: the bytes of
    :data:`_FEATURE_START` hold unescaped quotes, which JSON never writes inside a string, so
    they occur only where a feature starts."""
    if not features:
        return []
    pieces = dumps(features)[1:-1].split(b"," + _FEATURE_START)
    if len(pieces) != len(features):  # cannot happen (see above); never cut wrongly
        return [dumps(f) for f in features]
    return [pieces[0], *(_FEATURE_START + p for p in pieces[1:])]


def items(store: Store, user: Principal, base: str, cid: str, *, bbox: BBox | None,
          limit: int, offset: int, crs: str, query: dict[str, str]) -> bytes:
    """One page of a collection's features as GeoJSON FeatureCollection text (UTF-8) with
    paging links, written by orjson in one call: parcels as the page's ids joined with each
    feature's kept text (:data:`FEATURES`; the texts not kept are made for the page at once),
    any other collection with its features made here, their outlines converted to GeoJSON text
    in one vectorised pass.

    ``query`` holds the request's other parameters, carried into the ``self``/``next`` links.
    """
    coll = get_collection(cid)
    check_paging(limit, offset)
    store.ensure_current()
    stamp = data_stamp(store)  # before taking the connection: one connection per request
    with store.reading() as conn:
        key = ("ogc", store.url, stamp, cid, user.scope, user.sees_sensitive, bbox)
        if cid == "parcels":  # each feature's text, kept from earlier pages or made now
            # the count not kept yet is read with the page's ids where it can be
            ids, counted = page_id_list(conn, store, user, bbox=bbox, limit=limit,
                                        offset=offset, count=not COUNTS.holds(key))
            matched = COUNTS.get_or_count(key, lambda: coll.count(conn, store, user, bbox)
                                          if counted is None else counted)
            texts = FEATURES.pieces((store.url, stamp, user.sees_sensitive, user.is_public, crs),
                                    ids,
                                    lambda wanted: _parcel_texts(conn, store, user, wanted, crs))
            features: Any = orjson.Fragment(b"[" + b",".join(texts) + b"]")
            returned = len(texts)
        else:
            matched = COUNTS.get_or_count(key, lambda: coll.count(conn, store, user, bbox))
            features = coll.features(coll.page_rows(conn, store, user, bbox, limit, offset),
                                     user, crs)
            returned = len(features)
    href = f"{base}/collections/{cid}/items"

    def page(o: int) -> str:
        return f"{href}?{urlencode({**query, 'limit': limit, 'offset': o})}"

    links = [_link(page(offset), "self", GEOJSON),
             _link(f"{base}/collections/{cid}", "collection", "application/json")]
    if offset + returned < matched:
        links.append(_link(page(offset + limit), "next", GEOJSON, "next page"))
    if offset > 0:
        links.append(_link(page(max(0, offset - limit)), "prev", GEOJSON, "previous page"))
    return dumps({"type": "FeatureCollection", "features": features,
                  "numberMatched": matched, "numberReturned": returned,
                  "timeStamp": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
                  .replace("+00:00", "Z"), "links": links})


def item(store: Store, user: Principal, base: str, cid: str, fid: str, *, crs: str
         ) -> dict[str, Any]:
    """One feature; outside the user's districts it is answered as absent (404)."""
    coll = get_collection(cid)
    store.ensure_current()
    with store.engine.connect() as conn:
        row = conn.execute(coll.one(store, user, fid)).first()
    if row is None:
        raise NotFound(f"no feature '{fid}' in '{cid}'", field="featureId")
    if cid == "parcels":
        require_district(user, row.district_code, f"feature '{fid}' in '{cid}'", "featureId")
    elif cid == "districts":
        require_district(user, row.code, f"feature '{fid}' in '{cid}'", "featureId")
    feature = coll.features([row], user, crs)[0]  # its outline is GeoJSON text (see dumps)
    href = f"{base}/collections/{cid}/items/{fid}"
    feature["links"] = [_link(href, "self", GEOJSON),
                        _link(f"{base}/collections/{cid}", "collection", "application/json")]
    return feature
