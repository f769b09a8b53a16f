"""Scheduled jobs of training and notifications, run the way the jobs process runs them."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from pdservice.extensions import db
from pdservice.jobs.registry import JOBS
from pdservice.jobs.runner import load_job_modules, run_job
from pdservice.notifications.enums import OutboxStatus
from pdservice.notifications.models import Notification
from pdservice.training.enums import EnrollmentStatus as S
from pdservice.training.models import CourseSession, Enrollment


def kinds(app, kind):
    with app.app_context():
        return list(
            db.session.scalars(
                sa.select(Notification.user_id)
                .where(Notification.kind == kind)
                .order_by(Notification.id)
            )
        )


def test_jobs_are_registered(app):
    load_job_modules()
    assert {"notifications.deliver", "training.send_reminders", "training.sweep_waitlists"} <= set(
        JOBS
    )


def test_reminders_once_per_date_for_those_who_booked_earlier(
    app, world, make_user, make_session, enrol_as
):
    load_job_modules()
    session = make_session(starts_in=timedelta(days=5), days=2)  # dates in 5 and 12 days
    early = enrol_as(session, world.teacher)
    late = make_user(units=[world.unit_a])
    with app.app_context():
        # Booked a month ago: due a reminder. Booked just now (below): already confirmed.
        e = db.session.get(Enrollment, early.id)
        e.booked_at -= timedelta(days=30)
        db.session.commit()
    run_job(app, JOBS["training.send_reminders"], "test")
    assert kinds(app, "training.reminder") == []  # 5 days away; reminders go 2 days before
    with app.app_context():
        s = db.session.get(CourseSession, session.id)
        shift = timedelta(days=4)
        s.starts_at -= shift
        s.ends_at -= shift
        s.enrol_opens_at -= shift
        s.enrol_closes_at -= shift
        s.cancel_cutoff_at -= shift
        for d in s.dates:
            d.starts_at -= shift
            d.ends_at -= shift
        db.session.commit()
    enrol_as(session, late)
    for _ in range(3):
        run_job(app, JOBS["training.send_reminders"], "test")
    assert kinds(app, "training.reminder") == [world.teacher.id]


def test_sweep_gives_free_seats_to_the_waiting_list(app, world, make_user, make_session, enrol_as):
    load_job_modules()
    session = make_session(capacity=1)
    enrol_as(session, make_user(units=[world.unit_a]))
    waiting = enrol_as(session, world.teacher)
    with app.app_context():
        db.session.get(CourseSession, session.id).capacity = 2  # changed outside the pages
        db.session.commit()
    run_job(app, JOBS["training.sweep_waitlists"], "test")
    with app.app_context():
        assert db.session.get(Enrollment, waiting.id).status == S.BOOKED
    assert kinds(app, "training.promoted") == [world.teacher.id]


def test_delivery_job_sends_the_outbox(app, world, make_session, enrol_as, smtp_server):
    load_job_modules()
    enrol_as(make_session(), world.teacher)
    run_job(app, JOBS["notifications.deliver"], "test")
    assert len(smtp_server.messages) == 1
    with app.app_context():
        assert db.session.scalar(sa.select(Notification.status)) == OutboxStatus.SENT
