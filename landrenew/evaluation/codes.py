"""Category and flag codes (低效类型、标记代码) as text: the one place that joins, splits, tests and
counts them.

A parcel's categories (or flags) are kept as their codes joined by ``;`` in pack order — one text
column in a result file, a stored result and a tile — because files and tiles take text. Every
reader goes through this module: :func:`split` and :func:`join` for one value, :func:`has` and
:func:`explode` for a column, :func:`sql_has` for a query, and :func:`code_counts` for every count
the CLI, the reports, the stored run's summary and the API show.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import literal
from sqlalchemy.sql import ColumnElement

SEP = ";"
#: The code columns of a result and the kind of code each holds.
COLUMNS = {"category": "categories", "flag": "flags"}


def split(value: Any) -> list[str]:
    """The codes of one value (``None``, ``""`` and NaN give none)."""
    if not isinstance(value, str) or not value:
        return []
    return [c for c in value.split(SEP) if c]


def first(value: Any) -> str | None:
    """The first code of a value: a parcel's primary category (主类), the one the map colours
    it by and the one it is counted under where categories must add up."""
    codes = split(value)
    return codes[0] if codes else None


def join(codes: Iterable[str]) -> str:
    """One value from codes (empty when there are none)."""
    return SEP.join(c for c in codes if c)


def join_masks(n: int, pairs: Sequence[tuple[str, np.ndarray]]) -> np.ndarray:
    """Per row the codes whose mask is true there, joined in the order given (vectorised)."""
    out = np.full(n, "", dtype=object)
    for code, mask in pairs:
        if mask.any():
            out = out + np.where(mask, code + SEP, "").astype(object)
    return pd.Series(out, dtype=object).str.rstrip(SEP).to_numpy(dtype=object)


def has(values: pd.Series, code: str) -> np.ndarray:
    """Rows whose codes include ``code`` exactly (``idle`` is not ``idle_over_2y``)."""
    padded = SEP + values.fillna("").astype(str) + SEP
    return padded.str.contains(f"{SEP}{code}{SEP}", regex=False).to_numpy(dtype=bool)


def sql_has(column: ColumnElement[Any], code: str) -> ColumnElement[bool]:
    """The same test in SQL, for a stored code column."""
    return (literal(SEP) + column + literal(SEP)).like(f"%{SEP}{code}{SEP}%")


def explode(frame: pd.DataFrame, column: str, to: str = "code") -> pd.DataFrame:
    """One row per code of ``column`` (rows without a code dropped), the code in ``to``."""
    out = frame.assign(**{to: frame[column].map(split)}).explode(to)
    return out[out[to].notna()]


def code_counts(frame: pd.DataFrame, *, by: Sequence[str] = (),
                sums: Sequence[str] = ("area_mu",)) -> pd.DataFrame:
    """Parcels (and the sums of ``sums``) per kind and code, grouped further ``by`` columns.

    A parcel with several codes counts once under each of them; ``kind`` is ``category`` or
    ``flag``. Columns: ``kind``, ``code``, the ``by`` columns, ``parcels`` and each of ``sums``.
    """
    parts = []
    for kind, column in COLUMNS.items():
        if column not in frame.columns:
            continue
        exploded = explode(frame[[column, *by, *sums]], column)
        grouped = exploded.groupby([*by, "code"], sort=True).agg(
            parcels=("code", "size"), **{s: (s, "sum") for s in sums}).reset_index()
        parts.append(grouped.assign(kind=kind))
    if not parts:
        return pd.DataFrame(columns=["kind", "code", *by, "parcels", *sums])
    out = pd.concat(parts, ignore_index=True)
    return out[["kind", "code", *by, "parcels", *sums]]
