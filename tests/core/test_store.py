"""Storage: migrations on both backends match the models; capabilities; WAL; R*Tree; GiST."""

from __future__ import annotations

import datetime as dt
import warnings

import pandas as pd
import pytest
import shapely
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select, text

from landrenew.core.errors import ConfigurationError
from landrenew.core.store import Store, get_setting, put_setting, utcnow
from landrenew.core.store.capabilities import POSTGIS, SQLITE, capabilities_for
from landrenew.core.store.engine import normalise_url
from landrenew.core.store.migrate import current_revision, downgrade, head_revision, upgrade
from landrenew.core.store.models import Base, ParcelVersion
from landrenew.core.store.versions import as_of_cutoff, write_versions
from landrenew.land.parcels import geometry_columns
from landrenew.serving import pagestore

TABLES = {"city_settings", "districts", "survey_batches", "parcel_versions", "zone_layers",
          "zone_versions", "audit_events"}


def _noise(diff: object) -> bool:
    """Differences that are expected and not schema drift.

    The spatial indexes are made by the migration only (an R*Tree virtual table with its shadow
    tables on SQLite, GiST indexes on PostGIS); ``spatial_ref_sys`` belongs to PostGIS.
    """
    if isinstance(diff, tuple) and diff[0] == "remove_table":
        name = diff[1].name
        return name.startswith(("parcel_versions_rtree", "zone_versions_rtree")) or \
            name == "spatial_ref_sys"
    if isinstance(diff, tuple) and diff[0] == "remove_index":
        return diff[1].name.endswith("_geom_gist")
    return False


def test_head_revision() -> None:
    """The head is the newest migration file (the numbered files form one line)."""
    from pathlib import Path

    import landrenew.core.store.migrations.versions as versions

    files = sorted(p.stem for p in Path(versions.__file__).parent.glob("0*.py"))
    assert head_revision() == files[-1]


def test_upgrade_creates_every_table(backend_url: str) -> None:
    store = Store.open(backend_url)
    try:
        assert current_revision(store.engine) is None
        assert upgrade(store.engine) == head_revision()
        assert set(inspect(store.engine).get_table_names()) >= TABLES
        assert upgrade(store.engine) == head_revision()  # idempotent
        store.ensure_current()
    finally:
        store.dispose()


def test_migrated_schema_matches_models(store: Store) -> None:
    with store.engine.connect() as conn, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Did not recognize type 'geometry'" on PostGIS
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diffs = compare_metadata(ctx, Base.metadata)
    real = [d for d in diffs if not _noise(d)]
    assert real == []
    # and the noise really is what we think it is
    kinds = {d[0] for d in diffs if isinstance(d, tuple)}
    assert kinds <= {"remove_table", "remove_index"}


def test_columns_and_nullability_of_parcel_versions(store: Store) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Did not recognize type 'geometry'" on PostGIS
        cols = {c["name"]: c for c in inspect(store.engine).get_columns("parcel_versions")}
    model = {c.name: c for c in ParcelVersion.__table__.columns}
    assert set(cols) == set(model)
    for name, col in model.items():
        if not col.primary_key:
            assert cols[name]["nullable"] == col.nullable, name
    for stamp in ("version", "valid_from", "changed_by", "operation", "is_deleted"):
        assert cols[stamp]["nullable"] is False


def test_downgrade_removes_everything(backend_url: str) -> None:
    store = Store.open(backend_url)
    try:
        upgrade(store.engine)
        assert downgrade(store.engine, "base") is None
        left = set(inspect(store.engine).get_table_names()) - {"alembic_version", "spatial_ref_sys"}
        assert left == set()
        assert upgrade(store.engine) == head_revision()
    finally:
        store.dispose()


def test_pages_are_stored_without_a_second_compression(postgis_store: Store) -> None:
    """Migration 0010: gzip pages are stored out of line as they are (``EXTERNAL``), not run
    through PostgreSQL's own compression first; a page reads back byte for byte."""
    def storage() -> str:
        with postgis_store.engine.connect() as conn:
            return str(conn.exec_driver_sql(
                "SELECT attstorage FROM pg_attribute WHERE attrelid = 'page_store'::regclass "
                "AND attname = 'data'").scalar())

    assert storage() == "e"
    page = b'{"type":"Feature"}' * 20_000  # what pglz would shrink, were it let
    stamp = postgis_store.stamp()
    pagestore.write(postgis_store, "c" * 64, stamp, page)
    assert pagestore.read(postgis_store, "c" * 64, stamp) == page
    with postgis_store.engine.connect() as conn:
        kept = conn.exec_driver_sql("SELECT pg_column_size(data), octet_length(data) "
                                    "FROM page_store").one()
    assert kept[0] >= kept[1] == len(page)  # stored as it came
    downgrade(postgis_store.engine, "0009_current_parcel_count")
    assert storage() == "x"
    upgrade(postgis_store.engine)
    assert storage() == "e"


