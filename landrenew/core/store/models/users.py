"""Tables of the users, their failed logins and the audit trail."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    Boolean,
    DateTime,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from landrenew.core.store.models.base import Base
from landrenew.core.store.types import JsonType


class AuditEvent(Base):
    """Audit trail (审计日志): who did what, when, why, and the state before and after."""

    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, index=True)
    actor: Mapped[str] = mapped_column(String(128), nullable=False)
    action: Mapped[str] = mapped_column(String(64), nullable=False)
    entity_type: Mapped[str] = mapped_column(String(64), nullable=False)
    entity_id: Mapped[str | None] = mapped_column(String(128))
    reason: Mapped[str | None] = mapped_column(Text)
    before: Mapped[Any] = mapped_column(JsonType, nullable=True)
    after: Mapped[Any] = mapped_column(JsonType, nullable=True)


class User(Base):
    """A platform user (平台用户) with one role and, for district staff, the districts assigned.

    Roles: ``admin``, ``city_staff``, ``district_staff``, ``viewer`` (see ``landrenew.core.auth``).
    Users are disabled, never deleted, so that audit entries keep naming a known account.
    """

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(128), nullable=False, unique=True)
    role: Mapped[str] = mapped_column(String(32), nullable=False)
    districts: Mapped[Any] = mapped_column(JsonType, nullable=True)
    password_hash: Mapped[str] = mapped_column(Text, nullable=False)
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    created_by: Mapped[str] = mapped_column(String(128), nullable=False)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    #: The company a consolidation entity (土地整备主体) user works for: it sees only the
    #: projects whose ``owner_company`` is this organisation.
    organisation: Mapped[str | None] = mapped_column(String(256))
    #: The body the user acts for in the consolidation workflow (属地镇街, 市土地管理委员会 …).
    agency: Mapped[str | None] = mapped_column(String(32))


class LoginFailure(Base):
    """A failed login (登录失败), kept for rate limiting by user name and client address."""

    __tablename__ = "login_failures"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(128), nullable=False)
    address: Mapped[str] = mapped_column(String(64), nullable=False)
    at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)

    __table_args__ = (Index("ix_login_failure_user_at", "username", "address", "at"),)


class UserSession(Base):
    """A login (登录会话): a page session cookie or an API token names one by its ``id`` (the
    token's ``jti``). A session opens pages only while it is not revoked (logout, password
    change, the user disabled) and not expired; ``last_seen_at`` is written at most once a
    minute."""

    __tablename__ = "user_sessions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_name: Mapped[str] = mapped_column(String(128), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, index=True)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    user_agent: Mapped[str | None] = mapped_column(String(256))
    address: Mapped[str | None] = mapped_column(String(64))
