"""Saved field mappings for uploads (字段映射): ``import_mappings``, one row per version of a
named mapping (its YAML text as an administrator saved it), the current one with ``valid_to``
NULL — an upload names the mapping, the import report its version.

Revision ID: 0015_import_mappings
Revises: 0014_sessions
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_import_mappings"
down_revision: str | None = "0014_sessions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "import_mappings",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.DateTime(), nullable=False),
        sa.Column("valid_to", sa.DateTime(), nullable=True),
        sa.Column("changed_by", sa.String(128), nullable=False),
        sa.Column("reason", sa.Text()),
        sa.Column("operation", sa.String(16), nullable=False),
        sa.Column("is_deleted", sa.Boolean(), nullable=False),
        sa.Column("content_hash", sa.String(64)),
    )
    current = sa.text("valid_to IS NULL")
    op.create_index("uq_import_mapping_current", "import_mappings", ["name"], unique=True,
                    sqlite_where=current, postgresql_where=current)
    op.create_index("ix_import_mapping_name_from", "import_mappings", ["name", "valid_from"])


def downgrade() -> None:
    op.drop_index("ix_import_mapping_name_from", table_name="import_mappings")
    op.drop_index("uq_import_mapping_current", table_name="import_mappings")
    op.drop_table("import_mappings")
