"""OGC API Features (read-only) at ``/ogc``: thin HTTP over :mod:`landrenew.platform.ogc`.

Access: without credentials a request is public (city-wide, no sensitive field); with a bearer
token or the pages' session cookie it gets that user's view. A bad bearer token is 401.
Only JSON is served: ``f=json``/``f=geojson`` (or none) is accepted, ``f=html`` and any other
format are refused with 400 (as are other bad parameters); the ``Accept`` header is not negotiated.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response

from landrenew.api import making
from landrenew.api.deps import SettingsDep, StoreDep, TokenDep, authenticate, session_user
from landrenew.core.access import Principal
from landrenew.platform import ogc as service
from landrenew.platform import pagestore
from landrenew.platform.responses import answer, compress, etag_for
from landrenew.platform.tilecache import TileCache, data_stamp

router = APIRouter(prefix="/ogc", tags=["ogc"])
FORMATS = ("json", "geojson")


async def ogc_user(request: Request, settings: SettingsDep, store: StoreDep, token: TokenDep
                   ) -> Principal:
    """The bearer token's or session's user, else the public (anonymous) view."""
    if token:
        return authenticate(request, settings, store, token)
    return session_user(request, settings, store) or service.PUBLIC


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
    full = request.app.openapi()
    doc = {**full, "openapi": "3.0.3", "info": {**full["info"], "title": "landrenew OGC API Features"},
           "servers": [{"url": str(request.base_url).rstrip("/")}],
           "paths": {k: v for k, v in full["paths"].items() if k.startswith("/ogc")}}
    return _json(doc, service.OPENAPI)


@router.get("/collections", summary="Feature collections")
def collections(request: Request, store: StoreDep, user: OgcUser, f: FormatQuery = None
                ) -> Response:
    _check_format(f)
    return _json(service.collections_doc(store, user, _base(request)))


@router.get("/collections/{collection_id}", summary="One collection")
def collection(request: Request, collection_id: str, store: StoreDep, user: OgcUser,
               f: FormatQuery = None) -> Response:
    _check_format(f)
    store.ensure_current()
    return _json(service.collection_doc(store, user, _base(request), collection_id))


def _crs_headers(crs: str) -> dict[str, str]:
    return {"Content-Crs": f"<{crs}>"}


#: Items pages kept gzip-compressed (:func:`~landrenew.platform.responses.compress`) per data
#: stamp, user view and query; 256 MB holds well over a thousand 1000-feature pages.
PAGES = TileCache(max_bytes=256 * 1024 * 1024)


@router.get("/collections/{collection_id}/items", summary="Features (GeoJSON)")
async def items(request: Request, collection_id: str, store: StoreDep, user: OgcUser,
                limit: Annotated[int, Query(json_schema_extra={"minimum": 1,
                                                               "maximum": service.MAX_LIMIT})
                                 ] = service.DEFAULT_LIMIT,
                offset: Annotated[int, Query(json_schema_extra={"minimum": 0})] = 0,
                bbox: Annotated[str | None, Query(description="minx,miny,maxx,maxy")] = None,
                bbox_crs: Annotated[str | None, Query(alias="bbox-crs")] = None,
                crs: CrsQuery = None, f: FormatQuery = None) -> Response:
    """A page of features. A page this process keeps for the current data stamp is answered on
    the event loop (gzip as kept, for clients that accept it); any other is read from the shared
    page store, or built, on a maker thread (:mod:`landrenew.api.making`)."""
    _check_format(f)
    out_crs = service.parse_crs(crs)
    box = service.parse_bbox(bbox, bbox_crs)
    service.get_collection(collection_id)
    service.check_paging(limit, offset)
    store.ensure_current()
    stamp = data_stamp(store)
    base = _base(request)
    keep = {k: v for k, v in request.query_params.items() if k not in ("limit", "offset")}
    key = (store.url, stamp, collection_id, user.scope, user.sees_sensitive, box, limit, offset,
           out_crs, base, tuple(sorted(keep.items())))

    def make() -> bytes:
        return compress(service.items(store, user, base, collection_id, bbox=box, limit=limit,
                                      offset=offset, crs=out_crs, query=keep))

    body = PAGES.peek(key)
    if body is None:
        body = await making.make(PAGES.get_or_make, key,
                                 pagestore.shared(store, key, stamp, make))
    return answer(request, body, service.GEOJSON, etag_for(stamp, key[2:]),
                  {**_crs_headers(out_crs), "Cache-Control": "private, no-cache",
                   "Vary": "Authorization, Cookie"})


@router.get("/collections/{collection_id}/items/{feature_id}", summary="One feature (GeoJSON)")
def item(request: Request, collection_id: str, feature_id: Annotated[str, Path()],
         store: StoreDep, user: OgcUser, crs: CrsQuery = None, f: FormatQuery = None
         ) -> Response:
    _check_format(f)
    out_crs = service.parse_crs(crs)
    doc = service.item(store, user, _base(request), collection_id, feature_id, crs=out_crs)
    return _json(doc, service.GEOJSON, _crs_headers(out_crs))
