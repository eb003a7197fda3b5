"""Column types shared by both backends.

Geometry is one logical type: a PostGIS ``geometry(Geometry, 4490)`` column on PostgreSQL and a
WKB blob on SQLite (with its bounding box in four float columns and an R*Tree index). Values cross
the boundary as WKB ``bytes``; on PostGIS they carry the SRID (EWKB), which the implicit
``bytea → geometry`` cast accepts, and come back as hex EWKB that :func:`shapely.from_wkb` reads.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import shapely
from sqlalchemy import JSON, LargeBinary
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeDecorator, UserDefinedType

from landrenew.core.store.capabilities import Capabilities

STORAGE_SRID = 4490


class _PostgisGeometry(UserDefinedType[Any]):
    cache_ok = True

    def get_col_spec(self, **kw: Any) -> str:
        return "geometry(Geometry,4490)"


class Geometry(TypeDecorator[bytes]):
    """WKB geometry in EPSG:4490 on both backends."""

    impl = LargeBinary
    cache_ok = True

    def load_dialect_impl(self, dialect: Any) -> Any:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(_PostgisGeometry())
        return dialect.type_descriptor(LargeBinary())

    def process_result_value(self, value: Any, dialect: Any) -> bytes | None:
        if value is None:
            return None
        if isinstance(value, str):
            return bytes.fromhex(value)
        return bytes(value)


JsonType = JSON().with_variant(JSONB(), "postgresql")


def storage_wkb(geoms: Any, caps: Capabilities) -> np.ndarray:
    """Geometries (EPSG:4490) as the store binds them: WKB, or EWKB carrying SRID 4490 where the
    backend wants it (``caps.wkb_with_srid``). The one place this encoding is written."""
    arr = np.asarray(geoms, dtype=object)
    if caps.wkb_with_srid:
        arr = shapely.set_srid(arr, STORAGE_SRID)
    return np.asarray(shapely.to_wkb(arr, include_srid=caps.wkb_with_srid), dtype=object)


def rebind_wkb(stored: Any, caps: Capabilities) -> np.ndarray:
    """Stored geometry read back, encoded again to be written as a new version's."""
    arr = np.asarray(stored, dtype=object)
    if not caps.wkb_with_srid:
        return arr
    out = np.empty(len(arr), dtype=object)
    present = np.array([v is not None for v in arr], dtype=bool)
    if present.any():
        out[present] = storage_wkb(shapely.from_wkb(arr[present]), caps)
    return out
