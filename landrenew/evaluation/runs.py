"""Database mode (数据库模式): evaluation runs kept in the store, and their comparison.

The storage itself is in :mod:`landrenew.evaluation.stored`; :func:`diff_results` is the pure
comparison both modes share.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from landrenew.core.errors import InputError


def run_on_database(pack_id: str | None, as_of: dt.date | None = None, *, store: Any, user: str,
                    **options: Any) -> Any:
    """Evaluate the parcels in the database as of ``as_of`` (each under its district's pack,
    or ``pack_id`` on every parcel) and store the run."""
    from landrenew.evaluation.stored import run_on_store

    return run_on_store(store, pack_id, as_of=as_of, user=user, **options)


def _run_id(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise InputError(f"'{value}' is not a run number (see `landrenew evaluate runs`)",
                         field="run") from None


def diff_runs(run_a: str, run_b: str, *, store: Any) -> pd.DataFrame:
    """Parcels whose categories (or flags) changed between two stored runs."""
    from landrenew.evaluation.stored import diff_stored_runs

    return diff_stored_runs(store, _run_id(run_a), _run_id(run_b))


def diff_results(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """Parcels whose categories (or flags) differ between two results, keyed by parcel code.

    Columns: ``parcel_code``, ``categories_a``, ``categories_b``, ``added``, ``removed``,
    ``flags_a``, ``flags_b``. A parcel present in only one result shows ``None`` on the other side.
    """
    cols = ["parcel_code", "categories", "flags"]
    m = pd.merge(a[cols], b[cols], on="parcel_code", how="outer", suffixes=("_a", "_b"))

    def split(s: object) -> set[str]:
        return set(s.split(";")) - {""} if isinstance(s, str) else set()

    ca, cb = m["categories_a"].map(split), m["categories_b"].map(split)
    fa, fb = m["flags_a"].map(split), m["flags_b"].map(split)
    changed = (ca != cb) | (fa != fb) | m["categories_a"].isna() | m["categories_b"].isna()
    m["added"] = [";".join(sorted(y - x)) for x, y in zip(ca, cb, strict=True)]
    m["removed"] = [";".join(sorted(x - y)) for x, y in zip(ca, cb, strict=True)]
    out = m[changed.to_numpy()]
    return out[["parcel_code", "categories_a", "categories_b", "added", "removed", "flags_a",
                "flags_b"]].sort_values("parcel_code").reset_index(drop=True)
