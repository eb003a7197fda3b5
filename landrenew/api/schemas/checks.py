"""Compliance checks (合规审查): request and answer shapes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field


class ReasonOut(BaseModel):
    """One rule as it was applied: ``value op threshold``, met or not (null: not evaluated —
    ``kind`` missing, malformed, contradiction, no_layer; or a ``result`` such as a quota
    offset). ``source`` is ``map`` where the stored zones gave the value (``zones`` met)."""

    model_config = {"extra": "allow"}
    rule: str
    clause: str
    field: str
    value: Any = None
    op: str
    threshold: Any = None
    met: bool | None = None
    basis: str = ""
    kind: str = "condition"
    source: str = "typed"


class CheckOut(BaseModel):
    id: int
    kind: str
    kind_name: str
    district_code: str
    district_name: str
    reference: str | None = Field(None, description="Hidden from read-only roles")
    decision: str
    decision_name: str
    reasons: list[ReasonOut]
    pack: str
    pack_version: str
    pack_title: str | None = None
    pack_source: str | None = Field(None, description="The document the pack's clauses quote")
    draft: bool
    period: str | None = Field(None, description="homestead: before_1987, from_1987_to_1998, "
                                                 "from_1999")
    period_name: str | None = None
    legacy_route: bool | None = Field(None, description="homestead: built before the cut-off")
    category: str | None = Field(None, description="legacy_land: the category")
    quota_offset_mu: str | None = Field(None, description="legacy_land: reserved-land quota "
                                                          "offset, 亩")
    checked_on: dt.date
    source: str
    batch: str | None = None
    row: int | None = None
    recorded_by: str
    recorded_at: dt.datetime
    inputs: dict[str, Any]
    geometry: dict[str, Any] | None = None


CHECK_EXAMPLE = {
    "district_code": "440111", "reference": "某村民宿配套", "industry": "乡村休闲旅游业",
    "area_mu": "12.5", "scattered": "是", "planning_conditions": True,
    "benchmark_price": "1200", "floor_price": "900",
    "geometry": {"type": "Point", "coordinates": [113.27, 23.32]},
}
