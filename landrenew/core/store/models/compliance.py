"""Tables of the compliance checks (issue 24): every check kept whole, append-only."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import Boolean, Date, DateTime, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from landrenew.core.store.models.base import Base
from landrenew.core.store.types import Geometry, JsonType


class ComplianceCheck(Base):
    """A compliance check (合规审查) as it was decided: the request as given (``inputs``) and its
    geometry, the decision with every reason (rule, clause, field, value, op, threshold), the
    pack and version that decided, who asked and when. Never changed; a new check is a new row.
    ``quota_offset_mu`` is the reserved-land quota a legacy-land check offsets (the quota ledger
    books it)."""

    __tablename__ = "compliance_checks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    district_code: Mapped[str] = mapped_column(String(12), nullable=False)
    reference: Mapped[str | None] = mapped_column(Text)
    decision: Mapped[str] = mapped_column(String(32), nullable=False)
    inputs: Mapped[Any] = mapped_column(JsonType, nullable=False)
    reasons: Mapped[Any] = mapped_column(JsonType, nullable=False)
    outcome: Mapped[Any] = mapped_column(JsonType, nullable=True)
    geom: Mapped[bytes | None] = mapped_column(Geometry())
    quota_offset_mu: Mapped[Decimal | None] = mapped_column(Numeric(18, 6))
    pack: Mapped[str] = mapped_column(String(64), nullable=False)
    pack_version: Mapped[str] = mapped_column(String(32), nullable=False)
    draft: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    checked_on: Mapped[dt.date] = mapped_column(Date, nullable=False)
    source: Mapped[str] = mapped_column(String(16), nullable=False)
    batch: Mapped[str | None] = mapped_column(String(128))
    row: Mapped[int | None] = mapped_column(Integer)
    recorded_by: Mapped[str] = mapped_column(String(128), nullable=False)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)

    __table_args__ = (Index("ix_compliance_checks_district_kind", "district_code", "kind"),
                      Index("ix_compliance_checks_decision", "decision"))
