"""Zones (管控图层要素): the control lines and planning layers, city-wide."""

from __future__ import annotations

from fastapi import APIRouter

from landrenew.api.deps import CurrentUser, PageDep, StoreDep
from landrenew.api.routes.parcels import BBoxQuery, parse_bbox
from landrenew.api.schemas import Page, ZonePublic
from landrenew.land import catalogue

router = APIRouter(prefix="/api/zones", tags=["zones"])


@router.get("", response_model=Page[ZonePublic])
def list_zones(store: StoreDep, user: CurrentUser, page: PageDep, kind: str | None = None,
               bbox: BBoxQuery = None) -> Page[ZonePublic]:
    total, items = catalogue.list_zones(store, user, kind=kind, bbox=parse_bbox(bbox),
                                        limit=page.limit, offset=page.offset)
    return Page(total=total, limit=page.limit, offset=page.offset,
                items=[ZonePublic(**i) for i in items])
