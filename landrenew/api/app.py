"""The API face (接口): its routers, its error answers and the middleware that answers kept pages
and tiles before routing. :func:`landrenew.server.create_app` composes it with the pages.
"""

from __future__ import annotations

import re

from fastapi import FastAPI

from landrenew.api import errors
from landrenew.api.kept import KeptAnswers, KeptRoute
from landrenew.api.routes import ROUTERS, ogc, parcels, tiles

OPENAPI_URL = "/api/openapi.json"

#: The routes whose kept tiles and pages are answered before routing (:mod:`landrenew.api.kept`).
KEPT_ROUTES = (
    KeptRoute(re.compile(r"/api/parcels"), parcels.kept_page),
    KeptRoute(re.compile(r"/ogc/collections/(?P<collection_id>[^/]+)/items"), ogc.kept_items),
    KeptRoute(re.compile(r"/tiles/(?P<layer>[^/]+)/(?P<z>[^/]+)/(?P<x>[^/]+)/(?P<y>[^/]+)\.mvt"),
              tiles.kept_tile),
)


def install(app: FastAPI) -> None:
    """The API's error answers and routers."""
    errors.install(app)
    for router in ROUTERS:
        app.include_router(router)


def install_middleware(app: FastAPI) -> None:
    """Answers kept pages and tiles before routing (added last, so it runs first)."""
    app.add_middleware(KeptAnswers, routes=KEPT_ROUTES)
