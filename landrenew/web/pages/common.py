"""What every page module shares: the login redirect, the signed-in user, the published run,
the staging of uploads, safe redirects and a message in the page language."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from landrenew.core.access import Principal
from landrenew.evaluation import service as evaluations
from landrenew.web import i18n
from landrenew.web.staging import Staging

PAGE_SIZE = 50
#: How long a login form may be left open before it is sent (its nonce cookie's lifetime).
LOGIN_FORM_SECONDS = 12 * 3600
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class LoginRequired(Exception):
    """A page needs a logged-in user: redirect to the login page (handled in ``pages.install``)."""

    def __init__(self, next_path: str) -> None:
        self.next_path = next_path


def need_user(request: Request, user: Principal | None) -> Principal:
    if user is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(target)
    return user


def safe_next(target: str | None) -> str:
    """Only same-site paths: never an open redirect."""
    target = target or "/"
    return target if target.startswith("/") and not target.startswith("//") else "/"


def published_run(store: Any, user: Principal) -> dict[str, Any] | None:
    """The published run (已发布的认定批次) whose results the map, cards and lists show; None
    until city staff publish one (a new run, and never a trial, shows only once published)."""
    return evaluations.published_run(store, user)


def staged_uploads(request: Request) -> Staging:
    app = request.app
    if getattr(app.state, "staging", None) is None:
        app.state.staging = Staging()
    return app.state.staging



def t(locale: str, message: str) -> str:
    return i18n.translations(locale).gettext(message)


# ---------------------------------------------------------------- map and parcel card
