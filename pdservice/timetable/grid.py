"""Weekdays and periods: codes, names in the user's language, parsing, the default grid."""

from __future__ import annotations

from datetime import time

from babel.dates import get_day_names
from flask_babel import get_locale

#: Language-neutral day codes by ISO weekday (1 = Monday), used in slot codes ("Mo-1").
DAY_CODES = {1: "Mo", 2: "Tu", 3: "We", 4: "Th", 5: "Fr", 6: "Sa", 7: "Su"}

# How people write weekdays in timetable files: English, Finnish and Swedish, short or long.
_DAY_WORDS = {
    1: ("mo", "mon", "monday", "ma", "maanantai", "må", "mån", "måndag"),
    2: ("tu", "tue", "tuesday", "ti", "tiistai", "tis", "tisdag"),
    3: ("we", "wed", "wednesday", "ke", "keskiviikko", "on", "ons", "onsdag"),
    4: ("th", "thu", "thursday", "to", "torstai", "tor", "torsdag"),
    5: ("fr", "fri", "friday", "pe", "perjantai", "fre", "fredag"),
    6: ("sa", "sat", "saturday", "la", "lauantai", "lö", "lör", "lördag"),
    7: ("su", "sun", "sunday", "sunnuntai", "sö", "sön", "söndag"),
}
DAY_BY_WORD = {word: day for day, words in _DAY_WORDS.items() for word in words}

#: A usual Finnish school day: 45-minute lessons, breaks between, lunch around 11.
DEFAULT_PERIOD_TIMES = (
    (time(8, 15), time(9, 0)),
    (time(9, 10), time(9, 55)),
    (time(10, 10), time(10, 55)),
    (time(11, 35), time(12, 20)),
    (time(12, 30), time(13, 15)),
    (time(13, 25), time(14, 10)),
    (time(14, 20), time(15, 5)),
    (time(15, 15), time(16, 0)),
    (time(16, 10), time(16, 55)),
    (time(17, 5), time(17, 50)),
)


def slot_code(day: int, index: int) -> str:
    return f"{DAY_CODES[day]}-{index}"


def parse_day(value: str) -> int | None:
    """An ISO weekday from "1".."7" or a day name in English, Finnish or Swedish."""
    text = value.strip().lower().rstrip(".")
    if text.isdigit():
        number = int(text)
        return number if 1 <= number <= 7 else None
    return DAY_BY_WORD.get(text)


def parse_time(value: str) -> time | None:
    """ "8:15", "08.15" or "0815" as a time of day."""
    text = value.strip().replace(".", ":")
    if ":" not in text and text.isdigit() and len(text) in (3, 4):
        text = f"{text[:-2]}:{text[-2:]}"
    hours, _, minutes = text.partition(":")
    if not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
        return None
    h, m = int(hours), int(minutes)
    return time(h, m) if 0 <= h <= 23 and 0 <= m <= 59 else None


def default_times(index: int) -> tuple[time, time]:
    """Start and end of the `index`-th period of a usual school day."""
    if 1 <= index <= len(DEFAULT_PERIOD_TIMES):
        return DEFAULT_PERIOD_TIMES[index - 1]
    hour = 7 + index
    return time(min(hour, 22), 0), time(min(hour, 22), 45)


def day_name(day: int, width: str = "wide") -> str:
    """The weekday's name in the current language ("maanantai", "måndag", "Monday")."""
    locale = get_locale() or "fi"
    # Stand-alone: a column heading ("maanantai"), not a date's part ("maanantaina").
    return get_day_names(width, context="stand-alone", locale=locale)[day - 1]
