"""Upload reports (成果上传报告)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field


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
    mapping: str | None = Field(None, description="The field mapping used (a saved one with "
                                                  "its version)")


class MappingPublic(BaseModel):
    """A field mapping an upload may choose (字段映射): built-in, or saved by an administrator."""

    name: str
    title: str | None
    builtin: bool
    version: int | None
    changed_by: str | None
    valid_from: dt.datetime | None


class MappingVersionPublic(BaseModel):
    version: int
    operation: str
    changed_by: str
    valid_from: dt.datetime
    reason: str | None


class MappingDetail(MappingPublic):
    """A mapping's fields (source name → canonical field), recodings, YAML and versions."""

    fields: dict[str, str]
    values: dict[str, dict[str, str]]
    definition: str | None
    history: list[MappingVersionPublic]


class MappingSave(BaseModel):
    """``PUT /api/imports/mappings/{name}``: the mapping's YAML (``fields``, ``values``,
    ``title``) and why it is saved."""

    definition: str = Field(min_length=1, max_length=65536)
    reason: str | None = Field(None, max_length=2000)


class MappingDeleted(BaseModel):
    name: str
    version: int
    deleted: bool
