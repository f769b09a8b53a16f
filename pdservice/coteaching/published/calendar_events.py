"""A teacher's published co-teaching lessons and team meetings as weekly calendar events.

`calendar_events(user)` gives plain dataclasses, one per weekly event, with aware start and
end datetimes in Europe/Helsinki on the first week of the term and a weekly recurrence until
the term's last day; `feed_events(user)` hands them to the personal iCalendar feed (a source
registered with `pdservice.calendar`). Texts are in the user's preferred language (the feed is
fetched without a session).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from pdservice.calendar.services import FeedEvent
from pdservice.clock import HELSINKI, today
from pdservice.core.models import User
from pdservice.coteaching.models import CoTeachingAssignment
from pdservice.extensions import db
from pdservice.timetable.models import Lesson, PeriodSlot, Term
from pdservice.timetable.weeks import published_meetings

#: Terms that ended longer ago than this are left out of the feed.
PAST_TERMS_DAYS = 366


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    kind: str  # "coteaching" or "meeting"
    summary: str
    description: str
    location: str | None
    start: datetime  # the first occurrence, aware (Europe/Helsinki)
    end: datetime
    until: datetime  # the recurrence ends: the end of the term's last day, aware (UTC)

    @property
    def rrule(self) -> dict[str, Any]:
        """The recurrence as `icalendar` takes it: `event.add("rrule", event.rrule)`."""
        return {"FREQ": "WEEKLY", "UNTIL": self.until}


def calendar_events(user: User) -> list[CalendarEvent]:
    """The user's published co-teaching (as co-teacher or as the lesson's teacher) and their
    teams' published meetings, in every term of their units that has not long ended."""
    events: list[CalendarEvent] = []
    since = today() - timedelta(days=PAST_TERMS_DAYS)
    terms = db.session.scalars(
        sa.select(Term)
        .where(Term.unit_id.in_(user.member_unit_ids), Term.ends_on >= since)
        .order_by(Term.starts_on)
    )
    with force_locale(str(user.preferred_language)):
        for term in terms:
            events += _coteaching_events(term, user)
            events += _meeting_events(term, user)
    return sorted(events, key=lambda e: (e.start, e.uid))


def feed_events(user: User) -> list[FeedEvent]:
    """The calendar feed's source: the same events as weekly `FeedEvent` series."""
    return [
        FeedEvent(
            uid=event.uid,
            summary=event.summary,
            start=event.start,
            end=event.end,
            description=event.description,
            location=event.location or "",
            weekly_until=event.until.astimezone(HELSINKI).date(),
        )
        for event in calendar_events(user)
    ]


def _coteaching_events(term: Term, user: User) -> list[CalendarEvent]:
    decisions = list(
        db.session.scalars(
            sa.select(CoTeachingAssignment)
            .join(Lesson, Lesson.id == CoTeachingAssignment.lesson_id)
            .where(
                CoTeachingAssignment.term_id == term.id,
                CoTeachingAssignment.published,
                sa.or_(CoTeachingAssignment.coteacher_id == user.id, Lesson.teacher_id == user.id),
            )
            .options(
                so.joinedload(CoTeachingAssignment.coteacher),
                so.joinedload(CoTeachingAssignment.lesson).joinedload(Lesson.teacher),
                so.joinedload(CoTeachingAssignment.lesson).joinedload(Lesson.subject),
            )
        )
    )
    by_lesson: dict[int, list[CoTeachingAssignment]] = {}
    for decision in decisions:
        by_lesson.setdefault(decision.lesson_id, []).append(decision)
    events = []
    for items in by_lesson.values():
        lesson = items[0].lesson
        slots = lesson.slots
        if not slots:
            continue
        coteachers = sorted((d.coteacher for d in items), key=lambda u: u.name)
        if lesson.teacher_id == user.id:
            partners = ", ".join(u.name for u in coteachers)
        else:
            partners = lesson.teacher.name
        summary = _(
            "Co-teaching: %(group)s %(subject)s",
            group=lesson.group_codes,
            subject=lesson.subject.name,
        )
        description = _(
            "Co-teaching with %(partners)s. Group %(group)s, %(subject)s. Teacher of the "
            "lesson: %(teacher)s.",
            partners=partners,
            group=lesson.group_codes,
            subject=lesson.subject.name,
            teacher=lesson.teacher.name,
        )
        event = _weekly(
            term,
            slots[0],
            slots[-1],
            uid=f"coteaching-{term.id}-{lesson.id}",
            kind="coteaching",
            summary=summary,
            description=description,
            location=lesson.room,
        )
        if event is not None:
            events.append(event)
    return events


def _meeting_events(term: Term, user: User) -> list[CalendarEvent]:
    events = []
    for meeting in published_meetings(term):
        if not meeting.slots or all(m.id != user.id for m in meeting.members):
            continue
        event = _weekly(
            term,
            meeting.slots[0],
            meeting.slots[-1],
            uid=f"team-meeting-{term.id}-{meeting.team_id}",
            kind="meeting",
            summary=_("Team meeting: %(team)s", team=meeting.team_name),
            description=_(
                "Weekly meeting of %(team)s. Members: %(members)s.",
                team=meeting.team_name,
                members=", ".join(m.name for m in meeting.members),
            ),
            location=None,
        )
        if event is not None:
            events.append(event)
    return events


def _weekly(
    term: Term, first: PeriodSlot, last: PeriodSlot, *, uid: str, **texts: Any
) -> CalendarEvent | None:
    """An event every week on the slots' weekday from the term's first such day to its end."""
    day = _first_weekday_on_or_after(term.starts_on, first.day)
    if day > term.ends_on:
        return None
    until = datetime.combine(term.ends_on, time(23, 59, 59), HELSINKI).astimezone(UTC)
    return CalendarEvent(
        uid=f"{uid}@{_domain()}",
        start=datetime.combine(day, first.starts_at, HELSINKI),
        end=datetime.combine(day, last.ends_at, HELSINKI),
        until=until,
        **texts,
    )


def _first_weekday_on_or_after(start: date, iso_weekday: int) -> date:
    return start + timedelta(days=(iso_weekday - start.isoweekday()) % 7)


def _domain() -> str:
    return urlsplit(current_app.config["PUBLIC_BASE_URL"]).hostname or "pdservice"
