"""The service's notion of "today" in Helsinki time; one place to ask for it."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

HELSINKI = ZoneInfo("Europe/Helsinki")


def now_local() -> datetime:
    return datetime.now(HELSINKI)


def today() -> date:
    return now_local().date()
