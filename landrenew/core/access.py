"""Who may do what (权限): roles, district scope and sensitive fields — pure policy, no HTTP.

Roles (角色):

* ``admin`` (系统管理员) — users and settings, the audit trail, and everything ``city_staff`` can.
* ``city_staff`` (市局工作人员) — the whole city, read and write.
* ``district_staff`` (区县工作人员) — read and write only the districts assigned to them; any
  other district's parcel is answered as absent (404), naming another district in a filter is
  refused (403).
* ``viewer`` (只读用户) — the whole city, read only, **without** the sensitive fields.
* anonymous (匿名) — no data from the API at all.

Sensitive fields (敏感字段: enterprise tax, output, investment, right holder —
:data:`landrenew.land.fields.SENSITIVE_FIELDS`) are shown to ``admin``, ``city_staff`` and
``district_staff`` (for their own districts); never to ``viewer`` or anonymous users.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from landrenew.core.errors import (  # noqa: F401  (re-exported for the faces)
    InputError,
    LandrenewError,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
)

ROLES: dict[str, str] = {
    "admin": "系统管理员",
    "city_staff": "市局工作人员",
    "district_staff": "区县工作人员",
    "viewer": "只读用户",
    "consolidation_entity": "土地整备主体",
}
#: Bodies a user can act for in the consolidation workflow (土地整备流程的角色), as the
#: consolidation scheme packs name them; city and district staff act for the city bureau and the town
#: government unless given another agency.
AGENCIES: dict[str, str] = {
    "town_government": "属地镇街政府",
    "consolidation_entity": "土地整备主体",
    "city_bureau": "市自然资源局",
    "housing_bureau": "市住房和城乡建设局",
    "finance": "市财政局",
    "committee": "市土地管理委员会",
    "reserve_centre": "市土地储备中心",
    "third_party_accountant": "第三方会计师事务所",
    "trading_centre": "市公共资源交易中心",
}
WRITE_ROLES = frozenset({"admin", "city_staff", "district_staff"})
SENSITIVE_ROLES = frozenset({"admin", "city_staff", "district_staff"})


@dataclass(frozen=True)
class Principal:
    """The acting user as the policy sees it: name, role and assigned districts."""

    name: str
    role: str
    districts: tuple[str, ...] = field(default_factory=tuple)
    organisation: str | None = None
    agency: str | None = None

    @property
    def is_entity(self) -> bool:
        """A consolidation entity's user (土地整备主体): sees and works on its own projects only."""
        return self.role == "consolidation_entity"

    @property
    def workflow_role(self) -> str | None:
        """The body this user acts for in the consolidation workflow."""
        if self.is_entity:
            return "consolidation_entity"
        if self.agency:
            return self.agency
        return {"city_staff": "city_bureau", "district_staff": "town_government"}.get(self.role)

    def sees_project(self, district: str | None, owner_company: str | None) -> bool:
        """Whether a project is visible: an entity sees the projects it is the owner company
        of, anyone else the projects of their districts."""
        if self.is_entity:
            return bool(self.organisation) and owner_company == self.organisation
        return self.covers(district)

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def can_write(self) -> bool:
        return self.role in WRITE_ROLES

    @property
    def sees_sensitive(self) -> bool:
        return self.role in SENSITIVE_ROLES

    @property
    def is_public(self) -> bool:
        """The anonymous public (匿名公众, :data:`PUBLIC`): never shown who in the bureau
        changed a record (internal account names such as ``changed_by``)."""
        return self == PUBLIC

    @property
    def scope(self) -> tuple[str, ...] | None:
        """The districts this user is limited to, or ``None`` for the whole city."""
        return self.districts if self.role == "district_staff" else None

    def covers(self, district: str | None) -> bool:
        """Whether a record of ``district`` is visible (and, for writers, changeable)."""
        scope = self.scope
        return scope is None or (district is not None and district in scope)


def check_role(role: str) -> str:
    if role not in ROLES:
        raise InputError(f"unknown role '{role}'; known: {', '.join(ROLES)}", field="role")
    return role


def require_admin(user: Principal) -> None:
    if not user.is_admin:
        raise PermissionDenied("only an administrator may do this", field="role")


def require_write(user: Principal) -> None:
    if not user.can_write:
        raise PermissionDenied(f"role '{user.role}' is read-only", field="role")


def district_filter(user: Principal, requested: str | None) -> tuple[str, ...] | None:
    """The districts a query must be limited to: the request's, within the user's scope.

    ``None`` means the whole city. Naming a district outside the scope is refused (403).
    """
    scope = user.scope
    if requested:
        if scope is not None and requested not in scope:
            raise PermissionDenied(f"district '{requested}' is not assigned to you",
                                   field="district")
        return (requested,)
    return scope


def require_district(user: Principal, district: str | None, what: str, field_name: str
                     ) -> None:
    """A single record outside the user's districts is answered as absent (404)."""
    if not user.covers(district):
        raise NotFound(f"no {what}", field=field_name)


def require_write_district(user: Principal, district: str | None, field_name: str) -> None:
    """Writing a record into a district the user does not hold is refused (403)."""
    if not user.covers(district):
        raise PermissionDenied(f"district '{district}' is not assigned to you", field=field_name)


#: The anonymous public (公众): city-wide, read-only, never a sensitive field — what the OGC
#: API, the public map and the tiles act as when nobody is signed in.
PUBLIC = Principal(name="anonymous", role="viewer")
