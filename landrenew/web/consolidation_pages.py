"""Pages for the consolidation work of issue 5."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
