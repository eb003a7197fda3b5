"""Storage (数据存储): SQLite file (embedded default) or PostgreSQL + PostGIS (server)."""

from landrenew.core.store.engine import (
    Store,
    get_setting,
    lock_for_write,
    put_setting,
    refusal_of,
    upsert,
    utcnow,
)

__all__ = ["Store", "get_setting", "lock_for_write", "put_setting", "refusal_of", "upsert", "utcnow"]
