"""User administration (用户管理) beyond adding, disabling and resetting passwords
(:mod:`landrenew.core.auth`): which districts a district staff member works in, which
organisation a consolidation entity's user belongs to, and the body a user acts for in the
consolidation workflow. Used by the admin page, ``PATCH /api/users/{name}`` and
``landrenew users assign``; every change is audited with what it was before.
"""

from __future__ import annotations

from sqlalchemy import select

from landrenew.core import audit
from landrenew.core.access import AGENCIES
from landrenew.core.auth import UserInfo, get_user
from landrenew.core.errors import InputError, NotFound
from landrenew.core.store import Store, utcnow
from landrenew.core.store.models import District, User


def assign(store: Store, name: str, *, actor: str, districts: list[str] | None = None,
           organisation: str | None = None, agency: str | None = None) -> UserInfo:
    """Give a user their districts, organisation or agency (None: leave as it is; an empty
    organisation or agency clears it). The same rules as when the user was added: district staff
    keep at least one known district and only they have districts; a consolidation entity's user
    keeps an organisation and acts only as the consolidation entity."""
    store.ensure_current()
    with store.session() as session:
        row = session.scalar(select(User).where(User.name == name))
        if row is None:
            raise NotFound(f"no user '{name}'", field="name")
        before = {"districts": list(row.districts or []), "organisation": row.organisation,
                  "agency": row.agency}
        codes = sorted(set(districts)) if districts is not None else list(row.districts or [])
        org = ((organisation or "").strip() or None) if organisation is not None \
            else row.organisation
        agency = (agency or None) if agency is not None else row.agency
        if row.role == "district_staff" and not codes:
            raise InputError("district staff need at least one district (--district CODE)",
                             field="districts")
        if row.role != "district_staff" and codes:
            raise InputError(f"only district_staff are limited to districts, not {row.role}",
                             field="districts")
        known = set(session.scalars(select(District.code)))
        unknown = [c for c in codes if c not in known]
        if unknown:
            raise InputError(f"unknown district(s) {unknown}; known: {', '.join(sorted(known))}",
                             field="districts")
        if row.role == "consolidation_entity" and not org:
            raise InputError("a consolidation entity's user needs its organisation "
                             "(--organisation, the projects' owner company)",
                             field="organisation")
        if agency is not None and agency not in AGENCIES:
            raise InputError(f"agency '{agency}' is not one of {', '.join(AGENCIES)}",
                             field="agency")
        if row.role == "consolidation_entity" and agency not in (None,
                                                                     "consolidation_entity"):
            raise InputError("a consolidation entity acts only as the consolidation entity",
                             field="agency")
        after = {"districts": codes, "organisation": org, "agency": agency}
        if after != before:
            row.districts, row.organisation, row.agency = codes or None, org, agency
            row.updated_at = utcnow()
            audit.record(session, actor=actor, action="assign_user", entity_type="user",
                         entity_id=name, before=before, after=after)
    return get_user(store, name)
