"""The intranet base map at ``/basemap/{z}/{x}/{y}``: thin HTTP over
:mod:`landrenew.serving.basemap` (a local PMTiles/MBTiles file or an intranet tile service, named
in the settings). Public like the map page; 404 when no base map is configured, 204 for a tile
the source does not hold."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from landrenew.core.errors import NotFound
from landrenew.serving import basemap as service

router = APIRouter(prefix="/basemap", tags=["basemap"])


@router.get("/{z}/{x}/{y}", summary="A base-map tile (Web Mercator XYZ)",
            response_class=Response,
            responses={200: {"content": {"image/png": {}, "image/jpeg": {}, "image/webp": {},
                                         "application/vnd.mapbox-vector-tile": {}}},
                       204: {"description": "no tile here"}})
def basemap_tile(request: Request, z: int, x: int, y: int) -> Response:
    base: service.Basemap | None = request.app.state.basemap
    if base is None:
        raise NotFound("no base map is configured: set LANDRENEW_BASEMAP_FILE or "
                       "LANDRENEW_BASEMAP_URL", field="basemap")
    headers = {"Cache-Control": f"public, max-age={service.MAX_AGE}"}
    tile = base.tile(z, x, y)
    if tile is None:
        return Response(status_code=204, headers=headers)
    data = tile.data
    if tile.encoding == "gzip":
        if "gzip" in request.headers.get("accept-encoding", ""):
            headers["Content-Encoding"] = "gzip"
        else:
            data = service.decompressed(tile)
    return Response(data, media_type=tile.media_type, headers=headers)
