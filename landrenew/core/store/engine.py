"""Opening a store: engine, capabilities, sessions, migrations check."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import (
    DBAPIError,
    DisconnectionError,
)
from sqlalchemy.orm import Session, sessionmaker

from landrenew.core.errors import ConfigurationError, Conflict, InputError, LandrenewError
from landrenew.core.store.capabilities import Capabilities, capabilities_for
from landrenew.core.store.changes import StampWatcher, forget_commit

if TYPE_CHECKING:
    from landrenew.core.ledger import LedgerTrust


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA cache_size=-131072")  # 128 MiB page cache
    cur.close()


def normalise_url(url: str) -> str:
    """Accept ``postgresql://`` and ``postgres://`` and use the psycopg 3 driver for them."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


#: Connections per process: the server runs sync routes on up to 40 threads (AnyIO's default),
#: each holding at most one connection at a time.
POOL = {"pool_size": 10, "max_overflow": 30, "pool_timeout": 60}

#: A pooled PostgreSQL connection idle for longer than this is pinged before it is handed out.
IDLE_PING_SECONDS = 10.0


def ping_when_idle(engine: Engine, idle_seconds: float | None = None) -> None:
    """Check a pooled connection with a round trip (``SELECT 1``, SQLAlchemy's own ping) when
    it is handed out after lying idle for more than ``idle_seconds``, and replace it if the
    server has gone (a restart, a dropped idle connection); one the server answered moments ago
    is handed out as it is. ``idle_seconds`` defaults to :data:`IDLE_PING_SECONDS`.

    SQLAlchemy's ``pool_pre_ping`` pings on *every* check-out: under load that is a second round
    trip per request, and each round trip gives up the interpreter lock and must win it back
    behind the other threads. The price: a connection the server drops within the window
    fails the one request that uses it; SQLAlchemy recognises the disconnect and empties the
    pool, so the next request connects anew."""
    dialect = engine.dialect
    window = IDLE_PING_SECONDS if idle_seconds is None else idle_seconds

    @event.listens_for(engine, "checkin")
    def _returned(_dbapi_connection: Any, record: Any) -> None:
        if record is not None:
            record.info["returned_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        returned = record.info.get("returned_at")
        if returned is None or time.monotonic() - returned <= window:
            return  # new (just connected) or in use moments ago
        try:
            alive = dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as exc:
            raise DisconnectionError(f"pooled connection failed its ping: {exc}") from exc
        if not alive:
            raise DisconnectionError("pooled connection failed its ping")


def create_store_engine(url: str) -> Engine:
    url = normalise_url(url)
    try:
        parsed = make_url(url)
    except Exception as exc:
        raise ConfigurationError(f"cannot read database URL {url!r}: {exc}", field="database_url") from exc
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"timeout": 30}, **POOL)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if parsed.get_backend_name() == "postgresql":
        engine = create_engine(url, **POOL)
        ping_when_idle(engine)
        return engine
    raise ConfigurationError(
        f"unsupported database {parsed.get_backend_name()!r}: use sqlite:///FILE or postgresql://…",
        field="database_url",
    )


