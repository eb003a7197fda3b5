"""Published evaluation runs (认定结果发布): ``published_runs``, one row per publication; the
newest row's run is what the map, the parcel cards, the lists and the public see.

A database upgraded from before publishing existed keeps showing what it showed: its newest run
that was not a trial (one pack forced on every parcel) is published by the upgrade.

Revision ID: 0018_published_runs
Revises: 0017_quotas
Create Date: 2026-12-05
"""

import datetime as dt
import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018_published_runs"
down_revision: str | None = "0017_quotas"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "published_runs",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.Integer(), sa.ForeignKey("evaluation_runs.id"), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=False),
        sa.Column("published_by", sa.String(128), nullable=False),
        sa.Column("reason", sa.Text()),
    )
    op.create_index("ix_published_run", "published_runs", ["run_id"])
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, summary FROM evaluation_runs ORDER BY id DESC"))
    for run_id, summary in rows:
        if isinstance(summary, str):
            summary = json.loads(summary)
        if not (summary or {}).get("forced"):
            conn.execute(sa.text(
                "INSERT INTO published_runs (run_id, published_at, published_by, reason) "
                "VALUES (:run, :at, 'upgrade', :why)"),
                {"run": run_id, "at": dt.datetime.now(dt.UTC).replace(tzinfo=None),
                 "why": "the run shown before runs were published"})
            break


def downgrade() -> None:
    op.drop_index("ix_published_run", table_name="published_runs")
    op.drop_table("published_runs")
