"""Settings in one typed object (环境配置), read from ``LANDRENEW_*`` variables and validated at start."""

from __future__ import annotations

import getpass
from functools import lru_cache

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///landrenew.db"


def _default_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # pragma: no cover - no login name in some containers
        return "unknown"


class Settings(BaseSettings):
    """Everything that changes between deployments.

    ``database_url``: ``sqlite:///path.db`` (embedded default) or
    ``postgresql+psycopg://user@host/db`` (PostGIS server).
    ``projected_crs``: the city's projected CGCS2000 Gauss-Krüger CRS for areas (e.g.
    ``EPSG:4547``); when unset it is chosen from the data's extent at the first import and kept in
    the database.
    ``user``: the name recorded as ``changed_by`` for work done from the command line.
    """

    model_config = SettingsConfigDict(env_prefix="LANDRENEW_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    projected_crs: str | None = None
    user: str = Field(default_factory=_default_user)
    mode: str = "development"

    @field_validator("mode")
    @classmethod
    def _mode(cls, v: str) -> str:
        if v not in {"development", "production", "test"}:
            raise ValueError("mode must be development, production or test")
        return v


@lru_cache
def get_settings() -> Settings:
    return Settings()
