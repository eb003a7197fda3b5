"""Quota ledgers (指标台账): thin HTTP over :mod:`landrenew.quotas.service` and
:mod:`landrenew.quotas.views`. Role- and district-scoped as the service says; a refused movement
is 409 ``quota_refused`` naming the rule, the account, its balance and the amount."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query

from landrenew.api.deps import CurrentUser, IdPath, PageDep, StoreDep
from landrenew.api.schemas import Page
from landrenew.api.schemas.quotas import (
    BalanceOut,
    EntryIn,
    EntryOut,
    ObligationIn,
    OffsetIn,
    OffsetOut,
    PlanIn,
    PlanOut,
    ReverseIn,
    RingFenceOut,
    VillageIn,
    entry_out,
)
from landrenew.core.errors import InputError
from landrenew.quotas import service, views

router = APIRouter(tags=["quotas"])


@router.get("/api/quotas/balances", response_model=list[BalanceOut],
            summary="Balances by kind, holder and year at the end of a day")
def balances(store: StoreDep, user: CurrentUser, kind: str | None = None,
             holder: str | None = None, year: int | None = None,
             on: dt.date | None = None) -> list[BalanceOut]:
    return [BalanceOut(**b) for b in views.balance_list(store, user, kind=kind, holder=holder,
                                                        on=on, year=year)]


@router.get("/api/quotas/entries", response_model=Page[EntryOut], response_model_by_alias=True,
            summary="Entries, oldest first (an account's with its balance after each)")
def entries(store: StoreDep, user: CurrentUser, page: PageDep, kind: str | None = None,
            holder: str | None = None, year: int | None = None,
            on: dt.date | None = None) -> Any:
    total, items = views.entry_list(store, user, kind=kind, holder=holder, year=year, on=on,
                                    limit=page.limit, offset=page.offset)
    return Page(total=total, limit=page.limit, offset=page.offset,
                items=[entry_out(i) for i in items])


@router.post("/api/quotas/entries", response_model=EntryOut, status_code=201,
             summary="Book one movement of quota")
def move(body: EntryIn, store: StoreDep, user: CurrentUser) -> Any:
    return entry_out(service.move(
        store, user, body.kind, body.source, body.target, body.mu, body.movement,
        reason=body.reason, year=body.year, project=body.project, on=body.on,
        evidence=body.evidence, village_waived=body.village_waived,
        new_farmland_mu=body.new_farmland_mu, revitalised_mu=body.revitalised_mu))


@router.post("/api/quotas/entries/{entry_id}/reverse", response_model=EntryOut,
             status_code=201, summary="Correct an entry by a reversing entry (冲正)")
def reverse(entry_id: IdPath, body: ReverseIn, store: StoreDep, user: CurrentUser) -> Any:
    return entry_out(service.reverse(store, user, entry_id, reason=body.reason, on=body.on))


@router.post("/api/quotas/plans", response_model=PlanOut, status_code=201,
             summary="Record the year's plan; say whether the ring-fence meets the minimum")
def plan(body: PlanIn, store: StoreDep, user: CurrentUser) -> Any:
    return PlanOut(**service.plan(store, user, body.city, body.year, body.construction_mu,
                                  body.ring_fence_mu, on=body.on, reason=body.reason))


@router.post("/api/quotas/offsets", response_model=OffsetOut, status_code=201,
             summary="Offset legacy construction land against a village's reserved land")
def offset(body: OffsetIn, store: StoreDep, user: CurrentUser) -> Any:
    if body.check is not None:
        return OffsetOut(**service.offset_from_check(store, user, body.check, on=body.on))
    if not body.village or body.area_mu is None:
        raise InputError("give the village and area_mu, or a check", field="village")
    return OffsetOut(**service.offset_legacy(store, user, body.village, body.area_mu,
                                             on=body.on))


@router.post("/api/quotas/villages", status_code=201,
             summary="Register a village collective, its pre-borrowing space and projects")
def village(body: VillageIn, store: StoreDep, user: CurrentUser) -> dict[str, Any]:
    return service.register_village(store, user, body.name, body.district,
                                    preborrow_space_mu=body.preborrow_space_mu,
                                    projects=body.projects, reason=body.reason)


@router.post("/api/quotas/obligations", status_code=201,
             summary="Record a district's farmland balance obligation")
def obligation(body: ObligationIn, store: StoreDep, user: CurrentUser) -> dict[str, Any]:
    return service.set_obligation(store, user, body.district, body.obligation_mu,
                                  reason=body.reason)


@router.get("/api/quotas/ring-fence", response_model=RingFenceOut,
            summary="The year's ring-fence: planned, allocated, used, left")
def ring_fence(city: str, year: Annotated[int, Query(ge=1990, le=2200)], store: StoreDep, user: CurrentUser) -> Any:
    return RingFenceOut(**views.ring_fence_year(store, user, city, year))
