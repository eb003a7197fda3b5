"""Users, passwords and tokens (用户与认证): argon2 hashes, HS256 JWTs, login rate limits.

Service functions take a :class:`~landrenew.core.store.Store` and plain values; no web framework
here. Tokens carry the user name, role and a ``kind`` (``access`` for the API, ``session`` for
the pages' cookie); every request reloads the user so that disabling an account takes effect
at once. A page session's CSRF token (跨站请求伪造防护) is an HMAC of the session's id, so it
cannot be made without the secret (see :func:`csrf_token`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Any

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, func, select

from landrenew.core import audit, passwords, sessions
from landrenew.core.access import AGENCIES, NotAuthenticated, Principal, check_role
from landrenew.core.cache import ValueCache
from landrenew.core.errors import Conflict, InputError, NotFound, TooManyAttempts
from landrenew.core.settings import Settings
from landrenew.core.store import Store, utcnow
from landrenew.core.store.models import District, LoginFailure, User

ALGORITHM = "HS256"
MIN_PASSWORD = passwords.MIN_LENGTH
_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("landrenew-timing-equaliser")


@dataclass(frozen=True)
class UserInfo:
    """A user as the services hand it out (never the table row, never the hash)."""

    name: str
    role: str
    districts: tuple[str, ...]
    is_active: bool
    created_at: dt.datetime
    created_by: str
    organisation: str | None = None
    agency: str | None = None

    def principal(self) -> Principal:
        return Principal(self.name, self.role, self.districts, self.organisation, self.agency)


def _info(row: User) -> UserInfo:
    return UserInfo(row.name, row.role, tuple(row.districts or ()), bool(row.is_active),
                    row.created_at, row.created_by, row.organisation, row.agency)


# ---------------------------------------------------------------- passwords

def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password; an unknown user still costs one hash (no timing oracle)."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def check_password(password: str, name: str = "", *more: str | None) -> str:
    """A new password long and strong enough for the user ``name`` (:mod:`.passwords`)."""
    return passwords.check_password(password, user_inputs=tuple(w for w in (name, *more) if w))


# ---------------------------------------------------------------- users

def create_user(store: Store, name: str, role: str, password: str, *, districts: list[str] | None
                = None, actor: str, organisation: str | None = None,
                agency: str | None = None) -> UserInfo:
    """Add a user; district staff must be given at least one known district, a consolidation
    entity's user its organisation (the projects' owner company)."""
    store.ensure_current()
    name = name.strip()
    if not name:
        raise InputError("a user needs a name", field="name")
    check_role(role)
    check_password(password, name, organisation)
    codes = sorted(set(districts or []))
    if role == "district_staff" and not codes:
        raise InputError("district staff need at least one district (--district CODE)",
                         field="districts")
    if role != "district_staff" and codes:
        raise InputError(f"only district_staff are limited to districts, not {role}",
                         field="districts")
    organisation = (organisation or "").strip() or None
    if role == "consolidation_entity" and not organisation:
        raise InputError("a consolidation entity's user needs its organisation "
                         "(--organisation, the projects' owner company)", field="organisation")
    if agency is not None and agency not in AGENCIES:
        raise InputError(f"agency '{agency}' is not one of {', '.join(AGENCIES)}",
                         field="agency")
    if role == "consolidation_entity" and agency not in (None, "consolidation_entity"):
        raise InputError("a consolidation entity acts only as the consolidation entity",
                         field="agency")
    now = utcnow()
    with store.session() as session:
        known = set(session.scalars(select(District.code)))
        unknown = [c for c in codes if c not in known]
        if unknown:
            raise InputError(f"unknown district(s) {unknown}; known: {', '.join(sorted(known))}",
                             field="districts")
        if session.scalar(select(User.id).where(User.name == name)) is not None:
            raise Conflict(f"user '{name}' already exists", field="name")
        row = User(name=name, role=role, districts=codes or None,
                   password_hash=hash_password(password), is_active=True, created_at=now,
                   created_by=actor, updated_at=now, organisation=organisation, agency=agency)
        session.add(row)
        audit.record(session, actor=actor, action="create_user", entity_type="user",
                     entity_id=name, after={"role": role, "districts": codes,
                                            "organisation": organisation, "agency": agency})
        session.flush()
        return _info(row)


def list_users(store: Store, *, limit: int | None = None, offset: int = 0
               ) -> tuple[int, list[UserInfo]]:
    store.ensure_current()
    with store.read_session() as session:
        total = session.scalar(select(func.count()).select_from(User)) or 0
        stmt = select(User).order_by(User.name).offset(offset)
        if limit is not None:
            stmt = stmt.limit(limit)
        return int(total), [_info(u) for u in session.scalars(stmt)]


def get_user(store: Store, name: str) -> UserInfo:
    with store.read_session() as session:
        row = session.scalar(select(User).where(User.name == name))
        if row is None:
            raise NotFound(f"no user '{name}'", field="name")
        return _info(row)


def set_active(store: Store, name: str, active: bool, *, actor: str) -> UserInfo:
    """Disable (or enable again) a user; a disabled user's tokens stop working at once."""
    store.ensure_current()
    with store.session() as session:
        row = session.scalar(select(User).where(User.name == name))
        if row is None:
            raise NotFound(f"no user '{name}'", field="name")
        before = bool(row.is_active)
        row.is_active, row.updated_at = active, utcnow()
        ended = 0 if active else sessions.end_all(session, name)
        audit.record(session, actor=actor, action="enable_user" if active else "disable_user",
                     entity_type="user", entity_id=name, before={"is_active": before},
                     after={"is_active": active, "sessions_ended": ended})
        session.flush()
        return _info(row)


