"""Tables of the identification runs (低效用地认定) and each parcel's result in a run."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from landrenew.core.store.models.base import Base
from landrenew.core.store.types import JsonType


class EvaluationRun(Base):
    """One identification run (低效用地认定批次): rule pack and version, as-of date, who, when.

    Runs are kept, never overwritten: the mid-term and the final evaluation are two runs.
    """

    __tablename__ = "evaluation_runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    pack_id: Mapped[str] = mapped_column(String(64), nullable=False)
    pack_version: Mapped[str] = mapped_column(String(32), nullable=False)
    as_of: Mapped[dt.date] = mapped_column(Date, nullable=False)
    #: The database state evaluated (NULL = the state current when the run was made).
    data_as_of: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    created_by: Mapped[str] = mapped_column(String(128), nullable=False)
    projected_crs: Mapped[str | None] = mapped_column(String(32))
    engine: Mapped[str] = mapped_column(String(16), nullable=False)
    parcel_count: Mapped[int] = mapped_column(Integer, nullable=False)
    low_efficiency_count: Mapped[int] = mapped_column(Integer, nullable=False)
    note: Mapped[str | None] = mapped_column(Text)
    summary: Mapped[Any] = mapped_column(JsonType, nullable=True)
    #: The pack that decided each district: ``{district_code: {"pack", "version"}}`` (a run over
    #: several cities uses each city's standard); empty when one pack was forced for every parcel.
    packs: Mapped[Any] = mapped_column(JsonType, nullable=True)


class ParcelResult(Base):
    """A parcel's result in one run: categories, flags, indicators, reasons, potential."""

    __tablename__ = "parcel_results"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("evaluation_runs.id"), nullable=False)
    parcel_code: Mapped[str] = mapped_column(String(64), nullable=False)
    parcel_version_id: Mapped[int | None] = mapped_column(Integer)
    district_code: Mapped[str | None] = mapped_column(String(12))
    land_use: Mapped[str | None] = mapped_column(String(16))
    area_m2: Mapped[float | None] = mapped_column(Float)
    is_low_efficiency: Mapped[bool] = mapped_column(Boolean, nullable=False)
    categories: Mapped[str | None] = mapped_column(Text)
    flags: Mapped[str | None] = mapped_column(Text)
    potential_floor_area_m2: Mapped[float | None] = mapped_column(Float)
    indicators: Mapped[Any] = mapped_column(JsonType, nullable=True)
    reasons: Mapped[Any] = mapped_column(JsonType, nullable=True)

    __table_args__ = (
        Index("uq_result_run_parcel", "run_id", "parcel_code", unique=True),
        Index("ix_result_parcel", "parcel_code"),
    )


class PublishedRun(Base):
    """A publication of a run (认定结果发布): the run the map, the parcel cards, the lists and the
    public see is the one of the newest row. Rows are only added (publishing another run is a new
    row), so the table is the history of what was shown, by whom and why."""

    __tablename__ = "published_runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("evaluation_runs.id"), nullable=False)
    published_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    published_by: Mapped[str] = mapped_column(String(128), nullable=False)
    reason: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_published_run", "run_id"),)
