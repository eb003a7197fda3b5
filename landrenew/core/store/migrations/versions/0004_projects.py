"""Projects, urban-village phases, people, phase transitions and the hash-chained ledgers.

Revision ID: 0004_projects
Revises: 0003_users
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from landrenew.core.store.types import Geometry, JsonType

revision: str = "0004_projects"
down_revision: str | None = "0003_users"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "projects",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(256), nullable=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("district_code", sa.String(12), nullable=False, index=True),
        sa.Column("batch", sa.String(16)),
        sa.Column("term", sa.String(16)),
        sa.Column("stage", sa.String(32), nullable=False),
        sa.Column("lead_unit", sa.String(256)),
        sa.Column("owner_company", sa.String(256)),
        sa.Column("instruments", JsonType),
        sa.Column("parcel_codes", JsonType),
        sa.Column("planned_start", sa.Date()),
        sa.Column("planned_end", sa.Date()),
        sa.Column("actual_start", sa.Date()),
        sa.Column("actual_end", sa.Date()),
        sa.Column("rules", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(128), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "project_versions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("project_id", sa.Integer(), sa.ForeignKey("projects.id"), nullable=False,
                  index=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("record", JsonType, nullable=False),
        sa.Column("changed", JsonType),
        sa.Column("changed_by", sa.String(128), nullable=False),
        sa.Column("reason", sa.Text()),
        sa.Column("at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "phases",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("project_id", sa.Integer(), sa.ForeignKey("projects.id"), nullable=False,
                  index=True),
        sa.Column("name", sa.String(256), nullable=False),
        sa.Column("geom", Geometry()),
        sa.Column("area_m2", sa.Float()),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(128), nullable=False),
    )
    op.create_table(
        "phase_people",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("phase_id", sa.Integer(), sa.ForeignKey("phases.id"), nullable=False),
        sa.Column("person_id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.Column("added_by", sa.String(128), nullable=False),
    )
    op.create_index("ux_phase_person", "phase_people", ["phase_id", "person_id"], unique=True)
    op.create_table(
        "phase_transitions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("phase_id", sa.Integer(), sa.ForeignKey("phases.id"), nullable=False,
                  index=True),
        sa.Column("from_state", sa.String(32), nullable=False),
        sa.Column("to_state", sa.String(32), nullable=False),
        sa.Column("decision", JsonType),
        sa.Column("by", sa.String(128), nullable=False),
        sa.Column("reason", sa.Text()),
        sa.Column("at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "ledger_records",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("ledger", sa.String(64), nullable=False, index=True),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("phase_id", sa.Integer()),
        sa.Column("subject", sa.String(64), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("evidence_sha256", sa.String(64)),
        sa.Column("details", JsonType),
        sa.Column("recorded_by", sa.String(128), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_index("ux_ledger_seq", "ledger_records", ["ledger", "seq"], unique=True)


def downgrade() -> None:
    op.drop_table("ledger_records")
    op.drop_table("phase_transitions")
    op.drop_table("phase_people")
    op.drop_table("phases")
    op.drop_table("project_versions")
    op.drop_table("projects")
