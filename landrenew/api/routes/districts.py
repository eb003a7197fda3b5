"""Districts (行政区); district staff see their own."""

from __future__ import annotations

from fastapi import APIRouter

from landrenew.api.deps import PageDep, PublicLayers, ReaderUser, StoreDep
from landrenew.api.schemas import DistrictPublic, Page
from landrenew.land import catalogue
from landrenew.serving import layers

router = APIRouter(prefix="/api/districts", tags=["districts"])


@router.get("", response_model=Page[DistrictPublic])
def list_districts(store: StoreDep, user: ReaderUser, public: PublicLayers, page: PageDep
                   ) -> Page[DistrictPublic]:
    """The districts (district staff: their own); without signing in only if ``districts`` is
    a public layer."""
    layers.require_layer(user, "districts", public)
    total, items = catalogue.list_districts(store, user, limit=page.limit, offset=page.offset)
    return Page(total=total, limit=page.limit, offset=page.offset,
                items=[DistrictPublic(**i) for i in items])
