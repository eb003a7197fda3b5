"""What each storage backend can do (the Django GIS ``features.py`` idea).

The rest of the code asks a capability (``store.caps.bulk_copy``), never the dialect name.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Capabilities:
    name: str
    #: PostGIS functions (ST_Intersects, ST_AsMVT …) run inside the database.
    spatial_sql: bool
    #: Bounding boxes are indexed in an SQLite R*Tree side table kept by triggers.
    rtree_side_table: bool
    #: Bulk loads go through ``COPY … FROM STDIN``.
    bulk_copy: bool
    #: Geometry parameters must be EWKB carrying SRID 4490.
    wkb_with_srid: bool
    #: Many connections may write at once (otherwise one writer at a time).
    concurrent_writers: bool


SQLITE = Capabilities(
    name="sqlite",
    spatial_sql=False,
    rtree_side_table=True,
    bulk_copy=False,
    wkb_with_srid=False,
    concurrent_writers=False,
)

POSTGIS = Capabilities(
    name="postgis",
    spatial_sql=True,
    rtree_side_table=False,
    bulk_copy=True,
    wkb_with_srid=True,
    concurrent_writers=True,
)


def capabilities_for(dialect_name: str) -> Capabilities:
    if dialect_name == "sqlite":
        return SQLITE
    if dialect_name == "postgresql":
        return POSTGIS
    raise ValueError(f"unsupported database backend {dialect_name!r} (use sqlite or postgresql)")
