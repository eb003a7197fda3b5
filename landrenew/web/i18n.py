"""Page languages (界面语言): zh-CN by default, English on request, from Babel catalogues.

Message ids in templates and code are English; ``translations/<locale>/LC_MESSAGES/messages.po``
holds each language's text. The ``.po`` files are read with Babel at start (no compiled ``.mo``
to keep in step), and a test checks that every message the templates use has a Chinese
translation. Domain labels (categories, flags, zone kinds, land classes) come from the rule
pack's own ``{zh, en}`` labels, not from the catalogue.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALES = ("zh_CN", "en")
DEFAULT_LOCALE = "zh_CN"
LANG_COOKIE = "landrenew_lang"
TRANSLATIONS_DIR = Path(__file__).parent / "translations"


def po_path(locale: str) -> Path:
    return TRANSLATIONS_DIR / locale / "LC_MESSAGES" / "messages.po"


@cache
def translations(locale: str) -> Translations:
    """The catalogue of ``locale`` as gettext translations (English ids pass through)."""
    path = po_path(locale)
    if not path.exists():
        return Translations()
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=locale)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return Translations(buf)


def negotiate(requested: str | None, cookie: str | None) -> str:
    """``?lang=`` wins, then the language cookie, else zh-CN (the bureaus' language)."""
    for value in (requested, cookie):
        if value:
            norm = value.replace("-", "_")
            for loc in LOCALES:
                if norm.lower() == loc.lower() or norm.lower().split("_")[0] == loc.lower():
                    return loc
    return DEFAULT_LOCALE


def label(labels: dict[str, str] | None, locale: str, fallback: str = "") -> str:
    """A rule pack ``{zh, en}`` label in the page language."""
    if not labels:
        return fallback
    return labels.get("en" if locale == "en" else "zh") or fallback
