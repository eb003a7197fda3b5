"""Evaluation runs (认定批次) and their statistics, district-scoped."""

from __future__ import annotations

from fastapi import APIRouter

from landrenew.api.deps import CurrentUser, IdPath, PageDep, StoreDep
from landrenew.api.schemas import (
    EvaluationRunDetail,
    EvaluationRunPublic,
    EvaluationStatistics,
    Page,
    Publication,
    PublishRequest,
)
from landrenew.evaluation import publishing, service

router = APIRouter(prefix="/api/evaluations", tags=["evaluations"])


@router.get("", response_model=Page[EvaluationRunPublic])
def list_runs(store: StoreDep, user: CurrentUser, page: PageDep) -> Page[EvaluationRunPublic]:
    total, items = service.list_runs(store, user, limit=page.limit, offset=page.offset)
    return Page(total=total, limit=page.limit, offset=page.offset,
                items=[EvaluationRunPublic(**i) for i in items])


@router.get("/{run_id}", response_model=EvaluationRunDetail)
def get_run(run_id: IdPath, store: StoreDep, user: CurrentUser) -> EvaluationRunDetail:
    return EvaluationRunDetail(**service.get_run(store, user, run_id))


@router.get("/{run_id}/statistics", response_model=EvaluationStatistics)
def run_statistics(run_id: IdPath, store: StoreDep, user: CurrentUser,
                   district: str | None = None) -> EvaluationStatistics:
    """Parcels and 亩 by district × category and flag."""
    return EvaluationStatistics(**service.run_statistics(store, user, run_id, district=district))


@router.post("/{run_id}/publish", response_model=Publication)
def publish_run(run_id: IdPath, store: StoreDep, user: CurrentUser,
                body: PublishRequest | None = None) -> Publication:
    """Publish a run (发布认定结果): its results become what the map, the parcel cards, the lists
    and the public see. City staff and administrators only; a trial run is refused (409)."""
    reason = body.reason if body is not None else None
    return Publication(**publishing.publish_run(store, user, run_id, reason=reason))
