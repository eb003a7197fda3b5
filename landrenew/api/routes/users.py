"""Users (用户管理), administrators only."""

from __future__ import annotations

from fastapi import APIRouter

from landrenew.api.deps import AdminUser, PageDep, StoreDep
from landrenew.api.schemas import Page, UserCreate, UserPublic, UserUpdate
from landrenew.core import auth, user_admin
from landrenew.core.errors import InputError

router = APIRouter(prefix="/api/users", tags=["users"])


def _public(u: auth.UserInfo) -> UserPublic:
    return UserPublic(name=u.name, role=u.role, districts=list(u.districts),
                      is_active=u.is_active, created_at=u.created_at, created_by=u.created_by,
                      organisation=u.organisation, agency=u.agency)


@router.get("", response_model=Page[UserPublic])
def list_users(store: StoreDep, admin: AdminUser, page: PageDep) -> Page[UserPublic]:
    total, users = auth.list_users(store, limit=page.limit, offset=page.offset)
    return Page(total=total, limit=page.limit, offset=page.offset,
                items=[_public(u) for u in users])


@router.post("", response_model=UserPublic, status_code=201)
def create_user(body: UserCreate, store: StoreDep, admin: AdminUser) -> UserPublic:
    return _public(auth.create_user(store, body.name, body.role, body.password,
                                    districts=body.districts, actor=admin.name,
                                    organisation=body.organisation, agency=body.agency))


@router.patch("/{name}", response_model=UserPublic)
def update_user(name: str, body: UserUpdate, store: StoreDep, admin: AdminUser) -> UserPublic:
    """Disable or enable a user, or reset the password (both end the user's sessions); assign
    the districts, organisation or agency (422 where the role does not take them)."""
    if all(v is None for v in (body.is_active, body.password, body.districts,
                               body.organisation, body.agency)):
        raise InputError("give is_active, password, districts, organisation or agency",
                         field="is_active")
    if any(v is not None for v in (body.districts, body.organisation, body.agency)):
        user_admin.assign(store, name, actor=admin.name, districts=body.districts,
                          organisation=body.organisation, agency=body.agency)
    if body.password is not None:
        auth.change_password(store, name, body.password, actor=admin.name)
    if body.is_active is not None:
        return _public(auth.set_active(store, name, body.is_active, actor=admin.name))
    return _public(auth.get_user(store, name))
