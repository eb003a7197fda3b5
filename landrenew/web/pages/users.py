"""User administration (用户管理), for administrators: the users with their roles, districts
and organisations; a form to add one; and per user, disabling or enabling, a password reset and
the assignment of districts, organisation and workflow agency. The same services as
``/api/users`` and ``landrenew users``; a refused form comes back with the message beside its
field (422, or 409 for a name taken) and what was typed kept — never a password.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from landrenew.api.deps import CsrfChecked, PageUser, StoreDep
from landrenew.core import auth, user_admin
from landrenew.core.access import AGENCIES, ROLES, Principal, require_admin
from landrenew.core.errors import InputError, LandrenewError
from landrenew.land import catalogue
from landrenew.web.pages.common import need_user
from landrenew.web.pages.project_forms import error_of
from landrenew.web.render import render

router = APIRouter(include_in_schema=False, tags=["pages"])


def _admin(request: Request, user: Principal | None) -> Principal:
    who = need_user(request, user)
    require_admin(who)
    return who


def _districts(store: StoreDep, who: Principal) -> list[dict[str, Any]]:
    return catalogue.list_districts(store, who, limit=1000)[1]


def _list(request: Request, store: StoreDep, who: Principal, *,
          typed: dict[str, Any] | None = None, error: LandrenewError | None = None
          ) -> Response:
    _, users = auth.list_users(store)
    districts = _districts(store, who)
    return render(request, "users.html", {
        "users": users, "roles": ROLES, "agencies": AGENCIES, "district_options": districts,
        "district_names": {d["code"]: d["name"] for d in districts},
        "typed": typed or {"role": "district_staff", "districts": []},
        "error": error_of(error) if error is not None else None},
        user=who, status_code=error.status if error is not None else 200)


def _refused(exc: LandrenewError) -> bool:
    """A refusal the form shows (bad input, a name taken); access refusals are error pages."""
    return exc.status in (409, 422)


@router.get("/users")
def users_page(request: Request, store: StoreDep, user: PageUser) -> Response:
    who = _admin(request, user)
    return _list(request, store, who)


@router.post("/users")
def users_add(request: Request, store: StoreDep, user: PageUser, _csrf: CsrfChecked,
              name: Annotated[str, Form()] = "", role: Annotated[str, Form()] = "",
              password: Annotated[str, Form()] = "",
              districts: Annotated[list[str] | None, Form()] = None,
              organisation: Annotated[str, Form()] = "",
              agency: Annotated[str, Form()] = "") -> Response:
    """Add a user (the first password is given to them by the administrator)."""
    who = _admin(request, user)
    typed = {"name": name, "role": role, "districts": districts or [],
             "organisation": organisation, "agency": agency}
    try:
        made = auth.create_user(store, name, role, password, districts=districts or [],
                                actor=who.name, organisation=organisation or None,
                                agency=agency or None)
    except LandrenewError as exc:
        if not _refused(exc):
            raise
        return _list(request, store, who, typed=typed, error=exc)
    return RedirectResponse(f"/users/{made.name}", status_code=303)


def _user_page(request: Request, store: StoreDep, who: Principal, name: str, *,
               form: str | None = None, typed: dict[str, Any] | None = None,
               error: LandrenewError | None = None, done: str | None = None) -> Response:
    target = auth.get_user(store, name)
    districts = _districts(store, who)
    return render(request, "user.html", {
        "u": target, "roles": ROLES, "agencies": AGENCIES, "district_options": districts,
        "district_names": {d["code"]: d["name"] for d in districts}, "form": form,
        "typed": typed or {}, "done": done,
        "error": error_of(error) if error is not None else None},
        user=who, status_code=error.status if error is not None else 200)


@router.get("/users/{name}")
def user_page(request: Request, name: str, store: StoreDep, user: PageUser,
              done: str | None = None) -> Response:
    who = _admin(request, user)
    return _user_page(request, store, who, name, done=done)


@router.post("/users/{name}/active")
def user_active(request: Request, name: str, store: StoreDep, user: PageUser,
                _csrf: CsrfChecked, active: Annotated[str, Form()]) -> Response:
    """Disable (every session of the user ends at once) or enable again."""
    who = _admin(request, user)
    if name == who.name and active != "true":  # no administrator locks themselves out
        return _user_page(request, store, who, name, form="active", error=InputError(
            "you cannot disable your own account", field="active"))
    auth.set_active(store, name, active == "true", actor=who.name)
    return RedirectResponse(f"/users/{name}?done=active", status_code=303)


@router.post("/users/{name}/password")
def user_password(request: Request, name: str, store: StoreDep, user: PageUser,
                  _csrf: CsrfChecked, password: Annotated[str, Form()] = "") -> Response:
    """Reset a user's password (every session of the user ends)."""
    who = _admin(request, user)
    try:
        auth.change_password(store, name, password, actor=who.name)
    except LandrenewError as exc:
        if not _refused(exc):
            raise
        return _user_page(request, store, who, name, form="password", error=exc)
    return RedirectResponse(f"/users/{name}?done=password", status_code=303)


@router.post("/users/{name}/assign")
def user_assign(request: Request, name: str, store: StoreDep, user: PageUser,
                _csrf: CsrfChecked, districts: Annotated[list[str] | None, Form()] = None,
                organisation: Annotated[str, Form()] = "",
                agency: Annotated[str, Form()] = "") -> Response:
    """Assign the districts, organisation and workflow agency (the form sends all three)."""
    who = _admin(request, user)
    typed = {"districts": districts or [], "organisation": organisation, "agency": agency}
    try:
        user_admin.assign(store, name, actor=who.name, districts=districts or [],
                          organisation=organisation, agency=agency)
    except LandrenewError as exc:
        if not _refused(exc):
            raise
        return _user_page(request, store, who, name, form="assign", typed=typed, error=exc)
    return RedirectResponse(f"/users/{name}?done=assign", status_code=303)
