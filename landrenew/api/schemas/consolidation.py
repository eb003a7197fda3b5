"""The land consolidation workflow and willingness (土地整备流程、意愿征询): request and answer shapes."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from landrenew.api.schemas.instant import Instant


class StrictBody(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StartIn(StrictBody):
    reason: str | None = None


class ProvideIn(StrictBody):
    item: str = Field(min_length=1, max_length=64, description="A requirement code of the step")
    ref: str | None = Field(None, max_length=512, description="Document number, file, link")
    note: str | None = Field(None, max_length=4000)
    passed: bool | None = Field(None, description="A decision's outcome; omit for documents and "
                                                  "for step 5's willingness_gate (computed)")


class CloseIn(StrictBody):
    note: str | None = Field(None, max_length=4000)


class ReturnIn(StrictBody):
    reason: str = Field(min_length=1, max_length=4000)
    to_step: str | None = Field(None, description="An earlier step (code or number); default "
                                                  "the same step")
    items: list[str] | None = Field(None, description="Items of the target step to provide "
                                                      "again; default all")


class FlagsIn(StrictBody):
    flags: dict[str, bool] = Field(min_length=1)
    reason: str | None = None


class WorkflowOut(BaseModel):
    """The workflow overview: every step with its requirements' statuses, the flags, the log and
    the willingness gate."""

    model_config = ConfigDict(extra="allow")
    project: dict[str, Any]
    started: bool
    version: int
    current: dict[str, Any] | None
    complete: bool
    flags: list[dict[str, Any]]
    stages: list[dict[str, Any]]
    steps: list[dict[str, Any]]
    log: list[dict[str, Any]]
    provisions: list[dict[str, Any]]
    willingness: dict[str, Any]
    workflow_role: str | None
    can_write: bool


class UnitIn(StrictBody):
    code: str = Field(min_length=1, max_length=64)
    kind: str = Field(description="collective, single_holder, co_owned, condominium or "
                                  "state_parcels")
    name: str = Field(min_length=1, max_length=256)
    definition: dict[str, Any] = Field(default_factory=dict, description=(
        "owners [{id, exclusive_area}] (single_holder, co_owned, condominium), parcels [unit "
        "with area] (state_parcels), optional body / matter (collective)"))


class UnitOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: int
    code: str
    kind: str
    name: str
    definition: dict[str, Any]
    created_at: Instant
    created_by: str
    pending: bool
    decision: dict[str, Any] | None


class ConsentIn(StrictBody):
    unit: str = Field(min_length=1, max_length=64)
    owner: str = Field(min_length=1, max_length=64)
    parcel: str | None = Field(None, description="For a state_parcels unit: the parcel id "
                                                 "(nested ids joined by '/')")
    action: Literal["consent", "withdraw", "refuse"]
    on: dt.date
    evidence_sha256: str | None = Field(None, description="SHA-256 of the signed form")
    note: str | None = Field(None, max_length=4000)


class VoteIn(StrictBody):
    unit: str = Field(min_length=1, max_length=64)
    body: str = Field(description="villagers_meeting, representatives_meeting or "
                                  "members_assembly")
    matter: str = Field("general", description="general or operating_land_transfer")
    eligible: int = Field(description="The meeting's membership (villagers aged 18+, "
                                      "representatives or members)")
    present: int
    in_favour: int
    households_total: int | None = Field(None, description="Villagers' meeting only")
    households_present: int | None = None
    held_on: dt.date
    evidence_sha256: str | None = Field(None, description="SHA-256 of the minutes")
    note: str | None = Field(None, max_length=4000)


class RecordedOut(BaseModel):
    record: dict[str, Any]
    unit: dict[str, Any]
    gate: dict[str, Any]


class GateOut(BaseModel):
    """``WillingnessDecision.as_dict()``; each unit with its checks (numbers, thresholds, rule,
    clause), its name and whether it awaits its vote."""

    model_config = ConfigDict(extra="allow")
    allowed: bool
    passed: int
    total: int
    failing: list[str]
    rule: str
    clause: str
    units: list[dict[str, Any]]
    explanation: str
    pending: list[str]


# ---------------------------------------------------------------- the workflow
