"""Wiring the pages into the FastAPI app: static files, routes, HTML errors, login redirects."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from landrenew.api import errors as api_errors
from landrenew.core.errors import LandrenewError
from landrenew.web import assets, consolidation_pages, finance_pages, project_pages
from landrenew.web.render import render
from landrenew.web.routes import LoginRequired, router

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


async def _error(request: Request, exc: Exception) -> Response:
    if wants_html(request):
        if isinstance(exc, LandrenewError):
            status, code, message = exc.status, exc.code, str(exc)
        else:
            assert isinstance(exc, StarletteHTTPException)
            status, code, message = exc.status_code, "http_error", str(exc.detail)
        template = "partials/error.html" if request.headers.get("HX-Request") else "error.html"
        return render(request, template, {"status": status, "code": code, "message": message},
                      status_code=status)
    if isinstance(exc, LandrenewError):
        return await api_errors.landrenew_error(request, exc)
    return await api_errors.http_error(request, exc)


def install(app: FastAPI) -> None:
    missing = assets.missing()
    if missing:
        log.warning("front-end files missing (%s): run `make install`", ", ".join(missing))
    app.mount("/static", StaticFiles(directory=assets.STATIC_DIR), name="static")
    app.include_router(router)
    app.include_router(project_pages.router)
    app.include_router(consolidation_pages.router)
    app.include_router(finance_pages.router)
    app.add_exception_handler(LoginRequired, _login_required)
    app.add_exception_handler(LandrenewError, _error)
    app.add_exception_handler(StarletteHTTPException, _error)
