"""Rules belong to places: a project no longer names the city whose rules it follows (they are
resolved from its district, date and kind), it records the approval of its implementation scheme
(``scheme_approved_on``, 项目实施方案批复) and whether it is a contiguous redevelopment of
low-efficiency industrial land (``contiguous_redevelopment``, 成片连片再开发); an evaluation run
records the pack that decided each district (``packs``).

Revision ID: 0011_jurisdictions
Revises: 0010_page_store_uncompressed
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from landrenew.core.store.types import JsonType

revision: str = "0011_jurisdictions"
down_revision: str | None = "0010_page_store_uncompressed"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("projects") as batch:
        batch.drop_column("rules")
        batch.add_column(sa.Column("scheme_approved_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("contiguous_redevelopment", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
    with op.batch_alter_table("evaluation_runs") as batch:
        batch.add_column(sa.Column("packs", JsonType, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("evaluation_runs") as batch:
        batch.drop_column("packs")
    with op.batch_alter_table("projects") as batch:
        batch.drop_column("contiguous_redevelopment")
        batch.drop_column("scheme_approved_on")
        batch.add_column(sa.Column("rules", sa.String(64), nullable=False,
                                   server_default="unknown"))
