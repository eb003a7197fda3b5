"""Checks of what a consent request names (意愿征询单元的定义、权利人), pure: a unit's
definition (consents and votes are ledger records, never part of it; every ledger subject fits
the ledger), the unit and the owners' node (a unit, or one parcel of a ``state_parcels`` unit) a
record is for, and the pure gate's errors with their fields named as the request names them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from landrenew.core.errors import InputError
from landrenew.core.store.models import ConsentUnit, Project

SUBJECT_MAX = 64  # ledger_records.subject


def rename(exc: InputError, renames: Sequence[tuple[str, str]]) -> InputError:
    """The pure error with its field named as the request names it."""
    field = exc.field or ""
    for old, new in renames:
        if field == old or field.startswith(old + ".") or field.startswith(old + "["):
            field = (new + field[len(old):]).lstrip(".")
            break
    return InputError(exc.message, field=field or None, code=exc.code)


def check_definition(code: str, kind: str, definition: Mapping[str, Any]) -> None:
    """Consents and votes are ledger records, never part of a definition; every ledger subject
    ``unit/[parcel/]owner`` must fit the ledger's subject column."""

    def walk(node: Mapping[str, Any], where: str, path: tuple[str, ...]) -> None:
        for key, how in (("records", "record each owner's consent (an owner's consent record)"),
                         ("vote", "record the collective body's vote (a vote record)")):
            if key in node:
                raise InputError(f"'{key}' is not part of a unit's definition: {how}, not in "
                                 "the definition", field=f"{where}.{key}")
        parcels = node.get("parcels")
        if isinstance(parcels, Sequence) and not isinstance(parcels, (str, bytes)):
            for i, p in enumerate(parcels):
                if isinstance(p, Mapping):
                    walk(p, f"{where}.parcels[{i}]", (*path, str(p.get("id"))))
        owners = node.get("owners")
        if isinstance(owners, Sequence) and not isinstance(owners, (str, bytes)):
            for i, o in enumerate(owners):
                if isinstance(o, Mapping):
                    subject = "/".join((code, *path, str(o.get("id"))))
                    if len(subject) > SUBJECT_MAX:
                        raise InputError(f"'{subject}' is longer than {SUBJECT_MAX} characters "
                                         "(unit code, parcel and owner ids together)",
                                         field=f"{where}.owners[{i}].id")

    walk(definition, "definition", ())
    for key, expected, name in (("id", code, "code"), ("kind", kind, "kind")):
        if key in definition and definition[key] != expected:
            raise InputError(f"definition.{key} '{definition[key]}' differs from the unit's "
                             f"{name} '{expected}' (leave it out)", field=f"definition.{key}")


def unit_row(rows: Sequence[ConsentUnit], project: Project, code: str) -> ConsentUnit:
    """The unit ``code`` among the project's units ``rows``."""
    row = next((r for r in rows if r.code == code), None)
    if row is None:
        known = [u.code for u in rows]
        raise InputError(f"project {project.id} has no consent unit '{code}'"
                         + (f" (units: {', '.join(known)})" if known else
                            "; add the consent unit to the project first"),
                         field="unit")
    return row


def holder_node(row: ConsentUnit, parcel: str | None) -> dict[str, Any]:
    """The owners' node of a unit: the unit itself, or the parcel named by ``parcel`` (ids
    joined by '/') of a ``state_parcels`` unit."""
    node: dict[str, Any] = {**(row.definition or {}), "kind": row.kind}
    if row.kind != "state_parcels":
        if parcel:
            raise InputError(f"unit '{row.code}' ({row.kind}) has no parcels", field="parcel")
        return node
    if not parcel:
        ids = [str(p.get("id")) for p in node.get("parcels") or []]
        raise InputError(f"unit '{row.code}' is several parcels: name the parcel "
                         f"({', '.join(ids)})", field="parcel")
    for part in parcel.split("/"):
        if node.get("kind") != "state_parcels":
            raise InputError(f"parcel path '{parcel}' goes below a parcel with owners",
                             field="parcel")
        found = next((p for p in node.get("parcels") or [] if str(p.get("id")) == part), None)
        if found is None:
            raise InputError(f"unit '{row.code}' has no parcel '{part}'", field="parcel")
        node = found
    if node.get("kind") == "state_parcels":
        ids = [str(p.get("id")) for p in node.get("parcels") or []]
        raise InputError(f"parcel '{parcel}' is itself several parcels: name one of "
                         f"{', '.join(ids)}", field="parcel")
    return node
