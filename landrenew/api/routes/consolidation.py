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

from fastapi import APIRouter, Response

from landrenew.api.deps import CurrentUser, StoreDep
from landrenew.api.deps import IdPath as ProjectId
from landrenew.api.schemas.consolidation import (
    CloseIn,
    ConsentIn,
    FlagsIn,
    GateOut,
    ProvideIn,
    RecordedOut,
    ReturnIn,
    StartIn,
    UnitIn,
    UnitOut,
    VoteIn,
    WorkflowOut,
)
from landrenew.projects import consent_service as consents
from landrenew.projects import workflow_service as workflows

router = APIRouter(tags=["consolidation"])

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
