"""Parcels (地块): lists, detail with the latest evaluation, edits, history."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from landrenew.api.deps import CurrentUser, PageDep, StoreDep
from landrenew.api.schemas import (
    Page,
    ParcelDetail,
    ParcelPublic,
    ParcelUpdate,
    ParcelUpdated,
    ParcelVersionPublic,
)
from landrenew.core.errors import InputError
from landrenew.platform import parcels as service

router = APIRouter(prefix="/api/parcels", tags=["parcels"])

BBoxQuery = Annotated[str | None, Query(description="minx,miny,maxx,maxy in EPSG:4490 (lon/lat)",
                                        examples=["113.0,22.5,113.2,22.7"])]


def parse_bbox(value: str | None) -> tuple[float, float, float, float] | None:
    if not value:
        return None
    try:
        parts = tuple(float(v) for v in value.split(","))
    except ValueError as exc:
        raise InputError(f"bbox '{value}' is not four numbers", field="bbox") from exc
    if len(parts) != 4 or parts[0] > parts[2] or parts[1] > parts[3]:
        raise InputError(f"bbox '{value}' must be minx,miny,maxx,maxy", field="bbox")
    return parts


@router.get("", response_model=Page[ParcelPublic], response_model_exclude_unset=True)
def list_parcels(store: StoreDep, user: CurrentUser, page: PageDep,
                 district: str | None = None, category: str | None = None,
                 flag: str | None = None, bbox: BBoxQuery = None,
                 after: Annotated[str | None, Query(
                     description="Start after this parcel code (the previous page's "
                                 "next_after): keyset paging, as fast deep in the list as at "
                                 "its start")] = None) -> Page[ParcelPublic]:
    """Current parcels in parcel-code order; ``category``/``flag`` filter on the latest
    evaluation run. Page with ``offset``, or follow ``next_after`` (faster on long lists)."""
    total, items = service.list_parcels(store, user, district=district, category=category,
                                        flag=flag, bbox=parse_bbox(bbox), limit=page.limit,
                                        offset=page.offset, after=after)
    page_out = Page(total=total, limit=page.limit, offset=page.offset,
                    items=[ParcelPublic(**i) for i in items])
    if len(items) == page.limit:
        page_out.next_after = items[-1]["parcel_code"]
    return page_out


@router.get("/{code}", response_model=ParcelDetail, response_model_exclude_unset=True)
def get_parcel(code: str, store: StoreDep, user: CurrentUser) -> ParcelDetail:
    return ParcelDetail(**service.parcel_detail(store, user, code))


@router.patch("/{code}", response_model=ParcelUpdated)
def patch_parcel(code: str, body: ParcelUpdate, store: StoreDep, user: CurrentUser
                 ) -> ParcelUpdated:
    """Change fields (a new version, audited); ``reason`` is required."""
    changes = body.model_dump(exclude_unset=True, exclude={"reason"})
    return ParcelUpdated(**service.edit_parcel(store, user, code, changes, body.reason))


@router.get("/{code}/history", response_model=Page[ParcelVersionPublic],
            response_model_exclude_unset=True)
def parcel_history(code: str, store: StoreDep, user: CurrentUser, page: PageDep
                   ) -> Page[ParcelVersionPublic]:
    total, items = service.history(store, user, code, limit=page.limit, offset=page.offset)
    return Page(total=total, limit=page.limit, offset=page.offset,
                items=[ParcelVersionPublic(**i) for i in items])
