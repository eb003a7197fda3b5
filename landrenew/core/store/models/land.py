"""Tables of the land database: city settings, districts, survey batches, parcel and zone
versions (versioned: see :mod:`landrenew.core.store.models`)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from landrenew.core.store.models.base import MONEY_10K, Base, BBoxMixin, VersionMixin
from landrenew.core.store.types import Geometry, JsonType


class CitySetting(Base):
    """City-level settings kept in the database (e.g. the projected CRS for areas)."""

    __tablename__ = "city_settings"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text, nullable=False)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    updated_by: Mapped[str] = mapped_column(String(128), nullable=False)


class District(BBoxMixin, Base):
    """District (行政区), keyed by its GB/T 2260 code."""

    __tablename__ = "districts"
    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    name: Mapped[str] = mapped_column(String(64), nullable=False)
    boundary: Mapped[bytes | None] = mapped_column(Geometry())
    area_m2: Mapped[float | None] = mapped_column(Float)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    updated_by: Mapped[str] = mapped_column(String(128), nullable=False)


class SurveyBatch(Base):
    """Survey batch (调查成果批次): a district's submission, reviewed by the city."""

    __tablename__ = "survey_batches"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(128), nullable=False, unique=True)
    district_code: Mapped[str | None] = mapped_column(String(12))
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    submitted_by: Mapped[str] = mapped_column(String(128), nullable=False)
    submitted_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    source_file: Mapped[str | None] = mapped_column(Text)
    parcel_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    reviewed_by: Mapped[str | None] = mapped_column(String(128))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    decided_by: Mapped[str | None] = mapped_column(String(128))
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    reasons: Mapped[Any] = mapped_column(JsonType, nullable=True)


class ParcelVersion(VersionMixin, BBoxMixin, Base):
    """One version of a parcel (地块/宗地). The current one has ``valid_to`` NULL."""

    __tablename__ = "parcel_versions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    parcel_code: Mapped[str] = mapped_column(String(64), nullable=False)
    district_code: Mapped[str | None] = mapped_column(String(12))
    land_use: Mapped[str | None] = mapped_column(String(16))
    planned_use: Mapped[str | None] = mapped_column(String(16))
    planned_far: Mapped[float | None] = mapped_column(Float)
    floor_area_m2: Mapped[float | None] = mapped_column(Float)
    footprint_m2: Mapped[float | None] = mapped_column(Float)
    building_year: Mapped[int | None] = mapped_column(Integer)
    safety_grade: Mapped[str | None] = mapped_column(String(1))
    industry_code: Mapped[str | None] = mapped_column(String(8))
    tax_10k_yuan: Mapped[Decimal | None] = mapped_column(MONEY_10K)
    output_10k_yuan: Mapped[Decimal | None] = mapped_column(MONEY_10K)
    investment_10k_yuan: Mapped[Decimal | None] = mapped_column(MONEY_10K)
    approved_on: Mapped[dt.date | None] = mapped_column(Date)
    supplied_on: Mapped[dt.date | None] = mapped_column(Date)
    agreed_start_on: Mapped[dt.date | None] = mapped_column(Date)
    started_on: Mapped[dt.date | None] = mapped_column(Date)
    developed_ratio: Mapped[float | None] = mapped_column(Float)
    invested_ratio: Mapped[float | None] = mapped_column(Float)
    stopped_since: Mapped[dt.date | None] = mapped_column(Date)
    right_holder: Mapped[str | None] = mapped_column(Text)
    attributes: Mapped[Any] = mapped_column(JsonType, nullable=True)
    area_m2: Mapped[float | None] = mapped_column(Float)
    geom: Mapped[bytes | None] = mapped_column(Geometry())
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("survey_batches.id"))

    __table_args__ = (
        Index(
            "uq_parcel_current",
            "parcel_code",
            unique=True,
            sqlite_where=text("valid_to IS NULL"),
            postgresql_where=text("valid_to IS NULL"),
        ),
        Index("ix_parcel_code_from", "parcel_code", "valid_from"),
        Index(
            "ix_parcel_current_code",  # pages in code order and their anchors: index alone
            "parcel_code",
            "is_deleted",
            sqlite_where=text("valid_to IS NULL"),
            postgresql_where=text("valid_to IS NULL"),
        ),
        Index(
            "ix_parcel_current_live",  # counts of current parcels read this index alone
            "district_code",
            "is_deleted",
            sqlite_where=text("valid_to IS NULL"),
            postgresql_where=text("valid_to IS NULL"),
        ),
    )


class ZoneLayer(Base):
    """A zone layer (管控图层) of one kind, e.g. the ecological red line (生态保护红线)."""

    __tablename__ = "zone_layers"
    kind: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(128), nullable=False)
    source: Mapped[str | None] = mapped_column(Text)
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    imported_by: Mapped[str] = mapped_column(String(128), nullable=False)
    feature_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class ZoneVersion(VersionMixin, BBoxMixin, Base):
    """One version of a zone polygon in a layer."""

    __tablename__ = "zone_versions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    zone_code: Mapped[str] = mapped_column(String(128), nullable=False)
    kind: Mapped[str] = mapped_column(ForeignKey("zone_layers.kind"), nullable=False)
    name: Mapped[str | None] = mapped_column(String(256))
    attributes: Mapped[Any] = mapped_column(JsonType, nullable=True)
    area_m2: Mapped[float | None] = mapped_column(Float)
    geom: Mapped[bytes | None] = mapped_column(Geometry())

    __table_args__ = (
        Index(
            "uq_zone_current",
            "kind",
            "zone_code",
            unique=True,
            sqlite_where=text("valid_to IS NULL"),
            postgresql_where=text("valid_to IS NULL"),
        ),
        Index("ix_zone_code_from", "kind", "zone_code", "valid_from"),
    )


class ImportMapping(VersionMixin, Base):
    """A field mapping (字段映射) an administrator saved by name for uploads: its YAML text as
    saved, one row per version (a deletion is a version too)."""

    __tablename__ = "import_mappings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64), nullable=False)
    definition: Mapped[str] = mapped_column(Text, nullable=False)

    __table_args__ = (
        Index(
            "uq_import_mapping_current",
            "name",
            unique=True,
            sqlite_where=text("valid_to IS NULL"),
            postgresql_where=text("valid_to IS NULL"),
        ),
        Index("ix_import_mapping_name_from", "name", "valid_from"),
    )
