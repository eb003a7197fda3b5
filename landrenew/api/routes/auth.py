"""Logging in (登录) for the API: bearer tokens (the pages' session login is in ``landrenew.web``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.security import OAuth2PasswordRequestForm

from landrenew.api.deps import CurrentUser, SettingsDep, StoreDep, client_address
from landrenew.api.schemas import Token, UserPublic
from landrenew.core import auth

router = APIRouter(prefix="/api/auth", tags=["auth"])


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
