"""Server-side sessions (登录会话): what a token or a session cookie names, and how it ends.

Every login — a page session (the cookie) or an API token — is a row of ``user_sessions``; the
token is a signed JWT whose ``jti`` is the row's id. A token opens the platform only while its
row exists, is not revoked and has not expired, and its user is active: logging out revokes
the session, changing the password or disabling the user revokes every session of that user,
each at once (the old cookie no longer opens a page, the old token no longer answers).

Revoking is audited, so it moves the data stamp (:mod:`landrenew.core.store.changes`); a
session's state is therefore read once per stamp and session (:data:`_STATES`), in every server
process alike. Creating one is not audited (a login is not a change of the data) and a new id
cannot have been asked for before it exists. ``last_seen_at`` is written at most once a
:data:`TOUCH_SECONDS` per session and process, as derived data (it moves no stamp).
"""

from __future__ import annotations

import datetime as dt
import secrets
import threading
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from landrenew.core import audit
from landrenew.core.cache import ValueCache
from landrenew.core.errors import NotAuthenticated, NotFound
from landrenew.core.store import Store, utcnow
from landrenew.core.store.models import UserSession

KINDS = ("session", "access")
TOUCH_SECONDS = 60
_STATES = ValueCache(max_items=4096)
_touched: dict[str, dt.datetime] = {}
_touch_lock = threading.Lock()


@dataclass(frozen=True)
class SessionState:
    """What a request needs of its session: whose it is, until when, and whether it ended."""

    id: str
    user_name: str
    kind: str
    expires_at: dt.datetime
    revoked_at: dt.datetime | None


def start(store: Store, user_name: str, kind: str, minutes: int, *, user_agent: str | None
          = None, address: str | None = None) -> SessionState:
    """A new session of ``user_name`` lasting ``minutes``; its id goes into the token."""
    if kind not in KINDS:
        raise ValueError(f"unknown session kind {kind!r}")
    now = utcnow()
    state = SessionState(secrets.token_urlsafe(24), user_name, kind,
                         now + dt.timedelta(minutes=minutes), None)
    row = UserSession(id=state.id, user_name=user_name, kind=kind,
                      created_at=now, last_seen_at=now, expires_at=state.expires_at,
                      revoked_at=None,
                      user_agent=(user_agent or "")[:256] or None,
                      address=(address or "")[:64] or None)
    with store.session() as session:
        session.add(row)
        # the expired sessions of this user go with each new login (the table stays small)
        session.query(UserSession).filter(UserSession.user_name == user_name,
                                          UserSession.expires_at < now).delete()
    return state


def _state(store: Store, sid: str) -> SessionState | None:
    def load() -> SessionState | None:
        with store.read_session() as session:
            row = session.get(UserSession, sid)
        if row is None:
            return None
        return SessionState(row.id, row.user_name, row.kind, row.expires_at, row.revoked_at)

    return _STATES.get_or_make((store.url, store.stamp(), sid), load)


def check(store: Store, sid: str, user_name: str, kind: str) -> SessionState:
    """The live session ``sid`` of ``user_name`` of this kind, or 401 (unknown, ended, expired)."""
    state = _state(store, sid)
    if state is None or state.user_name != user_name or state.kind != kind:
        raise NotAuthenticated("the session is not known; log in again", field="token")
    if state.revoked_at is not None:
        raise NotAuthenticated("the session has ended (logged out, password changed or account "
                               "disabled); log in again", field="token", code="session_ended")
    now = utcnow()
    if state.expires_at <= now:
        raise NotAuthenticated("the session has expired; log in again", field="token")
    _touch(store, sid, now)
    return state


def _touch(store: Store, sid: str, now: dt.datetime) -> None:
    with _touch_lock:
        last = _touched.get(sid)
        if last is not None and (now - last).total_seconds() < TOUCH_SECONDS:
            return
        if len(_touched) > 10_000:
            _touched.clear()
        _touched[sid] = now
    with store.deriving() as conn:
        conn.execute(update(UserSession).where(UserSession.id == sid).values(last_seen_at=now))


def end(store: Store, sid: str, *, actor: str) -> None:
    """Log out: revoke one session (audited)."""
    with store.session() as session:
        row = session.get(UserSession, sid)
        if row is None:
            raise NotFound("no such session", field="token")
        if row.revoked_at is None:
            row.revoked_at = utcnow()
            audit.record(session, actor=actor, action="logout", entity_type="session",
                         entity_id=row.user_name, after={"kind": row.kind})


def end_all(session: Session, user_name: str) -> int:
    """Revoke every live session of ``user_name`` inside the caller's (audited) transaction;
    the number revoked."""
    ended = session.execute(update(UserSession).where(
        UserSession.user_name == user_name, UserSession.revoked_at.is_(None)
    ).values(revoked_at=utcnow()))
    return int(getattr(ended, "rowcount", 0) or 0)


def live(store: Store, user_name: str) -> list[SessionState]:
    """The sessions of ``user_name`` that are neither revoked nor expired (newest first)."""
    with store.read_session() as session:
        rows = session.scalars(select(UserSession).where(
            UserSession.user_name == user_name, UserSession.revoked_at.is_(None),
            UserSession.expires_at > utcnow()).order_by(UserSession.created_at.desc()))
        return [SessionState(r.id, r.user_name, r.kind, r.expires_at, r.revoked_at)
                for r in rows]
