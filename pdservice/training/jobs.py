"""Scheduled jobs of training: reminders before session dates, and the waiting-list sweep."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from pdservice.db import utcnow
from pdservice.extensions import db
from pdservice.jobs.registry import scheduled_job
from pdservice.training import mails
from pdservice.training.enrolment import lock_session, promote
from pdservice.training.enums import EnrollmentStatus, SessionStatus
from pdservice.training.models import CourseSession, Enrollment, SessionDate


def send_reminders(now: datetime | None = None) -> int:
    """Remind booked participants REMINDER_DAYS_BEFORE days before each session date. The
    dedupe key (enrolment, date) makes it once per date however often this runs; people
    who booked inside that window already have their confirmation and get no reminder."""
    now = now or utcnow()
    window = timedelta(days=current_app.config["REMINDER_DAYS_BEFORE"])
    rows = db.session.execute(
        sa.select(Enrollment, SessionDate)
        .join(CourseSession, CourseSession.id == Enrollment.session_id)
        .join(SessionDate, SessionDate.session_id == CourseSession.id)
        .where(
            CourseSession.status == SessionStatus.SCHEDULED,
            Enrollment.status == EnrollmentStatus.BOOKED,
            SessionDate.starts_at > now,
            SessionDate.starts_at <= now + window,
        )
        .order_by(SessionDate.starts_at, Enrollment.id)
    ).all()
    sent = 0
    for enrollment, session_date in rows:
        if enrollment.booked_at and enrollment.booked_at > session_date.starts_at - window:
            continue
        if mails.reminder(enrollment, session_date) is not None:
            sent += 1
    return sent


def sweep_waitlists(now: datetime | None = None) -> int:
    """Give free seats to waiting lists wherever a seat is free (seats normally move at the
    moment they free up; this catches any other way a seat became free)."""
    now = now or utcnow()
    candidates = db.session.scalars(
        sa.select(CourseSession.id).where(
            CourseSession.status == SessionStatus.SCHEDULED,
            CourseSession.booked_count < CourseSession.capacity,
            CourseSession.starts_at > now,
            CourseSession.cancel_cutoff_at >= now,
            sa.exists().where(
                Enrollment.session_id == CourseSession.id,
                Enrollment.status == EnrollmentStatus.WAITLISTED,
            ),
        )
    ).all()
    promoted = 0
    for session_id in candidates:
        promoted += len(promote(lock_session(session_id), now=now))
    return promoted


@scheduled_job("training.send_reminders", "interval", minutes=15)
def send_reminders_job() -> None:
    send_reminders()


@scheduled_job("training.sweep_waitlists", "interval", minutes=10)
def sweep_waitlists_job() -> None:
    sweep_waitlists()
