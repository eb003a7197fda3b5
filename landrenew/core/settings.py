"""Settings in one typed object (环境配置), read from ``LANDRENEW_*`` variables and validated at start."""

from __future__ import annotations

import getpass
import ipaddress
from functools import lru_cache
from typing import Annotated, Any

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///landrenew.db"
#: The development secret: fine on a laptop, refused in production mode.
DEV_SECRET_KEY = "dev-insecure-secret-change-me-before-use"
MIN_SECRET_LENGTH = 32


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

    Platform (平台) settings: ``secret_key`` signs tokens (HS256) and must be set — at least 32
    characters, not the development default — when ``mode`` is ``production``;
    ``token_minutes`` is the lifetime of API tokens and session cookies; ``cookie_*`` shape the
    session cookie; ``login_max_failures`` failed logins per user and address within
    ``login_window_seconds`` make further attempts answer 429; ``tianditu_token`` is the key for
    天地图 base maps (optional; pages fall back to a plain background without it);
    ``basemap_file`` (a PMTiles or MBTiles file) or ``basemap_url`` (an intranet XYZ/WMTS
    service, ``{z}/{x}/{y}`` in the URL) give an intranet base map served by the app at
    ``/basemap/{z}/{x}/{y}``, credited with ``basemap_attribution``; without them and without a
    Tianditu key the map draws a plain style from the districts and zones;
    ``public_layers`` names the layers the anonymous public may read (:mod:`landrenew.serving.layers`:
    default the parcels and the districts; every other layer answers 401 to the public on
    ``/ogc``, ``/tiles`` and ``/api`` alike);
    ``warm_on_start`` has each server process read, just after it starts, what the city's lists
    ask of every page (the latest run, the parcel count, the paging anchors), so that the first
    requests do not wait for it.
    ``trusted_proxies``: the addresses or networks (CIDR) of the reverse proxies in front of the
    server, separated by commas; only a request coming from one of them has its
    ``X-Forwarded-For``/``X-Forwarded-Proto`` believed (the login limit counts by the client's
    address). Default none: the headers are ignored.
    ``page_store_mb`` bounds the shared page store in the database (the oldest pages go first).
    ``rules_path``: directories (separated by ``:``) holding the bureau's own rule packs
    (规则包), read besides the packs shipped with the package; a pack there with the same id and a
    higher version replaces the shipped one.

    Ledger (台账) settings: ``ledger_key_file`` is the Ed25519 private key (PEM, made by
    ``landrenew ledger keygen``) that signs every ledger record and checkpoint; keep it outside
    the database and its backups, readable by the server only. ``ledger_public_keys``: public
    keys (files separated by ``:``) of earlier keys whose signatures stay valid.
    ``ledger_checkpoint_file``: a file outside the database (made append-only by the system,
    e.g. ``chattr +a``) to which every signed record head and checkpoint is appended; verification
    then finds records removed from the database even when their audit events and checkpoints
    were removed too. Production mode requires ``ledger_key_file``.
    """

    model_config = SettingsConfigDict(env_prefix="LANDRENEW_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    projected_crs: str | None = None
    user: str = Field(default_factory=_default_user)
    mode: str = "development"

    secret_key: str = DEV_SECRET_KEY
    token_minutes: int = Field(default=480, ge=1, le=60 * 24 * 30)
    cookie_name: str = "landrenew_session"
    cookie_secure: bool = False
    cookie_samesite: str = "lax"
    csrf_cookie_name: str = "landrenew_csrf"
    login_max_failures: int = Field(default=5, ge=1)
    login_window_seconds: int = Field(default=300, ge=1)
    tianditu_token: str | None = None
    #: The layers the anonymous public reads (``parcels``, ``districts``, zone kinds, or ``*``),
    #: separated by commas: one setting for the OGC API, the tiles and the REST API alike.
    #: The intranet base map (serving/basemap.py): a ``.pmtiles``/``.mbtiles`` file, or an
    #: XYZ/WMTS URL template with {z} {x} {y} that the app fetches for the browser.
    basemap_file: str | None = None
    basemap_url: str | None = None
    basemap_attribution: str | None = None
    public_layers: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["parcels", "districts"])
    warm_on_start: bool = True
    rules_path: str | None = None
    ledger_key_file: str | None = None
    ledger_public_keys: str | None = None
    ledger_checkpoint_file: str | None = None
    #: The largest parcel file accepted by upload (API and page); larger ones go by the CLI.
    trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=list)
    page_store_mb: int = Field(default=512, ge=1)
    max_upload_mb: int = Field(default=512, ge=1)
    #: Jobs making tiles or pages at once per server process (api/making.py).
    makers: int = Field(default=4, ge=1, le=64)
    #: Bounds of the serving caches (serving/caches.py), in MB or items.
    tile_cache_mb: int = Field(default=256, ge=0)
    list_page_cache_mb: int = Field(default=64, ge=0)
    ogc_page_cache_mb: int = Field(default=256, ge=0)
    feature_cache_mb: int = Field(default=256, ge=0)
    count_cache_items: int = Field(default=4096, ge=1)
    memo_cache_items: int = Field(default=1024, ge=1)

    @field_validator("mode")
    @classmethod
    def _mode(cls, v: str) -> str:
        if v not in {"development", "production", "test"}:
            raise ValueError("mode must be development, production or test")
        return v

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _proxies(cls, v: Any) -> list[str]:
        items = [p.strip() for p in v.split(",")] if isinstance(v, str) else list(v or [])
        out = []
        for item in filter(None, items):
            try:
                out.append(str(ipaddress.ip_network(item, strict=False)))
            except ValueError as exc:
                raise ValueError(f"trusted_proxies: '{item}' is not an address or a network "
                                 "(CIDR)") from exc
        return out

    @field_validator("public_layers", mode="before")
    @classmethod
    def _layers(cls, v: Any) -> list[str]:
        items = v.split(",") if isinstance(v, str) else list(v or [])
        return [str(i).strip() for i in items if str(i).strip()]

    @field_validator("cookie_samesite")
    @classmethod
    def _samesite(cls, v: str) -> str:
        if v.lower() not in {"lax", "strict"}:
            raise ValueError("cookie_samesite must be lax or strict")
        return v.lower()

    @property
    def secure_cookies(self) -> bool:
        """Cookies only over HTTPS: always in production mode, else as ``cookie_secure`` says."""
        return self.cookie_secure or self.mode == "production"

    @model_validator(mode="after")
    def _production_secret(self) -> Settings:
        if self.mode == "production":
            insecure = [n for n, bad in (
                ("secret_key", self.secret_key.strip() in ("", DEV_SECRET_KEY)
                 or len(self.secret_key.strip()) < MIN_SECRET_LENGTH),
            ) if bad]
            if insecure:
                raise ValueError(
                    "production mode refuses the default or an empty/short secret_key: set "
                    f"LANDRENEW_SECRET_KEY to at least {MIN_SECRET_LENGTH} random characters "
                    "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(48))'`)")
            if not self.ledger_key_file:
                raise ValueError(
                    "production mode needs a ledger signing key: make one with `landrenew "
                    "ledger keygen FILE` outside the database and set LANDRENEW_LEDGER_KEY_FILE")
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()


def process_settings() -> Settings:
    """The settings for what a process sizes when a module is imported (its caches, its makers):
    the deployment's, or the
    defaults when the deployment's are refused (the refusal is reported where the settings are
    used — ``landrenew serve`` and every command — not by an import)."""
    try:
        return get_settings()
    except ValidationError:
        return Settings.model_construct()
