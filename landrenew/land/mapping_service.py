"""Saved field mappings (已保存的字段映射): the mappings an upload may choose, by name.

A bureau receives the same kind of file again and again — each district's survey with its own
column names, Shapefiles whose names GDAL cut to 10 characters — and its staff upload them
through the pages, where no one can pass a mapping file. So an administrator saves a mapping
once under a name (``pengjiang-2024``) and every upload chooses it; the built-in ones
(:data:`~landrenew.land.mapping.BUILTIN`: ``chinese``, ``shapefile``) are offered beside them.

They are kept **in the database**, not as files in a directory: an administrator of the
platform works through the pages, the API and the command line, not on the server's disks; the
database is what the bureau backs up, every server process reads the same mapping, and a
mapping is versioned like a parcel (who saved which text, when and why; a deletion is a
version), so that an import report naming ``pengjiang-2024 v3`` can be traced to the exact
mapping it used, and the upload page confirms with the version it checked.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from landrenew.core import audit
from landrenew.core.access import Principal, require_admin, require_write
from landrenew.core.errors import InputError, NotFound
from landrenew.core.store import Store, utcnow
from landrenew.core.store.models import ImportMapping
from landrenew.land.importing import TARGETS
from landrenew.land.mapping import BUILTIN, FieldMapping, parse_mapping

#: A saved mapping's name: letters (Chinese too), digits, ``-``, ``_`` and ``.``.
NAME = re.compile(r"[\w.\-]{1,64}")
MAX_DEFINITION = 64 * 1024


def _builtin(name: str) -> dict[str, Any]:
    m = BUILTIN[name]
    return {"name": name, "title": m.title, "builtin": True, "version": None,
            "changed_by": None, "valid_from": None}


def _saved(row: ImportMapping) -> dict[str, Any]:
    m = parse_mapping(row.definition, row.name, TARGETS)
    return {"name": row.name, "title": m.title, "builtin": False, "version": row.version,
            "changed_by": row.changed_by, "valid_from": row.valid_from}


def _current(session: Session, name: str) -> ImportMapping | None:
    return session.scalar(select(ImportMapping).where(ImportMapping.name == name,
                                                      ImportMapping.valid_to.is_(None)))


def list_mappings(store: Store, user: Principal) -> list[dict[str, Any]]:
    """The built-in mappings, then the saved ones by name (for those who upload)."""
    require_write(user)
    store.ensure_current()
    with store.read_session() as session:
        rows = session.scalars(select(ImportMapping).where(
            ImportMapping.valid_to.is_(None), ImportMapping.is_deleted.is_(False))
            .order_by(ImportMapping.name)).all()
        return [*(_builtin(n) for n in BUILTIN), *(_saved(r) for r in rows)]


def mapping_detail(store: Store, user: Principal, name: str) -> dict[str, Any]:
    """A mapping: its fields and recodings, its YAML text and (saved ones) its versions."""
    require_write(user)
    if name in BUILTIN:
        m = BUILTIN[name]
        return {**_builtin(name), "fields": m.fields, "values": m.values, "definition": None,
                "history": []}
    store.ensure_current()
    with store.read_session() as session:
        rows = session.scalars(select(ImportMapping).where(ImportMapping.name == name)
                               .order_by(ImportMapping.version)).all()
        if not rows or rows[-1].is_deleted:
            raise NotFound(f"no saved field mapping '{name}'", field="mapping")
        m = parse_mapping(rows[-1].definition, name, TARGETS)
        history = [{"version": r.version, "operation": r.operation, "changed_by": r.changed_by,
                    "valid_from": r.valid_from, "reason": r.reason} for r in rows]
        return {**_saved(rows[-1]), "fields": m.fields, "values": m.values,
                "definition": rows[-1].definition, "history": history}


def save_mapping(store: Store, user: Principal, name: str, definition: str,
                 reason: str | None = None) -> dict[str, Any]:
    """Save a mapping's YAML under ``name`` (a new version when it differs); administrators."""
    require_admin(user)
    if not NAME.fullmatch(name or ""):
        raise InputError("a mapping's name is 1 to 64 letters, digits, '-', '_' or '.'",
                         field="name")
    if name in BUILTIN:
        raise InputError(f"'{name}' is a built-in mapping; choose another name", field="name")
    if len(definition.encode("utf-8")) > MAX_DEFINITION:
        raise InputError(f"a mapping is at most {MAX_DEFINITION // 1024} KiB", field="definition")
    parse_mapping(definition, name, TARGETS)  # refused with the key named
    store.ensure_current()
    with store.session() as session:
        row = _current(session, name)
        if row is not None and not row.is_deleted and row.definition == definition:
            return _saved(row)
        saved = _write(session, user, name, definition, row, reason, deleted=False)
        return _saved(saved)


def delete_mapping(store: Store, user: Principal, name: str, reason: str) -> dict[str, Any]:
    """Delete a saved mapping (a version saying so: imports that used it stay traceable)."""
    require_admin(user)
    if not reason or not reason.strip():
        raise InputError("a reason is required to delete a mapping", field="reason")
    store.ensure_current()
    with store.session() as session:
        row = _current(session, name)
        if row is None or row.is_deleted:
            raise NotFound(f"no saved field mapping '{name}'", field="mapping")
        gone = _write(session, user, name, row.definition, row, reason, deleted=True)
        return {"name": name, "version": gone.version, "deleted": True}


def _write(session: Session, user: Principal, name: str, definition: str,
           previous: ImportMapping | None, reason: str | None, *, deleted: bool
           ) -> ImportMapping:
    now = utcnow()
    if previous is not None:
        previous.valid_to = now
        session.flush()
    row = ImportMapping(name=name, definition=definition,
                        version=(previous.version + 1) if previous else 1, valid_from=now,
                        changed_by=user.name, reason=reason,
                        operation="delete" if deleted else
                        ("update" if previous is not None and not previous.is_deleted
                         else "insert"), is_deleted=deleted)
    session.add(row)
    session.flush()
    audit.record(session, actor=user.name, action="delete_mapping" if deleted else "save_mapping",
                 entity_type="import_mapping", entity_id=name, reason=reason,
                 before=previous.definition if previous is not None else None,
                 after=None if deleted else definition)
    return row


def resolve_mapping(store: Store, name: str, version: int | None = None
                    ) -> tuple[FieldMapping, str, int | None]:
    """The mapping an upload chose: built-in, or saved (its current version, or ``version``),
    with how the import report names it and the version used."""
    if name in BUILTIN:
        return BUILTIN[name], f"{name} (built-in)", None
    store.ensure_current()
    with store.read_session() as session:
        stmt = select(ImportMapping).where(ImportMapping.name == name)
        stmt = (stmt.where(ImportMapping.version == version) if version is not None
                else stmt.where(ImportMapping.valid_to.is_(None)))
        row = session.scalar(stmt)
        if row is None or (version is None and row.is_deleted):
            known = ", ".join(m for m in BUILTIN)
            raise InputError(f"no field mapping '{name}' (built-in: {known}; an administrator "
                             "saves others)", field="mapping")
        mapping = parse_mapping(row.definition, name, TARGETS)
        return mapping, f"{name} v{row.version}", row.version
