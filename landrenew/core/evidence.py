"""Evidence in ledgers (证据材料): the one check of an evidence file's SHA-256, and of the day a
record says it was signed or held."""

from __future__ import annotations

import datetime as dt
import re

from landrenew.core.clock import city_today
from landrenew.core.errors import InputError

#: A SHA-256 digest as 64 hexadecimal digits (either case).
SHA256_HEX = re.compile(r"[0-9a-fA-F]{64}")


def is_sha256(value: str) -> bool:
    # fullmatch: with match and ``$``, a digest followed by a newline passed (``$`` also
    # matches before a final newline), and PostgreSQL then refused the 65 characters
    return SHA256_HEX.fullmatch(value) is not None


def check_evidence(evidence_sha256: str | None, field: str = "evidence_sha256") -> None:
    """Refuse an evidence digest that is not 64 hexadecimal digits (None: no file given)."""
    if evidence_sha256 is not None and not is_sha256(evidence_sha256):
        raise InputError(f"{field} must be 64 hex digits", field=field)


def check_not_future(day: dt.date, field: str) -> None:
    """Refuse a record's day later than tomorrow in the city (a day's leeway for clocks and
    time zones; the city's day, not the server's: on a server kept in UTC they differ from
    00:00 to 08:00 in the city)."""
    if day > city_today() + dt.timedelta(days=1):
        raise InputError(f"{field} {day} is in the future", field=field)
