"""Dependencies shared by every router (依赖): settings, store, the acting user, CSRF.

The full-stack-template habit: ``Annotated`` aliases (``SettingsDep``, ``StoreDep``,
``CurrentUser``, ``AdminUser``, ``PageUser``) that routes declare as parameter types. The
services take a :class:`~landrenew.core.store.Store` rather than a session (each opens its own
transaction), so ``StoreDep`` stands where the template has ``SessionDep``.

Credentials: the API reads ``Authorization: Bearer <token>``; it also accepts the pages' session
cookie, and then requires the CSRF token in the ``X-CSRF-Token`` header on every unsafe method
(so a page's htmx call may use the API, a forged cross-site form may not). Pages use
``PageUser`` and ``verify_csrf_form`` (a ``csrf_token`` form field).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath
from typing import Annotated

from fastapi import Depends, Form, Path, Query, Request
from fastapi.security import OAuth2PasswordBearer
from fastapi.security.utils import get_authorization_scheme_param

from landrenew.core import auth
from landrenew.core.access import (
    PUBLIC,
    InputError,
    NotAuthenticated,
    PermissionDenied,
    Principal,
    require_admin,
)
from landrenew.core.settings import Settings
from landrenew.core.store import Store

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "X-CSRF-Token"
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
#: The largest id or offset a request may name: every table's integer ids fit (PostgreSQL's
#: ``integer``), so a larger one is refused as bad input instead of failing in the database.
MAX_ID = 2**31 - 1
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/auth/token", auto_error=False)


# The dependencies below are ``async def`` although they do no I/O of their own worth awaiting:
# FastAPI runs a plain ``def`` dependency on the thread pool, a hop that costs more than the
# work. The user lookups read a per-stamp memo (a query only after a write).

async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_store(request: Request) -> Store:
    return request.app.state.store


SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[Store, Depends(get_store)]
TokenDep = Annotated[str | None, Depends(oauth2_scheme)]


def bearer_token(request: Request) -> str | None:
    """The ``Authorization: Bearer`` token, as :data:`oauth2_scheme` reads it, for code that
    runs before dependencies are solved (:mod:`landrenew.api.kept`)."""
    authorization = request.headers.get("Authorization")
    scheme, param = get_authorization_scheme_param(authorization)
    if not authorization or scheme.lower() != "bearer":
        return None
    return param


#: The longest upload name taken: a file name must fit the file system (255 bytes) where the
#: upload is unpacked, and the 128 characters of a batch's name.
MAX_UPLOAD_NAME_BYTES = 255
MAX_UPLOAD_NAME = 128


def upload_name(filename: str | None) -> str:
    """An uploaded file's name (its last part), or 422 when it is too long to be stored as it
    was uploaded (instead of failing as the file is written)."""
    name = PurePath(filename or "upload").name or "upload"
    if len(name) > MAX_UPLOAD_NAME or len(name.encode()) > MAX_UPLOAD_NAME_BYTES:
        raise InputError(f"the file name has {len(name)} characters; at most {MAX_UPLOAD_NAME} "
                         "are taken (rename the file)", field="file", code="name_too_long")
    return name


def client_address(request: Request) -> str:
    """The client's address: the connection's peer, or what a trusted proxy (setting
    ``trusted_proxies``) forwarded in ``X-Forwarded-For`` (see :func:`landrenew.server.
    create_app`); never a header an arbitrary client sent."""
    return request.client.host if request.client else "unknown"


def session_user(request: Request, settings: Settings, store: Store) -> Principal | None:
    """The user of the page session cookie, or None when there is no valid one."""
    cookie = request.cookies.get(settings.cookie_name)
    if not cookie:
        return None
    try:
        return auth.principal_of(store, settings, cookie, kind="session")
    except NotAuthenticated:
        return None


async def current_user(request: Request, settings: SettingsDep, store: StoreDep,
                       token: TokenDep) -> Principal:
    """The authenticated user (bearer token, else session cookie with CSRF on writes), or 401."""
    return authenticate(request, settings, store, token)


def authenticate(request: Request, settings: Settings, store: Store, token: str | None
                 ) -> Principal:
    """:func:`current_user` as a plain function (for other dependencies and pages)."""
    if token:
        return auth.principal_of(store, settings, token, kind="access")
    cookie = request.cookies.get(settings.cookie_name)
    if cookie:
        user = auth.principal_of(store, settings, cookie, kind="session")
        if request.method not in SAFE_METHODS and not auth.check_csrf(
                settings, cookie, request.headers.get(CSRF_HEADER)):
            raise PermissionDenied(f"missing or wrong {CSRF_HEADER} header", field="csrf_token",
                                   code="csrf_failed")
        return user
    raise NotAuthenticated("log in first: POST /api/auth/token, then send "
                           "'Authorization: Bearer <token>'", field="token")


async def reader(request: Request, settings: SettingsDep, store: StoreDep, token: TokenDep
                 ) -> Principal:
    """The bearer token's or session's user, else the anonymous public
    (:data:`~landrenew.core.access.PUBLIC`), for reads of layers the public may read
    (:mod:`landrenew.serving.layers`); a bad bearer token is still 401."""
    if token:
        return authenticate(request, settings, store, token)
    return session_user(request, settings, store) or PUBLIC


async def get_public_layers(request: Request) -> frozenset[str]:
    """The layers the public reads (``public_layers``, checked when the app was made)."""
    return request.app.state.public_layers


async def admin_user(user: Annotated[Principal, Depends(current_user)]) -> Principal:
    require_admin(user)
    return user


async def page_user(request: Request, settings: SettingsDep, store: StoreDep
                    ) -> Principal | None:
    """For pages: the session's user, or None (anonymous: public pages only)."""
    return session_user(request, settings, store)


def verify_csrf_form(request: Request, settings: SettingsDep,
                     csrf_token: Annotated[str | None, Form()] = None) -> None:
    """For page form posts: the ``csrf_token`` field must match the session's CSRF token."""
    cookie = request.cookies.get(settings.cookie_name)
    if not cookie or not auth.check_csrf(settings, cookie, csrf_token):
        raise PermissionDenied("the form's CSRF token is missing or wrong; reload the page",
                               field="csrf_token", code="csrf_failed")


CurrentUser = Annotated[Principal, Depends(current_user)]
#: The signed-in user or the public, for reads of public layers.
ReaderUser = Annotated[Principal, Depends(reader)]
PublicLayers = Annotated[frozenset[str], Depends(get_public_layers)]
AdminUser = Annotated[Principal, Depends(admin_user)]
PageUser = Annotated[Principal | None, Depends(page_user)]
CsrfChecked = Annotated[None, Depends(verify_csrf_form)]


@dataclass(frozen=True)
class PageParams:
    limit: int
    offset: int


async def page_params(
        limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page")]
        = DEFAULT_LIMIT,
        offset: Annotated[int, Query(ge=0, le=MAX_ID, description="Items to skip")] = 0
) -> PageParams:
    """Pagination (分页) everywhere: ``limit`` 1…1000 (default 100), ``offset`` ≥ 0."""
    return PageParams(limit, offset)


PageDep = Annotated[PageParams, Depends(page_params)]
#: A numeric id in a path (a project, a phase, a run): 1…:data:`MAX_ID`.
IdPath = Annotated[int, Path(ge=1, le=MAX_ID)]
