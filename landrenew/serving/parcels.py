"""Parcels for the platform (地块查询): scoped lists, pages, counts and their anchors, in the
user's districts and view. A parcel's record is built by :mod:`landrenew.land.records`; its
detail, history and edits are :mod:`landrenew.land.service`."""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterator, Sequence
from typing import Any

import orjson
from sqlalchemy import (
    Integer,
    Select,
    String,
    and_,
    any_,
    bindparam,
    func,
    literal,
    literal_column,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Connection

from landrenew.core.access import Principal
from landrenew.core.access import district_filter as scope_for
from landrenew.core.store import Store
from landrenew.core.store.capabilities import Capabilities
from landrenew.core.store.models import ParcelResult, ParcelVersion
from landrenew.core.store.published import published_run_id
from landrenew.land.parcels import bbox_clause, bbox_params
from landrenew.land.records import TAIL, parcel_records, view_fields
from landrenew.serving.caches import COUNTS, MEMO, data_stamp

P = ParcelVersion.__table__
R = ParcelResult.__table__
BBox = tuple[float, float, float, float]


def current_run_id(store: Store) -> int | None:
    """The published evaluation run (已发布的认定批次, :func:`published_run_id`), whose results
    the lists, the map and the tiles show, read once per data stamp (a publication is an
    audited write); None until a run is published."""

    def read() -> int | None:
        with store.engine.connect() as conn:
            return published_run_id(conn)

    return MEMO.get_or_make(_run_key(store, store.stamp()), read)


def _run_key(store: Store, stamp: str) -> tuple:
    return (store.url, stamp, "published_run")


def listing(run_id: int | None, sensitive: bool = True) -> Select:
    """Current parcels with what :func:`~landrenew.land.records.parcel_record` shows, no more:
    the view's fields in order (the sensitive ones only if ``sensitive``), then
    :data:`~landrenew.land.records.TAIL`, then the results of run ``run_id`` (a left join; none
    without a run)."""
    return _versions(run_id, sensitive).where(P.c.valid_to.is_(None), P.c.is_deleted.is_(False))


def _versions(run_id: int | None, sensitive: bool) -> Select:
    """:func:`listing` over every stored version, current or not."""
    cols = [P.c[n] for n in (*view_fields(sensitive), *TAIL)]
    if run_id is None:
        return select(*cols)
    joined = P.outerjoin(R, and_(R.c.parcel_code == P.c.parcel_code, R.c.run_id == run_id))
    return select(*cols, R.c.is_low_efficiency, R.c.categories, R.c.flags).select_from(joined)


def _has(column: Any, code: str) -> Any:
    """``code`` is one of the ';'-joined values of ``column``."""
    return (literal(";") + column + literal(";")).like(f"%;{code};%")


def _filtered(store: Store, user: Principal, *, district: str | None,
              category: str | None, flag: str | None, bbox: BBox | None
              ) -> tuple[Select, dict[str, float]] | None:
    """The current-parcels listing for ``user``'s view within their districts and the filters,
    with its parameters (the bbox); None when a category or flag filter is asked for and there
    is no evaluation run yet (nothing matches)."""
    run_id = current_run_id(store)
    if (category or flag) and run_id is None:
        return None
    districts = scope_for(user, district)
    stmt = _filtered_query(store.caps, run_id, user.sees_sensitive,
                           None if districts is None else tuple(districts), category, flag,
                           bbox is not None)
    return stmt, bbox_params(bbox) if bbox is not None else {}


@functools.lru_cache(maxsize=512)
def _filtered_query(caps: Capabilities, run_id: int | None, sensitive: bool,
                    districts: tuple[str, ...] | None, category: str | None, flag: str | None,
                    bbox: bool) -> Select:
    """The listing (:func:`listing`) within ``districts`` (None: all) that meets the filters,
    the bbox as the parameters of :func:`~landrenew.land.parcels.bbox_clause`. Built once per
    shape of request (lists, pages and counts derive from it): building a statement costs more
    than running it for a page of 100."""
    stmt = listing(run_id, sensitive)
    if districts is not None:
        stmt = stmt.where(P.c.district_code.in_(districts))
    if category:
        stmt = stmt.where(_has(R.c.categories, category))
    if flag:
        stmt = stmt.where(_has(R.c.flags, flag))
    if bbox:
        stmt = stmt.where(bbox_clause(caps))
    return stmt


def count_current(conn: Connection, store: Store,
                  districts: list[str] | tuple[str, ...] | None, bbox: BBox | None) -> int:
    """How many current parcels lie in ``districts`` (None: all) and meet ``bbox``: counted on
    the parcels alone. The lists' left join to the published run's results (one row per parcel at
    most) never changes the number, and leaving it out makes a count over a million parcels a
    scan of one index instead of a million lookups."""
    stmt = _filtered_query(store.caps, None, False,
                           None if districts is None else tuple(districts), None, None,
                           bbox is not None)  # no run: the parcels alone
    counting = stmt.with_only_columns(func.count(), maintain_column_froms=True)
    return int(conn.scalar(counting, bbox_params(bbox) if bbox is not None else {}) or 0)


def list_parcels(store: Store, user: Principal, *, district: str | None = None,
                 category: str | None = None, flag: str | None = None,
                 bbox: BBox | None = None, limit: int = 100, offset: int = 0,
                 after: str | None = None) -> tuple[int, list[dict[str, Any]]]:
    """Current parcels in the user's districts, filtered, one page in parcel-code order;
    category and flag filters use the published evaluation run (a parcel it did not evaluate
    matches neither). ``after`` (a parcel code, the previous page's last) starts the page just
    after it: the cost of a page then no longer grows with how deep it is (keyset paging)."""
    store.ensure_current()
    stamp = data_stamp(store)  # before taking the connection: one connection per request
    districts = scope_for(user, district)
    if (category or flag) and current_run_id(store) is None:
        return 0, []  # no evaluation run yet: no parcel has a category or flag

    def count() -> int:
        if category or flag:
            found = _filtered(store, user, district=district, category=category, flag=flag,
                              bbox=bbox)
            assert found is not None
            stmt, params = found
            return int(conn.scalar(select(func.count()).select_from(stmt.subquery()), params)
                       or 0)
        return count_current(conn, store, districts, bbox)

    with store.reading() as conn:
        total = COUNTS.get_or_count(_count_key(store, stamp, districts, category, flag, bbox),
                                    count)
        rows = page_rows(conn, store, user, districts=districts, category=category, flag=flag,
                         bbox=bbox, limit=limit, offset=offset, after=after)
    return int(total), parcel_records(rows, user)


def _count_key(store: Store, stamp: str, districts: list[str] | tuple[str, ...] | None,
               category: str | None, flag: str | None, bbox: BBox | None) -> tuple:
    """What a list's ``total`` is kept under (:data:`~landrenew.serving.caches.COUNTS`)."""
    return ("parcels", store.url, stamp, districts, category, flag, bbox)


#: The most rows a list page made on the server's event loop may hold (:func:`is_quick_page`).
QUICK_ROWS = 100


def is_quick_page(store: Store, user: Principal, stamp: str, *, district: str | None,
                  category: str | None, flag: str | None, bbox: BBox | None, limit: int,
                  offset: int, after: str | None) -> bool:
    """Whether making this list page is one short read of the current-code index (a page of
    100 costs 2–3 ms on a million parcels) with every per-stamp lookup it needs already kept:
    the whole city (no district scope or filter, which may have to pass over many parcels of
    other districts), no category, flag or bbox filter, at most :data:`QUICK_ROWS` rows; the
    published run and the count kept; and fewer than :data:`ANCHOR_STEP` index entries to skip,
    or a deep ``offset`` from kept anchors (:func:`code_anchors`), all under ``stamp`` (the
    request's). The server makes such a page on its event loop (api/making.py says why); any
    other on a maker thread."""
    if (district or category or flag or bbox is not None or limit > QUICK_ROWS
            or user.scope is not None):
        return False
    if not (MEMO.holds(_run_key(store, stamp)) and
            COUNTS.holds(_count_key(store, stamp, None, None, None, None))):
        return False
    if offset < ANCHOR_STEP:
        return True
    return after is None and MEMO.holds(_anchors_key(store, stamp, None))


def page_rows(conn: Connection, store: Store, user: Principal, *,
              districts: list[str] | tuple[str, ...] | None, category: str | None,
              flag: str | None, bbox: BBox | None, limit: int, offset: int,
              after: str | None = None) -> list[Any]:
    """One page of the current parcels in ``districts`` (None: all) that meet the filters, in
    parcel-code order, as the listing's rows (:func:`listing`) for ``user``'s view.

    One query of two steps: the page's ids first (a subquery), from the parcels alone when no
    category or flag filter needs the results (the code index, the bbox index, ``offset``
    skipping index entries only, and starting from the nearest kept anchor when it is deep:
    :func:`code_anchors`), then those rows with their join to the published run's results. The
    join and the decoding of rows are then done for the page, not for every parcel skipped or
    sorted on the way. The statement is built once per shape of request
    (:func:`_page_query`); the page's values are its parameters."""
    scope = None if districts is None else tuple(districts)
    params = page_parameters(conn, store, scope, category=category, flag=flag, bbox=bbox,
                             limit=limit, offset=offset, after=after)
    stmt = _page_query(store.caps, current_run_id(store), user.sees_sensitive, scope, category,
                       flag, bbox is not None, "page_after" in params)
    return list(conn.execute(stmt, params).all())


def page_id_list(conn: Connection, store: Store, user: Principal, *, bbox: BBox | None,
                 limit: int, offset: int, count: bool = False) -> tuple[list[int], int | None]:
    """The version ids of one page of the current parcels in ``user``'s districts (and
    ``bbox``), in parcel-code order (:func:`page_rows`' first step alone), and with ``count``
    how many parcels match in all (what :func:`count_current` says) when it can be read in the
    same statement, else None.

    It can for a ``bbox`` page: its ids are sorted from every parcel the bbox index finds, so a
    window count over those rows costs little more, and the index is searched once, not again
    for the count (1.5–2 ms less for a page of a 0.04° box on a million parcels). A page
    without ``bbox`` reads the code index only as far as the page goes (a count over its
    matches would read them all; :func:`count_current` keeps the city's), and a page past the
    last match has no row to carry the count."""
    params = page_parameters(conn, store, user.scope, category=None, flag=None, bbox=bbox,
                             limit=limit, offset=offset, after=None)
    stmt = page_ids(store.caps, None, user.scope, None, None, bbox is not None,
                    "page_after" in params)
    if not (count and bbox is not None):
        return list(conn.execute(stmt, params).scalars().all()), None
    rows = conn.execute(_counted(stmt), params).all()
    return [row[0] for row in rows], (int(rows[0][1]) if rows else None)


@functools.lru_cache(maxsize=64)
def _counted(ids: Select) -> Select:
    """``ids`` with a window count over all the rows it matches (computed before its order,
    offset and limit)."""
    return ids.add_columns(func.count().over().label("matched"))


def version_rows(conn: Connection, store: Store, user: Principal, ids: Sequence[int]
                 ) -> list[Any]:
    """The stored versions ``ids`` as the listing's rows (:func:`listing`) for ``user``'s view
    with the published run's results, then the WKB outline (``geom``) and the version ``id``; in
    no particular order. Versions are read by id whether current or not, so a page whose ids
    were read just before a write still finds every row."""
    stmt = _versions_query(store.caps, current_run_id(store), user.sees_sensitive)
    return list(conn.execute(stmt, {"ids": ids_parameter(store.caps, ids)}).all())


def ids_parameter(caps: Capabilities, ids: Sequence[int]) -> Any:
    """The value of :func:`among_ids`' parameter: an array on PostgreSQL, JSON text on SQLite."""
    return list(ids) if caps.spatial_sql else orjson.dumps(list(ids)).decode()


def among_ids(caps: Capabilities, column: Any) -> Any:
    """``column`` is one of the ids given as the parameter ``ids`` (:func:`ids_parameter`), in a
    statement whose text does not change with how many there are: ``= ANY(array)`` on
    PostgreSQL, ``IN (SELECT value FROM json_each(text))`` on SQLite (1000 expanded
    parameters would make a new statement per count, each parsed anew: 14 ms against 10 ms for
    a page of 1000)."""
    if caps.spatial_sql:
        return column == any_(bindparam("ids", type_=ARRAY(Integer)))
    return column.in_(select(literal_column("value"))
                      .select_from(func.json_each(bindparam("ids", type_=String))))


@functools.lru_cache(maxsize=64)
def _versions_query(caps: Capabilities, run_id: int | None, sensitive: bool) -> Select:
    return (_versions(run_id, sensitive).add_columns(P.c.geom, P.c.id)
            .where(among_ids(caps, P.c.id)))


def page_parameters(conn: Connection, store: Store, scope: tuple[str, ...] | None, *,
                    category: str | None, flag: str | None, bbox: BBox | None, limit: int,
                    offset: int, after: str | None) -> dict[str, Any]:
    """The parameters of a page's ids (:func:`page_ids`): a deep ``offset`` without filters
    becomes ``page_after`` the nearest kept anchor (:func:`code_anchors`) plus a short skip."""
    if after is None and offset >= ANCHOR_STEP and not (category or flag) and bbox is None:
        after, offset = from_anchor(conn, store, scope, offset)
    params: dict[str, Any] = {"page_limit": limit, "page_offset": offset}
    if after is not None:
        params["page_after"] = after
    if bbox is not None:
        params.update(bbox_params(bbox))
    return params


@functools.lru_cache(maxsize=512)
def _page_query(caps: Capabilities, run_id: int | None, sensitive: bool,
                districts: tuple[str, ...] | None, category: str | None, flag: str | None,
                bbox: bool, after: bool) -> Select:
    """:func:`page_rows`' statement for one shape of request, with ``page_limit``,
    ``page_offset``, ``page_after`` (if ``after``) and the bbox (if ``bbox``) as parameters."""
    wanted = page_ids(caps, run_id, districts, category, flag, bbox, after).scalar_subquery()
    return listing(run_id, sensitive).where(P.c.id.in_(wanted)).order_by(P.c.parcel_code)


@functools.lru_cache(maxsize=512)
def page_ids(caps: Capabilities, run_id: int | None, districts: tuple[str, ...] | None,
             category: str | None, flag: str | None, bbox: bool, after: bool) -> Select:
    """The ids of a page's parcels in code order, a query of its own (parameters as in
    :func:`_page_query`), from the parcels alone (no run joined) unless a category or flag
    needs the results; built once per shape of request."""
    ids = _filtered_query(caps, run_id if category or flag else None, False, districts,
                          category, flag, bbox).with_only_columns(P.c.id)
    if after:
        ids = ids.where(P.c.parcel_code > bindparam("page_after"))
    # correlate(None): the ids come from a query of their own, not from the outer row
    return (ids.order_by(P.c.parcel_code).limit(bindparam("page_limit"))
            .offset(bindparam("page_offset")).correlate(None))


#: Every ``ANCHOR_STEP``-th parcel code of a scope, in code order, is kept per data stamp (页码锚点),
#: so that an ``offset`` page deep in the list starts just after the nearest anchor (as a keyset
#: page does) and skips fewer than this many index entries, instead of ``offset`` of them.
ANCHOR_STEP = 1000


def code_anchors(conn: Connection, store: Store,
                 districts: list[str] | tuple[str, ...] | None) -> list[str]:
    """The codes at positions ``ANCHOR_STEP``, ``2·ANCHOR_STEP``, … (1-based) of the current
    parcels in ``districts`` (None: all) in code order, read from the current-code index once
    per data stamp and scope (0.4–0.8 s on a million parcels), exact until the next write."""
    scope = None if districts is None else tuple(sorted(districts))

    def read() -> list[str]:
        live = [P.c.valid_to.is_(None), P.c.is_deleted.is_(False)]
        if scope is not None:
            live.append(P.c.district_code.in_(scope))
        if store.caps.name == "postgis":  # a window over the current-code index, in the server
            rank = func.row_number().over(order_by=P.c.parcel_code).label("rank")
            sub = select(P.c.parcel_code, rank).where(*live).subquery()
            return list(conn.execute(select(sub.c.parcel_code)
                                     .where(sub.c.rank % ANCHOR_STEP == 0)
                                     .order_by(sub.c.rank)).scalars())
        # SQLite: streaming the codes from that index and keeping every ANCHOR_STEP-th is
        # faster than its window functions (0.8 s against 1.3 s on a million parcels)
        result = conn.execution_options(yield_per=20_000).execute(
            select(P.c.parcel_code).where(*live).order_by(P.c.parcel_code)).scalars()
        try:
            return list(itertools.islice(result, ANCHOR_STEP - 1, None, ANCHOR_STEP))
        finally:
            result.close()

    return MEMO.get_or_make(_anchors_key(store, store.stamp(), scope), read)


def _anchors_key(store: Store, stamp: str, scope: tuple[str, ...] | None) -> tuple:
    """What :func:`code_anchors` of ``scope`` (sorted district codes, None: all) is kept under."""
    return (store.url, stamp, "code_anchors", scope)


def from_anchor(conn: Connection, store: Store, districts: list[str] | tuple[str, ...] | None,
                offset: int) -> tuple[str | None, int]:
    """``offset`` in code order as (the anchor code to start after, the rows left to skip)."""
    anchors = code_anchors(conn, store, districts)
    step = min(offset // ANCHOR_STEP, len(anchors))
    if step == 0:
        return None, offset
    return anchors[step - 1], offset - step * ANCHOR_STEP


def page_json(total: int, limit: int, offset: int, items: list[dict[str, Any]]) -> bytes:
    """A list page as the API's ``Page[ParcelPublic]`` JSON (the same keys and values pydantic
    would write, times in UTC with ``Z`` as :mod:`landrenew.api.schemas.instant` writes them; encoded with orjson, as lists are the API's busiest answer). ``next_after``,
    the keyset cursor, is there only when the page is full."""
    doc: dict[str, Any] = {"total": total, "limit": limit, "offset": offset, "items": items}
    if len(items) == limit and items:
        doc["next_after"] = items[-1]["parcel_code"]
    return orjson.dumps(doc, option=orjson.OPT_NAIVE_UTC | orjson.OPT_UTC_Z)  # times: UTC, Z


def iter_parcels(store: Store, user: Principal, *, district: str | None = None,
                 category: str | None = None, flag: str | None = None,
                 bbox: BBox | None = None, limit: int | None = None,
                 chunk: int = 5000) -> Iterator[dict[str, Any]]:
    """Every filtered parcel as :func:`list_parcels` shows it, streamed (for exports)."""
    store.ensure_current()
    with store.engine.connect() as conn:
        found = _filtered(store, user, district=district, category=category, flag=flag,
                          bbox=bbox)
        if found is None:
            return
        stmt, params = found
        stmt = stmt.order_by(P.c.parcel_code)
        if limit is not None:
            stmt = stmt.limit(limit)
        result = conn.execution_options(stream_results=True, yield_per=chunk).execute(stmt,
                                                                                      params)
        for part in result.partitions():
            yield from parcel_records(part, user)
