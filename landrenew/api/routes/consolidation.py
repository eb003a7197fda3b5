"""REST routes for the consolidation work of issue 5 (filled in by its service module)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["consolidation"])
