"""Land consolidation workflow and willingness (土地整备流程、意愿征询): thin HTTP over
:mod:`landrenew.projects.workflow_service` and
:mod:`landrenew.projects.consent_service`.

The workflow of a ``land_consolidation`` or ``urban_village`` project (4 stages, 11 steps of the
Zhongshan pack): ``GET/POST /api/projects/{id}/workflow``, then per step
``…/workflow/steps/{step}/items | close | return`` (``step`` is the code or the number) and
``…/workflow/flags``. Consent units, owners' consents and collective votes, and the willingness
gate: ``/api/projects/{id}/consent-units``, ``/consents``, ``/votes``, ``/willingness-gate``.

Refusals: 404 outside what the user sees; 403 ``forbidden`` for read-only users; 403
``role_not_allowed`` (with ``allowed``) when the body the user acts for may not do it; 409
``not_a_consolidation_project``, ``out_of_order``, ``step_closed``, ``requirements_missing``
(with ``missing``, and ``gate`` for step 5), ``flag_affects_closed_step``; 422 naming the field.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field

from landrenew.api.deps import CurrentUser, StoreDep
from landrenew.projects import consent_service as consents
from landrenew.projects import workflow_service as workflows

router = APIRouter(tags=["consolidation"])

ProjectId = int


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StartIn(_Body):
    reason: str | None = None


class ProvideIn(_Body):
    item: str = Field(min_length=1, max_length=64, description="A requirement code of the step")
    ref: str | None = Field(None, max_length=512, description="Document number, file, link")
    note: str | None = Field(None, max_length=4000)
    passed: bool | None = Field(None, description="A decision's outcome; omit for documents and "
                                                  "for step 5's willingness_gate (computed)")


class CloseIn(_Body):
    note: str | None = Field(None, max_length=4000)


class ReturnIn(_Body):
    reason: str = Field(min_length=1, max_length=4000)
    to_step: str | None = Field(None, description="An earlier step (code or number); default "
                                                  "the same step")
    items: list[str] | None = Field(None, description="Items of the target step to provide "
                                                      "again; default all")


class FlagsIn(_Body):
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


class UnitIn(_Body):
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
    created_at: dt.datetime
    created_by: str
    pending: bool
    decision: dict[str, Any] | None


class ConsentIn(_Body):
    unit: str = Field(min_length=1, max_length=64)
    owner: str = Field(min_length=1, max_length=64)
    parcel: str | None = Field(None, description="For a state_parcels unit: the parcel id "
                                                 "(nested ids joined by '/')")
    action: Literal["consent", "withdraw", "refuse"]
    on: dt.date
    evidence_sha256: str | None = Field(None, description="SHA-256 of the signed form")
    note: str | None = Field(None, max_length=4000)


class VoteIn(_Body):
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

@router.get("/api/projects/{project_id}/workflow", response_model=WorkflowOut)
def get_workflow(project_id: ProjectId, store: StoreDep, user: CurrentUser) -> WorkflowOut:
    """The 4 stages and 11 steps with each requirement's status (present, missing, refused,
    not_required), the flags, the log (who, role, when) and the willingness gate."""
    return WorkflowOut(**workflows.get_workflow(store, user, project_id))


@router.post("/api/projects/{project_id}/workflow", response_model=WorkflowOut,
             status_code=201, responses={200: {"description": "Already started"}})
def start_workflow(project_id: ProjectId, response: Response, store: StoreDep,
                   user: CurrentUser, body: StartIn | None = None) -> WorkflowOut:
    """Start the workflow at step 1 (201; 200 when it was already started)."""
    created, out = workflows.start_workflow(store, user, project_id,
                                            reason=body.reason if body else None)
    if not created:
        response.status_code = 200
    return WorkflowOut(**out)


@router.post("/api/projects/{project_id}/workflow/steps/{step}/items",
             response_model=WorkflowOut, status_code=201)
def provide_item(project_id: ProjectId, step: str, body: ProvideIn, store: StoreDep,
                 user: CurrentUser) -> WorkflowOut:
    """Provide a document or a decision for the current step."""
    return WorkflowOut(**workflows.provide_item(store, user, project_id, step, body.item,
                                                ref=body.ref, note=body.note,
                                                passed=body.passed))


@router.post("/api/projects/{project_id}/workflow/steps/{step}/close",
             response_model=WorkflowOut)
def close_step(project_id: ProjectId, step: str, store: StoreDep, user: CurrentUser,
               body: CloseIn | None = None) -> WorkflowOut:
    """Close the current step once its requirements are met."""
    return WorkflowOut(**workflows.close_step(store, user, project_id, step,
                                              note=body.note if body else None))


@router.post("/api/projects/{project_id}/workflow/steps/{step}/return",
             response_model=WorkflowOut)
def return_step(project_id: ProjectId, step: str, body: ReturnIn, store: StoreDep,
                user: CurrentUser) -> WorkflowOut:
    """Return the current step (退回) to itself or an earlier step, with a reason."""
    return WorkflowOut(**workflows.return_step(store, user, project_id, step, reason=body.reason,
                                               to_step=body.to_step, items=body.items))


@router.post("/api/projects/{project_id}/workflow/flags", response_model=WorkflowOut)
def set_flags(project_id: ProjectId, body: FlagsIn, store: StoreDep, user: CurrentUser
              ) -> WorkflowOut:
    """Declare project facts (e.g. soil_pollution_risk) that switch requirements on or off."""
    return WorkflowOut(**workflows.set_flags(store, user, project_id, body.flags,
                                             reason=body.reason))


# ---------------------------------------------------------------- consent units and the gate

@router.get("/api/projects/{project_id}/consent-units", response_model=list[UnitOut])
def list_consent_units(project_id: ProjectId, store: StoreDep, user: CurrentUser
                       ) -> list[UnitOut]:
    """The project's consent units, each with its latest records and its decision."""
    return [UnitOut(**u) for u in consents.list_consent_units(store, user, project_id)]


