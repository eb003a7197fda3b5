"""The pages (页面), one module per area like ``api/routes``, and their wiring into the app:
static files, routes, HTML errors, login redirects.

Thin HTTP over the same services as the REST API, so a page never shows what the API would
refuse: the services apply the role, the district scope and the redaction of sensitive fields.
Anonymous visitors get the public pages (the map and public parcel cards); the others redirect to
the login page. Forms carry the session's CSRF token; htmx requests send it as the
``X-CSRF-Token`` header.
"""

from __future__ import annotations

import logging
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from landrenew.api import errors as api_errors
from landrenew.api.deps import session_user
from landrenew.core.access import Principal
from landrenew.core.errors import LandrenewError
from landrenew.web import assets
from landrenew.web.pages import (
    audit,
    auth,
    checks,
    consolidation,
    dashboard,
    finance,
    imports,
    maps,
    parcels,
    projects,
    quotas,
)
from landrenew.web.pages.common import LoginRequired
from landrenew.web.render import render

#: Every page router, in the order they are mounted.
ROUTERS = (auth.router, maps.router, dashboard.router, parcels.router, imports.router,
           audit.router, projects.router, consolidation.router, finance.router, checks.router,
           quotas.router)

log = logging.getLogger(__name__)
MACHINE_PREFIXES = ("/api", "/ogc", "/tiles", "/static")


def wants_html(request: Request) -> bool:
    """A page request (not the API, OGC or tiles) from a browser or htmx."""
    if request.url.path.startswith(MACHINE_PREFIXES):
        return False
    return bool(request.headers.get("HX-Request")) or "text/html" in request.headers.get(
        "accept", "")


async def _login_required(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LoginRequired)
    from urllib.parse import quote

    return RedirectResponse(f"/login?next={quote(exc.next_path)}", status_code=303)


def _signed_in(request: Request) -> Principal | None:
    """The page's user, so that an error page keeps the signed-in header (None when the
    session itself is what failed)."""
    try:
        return session_user(request, request.app.state.settings, request.app.state.store)
    except LandrenewError:
        return None


async def _error(request: Request, exc: Exception) -> Response:
    if wants_html(request):
        message: LandrenewError | str | None  # an error is said in the page's language
        if isinstance(exc, LandrenewError):
            status, code, message = exc.status, exc.code, exc
        else:
            assert isinstance(exc, StarletteHTTPException)
            status, code = exc.status_code, "http_error"
            # the heading already says "not found" or "not allowed" in the page's language
            message = None if exc.detail == HTTPStatus(status).phrase else str(exc.detail)
        template = "partials/error.html" if request.headers.get("HX-Request") else "error.html"
        return render(request, template, {"status": status, "code": code, "message": message},
                      user=_signed_in(request), status_code=status)
    if isinstance(exc, LandrenewError):
        return await api_errors.landrenew_error(request, exc)
    return await api_errors.http_error(request, exc)


def install(app: FastAPI) -> None:
    missing = assets.missing()
    if missing:
        log.warning("front-end files missing (%s): run `make install`", ", ".join(missing))
    app.mount("/static", StaticFiles(directory=assets.STATIC_DIR), name="static")
    for router in ROUTERS:
        app.include_router(router)
    app.add_exception_handler(LoginRequired, _login_required)
    app.add_exception_handler(LandrenewError, _error)
    app.add_exception_handler(StarletteHTTPException, _error)
