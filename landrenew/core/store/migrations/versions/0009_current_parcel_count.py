"""Indexes of the current parcels that hold ``is_deleted``, so that the busiest reads of the
current, not deleted parcels use the index alone instead of a lookup of every row:

- ``ix_parcel_current_live`` (district, is_deleted) replaces the district index: counting them (a
  list's ``total``, OGC ``numberMatched``) on a million parcels, 270 → 70 ms on SQLite;
- ``ix_parcel_current_code`` (code, is_deleted): the ids of a page in code order, and the code
  anchors of deep ``offset`` pages (1.3 → 0.8 s on SQLite, 0.74 → 0.39 s on PostgreSQL).

Revision ID: 0009_current_parcel_count
Revises: 0008_page_store
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_current_parcel_count"
down_revision: str | None = "0008_page_store"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CURRENT = sa.text("valid_to IS NULL")


def upgrade() -> None:
    op.create_index("ix_parcel_current_live", "parcel_versions", ["district_code", "is_deleted"],
                    sqlite_where=CURRENT, postgresql_where=CURRENT)
    op.drop_index("ix_parcel_current_district", table_name="parcel_versions")
    op.create_index("ix_parcel_current_code", "parcel_versions", ["parcel_code", "is_deleted"],
                    sqlite_where=CURRENT, postgresql_where=CURRENT)


def downgrade() -> None:
    op.drop_index("ix_parcel_current_code", table_name="parcel_versions")
    op.create_index("ix_parcel_current_district", "parcel_versions", ["district_code"],
                    sqlite_where=CURRENT, postgresql_where=CURRENT)
    op.drop_index("ix_parcel_current_live", table_name="parcel_versions")
