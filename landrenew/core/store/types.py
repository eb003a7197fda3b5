"""Column types shared by both backends.

Geometry is one logical type: a PostGIS ``geometry(Geometry, 4490)`` column on PostgreSQL and a
WKB blob on SQLite (with its bounding box in four float columns and an R*Tree index). Values cross
the boundary as WKB ``bytes``; on PostGIS they carry the SRID (EWKB), which the implicit
``bytea → geometry`` cast accepts, and come back as hex EWKB that :func:`shapely.from_wkb` reads.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, LargeBinary
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeDecorator, UserDefinedType


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