def test_ensure_current_refuses_unmigrated(backend_url: str) -> None:
    store = Store.open(backend_url)
    try:
        with pytest.raises(ConfigurationError) as err:
            store.ensure_current()
        assert err.value.code == "schema_out_of_date"
        assert "is empty" in str(err.value) and "landrenew db upgrade" in str(err.value)
        upgrade(store.engine)
        store.ensure_current()
    finally:
        store.dispose()


def test_capabilities(store: Store, backend_url: str) -> None:
    if backend_url.startswith("sqlite"):
        assert store.caps is SQLITE
        assert store.caps.rtree_side_table and not store.caps.spatial_sql
        assert not store.caps.bulk_copy and not store.caps.wkb_with_srid
    else:
        assert store.caps is POSTGIS
        assert store.caps.spatial_sql and store.caps.bulk_copy and store.caps.wkb_with_srid
        assert not store.caps.rtree_side_table
    with pytest.raises(ValueError, match="unsupported"):
        capabilities_for("mysql")


def test_unsupported_url_refused() -> None:
    with pytest.raises(ConfigurationError, match="unsupported database 'mysql'"):
        Store.open("mysql://u@h/db")


def test_normalise_url() -> None:
    assert normalise_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_url("sqlite:///x.db") == "sqlite:///x.db"


def test_display_url_hides_password() -> None:
    store = Store.open("postgresql://alice:secret@127.0.0.1:1/db")
    try:
        assert "secret" not in store.display_url and "alice" in store.display_url
    finally:
        store.dispose()


def test_sqlite_wal_and_foreign_keys(sqlite_store: Store) -> None:
    with sqlite_store.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


def _polygon_rows(store: Store, codes: list[str], boxes: list[shapely.Polygon]) -> pd.DataFrame:
    rows = pd.DataFrame({"parcel_code": codes, "version": 1, "operation": "insert",
                         "area_m2": 1.0})
    return pd.concat([rows, geometry_columns(shapely.from_wkb(shapely.to_wkb(boxes)),
                                             store.caps)], axis=1)


def test_sqlite_rtree_filled_by_trigger(sqlite_store: Store) -> None:
    boxes = [shapely.box(113.0, 22.5, 113.01, 22.51), shapely.box(113.2, 22.7, 113.21, 22.72)]
    with sqlite_store.session() as s:
        write_versions(s, sqlite_store.caps, ParcelVersion.__table__,
                       _polygon_rows(sqlite_store, ["A", "B"], boxes), now=utcnow(),
                       user="t", reason="test")
    with sqlite_store.engine.connect() as conn:
        kind = conn.execute(text(
            "SELECT sql FROM sqlite_master WHERE name = 'parcel_versions_rtree'")).scalar()
        assert "USING rtree" in kind
        rtree = conn.execute(text(
            "SELECT r.id, r.minx, r.maxy, p.parcel_code FROM parcel_versions_rtree r "
            "JOIN parcel_versions p ON p.id = r.id ORDER BY r.id")).all()
        assert [r.parcel_code for r in rtree] == ["A", "B"]
        assert rtree[0].minx == pytest.approx(113.0, abs=1e-5)
        assert rtree[1].maxy == pytest.approx(22.72, abs=1e-5)
        hit = conn.execute(text("SELECT id FROM parcel_versions_rtree WHERE minx <= 113.1 "
                                "AND maxx >= 113.05")).all()
        assert hit == []
        assert conn.execute(text("SELECT count(*) FROM zone_versions_rtree")).scalar() == 0


def test_postgis_geometry_column_and_gist(postgis_store: Store) -> None:
    store = postgis_store
    assert store.caps.spatial_sql
    with store.engine.connect() as conn:
        srid = conn.execute(text(
            "SELECT srid, type FROM geometry_columns WHERE f_table_name = 'parcel_versions' "
            "AND f_geometry_column = 'geom'")).one()
        assert tuple(srid) == (4490, "GEOMETRY")
        idx = dict(conn.execute(text(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN "
            "('parcel_versions', 'zone_versions')")).all())
        assert "USING gist (geom)" in idx["ix_parcel_versions_geom_gist"]
        assert "USING gist (geom)" in idx["ix_zone_versions_geom_gist"]
        assert "WHERE (valid_to IS NULL)" in idx["uq_parcel_current"]


def test_geometry_round_trip_and_bbox(store: Store) -> None:
    box = shapely.box(113.0, 22.5, 113.01, 22.51)
    with store.session() as s:
        write_versions(s, store.caps, ParcelVersion.__table__,
                       _polygon_rows(store, ["A"], [box]), now=utcnow(), user="t", reason=None)
    with store.read_session() as s:
        row = s.scalar(select(ParcelVersion))
        assert shapely.from_wkb(row.geom).equals(box)
        assert (row.minx, row.miny, row.maxx, row.maxy) == pytest.approx((113.0, 22.5, 113.01, 22.51))
        assert row.valid_to is None and row.changed_by == "t" and row.is_deleted is False
    if store.caps.spatial_sql:
        with store.engine.connect() as conn:
            assert conn.execute(text("SELECT ST_SRID(geom) FROM parcel_versions")).scalar() == 4490


