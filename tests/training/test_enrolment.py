"""The enrolment state machine: every transition, and every refused one (nothing changed)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from pdservice.core.enums import UnitRole
from pdservice.core.models import User
from pdservice.extensions import db
from pdservice.hours.enums import HoursKind
from pdservice.hours.models import DevelopmentHours
from pdservice.training import enrolment as sm
from pdservice.training.enums import EnrollmentStatus as S
from pdservice.training.models import CourseSession, Enrollment, EnrollmentEvent
from tests.training.factories import in_past


def state(app, enrollment_id):
    with app.app_context():
        e = db.session.get(Enrollment, enrollment_id)
        return e.status


def history(app, enrollment_id):
    with app.app_context():
        return [
            (ev.from_status, ev.to_status, ev.actor_id, ev.note)
            for ev in db.session.scalars(
                sa.select(EnrollmentEvent)
                .where(EnrollmentEvent.enrollment_id == enrollment_id)
                .order_by(EnrollmentEvent.id)
            )
        ]


def booked_count(app, session_id):
    with app.app_context():
        return db.session.get(CourseSession, session_id).booked_count


def snapshot(app):
    """Everything the state machine may touch, to prove a refusal changed nothing."""
    with app.app_context():
        return (
            [(e.id, e.status, e.waitlisted_at) for e in db.session.scalars(sa.select(Enrollment))],
            db.session.scalar(sa.select(sa.func.count(EnrollmentEvent.id))),
            [
                (s.id, s.booked_count, s.status)
                for s in db.session.scalars(sa.select(CourseSession))
            ],
            db.session.scalar(sa.select(sa.func.count(DevelopmentHours.id))),
        )


def refused(app, run_in_app, fn, *args, status=409, **kwargs):
    before = snapshot(app)
    with pytest.raises(sm.EnrolmentRefused) as info:
        run_in_app(fn, *args, **kwargs)
    assert info.value.status == status, info.value.message
    assert snapshot(app) == before
    return info.value


def user(app, u):
    return db.session.get(User, u.id)


@pytest.fixture
def people(make_user, world):
    """Five more teachers of unit A."""
    return [make_user(f"Teacher {i}", units=[world.unit_a]) for i in range(5)]


# --- enrolling ------------------------------------------------------------------------------


def test_enrol_books_a_free_seat_with_history(app, world, make_session, enrol_as):
    session = make_session(capacity=2)
    e = enrol_as(session, world.teacher)
    assert e.status == S.BOOKED
    assert booked_count(app, session.id) == 1
    assert history(app, e.id) == [(None, S.BOOKED, world.teacher.id, "I need this.")]


def test_full_session_waitlists_in_fifo_order(app, world, people, make_session, enrol_as):
    session = make_session(capacity=1)
    first = enrol_as(session, people[0])
    waiting = [enrol_as(session, p) for p in people[1:4]]
    assert first.status == S.BOOKED
    assert [w.status for w in waiting] == [S.WAITLISTED] * 3
    with app.app_context():
        positions = sm.waitlist_positions([w.id for w in waiting])
    assert [positions[w.id] for w in waiting] == [(1, 3), (2, 3), (3, 3)]
    assert booked_count(app, session.id) == 1


def test_cancelling_a_seat_promotes_the_first_on_the_waitlist(
    app, world, people, make_session, enrol_as, run_in_app
):
    session = make_session(capacity=1)
    first = enrol_as(session, people[0])
    second, third = enrol_as(session, people[1]), enrol_as(session, people[2])
    run_in_app(
        lambda: sm.cancel(
            db.session.get(Enrollment, first.id), actor=user(app, people[0]), reason="ill"
        )
    )
    assert state(app, first.id) == S.CANCELLED
    assert state(app, second.id) == S.BOOKED
    assert state(app, third.id) == S.WAITLISTED
    assert history(app, second.id)[-1][:3] == (S.WAITLISTED, S.BOOKED, None)
    with app.app_context():
        assert sm.waitlist_positions([third.id])[third.id] == (1, 1)
    assert booked_count(app, session.id) == 1


def test_waitlist_never_moves_after_the_cutoff(app, people, make_session, enrol_as, run_in_app):
    # Cut-off passed an hour ago but the session is tomorrow: the organizer raising the
    # capacity, or the nightly sweep, must not hand out seats any more.
    session = make_session(capacity=1, starts_in=timedelta(days=1), cutoff_before=timedelta(days=2))
    enrol_as(session, people[0])
    with app.app_context():
        s = db.session.get(CourseSession, session.id)
        s.enrol_closes_at = s.starts_at - timedelta(minutes=5)
        db.session.commit()
    waiting = enrol_as(session, people[1])

    def raise_capacity():
        s = sm.lock_session(session.id)
        s.capacity = 5
        return sm.promote(s)

    assert run_in_app(raise_capacity) == []
    assert state(app, waiting.id) == S.WAITLISTED


def test_waitlist_never_moves_after_the_start(app, people, make_session, enrol_as, run_in_app):
    session = make_session(capacity=1)
    enrol_as(session, people[0])
    waiting = enrol_as(session, people[1])
    in_past(session.id, app)

    def raise_capacity():
        s = sm.lock_session(session.id)
        s.capacity = 5
        return sm.promote(s)

    assert run_in_app(raise_capacity) == []
    assert state(app, waiting.id) == S.WAITLISTED


def test_enrolling_again_after_cancelling_is_allowed(
    app, world, make_session, enrol_as, run_in_app
):
    session = make_session()
    first = enrol_as(session, world.teacher)
    run_in_app(
        lambda: sm.cancel(db.session.get(Enrollment, first.id), actor=user(app, world.teacher))
    )
    again = enrol_as(session, world.teacher)
    assert again.id != first.id and again.status == S.BOOKED
    assert booked_count(app, session.id) == 1


def test_one_active_enrolment_per_person(app, world, make_session, enrol_as, run_in_app):
    session = make_session()
    enrol_as(session, world.teacher)
    error = refused(app, run_in_app, lambda: sm.enrol(session.id, user(app, world.teacher)))
    assert "already enrolled" in error.message


def test_database_refuses_a_second_active_enrolment(app, world, make_session, enrol_as):
    """The partial unique index, for code that skips the service's check."""
    session = make_session()
    enrol_as(session, world.teacher)
    from sqlalchemy.exc import IntegrityError

    with app.app_context(), pytest.raises(IntegrityError):
        db.session.add(Enrollment(session_id=session.id, user_id=world.teacher.id, status=S.BOOKED))
        db.session.commit()


