"""The outbox: written with the change, rendered in the recipient's language, delivered by
the jobs process to a real SMTP server, retried with back-off, never lost, never sent twice."""

from __future__ import annotations

from datetime import timedelta

import icalendar
import pytest
import sqlalchemy as sa

from pdservice.core.models import User
from pdservice.db import utcnow
from pdservice.extensions import db
from pdservice.notifications.delivery import claim_due, deliver_due, retry_pause
from pdservice.notifications.enums import OutboxStatus
from pdservice.notifications.models import Notification
from pdservice.notifications.services import notify, set_preferences
from tests.training.factories import free_port


def outbox(app, **filters):
    with app.app_context():
        query = sa.select(Notification).order_by(Notification.id)
        for key, value in filters.items():
            query = query.where(getattr(Notification, key) == value)
        rows = db.session.scalars(query).all()
        db.session.expunge_all()
        return rows


def deliver(app, **kwargs):
    with app.app_context():
        try:
            return deliver_due(**kwargs)
        finally:
            db.session.remove()


def test_booking_writes_a_confirmation_with_a_calendar_file(app, world, make_session, enrol_as):
    session = make_session(title="Digiloikka")
    enrol_as(session, world.teacher)
    [mail] = outbox(app, kind="training.booked")
    assert mail.to_address == world.teacher.email and mail.status == OutboxStatus.PENDING
    assert "Digiloikka" in mail.subject
    [attachment] = mail.attachments
    assert attachment["content_type"] == "text/calendar"


def test_mail_is_in_the_recipients_language(app, make_user, world, make_session, enrol_as):
    finn = make_user("Aino", units=[world.unit_a], preferred_language="fi")
    swede = make_user("Emma", units=[world.unit_b], preferred_language="sv")
    session = make_session(title="KiVa")
    enrol_as(session, finn)
    enrol_as(session, swede)
    by_user = {m.user_id: m for m in outbox(app, kind="training.booked")}
    assert by_user[finn.id].subject.startswith("Paikka varattu")
    assert "Hei Aino" in by_user[finn.id].body_text
    assert by_user[swede.id].subject.startswith("Plats bokad")
    assert "Hej Emma" in by_user[swede.id].body_text


def test_same_event_never_makes_two_mails(app, world):
    with app.test_request_context():
        user = db.session.get(User, world.teacher.id)
        for _ in range(3):
            notify(
                user,
                "training.session_cancelled",
                "training_session_cancelled",
                _cancel_context(),
                dedupe_key="test:once",
            )
        db.session.commit()
    assert len(outbox(app)) == 1


def _cancel_context():
    class Obj:
        pass

    course, session = Obj(), Obj()
    course.title = "X"
    session.location, session.online_url, session.cancel_cutoff_at = "", "", utcnow()
    return {
        "course": course,
        "session": session,
        "dates": [],
        "session_url": "http://x/",
        "reason": "",
    }


def test_optional_mail_respects_the_choice(app, world, make_session, enrol_as):
    with app.app_context():
        set_preferences(world.teacher.id, {"training.waitlisted": False})
        db.session.commit()
    session = make_session(capacity=0)
    enrol_as(session, world.teacher)  # waitlisted: the optional confirmation is off
    assert outbox(app, kind="training.waitlisted") == []


def test_delivery_sends_once(app, world, make_session, enrol_as, smtp_server):
    enrol_as(make_session(title="Digiloikka"), world.teacher)
    report = deliver(app)
    assert report.sent == 1
    [message] = smtp_server.messages
    assert message["To"] == world.teacher.email
    assert "Digiloikka" in message["Subject"]
    [ics] = [
        part for part in message.iter_attachments() if part.get_content_type() == "text/calendar"
    ]
    calendar = icalendar.Calendar.from_ical(ics.get_content())
    assert [e["SUMMARY"] for e in calendar.walk("VEVENT")] == ["Digiloikka"]
    [mail] = outbox(app)
    assert mail.status == OutboxStatus.SENT and mail.attempts == 1
    assert deliver(app).sent == 0  # nothing left: never twice
    assert len(smtp_server.messages) == 1


