"""The city's clock (城市时间): the day every decision, report and file name is dated by, and the
time every page, table and history shows (北京时间).

The cities keep China Standard Time whatever zone the server's clock is kept in; the store keeps
times as naive UTC."""

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


def city_time(at: dt.datetime | str | None) -> dt.datetime | None:
    """A stored time (naive UTC, or ISO text of one, or an aware time) in the city's zone."""
    if at is None or at == "":
        return None
    if isinstance(at, str):
        at = dt.datetime.fromisoformat(at)
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    return at.astimezone(CITY_TZ)


def city_time_text(at: dt.datetime | str | None, *, seconds: bool = True) -> str:
    """``2026-12-04 18:30:05`` in Beijing time (blank for no time)."""
    local = city_time(at)
    if local is None:
        return ""
    return local.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def day_start_utc(day: dt.date) -> dt.datetime:
    """The stored (naive UTC) time at which ``day`` begins in the city."""
    start = dt.datetime.combine(day, dt.time(), CITY_TZ)
    return start.astimezone(dt.UTC).replace(tzinfo=None)
