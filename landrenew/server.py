"""The served application (平台服务): the REST API, OGC API Features and tiles (:mod:`landrenew.api`)
and the pages (:mod:`landrenew.web`) composed into one FastAPI app.

This module is the one place where the faces meet: :mod:`landrenew.api` never imports the pages,
the pages use the API's request dependencies but none of its routes.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace

from fastapi import FastAPI
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from landrenew import __version__, web
from landrenew.api import app as api
from landrenew.api.headers import SecurityHeaders
from landrenew.core.ledger import trust_from
from landrenew.core.settings import Settings
from landrenew.core.store import Store
from landrenew.serving import basemap, layers
from landrenew.serving.warming import warm

#: How uvicorn runs the app (``landrenew serve``, its ``proxy_headers``): it does not rewrite the client's address from
#: ``X-Forwarded-For`` itself (uvicorn's default trusts 127.0.0.1); the app does, and only from
#: ``settings.trusted_proxies`` (:func:`create_app`).
UVICORN_PROXY_HEADERS = False


def validated(settings: Settings | None) -> Settings:
    """Settings checked again (a ``model_copy(update=…)`` skips validation): production mode
    refuses a default or empty secret here, before anything is served."""
    if settings is None:
        return Settings()
    return Settings(**settings.model_dump())


def create_app(settings: Settings | None = None, store: Store | None = None) -> FastAPI:
    """The application for these settings (and an already open store, if given)."""
    settings = validated(settings)
    own_store = store is None
    trust = trust_from(settings)
    if store is None:
        store = Store.open(settings.database_url, trust=trust)
    elif store.trust is None:  # the caller's store, seen through this app's ledger keys
        store = replace(store, trust=trust)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # serve at once; the process's per-stamp lookups are read beside (serving/warming.py)
        warming = None
        if settings.warm_on_start:
            warming = threading.Thread(target=warm, args=(store,), name="landrenew-warm",
                                       daemon=True)
            warming.start()
        yield
        if warming is not None:
            warming.join()
        if own_store:
            store.dispose()

    # No Swagger/ReDoc pages: FastAPI loads their scripts from a CDN, and the platform must work
    # on an intranet with no internet. The OpenAPI document is served; tools read it directly.
    app = FastAPI(title="landrenew 低效用地再开发平台 API", version=__version__,
                  openapi_url=api.OPENAPI_URL, docs_url=None, redoc_url=None,
                  swagger_ui_oauth2_redirect_url=None, lifespan=lifespan)
    app.state.settings = settings
    app.state.store = store
    app.state.public_layers = layers.public_set(settings.public_layers)  # unknown names: refused
    app.state.basemap = basemap.open_basemap(settings.basemap_file, settings.basemap_url,
                                             settings.basemap_attribution)
    api.install(app)
    web.install(app)
    api.install_middleware(app)
    app.add_middleware(SecurityHeaders, settings=settings)
    if settings.trusted_proxies:  # outermost: the client and scheme as the proxy saw them
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
    return app


def route_table(app: FastAPI) -> list[tuple[str, str]]:
    """Every ``(METHOD, path)`` the app serves (HEAD left out): the permission matrix's rows."""
    from fastapi.routing import iter_route_contexts

    out: set[tuple[str, str]] = set()
    for ctx in iter_route_contexts(app.routes):
        for method in getattr(ctx, "methods", None) or ():
            if method != "HEAD":
                out.add((str(method), str(ctx.path)))
    return sorted(out, key=lambda mp: (mp[1], mp[0]))
