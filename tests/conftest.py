"""Shared fixtures: a migrated store on SQLite always, and on PostGIS when
``LANDRENEW_TEST_POSTGRES_URL`` is set (CI sets it; the suite then runs every storage test twice)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from landrenew.core.store import Store
from landrenew.core.store.engine import normalise_url
from landrenew.core.store.migrate import upgrade

PG_ENV = "LANDRENEW_TEST_POSTGRES_URL"


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str | None]:
    """A fresh database on the test server for this run (dropped at the end)."""
    base = os.environ.get(PG_ENV)
    if not base:
        yield None
        return
    url = make_url(normalise_url(base))
    name = f"landrenew_test_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    test_url = url.set(database=name).render_as_string(hide_password=False)
    with create_engine(test_url, isolation_level="AUTOCOMMIT").connect() as conn:
        conn.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
    yield test_url
    admin.dispose()
    with create_engine(url, isolation_level="AUTOCOMMIT").connect() as conn:
        conn.execute(text(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"), {"n": name})
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))


def _reset_postgres(url: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        tables = conn.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
            "AND tablename <> 'spatial_ref_sys'")).scalars().all()
        if tables:
            conn.execute(text("DROP TABLE " + ", ".join(f'"{t}"' for t in tables) + " CASCADE"))
    engine.dispose()


def _missing_postgres() -> None:
    """No PostGIS server given: fail on CI (which provides one), skip elsewhere."""
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the PostGIS tests: set {PG_ENV}")
    pytest.skip(f"PostGIS tests need {PG_ENV} (CI sets it)")


@pytest.fixture(scope="session")
def fresh_postgres(postgres_url: str | None) -> Callable[[], str]:
    """A callable giving the test server's URL with every table dropped (any fixture scope)."""

    def make() -> str:
        if postgres_url is None:
            _missing_postgres()
        assert postgres_url is not None
        _reset_postgres(postgres_url)
        return postgres_url

    return make


@pytest.fixture(params=["sqlite", "postgis"])
def backend_url(request: pytest.FixtureRequest, tmp_path, fresh_postgres) -> str:  # type: ignore[no-untyped-def]
    """The URL of an empty database on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    return fresh_postgres()


@pytest.fixture
def store(backend_url: str) -> Iterator[Store]:
    """A migrated, empty store on each backend."""
    s = Store.open(backend_url)
    upgrade(s.engine)
    yield s
    s.dispose()


@pytest.fixture
def sqlite_store(tmp_path) -> Iterator[Store]:  # type: ignore[no-untyped-def]
    s = Store.open(f"sqlite:///{tmp_path / 'test.db'}")
    upgrade(s.engine)
    yield s
    s.dispose()


@pytest.fixture
def postgis_store(fresh_postgres: Callable[[], str]) -> Iterator[Store]:
    """A migrated, empty store on PostGIS only (for PostGIS-specific checks)."""
    s = Store.open(fresh_postgres())
    upgrade(s.engine)
    yield s
    s.dispose()
