"""The money of a consolidation project (土地整备资金): request and answer shapes. Amounts are yuan as JSON strings or integers, never floats."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from landrenew.api.schemas.instant import Instant

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
    already_paid: Yuan = Field(None, description="Paid towards the storage fee before. Always "
                                                 "read from the money ledger; if sent, it must "
                                                 "agree (409 already_paid_mismatch)")
    cost_base: Yuan = None
    sold_on: dt.date | None = None


class CostItemOut(BaseModel):
    """An accepted cost item, with its rule and clause."""

    id: int
    ref: Any = None
    category: str
    category_zh: str
    amount: str = Field(description="yuan, e.g. \"125000.00\"")
    description: str
    evidence_sha256: str | None
    document_ref: str | None
    rule: str
    clause: str
    incurred_on: dt.date | None
    recorded_by: str
    recorded_at: Instant


class CostLedgerOut(BaseModel):
    """The cost ledger: every item, the totals by category (every allowed category, zero
    included), items of categories the pack no longer lists, and the excluded categories."""

    project_id: int
    items: list[CostItemOut]
    summary: dict[str, Any]
    not_in_pack: list[dict[str, Any]]
    total: str
    excluded: list[dict[str, Any]]


class FinanceRecordOut(BaseModel):
    """A money decision kept whole: its inputs and its result (every amount with its rule and
    clause, and the packs it used)."""

    id: int
    project_id: int
    kind: str
    kind_name: str | None
    inputs: dict[str, Any]
    result: dict[str, Any]
    result_brief: dict[str, Any]
    recorded_by: str
    recorded_at: Instant
    replayed: bool = Field(False, description="True when this is the decision an earlier "
                                              "submission with the same idempotency key made")


class FinanceOverviewOut(BaseModel):
    project: dict[str, Any]
    costs: CostLedgerOut
    fund_balance: FinanceRecordOut | None
    settlement: FinanceRecordOut | None
    disbursements: list[FinanceRecordOut]
