"""Tables of the quota ledgers (issue 25). The entries themselves are records of the signed,
hash-chained ledgers (:class:`~landrenew.core.store.models.projects.LedgerRecord`, one ledger
``quota:CITY:KIND`` per city and kind); this table keeps what the rules need to know about the
holders: a village's district and pre-borrowing space, a district's farmland obligation, the
village a project belongs to. Every change is audited with the row before and after."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import DateTime, Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from landrenew.core.store.models.base import Base


class QuotaHolder(Base):
    """A holder of quota as the rules see it (``village:NAME``, ``district:CODE`` or
    ``project:ID``): its district, a village's pre-borrowing space for reserved land (留用地指标
    预支空间), a district's farmland balance obligation (耕地占补平衡任务), a project's village."""

    __tablename__ = "quota_holders"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    holder: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    district_code: Mapped[str] = mapped_column(String(12), nullable=False, index=True)
    village: Mapped[str | None] = mapped_column(String(64))
    preborrow_space_mu: Mapped[Decimal | None] = mapped_column(Numeric(18, 6))
    obligation_mu: Mapped[Decimal | None] = mapped_column(Numeric(18, 6))
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    updated_by: Mapped[str] = mapped_column(String(128), nullable=False)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
