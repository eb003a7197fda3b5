"""The declarative base, the money type and the mixins every table module builds on."""

from __future__ import annotations

import datetime as dt
from typing import cast

from sqlalchemy import (
    Boolean,
    DateTime,
    Float,
    Integer,
    Numeric,
    String,
    Table,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

MONEY_10K = Numeric(18, 6)  # 万元 with yuan/fen precision; Decimal in Python


class Base(DeclarativeBase):
    pass


def table_of(model: type[Base]) -> Table:
    """The :class:`~sqlalchemy.Table` of a declarative model.

    The SQLAlchemy stubs type ``Model.__table__`` as a ``FromClause``; a model declared on
    :class:`Base` always maps a ``Table``, which is what the store helpers take.
    """
    return cast(Table, model.__table__)


class VersionMixin:
    """Columns every versioned aggregate carries (历史版本)."""

    version: Mapped[int] = mapped_column(Integer, nullable=False)
    valid_from: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    valid_to: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    changed_by: Mapped[str] = mapped_column(String(128), nullable=False)
    reason: Mapped[str | None] = mapped_column(Text)
    operation: Mapped[str] = mapped_column(String(16), nullable=False)
    is_deleted: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    content_hash: Mapped[str | None] = mapped_column(String(64))


class BBoxMixin:
    minx: Mapped[float | None] = mapped_column(Float)
    miny: Mapped[float | None] = mapped_column(Float)
    maxx: Mapped[float | None] = mapped_column(Float)
    maxy: Mapped[float | None] = mapped_column(Float)
