"""Tables of the projects (issue 5): the project library, phases, the hash-chained ledger,
consent units, consolidation workflows, costs and money decisions."""

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
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from landrenew.core.store.models.base import Base
from landrenew.core.store.types import Geometry, JsonType


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
    #: Tags (标签), e.g. 百千万工程: what kinds of quota the project may receive (issue 25).
    tags: Mapped[Any] = mapped_column(JsonType, nullable=True)
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
    on, which ``landrenew ledger verify`` reports. A withdrawal is a new record. ``signature`` is
    the Ed25519 signature of (ledger, seq, hash) by the key ``key_id`` held outside the database
    (:mod:`landrenew.core.signing`): a record added by whoever writes the database has none.
    ``project_id`` is null for ledgers that belong to no project.
    """

    __tablename__ = "ledger_records"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ledger: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    project_id: Mapped[int | None] = mapped_column(Integer)
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
    key_id: Mapped[str | None] = mapped_column(String(16))
    signature: Mapped[str | None] = mapped_column(String(128))

    __table_args__ = (Index("ux_ledger_seq", "ledger", "seq", unique=True),)


class LedgerCheckpoint(Base):
    """A signed checkpoint (台账签名检查点) of every ledger: its length and head hash when it was
    made, signed with the ledger key. ``landrenew ledger verify`` checks the ledgers against the
    latest one, so that records cut off the end (or a whole ledger removed) are found; the same
    checkpoint is printed, exported and (when configured) appended to a file outside the
    database, where a deletion in the database cannot reach it."""

    __tablename__ = "ledger_checkpoints"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    made_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    made_by: Mapped[str] = mapped_column(String(128), nullable=False)
    ledgers: Mapped[Any] = mapped_column(JsonType, nullable=False)
    key_id: Mapped[str] = mapped_column(String(16), nullable=False)
    signature: Mapped[str] = mapped_column(String(128), nullable=False)


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
    :mod:`landrenew.projects.workflow_state` as JSON, its append-only log included."""

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
    #: The client's key of one submission: the same key again is the same decision, not a
    #: second payment.
    idempotency_key: Mapped[str | None] = mapped_column(String(128))

    __table_args__ = (Index("ux_finance_idempotency", "project_id", "kind", "idempotency_key",
                            unique=True),)
