"""The shared tile store (切片库): encoded vector tiles kept per layer, scope and XYZ with the data
stamp they were made from, so every server worker (and a seeding run) shares one pyramid.

Revision ID: 0005_tiles
Revises: 0004_projects
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_tiles"
down_revision: str | None = "0004_projects"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tile_store",
        sa.Column("layer", sa.String(64), primary_key=True),
        sa.Column("scope", sa.String(256), primary_key=True),
        sa.Column("z", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("x", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("y", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("stamp", sa.String(64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("made_at", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("tile_store")
