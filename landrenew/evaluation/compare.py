"""Comparing two evaluation results (认定结果对比): the parcels whose categories or flags moved —
pure, shared by the file mode and the stored runs."""

from __future__ import annotations

import pandas as pd


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
