"""Gates (闸口) as pure functions over plain data: each returns its decision with the numbers,
the rule and the clause that led to it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from landrenew.projects.rules import ProjectRules


@dataclass(frozen=True)
class GateDecision:
    allowed: bool
    signed: int
    total: int
    ratio: Decimal
    threshold: Decimal
    rule: str
    clause: str

    def as_dict(self) -> dict[str, Any]:
        return {"allowed": self.allowed, "signed": self.signed, "total": self.total,
                "ratio": float(self.ratio), "threshold": float(self.threshold),
                "rule": self.rule, "clause": self.clause}

    def explain(self) -> str:
        verdict = "open" if self.allowed else "closed"
        return (f"demolition gate {verdict}: {self.signed} of {self.total} people to relocate have "
                f"signed ({self.ratio:.2%}); the rule needs at least {self.threshold:.0%} "
                f"[{self.rule}]")


def latest_with(people: Iterable[str], records: Iterable[Mapping[str, Any]],
                action: str) -> set[str]:
    """People whose latest record is ``action`` (a later record of any other action undoes
    it); records about anyone else are ignored. ``records`` in ledger order, each
    ``{subject, action}``."""
    state: dict[str, bool] = {}
    for rec in records:
        state[rec["subject"]] = rec["action"] == action
    wanted = set(people)
    return {p for p, yes in state.items() if yes and p in wanted}


def signed_people(people: Iterable[str], agreements: Iterable[Mapping[str, Any]]) -> set[str]:
    """People whose latest agreement record is a signature (a later withdrawal undoes it).
    ``agreements`` in ledger order, each ``{subject, action}`` with action sign | withdraw."""
    return latest_with(people, agreements, "sign")


def demolition_gate(people: Iterable[str], agreements: Iterable[Mapping[str, Any]],
                    rules: ProjectRules) -> GateDecision:
    """拆除闸口: a phase may start demolition once signed compensation agreements reach the
    pack's share (80 % in Guangzhou) of the phase's people to relocate. Compared exactly as
    fractions; a phase with nobody listed stays closed (nothing to measure)."""
    param = rules.param("demolition_signing_ratio")
    everyone = list(dict.fromkeys(people))
    signed = len(signed_people(everyone, agreements))
    total = len(everyone)
    threshold = param.value
    allowed = total > 0 and Fraction(signed, total) >= param.exact
    ratio = (Decimal(signed) / Decimal(total)).quantize(Decimal("0.0001"), ROUND_HALF_UP) \
        if total else Decimal(0)
    return GateDecision(allowed, signed, total, ratio, threshold,
                        f"{rules.id}:demolition_signing_ratio", param.clause)
