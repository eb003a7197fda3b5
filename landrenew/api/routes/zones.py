"""Zones (管控图层要素): the control lines and planning layers, city-wide."""

from __future__ import annotations

from fastapi import APIRouter

from landrenew.api.deps import PageDep, PublicLayers, ReaderUser, StoreDep
from landrenew.api.routes.parcels import BBoxQuery, parse_bbox
from landrenew.api.schemas import Page, ZonePublic
from landrenew.core.errors import NotAuthenticated
from landrenew.land import catalogue
from landrenew.land.zones import ZONE_KINDS
from landrenew.serving import layers

router = APIRouter(prefix="/api/zones", tags=["zones"])


@router.get("", response_model=Page[ZonePublic])
def list_zones(store: StoreDep, user: ReaderUser, public: PublicLayers, page: PageDep,
               kind: str | None = None, bbox: BBoxQuery = None) -> Page[ZonePublic]:
    """Zones of one kind or all; without signing in, only the public layers
    (``public_layers``), as on ``/ogc`` and ``/tiles``."""
    kinds = None
    if kind in ZONE_KINDS:
        layers.require_layer(user, kind, public)
    elif kind is None and user.is_public:
        kinds = [k for k in ZONE_KINDS if k in public]
        if not kinds:
            raise NotAuthenticated("no zone layer is public: sign in to read the zones",
                                   field="layer")
    total, items = catalogue.list_zones(store, user, kind=kind, kinds=kinds,
                                        bbox=parse_bbox(bbox), limit=page.limit,
                                        offset=page.offset)
    return Page(total=total, limit=page.limit, offset=page.offset,
                items=[ZonePublic(**i) for i in items])
