"""Trust: ledger records are signed with a key held outside the database (``key_id``,
``signature``), signed checkpoints of every ledger's length and head are kept
(``ledger_checkpoints``), a ledger may belong to no project, and a money decision carries the
client's idempotency key so that the same submission is never paid twice.

Revision ID: 0012_ledger_keys
Revises: 0011_jurisdictions
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from landrenew.core.store.types import JsonType

revision: str = "0012_ledger_keys"
down_revision: str | None = "0011_jurisdictions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("ledger_records") as batch:
        batch.alter_column("project_id", existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column("key_id", sa.String(16), nullable=True))
        batch.add_column(sa.Column("signature", sa.String(128), nullable=True))
    op.create_table(
        "ledger_checkpoints",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("made_at", sa.DateTime(), nullable=False),
        sa.Column("made_by", sa.String(128), nullable=False),
        sa.Column("ledgers", JsonType, nullable=False),
        sa.Column("key_id", sa.String(16), nullable=False),
        sa.Column("signature", sa.String(128), nullable=False),
    )
    with op.batch_alter_table("finance_records") as batch:
        batch.add_column(sa.Column("idempotency_key", sa.String(128), nullable=True))
    op.create_index("ux_finance_idempotency", "finance_records",
                    ["project_id", "kind", "idempotency_key"], unique=True)


def downgrade() -> None:
    op.drop_index("ux_finance_idempotency", table_name="finance_records")
    with op.batch_alter_table("finance_records") as batch:
        batch.drop_column("idempotency_key")
    op.drop_table("ledger_checkpoints")
    with op.batch_alter_table("ledger_records") as batch:
        batch.drop_column("signature")
        batch.drop_column("key_id")
        batch.alter_column("project_id", existing_type=sa.Integer(), nullable=False)
