"""Logging in (登录) for the API: bearer tokens (the pages' session login is in ``landrenew.web``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.security import OAuth2PasswordRequestForm

from landrenew.api.deps import CurrentUser, SettingsDep, StoreDep, TokenDep, client_address
from landrenew.api.schemas import PasswordChange, Token, UserPublic
from landrenew.core import auth

router = APIRouter(prefix="/api/auth", tags=["auth"])


@router.post("/token", response_model=Token)
def login_for_token(request: Request, form: Annotated[OAuth2PasswordRequestForm, Depends()],
                    settings: SettingsDep, store: StoreDep) -> Token:
    """OAuth2 password flow: user name and password in, a bearer token out."""
    address = client_address(request)
    user = auth.authenticate(store, settings, form.username, form.password, address)
    token = auth.open_session(store, settings, user, "access",
                              user_agent=request.headers.get("user-agent"), address=address)
    return Token(access_token=token, expires_in=settings.token_minutes * 60)


@router.post("/logout", status_code=204)
def logout(request: Request, user: CurrentUser, settings: SettingsDep, store: StoreDep,
           token: TokenDep) -> Response:
    """End the session of this bearer token (or of the page session cookie): later requests
    with it get 401."""
    if token:
        auth.end_session(store, settings, token, "access")
    else:
        auth.end_session(store, settings, request.cookies.get(settings.cookie_name) or "",
                         "session")
    return Response(status_code=204)


@router.post("/password", status_code=204)
def change_password(body: PasswordChange, user: CurrentUser, store: StoreDep) -> Response:
    """Change one's own password (the current one is asked for). Every session of the user
    ends, this one included: log in again with the new password."""
    auth.change_password(store, user.name, body.password, actor=user.name,
                         current_password=body.current_password)
    return Response(status_code=204)


@router.get("/me", response_model=UserPublic)
def me(user: CurrentUser) -> UserPublic:
    return UserPublic(name=user.name, role=user.role, districts=list(user.districts),
                      is_active=True)
