"""The decisions of the willingness gate (意愿征询): each comparison (:class:`Check`), each consent
unit's decision (:class:`UnitDecision`) and the project's (:class:`WillingnessDecision`), with
their explanations; :mod:`landrenew.participation.consent` takes them.

JSON: ``as_dict()`` gives every :class:`~decimal.Decimal` (areas, ratios, thresholds) as a
**string** (areas to 0.01 m², ratios and thresholds to 4 decimals) and counts as integers, so
that nothing exact is lost to floating point.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

UNIT_KINDS: dict[str, tuple[str, str]] = {
    "collective": ("集体土地", "collective land"),
    "single_holder": ("单一权利人", "single right holder"),
    "co_owned": ("共有", "co-owned"),
    "condominium": ("建筑物区分所有权", "condominium"),
    "state_parcels": ("多宗国有土地", "several state-land parcels"),
}

AREA_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class Check:
    """One comparison: ``counted / base`` against ``threshold`` (``>`` when ``strict``, else
    ``≥``). Checks of one unit sharing a ``group`` are alternatives (any one suffices, e.g. the
    villagers' meeting quorum by adults or by households); every group must pass."""
    group: str
    name: str
    label_zh: str
    label_en: str
    counted: int | Decimal
    base: int | Decimal
    measure: str  # "people" | "households" | "m2"
    ratio: Decimal
    threshold: Decimal
    fraction: str
    strict: bool
    passed: bool
    rule: str
    clause: str
    basis: str

    @property
    def comparison(self) -> str:
        return ">" if self.strict else ">="

    def as_dict(self) -> dict[str, Any]:
        return {"group": self.group, "name": self.name,
                "label": {"zh": self.label_zh, "en": self.label_en},
                "counted": _json_number(self.counted), "base": _json_number(self.base),
                "measure": self.measure, "ratio": str(self.ratio),
                "threshold": str(self.threshold), "fraction": self.fraction,
                "comparison": self.comparison, "passed": self.passed,
                "rule": self.rule, "clause": self.clause, "basis": self.basis}

    def describe(self) -> tuple[str, str]:
        unit = " m²" if self.measure == "m2" else ""
        zh_cmp = "＞" if self.strict else "≥"
        en_cmp = "more than" if self.strict else "at least"
        mark = "✓" if self.passed else "✗"
        c, b = _show(self.counted), _show(self.base)
        return (f"{self.label_zh} {c}/{b}{unit}（{self.ratio:.2%}，需{zh_cmp}{self.fraction}）{mark}",
                f"{self.label_en} {c} of {b}{unit} ({self.ratio:.2%}, needs {en_cmp} "
                f"{self.fraction}) {mark}")


@dataclass(frozen=True)
class UnitDecision:
    """The decision for one consent unit; ``parts`` are the parcels of a ``state_parcels`` unit,
    ``area`` the unit's land area when given (required for parcels)."""
    unit_id: str
    kind: str
    allowed: bool
    checks: tuple[Check, ...]
    parts: tuple[UnitDecision, ...] = ()
    area: Decimal | None = None

    @property
    def rules(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c.rule for c in self.checks))

    @property
    def failing_groups(self) -> tuple[str, ...]:
        return tuple(g for g, checks in groups(self.checks).items()
                     if not any(c.passed for c in checks))

    def explain(self) -> str:
        kind_zh, kind_en = UNIT_KINDS[self.kind]
        zh_parts, en_parts = [], []
        for checks in groups(self.checks).values():
            texts = [c.describe() for c in checks]
            zh_parts.append(" 或 ".join(t[0] for t in texts))
            en_parts.append(" or ".join(t[1] for t in texts))
        zh_verdict, en_verdict = ("达到", "meets") if self.allowed else ("未达到", "does not meet")
        parcels = ""
        if self.parts:
            parcels = " [" + ", ".join(f"{p.unit_id} {'✓' if p.allowed else '✗'}"
                                       for p in self.parts) + "]"
        return (f"{kind_zh} {self.unit_id}：{'；'.join(zh_parts)} → {zh_verdict}改造意愿条件 | "
                f"{kind_en} {self.unit_id}: {'; '.join(en_parts)} → {en_verdict} the willingness "
                f"condition{parcels} [{', '.join(self.rules)}]")

    def as_dict(self) -> dict[str, Any]:
        kind_zh, kind_en = UNIT_KINDS[self.kind]
        return {"id": self.unit_id, "kind": self.kind, "kind_label": {"zh": kind_zh, "en": kind_en},
                "allowed": self.allowed,
                "area": None if self.area is None else str(_area2(self.area)),
                "checks": [c.as_dict() for c in self.checks],
                "failing": list(self.failing_groups),
                "parts": [p.as_dict() for p in self.parts],
                "rules": list(self.rules), "explanation": self.explain()}


@dataclass(frozen=True)
class WillingnessDecision:
    """The project's willingness gate: every unit must meet its condition."""
    allowed: bool
    units: tuple[UnitDecision, ...]
    passed: int
    total: int
    rule: str
    clause: str
    pack: str = ""
    pack_version: str = ""
    draft: bool = False
    #: What is wrong with the consent ledger; while anything is, the gate stays closed.
    ledger_problems: tuple[str, ...] = ()

    @property
    def failing(self) -> tuple[str, ...]:
        return tuple(u.unit_id for u in self.units if not u.allowed)

    def explain(self) -> str:
        if not self.total:
            return (f"意愿征询闸口关闭：未列出任何意愿单元 | willingness gate closed: no consent "
                    f"units listed [{self.rule}]")
        zh = "开启" if self.allowed else "关闭"
        en = "open" if self.allowed else "closed"
        failing = ""
        if self.failing:
            failing = f"; not yet: {', '.join(self.failing)}"
        broken_zh = broken_en = ""
        if self.ledger_problems:
            broken_zh = "；意愿台账校验未通过，其记录不予计算"
            broken_en = (f"; the consent ledger fails its checks ({self.ledger_problems[0]}), so "
                         "its records are not counted")
        return (f"意愿征询闸口{zh}：{self.total} 个意愿单元中 {self.passed} 个达到条件（成熟一个，"
                f"推进一个：须全部达到）{broken_zh} | willingness gate {en}: {self.passed} of "
                f"{self.total} consent units meet their condition (all must){failing}{broken_en} "
                f"[{self.rule}]")

    def as_dict(self) -> dict[str, Any]:
        return {"allowed": self.allowed, "passed": self.passed, "total": self.total,
                "failing": list(self.failing), "rule": self.rule, "clause": self.clause,
                "pack": self.pack, "pack_version": self.pack_version, "draft": self.draft,
                "units": [u.as_dict() for u in self.units], "explanation": self.explain(),
                "ledger_intact": not self.ledger_problems,
                "ledger_problems": list(self.ledger_problems)}


# ------------------------------------------------------------------------------------------------
# display helpers


def groups(checks: Iterable[Check]) -> dict[str, list[Check]]:
    """The checks by their ``group``, in order (a group's checks are alternatives)."""
    groups: dict[str, list[Check]] = {}
    for c in checks:
        groups.setdefault(c.group, []).append(c)
    return groups


def _area2(value: Decimal) -> Decimal:
    return value.quantize(AREA_PLACES, ROUND_HALF_UP)


def _show(value: int | Decimal) -> str:
    return str(value) if isinstance(value, int) else f"{_area2(value):,}"


def _json_number(value: int | Decimal) -> int | str:
    return value if isinstance(value, int) else str(_area2(value))
