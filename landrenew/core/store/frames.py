"""Fast reads into DataFrames: raw driver values converted column by column, vectorised.

Going through SQLAlchemy's per-row type processing costs more than the query itself on a
million rows; here the columns are selected untyped and converted once per column.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Select, Table, literal_column, select
from sqlalchemy.types import JSON, Boolean, Date, DateTime, Float, Integer, Numeric

from landrenew.core.store.types import Geometry


def raw_select(table: Table, exclude: tuple[str, ...] = ()) -> Select:
    """``SELECT table.col AS col, …`` without result type processing."""
    return select(*[literal_column(f"{table.name}.{c.name}").label(c.name)
                    for c in table.columns if c.name not in exclude]).select_from(table)


def _json(value: Any) -> Any:
    if isinstance(value, str):
        return json.loads(value)
    return value


def convert(df: pd.DataFrame, table: Table) -> pd.DataFrame:
    """Raw driver values → pandas dtypes: datetime64 for dates, float64 for numbers and money
    (analysis frames; the ORM path keeps Decimal), bool, parsed JSON, geometry left as WKB."""
    for name in df.columns:
        if name not in table.c:
            continue
        t = table.c[name].type
        col = df[name]
        if isinstance(t, Geometry):
            continue
        if isinstance(t, Date | DateTime):
            df[name] = pd.to_datetime(col, errors="coerce")
        elif isinstance(t, Boolean):
            df[name] = col.fillna(False).astype(bool)
        elif isinstance(t, Numeric | Float):
            df[name] = pd.to_numeric(col.astype(object).where(col.notna(), np.nan),
                                     errors="coerce").astype("float64")
        elif isinstance(t, Integer):
            if col.isna().any():
                df[name] = pd.array(pd.to_numeric(col, errors="coerce"), dtype="Int64")
        elif isinstance(t, JSON):
            df[name] = col.map(_json, na_action="ignore").astype(object).where(col.notna(), None)
        else:
            df[name] = col.astype(object).where(col.notna(), None)
    return df
