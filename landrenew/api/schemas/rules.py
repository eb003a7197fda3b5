"""Rule packs (规则包): the answers of the rules routes."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel


class PackOut(BaseModel):
    pack: str
    version: str
    kind: str
    title: dict[str, str]
    jurisdiction: str
    jurisdiction_name: str
    draft: bool
    issued_on: dt.date | None
    effective_from: dt.date
    effective_to: dt.date | None
    parent: str | None
    source: str
    origin: str


class Resolved(BaseModel):
    pack: str
    version: str
    kind: str
    jurisdiction: str
    jurisdiction_name: str
    draft: bool
    effective_from: dt.date
    effective_to: dt.date | None
    title: dict[str, str]