def test_database_refuses_overbooking(app, world, make_session):
    """The CHECK constraint booked_count <= capacity backs up the row lock."""
    session = make_session(capacity=1)
    from sqlalchemy.exc import IntegrityError

    with app.app_context(), pytest.raises(IntegrityError):
        db.session.get(CourseSession, session.id).booked_count = 2
        db.session.commit()


@pytest.mark.parametrize(
    "case, message",
    [
        ("cancelled", "cancelled"),
        ("started", "already started"),
        ("not_open", "not opened"),
        ("closed", "closed"),
        ("full", "full"),
        ("inactive", "no longer offered"),
    ],
)
def test_enrolling_is_refused(
    app, world, people, make_session, enrol_as, run_in_app, case, message
):
    session = make_session(capacity=1, waitlist_limit=1 if case == "full" else None)
    with app.app_context():
        s = db.session.get(CourseSession, session.id)
        if case == "cancelled":
            s.status = "cancelled"
        elif case == "not_open":
            s.enrol_opens_at = s.starts_at - timedelta(days=2)
        elif case == "closed":
            s.enrol_closes_at = sm.utcnow() - timedelta(minutes=1)
        elif case == "inactive":
            s.course.active = False
        db.session.commit()
    if case == "started":
        in_past(session.id, app)
    if case == "full":
        enrol_as(session, people[0])
        enrol_as(session, people[1])  # the one waiting-list place
    error = refused(app, run_in_app, lambda: sm.enrol(session.id, user(app, world.teacher)))
    assert message in error.message


# --- approval -------------------------------------------------------------------------------


@pytest.fixture
def approval_session(make_session):
    return make_session(capacity=1, approval=True)


def test_request_needs_a_reason(app, world, approval_session, run_in_app):
    error = refused(
        app,
        run_in_app,
        lambda: sm.enrol(approval_session.id, user(app, world.teacher), reason="  "),
        status=422,
    )
    assert error.field == "reason"


def test_request_approved_books_a_seat(app, world, approval_session, enrol_as, run_in_app):
    e = enrol_as(approval_session, world.teacher, reason="For my class")
    assert e.status == S.REQUESTED and booked_count(app, approval_session.id) == 0
    run_in_app(
        lambda: sm.decide(
            db.session.get(Enrollment, e.id),
            approve=True,
            actor=user(app, world.principal),
            comment="Good",
        )
    )
    assert [h[:2] for h in history(app, e.id)] == [
        (None, S.REQUESTED),
        (S.REQUESTED, S.APPROVED),
        (S.APPROVED, S.BOOKED),
    ]
    assert history(app, e.id)[1][2:] == (world.principal.id, "Good")
    assert booked_count(app, approval_session.id) == 1


