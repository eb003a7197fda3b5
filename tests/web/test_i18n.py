"""Page languages: every message the pages use has its Chinese text; English passes through."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from landrenew.web import i18n

WEB = Path(i18n.__file__).parent
METHODS = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
OPTIONS = {"**/templates/**.html": {"trim_blocks": "true", "lstrip_blocks": "true"}}


def used_messages() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _ctx in extract_from_dir(
            WEB, METHODS, options_map=OPTIONS, keywords={"_": None, "gettext": None, "t": (2,)}):
        found.add(message if isinstance(message, str) else message[0])
    return {m for m in found if m}


def catalogue(locale: str) -> dict[str, str]:
    with i18n.po_path(locale).open("rb") as fh:
        return {m.id: m.string for m in read_po(fh) if m.id}


def test_every_page_message_has_its_chinese_text() -> None:
    used = used_messages()
    assert len(used) > 100  # the extraction really read the templates
    zh = catalogue("zh_CN")
    missing = sorted(m for m in used if not zh.get(m))
    assert missing == [], f"no Chinese text for {missing}: run `make messages` and translate"
    unused = sorted(set(zh) - used)
    assert unused == [], f"catalogue entries no page uses: {unused}"


def test_placeholders_survive_translation() -> None:
    import re

    for msgid, text in catalogue("zh_CN").items():
        assert sorted(re.findall(r"%\(\w+\)s", msgid)) == sorted(re.findall(r"%\(\w+\)s", text)), msgid


def test_language_negotiation() -> None:
    assert i18n.negotiate(None, None) == "zh_CN"
    assert i18n.negotiate("en", None) == "en"
    assert i18n.negotiate("en-GB", "zh_CN") == "en"
    assert i18n.negotiate(None, "en") == "en"
    assert i18n.negotiate("fr", None) == "zh_CN"
    assert i18n.translations("zh_CN").gettext("Dashboard") == "统计看板"
    assert i18n.translations("en").gettext("Dashboard") == "Dashboard"
