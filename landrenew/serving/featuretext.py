"""Parcel feature texts written by PostgreSQL itself (要素文本由数据库生成).

On PostGIS the server writes each feature's text itself, in one statement (each outline with
``ST_AsGeoJSON``, each record with ``row_to_json``), so that making a page does not hold the
interpreter lock the other requests wait on (``docs/serving.md``). Python receives one string per
feature; the texts are kept per data stamp, view and axis order
(:data:`~landrenew.serving.caches.FEATURES`).

The text says what :func:`~landrenew.land.records.parcel_records` says, value for value, as
:mod:`landrenew.serving.ogc` writes it for one feature (``/items/{id}``, still made in Python,
and the tests compare the two):

- the view's fields in their order (sensitive ones only for those who may see them), money as a
  double (PostgreSQL's numeric → float8 and Python's ``float(Decimal)`` both round correctly);
- area in m², 亩 and 公顷 by :mod:`landrenew.core.units`' own functions applied to the column, so
  the same float8 operations in the same order as in Python and the same doubles; float8 is
  written in its shortest exact form (``extra_float_digits`` 1, PostgreSQL's default since 12);
- ``valid_from`` as ISO 8601 in UTC with a ``T`` and a ``Z``, with microseconds only when there
  are any (as orjson writes a naive datetime taken as UTC);
- the latest run's result, its codes ';'-joined (empty codes dropped, as
  :func:`~landrenew.land.records.split` does) or null.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
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
from sqlalchemy.engine import Connection

from landrenew.core.access import Principal
from landrenew.core.store import Store
from landrenew.core.store.capabilities import POSTGIS
from landrenew.core.units import m2_to_ha, m2_to_mu
from landrenew.land.fields import MONEY_FIELDS
from landrenew.land.records import view_fields
from landrenew.serving.parcels import P, R, among_ids, current_run_id, ids_parameter


def server_texts(conn: Connection, store: Store, user: Principal, ids: Sequence[int],
                 geometry: str) -> dict[int, bytes]:
    """The GeoJSON Feature text of each stored parcel version in ``ids`` (current or not), in
    ``user``'s view with the latest run's results, written by the server; the outline in axis
    order ``geometry`` (``"xy"`` as stored, ``"yx"`` swapped). PostGIS only."""
    stmt = _texts_query(current_run_id(store), user.sees_sensitive, geometry,
                        not user.is_public)
    rows = conn.execute(stmt, {"ids": ids_parameter(store.caps, ids)}).all()
    return {vid: text.encode() for vid, text in rows}


def _codes(column: Any) -> Any:
    """';'-joined codes without empty ones, or null when none is left."""
    kept = func.array_to_string(func.array_remove(func.string_to_array(column, ";"), ""), ";")
    return func.nullif(kept, "")


def _iso(column: Any) -> Any:
    """A naive UTC timestamp as orjson writes it: ``YYYY-MM-DDTHH:MM:SS[.ffffff]Z``."""
    whole = 'YYYY-MM-DD"T"HH24:MI:SS'
    return case((func.date_trunc("second", column) == column, func.to_char(column, whole + '"Z"')),
                else_=func.to_char(column, whole + '.US"Z"'))


@functools.lru_cache(maxsize=64)
def _texts_query(run_id: int | None, sensitive: bool, geometry: str, accounts: bool = True
                 ) -> Select:
    """The statement of :func:`server_texts` for one view and axis order (built once; the ids
    are its parameter); ``changed_by`` only with ``accounts`` (never for the public)."""
    shape = P.alias("shape")  # the version asked for, and its outline
    props: list[Any] = [cast(P.c[n], Float).label(n) if n in MONEY_FIELDS else P.c[n]
                        for n in view_fields(sensitive)]
    area: Any = P.c.area_m2  # the unit functions build the SQL expression of their formula
    props += [area.label("area_m2"), m2_to_mu(area).label("area_mu"),
              m2_to_ha(area).label("area_ha"),
              P.c.version, _iso(P.c.valid_from).label("valid_from"),
              *([P.c.changed_by] if accounts else [])]
    if run_id is None:
        source: Any = P
        props += [cast(null(), Boolean).label("is_low_efficiency"),
                  cast(null(), Text).label("categories"), cast(null(), Text).label("flags")]
    else:
        source = P.outerjoin(R, and_(R.c.parcel_code == P.c.parcel_code, R.c.run_id == run_id))
        props += [R.c.is_low_efficiency, _codes(R.c.categories).label("categories"),
                  _codes(R.c.flags).label("flags")]
    # the version's record, exactly the properties (row_to_json writes every column it has)
    record = select(*props).select_from(source).where(P.c.id == shape.c.id).lateral("record")
    outline = shape.c.geom if geometry == "xy" else func.ST_FlipCoordinates(shape.c.geom)
    feature = (literal('{"type":"Feature","id":', Text)
               + cast(func.to_json(record.c.parcel_code), Text)
               + literal(',"geometry":', Text)
               + func.coalesce(func.ST_AsGeoJSON(outline, 15, 0), literal("null", Text))
               + literal(',"properties":', Text)
               + cast(func.row_to_json(record.table_valued()), Text)
               + literal("}", Text))
    return (select(shape.c.id, feature.label("feature"))
            .select_from(shape.join(record, true())).where(among_ids(POSTGIS, shape.c.id)))
