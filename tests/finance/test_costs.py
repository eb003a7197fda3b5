"""Cost ledger (成本台账): allowed, excluded and unknown categories, evidence, amounts, totals."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from landrenew.core import packs
from landrenew.core.errors import InputError
from landrenew.finance.costs import (
    CostItem,
    CostRefused,
    check_cost_item,
    screen_cost_items,
    sum_by_category,
)
from landrenew.finance.packs import ConsolidationMoneyPack

PACK = packs.load("zhongshan-consolidation-money", ConsolidationMoneyPack)
SHA = "ab" * 32


def item(category: str = "clearance", amount: object = "1000.00", **kw: object) -> CostItem:
    fields: dict[str, object] = {"description": "拆除工程第一期", "evidence_sha256": SHA}
    fields.update(kw)
    return CostItem(category=category, amount=amount, **fields)  # type: ignore[arg-type]


def refusal(it: CostItem) -> CostRefused:
    with pytest.raises(CostRefused) as info:
        check_cost_item(it, PACK)
    return info.value


def test_allowed_item_is_accepted_with_its_clause() -> None:
    ok = check_cost_item(item("special_loan_financing", "123456.78", ref=7), PACK)
    assert ok.amount == Decimal("123456.78") and ok.category_zh == "专项借款融资本息"
    assert "§四(二)6(3)" in ok.clause and "专项借款" in ok.clause
    assert ok.rule == "zhongshan-consolidation-money:cost_categories.special_loan_financing"
    assert ok.as_dict()["amount"] == "123456.78" and ok.ref == 7


def test_category_by_chinese_name() -> None:
    assert check_cost_item(item("土地清拆"), PACK).category == "clearance"


@pytest.mark.parametrize("category", ["entity_staff_cost", "working_expenses",
                                      "management_fees", "管理费用", "人力成本"])
def test_excluded_categories_are_refused_with_the_clause(category: str) -> None:
    exc = refusal(item(category))
    assert isinstance(exc, InputError) and exc.status == 422
    assert exc.code == "cost_item_excluded" and exc.field == "category"
    assert exc.clause is not None and "不包括土地整备主体的人力成本、工作经费及管理费用" in exc.clause
    cat, allowed = PACK.category(category) or (None, True)
    assert cat is not None and not allowed
    assert cat.zh in exc.message and cat.code in exc.message and "§四(二)6(3)" in exc.message
    assert exc.to_dict()["clause"] == exc.clause


def test_unknown_category() -> None:
    exc = refusal(item("banquet"))
    assert exc.code == "unknown_cost_category" and exc.field == "category"


def test_missing_evidence_is_refused_naming_the_field() -> None:
    exc = refusal(item(evidence_sha256=None, document_ref="  "))
    assert exc.code == "missing_evidence" and exc.field == "evidence_sha256"
    assert "document_ref" in exc.message
    assert "evidence_sha256" in str(exc)


def test_document_reference_is_evidence_enough() -> None:
    ok = check_cost_item(item(evidence_sha256=None, document_ref="中财审〔2025〕12号"), PACK)
    assert ok.document_ref == "中财审〔2025〕12号" and ok.evidence_sha256 is None


def test_bad_hash_refused() -> None:
    exc = refusal(item(evidence_sha256="abc123"))
    assert exc.code == "invalid_evidence_hash" and exc.field == "evidence_sha256"
    assert check_cost_item(item(evidence_sha256="AB" * 32), PACK).evidence_sha256 == SHA


@pytest.mark.parametrize(("amount", "code"), [
    (1000.0, "float_refused"), ("0", "non_positive_amount"), ("-5", "negative_amount"),
    ("12.345", "sub_fen_amount"), ("many", "not_a_number"),
])
def test_amount_refusals(amount: object, code: str) -> None:
    exc = refusal(item(amount=amount))
    assert exc.code == code and exc.field == "amount"


def test_missing_description_and_category() -> None:
    assert refusal(item(description=" ")).field == "description"
    assert refusal(item(category="")).code == "missing_category"


def test_screen_and_sum_by_category() -> None:
    items = [
        item("clearance", "100.10", ref=1),
        item("clearance", "200.20", ref=2),
        item("related_taxes", "0.01", ref=3),
        item("management_fees", "999.00", ref=4),
        item("expropriation_compensation", 5.5, ref=5),
        item("title_cancellation", "50", ref=6, evidence_sha256=None),
    ]
    screened = screen_cost_items(items, PACK)
    assert [a.ref for a in screened.accepted] == [1, 2, 3]
    assert [(r.ref, r.code) for r in screened.refused] == [
        (4, "cost_item_excluded"), (5, "float_refused"), (6, "missing_evidence")]
    assert screened.refused[0].clause is not None
    summary = sum_by_category(screened.accepted, PACK)
    assert summary.total == Decimal("300.31")
    assert summary.by_code["clearance"] == Decimal("300.30")
    assert summary.by_code["related_taxes"] == Decimal("0.01")
    assert summary.by_code["willingness_survey"] == Decimal("0")
    assert [c.category for c in summary.categories] == [c.code for c in PACK.cost_categories]
    data = json.loads(json.dumps(summary.as_dict()))
    clearance = next(c for c in data["categories"] if c["category"] == "clearance")
    assert clearance == {**clearance, "amount": "300.30", "items": 2}
    assert data["total"] == "300.31"
    json.dumps(screened.as_dict(), ensure_ascii=False)
