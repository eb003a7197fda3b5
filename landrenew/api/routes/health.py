"""``GET /api/health``: is the service up and its database at the latest schema (健康检查)."""

from __future__ import annotations

from fastapi import APIRouter

from landrenew.api.deps import StoreDep
from landrenew.api.schemas import Health
from landrenew.core.store.migrate import current_revision

router = APIRouter(prefix="/api", tags=["health"])


@router.get("/health", response_model=Health)
def health(store: StoreDep) -> Health:
    return Health(status="ok", database=store.caps.name,
                  schema_revision=current_revision(store.engine))