@dataclass
class Store:
    """A database plus what its backend can do."""

    url: str
    engine: Engine
    caps: Capabilities
    _sessions: sessionmaker[Session] = field(repr=False)
    _schema_checked: bool = field(default=False, repr=False, compare=False)
    _watcher: Any = field(default=None, repr=False, compare=False)
    #: The ledger keys and checkpoint file (:class:`landrenew.core.ledger.LedgerTrust`); None:
    #: ledgers are unsigned.
    trust: LedgerTrust | None = field(default=None, repr=False, compare=False)

    @classmethod
    def open(cls, url: str, trust: LedgerTrust | None = None) -> Store:
        engine = create_store_engine(url)
        return cls(url, engine, capabilities_for(engine.dialect.name), sessionmaker(engine),
                   trust=trust)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on any error.

        The one place where a write that lost to another is told apart from a fault: two
        writes colliding on one parcel version or ledger record (a unique key, or on
        PostgreSQL a serialization failure or deadlock) give the loser :class:`Conflict`
        (409: try again), and a value the database refuses as too long or out of range gives
        :class:`InputError` (422) — never a 500."""
        try:
            with self._sessions() as session, session.begin():
                yield session
        except Exception as exc:
            refusal = refusal_of(exc)
            if refusal is None:
                raise
            raise refusal from exc

    def read_session(self) -> Session:
        return self._sessions()

    def reading(self) -> Connection:
        """A connection for reads whose every statement stands alone (a page, a tile, a count):
        on PostgreSQL in autocommit, so that no transaction is begun and then rolled back when
        the connection goes back to the pool (a round trip saved per request, which under load
        also means one wait less for the interpreter lock); on SQLite a plain connection (a
        SELECT begins no transaction there)."""
        conn = self.engine.connect()
        if self.caps.spatial_sql:
            conn.execution_options(isolation_level="AUTOCOMMIT")
        return conn

    @contextmanager
    def deriving(self) -> Iterator[Connection]:
        """A transaction that writes derived data only (the tile and page stores: caches any
        worker can make again from the data), committed on success.

        On PostgreSQL its commit does not wait for the write-ahead log to reach the disk
        (``SET LOCAL synchronous_commit TO OFF``, for this transaction only): a crash can lose
        the last fraction of a second of such rows, never half of one and never any data they
        were made from, and a request making a page no longer waits for a flush. Nor does the
        commit make this process ask the database for the data stamp again
        (:mod:`~landrenew.core.store.changes`): a derived write adds no audit event, so the
        stamp cannot have moved."""
        with self.engine.connect() as conn:
            with conn.begin():
                if self.caps.spatial_sql:
                    conn.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")
                yield conn
            forget_commit(conn)

    def dispose(self) -> None:
        if self._watcher is not None:
            self._watcher.close()
            self._watcher = None
        self.engine.dispose()

    def stamp(self) -> str:
        """The data stamp (数据版本戳): changes with every audited write; asked of the database
        only when it may have changed (see :mod:`landrenew.core.store.changes`)."""
        watcher = self._watcher
        if watcher is None:
            with _WATCHER_LOCK:
                if self._watcher is None:
                    self._watcher = StampWatcher(self.engine)
                watcher = self._watcher
        return str(watcher.current())

    def ensure_current(self) -> None:
        """Refuse to work on a database whose schema is not at the latest migration.

        Once the schema has been found current it is not asked again by this store (the server
        calls this on every request; migrations run with the server stopped)."""
        if self._schema_checked:
            return
        from landrenew.core.store.migrate import current_revision, head_revision

        current = current_revision(self.engine)
        head = head_revision()
        if current != head:
            state = "is empty" if current is None else f"is at revision {current}"
            raise ConfigurationError(
                f"database {self.display_url} {state}; run `landrenew db upgrade` (latest is {head})",
                code="schema_out_of_date",
            )
        self._schema_checked = True

    @property
    def display_url(self) -> str:
        return make_url(normalise_url(self.url)).render_as_string(hide_password=True)


_WATCHER_LOCK = threading.Lock()
#: PostgreSQL's SQLSTATEs of a transaction that lost to a concurrent one.
_LOST = {"40001": "serialization_failure", "40P01": "deadlock_detected"}


def refusal_of(exc: Exception) -> LandrenewError | None:
    """What a failed write is to the caller (see :meth:`Store.session`), from the driver's error
    (wrapped by SQLAlchemy, or raw from the bulk writers' cursors); None when it is a fault
    (raised as it is). Lost: a duplicate key (two writers made the same next version),
    PostgreSQL's serialization failure or deadlock, SQLite's writer lock not got (a reader whose
    snapshot another writer moved on). Refused: PostgreSQL's data exceptions (class 22: too
    long, out of range) and text the driver cannot send (a NUL character)."""
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    if type(orig).__module__.split(".")[0] not in ("sqlite3", "psycopg"):
        return None
    state = str(getattr(orig, "sqlstate", None) or "")
    text = str(orig)
    if (state in _LOST or state == "23505" or "UNIQUE constraint failed" in text
            or "database is locked" in text):
        return Conflict("another change to the same record was saved at the same moment; "
                        "reload and try again", code="concurrent_change")
    if state.startswith("22") or type(orig).__name__ == "DataError":
        return InputError(f"a value does not fit its column: {text.splitlines()[0]}",
                          code="value_out_of_range")
    return None


def upsert(store: Store, table: Any, keys: Sequence[str], update: Sequence[str]) -> Any:
    """``INSERT … ON CONFLICT (keys) DO UPDATE`` of the ``update`` columns on either backend
    (the values are given at execution, one dict per row)."""
    insert = postgresql.insert if store.caps.spatial_sql else sqlite.insert
    stmt = insert(table)
    return stmt.on_conflict_do_update(index_elements=list(keys),
                                      set_={name: stmt.excluded[name] for name in update})


def lock_for_write(session: Session, table: Any, ident: Any) -> None:
    """Hold ``table``'s row ``ident`` against other writers that lock it until ``session``
    commits, so that what a write reads (e.g. what earlier disbursements paid) stays true until
    it commits. On PostgreSQL ``SELECT … FOR NO KEY UPDATE`` of the row (the foreign keys of
    rows added meanwhile take KEY SHARE and do not wait). SQLite ignores row locks, so there the
    database's one writer lock is taken at once (``BEGIN IMMEDIATE``) instead of at the first
    write: a second writer then waits before its reads, not after them, and cannot read what
    the first is about to change."""
    conn = session.connection()
    if conn.dialect.name == "sqlite":
        if not conn.connection.dbapi_connection.in_transaction:  # type: ignore[union-attr]
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        return  # a write already made in this transaction holds the writer lock
    key = table.c.id if hasattr(table, "c") else table.id
    session.execute(select(key).where(key == ident).with_for_update(key_share=True))


def utcnow() -> dt.datetime:
    """Timestamps are stored as naive UTC on both backends."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def get_setting(session: Session, key: str) -> str | None:
    from landrenew.core.store.models import CitySetting

    return session.scalar(select(CitySetting.value).where(CitySetting.key == key))


def put_setting(session: Session, key: str, value: str, user: str) -> None:
    from landrenew.core.store.models import CitySetting

    row = session.get(CitySetting, key)
    if row is None:
        session.add(CitySetting(key=key, value=value, updated_at=utcnow(), updated_by=user))
    else:
        row.value, row.updated_at, row.updated_by = value, utcnow(), user
