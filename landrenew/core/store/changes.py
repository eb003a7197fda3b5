"""The data stamp (数据版本戳) and how a server process learns that it changed.

Every write to the database is audited, so the newest audit event (its id and time) is a stamp
that changes whenever anything shown may have changed. Caches of tiles, list pages and totals
are keyed by it, and it is the ETag those responses carry.

Asking the database for the stamp on every request costs a query (and on PostgreSQL a round
trip). A :class:`StampWatcher` asks again only when the database may have changed:

- **SQLite**: ``PRAGMA data_version`` on one connection of its own changes whenever another
  connection, in this process or any other, has committed. Reading it costs microseconds and no
  I/O, so the stamp is exact.
- **PostgreSQL**: migration ``0007`` makes every insert into ``audit_events`` send a
  ``NOTIFY landrenew_changes``. The watcher keeps a connection that ``LISTEN``s and, on each
  request, reads what has arrived without blocking (one ``recv`` on its socket). A connection of
  this process that committed marks the stamp unknown when it goes back to the pool, that is
  after its commit and before the writing request answers, so a process always sees its own
  writes; another process's write is seen as soon as its notification arrives, a fraction of a
  millisecond after its commit.

Whenever the watcher cannot be sure (an in-memory SQLite database, no listening connection, a
lost connection), it falls back to asking the database every time: slower, never stale.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from typing import Any

from sqlalchemy import Engine, event, select

#: The PostgreSQL notification channel the ``audit_events`` trigger sends on.
CHANNEL = "landrenew_changes"


def read_stamp(engine: Engine) -> str:
    """The stamp as stored now: ``"<id>.<microseconds>"`` of the newest audit event, or ``"0"``
    (the time tells apart two databases, or a restored backup, that reach the same id)."""
    from landrenew.core.store.models import AuditEvent

    with engine.connect() as conn:
        row = conn.execute(select(AuditEvent.id, AuditEvent.at)
                           .order_by(AuditEvent.id.desc()).limit(1)).first()
    if row is None:
        return "0"
    return f"{row[0]}.{int(row[1].timestamp() * 1_000_000)}"


_COMMITTED = "landrenew_committed"


def _mark_committed(conn: Any) -> None:
    """Engine ``commit`` event (it fires before the commit itself): note it on the pooled
    connection, to be acted on when the connection is checked back in."""
    conn.info[_COMMITTED] = True


def forget_commit(conn: Any) -> None:
    """Unmark a connection's commit that wrote derived data only (see ``Store.deriving``), so
    that its return to the pool does not make the stamp be asked again."""
    conn.info.pop(_COMMITTED, None)


class StampWatcher:
    """The current stamp of one store, asked of the database only when it may have changed."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._lock = threading.Lock()
        self._stamp: str | None = None
        self._token: Any = None  # what the change signal was when _stamp was read
        self._generation = 0  # bumped by local commits and PostgreSQL notifications
        self._sqlite: sqlite3.Connection | None = None
        self._listener: Any = None
        self.queries = 0  # how often the database was asked (tests and benchmarks read it)
        url = engine.url
        if url.get_backend_name() == "sqlite":
            self._open_sqlite(url.database)
        elif url.get_backend_name() == "postgresql":
            event.listen(engine, "commit", _mark_committed)
            event.listen(engine.pool, "checkin", self._checkin)
            self._open_listener()

    # ------------------------------------------------------------------ signals

    def _open_sqlite(self, database: str | None) -> None:
        if not database or database == ":memory:" or database.startswith("file:"):
            return  # nothing another connection could share: ask every time
        try:
            self._sqlite = sqlite3.connect(database, check_same_thread=False, timeout=30)
        except sqlite3.Error:
            self._sqlite = None

    def _open_listener(self) -> None:
        import psycopg

        dsn = self.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        try:
            conn = psycopg.connect(dsn, autocommit=True, connect_timeout=5)
        except Exception:
            return
        try:
            # Without the trigger of migration 0007 nothing would ever be sent: ask every time.
            if conn.execute("SELECT 1 FROM pg_trigger WHERE tgname = 'audit_events_notify'"
                            ).fetchone() is None:
                conn.close()
                return
            conn.execute(f"LISTEN {CHANNEL}")
        except Exception:
            conn.close()
            return
        self._listener = conn

    def _checkin(self, _dbapi_connection: Any, record: Any) -> None:
        if record is not None and record.info.pop(_COMMITTED, False):
            with self._lock:
                self._generation += 1

    def _signal(self) -> Any:
        """Something that differs whenever the stamp may have changed; None if unknown."""
        if self._sqlite is not None:
            try:
                return self._sqlite.execute("PRAGMA data_version").fetchone()[0]
            except sqlite3.Error:
                return None
        if self._listener is not None:
            pgconn = self._listener.pgconn
            try:
                pgconn.consume_input()
                while pgconn.notifies() is not None:
                    self._generation += 1
            except Exception:  # the listening connection is gone: ask every time from now on
                self._close_listener()
                return None
            return self._generation
        return None

    # ------------------------------------------------------------------ the stamp

    def current(self) -> str:
        with self._lock:
            token = self._signal()
            if token is not None and token == self._token and self._stamp is not None:
                return self._stamp
        # Read the stamp after the signal: a commit in between makes the next signal differ,
        # so a stamp read here is never older than the signal it is stored with.
        stamp = read_stamp(self.engine)
        with self._lock:
            self.queries += 1
            self._stamp, self._token = stamp, token
        return stamp

    def close(self) -> None:
        with self._lock:
            if self._sqlite is not None:
                self._sqlite.close()
                self._sqlite = None
            self._close_listener()
        if event.contains(self.engine.pool, "checkin", self._checkin):
            event.remove(self.engine.pool, "checkin", self._checkin)
        if event.contains(self.engine, "commit", _mark_committed):
            event.remove(self.engine, "commit", _mark_committed)

    def _close_listener(self) -> None:
        if self._listener is not None:
            with contextlib.suppress(Exception):
                self._listener.close()
            self._listener = None
