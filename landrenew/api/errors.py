"""Errors as JSON (错误响应): ``{"code", "message", "field", ...}`` for every failure.

:class:`~landrenew.core.errors.LandrenewError` carries its own status and code (the pygeoapi
habit of typed errors); FastAPI's request validation errors and HTTP errors are mapped to the
same shape so that a client reads one format.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

from landrenew.core.errors import LandrenewError, ValidationFailed, problem_listing
from landrenew.core.said import said, say
from landrenew.core.store import refusal_of

HTTP_CODES = {401: "not_authenticated", 403: "forbidden", 404: "not_found",
              405: "method_not_allowed", 429: "rate_limited"}


def error_body(exc: LandrenewError) -> dict[str, Any]:
    """The error's JSON: ``message`` in English as the code made it, ``message_zh`` the same in
    Chinese from the error catalogue (:mod:`landrenew.core.said`), each problem likewise."""
    body = exc.to_dict()
    body["message_zh"] = said(exc)
    if isinstance(exc, ValidationFailed):
        body.update(problem_listing(exc.problems))
        for problem in body["problems"]:
            problem["message_zh"] = say(problem["message"])
    return body


def _headers(status: int) -> dict[str, str] | None:
    return {"WWW-Authenticate": "Bearer"} if status == 401 else None


async def landrenew_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, LandrenewError)
    return JSONResponse(error_body(exc), status_code=exc.status, headers=_headers(exc.status))


#: Paths whose bad parameters are answered 400 with an OGC exception (OGC API Features).
OGC_PREFIX = "/ogc"


async def database_error(request: Request, exc: Exception) -> JSONResponse:
    """A database error outside a write (a read given a value the database cannot take, e.g. a
    NUL character on PostgreSQL): the refusal it is (:func:`~landrenew.core.store.refusal_of`),
    else the fault it is (500)."""
    refusal = refusal_of(exc)
    if refusal is None:
        raise exc
    return await landrenew_error(request, refusal)


async def validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    first = errors[0] if errors else {}
    loc = [str(x) for x in first.get("loc", ()) if x not in ("body", "query", "path", "form")]
    field = ".".join(loc) or None
    message = f"{field}: {first.get('msg')}" if field else str(first.get("msg", "invalid request"))
    details = [{"field": ".".join(str(x) for x in e.get("loc", ())[1:]) or None,
                "message": e.get("msg"), "type": e.get("type")} for e in errors]
    body = {"code": "invalid_input", "message": message, "file": None, "row": None,
            "field": field, "errors": details}
    if request.url.path.startswith(OGC_PREFIX):  # OGC: 400, with the exception's description
        return JSONResponse({**body, "description": message}, status_code=400)
    return JSONResponse(body, status_code=422)


async def http_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = HTTP_CODES.get(exc.status_code, "http_error")
    return JSONResponse({"code": code, "message": str(exc.detail), "file": None, "row": None,
                         "field": None}, status_code=exc.status_code,
                        headers=exc.headers or _headers(exc.status_code))


def install(app: FastAPI) -> None:
    app.add_exception_handler(LandrenewError, landrenew_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(DBAPIError, database_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