def test_request_approved_when_full_joins_the_waitlist(
    app, world, people, approval_session, enrol_as, run_in_app
):
    a = enrol_as(approval_session, people[0])
    b = enrol_as(approval_session, people[1])
    for e in (a, b):
        run_in_app(
            lambda e=e: sm.decide(
                db.session.get(Enrollment, e.id), approve=True, actor=user(app, world.principal)
            )
        )
    assert state(app, a.id) == S.BOOKED and state(app, b.id) == S.WAITLISTED


def test_request_rejected(app, world, approval_session, enrol_as, run_in_app):
    e = enrol_as(approval_session, world.teacher)
    run_in_app(
        lambda: sm.decide(
            db.session.get(Enrollment, e.id),
            approve=False,
            actor=user(app, world.principal),
            comment="Budget",
        )
    )
    assert state(app, e.id) == S.REJECTED
    assert booked_count(app, approval_session.id) == 0
    # A rejected request is over: the person may ask again.
    assert enrol_as(approval_session, world.teacher).status == S.REQUESTED


def test_decided_request_cannot_be_decided_again(
    app, world, approval_session, enrol_as, run_in_app
):
    e = enrol_as(approval_session, world.teacher)
    decide = lambda approve: sm.decide(  # noqa: E731
        db.session.get(Enrollment, e.id), approve=approve, actor=user(app, world.principal)
    )
    run_in_app(decide, False)
    refused(app, run_in_app, decide, True)


def test_nobody_approves_their_own_request(app, world, make_user, approval_session, run_in_app):
    principal = make_user("P", units=[(world.unit_a, UnitRole.PRINCIPAL)])
    e_id = run_in_app(lambda: sm.enrol(approval_session.id, user(app, principal), reason="x").id)
    refused(
        app,
        run_in_app,
        lambda: sm.decide(
            db.session.get(Enrollment, e_id), approve=True, actor=user(app, principal)
        ),
        status=403,
    )


def test_approval_after_the_start_is_refused(app, world, approval_session, enrol_as, run_in_app):
    e = enrol_as(approval_session, world.teacher)
    in_past(approval_session.id, app)
    refused(
        app,
        run_in_app,
        lambda: sm.decide(
            db.session.get(Enrollment, e.id), approve=True, actor=user(app, world.principal)
        ),
    )


def test_requester_may_withdraw(app, world, approval_session, enrol_as, run_in_app):
    e = enrol_as(approval_session, world.teacher)
    run_in_app(lambda: sm.cancel(db.session.get(Enrollment, e.id), actor=user(app, world.teacher)))
    assert state(app, e.id) == S.CANCELLED


# --- cancelling -----------------------------------------------------------------------------


def test_cancelling_a_seat_after_the_cutoff_is_refused(
    app, world, make_session, enrol_as, run_in_app
):
    session = make_session(starts_in=timedelta(hours=20), cutoff_before=timedelta(days=1))
    e = enrol_as(session, world.teacher)
    error = refused(
        app,
        run_in_app,
        lambda: sm.cancel(db.session.get(Enrollment, e.id), actor=user(app, world.teacher)),
    )
    assert "deadline" in error.message


def test_leaving_the_waitlist_after_the_cutoff_is_allowed(
    app, people, make_session, enrol_as, run_in_app
):
    session = make_session(
        capacity=1, starts_in=timedelta(hours=20), cutoff_before=timedelta(days=1)
    )
    enrol_as(session, people[0])
    waiting = enrol_as(session, people[1])
    run_in_app(
        lambda: sm.cancel(db.session.get(Enrollment, waiting.id), actor=user(app, people[1]))
    )
    assert state(app, waiting.id) == S.CANCELLED


def test_cancelling_twice_is_refused(app, world, make_session, enrol_as, run_in_app):
    session = make_session()
    e = enrol_as(session, world.teacher)
    cancel = lambda: sm.cancel(db.session.get(Enrollment, e.id), actor=user(app, world.teacher))  # noqa: E731
    run_in_app(cancel)
    refused(app, run_in_app, cancel)


def test_session_cancellation_cancels_everyone(
    app, world, people, make_session, enrol_as, run_in_app
):
    session = make_session(capacity=1)
    booked, waiting = enrol_as(session, people[0]), enrol_as(session, people[1])
    run_in_app(
        lambda: sm.cancel_session(session.id, actor=user(app, world.hr), reason="Trainer ill")
    )
    assert state(app, booked.id) == S.CANCELLED and state(app, waiting.id) == S.CANCELLED
    assert "Trainer ill" in history(app, booked.id)[-1][3]
    assert booked_count(app, session.id) == 0
    refused(
        app,
        run_in_app,
        lambda: sm.cancel_session(session.id, actor=user(app, world.hr), reason="again"),
    )
    refused(app, run_in_app, lambda: sm.enrol(session.id, user(app, world.teacher)))


