"""Cost ledger (成本台账, 土地整备成本): each item is checked against the pack's allowed and
excluded categories (§四(二)6(3)) and needs an amount, a description and evidence."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from landrenew.core.errors import InputError
from landrenew.core.evidence import is_sha256
from landrenew.finance.money import ZERO, parse_yuan, yuan_str
from landrenew.finance.packs import ConsolidationMoneyPack


@dataclass(frozen=True)
class CostItem:
    """One cost line as entered: ``amount`` as str / int / Decimal (never float); evidence is the
    SHA-256 of an evidence file (``evidence_sha256``) or a document reference (``document_ref``)."""

    category: str
    amount: Any
    description: str
    evidence_sha256: str | None = None
    document_ref: str | None = None
    ref: Any = None  # the caller's row id, echoed in errors


@dataclass(frozen=True)
class AcceptedCost:
    """An item the ledger accepts, with the category and clause that allow it."""

    ref: Any
    category: str
    category_zh: str
    amount: Decimal
    description: str
    evidence_sha256: str | None
    document_ref: str | None
    rule: str
    clause: str

    def as_dict(self) -> dict[str, Any]:
        return {"ref": self.ref, "category": self.category, "category_zh": self.category_zh,
                "amount": yuan_str(self.amount), "description": self.description,
                "evidence_sha256": self.evidence_sha256, "document_ref": self.document_ref,
                "rule": self.rule, "clause": self.clause}


@dataclass(frozen=True)
class CostRefusal:
    ref: Any
    code: str
    field: str | None
    message: str
    clause: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"ref": self.ref, "code": self.code, "field": self.field,
                "message": self.message, "clause": self.clause}


class CostRefused(InputError):
    """An item refused by the ledger; ``clause`` names the rule when a category is excluded."""

    def __init__(self, message: str, *, code: str, field: str | None, row: Any = None,
                 clause: str | None = None) -> None:
        self.clause = clause
        super().__init__(message, field=field, row=row, code=code)

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "clause": self.clause}


def check_cost_item(item: CostItem, pack: ConsolidationMoneyPack) -> AcceptedCost:
    """Accept one item or raise :class:`CostRefused` (an ``InputError``) with a stable code:
    ``cost_item_excluded`` (with the clause), ``unknown_cost_category``, ``missing_evidence``,
    ``invalid_evidence_hash``, ``missing_description``, ``non_positive_amount`` or an amount
    parse code (``float_refused``...)."""
    row = item.ref
    category = (item.category or "").strip()
    if not category:
        raise CostRefused("cost item needs a category", code="missing_category",
                          field="category", row=row)
    found = pack.category(category)
    if found is None:
        raise CostRefused(f"unknown cost category '{category}' (not in {pack.label})",
                          code="unknown_cost_category", field="category", row=row)
    cat, allowed = found
    if not allowed:
        raise CostRefused(f"'{cat.zh}' ({cat.code}) is not a consolidation cost: {cat.clause}",
                          code="cost_item_excluded", field="category", row=row,
                          clause=cat.clause)
    try:
        amount = parse_yuan(item.amount, field="amount", row=row)
    except InputError as exc:
        raise CostRefused(exc.message, code=exc.code, field="amount", row=row) from None
    if amount <= 0:
        raise CostRefused(f"amount must be above zero, got {amount}",
                          code="non_positive_amount", field="amount", row=row)
    description = (item.description or "").strip()
    if not description:
        raise CostRefused("cost item needs a description", code="missing_description",
                          field="description", row=row)
    sha = (item.evidence_sha256 or "").strip() or None
    doc = (item.document_ref or "").strip() or None
    if sha is None and doc is None:
        raise CostRefused("cost item needs evidence: 'evidence_sha256' (SHA-256 of the evidence "
                          "file) or 'document_ref'", code="missing_evidence",
                          field="evidence_sha256", row=row)
    if sha is not None and not is_sha256(sha):
        raise CostRefused(f"evidence_sha256 '{sha}' is not 64 hexadecimal characters",
                          code="invalid_evidence_hash", field="evidence_sha256", row=row)
    return AcceptedCost(ref=row, category=cat.code, category_zh=cat.zh, amount=amount,
                        description=description, evidence_sha256=sha.lower() if sha else None,
                        document_ref=doc, rule=pack.rule(f"cost_categories.{cat.code}"),
                        clause=cat.clause)


@dataclass(frozen=True)
class CostScreening:
    accepted: list[AcceptedCost]
    refused: list[CostRefusal]

    def as_dict(self) -> dict[str, Any]:
        return {"accepted": [a.as_dict() for a in self.accepted],
                "refused": [r.as_dict() for r in self.refused]}


def screen_cost_items(items: Iterable[CostItem], pack: ConsolidationMoneyPack) -> CostScreening:
    """Check every item; collect refusals instead of stopping at the first (for imports)."""
    accepted: list[AcceptedCost] = []
    refused: list[CostRefusal] = []
    for item in items:
        try:
            accepted.append(check_cost_item(item, pack))
        except CostRefused as exc:
            refused.append(CostRefusal(item.ref, exc.code, exc.field, exc.message, exc.clause))
    return CostScreening(accepted, refused)


@dataclass(frozen=True)
class CategoryTotal:
    category: str
    zh: str
    en: str
    amount: Decimal
    items: int
    clause: str

    def as_dict(self) -> dict[str, Any]:
        return {"category": self.category, "zh": self.zh, "en": self.en,
                "amount": yuan_str(self.amount), "items": self.items, "clause": self.clause}


@dataclass(frozen=True)
class CostSummary:
    """Totals per category in pack order (categories without items have 0.00)."""

    categories: list[CategoryTotal]
    total: Decimal
    rule: str
    clause: str
    by_code: dict[str, Decimal] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"categories": [c.as_dict() for c in self.categories],
                "total": yuan_str(self.total), "rule": self.rule, "clause": self.clause}


def sum_by_category(accepted: Iterable[AcceptedCost],
                    pack: ConsolidationMoneyPack) -> CostSummary:
    """Sum accepted items per category (成本汇总); an item of a category the pack does not allow
    is refused (it cannot have come from :func:`check_cost_item` with this pack)."""
    sums = {cat.code: ZERO for cat in pack.cost_categories}
    counts = dict.fromkeys(sums, 0)
    for item in accepted:
        if item.category not in sums:
            raise InputError(f"'{item.category}' is not an allowed category in {pack.label}",
                             field="category", row=item.ref, code="unknown_cost_category")
        sums[item.category] += item.amount
        counts[item.category] += 1
    categories = [CategoryTotal(cat.code, cat.zh, cat.en, sums[cat.code], counts[cat.code],
                                cat.clause) for cat in pack.cost_categories]
    total = sum(sums.values(), ZERO)
    return CostSummary(categories, total, pack.rule("cost_ledger"), pack.clauses.cost_ledger,
                       by_code=dict(sums))
