"""Logging in (登录): bearer tokens for the API, a session cookie for the pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.security import OAuth2PasswordRequestForm

from landrenew.api.deps import CsrfChecked, CurrentUser, SettingsDep, StoreDep, client_address
from landrenew.api.schemas import Token, UserPublic
from landrenew.core import auth

router = APIRouter(prefix="/api/auth", tags=["auth"])
page_router = APIRouter(tags=["pages"])


@router.post("/token", response_model=Token)
def login_for_token(request: Request, form: Annotated[OAuth2PasswordRequestForm, Depends()],
                    settings: SettingsDep, store: StoreDep) -> Token:
    """OAuth2 password flow: user name and password in, a bearer token out."""
    user = auth.authenticate(store, settings, form.username, form.password,
                             client_address(request))
    return Token(access_token=auth.issue_token(settings, user),
                 expires_in=settings.token_minutes * 60)


@router.get("/me", response_model=UserPublic)
def me(user: CurrentUser) -> UserPublic:
    return UserPublic(name=user.name, role=user.role, districts=list(user.districts),
                      is_active=True)


def _safe_next(target: str) -> str:
    """Only same-site paths: never an open redirect."""
    return target if target.startswith("/") and not target.startswith("//") else "/"


@page_router.post("/login", include_in_schema=False)
def login_page(request: Request, settings: SettingsDep, store: StoreDep,
               username: Annotated[str, Form()], password: Annotated[str, Form()],
               next: Annotated[str, Form()] = "/") -> Response:
    """Page login: sets the HttpOnly session cookie and the CSRF cookie, then redirects."""
    user = auth.authenticate(store, settings, username, password, client_address(request))
    session = auth.issue_token(settings, user, kind="session")
    response = RedirectResponse(_safe_next(next), status_code=303)
    max_age = settings.token_minutes * 60
    response.set_cookie(settings.cookie_name, session, max_age=max_age, httponly=True,
                        secure=settings.cookie_secure, samesite=settings.cookie_samesite)  # type: ignore[arg-type]
    response.set_cookie(settings.csrf_cookie_name, auth.csrf_token(settings, session),
                        max_age=max_age, httponly=False, secure=settings.cookie_secure,
                        samesite=settings.cookie_samesite)  # type: ignore[arg-type]
    return response


@page_router.post("/logout", include_in_schema=False)
def logout_page(settings: SettingsDep, _csrf: CsrfChecked) -> Response:
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(settings.cookie_name)
    response.delete_cookie(settings.csrf_cookie_name)
    return response
