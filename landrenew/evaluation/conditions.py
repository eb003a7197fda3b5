"""A small condition language (条件表达式) for rules, evaluated vectorised over DataFrame columns.

Conditions are structured YAML, never strings passed to ``eval``::

    {field: far, op: "<", param: industrial_max_far}        # compare with a pack parameter
    {field: safety_grade, op: in, value: [C, D]}             # membership
    {field: industry_code, op: prefix_in, param: obsolete}   # starts with any of the codes
    {field: planned_class, op: "!=", other: land_class}      # compare two fields
    {known: tax_per_mu}                                      # the value is present
    {all: [...]} / {any: [...]} / {not: {...}}               # combinators

Evaluation uses three-valued (Kleene) logic: a comparison on a missing value is *unknown*, so a
rule whose outcome depends on a missing value neither fires nor silently counts as "false"; the
engine reports it as not evaluated.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator

Scalar = bool | int | float | str | dt.date
Value = Scalar | list[Scalar]

NUMERIC_OPS = {"<", "<=", ">", ">="}
EQUALITY_OPS = {"==", "!="}
LIST_OPS = {"in", "not_in", "prefix_in"}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Compare(_Strict):
    """``field op threshold`` where the threshold is a literal ``value``, a ``param`` or a field."""

    field: str
    op: Literal["<", "<=", ">", ">=", "==", "!=", "in", "not_in", "prefix_in"]
    value: Value | None = None
    param: str | None = None
    other: str | None = None

    @model_validator(mode="after")
    def _one_rhs(self) -> Compare:
        given = [x is not None for x in (self.value, self.param, self.other)]
        if sum(given) != 1:
            raise ValueError("give exactly one of 'value', 'param' or 'other'")
        if self.other is not None and self.op in LIST_OPS:
            raise ValueError(f"op '{self.op}' needs a list 'value' or 'param', not 'other'")
        return self


class Known(_Strict):
    """True when the field has a value (``known``)."""

    known: str


class Missing(_Strict):
    """True when the field has no value (``missing``)."""

    missing: str


class All(_Strict):
    all: list[Condition] = Field(min_length=1)


class AnyOf(_Strict):
    any: list[Condition] = Field(min_length=1)


class Not(_Strict):
    not_: Condition = Field(alias="not")


def _kind(v: Any) -> str | None:
    if isinstance(v, BaseModel):
        return {Compare: "compare", Known: "known", Missing: "missing", All: "all",
                AnyOf: "any", Not: "not"}.get(type(v))
    if isinstance(v, Mapping):
        for key in ("all", "any", "not", "known", "missing"):
            if key in v:
                return key
        return "compare"
    return None


Condition = Annotated[
    Annotated[Compare, Tag("compare")]
    | Annotated[Known, Tag("known")]
    | Annotated[Missing, Tag("missing")]
    | Annotated[All, Tag("all")]
    | Annotated[AnyOf, Tag("any")]
    | Annotated[Not, Tag("not")],
    Discriminator(_kind),
]
All.model_rebuild()
AnyOf.model_rebuild()
Not.model_rebuild()


def fields_used(cond: Any) -> set[str]:
    """Every field a condition reads."""
    if isinstance(cond, Compare):
        return {cond.field} | ({cond.other} if cond.other else set())
    if isinstance(cond, Known):
        return {cond.known}
    if isinstance(cond, Missing):
        return {cond.missing}
    if isinstance(cond, All | AnyOf):
        return set().union(*(fields_used(c) for c in _children(cond)))
    if isinstance(cond, Not):
        return fields_used(cond.not_)
    raise TypeError(cond)


def params_used(cond: Any) -> set[str]:
    """Every pack parameter a condition reads."""
    if isinstance(cond, Compare):
        return {cond.param} if cond.param else set()
    if isinstance(cond, All | AnyOf | Not):
        return set().union(*(params_used(c) for c in _children(cond)))
    return set()


def _children(cond: Any) -> list[Any]:
    if isinstance(cond, All):
        return list(cond.all)
    if isinstance(cond, AnyOf):
        return list(cond.any)
    if isinstance(cond, Not):
        return [cond.not_]
    return []


# --------------------------------------------------------------------------------- evaluation


@dataclass
class Leaf:
    """One comparison as evaluated: its masks and what a reason needs to show it."""

    field: str
    op: str
    threshold: Any
    true: np.ndarray  # the comparison holds (and is known)
    known: np.ndarray
    values: np.ndarray  # the compared values, for reasons
    positive: bool = True  # False under an odd number of ``not``
    other: str | None = None  # compared with another field: its values are the thresholds
    other_values: np.ndarray | None = None
    param: str | None = None  # the pack parameter compared with, when there is one


@dataclass
class Outcome:
    """Kleene outcome of a condition: ``true`` and ``false`` are disjoint; neither = unknown."""

    true: np.ndarray
    false: np.ndarray
    leaves: list[Leaf] = field(default_factory=list)


class Columns:
    """Column access with cached numpy conversions; a missing column is all-unknown."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self.n = len(frame)
        self._num: dict[str, np.ndarray] = {}
        self._obj: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._norm: dict[str, pd.Series] = {}

    def normalised(self, name: str) -> pd.Series:
        """Values ready for equality and membership tests: strings stripped, numbers as is."""
        if name not in self._norm:
            if name not in self.frame.columns:
                self._norm[name] = pd.Series(np.full(self.n, None, dtype=object))
            else:
                col = self.frame[name].reset_index(drop=True)
                if pd.api.types.is_bool_dtype(col) or pd.api.types.is_numeric_dtype(col):
                    self._norm[name] = col
                else:
                    s = col.astype(object)
                    is_str = s.map(type).eq(str) if pd.api.types.is_object_dtype(col) else None
                    if is_str is None or is_str.all():
                        s = col.astype("string").str.strip().astype(object)
                    else:
                        s = s.map(_norm, na_action="ignore")
                    self._norm[name] = s
        return self._norm[name]

    def numeric(self, name: str) -> np.ndarray:
        if name not in self._num:
            if name not in self.frame.columns:
                self._num[name] = np.full(self.n, np.nan)
            else:
                col = self.frame[name]
                if pd.api.types.is_bool_dtype(col):
                    self._num[name] = col.to_numpy(dtype="float64", na_value=np.nan)
                else:
                    self._num[name] = pd.to_numeric(col, errors="coerce").to_numpy(
                        dtype="float64", na_value=np.nan)
        return self._num[name]

    def objects(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """(values as object array, known mask); empty strings count as missing."""
        if name not in self._obj:
            if name not in self.frame.columns:
                vals = np.full(self.n, None, dtype=object)
                known = np.zeros(self.n, dtype=bool)
            else:
                col = self.frame[name]
                known = col.notna().to_numpy().copy()
                vals = col.astype(object).to_numpy(dtype=object, na_value=None)
                if pd.api.types.is_object_dtype(col) or pd.api.types.is_string_dtype(col):
                    known &= col.astype(str).str.strip().ne("").to_numpy()
            self._obj[name] = (vals, known)
        return self._obj[name]


ParamLookup = Callable[[str], Any]

_NUM_FUNCS = {"<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal}


def evaluate(cond: Any, cols: Columns, param: ParamLookup, positive: bool = True) -> Outcome:
    """Evaluate a condition over all rows at once."""
    if isinstance(cond, All):
        parts = [evaluate(c, cols, param, positive) for c in cond.all]
        true = np.logical_and.reduce([p.true for p in parts])
        false = np.logical_or.reduce([p.false for p in parts])
        return Outcome(true, false, [lf for p in parts for lf in p.leaves])
    if isinstance(cond, AnyOf):
        parts = [evaluate(c, cols, param, positive) for c in cond.any]
        true = np.logical_or.reduce([p.true for p in parts])
        false = np.logical_and.reduce([p.false for p in parts])
        return Outcome(true, false, [lf for p in parts for lf in p.leaves])
    if isinstance(cond, Not):
        inner = evaluate(cond.not_, cols, param, not positive)
        return Outcome(inner.false, inner.true, inner.leaves)
    if isinstance(cond, Known | Missing):
        name = cond.known if isinstance(cond, Known) else cond.missing
        _, known = _any_known(cols, name)
        true = known if isinstance(cond, Known) else ~known
        leaf = Leaf(name, "known" if isinstance(cond, Known) else "missing", None, true,
                    np.ones(cols.n, dtype=bool), known, positive)
        return Outcome(true, ~true, [leaf])
    if isinstance(cond, Compare):
        return _compare(cond, cols, param, positive)
    raise TypeError(f"not a condition: {cond!r}")


def _any_known(cols: Columns, name: str) -> tuple[np.ndarray, np.ndarray]:
    vals, known = cols.objects(name)
    if name in cols.frame.columns and pd.api.types.is_float_dtype(cols.frame[name]):
        known = known & ~np.isnan(cols.numeric(name))
    return vals, known


def _compare(cond: Compare, cols: Columns, param: ParamLookup, positive: bool) -> Outcome:
    # a literal ``Value`` or a parameter's value (untyped); a numeric op reads it as a float
    threshold: Any = param(cond.param) if cond.param is not None else cond.value
    op = cond.op
    if op in NUMERIC_OPS:
        x = cols.numeric(cond.field)
        y = cols.numeric(cond.other) if cond.other else float(threshold)
        known = ~np.isnan(x) & (~np.isnan(y) if cond.other else True)
        with np.errstate(invalid="ignore"):
            true = known & _NUM_FUNCS[op](x, y)
        values: np.ndarray = x
    elif op in LIST_OPS:
        vals, known = cols.objects(cond.field)
        items = [_norm(v) for v in (threshold if isinstance(threshold, list) else [threshold])]
        svals = cols.normalised(cond.field)
        if op == "prefix_in":
            hit = svals.astype(str).str.startswith(tuple(str(i) for i in items)).to_numpy()
        else:
            hit = svals.isin(items).to_numpy()
        true = known & (hit if op != "not_in" else ~hit)
        values = vals
    else:  # == / !=
        vals, known = cols.objects(cond.field)
        if cond.other:
            _, oknown = cols.objects(cond.other)
            known = known & oknown
            eq = (cols.normalised(cond.field).to_numpy(dtype=object)
                  == cols.normalised(cond.other).to_numpy(dtype=object))
        else:
            eq = cols.normalised(cond.field).eq(_norm(threshold)).to_numpy(
                dtype=bool, na_value=False)
        true = known & (eq if op == "==" else ~eq)
        values = vals
    true = np.asarray(true, dtype=bool)
    known = np.broadcast_to(np.asarray(known, dtype=bool), (cols.n,)).copy()
    leaf = Leaf(cond.field, op, threshold, true, known, values, positive, param=cond.param)
    if cond.other:
        leaf.other = cond.other
        leaf.other_values = (cols.numeric(cond.other) if op in NUMERIC_OPS
                             else cols.objects(cond.other)[0])
    return Outcome(true, known & ~true, [leaf])


def _norm(v: Any) -> Any:
    """Normalise scalars so that 1 == 1.0 == True compare as in YAML and strings are stripped."""
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, str):
        return v.strip()
    if isinstance(v, bool):
        return v
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v
