"""The money of a consolidation project (土地整备资金): thin HTTP over
:mod:`landrenew.finance.service`.

Amounts are yuan as JSON strings ("1234.56") or integers; a JSON number with a fraction (a float)
is refused with ``float_refused`` naming the field, because money is never a float here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from landrenew.api.deps import CurrentUser, StoreDep
from landrenew.finance import service

router = APIRouter(tags=["finance"])

Yuan = Any  # validated by the money parser: str or int, never float


class CostIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    category: str = Field(description="A cost category code of the pack (or its Chinese name)")
    amount: Yuan = Field(description="Yuan as a string, e.g. \"125000.00\"")
    description: str
    evidence_sha256: str | None = Field(None, description="SHA-256 of the evidence file")
    document_ref: str | None = Field(None, description="Or a document reference")
    incurred_on: dt.date | None = None


class FundBalanceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    compensation: Yuan
    resettlement_construction: Yuan
    other_costs: Yuan
    financing_cost: Yuan
    supply_area_m2: Yuan = Field(description="Land to supply, m²")
    far: Yuan = Field(description="Floor-area ratio (容积率)")
    floor_price: Yuan = Field(description="Expected price, yuan per m² of floor area (楼面地价)")


class MilestoneIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    share: str | None = Field(None, description="\"30%\", \"0.3\" or \"1/3\"")
    amount: Yuan = None
    due: str | None = None


class StorageFeeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    audited_cost: Yuan = Field(None, description="The third-party audited cost; default: the "
                                                 "cost ledger's total")
    service_rate: str = Field(description="The implementation plan's rate, e.g. \"0.05\"")
    reward_amount: Yuan = None
    reward_rate: str | None = None
    milestones: list[MilestoneIn] | None = None


class DisbursementIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    revenue: Yuan = Field(description="The land-sale revenue (土地出让收入)")
    loan_principal: Yuan = "0"
    loan_interest: Yuan = "0"
    already_paid: Yuan = Field(None, description="Paid towards the storage fee before; default: "
                                                 "what earlier disbursements paid")
    cost_base: Yuan = None
    sold_on: dt.date | None = None


def _values(body: BaseModel) -> dict[str, Any]:
    """The body as plain values; nested models (milestones) become dicts too."""
    return body.model_dump(exclude_none=True)


@router.post("/api/projects/{project_id}/costs", status_code=201,
             summary="Add a cost item (refused with its clause if excluded)")
def add_cost(project_id: int, body: CostIn, store: StoreDep, user: CurrentUser
             ) -> dict[str, Any]:
    return service.add_cost_item(store, user, project_id, _values(body))


@router.get("/api/projects/{project_id}/costs", summary="The cost ledger with category totals")
def costs(project_id: int, store: StoreDep, user: CurrentUser) -> dict[str, Any]:
    return service.cost_ledger(store, user, project_id)


@router.post("/api/projects/{project_id}/fund-balance", status_code=201,
             summary="Fund-balance study with its sensitivity table (kept whole)")
def fund_balance(project_id: int, body: FundBalanceIn, store: StoreDep, user: CurrentUser
                 ) -> dict[str, Any]:
    return service.study_fund_balance(store, user, project_id, _values(body))


@router.post("/api/projects/{project_id}/storage-fee", status_code=201,
             summary="Settle the storage fee (audited cost + service fee) and its milestones")
def storage_fee(project_id: int, body: StorageFeeIn, store: StoreDep, user: CurrentUser
                ) -> dict[str, Any]:
    return service.settle_storage_fee(store, user, project_id, _values(body))


@router.post("/api/projects/{project_id}/disbursements", status_code=201,
             summary="Disburse one land sale's revenue (adds up to the fen)")
def disbursement(project_id: int, body: DisbursementIn, store: StoreDep, user: CurrentUser
                 ) -> dict[str, Any]:
    return service.record_disbursement(store, user, project_id, _values(body))


@router.get("/api/projects/{project_id}/finance",
            summary="Costs, the current fund balance and settlement, and every disbursement")
def finance(project_id: int, store: StoreDep, user: CurrentUser) -> dict[str, Any]:
    return service.overview(store, user, project_id)


@router.get("/api/projects/{project_id}/finance/records",
            summary="Every money decision kept, oldest first (kind: fund_balance, "
                    "storage_settlement, disbursement)")
def finance_records(project_id: int, store: StoreDep, user: CurrentUser,
                    kind: str | None = None) -> list[dict[str, Any]]:
    return service.records(store, user, project_id, kind)
