"""Tables (one schema for SQLite and PostGIS; migrations in ``migrations/versions``).

Versioned aggregates (parcels, zones) keep one row per version: ``valid_from`` / ``valid_to``
(``NULL`` = current), ``changed_by``, ``reason`` and ``operation`` (insert / update / delete).
A row is never updated except to close it (set ``valid_to``) when its successor is written.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from landrenew.core.store.types import Geometry, JsonType

MONEY_10K = Numeric(18, 6)  # 万元 with yuan/fen precision; Decimal in Python


class Base(DeclarativeBase):
    pass


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


# ---------------------------------------------------------------- projects (issue 5)

class Project(Base):
    """A redevelopment project in the pilot project library (试点项目库), its current state.

    Every change also writes a :class:`ProjectVersion` with the full record before and after, so
    the library's "dynamic adjustment" (动态调整) can be read back version by version.
    """

    __tablename__ = "projects"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(256), nullable=False)
    type: Mapped[str] = mapped_column(String(32), nullable=False)
    district_code: Mapped[str] = mapped_column(String(12), nullable=False, index=True)
    batch: Mapped[str | None] = mapped_column(String(16))
    term: Mapped[str | None] = mapped_column(String(16))
    stage: Mapped[str] = mapped_column(String(32), nullable=False)
    lead_unit: Mapped[str | None] = mapped_column(String(256))
    owner_company: Mapped[str | None] = mapped_column(String(256))
    instruments: Mapped[Any] = mapped_column(JsonType, nullable=True)
    parcel_codes: Mapped[Any] = mapped_column(JsonType, nullable=True)
    planned_start: Mapped[dt.date | None] = mapped_column(Date)
    planned_end: Mapped[dt.date | None] = mapped_column(Date)
    actual_start: Mapped[dt.date | None] = mapped_column(Date)
    actual_end: Mapped[dt.date | None] = mapped_column(Date)
    #: The day the project's implementation scheme was approved and in force (项目实施方案批复).
    scheme_approved_on: Mapped[dt.date | None] = mapped_column(Date)
    #: Contiguous redevelopment of low-efficiency industrial land (低效工业用地成片连片再开发).
    contiguous_redevelopment: Mapped[bool] = mapped_column(Boolean, nullable=False,
                                                           default=False,
                                                           server_default=text("false"))
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    created_by: Mapped[str] = mapped_column(String(128), nullable=False)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)


class ProjectVersion(Base):
    """One version of a project: the whole record as it stood, who changed it, when and why."""

    __tablename__ = "project_versions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), nullable=False, index=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    record: Mapped[Any] = mapped_column(JsonType, nullable=False)
    changed: Mapped[Any] = mapped_column(JsonType, nullable=True)
    changed_by: Mapped[str] = mapped_column(String(128), nullable=False)
    reason: Mapped[str | None] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)


class Phase(Base):
    """A phase (分片/分期) of an urban-village project: 签一片、拆一片、供一片、批一片、建一片."""

    __tablename__ = "phases"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(256), nullable=False)
    geom: Mapped[bytes | None] = mapped_column(Geometry())
    area_m2: Mapped[float | None] = mapped_column(Float)
    state: Mapped[str] = mapped_column(String(32), nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    created_by: Mapped[str] = mapped_column(String(128), nullable=False)
    #: The phase's construction plan: works with kind, start and finish (公益先行 is checked).
    schedule: Mapped[Any] = mapped_column(JsonType, nullable=True)
    #: The last guideline-parcel and public-welfare checks, with their rules and numbers.
    checks: Mapped[Any] = mapped_column(JsonType, nullable=True)


class PhasePerson(Base):
    """A person to relocate in a phase (被搬迁人): villager, resident, ancestral-house owner."""

    __tablename__ = "phase_people"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    phase_id: Mapped[int] = mapped_column(ForeignKey("phases.id"), nullable=False)
    person_id: Mapped[str] = mapped_column(String(64), nullable=False)
    name: Mapped[str] = mapped_column(String(128), nullable=False)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    added_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    added_by: Mapped[str] = mapped_column(String(128), nullable=False)

    __table_args__ = (Index("ux_phase_person", "phase_id", "person_id", unique=True),)


class PhaseTransition(Base):
    """A phase moving from one state to the next, with the gate decision that allowed it."""

    __tablename__ = "phase_transitions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    phase_id: Mapped[int] = mapped_column(ForeignKey("phases.id"), nullable=False, index=True)
    from_state: Mapped[str] = mapped_column(String(32), nullable=False)
    to_state: Mapped[str] = mapped_column(String(32), nullable=False)
    decision: Mapped[Any] = mapped_column(JsonType, nullable=True)
    by: Mapped[str] = mapped_column(String(128), nullable=False)
    reason: Mapped[str | None] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)


class LedgerRecord(Base):
    """An append-only, hash-chained ledger entry (签约/意愿台账): never updated or deleted.

    ``hash`` is SHA-256 over the record's canonical JSON including ``prev_hash``, the hash of the
    previous record of the same ledger; editing or removing any record breaks the chain from there
    on, which ``landrenew ledger verify`` reports. A withdrawal is a new record.
    """

    __tablename__ = "ledger_records"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ledger: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    project_id: Mapped[int] = mapped_column(Integer, nullable=False)
    phase_id: Mapped[int | None] = mapped_column(Integer)
    subject: Mapped[str] = mapped_column(String(64), nullable=False)
    action: Mapped[str] = mapped_column(String(32), nullable=False)
    effective_on: Mapped[dt.date] = mapped_column(Date, nullable=False)
    evidence_sha256: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[Any] = mapped_column(JsonType, nullable=True)
    recorded_by: Mapped[str] = mapped_column(String(128), nullable=False)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    prev_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    hash: Mapped[str] = mapped_column(String(64), nullable=False)

    __table_args__ = (Index("ux_ledger_seq", "ledger", "seq", unique=True),)


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


class ConsentUnit(Base):
    """A consent unit (意愿征询单元) of a project: collective land, a single holder, co-owned,
    a condominium or several state parcels; ``definition`` holds its owners, parcels or vote.
    Consents themselves are records of the project's consent ledger."""

    __tablename__ = "consent_units"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), nullable=False, index=True)
    code: Mapped[str] = mapped_column(String(64), nullable=False)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    name: Mapped[str] = mapped_column(String(256), nullable=False)
    definition: Mapped[Any] = mapped_column(JsonType, nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    created_by: Mapped[str] = mapped_column(String(128), nullable=False)

    __table_args__ = (UniqueConstraint("project_id", "code", name="ux_consent_unit_code"),)


class ConsolidationWorkflow(Base):
    """A land-consolidation project's workflow state (土地整备流程): the pure state of
    :mod:`landrenew.projects.consolidation` as JSON, its append-only log included."""

    __tablename__ = "consolidation_workflows"
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), primary_key=True,
                                            autoincrement=False)
    pack: Mapped[str] = mapped_column(String(64), nullable=False)
    state: Mapped[Any] = mapped_column(JsonType, nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    updated_by: Mapped[str] = mapped_column(String(128), nullable=False)


class CostItem(Base):
    """An accepted item of a consolidation project's cost ledger (整备成本台账), in yuan."""

    __tablename__ = "cost_items"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), nullable=False, index=True)
    category: Mapped[str] = mapped_column(String(64), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False)
    amount: Mapped[Decimal] = mapped_column(Numeric(18, 2), nullable=False)
    evidence_sha256: Mapped[str | None] = mapped_column(String(64))
    document_ref: Mapped[str | None] = mapped_column(String(256))
    incurred_on: Mapped[dt.date | None] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(128), nullable=False)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)


class FinanceRecord(Base):
    """A money decision of a project, kept whole (append-only): the fund-balance study
    (资金平衡), the storage-fee settlement (收储费用) or a disbursement (资金拨付), with its inputs
    and its result (every amount with its rule and clause)."""

    __tablename__ = "finance_records"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    inputs: Mapped[Any] = mapped_column(JsonType, nullable=False)
    result: Mapped[Any] = mapped_column(JsonType, nullable=False)
    recorded_by: Mapped[str] = mapped_column(String(128), nullable=False)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
