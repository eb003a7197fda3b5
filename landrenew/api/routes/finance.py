"""The money of a consolidation project (土地整备资金): thin HTTP over
:mod:`landrenew.finance.service`.

Amounts are yuan as JSON strings ("1234.56") or integers; a JSON number with a fraction (a float)
is refused with ``float_refused`` naming the field, because money is never a float here.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header
from pydantic import BaseModel

from landrenew.api.deps import CurrentUser, IdPath, StoreDep
from landrenew.api.schemas.finance import (
    CostIn,
    CostItemOut,
    CostLedgerOut,
    DisbursementIn,
    FinanceOverviewOut,
    FinanceRecordOut,
    FundBalanceIn,
    StorageFeeIn,
)
from landrenew.finance import service

router = APIRouter(tags=["finance"])

def _values(body: BaseModel) -> dict[str, Any]:
    """The body as plain values; nested models (milestones) become dicts too."""
    return body.model_dump(exclude_none=True)


@router.post("/api/projects/{project_id}/costs", status_code=201, response_model=CostItemOut,
             summary="Add a cost item (refused with its clause if excluded)")
def add_cost(project_id: IdPath, body: CostIn, store: StoreDep, user: CurrentUser) -> CostItemOut:
    return CostItemOut(**service.add_cost_item(store, user, project_id, _values(body)))


@router.get("/api/projects/{project_id}/costs", response_model=CostLedgerOut,
            summary="The cost ledger with category totals")
def costs(project_id: IdPath, store: StoreDep, user: CurrentUser) -> CostLedgerOut:
    return CostLedgerOut(**service.cost_ledger(store, user, project_id))


@router.post("/api/projects/{project_id}/fund-balance", status_code=201,
             response_model=FinanceRecordOut,
             summary="Fund-balance study with its sensitivity table (kept whole)")
def fund_balance(project_id: IdPath, body: FundBalanceIn, store: StoreDep, user: CurrentUser
                 ) -> FinanceRecordOut:
    return FinanceRecordOut(**service.study_fund_balance(store, user, project_id, _values(body)))


@router.post("/api/projects/{project_id}/storage-fee", status_code=201,
             response_model=FinanceRecordOut,
             summary="Settle the storage fee (audited cost + service fee) and its milestones")
def storage_fee(project_id: IdPath, body: StorageFeeIn, store: StoreDep, user: CurrentUser
                ) -> FinanceRecordOut:
    return FinanceRecordOut(**service.settle_storage_fee(store, user, project_id, _values(body)))


@router.post("/api/projects/{project_id}/disbursements", status_code=201,
             response_model=FinanceRecordOut,
             summary="Disburse one land sale's revenue (adds up to the fen)")
def disbursement(project_id: IdPath, body: DisbursementIn, store: StoreDep, user: CurrentUser,
                 idempotency_key: Annotated[str | None, Header(
                     description="The client's key of this submission: sent again, the same "
                                 "disbursement is answered, not paid twice")] = None
                 ) -> FinanceRecordOut:
    """What was already paid comes from the money ledger; ``already_paid``, if sent, must
    agree with it (409 ``already_paid_mismatch``)."""
    return FinanceRecordOut(**service.record_disbursement(store, user, project_id,
                                                          _values(body),
                                                          idempotency_key=idempotency_key))


@router.get("/api/projects/{project_id}/finance", response_model=FinanceOverviewOut,
            summary="Costs, the current fund balance and settlement, and every disbursement")
def finance(project_id: IdPath, store: StoreDep, user: CurrentUser) -> FinanceOverviewOut:
    return FinanceOverviewOut(**service.overview(store, user, project_id))


@router.get("/api/projects/{project_id}/finance/records", response_model=list[FinanceRecordOut],
            summary="Every money decision kept, oldest first (kind: fund_balance, "
                    "storage_settlement, disbursement)")
def finance_records(project_id: IdPath, store: StoreDep, user: CurrentUser,
                    kind: str | None = None) -> list[FinanceRecordOut]:
    return [FinanceRecordOut(**r) for r in service.records(store, user, project_id, kind)]
