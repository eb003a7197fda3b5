"""REST routes for the finance work of issue 5 (filled in by its service module)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["finance"])
