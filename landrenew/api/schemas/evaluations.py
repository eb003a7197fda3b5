"""Evaluation runs and their statistics (认定批次、分类统计)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field

from landrenew.api.schemas.instant import Instant


class EvaluationRunPublic(BaseModel):
    """An evaluation run (认定批次); for district staff the counts cover their districts only."""

    id: int
    pack_id: str
    pack_version: str
    as_of: dt.date
    data_as_of: dt.date | None
    created_at: Instant
    created_by: str
    engine: str
    note: str | None
    parcel_count: int
    low_efficiency_count: int
    scope: Literal["city", "districts"]
    #: Whether this is the published run (已发布), the one the map, cards and public see.
    published: bool = False
    #: A trial run (试算: one pack forced on every parcel), never published.
    trial: bool = False
    #: The pack that decided each district: ``{code: {pack, version, jurisdiction}}``.
    packs: dict[str, dict[str, str]] = {}


class EvaluationRunDetail(EvaluationRunPublic):
    summary: dict[str, Any] | None = None


class PublishRequest(BaseModel):
    """Why this run is published (recorded with the publication)."""

    reason: str | None = Field(default=None, max_length=2000)


class Publication(BaseModel):
    """A publication of a run (认定结果发布)."""

    run_id: int
    published_at: Instant
    published_by: str
    reason: str | None = None
    previous_run_id: int | None = None


class StatisticsRow(BaseModel):
    kind: Literal["category", "flag"]
    district_code: str
    district: str
    code: str
    parcels: int
    area_mu: float


class DistrictTotals(BaseModel):
    district_code: str
    district: str
    parcels: int
    area_mu: float
    low_efficiency: int
    low_efficiency_mu: float
    potential_floor_area_m2: float = 0.0


class Totals(BaseModel):
    parcels: int
    area_mu: float
    low_efficiency: int
    low_efficiency_mu: float
    potential_floor_area_m2: float = 0.0


class EvaluationStatistics(BaseModel):
    """Counts and 亩 by district × category and flag (分类统计)."""

    run_id: int
    scope: str | list[str]
    total: Totals
    districts: list[DistrictTotals]
    categories: list[StatisticsRow] = Field(description="A parcel counted under each of its "
                                            "categories: the rows may add up to more than the "
                                            "low-efficiency total")
    primary_categories: list[StatisticsRow] = Field(
        default_factory=list, description="A parcel counted once, under its first category "
        "(主类, the map's colour): the rows add up to the low-efficiency total")


# ---------------------------------------------------------------- imports and audit
