"""What an error says, in the reader's language (错误信息目录).

The code raises its errors and records its import problems in English, as templates filled with
values (``"'{value}' is not a day (YYYY-MM-DD)"``). The error catalogue
(``core/translations/<locale>/LC_MESSAGES/errors.po``, read with Babel) holds each template once
with its translation, placeholders by name. :func:`say` finds the template a message was made
from — the literal text around the values — and fills the translation with the same values, so
that a page, the API's ``message_zh`` and the command line say it in Chinese while the English
stays what logs and tests read. A message no template matches is said as it is (in English)
rather than guessed at; ``tests/core/test_said.py`` keeps the catalogue in step with every
literal message of the code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po

from landrenew.core.errors import LandrenewError, Problem

CATALOGUE_DIR = Path(__file__).parent / "translations"
DEFAULT_LOCALE = "zh_CN"
_PLACE = re.compile(r"\{(\w+)\}")
_PIECES = re.compile(r"(\{\{|\}\}|\{\w+\})")


@dataclass(frozen=True)
class Entry:
    """One template of the catalogue: its pattern over finished messages and its translation."""

    msgid: str
    said: str
    pattern: re.Pattern[str]
    names: tuple[str, ...]
    anchor: str  # the longest literal piece: a cheap test before the pattern
    weight: int  # how much literal text it has: the more, the more specific


def po_path(locale: str) -> Path:
    return CATALOGUE_DIR / locale / "LC_MESSAGES" / "errors.po"


@cache
def catalogue(locale: str) -> dict[str, str]:
    """``{template: translation}`` of ``locale`` (empty for English, the templates' language)."""
    path = po_path(locale)
    if not path.exists():
        return {}
    with path.open("rb") as fh:
        po = read_po(fh, locale=locale)
    return {str(m.id): str(m.string) for m in po if m.id and m.string}


def _entry(msgid: str, said: str) -> Entry | None:
    literal: list[str] = []
    regex: list[str] = []
    names: list[str] = []
    for piece in _PIECES.split(msgid):
        if piece in ("{{", "}}"):
            literal.append(piece[0])
            regex.append(re.escape(piece[0]))
        elif _PLACE.fullmatch(piece):
            names.append(piece[1:-1])
            regex.append(f"(?P<p{len(names)}>.*?)")
        elif piece:
            literal.append(piece)
            regex.append(re.escape(piece))
    text = "".join(literal).strip()
    if not text:
        return None  # a message that is only values says nothing of its own
    anchor = max(literal, key=len)
    return Entry(msgid, said, re.compile("^" + "".join(regex) + "$", re.DOTALL), tuple(names),
                 anchor, len(text))


@cache
def entries(locale: str) -> tuple[Entry, ...]:
    """The catalogue's templates, most specific first."""
    made = (_entry(msgid, said) for msgid, said in catalogue(locale).items())
    return tuple(sorted((e for e in made if e), key=lambda e: -e.weight))


def _fill(said: str, names: tuple[str, ...], values: tuple[str, ...]) -> str:
    by_name = dict(zip(names, values, strict=True))

    def put(match: re.Match[str]) -> str:
        token = match.group(0)
        if token in ("{{", "}}"):
            return token[0]
        return by_name.get(token[1:-1], token)
    return _PIECES.sub(put, said)


@cache
def say(message: str, locale: str = DEFAULT_LOCALE) -> str:
    """``message`` (English, as the code made it) in ``locale``; as it is where no template of
    the catalogue made it."""
    for entry in entries(locale):
        if entry.anchor not in message:
            continue
        match = entry.pattern.match(message)
        if match:
            values = tuple(say(v, locale) if v else v for v in match.groups())
            return _fill(entry.said, entry.names, values)
    return message


def _where(locale: str, file: Any, row: Any, field: str | None) -> str:
    if locale == "en":
        parts = [str(file)] if file else []
        parts += [f"row {row}"] if row is not None else []
        parts += [f"field '{field}'"] if field else []
        return ", ".join(parts) + ": " if parts else ""
    parts = [f"文件 {file}"] if file else []
    parts += [f"第 {row} 行"] if row is not None else []
    parts += [f"字段“{field}”"] if field else []
    return "，".join(parts) + "：" if parts else ""


def said(error: LandrenewError, locale: str = DEFAULT_LOCALE) -> str:
    """An error as its reader reads it: where (file, row, field) and what, in ``locale``."""
    return _where(locale, error.file, error.row, error.field) + say(error.message, locale)


def problem_said(problem: Problem, locale: str = DEFAULT_LOCALE) -> str:
    """An import problem's message in ``locale`` (its file, row and field are columns)."""
    return say(problem.message, locale)


def text_said(value: Any, locale: str = DEFAULT_LOCALE) -> str:
    """For the pages: an error, a problem or a message text, in ``locale``."""
    if isinstance(value, LandrenewError):
        return said(value, locale)
    if isinstance(value, Problem):
        return problem_said(value, locale)
    return "" if value is None else say(str(value), locale)
