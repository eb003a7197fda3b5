"""Permission-matrix cases of the finance routes (merged into test_permissions.MATRIX)."""

from __future__ import annotations

from .test_permissions import Case

CASES: dict[tuple[str, str], Case] = {}
