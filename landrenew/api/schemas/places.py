"""Districts and zones (行政区、管控图层)."""

from __future__ import annotations

from pydantic import BaseModel

from landrenew.api.schemas.instant import Instant


class DistrictPublic(BaseModel):
    code: str
    name: str
    city_code: str | None = None
    city_name: str | None = None
    area_m2: float
    area_mu: float
    area_ha: float
    bbox: list[float] | None


class ZonePublic(BaseModel):
    zone_code: str
    kind: str
    kind_name: str | None
    name: str | None
    area_m2: float
    area_mu: float
    area_ha: float
    version: int
    valid_from: Instant
    bbox: list[float] | None
