"""Logging in and out, and the page language (登录、退出、界面语言)."""

from __future__ import annotations

import contextlib
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from landrenew.api.deps import CsrfChecked, PageUser, SettingsDep, StoreDep, client_address
from landrenew.core import auth
from landrenew.core.access import NotAuthenticated, Principal
from landrenew.core.errors import NotFound, TooManyAttempts
from landrenew.core.settings import Settings
from landrenew.web import i18n
from landrenew.web.pages.common import LOGIN_FORM_SECONDS, safe_next, t
from landrenew.web.render import locale_of, render

router = APIRouter(include_in_schema=False, tags=["pages"])


# ---------------------------------------------------------------- login, logout, language

def _login_cookie(settings: Settings) -> str:
    return f"{settings.cookie_name}_login"


def _login_page(request: Request, settings: Settings, user: Principal | None,
                context: dict[str, Any], status_code: int = 200) -> Response:
    """The login form, tied to this browser: its CSRF field is made from the browser's login
    nonce (an HttpOnly cookie, set here when the browser has none yet)."""
    nonce = request.cookies.get(_login_cookie(settings)) or auth.login_nonce()
    response = render(request, "login.html",
                      {**context, "login_csrf": auth.login_csrf_token(settings, nonce)},
                      user=user, status_code=status_code)
    response.set_cookie(_login_cookie(settings), nonce, max_age=LOGIN_FORM_SECONDS,
                        path="/login", httponly=True, secure=settings.secure_cookies,
                        samesite=settings.cookie_samesite)  # type: ignore[arg-type]
    return response


@router.get("/login")
def login_form(request: Request, settings: SettingsDep, user: PageUser, next: str = "/",
               changed: bool = False) -> Response:
    """The login form (``changed``: after one's password was changed, says so)."""
    return _login_page(request, settings, user, {"next": safe_next(next), "changed": changed})


@router.post("/login")
def login_submit(request: Request, settings: SettingsDep, store: StoreDep,
                 username: Annotated[str, Form()], password: Annotated[str, Form()],
                 next: Annotated[str, Form()] = "/",
                 csrf_token: Annotated[str | None, Form()] = None) -> Response:
    """Page login: sets the HttpOnly session cookie and the CSRF cookie, then redirects.
    The form must come from this site in this browser (its CSRF field matches the login nonce
    cookie); one that does not, a wrong password or too many attempts shows the form again with
    the reason, and the password is not checked for a form that did not come from here."""
    locale = locale_of(request)
    again = {"next": safe_next(next), "username": username}
    if not auth.check_login_csrf(settings, request.cookies.get(_login_cookie(settings)),
                                 csrf_token):
        message = t(locale, "The login form has expired; please log in again.")
        return _login_page(request, settings, None, {**again, "error": message},
                           status_code=403)
    try:
        user = auth.authenticate(store, settings, username, password, client_address(request))
    except (NotAuthenticated, TooManyAttempts) as exc:
        message = (t(locale, "Too many failed attempts; wait a few minutes and try again.")
                   if isinstance(exc, TooManyAttempts)
                   else t(locale, "Wrong user name or password, or the account is disabled."))
        return _login_page(request, settings, None, {**again, "error": message},
                           status_code=exc.status)
    session = auth.open_session(store, settings, user, "session",
                                user_agent=request.headers.get("user-agent"),
                                address=client_address(request))
    response = RedirectResponse(safe_next(next), status_code=303)
    max_age = settings.token_minutes * 60
    response.set_cookie(settings.cookie_name, session, max_age=max_age, httponly=True,
                        secure=settings.secure_cookies, samesite=settings.cookie_samesite)  # type: ignore[arg-type]
    response.set_cookie(settings.csrf_cookie_name, auth.csrf_token(settings, session),
                        max_age=max_age, httponly=False, secure=settings.secure_cookies,
                        samesite=settings.cookie_samesite)  # type: ignore[arg-type]
    response.delete_cookie(_login_cookie(settings), path="/login")  # used: the next is new
    return response


@router.post("/logout")
def logout(request: Request, settings: SettingsDep, store: StoreDep, _csrf: CsrfChecked
           ) -> Response:
    """Log out: the session ends on the server (its cookie no longer opens a page), then the
    cookies are removed from the browser."""
    cookie = request.cookies.get(settings.cookie_name)
    if cookie:
        with contextlib.suppress(NotAuthenticated, NotFound):
            auth.end_session(store, settings, cookie, "session")
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(settings.cookie_name)
    response.delete_cookie(settings.csrf_cookie_name)
    return response


@router.get("/lang/{locale}")
def set_language(locale: str, next: str = "/") -> Response:
    """Switch the page language (zh_CN or en) and go back."""
    chosen = i18n.negotiate(locale, None)
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(i18n.LANG_COOKIE, chosen, max_age=365 * 24 * 3600, samesite="lax")
    return response


