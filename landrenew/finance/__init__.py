"""Money of a land consolidation project (土地整备资金): cost ledger, service and storage fees,
fund balance and the disbursement waterfall, as pure functions over Decimal yuan."""

from landrenew.finance.balance import (
    BalanceInputs,
    FundBalance,
    ProvisionAmount,
    SensitivityGrid,
    fund_balance,
    sensitivity_grid,
    statutory_provisions,
)
from landrenew.finance.costs import (
    AcceptedCost,
    CostItem,
    CostRefused,
    CostScreening,
    CostSummary,
    check_cost_item,
    screen_cost_items,
    sum_by_category,
)
from landrenew.finance.disbursement import Disbursement, DisbursementStep, disburse
from landrenew.finance.fees import (
    Milestone,
    PaymentSchedule,
    ServiceFee,
    StorageFee,
    payment_schedule,
    service_fee,
    storage_fee,
)
from landrenew.finance.packs import (
    ConsolidationMoneyPack,
    LandRevenuePack,
    consolidation_money_pack,
    land_revenue_pack,
)

__all__ = [
    "AcceptedCost",
    "BalanceInputs",
    "ConsolidationMoneyPack",
    "CostItem",
    "CostRefused",
    "CostScreening",
    "CostSummary",
    "Disbursement",
    "DisbursementStep",
    "FundBalance",
    "LandRevenuePack",
    "Milestone",
    "PaymentSchedule",
    "ProvisionAmount",
    "SensitivityGrid",
    "ServiceFee",
    "StorageFee",
    "check_cost_item",
    "consolidation_money_pack",
    "disburse",
    "fund_balance",
    "land_revenue_pack",
    "payment_schedule",
    "screen_cost_items",
    "sensitivity_grid",
    "service_fee",
    "statutory_provisions",
    "storage_fee",
    "sum_by_category",
]
