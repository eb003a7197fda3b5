"""Applying a rule pack to an indicator frame: categories, flags, reasons (认定理由), potential.

Everything is vectorised over the rows; the only loop over values is the formatting of the
reasons of the rules that fired.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from landrenew.evaluation.codes import join_masks
from landrenew.evaluation.conditions import Columns, Leaf, evaluate
from landrenew.evaluation.packs import Rule, RulePack

RESULT_COLUMNS = ("is_low_efficiency", "categories", "flags", "potential_floor_area_m2",
                  "potential_source", "reasons", "rules_not_evaluated")


@dataclass
class RuleOutcome:
    """Where a rule applies (by land use), fired, or could not be decided (missing values)."""

    rule: Rule
    applicable: np.ndarray
    fired: np.ndarray
    unknown: np.ndarray
    leaves: list[Leaf]


def land_use_mask(land_use: pd.Series, prefixes: tuple[str, ...]) -> np.ndarray:
    """Rows whose 用地用海 code starts with one of ``prefixes``."""
    codes, uniques = pd.factorize(land_use, use_na_sentinel=True)
    hit = np.array([str(u).startswith(prefixes) for u in uniques] + [False], dtype=bool)
    return hit[codes]  # the sentinel -1 picks the trailing False


def apply_pack(frame: pd.DataFrame, pack: RulePack) -> list[RuleOutcome]:
    """Evaluate every enabled rule of the pack over ``frame`` (inputs + indicators)."""
    cols = Columns(frame.reset_index(drop=True))
    masks: dict[tuple[str, ...], np.ndarray] = {}
    out = []
    for rule in pack.rules:
        if not rule.enabled:
            continue
        pre = pack.prefixes(rule.applies_to)
        if pre not in masks:
            masks[pre] = land_use_mask(frame["land_use"], pre)
        applicable = masks[pre]
        res = evaluate(rule.when, cols, pack.param)
        fired = applicable & res.true
        unknown = applicable & ~res.true & ~res.false
        out.append(RuleOutcome(rule, applicable, fired, unknown, res.leaves))
    return out


def plain(v: Any) -> Any:
    """A compared value as a reason keeps it: a JSON value (numbers, text, true/false, null)."""
    if isinstance(v, bool | np.bool_):
        return bool(v)
    if isinstance(v, float | np.floating):
        return float(v)
    if v is None or v is pd.NA:
        return None
    if isinstance(v, int | np.integer):
        return int(v)
    return v if isinstance(v, str) else str(v)


#: What a reason says of a threshold that is the city's initial value, not a document's number.
LOCAL_INITIAL = "本市认定标准参数（初始值）"
#: The reasons of a row where no rule fired (shared, never changed).
NO_REASONS: tuple[dict[str, Any], ...] = ()


def _leaf_head(oc: RuleOutcome, leaf: Leaf, pack: RulePack | None) -> dict[str, Any]:
    """What every reason of one comparison shares: the rule, what it sets, the clause, the
    field, the comparison and its threshold, and the parameter with its basis."""
    head: dict[str, Any] = {"rule": oc.rule.id, oc.rule.kind: oc.rule.output,
                            "clause": str(oc.rule.clause), "field": leaf.field}
    if leaf.other is not None:
        head["other"] = leaf.other
    head["op"] = leaf.op if leaf.positive else f"not {leaf.op}"
    if leaf.other_values is None:
        head["threshold"] = json.loads(json.dumps(leaf.threshold, default=str))
    if leaf.param is not None and pack is not None and leaf.param in pack.parameters:
        head["param"] = leaf.param
        head["basis"] = pack.parameters[leaf.param].basis
        if head["basis"] == "local_initial":
            head["note"] = LOCAL_INITIAL
    return head


def build_reasons(n: int, outcomes: list[RuleOutcome], pack: RulePack | None = None
                  ) -> np.ndarray:
    """Per row the list of ``{rule, category|flag, clause, field, value, op, threshold}``, one
    object per comparison that made a rule fire; a comparison with a pack parameter adds
    ``param`` and its ``basis`` (and, for a city's initial value, a ``note`` saying so). The
    reasons stay Python objects until a file or the store writes them."""
    found: list[tuple[int, int, dict[str, Any]]] = []
    order = 0
    for oc in outcomes:
        if not oc.fired.any():
            continue
        for leaf in oc.leaves:
            decisive = leaf.true if leaf.positive else (leaf.known & ~leaf.true)
            idx = np.flatnonzero(oc.fired & decisive)
            if len(idx) == 0:
                continue
            head = _leaf_head(oc, leaf, pack)
            values = leaf.values[idx].tolist()
            others = (leaf.other_values[idx].tolist() if leaf.other_values is not None
                      else [None] * len(idx))
            for i, v, t in zip(idx.tolist(), values, others, strict=True):
                item = {**head, "value": plain(v)}
                if leaf.other_values is not None:
                    item["threshold"] = plain(t)
                found.append((i, order, item))
                order += 1
    result = np.empty(n, dtype=object)
    result.fill(NO_REASONS)
    found.sort(key=lambda f: (f[0], f[1]))
    start = 0
    while start < len(found):
        row = found[start][0]
        end = start
        while end < len(found) and found[end][0] == row:
            end += 1
        result[row] = [f[2] for f in found[start:end]]
        start = end
    return result


def target_far(land_use: pd.Series, pack: RulePack) -> np.ndarray:
    """The pack's target FAR by longest matching land-use prefix (NaN where none)."""
    codes, uniques = pd.factorize(land_use, use_na_sentinel=True)
    targets = sorted(pack.potential.target_far, key=lambda t: -len(t.land_use))
    vals = []
    for u in uniques:
        hit = next((t for t in targets if str(u).startswith(t.land_use)), None)
        vals.append(float(pack.param(hit.param)) if hit else np.nan)
    return np.asarray([*vals, np.nan], dtype="float64")[codes]


def potential(frame: pd.DataFrame, low: np.ndarray, pack: RulePack) -> tuple[np.ndarray, np.ndarray]:
    """Additional floor area (再开发潜力): max(0, FAR × site area − floor area), with the planned
    FAR where known, else the pack's target FAR for low-efficiency parcels, else 0. A missing
    floor area counts as none built."""
    area = frame["area_m2"].to_numpy("float64")
    floor = (frame["floor_area_m2"].to_numpy("float64", na_value=np.nan)
             if "floor_area_m2" in frame.columns else np.zeros(len(frame)))
    floor = np.nan_to_num(floor, nan=0.0)
    planned = (frame["planned_far"].to_numpy("float64", na_value=np.nan)
               if "planned_far" in frame.columns else np.full(len(frame), np.nan))
    target = target_far(frame["land_use"], pack)
    has_plan = ~np.isnan(planned)
    use_target = ~has_plan & low & ~np.isnan(target)
    far = np.where(has_plan, planned, np.where(use_target, target, 0.0))
    pot = np.maximum(0.0, far * area - floor)
    source = np.where(has_plan, "planned_far", np.where(use_target, "target_far", ""))
    return np.where(has_plan | use_target, pot, 0.0), source.astype(object)


def outcome_columns(frame: pd.DataFrame, outcomes: list[RuleOutcome], pack: RulePack
                    ) -> pd.DataFrame:
    """The result columns: ``is_low_efficiency``, ``categories``, ``flags``, the potential,
    ``reasons`` and ``rules_not_evaluated`` (applicable rules whose inputs were missing)."""
    n = len(frame)

    def fired_by(code: str, kind: str) -> np.ndarray:
        m = np.zeros(n, dtype=bool)
        for oc in outcomes:
            if oc.rule.output == code and oc.rule.kind == kind:
                m |= oc.fired
        return m

    cats = [(c, fired_by(c, "category")) for c in pack.categories]
    flags = [(f, fired_by(f, "flag")) for f in pack.flags]
    low = np.logical_or.reduce([m for _, m in cats]) if cats else np.zeros(n, dtype=bool)
    pot, source = potential(frame, low, pack)
    out = pd.DataFrame(index=frame.index)
    out["is_low_efficiency"] = low
    out["categories"] = join_masks(n, cats)
    out["flags"] = join_masks(n, flags)
    out["potential_floor_area_m2"] = pot
    out["potential_source"] = source
    out["reasons"] = build_reasons(n, outcomes, pack)
    out["rules_not_evaluated"] = join_masks(n, [(oc.rule.id, oc.unknown) for oc in outcomes])
    return out
