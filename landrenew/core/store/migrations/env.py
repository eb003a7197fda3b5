"""Alembic environment: the connection is handed in by :mod:`landrenew.core.store.migrate`."""

from __future__ import annotations

from alembic import context

from landrenew.core.store.models import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - always called through landrenew.core.store.migrate
    raise RuntimeError("run migrations with `landrenew db upgrade`")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
