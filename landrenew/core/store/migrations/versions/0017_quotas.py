"""Quota ledgers (指标台账, issue 25): ``quota_holders`` (a village's district and pre-borrowing
space, a district's farmland obligation, a project's village) and ``projects.tags`` (百千万工程 …).
The entries are records of the signed ledgers (``ledger_records``, ``quota:CITY:KIND``).

Revision ID: 0017_quotas
Revises: 0016_supervision
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from landrenew.core.store.types import JsonType

revision: str = "0017_quotas"
down_revision: str | None = "0016_supervision"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "quota_holders",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("holder", sa.String(64), nullable=False, unique=True),
        sa.Column("district_code", sa.String(12), nullable=False),
        sa.Column("village", sa.String(64)),
        sa.Column("preborrow_space_mu", sa.Numeric(18, 6)),
        sa.Column("obligation_mu", sa.Numeric(18, 6)),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_by", sa.String(128), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_quota_holders_district_code", "quota_holders", ["district_code"])
    with op.batch_alter_table("projects") as batch:
        batch.add_column(sa.Column("tags", JsonType, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("projects") as batch:
        batch.drop_column("tags")
    op.drop_index("ix_quota_holders_district_code", table_name="quota_holders")
    op.drop_table("quota_holders")
