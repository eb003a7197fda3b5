"""Rendering pages (页面渲染): one Jinja2 environment per language, with Babel's gettext.

Every page gets ``_`` (gettext), ``locale``, ``user`` (or None), ``csrf`` (the session's CSRF
token for forms and htmx headers) and ``path``. Templates autoescape; nothing a user typed is
marked safe.
"""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction
from functools import cache
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from landrenew.core import auth
from landrenew.core.access import ROLES, NotAuthenticated, Principal
from landrenew.core.clock import city_time_text
from landrenew.core.said import text_said
from landrenew.web import i18n


@cache
def environment(locale: str) -> Environment:
    env = Environment(loader=PackageLoader("landrenew.web", "templates"),
                      autoescape=select_autoescape(["html"]), extensions=["jinja2.ext.i18n"],
                      trim_blocks=True, lstrip_blocks=True)
    env.install_gettext_translations(i18n.translations(locale), newstyle=True)  # type: ignore[attr-defined]
    env.filters["num"] = number
    env.filters["tojson_attr"] = lambda v: json.dumps(v, ensure_ascii=False, default=str)
    env.filters["when"] = city_time_text
    env.filters["yuan"] = yuan_text
    env.filters["wan"] = wan_text
    env.filters["pct"] = percent_text
    env.filters["said"] = lambda value: text_said(value, locale)
    return env


def number(value: Any, digits: int = 2) -> str:
    """Thousands separators, fixed decimals; blank for None."""
    if value is None:
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    try:
        return f"{float(value):,.{digits}f}"
    except (TypeError, ValueError):
        return str(value)


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value).replace(",", ""))
    except InvalidOperation:
        return None


def yuan_text(value: Any) -> str:
    """An amount in yuan with thousands separators and the fen: ``1,234,567.89``."""
    amount = _decimal(value)
    return "" if amount is None else f"{amount.quantize(Decimal('0.01')):,}"


def wan_text(value: Any, digits: int = 2) -> str:
    """An amount in yuan shown in 万元 (ten-thousand yuan): ``123.46``."""
    amount = _decimal(value)
    if amount is None:
        return ""
    return f"{(amount / 10_000).quantize(Decimal(1).scaleb(-digits), ROUND_HALF_UP):,}"


def percent_text(value: Any, digits: int = 2) -> str:
    """A share or rate (``0.05``, ``"1/3"``, ``"5%"``) as a percentage: ``5 %``, ``33.33 %``."""
    if value is None or value == "":
        return ""
    text = str(value).strip()
    try:
        ratio = (Fraction(text[:-1]) / 100 if text.endswith("%") else Fraction(text))
    except (ValueError, ZeroDivisionError):
        return text
    pct = Decimal(ratio.numerator * 100) / Decimal(ratio.denominator)
    shown = pct.quantize(Decimal(1).scaleb(-digits), ROUND_HALF_UP).normalize()
    return f"{shown:f} %"


def locale_of(request: Request) -> str:
    return i18n.negotiate(request.query_params.get("lang"), request.cookies.get(i18n.LANG_COOKIE))


def csrf_of(request: Request) -> str | None:
    settings = request.app.state.settings
    session = request.cookies.get(settings.cookie_name)
    if not session:
        return None
    try:
        return auth.csrf_token(settings, session)
    except NotAuthenticated:  # an expired or foreign cookie: the page shows "log in" instead
        return None


def render(request: Request, template: str, context: dict[str, Any] | None = None, *,
           user: Principal | None = None, status_code: int = 200) -> HTMLResponse:
    locale = locale_of(request)
    env = environment(locale)
    ctx = {"request": request, "locale": locale, "user": user, "csrf": csrf_of(request),
           "path": request.url.path, "role_names": ROLES, "i18n": i18n}
    ctx.update(context or {})
    html = env.get_template(template).render(ctx)
    return HTMLResponse(html, status_code=status_code,
                        headers={"Content-Language": locale.replace("_", "-")})
