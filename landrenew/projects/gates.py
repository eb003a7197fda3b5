"""Gates (闸口) as pure functions over plain data: each returns its decision with the numbers,
the rule and the clause that led to it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from landrenew.core.packmodels import ParameterPack
from landrenew.participation.records import latest_with


@dataclass(frozen=True)
class GateDecision:
    allowed: bool
    signed: int
    total: int
    ratio: Decimal
    threshold: Decimal
    rule: str
    clause: str
    pack: str = ""
    pack_version: str = ""
    basis: str = ""
    #: What is wrong with the signing ledger; while anything is, the gate stays closed.
    ledger_problems: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {"allowed": self.allowed, "signed": self.signed, "total": self.total,
                "ratio": float(self.ratio), "threshold": float(self.threshold),
                "rule": self.rule, "clause": self.clause, "basis": self.basis,
                "pack": self.pack, "pack_version": self.pack_version,
                "ledger_intact": not self.ledger_problems,
                "ledger_problems": list(self.ledger_problems)}

    def explain(self) -> str:
        verdict = "open" if self.allowed else "closed"
        broken = (f"; the signing ledger fails its checks ({self.ledger_problems[0]}), so its "
                  "signatures are not counted" if self.ledger_problems else "")
        return (f"demolition gate {verdict}: {self.signed} of {self.total} people to relocate have "
                f"signed ({self.ratio:.2%}); the rule needs at least {self.threshold:.0%} "
                f"[{self.rule}]{broken}")


def signed_people(people: Iterable[str], agreements: Iterable[Mapping[str, Any]]) -> set[str]:
    """People whose latest agreement record is a signature (a later withdrawal undoes it).
    ``agreements`` in ledger order, each ``{subject, action}`` with action sign | withdraw."""
    return latest_with(people, agreements, "sign")


def demolition_gate(people: Iterable[str], agreements: Iterable[Mapping[str, Any]],
                    rules: ParameterPack, *, ledger_problems: Iterable[str] = ()
                    ) -> GateDecision:
    """拆除闸口: a phase may start demolition once signed compensation agreements reach the
    pack's share of the phase's people to relocate. Compared exactly as
    fractions; a phase with nobody listed stays closed (nothing to measure), and so does one
    whose signing ledger fails its checks (``ledger_problems``)."""
    broken = tuple(ledger_problems)
    param = rules.param("demolition_signing_ratio")
    everyone = list(dict.fromkeys(people))
    signed = len(signed_people(everyone, agreements))
    total = len(everyone)
    threshold = param.value
    allowed = total > 0 and Fraction(signed, total) >= param.exact and not broken
    ratio = (Decimal(signed) / Decimal(total)).quantize(Decimal("0.0001"), ROUND_HALF_UP) \
        if total else Decimal(0)
    return GateDecision(allowed, signed, total, ratio, threshold,
                        f"{rules.id}:demolition_signing_ratio", param.clause, rules.id,
                        rules.version, param.basis, broken)
