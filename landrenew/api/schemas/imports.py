"""Upload reports (成果上传报告)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class ProblemPublic(BaseModel):
    file: str
    row: Any
    field: str | None
    code: str
    severity: str
    message: str
    value: str | None


class ImportReportPublic(BaseModel):
    """The import report (入库报告), as the CLI prints it: its first problems (at most 1000)
    and how many there were (``problem_count``)."""

    file: str
    dry_run: bool
    stored: bool
    rows_read: int
    inserted: int
    updated: int
    unchanged: int
    refused: int
    errors: int
    warnings: int
    batch: str | None
    projected_crs: str | None
    area_mu: float
    problems: list[ProblemPublic]
    problem_count: int
