"""Training through its pages: enrolment, approvals scoped to the principal's units,
organizers' courses and sessions with bad input refused, attendance, exports, feedback."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import openpyxl
import pytest
import sqlalchemy as sa

from pdservice.clock import today
from pdservice.extensions import db
from pdservice.hours.models import DevelopmentHours
from pdservice.training.enums import EnrollmentStatus as S
from pdservice.training.models import (
    Course,
    CourseSession,
    Enrollment,
    SessionDate,
    TrainingFeedback,
)
from tests.training.factories import in_past


def enrolments(app, session_id):
    with app.app_context():
        return [
            (e.user_id, e.status)
            for e in db.session.scalars(
                sa.select(Enrollment)
                .where(Enrollment.session_id == session_id)
                .order_by(Enrollment.id)
            )
        ]


def test_teacher_enrols_and_sees_the_seat(app, client, world, login, make_session):
    session = make_session(title="Digiloikka")
    login(world.teacher)
    page = client.get(f"/training/sessions/{session.id}").get_data(as_text=True)
    assert "Enrol" in page
    response = client.post(f"/training/sessions/{session.id}/enrol", follow_redirects=True)
    assert "You have a seat" in response.get_data(as_text=True)
    assert enrolments(app, session.id) == [(world.teacher.id, S.BOOKED)]
    mine = client.get("/training/my").get_data(as_text=True)
    assert "Digiloikka" in mine and "Booked" in mine


def test_waitlisted_teacher_is_told_their_place(app, client, world, login, make_user, make_session):
    session = make_session(capacity=1)
    for _ in range(2):
        login(make_user(units=[world.unit_a]))
        client.post(f"/training/sessions/{session.id}/enrol")
    login(world.teacher)
    response = client.post(f"/training/sessions/{session.id}/enrol", follow_redirects=True)
    assert "number 2 of 2" in response.get_data(as_text=True)
    assert "You are number 2 of 2 on the waiting list." in client.get("/training/my").get_data(
        as_text=True
    )


@pytest.mark.parametrize("case", ["cancelled", "closed", "past", "full"])
def test_bad_enrolment_answers_409_and_changes_nothing(
    app, client, world, login, make_user, make_session, case
):
    session = make_session(capacity=1, waitlist_limit=0)
    with app.app_context():
        s = db.session.get(CourseSession, session.id)
        if case == "cancelled":
            s.status = "cancelled"
        elif case == "closed":
            s.enrol_closes_at = s.enrol_opens_at + timedelta(minutes=1)
        db.session.commit()
    if case == "past":
        in_past(session.id, app)
    if case == "full":
        login(make_user(units=[world.unit_a]))
        client.post(f"/training/sessions/{session.id}/enrol")
    before = enrolments(app, session.id)
    login(world.teacher)
    response = client.post(f"/training/sessions/{session.id}/enrol")
    assert response.status_code == 409
    assert 'role="alert"' in response.get_data(as_text=True)
    assert enrolments(app, session.id) == before


def test_cancel_after_the_cutoff_is_refused(app, client, world, login, make_session, enrol_as):
    session = make_session(starts_in=timedelta(hours=12), cutoff_before=timedelta(days=1))
    e = enrol_as(session, world.teacher)
    login(world.teacher)
    response = client.post(f"/training/enrolments/{e.id}/cancel")
    assert response.status_code == 409
    assert "deadline has passed" in response.get_data(as_text=True)
    assert enrolments(app, session.id) == [(world.teacher.id, S.BOOKED)]


def test_nobody_cancels_another_persons_enrolment(
    app, client, world, login, make_session, enrol_as
):
    e = enrol_as(make_session(), world.teacher)
    for other in (world.principal, world.hr, world.teacher_b):
        login(other)
        assert client.post(f"/training/enrolments/{e.id}/cancel").status_code == 404


# --- approvals ------------------------------------------------------------------------------


def test_request_goes_to_the_principal_of_the_unit(app, client, world, login, make_session):
    session = make_session(approval=True, title="Leadership")
    login(world.teacher)
    response = client.post(f"/training/sessions/{session.id}/enrol", data={"reason": ""})
    assert response.status_code == 422  # a reason is required
    assert enrolments(app, session.id) == []
    client.post(f"/training/sessions/{session.id}/enrol", data={"reason": "For our team"})
    [(user_id, status)] = enrolments(app, session.id)
    assert status == S.REQUESTED
    with app.app_context():
        from pdservice.notifications.models import Notification

        [mail] = db.session.scalars(
            sa.select(Notification).where(Notification.kind == "training.approval_request")
        ).all()
        assert mail.to_address == world.principal.email
        assert "/training/approvals" in mail.body_text
        e_id = db.session.scalar(sa.select(Enrollment.id))
    login(world.principal_b)
    assert "Leadership" not in client.get("/training/approvals").get_data(as_text=True)
    assert (
        client.post(f"/training/enrolments/{e_id}/decide", data={"decision": "approve"}).status_code
        == 404
    )
    assert enrolments(app, session.id) == [(world.teacher.id, S.REQUESTED)]
    login(world.principal)
    assert "Leadership" in client.get("/training/approvals").get_data(as_text=True)
    assert (
        client.post(f"/training/enrolments/{e_id}/decide", data={"decision": "approve"}).status_code
        == 302
    )
    assert enrolments(app, session.id) == [(world.teacher.id, S.BOOKED)]
    login(world.teacher)
    history = client.get(f"/training/enrolments/{e_id}").get_data(as_text=True)
    assert "Principal A" in history and "Waiting for approval → Approved" in history


def test_teachers_cannot_decide(app, client, world, login, make_session, enrol_as):
    e = enrol_as(make_session(approval=True), world.teacher)
    login(world.teacher)
    assert (
        client.post(f"/training/enrolments/{e.id}/decide", data={"decision": "approve"}).status_code
        == 403
    )


# --- organizers -----------------------------------------------------------------------------


def course_form(**overrides):
    data = {
        "title": "Yhteisopettajuuden perusteet",
        "description": "Friend & Cook models in practice.",
        "provider": "Vantaan kaupunki",
        "format": "hybrid",
        "hours_credited": "6",
        "cost_eur": "0",
        "veso_eligible": "y",
        "active": "y",
        "audience": ["class_teacher", "special_needs_teacher"],
        "owners": "teacher.a@example.org",
    }
    data.update(overrides)
    return data


def test_hr_creates_a_course_and_a_session(app, client, world, login):
    login(world.hr)
    response = client.post("/training/courses/new", data=course_form())
    assert response.status_code == 302
    with app.app_context():
        course = db.session.scalar(sa.select(Course))
        assert course.owners[0].id == world.teacher.id
        assert {str(p) for p in course.professions} == {"class_teacher", "special_needs_teacher"}
        course_id = course.id
    day = today() + timedelta(days=20)
    response = client.post(
        f"/training/courses/{course_id}/sessions/new",
        data={
            "capacity": "12",
            "location": "Tikkurila",
            "dates-0-day": day.isoformat(),
            "dates-0-start": "09:00",
            "dates-0-end": "15:00",
            "dates-1-day": (day + timedelta(days=7)).isoformat(),
            "dates-1-start": "12:00",
            "dates-1-end": "15:30",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        session = db.session.scalar(sa.select(CourseSession))
        assert len(session.dates) == 2 and session.capacity == 12
        from pdservice.clock import HELSINKI

        assert session.starts_at.astimezone(HELSINKI).hour == 9
        assert session.enrol_closes_at <= session.starts_at


def test_bad_course_input_is_refused(app, client, world, login):
    login(world.hr)
    for bad in (
        {"hours_credited": "-2"},
        {"hours_credited": "5000"},
        {"title": ""},
        {"owners": "nobody@x.org"},
    ):
        response = client.post("/training/courses/new", data=course_form(**bad))
        assert response.status_code == 422, bad
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Course.id))) == 0


@pytest.mark.parametrize(
    "dates, extra, field_message",
    [
        ({"dates-0-start": "15:00", "dates-0-end": "09:00"}, {}, "The end must be after the start"),
        ({}, {"capacity": "-3"}, "Number must be between"),
        ({"dates-0-day": ""}, {}, "Required when the row is used"),
        ({}, {"enrol_closes_at": "2099-01-01T10:00"}, "Enrolment must close by the start"),
    ],
)
def test_bad_session_input_is_refused(
    app, client, world, login, make_course, dates, extra, field_message
):
    course = make_course(owners=[world.teacher])
    login(world.teacher)
    day = today() + timedelta(days=20)
    data = {
        "capacity": "10",
        "dates-0-day": day.isoformat(),
        "dates-0-start": "09:00",
        "dates-0-end": "12:00",
        **dates,
        **extra,
    }
    response = client.post(f"/training/courses/{course.id}/sessions/new", data=data)
    assert response.status_code == 422
    assert field_message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(CourseSession.id))) == 0


def test_capacity_below_the_booked_is_refused(
    app, client, world, login, make_user, make_session, enrol_as
):
    session = make_session(capacity=3, owners=[world.teacher])
    for _ in range(2):
        enrol_as(session, make_user(units=[world.unit_a]))
    login(world.teacher)
    form = client.get(f"/training/sessions/{session.id}/edit").get_data(as_text=True)
    assert 'value="3"' in form
    with app.app_context():
        d = db.session.scalar(sa.select(SessionDate).where(SessionDate.session_id == session.id))
        from pdservice.training.times import local

        start, end = local(d.starts_at), local(d.ends_at)
    data = {
        "capacity": "1",
        "dates-0-day": start.date().isoformat(),
        "dates-0-start": start.strftime("%H:%M"),
        "dates-0-end": end.strftime("%H:%M"),
    }
    response = client.post(f"/training/sessions/{session.id}/edit", data=data)
    assert response.status_code == 422
    assert "2 people are already booked" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(CourseSession, session.id).capacity == 3
    # Raising the capacity hands seats to the waiting list.
    waiting = enrol_as(session, make_user(units=[world.unit_a]))
    waiting2 = enrol_as(session, make_user(units=[world.unit_a]))
    assert waiting2.status == S.WAITLISTED
    data["capacity"] = "5"
    assert client.post(f"/training/sessions/{session.id}/edit", data=data).status_code == 302
    assert {s for _u, s in enrolments(app, session.id)} == {S.BOOKED}
    assert waiting.id


def test_organizer_cancels_the_session_and_everyone_is_told(
    app, client, world, login, make_user, make_session, enrol_as
):
    session = make_session(capacity=1, owners=[world.teacher])
    people = [make_user(units=[world.unit_a]) for _ in range(2)]
    for p in people:
        enrol_as(session, p)
    login(world.teacher)
    assert (
        client.post(f"/training/sessions/{session.id}/cancel", data={"reason": ""}).status_code
        == 422
    )
    assert (
        client.post(f"/training/sessions/{session.id}/cancel", data={"reason": "Ill"}).status_code
        == 302
    )
    assert {s for _u, s in enrolments(app, session.id)} == {S.CANCELLED}
    with app.app_context():
        from pdservice.notifications.models import Notification

        told = set(
            db.session.scalars(
                sa.select(Notification.user_id).where(
                    Notification.kind == "training.session_cancelled"
                )
            )
        )
    assert told == {p.id for p in people}
    login(world.teacher_b)
    assert (
        client.post(f"/training/sessions/{session.id}/cancel", data={"reason": "x"}).status_code
        == 403
    )


# --- attendance, exports, feedback --------------------------------------------------------


@pytest.fixture
def held_session(app, world, make_user, make_session, enrol_as):
    """A session that took place, organized by world.teacher, with three participants and
    one on the waiting list."""
    session = make_session(capacity=3, owners=[world.teacher], hours="6", veso=True, title="KiVa")
    people = [make_user(f"Person {n}", units=[world.unit_a]) for n in range(4)]
    enrolled = [enrol_as(session, p) for p in people]
    in_past(session.id, app)
    return session, people, enrolled


def test_attendance_credits_hours_once(app, client, world, login, held_session):
    session, people, enrolled = held_session
    login(world.teacher)
    page = client.get(f"/training/sessions/{session.id}/participants").get_data(as_text=True)
    assert "Save attendance" in page and "number 1 of 1" in page
    data = {
        f"outcome-{enrolled[0].id}": "attended",
        f"outcome-{enrolled[1].id}": "partly_attended",
        f"hours-{enrolled[1].id}": "2,5",
        f"outcome-{enrolled[2].id}": "no_show",
    }
    for _ in range(2):  # saving twice credits nothing twice
        assert (
            client.post(f"/training/sessions/{session.id}/attendance", data=data).status_code == 302
        )
    with app.app_context():
        rows = sorted(
            (r.user_id, r.hours, str(r.kind))
            for r in db.session.scalars(sa.select(DevelopmentHours))
        )
    assert rows == sorted([(people[0].id, 6, "veso"), (people[1].id, 2.5, "veso")])


def test_bad_attendance_changes_nothing(app, client, world, login, held_session):
    session, _people, enrolled = held_session
    login(world.teacher)
    data = {
        f"outcome-{enrolled[0].id}": "attended",
        f"outcome-{enrolled[1].id}": "partly_attended",
        f"hours-{enrolled[1].id}": "-4",
    }
    assert client.post(f"/training/sessions/{session.id}/attendance", data=data).status_code == 422
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(DevelopmentHours.id))) == 0
    waiting = {f"outcome-{enrolled[3].id}": "attended"}
    assert (
        client.post(f"/training/sessions/{session.id}/attendance", data=waiting).status_code == 409
    )


def test_participant_exports_match_the_page(app, client, world, login, held_session):
    session, people, enrolled = held_session
    login(world.teacher)
    client.post(
        f"/training/sessions/{session.id}/attendance",
        data={f"outcome-{enrolled[0].id}": "attended"},
    )
    response = client.get(f"/training/sessions/{session.id}/participants.csv")
    assert (
        response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    )
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "Name" and len(rows) == 5
    assert [r[0] for r in rows[1:]] == ["Person 0", "Person 1", "Person 2", "Person 3"]
    assert rows[1][4] == "Attended" and rows[1][7] == "6"
    assert rows[4][4] == "On the waiting list" and rows[4][5] == "1"
    xlsx = client.get(f"/training/sessions/{session.id}/participants.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(xlsx.data))
    sheet = book.active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0] == rows[0]
    assert [v[0] for v in values[1:]] == [r[0] for r in rows[1:]]
    assert values[1][7] == 6


def test_feedback_only_from_attendees_once(app, client, world, login, held_session, run_in_app):
    session, people, enrolled = held_session
    login(world.teacher)
    client.post(
        f"/training/sessions/{session.id}/attendance",
        data={f"outcome-{enrolled[0].id}": "attended", f"outcome-{enrolled[2].id}": "no_show"},
    )
    login(people[2])  # did not attend
    assert client.get(f"/training/enrolments/{enrolled[2].id}/feedback").status_code == 403
    assert (
        client.post(
            f"/training/enrolments/{enrolled[2].id}/feedback", data={"rating": "1"}
        ).status_code
        == 403
    )
    login(people[1])  # someone else's enrolment
    assert (
        client.post(
            f"/training/enrolments/{enrolled[0].id}/feedback", data={"rating": "1"}
        ).status_code
        == 404
    )
    login(people[0])
    url = f"/training/enrolments/{enrolled[0].id}/feedback"
    assert client.post(url, data={"rating": "9"}).status_code == 422
    assert client.post(url, data={"rating": "4", "comment": "Useful"}).status_code == 302
    assert client.post(url, data={"rating": "5"}).status_code == 409
    with app.app_context():
        assert [(f.rating, f.comment) for f in db.session.scalars(sa.select(TrainingFeedback))] == [
            (4, "Useful")
        ]
    login(world.teacher)
    summary = client.get(f"/training/courses/{session.course_id}/feedback").get_data(as_text=True)
    assert "4 / 5" in summary or "4.0 / 5" in summary
    assert "Useful" in summary and "Person 0" not in summary


def test_attendance_asks_for_feedback(app, client, world, login, held_session):
    session, _people, enrolled = held_session
    login(world.teacher)
    client.post(
        f"/training/sessions/{session.id}/attendance",
        data={f"outcome-{enrolled[0].id}": "attended"},
    )
    with app.app_context():
        from pdservice.notifications.models import Notification

        [mail] = db.session.scalars(
            sa.select(Notification).where(Notification.kind == "training.feedback_request")
        ).all()
        assert f"/training/enrolments/{enrolled[0].id}/feedback" in mail.body_text


def test_a_course_may_credit_zero_hours(app, client, world, login):
    login(world.hr)
    response = client.post("/training/courses/new", data=course_form(hours_credited="0"))
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(Course.hours_credited)) == 0


def test_a_session_tomorrow_gets_workable_defaults(app, client, world, login, make_course):
    """Less than a day ahead: enrolment cannot close "a day before", so it closes at the start."""
    course = make_course(owners=[world.teacher])
    login(world.teacher)
    tomorrow = today() + timedelta(days=1)
    response = client.post(
        f"/training/courses/{course.id}/sessions/new",
        data={
            "capacity": "5",
            "dates-0-day": tomorrow.isoformat(),
            "dates-0-start": "00:30",
            "dates-0-end": "01:30",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        session = db.session.scalar(sa.select(CourseSession))
        assert session.enrol_opens_at < session.enrol_closes_at <= session.starts_at
