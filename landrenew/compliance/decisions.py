"""What a compliance check answers (审查结论): a frozen :class:`Decision` with every rule that led
to it (:class:`Reason`: rule, clause, field, value, op, threshold and whether it was met), and
the :class:`Checker` the pure check functions build it with.

Three-valued: a fact a rule needs and the request does not give is *missing*, never "false"; a
value that could not be read is *malformed*. Either makes the decision ``invalid``, naming the
field, while every rule that could be evaluated is still listed. Facts the map knows (a share
inside the urban development boundary, permanent basic farmland, a hazard area) come from the
stored zones where the request has a geometry (:class:`MapFact`); a typed value that the map
contradicts is reported as a ``contradiction`` and the map's value decides.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from landrenew.compliance.fields import Problem
from landrenew.compliance.packs import CompliancePack
from landrenew.finance.money import decimal_str

#: Every decision a check can take (zh, en).
DECISIONS: dict[str, tuple[str, str]] = {
    "eligible": ("符合", "eligible"),
    "refused": ("不符合", "refused"),
    "exception_required": ("须记录例外理由（已记录）后符合", "eligible only with the recorded "
                           "exception reason"),
    "exempt_as_farmland": ("免于办理用地手续，按农用地管理", "exempt: managed as farmland"),
    "exempt_original_class": ("免于办理用地手续，按原地类管理", "exempt: managed as its original "
                              "class"),
    "exempt_current_use": ("不征收（收回）、不转用，按现用途管理", "exempt: managed as its current "
                           "use"),
    "not_exempt": ("不属于免于办理用地手续的情形", "not exempt"),
    "no_permit_needed": ("无需办理建设工程规划许可或乡村建设规划许可", "no planning permit needed"),
    "permit_needed": ("须依法办理规划许可手续", "a planning permit is needed"),
    "not_legacy": ("用地手续齐全，不属于历史遗留建设用地", "procedures complete: not legacy land"),
    "invalid": ("无法判定：数据缺失或有误", "cannot decide: data missing or malformed"),
    "no_rules": ("本地没有合规审查规则", "no compliance rules here"),
}
#: Where a kind says a decision in its own words (zh, en).
KIND_DECISIONS: dict[tuple[str, str], tuple[str, str]] = {
    ("legacy_land", "eligible"): ("属于农村历史遗留建设用地，按类别完善手续",
                                  "legacy construction land, to be regularised by its category"),
    ("homestead", "eligible"): ("满足条件，可按程序完成用地、规划手续后确权登记",
                                "conditions met: register after completing the procedures"),
    ("homestead", "refused"): ("不满足存量宅基地房屋确权条件", "the conditions are not met"),
}
#: The ops a reason compares with (as in the evaluation engine's conditions), in Chinese.
OPS_ZH = {"<": "小于", "<=": "不超过", ">": "大于", ">=": "不低于", "==": "应为", "!=": "不应为",
          "in": "属于", "not_in": "不属于", "known": "应填写", "readable": "无法识别"}
_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


def jsonable(value: Any) -> Any:
    """A value as a reason holds it: numbers as exact decimal strings, days as ISO text."""
    if isinstance(value, (Decimal, Fraction)):
        return decimal_str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


@dataclass(frozen=True)
class MapFact:
    """A fact read from the stored zones for a request's geometry: the value, the zones the
    geometry meets and the areas measured (m², in the city's projected zone)."""

    field: str
    value: Any
    layer: str
    zones: tuple[str, ...] = ()
    overlap_m2: float = 0.0
    site_m2: float = 0.0


@dataclass(frozen=True)
class Reason:
    """One rule as it was applied: ``value op threshold`` and whether it was met (None: not
    evaluated — missing, malformed, or a contradiction reported)."""

    rule: str
    clause: str
    field: str
    value: Any
    op: str
    threshold: Any
    met: bool | None
    basis: str = "document"
    kind: str = "condition"  # condition | missing | malformed | contradiction
    source: str = "typed"  # typed | map
    zones: tuple[str, ...] = ()
    measured: tuple[float, float] | None = None  # (overlap m², site m²) from the map
    message: str = ""
    of: tuple[str, Any, Any] | None = None  # a threshold that is a share: (field, value, share)

    def as_dict(self) -> dict[str, Any]:
        out = {"rule": self.rule, "clause": self.clause, "field": self.field,
               "value": jsonable(self.value), "op": self.op,
               "threshold": jsonable(self.threshold), "met": self.met, "basis": self.basis,
               "kind": self.kind, "source": self.source}
        if self.zones:
            out["zones"] = list(self.zones)
        if self.measured is not None:
            out["overlap_m2"], out["site_m2"] = (round(self.measured[0], 2),
                                                 round(self.measured[1], 2))
        if self.message:
            out["message"] = self.message
        if self.of is not None:
            out["of"] = {"field": self.of[0], "value": jsonable(self.of[1]),
                         "share": jsonable(self.of[2])}
        return out


@dataclass(frozen=True)
class Decision:
    """A check's answer with everything that led to it, and the pack that decided."""

    kind: str
    decision: str
    reasons: tuple[Reason, ...]
    pack: str
    pack_version: str
    draft: bool = False
    period: str | None = None
    period_name: str | None = None
    legacy_route: bool | None = None
    category: str | None = None
    quota_offset_mu: Decimal | None = None

    @property
    def failed(self) -> tuple[Reason, ...]:
        return tuple(r for r in self.reasons if r.met is False)

    @property
    def invalid_fields(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(r.field for r in self.reasons
                                   if r.kind in ("missing", "malformed")))

    def outcome(self) -> dict[str, Any]:
        """The answers beside the decision that some kinds give."""
        out: dict[str, Any] = {}
        if self.period is not None:
            out["period"] = self.period
            out["period_name"] = self.period_name
        if self.legacy_route is not None:
            out["legacy_route"] = self.legacy_route
        if self.kind == "legacy_land":
            out["category"] = self.category
            out["quota_offset_mu"] = decimal_str(self.quota_offset_mu)
        return out

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "decision": self.decision,
                "reasons": [r.as_dict() for r in self.reasons], "pack": self.pack,
                "pack_version": self.pack_version, "draft": self.draft, **self.outcome()}


