"""Many people enrol in one session at the same moment, through real parallel HTTP requests
against a live server: never more seats than the capacity, the waiting list in arrival
order, no errors. Runs on SQLite and on PostgreSQL (TEST_DATABASE_URL)."""

from __future__ import annotations

import http.client
import threading
from urllib.parse import urlsplit

import sqlalchemy as sa

from pdservice.extensions import db
from pdservice.training.enrolment import waitlist_positions
from pdservice.training.enums import EnrollmentStatus as S
from pdservice.training.models import CourseSession, Enrollment, EnrollmentEvent

CLIENTS = 24
CAPACITY = 5


def session_cookie(app, user) -> str:
    """The signed session cookie of a signed-in user (what /login would set)."""
    serializer = app.session_interface.get_signing_serializer(app)
    value = serializer.dumps({"_user_id": user.get_id(), "_fresh": True})
    return f"{app.config['SESSION_COOKIE_NAME']}={value}"


def post_all(live_server, path: str, cookies: list[str]) -> list[int]:
    """POST `path` once per cookie, all released at the same moment; the statuses."""
    netloc = urlsplit(live_server.url).netloc
    barrier = threading.Barrier(len(cookies))
    statuses: list[int] = [0] * len(cookies)

    def one(n: int, cookie: str) -> None:
        connection = http.client.HTTPConnection(netloc, timeout=300)  # a hang guard only
        try:
            barrier.wait()
            connection.request(
                "POST",
                path,
                body="",
                headers={
                    "Cookie": cookie,
                    "Accept-Language": "en",
                    "Content-Type": "application/x-www-form-urlencoded",
                },
            )
            statuses[n] = connection.getresponse().status
        finally:
            connection.close()

    threads = [threading.Thread(target=one, args=(n, c)) for n, c in enumerate(cookies)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    return statuses


def test_no_overbooking_when_many_enrol_at_once(app, world, make_user, make_session, live_server):
    session = make_session(capacity=CAPACITY)
    people = [make_user(f"Parallel {n}", units=[world.unit_a]) for n in range(CLIENTS)]
    statuses = post_all(
        live_server,
        f"/training/sessions/{session.id}/enrol",
        [session_cookie(app, p) for p in people],
    )
    assert statuses == [302] * CLIENTS  # every request answered, none failed
    with app.app_context():
        rows = db.session.scalars(
            sa.select(Enrollment).where(Enrollment.session_id == session.id)
        ).all()
        booked = [e for e in rows if e.status == S.BOOKED]
        waiting = [e for e in rows if e.status == S.WAITLISTED]
        assert (len(booked), len(waiting)) == (CAPACITY, CLIENTS - CAPACITY)
        assert db.session.get(CourseSession, session.id).booked_count == CAPACITY
        # The waiting list is in arrival order: positions 1..n by the time each joined,
        # and every seat went to someone who arrived before anyone who waits.
        positions = waitlist_positions([e.id for e in waiting])
        assert sorted(p for p, _n in positions.values()) == list(range(1, len(waiting) + 1))
        by_position = sorted(waiting, key=lambda e: positions[e.id][0])
        assert [e.waitlisted_at for e in by_position] == sorted(e.waitlisted_at for e in waiting)
        event_ids = {
            ev.enrollment_id: ev.id
            for ev in db.session.scalars(
                sa.select(EnrollmentEvent).where(
                    EnrollmentEvent.enrollment_id.in_([e.id for e in rows])
                )
            )
        }
        assert max(event_ids[e.id] for e in booked) < min(event_ids[e.id] for e in waiting)
        assert [event_ids[e.id] for e in by_position] == sorted(event_ids[e.id] for e in waiting)


def test_one_person_enrolling_twice_at_once_gets_one_enrolment(
    app, world, make_session, live_server
):
    session = make_session(capacity=CAPACITY)
    cookie = session_cookie(app, world.teacher)
    statuses = post_all(live_server, f"/training/sessions/{session.id}/enrol", [cookie] * 6)
    assert sorted(statuses) == [302] + [409] * 5
    with app.app_context():
        assert (
            db.session.scalar(
                sa.select(sa.func.count(Enrollment.id)).where(Enrollment.session_id == session.id)
            )
            == 1
        )
        assert db.session.get(CourseSession, session.id).booked_count == 1