def test_current_unique_index_enforced(store: Store) -> None:
    box = shapely.box(113.0, 22.5, 113.01, 22.51)
    with pytest.raises(Exception, match=r"(?i)unique|same moment"), store.session() as s:
        write_versions(s, store.caps, ParcelVersion.__table__,
                       _polygon_rows(store, ["A", "A"], [box, box]), now=utcnow(), user="t",
                       reason=None)


def test_settings_round_trip(store: Store) -> None:
    with store.session() as s:
        assert get_setting(s, "projected_crs") is None
        put_setting(s, "projected_crs", "EPSG:4547", "alice")
    with store.session() as s:
        put_setting(s, "projected_crs", "EPSG:4546", "bob")
    with store.read_session() as s:
        assert get_setting(s, "projected_crs") == "EPSG:4546"


def test_as_of_cutoff_is_end_of_day_in_china() -> None:
    assert as_of_cutoff(None) is None
    # 2024-06-30 ends at 2024-07-01 00:00 CST = 2024-06-30 16:00 UTC
    assert as_of_cutoff(dt.date(2024, 6, 30)) == dt.datetime(2024, 6, 30, 16, 0)
    assert as_of_cutoff(dt.datetime(2024, 6, 30, 8, 0)) == dt.datetime(2024, 6, 30, 0, 0)
    aware = dt.datetime(2024, 6, 30, 8, 0, tzinfo=dt.UTC)
    assert as_of_cutoff(aware) == dt.datetime(2024, 6, 30, 8, 0)


def _backend_pid(engine) -> int:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        return int(conn.scalar(text("SELECT pg_backend_pid()")))


def _terminate(url: str, pid: int) -> None:
    from sqlalchemy import create_engine

    killer = create_engine(normalise_url(url), isolation_level="AUTOCOMMIT")
    with killer.connect() as conn:
        assert conn.scalar(text("SELECT pg_terminate_backend(:p)"), {"p": pid})
    killer.dispose()


def test_an_idle_pooled_connection_the_server_dropped_is_replaced(fresh_postgres) -> None:  # type: ignore[no-untyped-def]
    """A pooled connection that lay idle is pinged when handed out: one the server has
    terminated meanwhile is replaced, and the caller never sees it."""
    from sqlalchemy import create_engine

    from landrenew.core.store.engine import POOL, ping_when_idle

    url = fresh_postgres()
    engine = create_engine(normalise_url(url), **POOL)
    ping_when_idle(engine, idle_seconds=0.0)
    first = _backend_pid(engine)
    _terminate(url, first)
    assert _backend_pid(engine) != first  # a new connection, and the query above succeeded
    engine.dispose()


def test_a_connection_used_moments_ago_is_not_pinged(fresh_postgres) -> None:  # type: ignore[no-untyped-def]
    """Within the idle window no ping is made (the point of the window): a connection the
    server dropped meanwhile is handed out as it is, and its failure is caught as a disconnect
    when used, which invalidates the pool so that the next request gets a live connection."""
    from sqlalchemy import create_engine
    from sqlalchemy.exc import DBAPIError

    from landrenew.core.store.engine import POOL, ping_when_idle

    url = fresh_postgres()
    engine = create_engine(normalise_url(url), **POOL)
    ping_when_idle(engine, idle_seconds=3600.0)
    first = _backend_pid(engine)
    _terminate(url, first)
    with pytest.raises(DBAPIError) as caught:
        _backend_pid(engine)
    assert caught.value.connection_invalidated
    assert _backend_pid(engine) != first
    engine.dispose()


def test_the_server_store_pings_idle_connections(fresh_postgres, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The store's own engine is set up so (here with no idle window)."""
    from landrenew.core.store import engine as engine_module

    monkeypatch.setattr(engine_module, "IDLE_PING_SECONDS", 0.0)
    url = fresh_postgres()
    store = Store.open(url)
    first = _backend_pid(store.engine)
    _terminate(url, first)
    assert _backend_pid(store.engine) != first
    store.dispose()


def test_reading_connections_leave_the_pool_transactional(store: Store) -> None:
    """``Store.reading()`` runs without a transaction on PostgreSQL (autocommit), and the
    connection it used goes back to the pool as it was: a later write on it is still rolled
    back when not committed."""
    from landrenew.core.store.models import CitySetting

    with store.reading() as conn:
        assert conn.scalar(text("SELECT 1")) == 1
        dbapi = conn.connection.dbapi_connection
        if store.caps.spatial_sql:
            assert dbapi.autocommit is True
    for _ in range(3):  # whichever pooled connection comes next
        with store.engine.connect() as conn:
            conn.execute(CitySetting.__table__.insert().values(
                key="probe", value="x", updated_by="t", updated_at=utcnow()))
            conn.rollback()
    with store.read_session() as s:
        assert get_setting(s, "probe") is None
