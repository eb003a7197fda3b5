"""The page store's pages are kept as they come, without PostgreSQL's own compression.

A page in ``page_store`` is already gzip (:mod:`landrenew.api.responses`), about 180 kB
for 1000 parcel features. PostgreSQL's default storage for ``bytea`` (``EXTENDED``) still tries
its own compression (pglz) on every value that large before it moves it out of line, and on
gzip output the attempt runs through the whole value before it gives up: storing a page took
6.6 ms, against 2.5 ms with ``EXTERNAL`` storage (out of line, never compressed), measured on
the million-parcel bench city. SQLite has no such setting; there this revision does nothing.

Revision ID: 0010_page_store_uncompressed
Revises: 0009_current_parcel_count
Create Date: 2026-11-23
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010_page_store_uncompressed"
down_revision: str | None = "0009_current_parcel_count"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _storage(kind: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE page_store ALTER COLUMN data SET STORAGE {kind}")


def upgrade() -> None:
    _storage("EXTERNAL")


def downgrade() -> None:
    _storage("EXTENDED")