@router.post("/api/projects/{project_id}/consent-units", response_model=UnitOut,
             status_code=201)
def add_consent_unit(project_id: ProjectId, body: UnitIn, store: StoreDep, user: CurrentUser
                     ) -> UnitOut:
    """Add a consent unit; its definition is checked (422 naming the field)."""
    return UnitOut(**consents.add_consent_unit(store, user, project_id, code=body.code,
                                               kind=body.kind, name=body.name,
                                               definition=body.definition))


@router.post("/api/projects/{project_id}/consents", response_model=RecordedOut,
             status_code=201)
def record_consent(project_id: ProjectId, body: ConsentIn, store: StoreDep, user: CurrentUser
                   ) -> RecordedOut:
    """An owner's consent, withdrawal or refusal, appended to the project's consent ledger."""
    return RecordedOut(**consents.record_consent(
        store, user, project_id, unit=body.unit, owner=body.owner, parcel=body.parcel,
        action=body.action, on=body.on, evidence_sha256=body.evidence_sha256, note=body.note))


@router.post("/api/projects/{project_id}/votes", response_model=RecordedOut, status_code=201)
def record_vote(project_id: ProjectId, body: VoteIn, store: StoreDep, user: CurrentUser
                ) -> RecordedOut:
    """A collective unit's vote, appended to the consent ledger (the latest vote counts)."""
    vote = body.model_dump(include={"body", "matter", "eligible", "present", "in_favour",
                                    "households_total", "households_present"})
    return RecordedOut(**consents.record_vote(store, user, project_id, unit=body.unit, vote=vote,
                                              held_on=body.held_on,
                                              evidence_sha256=body.evidence_sha256,
                                              note=body.note))


@router.get("/api/projects/{project_id}/willingness-gate", response_model=GateOut)
def willingness_gate(project_id: ProjectId, store: StoreDep, user: CurrentUser) -> GateOut:
    """``{allowed, passed, total, units: [...], rule, clause, explanation}``: the gate opens
    when every unit meets its condition."""
    return GateOut(**consents.willingness(store, user, project_id))
