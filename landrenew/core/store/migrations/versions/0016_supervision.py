"""Programme supervision (任务督办, issue 23): units and members, tasks and their versions,
progress reports, supervision acts, yearly targets, district GDP figures and the reports.

Revision ID: 0016_supervision
Revises: 0015_import_mappings
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from landrenew.core.store.types import JsonType

revision: str = "0016_supervision"
down_revision: str | None = "0015_import_mappings"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _id() -> sa.Column:
    return sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True)


def _task() -> sa.Column:
    return sa.Column("task_id", sa.Integer(), sa.ForeignKey("programme_tasks.id"), nullable=False)


def upgrade() -> None:
    op.create_table(
        "programme_units", _id(),
        sa.Column("city_code", sa.String(12), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("district_code", sa.String(12)),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(128), nullable=False),
    )
    op.create_index("ux_programme_units_city_name", "programme_units", ["city_code", "name"],
                    unique=True)
    op.create_table(
        "programme_members", _id(),
        sa.Column("unit_id", sa.Integer(), sa.ForeignKey("programme_units.id"), nullable=False),
        sa.Column("user_name", sa.String(128), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.Column("added_by", sa.String(128), nullable=False),
    )
    op.create_index("ux_programme_members", "programme_members", ["unit_id", "user_name"],
                    unique=True)
    op.create_table(
        "programme_tasks", _id(),
        sa.Column("city_code", sa.String(12), nullable=False),
        sa.Column("code", sa.String(16), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("clause", sa.Text(), nullable=False),
        sa.Column("pack", sa.String(64), nullable=False),
        sa.Column("pack_version", sa.String(32), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("lead_units", JsonType, nullable=False),
        sa.Column("responsible_units", JsonType, nullable=False),
        sa.Column("done_on", sa.Date()),
        sa.Column("done_evidence", JsonType),
        sa.Column("done_note", sa.Text()),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(128), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ux_programme_tasks_city_code", "programme_tasks", ["city_code", "code"],
                    unique=True)
    op.create_table(
        "programme_task_versions", _id(), _task(),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("record", JsonType, nullable=False),
        sa.Column("changed_by", sa.String(128), nullable=False),
        sa.Column("reason", sa.Text()),
        sa.Column("at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_programme_task_versions_task_id", "programme_task_versions", ["task_id"])
    op.create_table(
        "programme_progress", _id(), _task(),
        sa.Column("unit", sa.String(128), nullable=False),
        sa.Column("reported_on", sa.Date(), nullable=False),
        sa.Column("percent", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("evidence", JsonType),
        sa.Column("recorded_by", sa.String(128), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_programme_progress_task_id", "programme_progress", ["task_id"])
    op.create_table(
        "supervision_acts", _id(), _task(),
        sa.Column("unit", sa.String(128), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("evidence", JsonType),
        sa.Column("acted_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date()),
        sa.Column("recorded_by", sa.String(128), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_supervision_acts_task_id", "supervision_acts", ["task_id"])
    op.create_table(
        "programme_targets", _id(), _task(),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("target", sa.Text(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text()),
        sa.Column("recorded_by", sa.String(128), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_programme_targets_task_id", "programme_targets", ["task_id"])
    op.create_table(
        "programme_district_figures", _id(),
        sa.Column("city_code", sa.String(12), nullable=False),
        sa.Column("district_code", sa.String(12), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("gdp_10k_yuan", sa.Numeric(20, 2), nullable=False),
        sa.Column("construction_land_mu", sa.Numeric(20, 4), nullable=False),
        sa.Column("source", sa.Text()),
        sa.Column("recorded_by", sa.String(128), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_programme_figures_district_year", "programme_district_figures",
                    ["district_code", "year"])
    op.create_table(
        "programme_reports", _id(),
        sa.Column("city_code", sa.String(12), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("period", sa.String(16), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("inputs", JsonType),
        sa.Column("sections", JsonType),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(128), nullable=False),
        sa.Column("filed_at", sa.DateTime()),
        sa.Column("filed_by", sa.String(128)),
        sa.Column("filed_on", sa.Date()),
    )
    op.create_index("ix_programme_reports_city_kind", "programme_reports",
                    ["city_code", "kind", "period"])


def downgrade() -> None:
    for table in ("programme_reports", "programme_district_figures", "programme_targets",
                  "supervision_acts", "programme_progress", "programme_task_versions",
                  "programme_members", "programme_tasks", "programme_units"):
        op.drop_table(table)
