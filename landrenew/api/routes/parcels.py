"""Parcels (地块): lists, detail with the published evaluation, edits, history."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from landrenew.api import kept, making
from landrenew.api.deps import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    CurrentUser,
    PageDep,
    PublicLayers,
    ReaderUser,
    StoreDep,
    authenticate,
    bearer_token,
)
from landrenew.api.responses import etag_for
from landrenew.api.schemas import (
    Page,
    ParcelDetail,
    ParcelPublic,
    ParcelUpdate,
    ParcelUpdated,
    ParcelVersionPublic,
)
from landrenew.core.access import Principal
from landrenew.core.errors import InputError
from landrenew.core.store import Store
from landrenew.land import service as land_service
from landrenew.serving import layers
from landrenew.serving import parcels as service
from landrenew.serving.caches import LIST_PAGES as PAGES
from landrenew.serving.caches import data_stamp

router = APIRouter(prefix="/api/parcels", tags=["parcels"])

BBoxQuery = Annotated[str | None, Query(description="minx,miny,maxx,maxy in EPSG:4490 (lon/lat)",
                                        examples=["113.0,22.5,113.2,22.7"])]


def parse_bbox(value: str | None) -> tuple[float, float, float, float] | None:
    if not value:
        return None
    try:
        parts = tuple(float(v) for v in value.split(","))
    except ValueError as exc:
        raise InputError(f"bbox '{value}' is not four numbers", field="bbox") from exc
    if len(parts) != 4 or parts[0] > parts[2] or parts[1] > parts[3]:
        raise InputError(f"bbox '{value}' must be minx,miny,maxx,maxy", field="bbox")
    return parts


@router.get("", response_model=Page[ParcelPublic], response_model_exclude_unset=True)
async def list_parcels(request: Request, store: StoreDep, user: ReaderUser,
                       public: PublicLayers, page: PageDep,
                       district: str | None = None, category: str | None = None,
                       flag: str | None = None, bbox: BBoxQuery = None,
                       after: Annotated[str | None, Query(
                           description="Start after this parcel code (the previous page's "
                                       "next_after): keyset paging, as fast deep in the list as "
                                       "at its start")] = None) -> Response:
    """Current parcels in parcel-code order; ``category``/``flag`` filter on the published
    evaluation run. Page with ``offset``, or follow ``next_after`` (faster on long lists).
    Without signing in only if ``parcels`` is a public layer (no sensitive field then).

    The encoded page is kept per data stamp and user view: asking again for a page of unchanged
    data costs a lookup (and ``If-None-Match`` with its ETag gets ``304``). A page this process
    keeps is answered on the event loop, and so is a short one it must make (a whole-city page of
    at most 100 rows whose count is kept: ``is_quick_page``); any other is made on a maker thread
    (api/making.py)."""
    layers.require_layer(user, "parcels", public)
    q = ListQuery(district, category, flag, parse_bbox(bbox), page.limit, page.offset, after)
    box = q.box
    store.ensure_current()
    stamp = data_stamp(store)
    key = _page_key(store, user, stamp, q)

    def make() -> bytes:
        total, items = service.list_parcels(store, user, district=district, category=category,
                                            flag=flag, bbox=box, limit=page.limit,
                                            offset=page.offset, after=after)
        return service.page_json(total, page.limit, page.offset, items)

    body = PAGES.peek(key)
    if body is None:
        # Not through the shared page store: a page of 100 costs 2–3 ms to make; writing it
        # there (0.5 ms SQLite, 1.1 ms PostgreSQL) and reading it back in the other worker
        # (0.2 / 0.7 ms) would save at most about a third of that (measured on a million parcels).
        if service.is_quick_page(store, user, stamp, district=district, category=category,
                                 flag=flag, bbox=box, limit=page.limit, offset=page.offset,
                                 after=after):
            body = PAGES.get_or_make(key, make)  # short: here, on the event loop
        else:
            body = await making.make(PAGES.get_or_make, key, make)
    return _page_answer(request, body, stamp, key)


@dataclass(frozen=True)
class ListQuery:
    """A list request parsed once, for the route and its kept lookup alike."""

    district: str | None
    category: str | None
    flag: str | None
    box: service.BBox | None
    limit: int
    offset: int
    after: str | None


def _page_key(store: Store, user: Principal, stamp: str, q: ListQuery) -> tuple:
    """What a list page is kept under: the data stamp, the user's view and the query."""
    return (store.url, stamp, (user.scope, user.sees_sensitive, user.is_public), q.district, q.category, q.flag,
            q.box, q.limit, q.offset, q.after)


def _page_answer(request: Request, body: bytes, stamp: str, key: tuple) -> Response:
    etag = etag_for(stamp, key[2:])
    headers = {"ETag": etag, "Cache-Control": "private, no-cache", "Vary": "Authorization, Cookie"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)


def kept_page(request: Request, _: dict[str, str]) -> Response | None:
    """:func:`list_parcels`' answer if this process keeps the page, else None (see
    :mod:`landrenew.api.kept`): the same user check, parameters and key."""
    params = kept.single_params(request)
    if params is None or not params.keys() <= _LIST_PARAMS:
        return None
    limit = kept.whole(params.get("limit"), DEFAULT_LIMIT)
    offset = kept.whole(params.get("offset"), 0)
    if limit is None or offset is None or not 1 <= limit <= MAX_LIMIT:
        return None
    store: Store = request.app.state.store
    settings = request.app.state.settings
    user = kept.principal(lambda: authenticate(request, settings, store, bearer_token(request)))
    if user is None:
        return None
    try:
        q = ListQuery(params.get("district"), params.get("category"), params.get("flag"),
                      parse_bbox(params.get("bbox")), limit, offset, params.get("after"))
    except InputError:
        return None
    store.ensure_current()
    stamp = data_stamp(store)
    key = _page_key(store, user, stamp, q)
    body = PAGES.peek(key)
    return None if body is None else _page_answer(request, body, stamp, key)


#: The query parameters :func:`list_parcels` reads; a page asked for with any other is left to
#: the route.
_LIST_PARAMS = frozenset({"district", "category", "flag", "bbox", "limit", "offset", "after"})


@router.get("/{code}", response_model=ParcelDetail, response_model_exclude_unset=True)
def get_parcel(code: str, store: StoreDep, user: ReaderUser, public: PublicLayers
               ) -> ParcelDetail:
    """One current parcel; without signing in only if ``parcels`` is a public layer."""
    layers.require_layer(user, "parcels", public)
    return ParcelDetail(**land_service.parcel_detail(store, user, code))


@router.patch("/{code}", response_model=ParcelUpdated)
def patch_parcel(code: str, body: ParcelUpdate, store: StoreDep, user: CurrentUser
                 ) -> ParcelUpdated:
    """Change fields (a new version, audited); ``reason`` is required."""
    changes = body.model_dump(exclude_unset=True, exclude={"reason"})
    return ParcelUpdated(**land_service.edit_parcel(store, user, code, changes, body.reason))


@router.get("/{code}/history", response_model=Page[ParcelVersionPublic],
            response_model_exclude_unset=True)
def parcel_history(code: str, store: StoreDep, user: CurrentUser, page: PageDep
                   ) -> Page[ParcelVersionPublic]:
    total, items = land_service.history(store, user, code, limit=page.limit, offset=page.offset)
    return Page(total=total, limit=page.limit, offset=page.offset,
                items=[ParcelVersionPublic(**i) for i in items])
