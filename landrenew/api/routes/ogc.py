"""OGC API Features (read-only) at ``/ogc``: thin HTTP over :mod:`landrenew.serving.ogc`.

Access: without credentials a request is public (city-wide, no sensitive field); with a bearer
token or the pages' session cookie it gets that user's view. A bad bearer token is 401.
Only JSON is served: ``f=json``/``f=geojson`` (or none) is accepted, ``f=html`` and any other
format are refused with 400 (as are other bad parameters); the ``Accept`` header is not negotiated.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response

from landrenew.api import kept, making
from landrenew.api.deps import (
    PublicLayers,
    SettingsDep,
    StoreDep,
    TokenDep,
    authenticate,
    bearer_token,
    session_user,
)
from landrenew.api.openapi30 import ogc_definition
from landrenew.api.responses import answer, compress, etag_for
from landrenew.core.access import PUBLIC, Principal
from landrenew.core.errors import LandrenewError
from landrenew.core.settings import Settings
from landrenew.core.store import Store
from landrenew.serving import layers, pagestore
from landrenew.serving import ogc as service
from landrenew.serving.caches import OGC_PAGES as PAGES
from landrenew.serving.caches import data_stamp
from landrenew.serving.ogc_collections import get_collection

router = APIRouter(prefix="/ogc", tags=["ogc"])
FORMATS = ("json", "geojson")


async def ogc_user(request: Request, settings: SettingsDep, store: StoreDep, token: TokenDep
                   ) -> Principal:
    """The bearer token's or session's user, else the public (anonymous) view."""
    return ogc_principal(request, settings, store, token)


def ogc_principal(request: Request, settings: Settings, store: Store, token: str | None
                  ) -> Principal:
    """:func:`ogc_user` as a plain function (for :mod:`landrenew.api.kept`)."""
    if token:
        return authenticate(request, settings, store, token)
    return session_user(request, settings, store) or PUBLIC


def kept_user(request: Request) -> Principal | None:
    """:func:`ogc_user` for a kept-answer lookup: None where the route would refuse."""
    store, settings = request.app.state.store, request.app.state.settings
    return kept.principal(lambda: ogc_principal(request, settings, store, bearer_token(request)))


OgcUser = Annotated[Principal, Depends(ogc_user)]
FormatQuery = Annotated[str | None, Query(alias="f", description="json (only JSON is served)")]
CrsQuery = Annotated[str | None, Query(description=f"{service.CRS84} (default) or "
                                       f"{service.EPSG4490} (lat,lon axis order)")]


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/") + "/ogc"


def _check_format(f: str | None) -> None:
    if f is not None and f.lower() not in FORMATS:
        raise service.OgcInputError(f"format '{f}' is not served; use f=json", field="f")


def _json(doc: Any, media_type: str = "application/json",
          headers: dict[str, str] | None = None) -> Response:
    return Response(service.dumps(doc), media_type=media_type, headers=headers)


@router.get("", summary="Landing page")
def landing(request: Request, f: FormatQuery = None) -> Response:
    _check_format(f)
    return _json(service.landing(_base(request)))


@router.get("/conformance", summary="Conformance classes")
def conformance(f: FormatQuery = None) -> Response:
    _check_format(f)
    return _json(service.conformance())


@router.get("/api", summary="The API definition (OpenAPI 3.0)")
def api_definition(request: Request, f: FormatQuery = None) -> Response:
    _check_format(f)
    doc = ogc_definition(request.app.openapi(), "/ogc", "landrenew OGC API Features",
                         str(request.base_url).rstrip("/"))
    return _json(doc, service.OPENAPI)


@router.get("/collections", summary="Feature collections")
def collections(request: Request, store: StoreDep, user: OgcUser, public: PublicLayers,
                f: FormatQuery = None) -> Response:
    """The collections the caller may read: without signing in, the public layers."""
    _check_format(f)
    return _json(service.collections_doc(store, user, _base(request),
                                         layers.readable_layers(user, public)))


@router.get("/collections/{collection_id}", summary="One collection")
def collection(request: Request, collection_id: str, store: StoreDep, user: OgcUser,
               public: PublicLayers, f: FormatQuery = None) -> Response:
    _check_format(f)
    _readable(user, collection_id, public)
    store.ensure_current()
    return _json(service.collection_doc(store, user, _base(request), collection_id))


def _readable(user: Principal, collection_id: str, public: frozenset[str]) -> None:
    """A known collection the public may not read is 401 (an unknown one stays 404)."""
    if collection_id in layers.LAYERS:
        layers.require_layer(user, collection_id, public)


def _crs_headers(crs: str) -> dict[str, str]:
    return {"Content-Crs": f"<{crs}>"}




@router.get("/collections/{collection_id}/items", summary="Features (GeoJSON)")
async def items(request: Request, collection_id: str, store: StoreDep, user: OgcUser,
                public: PublicLayers,
                limit: Annotated[int, Query(json_schema_extra={"minimum": 1,
                                                               "maximum": service.MAX_LIMIT})
                                 ] = service.DEFAULT_LIMIT,
                offset: Annotated[int, Query(json_schema_extra={
                    "minimum": 0, "maximum": service.MAX_OFFSET})] = 0,
                bbox: Annotated[str | None, Query(description="minx,miny,maxx,maxy")] = None,
                bbox_crs: Annotated[str | None, Query(alias="bbox-crs")] = None,
                crs: CrsQuery = None, f: FormatQuery = None) -> Response:
    """A page of features. A page this process keeps for the current data stamp is answered on
    the event loop (gzip as kept, for clients that accept it), and so is one another worker
    made and put in the shared page store (one short read); any other is built on a maker
    thread (:mod:`landrenew.api.making`) and put there."""
    q = items_query(collection_id, limit, offset, bbox, bbox_crs, crs, f,
                    request.query_params.items())
    _readable(user, collection_id, public)
    store.ensure_current()
    stamp = data_stamp(store)
    base = _base(request)
    key = _items_key(store, user, stamp, q, base)
    box, out_crs, keep = q.box, q.crs, dict(q.keep)

    def make() -> bytes:
        return compress(service.items(store, user, base, collection_id, bbox=box, limit=limit,
                                      offset=offset, crs=out_crs, query=keep))

    body = PAGES.peek(key)
    if body is None:
        # a page another worker made for this stamp is one short read, made here on the event
        # loop (api/making.py says why); a page to make goes to a maker thread, which looks in
        # the store once more: while it waited for a maker, the other worker may have made it
        body = pagestore.read(store, pagestore.digest(key), stamp)
        if body is not None:
            PAGES.put(key, body)
        else:
            body = await making.make(PAGES.get_or_make, key,
                                     pagestore.shared(store, key, stamp, make))
    return _items_answer(request, body, stamp, key, out_crs)


@dataclass(frozen=True)
class ItemsQuery:
    """An items request parsed and checked once, for the route and its kept lookup alike."""

    cid: str
    limit: int
    offset: int
    box: service.BBox | None
    crs: str
    keep: tuple[tuple[str, str], ...]  # the other parameters, canonical, for the page's links


def items_query(cid: str, limit: int, offset: int, bbox: str | None, bbox_crs: str | None,
                crs: str | None, f: str | None, params: Iterable[tuple[str, str]]
                ) -> ItemsQuery:
    """The page an items request asks for; refuses what the route refuses (an unknown
    collection, format or query parameter, a bad box or CRS, paging out of range).

    What the page is kept under is canonical: the parameters as parsed (the box's numbers, the
    CRS's URI), never the request's spelling of them, so that a request cannot make a new page
    to store by writing the same query another way (``docs/security.md``)."""
    unknown = sorted({name for name, _ in params} - ITEMS_PARAMS)
    if unknown:
        raise service.OgcInputError(
            f"unknown query parameter(s) {', '.join(unknown)}; the items of a collection take "
            f"{', '.join(sorted(ITEMS_PARAMS))}", field=unknown[0], code="unknown_parameter")
    _check_format(f)
    out_crs = service.parse_crs(crs)
    box = service.parse_bbox(bbox, bbox_crs)
    get_collection(cid)
    service.check_paging(limit, offset)
    keep: list[tuple[str, str]] = []
    if box is not None:
        box_crs = service.parse_crs(bbox_crs, "bbox-crs")
        asked = box if box_crs == service.CRS84 else (box[1], box[0], box[3], box[2])
        keep.append(("bbox", ",".join(repr(v) for v in asked)))
        if bbox_crs:
            keep.append(("bbox-crs", box_crs))
    if crs:
        keep.append(("crs", out_crs))
    return ItemsQuery(cid, limit, offset, box, out_crs, tuple(keep))


def _items_key(store: Store, user: Principal, stamp: str, q: ItemsQuery, base: str) -> tuple:
    """What an items page is kept under: the data stamp, the user's view and the query."""
    return (store.url, stamp, q.cid, user.scope, user.sees_sensitive, user.is_public, q.box,
            q.limit, q.offset, q.crs, base, q.keep)


def _items_answer(request: Request, body: bytes, stamp: str, key: tuple, crs: str
                  ) -> Response:
    return answer(request, body, service.GEOJSON, etag_for(stamp, key[2:]),
                  {**_crs_headers(crs), "Cache-Control": "private, no-cache",
                   "Vary": "Authorization, Cookie"})


def kept_items(request: Request, path: dict[str, str]) -> Response | None:
    """:func:`items`' answer if this process keeps the page, else None (see
    :mod:`landrenew.api.kept`): the same user check, parameters and key."""
    params = kept.single_params(request)
    if params is None or not params.keys() <= ITEMS_PARAMS:
        return None
    limit = kept.whole(params.get("limit"), service.DEFAULT_LIMIT)
    offset = kept.whole(params.get("offset"), 0)
    if limit is None or offset is None:
        return None
    user = kept_user(request)
    if user is None or not layers.readable(user, path["collection_id"],
                                           request.app.state.public_layers):
        return None
    try:
        q = items_query(path["collection_id"], limit, offset, params.get("bbox"),
                        params.get("bbox-crs"), params.get("crs"), params.get("f"),
                        params.items())
    except LandrenewError:
        return None
    store: Store = request.app.state.store
    store.ensure_current()
    stamp = data_stamp(store)
    key = _items_key(store, user, stamp, q, _base(request))
    body = PAGES.peek(key)
    return None if body is None else _items_answer(request, body, stamp, key, q.crs)


#: The query parameters :func:`items` reads; it refuses any other (OGC API Features
#: /req/core/query-param-unknown), so the kept lookup leaves such a request to the route.
ITEMS_PARAMS = frozenset({"limit", "offset", "bbox", "bbox-crs", "crs", "f"})


@router.get("/collections/{collection_id}/items/{feature_id}", summary="One feature (GeoJSON)")
def item(request: Request, collection_id: str, feature_id: Annotated[str, Path()],
         store: StoreDep, user: OgcUser, public: PublicLayers, crs: CrsQuery = None,
         f: FormatQuery = None) -> Response:
    _check_format(f)
    _readable(user, collection_id, public)
    out_crs = service.parse_crs(crs)
    doc = service.item(store, user, _base(request), collection_id, feature_id, crs=out_crs)
    return _json(doc, service.GEOJSON, _crs_headers(out_crs))
