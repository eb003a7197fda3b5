"""Which extra attributes everyone may see (公开的附加属性).

A survey file's columns that match no canonical field (``身份证号``, ``联系电话``, a ``税收`` in the
wrong unit …) are kept with the parcel as extra attributes. Nobody has said what they hold, so
they are treated as sensitive: shown only to the roles that see the sensitive fields
(:attr:`~landrenew.core.access.Principal.sees_sensitive`), unless an administrator declares a
column public in the city setting ``public_attributes`` (``landrenew settings set
public_attributes 备注,地块位置``; kept in the database, audited with its previous value).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from landrenew.core import audit
from landrenew.core.access import Principal, require_admin
from landrenew.core.errors import InputError
from landrenew.core.store import Store, get_setting, put_setting
from landrenew.core.store.models import CitySetting

SETTING = "public_attributes"


def parse_names(text: str | None) -> list[str]:
    """The setting's text (names separated by commas, Chinese commas or 、) as a list."""
    if not text:
        return []
    for sep in ("，", "、", "\n"):
        text = text.replace(sep, ",")
    names: list[str] = []
    for name in (n.strip() for n in text.split(",")):
        if name and name not in names:
            names.append(name)
    return names


def public_attributes(conn: Session | Connection) -> frozenset[str]:
    """The extra attribute names declared public."""
    return frozenset(parse_names(conn.scalar(
        select(CitySetting.value).where(CitySetting.key == SETTING))))


def set_public_attributes(store: Store, user: Principal, text: str, reason: str | None = None
                          ) -> list[str]:
    """Declare the public extra attribute names (replacing the list); administrators only."""
    require_admin(user)
    names = parse_names(text)
    if any(len(n) > 128 for n in names):
        raise InputError("an attribute name is longer than 128 characters", field="value")
    store.ensure_current()
    with store.session() as session:
        before = get_setting(session, SETTING)
        put_setting(session, SETTING, ",".join(names), user.name)
        audit.record(session, actor=user.name, action="set_setting", entity_type="setting",
                     entity_id=SETTING, reason=reason, before=before, after=",".join(names))
    return names
