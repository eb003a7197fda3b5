"""Comparing two evaluation results (认定结果对比): the parcels whose categories or flags moved —
pure, shared by the file mode and the stored runs."""

from __future__ import annotations

import pandas as pd

from landrenew.evaluation import codes


def diff_results(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """Parcels whose categories (or flags) differ between two results, keyed by parcel code.

    Columns: ``parcel_code``, ``categories_a``, ``categories_b``, ``added``, ``removed``,
    ``flags_a``, ``flags_b``. A parcel present in only one result shows ``None`` on the other side.
    """
    cols = ["parcel_code", "categories", "flags"]
    m = pd.merge(a[cols], b[cols], on="parcel_code", how="outer", suffixes=("_a", "_b"))

    def sets(col: str) -> pd.Series:
        return m[col].map(lambda v: set(codes.split(v)))

    ca, cb = sets("categories_a"), sets("categories_b")
    fa, fb = sets("flags_a"), sets("flags_b")
    changed = (ca != cb) | (fa != fb) | m["categories_a"].isna() | m["categories_b"].isna()
    m["added"] = [codes.join(sorted(y - x)) for x, y in zip(ca, cb, strict=True)]
    m["removed"] = [codes.join(sorted(x - y)) for x, y in zip(ca, cb, strict=True)]
    out = m[changed.to_numpy()]
    return out[["parcel_code", "categories_a", "categories_b", "added", "removed", "flags_a",
                "flags_b"]].sort_values("parcel_code").reset_index(drop=True)