def test_a_started_session_cannot_be_cancelled(app, world, make_session, run_in_app):
    session = make_session()
    in_past(session.id, app)
    refused(
        app,
        run_in_app,
        lambda: sm.cancel_session(session.id, actor=user(app, world.hr), reason="x"),
    )


# --- attendance and hours -------------------------------------------------------------------


def mark(app, run_in_app, e, outcome, hours=None, actor=None):
    return run_in_app(
        lambda: sm.mark_attendance(
            db.session.get(Enrollment, e.id),
            outcome,
            actor=db.session.get(User, actor.id),
            hours=None if hours is None else Decimal(hours),
        )
    )


def ledger(app, user_id):
    with app.app_context():
        return [
            (r.hours, r.kind, r.source_type, r.source_id, r.school_year.name)
            for r in db.session.scalars(
                sa.select(DevelopmentHours).where(DevelopmentHours.user_id == user_id)
            )
        ]


def test_attendance_credits_hours_exactly_once(app, world, make_session, enrol_as, run_in_app):
    session = make_session(hours="6", veso=True)
    e = enrol_as(session, world.teacher)
    in_past(session.id, app)
    assert mark(app, run_in_app, e, S.ATTENDED, actor=world.hr) is True
    assert mark(app, run_in_app, e, S.ATTENDED, actor=world.hr) is False  # again: no change
    rows = ledger(app, world.teacher.id)
    assert len(rows) == 1
    hours, kind, source, source_id, _year = rows[0]
    assert (hours, kind, source, source_id) == (Decimal("6.00"), HoursKind.VESO, "enrollment", e.id)


def test_partial_attendance_credits_the_hours_given(app, world, make_session, enrol_as, run_in_app):
    session = make_session(hours="6")
    e = enrol_as(session, world.teacher)
    in_past(session.id, app)
    mark(app, run_in_app, e, S.PARTLY_ATTENDED, hours="2.5", actor=world.hr)
    assert state(app, e.id) == S.PARTLY_ATTENDED
    assert [r[:2] for r in ledger(app, world.teacher.id)] == [(Decimal("2.50"), HoursKind.TRAINING)]
    # Corrected to attended: the same ledger row now holds the full hours.
    mark(app, run_in_app, e, S.ATTENDED, actor=world.hr)
    assert [r[0] for r in ledger(app, world.teacher.id)] == [Decimal("6.00")]
    # Corrected to no-show: the credit is taken back.
    mark(app, run_in_app, e, S.NO_SHOW, actor=world.hr)
    assert ledger(app, world.teacher.id) == []


@pytest.mark.parametrize("hours", ["0", "-1", "6", "600"])
def test_partial_hours_out_of_range_are_refused(
    app, world, make_session, enrol_as, run_in_app, hours
):
    session = make_session(hours="6")
    e = enrol_as(session, world.teacher)
    in_past(session.id, app)
    error = refused(
        app,
        run_in_app,
        lambda: sm.mark_attendance(
            db.session.get(Enrollment, e.id),
            S.PARTLY_ATTENDED,
            actor=db.session.get(User, world.hr.id),
            hours=Decimal(hours),
        ),
        status=422,
    )
    assert error.field == "hours"


def test_attendance_before_the_start_is_refused(app, world, make_session, enrol_as, run_in_app):
    session = make_session()
    e = enrol_as(session, world.teacher)
    refused(
        app,
        run_in_app,
        lambda: sm.mark_attendance(
            db.session.get(Enrollment, e.id), S.ATTENDED, actor=db.session.get(User, world.hr.id)
        ),
    )


def test_only_booked_participants_are_marked(
    app, people, world, make_session, enrol_as, run_in_app
):
    session = make_session(capacity=1)
    enrol_as(session, people[0])
    waiting = enrol_as(session, people[1])
    in_past(session.id, app)
    refused(
        app,
        run_in_app,
        lambda: sm.mark_attendance(
            db.session.get(Enrollment, waiting.id),
            S.ATTENDED,
            actor=db.session.get(User, world.hr.id),
        ),
    )


def test_history_is_append_only(app, world, make_session, enrol_as):
    session = make_session()
    e = enrol_as(session, world.teacher)
    with app.app_context():
        event = db.session.scalar(
            sa.select(EnrollmentEvent).where(EnrollmentEvent.enrollment_id == e.id)
        )
        event.note = "rewritten"
        with pytest.raises(ValueError, match="append-only"):
            db.session.flush()
        db.session.rollback()
        with pytest.raises(ValueError, match="append-only"):
            db.session.delete(db.session.get(EnrollmentEvent, event.id))
            db.session.flush()
