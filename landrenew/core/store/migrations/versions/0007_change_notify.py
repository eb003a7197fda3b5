"""Change notifications (变更通知): on PostgreSQL every insert into ``audit_events`` sends
``NOTIFY landrenew_changes``, so each server process learns at once that the data stamp moved
without asking the database on every request (see :mod:`landrenew.core.store.changes`).
SQLite needs nothing: ``PRAGMA data_version`` tells the same.

Revision ID: 0007_change_notify
Revises: 0006_consolidation
Create Date: 2026-11-22
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007_change_notify"
down_revision: str | None = "0006_consolidation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("""
        CREATE OR REPLACE FUNCTION landrenew_notify_change() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('landrenew_changes', '');
            RETURN NULL;
        END;
        $$""")
    op.execute("""
        CREATE TRIGGER audit_events_notify AFTER INSERT ON audit_events
        FOR EACH STATEMENT EXECUTE FUNCTION landrenew_notify_change()""")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS audit_events_notify ON audit_events")
    op.execute("DROP FUNCTION IF EXISTS landrenew_notify_change()")
