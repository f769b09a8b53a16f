"""Training sessions in calendars: the feed's first event source, and the .ics of mails."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

import sqlalchemy as sa

from pdservice.calendar.services import FeedEvent
from pdservice.core.models import User
from pdservice.db import utcnow
from pdservice.extensions import db
from pdservice.training.enums import ATTENDED_STATES, EnrollmentStatus, SessionStatus
from pdservice.training.models import CourseSession, Enrollment

# How far back the feed reaches: a year of past training stays visible in calendars.
FEED_HISTORY = timedelta(days=400)


def session_events(session: CourseSession) -> list[FeedEvent]:
    """One event per date of a session, each with a stable UID."""
    from pdservice.notifications.services import public_url

    course = session.course
    url = public_url("training.session_detail", session_id=session.id)
    location = ", ".join(x for x in (session.location, session.online_url) if x)
    count = len(session.dates)
    events = []
    for n, day in enumerate(session.dates, start=1):
        summary = course.title if count == 1 else f"{course.title} ({n}/{count})"
        events.append(
            FeedEvent(
                uid=f"training-session-date-{day.id}@pdservice",
                summary=summary,
                start=day.starts_at,
                end=day.ends_at,
                description="\n".join(x for x in (course.provider, url) if x),
                location=location,
                url=url,
                last_modified=session.updated_at,
            )
        )
    return events


def booked_sessions_source(user: User) -> Iterable[FeedEvent]:
    """The sessions a user holds a seat in (booked, or attended), from a year back."""
    sessions = db.session.scalars(
        sa.select(CourseSession)
        .join(Enrollment, Enrollment.session_id == CourseSession.id)
        .where(
            Enrollment.user_id == user.id,
            Enrollment.status.in_({EnrollmentStatus.BOOKED, *ATTENDED_STATES}),
            CourseSession.status == SessionStatus.SCHEDULED,
            CourseSession.ends_at >= utcnow() - FEED_HISTORY,
        )
        .options(
            sa.orm.selectinload(CourseSession.dates),
            sa.orm.joinedload(CourseSession.course),
        )
    ).unique()
    for session in sessions:
        yield from session_events(session)