def authenticate(store: Store, settings: Settings, name: str, password: str, address: str
                 ) -> UserInfo:
    """Check a login; refuse with 429 after too many recent failures for this user and address.

    Counted atomically in the database, so that parallel attempts cannot all pass the count
    before any failure is written: each attempt first writes (and commits) its own row, then
    counts the rows of the window — the k-th attempt to commit sees at least k, so at most
    ``login_max_failures`` attempts reach the password check. A refused attempt takes its row
    back; a failed one leaves it as the failure; a good one clears the user's and address's."""
    now = utcnow()
    window = now - dt.timedelta(seconds=settings.login_window_seconds)
    address = (address or "unknown")[:64]
    user_name = name[:128]
    with store.session() as session:
        attempt = LoginFailure(username=user_name, address=address, at=now)
        session.add(attempt)
        session.flush()
        attempt_id = attempt.id
    mine = (LoginFailure.username == user_name, LoginFailure.address == address)
    with store.session() as session:
        attempts = session.scalar(select(func.count()).select_from(LoginFailure).where(
            *mine, LoginFailure.at >= window)) or 0
        if attempts > settings.login_max_failures:
            session.execute(delete(LoginFailure).where(LoginFailure.id == attempt_id))
            refused = True
        else:
            refused = False
    if refused:
        raise TooManyAttempts(f"too many failed logins; try again in "
                              f"{settings.login_window_seconds} seconds", field="username")
    with store.session() as session:
        row = session.scalar(select(User).where(User.name == name))
        ok = verify_password(row.password_hash if row else None, password)
        if not ok or row is None or not row.is_active:
            session.execute(delete(LoginFailure).where(LoginFailure.at < window))
            failed = True
        else:
            session.execute(delete(LoginFailure).where(*mine))
            if _hasher.check_needs_rehash(row.password_hash):
                row.password_hash = hash_password(password)
            failed = False
            info = _info(row)
    if failed:  # outside the transaction so that the failure is stored
        raise NotAuthenticated("wrong user name or password, or the account is disabled",
                               field="username")
    return info


def change_password(store: Store, name: str, new_password: str, *, actor: str,
                    current_password: str | None = None) -> int:
    """Set a user's password and end every session of the user (the one changing it included:
    log in again). A user changing their own password gives the current one; an administrator
    resetting another's does not. Returns the number of sessions ended."""
    store.ensure_current()
    check_password(new_password, name)
    with store.session() as session:
        row = session.scalar(select(User).where(User.name == name))
        if row is None:
            raise NotFound(f"no user '{name}'", field="name")
        if actor == name and not verify_password(row.password_hash, current_password or ""):
            raise InputError("the current password is wrong", field="current_password",
                             code="wrong_password")
        if verify_password(row.password_hash, new_password):
            raise InputError("the new password is the current one", field="password")
        row.password_hash, row.updated_at = hash_password(new_password), utcnow()
        ended = sessions.end_all(session, name)
        audit.record(session, actor=actor, action="change_password", entity_type="user",
                     entity_id=name, after={"sessions_ended": ended})
        return ended


#: The user a token names, per data stamp: every change to a user is audited (and so moves the
#: stamp), so a principal read under one stamp holds until the next write.
_PRINCIPALS = ValueCache(max_items=256)


def load_principal(store: Store, name: str) -> Principal:
    """The active user named by a token, or 401."""

    def load() -> Principal | None:
        with store.read_session() as session:
            row = session.scalar(select(User).where(User.name == name))
        return _info(row).principal() if row is not None and row.is_active else None

    principal = _PRINCIPALS.get_or_make((store.url, store.stamp(), name), load)
    if principal is None:
        raise NotAuthenticated("the account no longer exists or is disabled", field="token")
    return principal