def test_temporary_failure_is_retried_with_backoff_without_duplicates(
    app, world, make_session, enrol_as, smtp_server
):
    enrol_as(make_session(), world.teacher)
    smtp_server.refuse = ["451 4.3.0 Try again later"]
    now = utcnow()  # the delivery rounds' clock: however long the test takes, it reads this
    first = deliver(app, now=now)
    assert (first.sent, first.retried) == (0, 1)
    [mail] = outbox(app)
    assert mail.status == OutboxStatus.PENDING and mail.attempts == 1
    assert "451" in mail.last_error
    assert mail.next_attempt_at > now + timedelta(seconds=50)
    assert deliver(app, now=now + timedelta(seconds=50)).sent == 0  # not due yet
    later = mail.next_attempt_at + timedelta(seconds=1)
    assert deliver(app, now=later).sent == 1
    assert deliver(app, now=later + timedelta(hours=1)).sent == 0
    assert len(smtp_server.messages) == 1
    [mail] = outbox(app)
    assert (mail.status, mail.attempts) == (OutboxStatus.SENT, 2)


def test_server_down_then_up(app, world, make_session, enrol_as, smtp_server):
    enrol_as(make_session(), world.teacher)
    app.config["MAIL_PORT"] = free_port()  # nothing listens there
    assert deliver(app).retried == 1
    [mail] = outbox(app)
    assert mail.status == OutboxStatus.PENDING and mail.last_error
    app.config["MAIL_PORT"] = smtp_server.port
    assert deliver(app, now=utcnow() + timedelta(minutes=2)).sent == 1
    assert len(smtp_server.messages) == 1


def test_permanent_refusal_fails_and_an_admin_can_send_again(
    app, world, make_session, enrol_as, smtp_server, login, client
):
    enrol_as(make_session(), world.teacher)
    smtp_server.refuse = ["550 5.1.1 No such user"]
    assert deliver(app).failed == 1
    [mail] = outbox(app)
    assert mail.status == OutboxStatus.FAILED
    login(world.admin)
    assert client.post(f"/notifications/outbox/{mail.id}/retry").status_code == 302
    assert deliver(app).sent == 1
    assert len(smtp_server.messages) == 1


def test_gives_up_after_the_last_attempt(app, world, make_session, enrol_as, smtp_server):
    enrol_as(make_session(), world.teacher)
    app.config["MAIL_MAX_ATTEMPTS"] = 2
    try:
        smtp_server.refuse = ["451 busy", "451 busy"]
        deliver(app)
        assert deliver(app, now=utcnow() + timedelta(hours=1)).failed == 1
    finally:
        app.config["MAIL_MAX_ATTEMPTS"] = 8
    assert outbox(app)[0].status == OutboxStatus.FAILED
    assert deliver(app, now=utcnow() + timedelta(days=1)).sent == 0
    assert smtp_server.messages == []


def test_a_claim_left_by_a_crashed_process_is_sent_once(
    app, world, make_session, enrol_as, smtp_server
):
    enrol_as(make_session(), world.teacher)
    with app.app_context():
        now = utcnow()
        assert len(claim_due(now, 10)) == 1
        db.session.commit()
        assert claim_due(now, 10) == []  # claimed: nobody else takes it
        db.session.commit()
    # the claim is fresh: the holder may still be sending
    assert deliver(app, now=now + timedelta(minutes=9)).sent == 0
    assert deliver(app, now=now + timedelta(minutes=11)).sent == 1
    assert len(smtp_server.messages) == 1


def test_message_id_is_the_same_on_every_attempt(app, world, make_session, enrol_as, smtp_server):
    enrol_as(make_session(), world.teacher)
    smtp_server.refuse = ["451 later"]
    deliver(app)
    deliver(app, now=utcnow() + timedelta(minutes=2))
    [message] = smtp_server.messages
    [mail] = outbox(app)
    assert message["Message-ID"].startswith(f"<pdservice.{mail.id}.")


def test_retry_pause_grows_and_is_capped():
    pauses = [retry_pause(n) for n in range(1, 10)]
    assert pauses[:4] == [timedelta(minutes=m) for m in (1, 3, 9, 27)]
    assert max(pauses) == timedelta(hours=6)


def test_disabled_mail_stays_in_the_outbox(app, world, make_session, enrol_as, smtp_server):
    enrol_as(make_session(), world.teacher)
    app.config["MAIL_ENABLED"] = False
    try:
        assert deliver(app).sent == 0
    finally:
        app.config["MAIL_ENABLED"] = True
    assert outbox(app)[0].status == OutboxStatus.PENDING


@pytest.mark.parametrize("choice", [True, False])
def test_account_page_saves_mail_choices(app, client, world, login, choice):
    login(world.teacher)
    data = {"kind-training.reminder": "on"} if choice else {}
    assert client.post("/notifications/preferences", data=data).status_code == 302
    with app.app_context():
        from pdservice.notifications.services import preferences

        assert preferences(world.teacher.id)["training.reminder"] is choice
    page = client.get("/account").get_data(as_text=True)
    assert "Reminders before training days" in page
