"""Instants in API answers (时间戳): ISO 8601 in UTC with ``Z`` (``2025-06-30T08:15:00Z``).

Times are stored as naive UTC (:func:`landrenew.core.store.utcnow`); an answer says so, so that
no client reads them as local time. UTC with ``Z`` is the one form the OGC answers
(``timeStamp``) and every JSON answer share; pages show Beijing time (:mod:`landrenew.core.clock`).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import PlainSerializer, WithJsonSchema


def utc_text(value: dt.datetime) -> str:
    """A stored (naive UTC) or aware time as ISO 8601 UTC ending in ``Z``."""
    aware = value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
    return aware.isoformat().replace("+00:00", "Z")


#: A time in an answer: a datetime in Python, ``…Z`` text in JSON.
Instant = Annotated[dt.datetime, PlainSerializer(utc_text, return_type=str, when_used="json"),
                    WithJsonSchema({"type": "string", "format": "date-time"})]
