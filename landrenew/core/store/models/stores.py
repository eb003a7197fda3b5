"""The shared page and tile stores (页面库, 切片库): encoded answers kept per data stamp."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    DateTime,
    Integer,
    LargeBinary,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from landrenew.core.store.models.base import Base


class StoredPage(Base):
    """One encoded OGC items page (gzip) shared by every server worker (页面库), valid while
    ``stamp`` is the database's data stamp; ``key`` is the SHA-256 of the page's cache key
    (database, stamp, user view, query)."""

    __tablename__ = "page_store"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    stamp: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    data: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    made_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)


class StoredTile(Base):
    """One encoded vector tile of the shared tile store (切片库), valid while ``stamp`` is the
    database's data stamp; ``scope`` is ``city`` or the district codes joined by commas."""

    __tablename__ = "tile_store"

    layer: Mapped[str] = mapped_column(String(64), primary_key=True)
    scope: Mapped[str] = mapped_column(String(256), primary_key=True)
    z: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    x: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    y: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    stamp: Mapped[str] = mapped_column(String(64), nullable=False)
    data: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    made_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
