"""Compliance checks (合规审查, issue 24): every check kept whole with its reasons, the pack that
decided, who asked and when.

Revision ID: 0013_compliance
Revises: 0012_ledger_keys
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from landrenew.core.store.types import Geometry, JsonType

revision: str = "0013_compliance"
down_revision: str | None = "0012_ledger_keys"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "compliance_checks",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("district_code", sa.String(12), nullable=False),
        sa.Column("reference", sa.Text()),
        sa.Column("decision", sa.String(32), nullable=False),
        sa.Column("inputs", JsonType, nullable=False),
        sa.Column("reasons", JsonType, nullable=False),
        sa.Column("outcome", JsonType),
        sa.Column("geom", Geometry()),
        sa.Column("quota_offset_mu", sa.Numeric(18, 6)),
        sa.Column("pack", sa.String(64), nullable=False),
        sa.Column("pack_version", sa.String(32), nullable=False),
        sa.Column("draft", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("checked_on", sa.Date(), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("batch", sa.String(128)),
        sa.Column("row", sa.Integer()),
        sa.Column("recorded_by", sa.String(128), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
    )
    with op.batch_alter_table("compliance_checks") as batch:
        batch.create_index("ix_compliance_checks_district_kind", ["district_code", "kind"])
        batch.create_index("ix_compliance_checks_decision", ["decision"])


def downgrade() -> None:
    op.drop_table("compliance_checks")
