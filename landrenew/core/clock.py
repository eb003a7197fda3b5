"""The city's clock (城市时间): the day every decision, report and file name is dated by.

Jiangmen keeps China Standard Time whatever zone the server's clock is kept in."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

CITY_TZ = ZoneInfo("Asia/Shanghai")


def city_today() -> dt.date:
    """Today in the city (China Standard Time), whatever the machine's clock zone: the day that
    :func:`~landrenew.core.store.versions.as_of_cutoff` ends at midnight there. On a server kept
    in UTC, ``date.today()`` is still yesterday from 00:00 to 08:00 in the city, and data loaded
    then lies after its end."""
    return dt.datetime.now(CITY_TZ).date()
