"""Security headers (安全响应头) on every answer, by the maintained ``secure`` middleware.

The pages load nothing from elsewhere (MapLibre, ECharts and htmx are served from /static), run
no inline script (the only inline ``<script>`` elements hold JSON data, which a browser does not
execute) and carry no inline style (legend colours are set by /static/swatches.js), so the
Content Security Policy allows only this site: ``'self'``, plus ``blob:`` workers and
``data:``/``blob:`` images for MapLibre, plus 天地图's servers when a Tianditu key is set. No
page may be framed (``frame-ancestors 'none'`` and ``X-Frame-Options: DENY``), nothing is
sniffed, and the referrer leaves this site as the origin only.

HSTS is sent only in production mode and only on an HTTPS request (the scheme as the client used
it: a trusted proxy's ``X-Forwarded-Proto`` counts, see :func:`landrenew.server.create_app`),
so that a plain-HTTP intranet test server is never pinned to HTTPS.
"""

from __future__ import annotations

from secure import (
    ContentSecurityPolicy,
    CrossOriginOpenerPolicy,
    ReferrerPolicy,
    Secure,
    StrictTransportSecurity,
    XContentTypeOptions,
    XFrameOptions,
)
from secure.middleware import SecureASGIMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from landrenew.core.settings import Settings

#: Where 天地图 (Tianditu) base-map tiles come from, when a key is configured.
TIANDITU = "https://*.tianditu.gov.cn"
HSTS_SECONDS = 365 * 24 * 3600


def policy(settings: Settings) -> ContentSecurityPolicy:
    """The pages' Content Security Policy for these settings."""
    remote = (TIANDITU,) if settings.tianditu_token else ()
    return (ContentSecurityPolicy()
            .default_src("'self'")
            .script_src("'self'")
            .style_src("'self'")
            .img_src("'self'", "data:", "blob:", *remote)
            .connect_src("'self'", *remote)
            .worker_src("'self'", "blob:")
            .child_src("'self'", "blob:")
            .font_src("'self'")
            .object_src("'none'")
            .base_uri("'self'")
            .form_action("'self'")
            .frame_ancestors("'none'"))


def headers(settings: Settings, *, hsts: bool) -> Secure:
    """Every security header, with HSTS or without."""
    return Secure(
        csp=policy(settings),
        xcto=XContentTypeOptions(),
        xfo=XFrameOptions().deny(),
        referrer=ReferrerPolicy().strict_origin_when_cross_origin(),
        coop=CrossOriginOpenerPolicy().same_origin(),
        hsts=StrictTransportSecurity().max_age(HSTS_SECONDS) if hsts else None,
    )


class SecurityHeaders:
    """Pure ASGI: the ``secure`` middleware with HSTS for HTTPS requests in production mode,
    without it otherwise."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.plain = SecureASGIMiddleware(app, secure=headers(settings, hsts=False))
        self.tls = (SecureASGIMiddleware(app, secure=headers(settings, hsts=True))
                    if settings.mode == "production" else self.plain)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        chosen = self.tls if scope.get("scheme") == "https" else self.plain
        await chosen(scope, receive, send)  # type: ignore[arg-type]  # secure types it object
