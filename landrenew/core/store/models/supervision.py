"""Tables of programme supervision (issue 23): the programme's units and their members, its
tasks (versioned), progress reports, supervision acts, yearly targets, district GDP figures and
the reports filed. Progress, acts, targets and figures are append-only: a correction is a new
row; a task's every change writes a :class:`ProgrammeTaskVersion`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from landrenew.core.store.models.base import Base
from landrenew.core.store.types import JsonType


class ProgrammeUnit(Base):
    """A unit (单位) of a city's programme: the committee, a city bureau, a district government
    (with its district code)."""

    __tablename__ = "programme_units"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    city_code: Mapped[str] = mapped_column(String(12), nullable=False)
    name: Mapped[str] = mapped_column(String(128), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    district_code: Mapped[str | None] = mapped_column(String(12))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    created_by: Mapped[str] = mapped_column(String(128), nullable=False)

    __table_args__ = (Index("ux_programme_units_city_name", "city_code", "name", unique=True),)


class ProgrammeMember(Base):
    """A user belonging to a unit: reports progress on the unit's tasks."""

    __tablename__ = "programme_members"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("programme_units.id"), nullable=False)
    user_name: Mapped[str] = mapped_column(String(128), nullable=False)
    added_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    added_by: Mapped[str] = mapped_column(String(128), nullable=False)

    __table_args__ = (Index("ux_programme_members", "unit_id", "user_name", unique=True),)


class ProgrammeTask(Base):
    """A task (任务) of the programme as it stands: its units (expanded names), its deadline
    and its completion (``done_on`` with evidence)."""

    __tablename__ = "programme_tasks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    city_code: Mapped[str] = mapped_column(String(12), nullable=False)
    code: Mapped[str] = mapped_column(String(16), nullable=False)
    title: Mapped[str] = mapped_column(Text, nullable=False)
    clause: Mapped[str] = mapped_column(Text, nullable=False)
    pack: Mapped[str] = mapped_column(String(64), nullable=False)
    pack_version: Mapped[str] = mapped_column(String(32), nullable=False)
    deadline: Mapped[dt.date] = mapped_column(Date, nullable=False)
    lead_units: Mapped[Any] = mapped_column(JsonType, nullable=False)
    responsible_units: Mapped[Any] = mapped_column(JsonType, nullable=False)
    done_on: Mapped[dt.date | None] = mapped_column(Date)
    done_evidence: Mapped[Any] = mapped_column(JsonType, nullable=True)
    done_note: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    created_by: Mapped[str] = mapped_column(String(128), nullable=False)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)

    __table_args__ = (Index("ux_programme_tasks_city_code", "city_code", "code", unique=True),)


class ProgrammeTaskVersion(Base):
    """One version of a task: the whole record as it stood, who changed it, when and why."""

    __tablename__ = "programme_task_versions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("programme_tasks.id"), nullable=False,
                                         index=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    record: Mapped[Any] = mapped_column(JsonType, nullable=False)
    changed_by: Mapped[str] = mapped_column(String(128), nullable=False)
    reason: Mapped[str | None] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)


class ProgrammeProgress(Base):
    """A unit's progress report on a task (进展报送): the day, the share done, the words and the
    evidence files (name and SHA-256)."""

    __tablename__ = "programme_progress"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("programme_tasks.id"), nullable=False,
                                         index=True)
    unit: Mapped[str] = mapped_column(String(128), nullable=False)
    reported_on: Mapped[dt.date] = mapped_column(Date, nullable=False)
    percent: Mapped[int] = mapped_column(Integer, nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    evidence: Mapped[Any] = mapped_column(JsonType, nullable=True)
    recorded_by: Mapped[str] = mapped_column(String(128), nullable=False)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)


class SupervisionAct(Base):
    """A supervision act (督导) against a unit for a task: 通报 (notice), 督办 (press, with its
    due day) or 问责 (accountability, with its reason and evidence)."""

    __tablename__ = "supervision_acts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("programme_tasks.id"), nullable=False,
                                         index=True)
    unit: Mapped[str] = mapped_column(String(128), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    evidence: Mapped[Any] = mapped_column(JsonType, nullable=True)
    acted_on: Mapped[dt.date] = mapped_column(Date, nullable=False)
    due_on: Mapped[dt.date | None] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(128), nullable=False)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)


class ProgrammeTarget(Base):
    """A task's target for a year (年度目标); a revision (修正目标) is a new row with its reason."""

    __tablename__ = "programme_targets"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("programme_tasks.id"), nullable=False,
                                         index=True)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    target: Mapped[str] = mapped_column(Text, nullable=False)
    revision: Mapped[int] = mapped_column(Integer, nullable=False)
    reason: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(128), nullable=False)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)


class DistrictFigure(Base):
    """A district's GDP (万元) and construction-land area (亩) of a year, as imported; a later
    import of the same year is a new row (the latest known counts)."""

    __tablename__ = "programme_district_figures"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    city_code: Mapped[str] = mapped_column(String(12), nullable=False)
    district_code: Mapped[str] = mapped_column(String(12), nullable=False)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    gdp_10k_yuan: Mapped[Decimal] = mapped_column(Numeric(20, 2), nullable=False)
    construction_land_mu: Mapped[Decimal] = mapped_column(Numeric(20, 4), nullable=False)
    source: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(128), nullable=False)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)

    __table_args__ = (Index("ix_programme_figures_district_year", "district_code", "year"),)


class ProgrammeReport(Base):
    """A report (报告): a half-year report (``period`` 2025H1) or an evaluation (``mid-term``,
    ``final``) as of a day. ``inputs`` are the figures it was generated from; once filed
    (``filed_at``) the report is frozen and regenerates from them identically. ``sections``
    holds the text staff write (经验做法, 问题及原因 …)."""

    __tablename__ = "programme_reports"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    city_code: Mapped[str] = mapped_column(String(12), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    period: Mapped[str] = mapped_column(String(16), nullable=False)
    as_of: Mapped[dt.date] = mapped_column(Date, nullable=False)
    inputs: Mapped[Any] = mapped_column(JsonType, nullable=True)
    sections: Mapped[Any] = mapped_column(JsonType, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    created_by: Mapped[str] = mapped_column(String(128), nullable=False)
    filed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    filed_by: Mapped[str | None] = mapped_column(String(128))
    filed_on: Mapped[dt.date | None] = mapped_column(Date)

    __table_args__ = (Index("ix_programme_reports_city_kind", "city_code", "kind", "period"),)
