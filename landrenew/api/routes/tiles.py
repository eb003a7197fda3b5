"""Vector tiles at ``/tiles/{layer}/{z}/{x}/{y}.mvt``: thin HTTP over :mod:`landrenew.serving.tiles`.

Anonymous requests are served for the public layers (``public_layers``, as on ``/ogc`` and
``/api``; tiles carry no sensitive field), 401 for any other; a bearer token or session cookie
narrows district staff to their districts. An empty tile is ``204 No Content``; the ETag is the
data stamp and the user's scope, so an unchanged tile answers ``304 Not Modified``.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from landrenew.api import kept, making
from landrenew.api.deps import PublicLayers, StoreDep
from landrenew.api.routes.ogc import OgcUser, kept_user
from landrenew.core.access import Principal
from landrenew.core.errors import LandrenewError
from landrenew.core.store import Store
from landrenew.serving import layers, tilestore
from landrenew.serving import tiles as service

router = APIRouter(prefix="/tiles", tags=["tiles"])


@router.get("/{layer}/{z}/{x}/{y}.mvt", summary="A Mapbox vector tile (Web Mercator XYZ)",
            response_class=Response,
            responses={200: {"content": {service.MEDIA_TYPE: {}}},
                       204: {"description": "no feature in this tile"}})
async def get_tile(request: Request, layer: str, z: int, x: int, y: int, store: StoreDep,
                   user: OgcUser, public: PublicLayers) -> Response:
    # a layer that is not public is 401 to the public (an unknown layer stays 404)
    if layer in layers.LAYERS:
        layers.require_layer(user, layer, public)
    # A tile this process already keeps is answered here on the event loop (or before routing,
    # by kept_tile), and so is one read from the shared tile store (one short read; api/making.py
    # says why the loop); a tile to render goes to a maker thread, which looks in the store once
    # more: while it waited for a maker, the other worker may have made it.
    data, stamp = service.cached_tile(store, user, layer, z, x, y)
    if data is None:
        data = service.stored_tile(store, user, layer, z, x, y, stamp)
    if data is None:
        made, stamp = await making.make(service.tile_with_stamp, store, user, layer, z, x, y)
        return _tile_answer(request, made, stamp, user)
    return _tile_answer(request, data, stamp, user)


def _tile_answer(request: Request, data: bytes, stamp: str, user: Principal) -> Response:
    etag = f'W/"{stamp}-{tilestore.scope_key(user)}"'
    headers = {"Cache-Control": "private, max-age=60", "ETag": etag,
               "Vary": "Authorization, Cookie"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    if not data:
        return Response(status_code=204, headers=headers)
    return Response(data, media_type=service.MEDIA_TYPE, headers=headers)


def kept_tile(request: Request, path: dict[str, str]) -> Response | None:
    """:func:`get_tile`'s answer if this process keeps the tile, else None (see
    :mod:`landrenew.api.kept`): the same user check and key."""
    z, x, y = (kept.whole(path[k], -1) for k in ("z", "x", "y"))
    if z is None or x is None or y is None:
        return None
    user = kept_user(request)
    if user is None or not layers.readable(user, path["layer"], request.app.state.public_layers):
        return None
    store: Store = request.app.state.store
    try:
        data, stamp = service.cached_tile(store, user, path["layer"], z, x, y)
    except LandrenewError:
        return None
    return None if data is None else _tile_answer(request, data, stamp, user)
