"""Parcels (地块): the public record, its detail with the latest evaluation, updates and versions. Sensitive fields are optional and *absent* (not null) from a response when the user may not see them: the parcel routes answer with ``response_model_exclude_unset``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from landrenew.api.schemas.instant import Instant


class _ParcelFields(BaseModel):
    district_code: str | None = None
    land_use: str | None = None
    planned_use: str | None = None
    planned_far: float | None = None
    floor_area_m2: float | None = None
    footprint_m2: float | None = None
    building_year: int | None = None
    safety_grade: str | None = None
    industry_code: str | None = None
    tax_10k_yuan: float | None = None
    output_10k_yuan: float | None = None
    investment_10k_yuan: float | None = None
    approved_on: dt.date | None = None
    supplied_on: dt.date | None = None
    agreed_start_on: dt.date | None = None
    started_on: dt.date | None = None
    developed_ratio: float | None = None
    invested_ratio: float | None = None
    stopped_since: dt.date | None = None
    right_holder: str | None = None


class ParcelPublic(_ParcelFields):
    """A current parcel (地块) in a list."""

    parcel_code: str
    area_m2: float | None
    area_mu: float | None
    area_ha: float | None
    version: int
    valid_from: Instant
    #: Who in the bureau last changed it: never shown to the public (a public layer's reader).
    changed_by: str | None = None
    bbox: list[float] | None
    is_low_efficiency: bool | None = None
    categories: list[str] = Field(default_factory=list)
    flags: list[str] = Field(default_factory=list)


class EvaluationResultPublic(BaseModel):
    """A parcel's result in the published run (认定结果), with the reasons."""

    run_id: int
    pack_id: str
    pack_version: str
    as_of: dt.date
    is_low_efficiency: bool
    categories: list[str]
    flags: list[str]
    potential_floor_area_m2: float | None
    indicators: dict[str, Any] | None
    reasons: list[Any]


class ParcelDetail(_ParcelFields):
    """One parcel with its geometry, extra attributes and its result in the published run."""

    parcel_code: str
    area_m2: float | None
    area_mu: float | None
    area_ha: float | None
    version: int
    valid_from: Instant
    #: Never shown to the public.
    changed_by: str | None = None
    bbox: list[float] | None
    geometry: dict[str, Any] | None
    attributes: dict[str, Any] | None
    evaluation: EvaluationResultPublic | None


class ParcelUpdate(_ParcelFields):
    """``PATCH /api/parcels/{code}``: only the fields given change; ``reason`` is required."""

    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=2000)


class ParcelUpdated(BaseModel):
    parcel_code: str
    changed: bool
    version: int
    previous_version: int


class ParcelVersionPublic(_ParcelFields):
    """One version in a parcel's history (历史版本)."""

    version: int
    operation: str
    valid_from: Instant
    valid_to: Instant | None
    changed_by: str
    reason: str | None
    is_deleted: bool
    area_m2: float | None
    changed: list[str]


# ---------------------------------------------------------------- zones, districts, evaluations
