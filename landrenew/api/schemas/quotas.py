"""Quota ledgers (指标台账): request and answer shapes. Amounts in 亩 are strings (exact
decimals) or integers, never floats."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from landrenew.api.schemas.instant import Instant

Mu = str | int


class BalanceOut(BaseModel):
    kind: str
    kind_name: str
    holder: str
    holder_name: str
    year: int | None
    balance_mu: str


class RuleOut(BaseModel):
    rule: str
    clause: str


class EntryOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    id: int
    ledger: str
    seq: int
    kind: str
    kind_name: str
    source: str = Field(alias="from")
    target: str = Field(alias="to")
    from_name: str
    to_name: str
    mu: str
    movement: str
    movement_name: str
    year: int | None
    on: dt.date
    project: int | None
    check: int | None
    reason: str | None
    evidence: str | None
    rule: str
    clause: str
    rules: list[RuleOut]
    pack: str
    pack_version: str
    reverses: int | None
    recorded_by: str
    recorded_at: Instant
    hash: str
    signed: bool
    balance_after_mu: str | None = Field(None, description="The account's balance after the "
                                         "entry (when the entries of one holder are listed)")


class EntryIn(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    kind: str = Field(description="construction, ring_fence, provincial, farmland_supplement, "
                                  "reward or reserved_land")
    source: str = Field(alias="from", description="city:440100, district:440112, village:NAME, "
                                                  "project:ID, source:NAME")
    target: str = Field(alias="to", description="a holder, or sink:NAME")
    mu: Mu = Field(description="亩, an exact decimal as a string")
    movement: str = Field(description="plan, allocate, use, transfer, reward, offset, "
                                      "preborrow, repay or cancel")
    reason: str = Field(min_length=1)
    year: int | None = None
    project: int | None = Field(None, ge=1, le=2**31 - 1)
    on: dt.date | None = None
    evidence: str | None = Field(None, max_length=500)
    village_waived: bool = False
    new_farmland_mu: Mu | None = None
    revitalised_mu: Mu | None = None


class ReverseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1)
    on: dt.date | None = None


class PlanIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    city: str
    year: int = Field(ge=1990, le=2200)
    construction_mu: Mu
    ring_fence_mu: Mu
    on: dt.date | None = None
    reason: str | None = None


class PlanOut(BaseModel):
    city: str
    year: int
    construction_mu: str
    ring_fence_mu: str
    minimum_mu: str
    meets: bool
    short_by_mu: str
    rule: str
    clause: str
    entries: list[EntryOut]


class OffsetIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    village: str | None = None
    area_mu: Mu | None = None
    check: int | None = Field(None, ge=1, le=2**31 - 1, description="a stored legacy-land "
                              "check whose offset to book (instead of village and area)")
    on: dt.date | None = None


class OffsetOut(BaseModel):
    village: str
    area_mu: str
    ratio: str
    offset_mu: str
    from_balance_mu: str
    preborrowed_mu: str
    entries: list[EntryOut]


class VillageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=48)
    district: str
    preborrow_space_mu: Mu | None = None
    projects: list[int] = Field(default_factory=list)
    reason: str | None = None


class ObligationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    district: str
    obligation_mu: Mu
    reason: str = Field(min_length=1)


class RingFenceOut(BaseModel):
    city: str
    year: int
    planned_mu: str
    allocated_mu: str
    used_mu: str
    left_mu: str
    minimum_mu: str
    meets: bool
    short_by_mu: str
    clause: str


def entry_out(e: dict[str, Any]) -> EntryOut:
    return EntryOut.model_validate(e)
