"""The shared page store (页面库): encoded OGC items pages kept per data stamp, so a page one
server worker made is read, not made again, by the others and after a restart.

Revision ID: 0008_page_store
Revises: 0007_change_notify
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_page_store"
down_revision: str | None = "0007_change_notify"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "page_store",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("stamp", sa.String(64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("made_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_page_store_stamp", "page_store", ["stamp"])


def downgrade() -> None:
    op.drop_index("ix_page_store_stamp", table_name="page_store")
    op.drop_table("page_store")
