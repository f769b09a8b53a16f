"""Factories of training, competences, hours and notifications: courses, sessions (at any
time relative to now), enrolments through the real state machine, plans and assessments."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from pdservice.core.models import CompetenceArea, User
from pdservice.extensions import db
from pdservice.training.enums import CourseFormat
from pdservice.training.models import Course, CourseSession, Enrollment, SessionDate
from tests.factories import detach

_counter = itertools.count(1)


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def areas_by_code(*codes: str) -> list[CompetenceArea]:
    return list(db.session.scalars(sa.select(CompetenceArea).where(CompetenceArea.code.in_(codes))))


@pytest.fixture
def make_course(app):
    def make(
        title: str | None = None,
        *,
        areas: tuple[str, ...] = ("DIGI",),
        owners: list[User] = (),
        hours: Decimal | str = "6",
        approval: bool = False,
        veso: bool = False,
        format: CourseFormat = CourseFormat.ONSITE,
        **kwargs,
    ) -> Course:
        n = next(_counter)
        with app.app_context():
            course = Course(
                title=title or f"Course {n}",
                description=kwargs.pop("description", "A course."),
                provider=kwargs.pop("provider", "Vantaa"),
                format=format,
                hours_credited=Decimal(str(hours)),
                approval_required=approval,
                veso_eligible=veso,
                **kwargs,
            )
            course.areas = areas_by_code(*areas)
            course.owners = [db.session.get(User, o.id) for o in owners]
            db.session.add(course)
            db.session.commit()
            return detach(course, "areas", "owners")

    return make


@pytest.fixture
def make_session(app, make_course):
    """A session starting `starts_in` from now (negative: in the past), of `days` dates of
    `hours_per_day` hours. The enrolment window is open now unless the session has started;
    the cancellation cut-off defaults to a day before the start."""

    def make(
        course: Course | None = None,
        *,
        starts_in: timedelta = timedelta(days=10),
        days: int = 1,
        hours_per_day: int = 6,
        capacity: int = 10,
        waitlist_limit: int | None = None,
        cutoff_before: timedelta = timedelta(days=1),
        opens_in: timedelta | None = None,
        closes_before: timedelta = timedelta(hours=1),
        **course_kwargs,
    ) -> CourseSession:
        course = course or make_course(**course_kwargs)
        start = now() + starts_in
        with app.app_context():
            dates = [
                (start + timedelta(days=7 * i), start + timedelta(days=7 * i, hours=hours_per_day))
                for i in range(days)
            ]
            opens = (
                now() + opens_in
                if opens_in is not None
                else min(start - timedelta(days=30), now() - timedelta(hours=1))
            )
            session = CourseSession(
                course_id=course.id,
                location="Auditorium",
                capacity=capacity,
                waitlist_limit=waitlist_limit,
                booked_count=0,
                starts_at=dates[0][0],
                ends_at=dates[-1][1],
                enrol_opens_at=opens,
                enrol_closes_at=max(start - closes_before, opens + timedelta(minutes=1)),
                cancel_cutoff_at=start - cutoff_before,
            )
            session.dates = [SessionDate(starts_at=s, ends_at=e) for s, e in dates]
            db.session.add(session)
            db.session.commit()
            return detach(session, "dates", "course.areas")

    return make


@pytest.fixture
def enrol_as(app):
    """Enrol through the state machine (as if the request ran): returns the enrolment."""

    def do(session: CourseSession, user: User, reason: str = "I need this.") -> Enrollment:
        from pdservice.training.enrolment import enrol

        with app.test_request_context(headers={"Accept-Language": "en"}):
            person = db.session.get(User, user.id)
            enrollment = enrol(session.id, person, reason=reason)
            db.session.commit()
            return detach(enrollment, "events")

    return do


@pytest.fixture
def run_in_app(app):
    """Run `fn()` inside a request context (for gettext) and commit; returns its result."""

    def run(fn, *args, **kwargs):
        with app.test_request_context(headers={"Accept-Language": "en"}):
            try:
                result = fn(*args, **kwargs)
                db.session.commit()
                return result
            finally:
                db.session.remove()

    return run


def reload(app, model, obj_id):
    with app.app_context():
        obj = db.session.get(model, obj_id)
        return detach(obj) if obj is not None else None


def in_past(session_id: int, app, *, started_ago: timedelta = timedelta(hours=2)) -> None:
    """Move a session (and its dates) so that it started `started_ago` ago."""
    with app.app_context():
        session = db.session.get(CourseSession, session_id)
        shift = (now() - started_ago) - session.starts_at
        session.enrol_opens_at += shift
        session.enrol_closes_at += shift
        session.cancel_cutoff_at += shift
        session.starts_at += shift
        session.ends_at += shift
        for d in session.dates:
            d.starts_at += shift
            d.ends_at += shift
        db.session.commit()


def school_day(offset_days: int = 0) -> date:
    return (now() + timedelta(days=offset_days)).date()


# --- a real SMTP server on loopback ---------------------------------------------------------


class Inbox:
    """aiosmtpd handler keeping what it receives; `refuse` makes the next DATA commands answer
    with the given replies (e.g. "451 4.3.0 Try again later")."""

    def __init__(self) -> None:
        self.messages: list = []
        self.refuse: list[str] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        import email
        from email import policy

        if self.refuse:
            return self.refuse.pop(0)
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server(app):
    """A real SMTP server on a free loopback port; the app sends its mail there."""
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    saved = {k: app.config[k] for k in ("MAIL_SERVER", "MAIL_PORT")}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    inbox.controller = controller
    inbox.port = port
    try:
        yield inbox
    finally:
        controller.stop()
        app.config.update(saved)
