"""One's own account (我的账号): change one's password from the pages, as
``POST /api/auth/password`` does. The current password is asked for; the new one is typed twice.
Every session of the user ends (this one too), so the page sends them to log in again."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from landrenew.api.deps import CsrfChecked, PageUser, SettingsDep, StoreDep
from landrenew.core import auth
from landrenew.core.access import Principal
from landrenew.core.errors import InputError, LandrenewError
from landrenew.web.pages.common import need_user
from landrenew.web.pages.project_forms import error_of
from landrenew.web.render import render

router = APIRouter(include_in_schema=False, tags=["pages"])


def _form(request: Request, who: Principal, error: LandrenewError | None = None) -> Response:
    return render(request, "account.html",
                  {"error": error_of(error) if error is not None else None}, user=who,
                  status_code=error.status if error is not None else 200)


@router.get("/account/password")
def password_form(request: Request, user: PageUser) -> Response:
    return _form(request, need_user(request, user))


@router.post("/account/password")
def password_change(request: Request, settings: SettingsDep, store: StoreDep, user: PageUser,
                    _csrf: CsrfChecked, current_password: Annotated[str, Form()] = "",
                    password: Annotated[str, Form()] = "",
                    confirm: Annotated[str, Form()] = "") -> Response:
    """Change one's password; a refusal (wrong current password, weak or mistyped new one)
    comes back beside its field, and no password is ever written back into the form."""
    who = need_user(request, user)
    try:
        if password != confirm:
            raise InputError("the two new passwords differ", field="confirm")
        auth.change_password(store, who.name, password, actor=who.name,
                             current_password=current_password)
    except LandrenewError as exc:
        if exc.status not in (409, 422):
            raise
        return _form(request, who, exc)
    response = RedirectResponse("/login?next=/&changed=1", status_code=303)
    response.delete_cookie(settings.cookie_name)
    response.delete_cookie(settings.csrf_cookie_name)
    return response
