"""OGC parcel pages written by PostgreSQL itself (要素页文本由数据库生成).

A page of 1000 parcel features is about 0.9 MB of GeoJSON. Made in Python it costs some 25 ms of
interpreter time (reading 30 columns of 1000 rows, the records, the JSON), and under load every
such page holds the interpreter lock that the server's other requests wait on. On PostGIS the
server writes the whole ``features`` array instead, in one statement: each outline with
``ST_AsGeoJSON``, each record with ``row_to_json``, joined in parcel-code order with
``string_agg``. Python receives one string.

The text says what :func:`~landrenew.platform.parcels.parcel_records` says, value for value, as
:mod:`landrenew.platform.ogc` writes it for one feature (``/items/{id}``, still made in Python,
and the tests compare the two):

- the view's fields in their order (sensitive ones only for those who may see them), money as a
  double (PostgreSQL's numeric → float8 and Python's ``float(Decimal)`` both round correctly);
- area in m², 亩 and 公顷 by :mod:`landrenew.core.units`' own functions applied to the column, so
  the same float8 operations in the same order as in Python and the same doubles; float8 is
  written in its shortest exact form (``extra_float_digits`` 1, PostgreSQL's default since 12);
- ``valid_from`` as ISO 8601 with a ``T``, with microseconds only when there are any (as orjson
  writes a naive datetime);
- the latest run's result, its codes ';'-joined (empty codes dropped, as
  :func:`~landrenew.platform.parcels._split` does) or null.
"""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import (
    Boolean,
    Float,
    Select,
    Text,
    and_,
    case,
    cast,
    func,
    literal,
    null,
    select,
    true,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.engine import Connection

from landrenew.core.access import Principal
from landrenew.core.store import Store
from landrenew.core.store.capabilities import Capabilities
from landrenew.core.units import m2_to_ha, m2_to_mu
from landrenew.land.fields import MONEY_FIELDS
from landrenew.platform.parcels import (
    BBox,
    P,
    R,
    current_run_id,
    page_ids,
    page_parameters,
    view_fields,
)


def features_text(conn: Connection, store: Store, user: Principal, *, bbox: BBox | None,
                  limit: int, offset: int, geometry: str) -> tuple[int, str]:
    """(how many features, the JSON array of them) for one page of current parcels in
    ``user``'s districts and view, in the order and paging of
    :func:`~landrenew.platform.parcels.page_rows`; the outlines in axis order ``geometry``
    (``"xy"`` as stored, ``"yx"`` swapped). PostGIS only."""
    scope = user.scope
    params = page_parameters(conn, store, scope, category=None, flag=None, bbox=bbox,
                             limit=limit, offset=offset, after=None)
    stmt = _features_query(store.caps, current_run_id(store), user.sees_sensitive, scope,
                           bbox is not None, "page_after" in params, geometry)
    row = conn.execute(stmt, params).one()
    return row.returned, row.features


def _codes(column: Any) -> Any:
    """';'-joined codes without empty ones, or null when none is left."""
    kept = func.array_to_string(func.array_remove(func.string_to_array(column, ";"), ""), ";")
    return func.nullif(kept, "")


def _iso(column: Any) -> Any:
    """A naive timestamp as orjson writes it: ``YYYY-MM-DDTHH:MM:SS[.ffffff]``."""
    whole = 'YYYY-MM-DD"T"HH24:MI:SS'
    return case((func.date_trunc("second", column) == column, func.to_char(column, whole)),
                else_=func.to_char(column, whole + ".US"))


@functools.lru_cache(maxsize=256)
def _features_query(caps: Capabilities, run_id: int | None, sensitive: bool,
                    districts: tuple[str, ...] | None, bbox: bool, after: bool,
                    geometry: str) -> Select:
    """The statement of :func:`features_text` for one shape of request (built once; the page's
    values are its parameters, as in :func:`~landrenew.platform.parcels.page_rows`)."""
    page = page_ids(caps, run_id, districts, None, None, bbox, after).subquery("page")
    props: list[Any] = [cast(P.c[n], Float).label(n) if n in MONEY_FIELDS else P.c[n]
                        for n in view_fields(sensitive)]
    area: Any = P.c.area_m2  # the unit functions build the SQL expression of their formula
    props += [area.label("area_m2"), m2_to_mu(area).label("area_mu"),
              m2_to_ha(area).label("area_ha"),
              P.c.version, _iso(P.c.valid_from).label("valid_from"), P.c.changed_by]
    if run_id is None:
        source: Any = P
        props += [cast(null(), Boolean).label("is_low_efficiency"),
                  cast(null(), Text).label("categories"), cast(null(), Text).label("flags")]
    else:
        source = P.outerjoin(R, and_(R.c.parcel_code == P.c.parcel_code, R.c.run_id == run_id))
        props += [R.c.is_low_efficiency, _codes(R.c.categories).label("categories"),
                  _codes(R.c.flags).label("flags")]
    # each page row's record (exactly the properties: row_to_json writes every column it has)
    record = select(*props).select_from(source).where(P.c.id == page.c.id).lateral("record")
    shape = P.alias("shape")  # the outline, read beside the record by the same id
    outline = shape.c.geom if geometry == "xy" else func.ST_FlipCoordinates(shape.c.geom)
    feature = (literal('{"type":"Feature","id":', Text)
               + cast(func.to_json(record.c.parcel_code), Text)
               + literal(',"geometry":', Text)
               + func.coalesce(func.ST_AsGeoJSON(outline, 15, 0), literal("null", Text))
               + literal(',"properties":', Text)
               + cast(func.row_to_json(record.table_valued()), Text)
               + literal("}", Text))
    joined = func.string_agg(feature, aggregate_order_by(literal(",", Text),
                                                         record.c.parcel_code))
    array = literal("[", Text) + func.coalesce(joined, literal("", Text)) + literal("]", Text)
    return (select(array.label("features"), func.count().label("returned"))
            .select_from(page.join(record, true()).join(shape, shape.c.id == page.c.id)))
