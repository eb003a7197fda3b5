"""Pages for the finance work of issue 5."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
