"""The demo city's training, competences and hours: consistent with the rules of the state
machine, and every screen of the feature shows something real to the demo accounts."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from pdservice.extensions import db
from pdservice.training.enums import SEAT_STATES
from pdservice.training.enums import EnrollmentStatus as S
from pdservice.training.models import CourseSession, Enrollment


@pytest.fixture
def demo(demo_city):
    first = {}
    for a in demo_city.accounts:
        first.setdefault((a["role"], a["unit"]), a["email"])
    return first


def sign_in(app, email):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = client.post("/login", data={"email": email, "password": app.config["DEMO_PASSWORD"]})
    assert response.status_code == 302
    client.post("/language", data={"language": "en"})
    return client


def test_demo_keeps_the_rules_and_every_screen_shows_it(app, demo):
    """One seed for both checks (seeding takes a few seconds)."""
    check_invariants(app)
    check_screens(app, demo)


def check_invariants(app):
    with app.app_context():
        sessions = db.session.scalars(sa.select(CourseSession)).all()
        assert 25 <= len({s.course_id for s in sessions}) <= 35
        for session in sessions:
            statuses = [
                e.status
                for e in db.session.scalars(
                    sa.select(Enrollment).where(Enrollment.session_id == session.id)
                )
            ]
            seats = sum(1 for s in statuses if s in SEAT_STATES)
            assert session.booked_count == seats <= session.capacity
            if S.WAITLISTED in statuses:
                assert seats == session.capacity
        counts = dict(
            db.session.execute(
                sa.select(Enrollment.status, sa.func.count()).group_by(Enrollment.status)
            ).all()
        )
        for status in (S.BOOKED, S.WAITLISTED, S.REQUESTED, S.ATTENDED, S.NO_SHOW):
            assert counts.get(status, 0) > 0, status


def check_screens(app, demo):
    teacher = sign_in(app, demo[("teacher", "koivurinne")])
    page = teacher.get("/training/").get_data(as_text=True)
    assert "Suggested for you" in page and "seats free" in page
    mine = teacher.get("/training/my").get_data(as_text=True)
    assert "Waiting for approval" in mine and "on the waiting list" in mine
    assert "Attended" in mine or "Partly attended" in mine
    assert "History" in teacher.get("/competences/").get_data(as_text=True)
    plan = teacher.get("/competences/plan", follow_redirects=True).get_data(as_text=True)
    assert "Goals and progress" in plan
    hours = teacher.get("/hours/").get_data(as_text=True)
    assert "In-service training (VESO)" in hours and "External training recorded" in hours

    principal = sign_in(app, demo[("principal", "koivurinne")])
    home = principal.get("/home").get_data(as_text=True)
    assert "training requests" in home
    assert "Approve" in principal.get("/training/approvals").get_data(as_text=True)
    assert "<svg" in principal.get("/competences/units").get_data(as_text=True)
    assert "Waiting for the principal" in principal.get("/competences/plans").get_data(as_text=True)
    assert "VESO" in principal.get("/reports/hours").get_data(as_text=True)
    assert "Conference" not in principal.get("/hours/external/review").get_data(as_text=True)

    hr = sign_in(app, "hr@vantaa.example")
    courses = hr.get("/training/manage").get_data(as_text=True)
    assert "Digiloikka" in courses
    with app.app_context():
        held = db.session.scalar(
            sa.select(CourseSession.id)
            .join(Enrollment, Enrollment.session_id == CourseSession.id)
            .where(Enrollment.status == S.ATTENDED)
            .limit(1)
        )
        course_id = db.session.get(CourseSession, held).course_id
    assert "Attended" in hr.get(f"/training/sessions/{held}/participants").get_data(as_text=True)
    assert "/ 5" in hr.get(f"/training/courses/{course_id}/feedback").get_data(as_text=True)
    assert "Development hours by unit" in hr.get("/reports/hours?group=unit").get_data(as_text=True)

    admin = sign_in(app, "admin@vantaa.example")
    outbox = admin.get("/notifications/outbox").get_data(as_text=True)
    assert "Waiting" in outbox
