"""The personal calendar feed: a registry of event sources, the iCalendar writer, and the
secret, revocable feed address.

A feature adds its events to every user's feed with

    from pdservice.calendar.services import FeedEvent, register_event_source

    def my_lessons(user) -> Iterable[FeedEvent]:
        yield FeedEvent(uid=f"lesson-{lesson.id}@pdservice", summary=..., start=..., end=...,
                        weekly_until=term.ends_on)

    register_event_source(my_lessons)        # in the feature's register(app)

Times are aware datetimes (any zone); the feed writes them in Europe/Helsinki with its
VTIMEZONE, so they stay right across daylight-saving changes and weekly recurrences.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import icalendar
import sqlalchemy as sa
from flask import current_app

from pdservice.calendar.models import CalendarFeed
from pdservice.clock import HELSINKI
from pdservice.core.models import User
from pdservice.core.services import audit
from pdservice.db import utcnow
from pdservice.extensions import db

PRODID = "-//City of Vantaa//pdservice//EN"


@dataclass(frozen=True)
class FeedEvent:
    """One event (or weekly series) in a calendar feed.

    `uid` must be stable and globally unique ("<kind>-<id>@pdservice"), so calendar apps
    update an event instead of duplicating it. `weekly_until` makes the event repeat every
    week on the same weekday and time until that date (inclusive).
    """

    uid: str
    summary: str
    start: datetime
    end: datetime
    description: str = ""
    location: str = ""
    url: str = ""
    weekly_until: date | None = None
    last_modified: datetime | None = None
    sequence: int = 0

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("FeedEvent times must be timezone-aware")
        if self.end <= self.start:
            raise ValueError("FeedEvent must end after it starts")


EventSource = Callable[[User], Iterable[FeedEvent]]
_SOURCES: list[EventSource] = []


def register_event_source(fn: EventSource) -> EventSource:
    """Add `fn(user) -> iterable of FeedEvent` to every user's feed (once; usable as a
    decorator)."""
    if fn not in _SOURCES:
        _SOURCES.append(fn)
    return fn


def event_sources() -> list[EventSource]:
    return list(_SOURCES)


def events_for(user: User) -> list[FeedEvent]:
    events: list[FeedEvent] = []
    for source in _SOURCES:
        events.extend(source(user))
    return sorted(events, key=lambda e: (e.start, e.uid))


def _vevent(event: FeedEvent, stamp: datetime) -> icalendar.Event:
    vevent = icalendar.Event()
    vevent.add("uid", event.uid)
    vevent.add("dtstamp", stamp)
    vevent.add("dtstart", event.start.astimezone(HELSINKI))
    vevent.add("dtend", event.end.astimezone(HELSINKI))
    vevent.add("summary", event.summary)
    if event.description:
        vevent.add("description", event.description)
    if event.location:
        vevent.add("location", event.location)
    if event.url:
        vevent.add("url", event.url)
    if event.last_modified:
        vevent.add("last-modified", event.last_modified.astimezone(UTC))
    if event.sequence:
        vevent.add("sequence", event.sequence)
    if event.weekly_until is not None:
        # RFC 5545 3.3.10: with a zoned DTSTART, UNTIL is given in UTC. The last
        # occurrence may start on `weekly_until` itself.
        local_end = datetime.combine(event.weekly_until, time(23, 59, 59), HELSINKI)
        vevent.add("rrule", {"freq": "weekly", "until": local_end.astimezone(UTC)})
    return vevent


def build_calendar(events: Iterable[FeedEvent], *, name: str, method: str = "PUBLISH") -> bytes:
    """A VCALENDAR (RFC 5545) with the events and the Europe/Helsinki VTIMEZONE."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Europe/Helsinki")
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    calendar.add_component(_helsinki_vtimezone())
    stamp = utcnow().replace(microsecond=0)
    for event in events:
        calendar.add_component(_vevent(event, stamp))
    return calendar.to_ical()


# Europe/Helsinki as rules (EU summer time since 1996: from the last Sunday of March 03:00
# to the last Sunday of October 04:00 local time), the compact form calendar programs
# themselves write. A test checks it against the tz database for every year it is used.
HELSINKI_VTIMEZONE = """BEGIN:VTIMEZONE\r
TZID:Europe/Helsinki\r
BEGIN:STANDARD\r
DTSTART:19961027T040000\r
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r
TZNAME:EET\r
TZOFFSETFROM:+0300\r
TZOFFSETTO:+0200\r
END:STANDARD\r
BEGIN:DAYLIGHT\r
DTSTART:19970330T030000\r
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r
TZNAME:EEST\r
TZOFFSETFROM:+0200\r
TZOFFSETTO:+0300\r
END:DAYLIGHT\r
END:VTIMEZONE\r
"""


@functools.cache
def _helsinki_vtimezone() -> icalendar.Timezone:
    """The VTIMEZONE every time in a feed refers to, parsed once per process."""
    return icalendar.Timezone.from_ical(HELSINKI_VTIMEZONE)


# --- the feed address ------------------------------------------------------------------


def _token(user_id: int, nonce: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, f"calendar-feed:{user_id}:{nonce}".encode(), hashlib.sha256)
    return digest.hexdigest()


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def feed_token(user: User) -> str | None:
    """The user's current feed token, or None if they have no feed."""
    feed = db.session.scalar(sa.select(CalendarFeed).where(CalendarFeed.user_id == user.id))
    return _token(user.id, feed.nonce) if feed else None


def regenerate_feed(user: User) -> str:
    """Create the user's feed address, or replace it (the old address stops working)."""
    nonce = secrets.token_hex(16)
    token = _token(user.id, nonce)
    feed = db.session.scalar(sa.select(CalendarFeed).where(CalendarFeed.user_id == user.id))
    if feed is None:
        feed = CalendarFeed(user_id=user.id, nonce=nonce, token_hash=_hash(token))
        db.session.add(feed)
        audit("calendar.feed_created", user)
    else:
        feed.nonce, feed.token_hash, feed.created_at = nonce, _hash(token), utcnow()
        feed.last_fetched_at = None
        audit("calendar.feed_regenerated", user)
    db.session.flush()
    return token


def revoke_feed(user: User) -> bool:
    feed = db.session.scalar(sa.select(CalendarFeed).where(CalendarFeed.user_id == user.id))
    if feed is None:
        return False
    db.session.delete(feed)
    audit("calendar.feed_revoked", user)
    db.session.flush()
    return True


def user_for_token(token: str) -> User | None:
    """The active user whose feed has this token (compared by hash, in constant time)."""
    if not token or len(token) > 128:
        return None
    feed = db.session.scalar(sa.select(CalendarFeed).where(CalendarFeed.token_hash == _hash(token)))
    if feed is None or not hmac.compare_digest(_token(feed.user_id, feed.nonce), token):
        return None
    user = db.session.get(User, feed.user_id)
    if user is None or not user.active:
        return None
    return user


def feed_record(user: User) -> CalendarFeed | None:
    return db.session.scalar(sa.select(CalendarFeed).where(CalendarFeed.user_id == user.id))
