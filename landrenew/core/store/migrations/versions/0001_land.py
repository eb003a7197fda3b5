"""Land database: districts, survey batches, versioned parcels and zones, settings, audit.

Revision ID: 0001_land
Revises:
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from landrenew.core.store.types import Geometry, JsonType

revision: str = "0001_land"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _version_columns() -> list[sa.Column]:
    return [
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.DateTime(), nullable=False),
        sa.Column("valid_to", sa.DateTime(), nullable=True),
        sa.Column("changed_by", sa.String(128), nullable=False),
        sa.Column("reason", sa.Text()),
        sa.Column("operation", sa.String(16), nullable=False),
        sa.Column("is_deleted", sa.Boolean(), nullable=False),
        sa.Column("content_hash", sa.String(64)),
    ]


def _bbox_columns() -> list[sa.Column]:
    return [sa.Column(c, sa.Float()) for c in ("minx", "miny", "maxx", "maxy")]


def _spatial_index(table: str, column: str, key: str) -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.create_index(f"ix_{table}_{column}_gist", table, [column], postgresql_using="gist")
    else:
        rtree = f"{table}_rtree"
        # Filled by landrenew.core.store.bulk after each load (one pass, much faster than a
        # per-row trigger); deletions of rows are mirrored by the trigger below.
        op.execute(f"CREATE VIRTUAL TABLE {rtree} USING rtree({key}, minx, maxx, miny, maxy)")
        op.execute(
            f"CREATE TRIGGER {table}_rtree_del AFTER DELETE ON {table} BEGIN "
            f"DELETE FROM {rtree} WHERE {key} = OLD.{key}; END"
        )


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS postgis")

    op.create_table(
        "city_settings",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.String(128), nullable=False),
    )
    op.create_table(
        "districts",
        sa.Column("code", sa.String(12), primary_key=True),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("boundary", Geometry()),
        sa.Column("area_m2", sa.Float()),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.String(128), nullable=False),
        *_bbox_columns(),
    )
    op.create_table(
        "survey_batches",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(128), nullable=False, unique=True),
        sa.Column("district_code", sa.String(12)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("submitted_by", sa.String(128), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=False),
        sa.Column("source_file", sa.Text()),
        sa.Column("parcel_count", sa.Integer(), nullable=False),
        sa.Column("reviewed_by", sa.String(128)),
        sa.Column("reviewed_at", sa.DateTime()),
        sa.Column("decided_by", sa.String(128)),
        sa.Column("decided_at", sa.DateTime()),
        sa.Column("reasons", JsonType),
    )
    money = sa.Numeric(18, 6)
    op.create_table(
        "parcel_versions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("parcel_code", sa.String(64), nullable=False),
        sa.Column("district_code", sa.String(12)),
        sa.Column("land_use", sa.String(16)),
        sa.Column("planned_use", sa.String(16)),
        sa.Column("planned_far", sa.Float()),
        sa.Column("floor_area_m2", sa.Float()),
        sa.Column("footprint_m2", sa.Float()),
        sa.Column("building_year", sa.Integer()),
        sa.Column("safety_grade", sa.String(1)),
        sa.Column("industry_code", sa.String(8)),
        sa.Column("tax_10k_yuan", money),
        sa.Column("output_10k_yuan", money),
        sa.Column("investment_10k_yuan", money),
        sa.Column("approved_on", sa.Date()),
        sa.Column("supplied_on", sa.Date()),
        sa.Column("agreed_start_on", sa.Date()),
        sa.Column("started_on", sa.Date()),
        sa.Column("developed_ratio", sa.Float()),
        sa.Column("invested_ratio", sa.Float()),
        sa.Column("stopped_since", sa.Date()),
        sa.Column("right_holder", sa.Text()),
        sa.Column("attributes", JsonType),
        sa.Column("area_m2", sa.Float()),
        sa.Column("geom", Geometry()),
        sa.Column("batch_id", sa.Integer(), sa.ForeignKey("survey_batches.id")),
        *_version_columns(),
        *_bbox_columns(),
    )
    current = sa.text("valid_to IS NULL")
    op.create_index(
        "uq_parcel_current", "parcel_versions", ["parcel_code"], unique=True,
        sqlite_where=current, postgresql_where=current,
    )
    op.create_index("ix_parcel_code_from", "parcel_versions", ["parcel_code", "valid_from"])
    op.create_index(
        "ix_parcel_current_district", "parcel_versions", ["district_code"],
        sqlite_where=current, postgresql_where=current,
    )
    _spatial_index("parcel_versions", "geom", "id")

    op.create_table(
        "zone_layers",
        sa.Column("kind", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("source", sa.Text()),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.Column("imported_by", sa.String(128), nullable=False),
        sa.Column("feature_count", sa.Integer(), nullable=False),
    )
    op.create_table(
        "zone_versions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("zone_code", sa.String(128), nullable=False),
        sa.Column("kind", sa.String(64), sa.ForeignKey("zone_layers.kind"), nullable=False),
        sa.Column("name", sa.String(256)),
        sa.Column("attributes", JsonType),
        sa.Column("area_m2", sa.Float()),
        sa.Column("geom", Geometry()),
        *_version_columns(),
        *_bbox_columns(),
    )
    op.create_index(
        "uq_zone_current", "zone_versions", ["kind", "zone_code"], unique=True,
        sqlite_where=current, postgresql_where=current,
    )
    op.create_index("ix_zone_code_from", "zone_versions", ["kind", "zone_code", "valid_from"])
    _spatial_index("zone_versions", "geom", "id")

    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("entity_type", sa.String(64), nullable=False),
        sa.Column("entity_id", sa.String(128)),
        sa.Column("reason", sa.Text()),
        sa.Column("before", JsonType),
        sa.Column("after", JsonType),
    )
    op.create_index("ix_audit_events_at", "audit_events", ["at"])


def downgrade() -> None:
    bind = op.get_bind()
    for table in ("parcel_versions", "zone_versions"):
        if bind.dialect.name == "sqlite":
            op.execute(f"DROP TRIGGER IF EXISTS {table}_rtree_del")
            op.execute(f"DROP TABLE IF EXISTS {table}_rtree")
    for table in (
        "audit_events", "zone_versions", "zone_layers", "parcel_versions",
        "survey_batches", "districts", "city_settings",
    ):
        op.drop_table(table)
