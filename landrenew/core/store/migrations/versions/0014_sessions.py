"""Server-side sessions (登录会话): every page session and API token names a row of
``user_sessions``, so that logging out, changing a password or disabling a user ends it at once.

Revision ID: 0014_sessions
Revises: 0013_compliance
Create Date: 2026-12-10
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_sessions"
down_revision: str | None = "0013_compliance"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "user_sessions",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("user_name", sa.String(128), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("user_agent", sa.String(256), nullable=True),
        sa.Column("address", sa.String(64), nullable=True),
    )
    op.create_index("ix_user_sessions_user_name", "user_sessions", ["user_name"])
    op.create_index("ix_user_sessions_expires_at", "user_sessions", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_user_sessions_expires_at", table_name="user_sessions")
    op.drop_index("ix_user_sessions_user_name", table_name="user_sessions")
    op.drop_table("user_sessions")