#: A map fact's typed value contradicts the map when it would decide otherwise: for a share,
#: when it lies on the other side of the rule's threshold (the pack parameter named here).
RATIO_THRESHOLDS = {"inside_udb_ratio": "point_supply_max_inside_udb_ratio"}


@dataclass
class Checker:
    """Collects the reasons of one check while its pure function applies the rules."""

    pack: CompliancePack
    typed: Mapping[str, Any]
    problems: Iterable[Problem] = ()
    map_facts: Mapping[str, MapFact] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.reasons: list[Reason] = []
        self.invalid: list[Reason] = []
        self.facts = dict(self.typed)
        self._bad = set()
        for p in self.problems:
            self._bad.add(p.field)
            self.invalid.append(Reason("input", "", p.field, jsonable(p.value), "readable", None,
                                       None, "", "malformed", message=p.message))
        for name, fact in self.map_facts.items():
            self._map(name, fact)

    def _map(self, name: str, fact: MapFact) -> None:
        typed = self.facts.get(name)
        if fact.value is None:  # no such layer stored: the typed value decides
            self.reasons.append(Reason(
                self.pack.rule("map_overrides_typed"), self.pack.clause("map_overrides_typed"),
                name, typed, "known", None, None, "document", "no_layer", "map",
                message=f"no zone layer '{fact.layer}' is stored: the typed value decides"))
            return
        self.facts[name] = fact.value
        self._bad.discard(name)  # the map's value stands for an unreadable typed one
        self.invalid = [r for r in self.invalid if r.field != name]
        if typed is None or typed == fact.value:
            return
        if name in RATIO_THRESHOLDS:
            limit = self.pack.number(RATIO_THRESHOLDS[name]).exact
            if (Fraction(typed) <= limit) == (Fraction(fact.value) <= limit):
                return
        self.reasons.append(Reason(
            self.pack.rule("map_overrides_typed"), self.pack.clause("map_overrides_typed"), name,
            typed, "!=", fact.value, None, "document", "contradiction", "map", fact.zones,
            (fact.overlap_m2, fact.site_m2)))

    # -------------------------------------------------------------- reading facts

    def get(self, name: str) -> Any:
        return self.facts.get(name)

    def need(self, name: str) -> Any:
        """The fact, or None after recording it as missing (once; not when it was malformed)."""
        value = self.facts.get(name)
        if value is None and name not in self._bad and all(r.field != name
                                                           for r in self.invalid):
            self.invalid.append(Reason("input", "", name, None, "known", None, None, "",
                                       "missing"))
        return value

    # -------------------------------------------------------------- applying rules

    def add(self, rule: str, clause: str, name: str, value: Any, op: str, threshold: Any,
            met: bool, basis: str = "document", of: tuple[str, Any, Any] | None = None) -> bool:
        fact = self.map_facts.get(name)
        self.reasons.append(Reason(
            rule, clause, name, value, op, threshold, met, basis,
            source="map" if fact else "typed", zones=fact.zones if fact else (),
            measured=(fact.overlap_m2, fact.site_m2) if fact else None, of=of))
        return met

    def flag(self, name: str, expected: bool, clause: str) -> bool | None:
        """The yes/no fact ``name`` must be ``expected`` (rule and clause ``clause``)."""
        value = self.need(name)
        if value is None:
            return None
        return self.add(self.pack.rule(clause), self.pack.clause(clause), name, value, "==",
                        expected, value is expected)

    def compare(self, name: str, op: str, param: str, *, factor_of: str | None = None,
                value: Any = None) -> bool | None:
        """``name op parameter`` (``param`` of the pack), or ``name op parameter × factor_of``
        when the threshold is a share of another fact; compared exactly as fractions."""
        v = value if value is not None else self.need(name)
        base = self.need(factor_of) if factor_of else None
        if v is None or (factor_of and base is None):
            return None
        p = self.pack.number(param)
        if factor_of and base is not None:
            limit = p.exact * Fraction(base)
            return self.add(self.pack.rule(param), p.clause, name, v, op, limit,
                            _COMPARE[op](Fraction(v), limit), p.basis, (factor_of, base, p.value))
        return self.add(self.pack.rule(param), p.clause, name, v, op, p.value,
                        _COMPARE[op](Fraction(v), p.exact), p.basis)

    def decide(self, ok: str, bad: str) -> str:
        """``invalid`` when a fact is missing or malformed; else ``ok`` when every rule was met."""
        if self.invalid:
            return "invalid"
        return ok if all(r.met for r in self.reasons if r.met is not None) else bad

    def result(self, kind: str, decision: str, **extra: Any) -> Decision:
        return Decision(kind, decision, (*self.invalid, *self.reasons), self.pack.id,
                        self.pack.version, self.pack.issued_on is None, **extra)