# ---------------------------------------------------------------- tokens

def issue_token(settings: Settings, user: UserInfo | Principal, kind: str = "access",
                sid: str | None = None) -> str:
    """A signed token of ``kind`` naming the session ``sid`` (its ``jti``). Only a token of a
    stored session opens the platform (:func:`open_session`, :func:`principal_of`)."""
    now = dt.datetime.now(dt.UTC)
    claims: dict[str, Any] = {"sub": user.name, "role": user.role, "kind": kind,
                              "iat": now, "exp": now + dt.timedelta(minutes=settings.token_minutes),
                              "jti": sid or secrets.token_urlsafe(16)}
    return jwt.encode(claims, settings.secret_key, algorithm=ALGORITHM)


def open_session(store: Store, settings: Settings, user: UserInfo, kind: str, *,
                 user_agent: str | None = None, address: str | None = None) -> str:
    """Log ``user`` in: a stored session of ``kind`` (``session`` for pages, ``access`` for the
    API) and its token."""
    state = sessions.start(store, user.name, kind, settings.token_minutes,
                           user_agent=user_agent, address=address)
    return issue_token(settings, user, kind, state.id)


def principal_of(store: Store, settings: Settings, token: str, kind: str = "access"
                 ) -> Principal:
    """The user a token of ``kind`` acts for: a valid signature, a live session (not logged
    out, not ended by a password change or by disabling the user) and an active user; else 401."""
    claims = read_token(settings, token, kind)
    sessions.check(store, str(claims["jti"]), str(claims["sub"]), kind)
    return load_principal(store, str(claims["sub"]))


def end_session(store: Store, settings: Settings, token: str, kind: str) -> None:
    """Log out: the session of this token ends (later requests with it get 401)."""
    claims = read_token(settings, token, kind)
    sessions.end(store, str(claims["jti"]), actor=str(claims["sub"]))


#: Tokens whose signature was verified, with their claims: a client sends the same token with
#: every request, and checking its HMAC and parsing it again was a sixth of the server's time on
#: a kept page. Only good tokens are kept; expiry is checked on every use.
_VERIFIED = ValueCache(max_items=4096)


def _decode(settings: Settings, token: str) -> dict[str, Any]:
    def verify() -> dict[str, Any]:
        return jwt.decode(token, settings.secret_key, algorithms=[ALGORITHM],
                          options={"require": ["sub", "exp", "jti"]})

    claims = _VERIFIED.get_or_make((settings.secret_key, token), verify)
    if claims["exp"] <= time.time():  # as PyJWT decides it (no leeway)
        raise jwt.ExpiredSignatureError("Signature has expired")
    return dict(claims)


def read_token(settings: Settings, token: str, kind: str = "access") -> dict[str, Any]:
    """The claims of a valid, unexpired token of this kind, or 401."""
    try:
        claims = _decode(settings, token)
    except jwt.ExpiredSignatureError as exc:
        raise NotAuthenticated("the token has expired; log in again", field="token") from exc
    except jwt.PyJWTError as exc:
        raise NotAuthenticated("the token is not valid", field="token") from exc
    if claims.get("kind") != kind:
        raise NotAuthenticated(f"a {claims.get('kind')} token cannot be used here", field="token")
    return claims


def _signed(settings: Settings, value: str) -> str:
    """HMAC-SHA256 of ``value`` with the secret, in hex: what a CSRF token is."""
    return hmac.new(settings.secret_key.encode(), value.encode(), hashlib.sha256).hexdigest()


def csrf_token(settings: Settings, session_token: str) -> str:
    """The CSRF token bound to a page session (HMAC of its ``jti`` with the secret)."""
    return _signed(settings, str(read_token(settings, session_token, kind="session")["jti"]))


def check_csrf(settings: Settings, session_token: str, submitted: str | None) -> bool:
    if not submitted:
        return False
    return hmac.compare_digest(csrf_token(settings, session_token), submitted)


def login_nonce() -> str:
    """A random value for the login form's cookie (登录表单防伪): before a session exists, the
    login form is tied to this browser by it, so another site cannot post a login form into
    this one (login CSRF: logging the victim into the attacker's account)."""
    return secrets.token_urlsafe(32)


def login_csrf_token(settings: Settings, nonce: str) -> str:
    """The login form's CSRF token: an HMAC of the browser's login nonce with the secret."""
    return _signed(settings, f"login:{nonce}")


def check_login_csrf(settings: Settings, nonce: str | None, submitted: str | None) -> bool:
    if not nonce or not submitted:
        return False
    return hmac.compare_digest(login_csrf_token(settings, nonce), submitted)
