"""Helsinki wall-clock time in forms and pages, aware UTC in the database."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from pdservice.clock import HELSINKI


def to_utc(day: date, at: time) -> datetime:
    """A Helsinki wall-clock date and time as an aware UTC datetime (DST handled by zoneinfo;
    a time that does not exist on the day the clocks go forward moves one hour on)."""
    return datetime.combine(day, at, HELSINKI).astimezone(UTC)


def local_to_utc(value: datetime) -> datetime:
    """A naive Helsinki datetime (from a datetime-local input) as aware UTC."""
    if value.tzinfo is not None:
        return value.astimezone(UTC)
    return value.replace(tzinfo=HELSINKI).astimezone(UTC)


def local(value: datetime) -> datetime:
    return value.astimezone(HELSINKI)


def local_date(value: datetime) -> date:
    return value.astimezone(HELSINKI).date()


def day_start_utc(day: date) -> datetime:
    return to_utc(day, time(0, 0))
