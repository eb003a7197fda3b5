"""Rule packs (规则包): which packs there are, and which one decides a kind at a place on a day.

``GET /api/rules?kind=&district=&on=`` lists packs (of a kind; belonging to the place or a place
holding it; in force on the day); ``GET /api/rules/resolve?kind=&district=&on=`` answers
``{pack, version, jurisdiction, draft, effective_from, effective_to}`` or 404 ``no_rules``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter

from landrenew.api.deps import CurrentUser
from landrenew.api.schemas.rules import (
    PackOut,
    Resolved,
)
from landrenew.core import packs, places
from landrenew.core.clock import city_today
from landrenew.core.errors import InputError, NotFound
from landrenew.core.packmodels import KINDS

router = APIRouter(prefix="/api/rules", tags=["rules"])

def _kind(kind: str | None) -> str | None:
    if kind is not None and kind not in KINDS:
        raise InputError(f"unknown kind '{kind}' (known: {', '.join(KINDS)})",
                         field="kind")
    return kind


@router.get("", response_model=list[PackOut])
def list_rules(user: CurrentUser, kind: str | None = None, district: str | None = None,
               on: dt.date | None = None) -> list[PackOut]:
    """Every pack, or those of ``kind``, of ``district`` and the places holding it, in force
    ``on``."""
    chain = places.lineage(district) if district else None
    out: list[dict[str, Any]] = []
    for info in packs.registry().all(_kind(kind)):
        if chain is not None and info.jurisdiction not in chain:
            continue
        if on is not None and not info.in_force(on):
            continue
        out.append(info.as_dict())
    return [PackOut(**d) for d in out]


@router.get("/resolve", response_model=Resolved)
def resolve(user: CurrentUser, kind: str, district: str, on: dt.date | None = None
            ) -> Resolved:
    """The pack that decides ``kind`` at ``district`` on ``on`` (today in the city); 404
    ``no_rules`` naming the kind and the place where none applies."""
    day = on or city_today()
    try:
        info = packs.resolve(_kind(kind) or "", places.check_code(district), day)
    except packs.NoRules as exc:
        raise NotFound(exc.message, field="district", code="no_rules") from None
    d = info.as_dict()
    return Resolved(**{k: d[k] for k in Resolved.model_fields})
