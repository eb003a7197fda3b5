"""Consent units, the consolidation workflow, cost items and finance records; phase schedules and
checks; users' organisation (for consolidation entities) and agency (their role in the workflow).

Revision ID: 0006_consolidation
Revises: 0005_tiles
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from landrenew.core.store.types import JsonType

revision: str = "0006_consolidation"
down_revision: str | None = "0005_tiles"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("organisation", sa.String(256)))
        batch.add_column(sa.Column("agency", sa.String(32)))
    with op.batch_alter_table("phases") as batch:
        batch.add_column(sa.Column("schedule", JsonType))
        batch.add_column(sa.Column("checks", JsonType))
    op.create_table(
        "consent_units",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("project_id", sa.Integer(), sa.ForeignKey("projects.id"), nullable=False,
                  index=True),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("name", sa.String(256), nullable=False),
        sa.Column("definition", JsonType, nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(128), nullable=False),
        sa.UniqueConstraint("project_id", "code", name="ux_consent_unit_code"),
    )
    op.create_table(
        "consolidation_workflows",
        sa.Column("project_id", sa.Integer(), sa.ForeignKey("projects.id"), primary_key=True,
                  autoincrement=False),
        sa.Column("pack", sa.String(64), nullable=False),
        sa.Column("state", JsonType, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.String(128), nullable=False),
    )
    op.create_table(
        "cost_items",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("project_id", sa.Integer(), sa.ForeignKey("projects.id"), nullable=False,
                  index=True),
        sa.Column("category", sa.String(64), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("amount", sa.Numeric(18, 2), nullable=False),
        sa.Column("evidence_sha256", sa.String(64)),
        sa.Column("document_ref", sa.String(256)),
        sa.Column("incurred_on", sa.Date()),
        sa.Column("recorded_by", sa.String(128), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "finance_records",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("project_id", sa.Integer(), sa.ForeignKey("projects.id"), nullable=False,
                  index=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("inputs", JsonType, nullable=False),
        sa.Column("result", JsonType, nullable=False),
        sa.Column("recorded_by", sa.String(128), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("finance_records")
    op.drop_table("cost_items")
    op.drop_table("consolidation_workflows")
    op.drop_table("consent_units")
    with op.batch_alter_table("phases") as batch:
        batch.drop_column("checks")
        batch.drop_column("schedule")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("agency")
        batch.drop_column("organisation")
