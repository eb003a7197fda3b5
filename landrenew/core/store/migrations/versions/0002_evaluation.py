"""Evaluation runs and parcel results (低效用地认定结果).

Revision ID: 0002_evaluation
Revises: 0001_land
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from landrenew.core.store.types import JsonType

revision: str = "0002_evaluation"
down_revision: str | None = "0001_land"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "evaluation_runs",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("pack_id", sa.String(64), nullable=False),
        sa.Column("pack_version", sa.String(32), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("data_as_of", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(128), nullable=False),
        sa.Column("projected_crs", sa.String(32)),
        sa.Column("engine", sa.String(16), nullable=False),
        sa.Column("parcel_count", sa.Integer(), nullable=False),
        sa.Column("low_efficiency_count", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text()),
        sa.Column("summary", JsonType),
    )
    op.create_table(
        "parcel_results",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.Integer(), sa.ForeignKey("evaluation_runs.id"), nullable=False),
        sa.Column("parcel_code", sa.String(64), nullable=False),
        sa.Column("parcel_version_id", sa.Integer()),
        sa.Column("district_code", sa.String(12)),
        sa.Column("land_use", sa.String(16)),
        sa.Column("area_m2", sa.Float()),
        sa.Column("is_low_efficiency", sa.Boolean(), nullable=False),
        sa.Column("categories", sa.Text()),
        sa.Column("flags", sa.Text()),
        sa.Column("potential_floor_area_m2", sa.Float()),
        sa.Column("indicators", JsonType),
        sa.Column("reasons", JsonType),
    )
    op.create_index("uq_result_run_parcel", "parcel_results", ["run_id", "parcel_code"],
                    unique=True)
    op.create_index("ix_result_parcel", "parcel_results", ["parcel_code"])


def downgrade() -> None:
    op.drop_table("parcel_results")
    op.drop_table("evaluation_runs")
