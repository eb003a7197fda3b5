"""Vector tiles at ``/tiles/{layer}/{z}/{x}/{y}.mvt``: thin HTTP over :mod:`landrenew.platform.tiles`.

Anonymous requests are served (tiles carry no sensitive field); a bearer token or session cookie
narrows district staff to their districts. An empty tile is ``204 No Content``.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from landrenew.api.deps import StoreDep
from landrenew.api.routes.ogc import OgcUser
from landrenew.platform import tiles as service

router = APIRouter(prefix="/tiles", tags=["tiles"])


@router.get("/{layer}/{z}/{x}/{y}.mvt", summary="A Mapbox vector tile (Web Mercator XYZ)",
            response_class=Response,
            responses={200: {"content": {service.MEDIA_TYPE: {}}},
                       204: {"description": "no feature in this tile"}})
def get_tile(layer: str, z: int, x: int, y: int, store: StoreDep, user: OgcUser) -> Response:
    data = service.tile(store, user, layer, z, x, y)
    headers = {"Cache-Control": "private, max-age=60"}
    if not data:
        return Response(status_code=204, headers=headers)
    return Response(data, media_type=service.MEDIA_TYPE, headers=headers)
