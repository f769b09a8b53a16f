"""The personal calendar feed: a secret, revocable address; valid RFC 5545 with stable UIDs
and Helsinki times; other features add their events through the source registry."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
import sqlalchemy as sa

from pdservice.calendar.models import CalendarFeed
from pdservice.calendar.services import (
    FeedEvent,
    build_calendar,
    event_sources,
    register_event_source,
)
from pdservice.extensions import db

HELSINKI = ZoneInfo("Europe/Helsinki")


def feed_url(client) -> str:
    """Make the signed-in user's feed address from the account page, as a user does."""
    client.post("/calendar/feed")
    page = client.get("/account").get_data(as_text=True)
    start = page.index("/calendar/feed/")
    return page[start : page.index('"', start)]


def test_feed_lists_booked_sessions_in_helsinki_time(
    app, client, world, login, make_session, enrol_as
):
    session = make_session(title="Digiloikka", days=2)
    enrol_as(session, world.teacher)
    other = make_session(title="Not mine")
    enrol_as(other, world.teacher_b)
    login(world.teacher)
    url = feed_url(client)
    anonymous = app.test_client()
    response = anonymous.get(url)
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    calendar = icalendar.Calendar.from_ical(response.data)
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    events = calendar.walk("VEVENT")
    assert sorted(str(e["SUMMARY"]) for e in events) == ["Digiloikka (1/2)", "Digiloikka (2/2)"]
    for event in events:
        start = event.decoded("DTSTART")
        assert start.tzinfo is not None and str(start.tzinfo) == "Europe/Helsinki"
        assert event["DTSTART"].params["TZID"] == "Europe/Helsinki"
        assert event.decoded("DTEND") > start
        assert event["UID"].endswith("@pdservice")
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Helsinki"]
    # Times are right: the first date starts when the session starts.
    first = min(e.decoded("DTSTART") for e in events)
    assert first.astimezone(UTC) == session.starts_at


def test_uids_are_stable_across_fetches_and_edits(
    app, client, world, login, make_session, enrol_as
):
    session = make_session(title="Kiva")
    enrol_as(session, world.teacher)
    login(world.teacher)
    url = feed_url(client)

    def uids():
        return [
            str(e["UID"]) for e in icalendar.Calendar.from_ical(client.get(url).data).walk("VEVENT")
        ]  # noqa: E731

    before = uids()
    with app.app_context():
        from pdservice.training.models import SessionDate

        day = db.session.scalar(sa.select(SessionDate).where(SessionDate.session_id == session.id))
        day.ends_at += timedelta(hours=1)
        db.session.commit()
    assert uids() == before


def test_cancelled_and_waitlisted_sessions_are_not_in_the_feed(
    app, client, world, login, make_user, make_session, enrol_as, run_in_app
):
    full = make_session(capacity=1)
    enrol_as(full, make_user(units=[world.unit_a]))
    enrol_as(full, world.teacher)  # waitlisted
    cancelled = make_session()
    enrol_as(cancelled, world.teacher)
    from pdservice.core.models import User
    from pdservice.training.enrolment import cancel_session

    run_in_app(
        lambda: cancel_session(cancelled.id, actor=db.session.get(User, world.hr.id), reason="x")
    )
    login(world.teacher)
    calendar = icalendar.Calendar.from_ical(client.get(feed_url(client)).data)
    assert calendar.walk("VEVENT") == []


def test_regenerating_revokes_the_old_address(app, client, world, login):
    login(world.teacher)
    old = feed_url(client)
    new = feed_url(client)
    assert old != new
    assert app.test_client().get(old).status_code == 404
    assert app.test_client().get(new).status_code == 200
    client.post("/calendar/feed/revoke")
    assert app.test_client().get(new).status_code == 404


def test_only_a_hash_of_the_token_is_stored(app, client, world, login):
    login(world.teacher)
    url = feed_url(client)
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    with app.app_context():
        feed = db.session.scalar(sa.select(CalendarFeed))
        assert token not in (feed.token_hash, feed.nonce)
        assert len(token) == 64


def test_deactivated_user_feed_stops(app, client, world, login):
    login(world.teacher)
    url = feed_url(client)
    with app.app_context():
        from pdservice.core.models import User

        db.session.get(User, world.teacher.id).active = False
        db.session.commit()
    assert app.test_client().get(url).status_code == 404


@pytest.fixture
def weekly_source():
    """A source like the co-teaching feature's: weekly lessons until the end of term."""

    def lessons(user):
        start = datetime(2026, 9, 7, 9, 0, tzinfo=HELSINKI)
        yield FeedEvent(
            uid=f"lesson-{user.id}-1@pdservice",
            summary="Co-teaching 5A maths",
            start=start,
            end=start + timedelta(minutes=45),
            location="Room 12",
            weekly_until=date(2026, 12, 18),
        )

    register_event_source(lessons)
    yield lessons
    from pdservice.calendar import services

    services._SOURCES.remove(lessons)


def test_other_features_add_weekly_events(app, client, world, login, weekly_source):
    assert weekly_source in event_sources()
    login(world.teacher)
    calendar = icalendar.Calendar.from_ical(client.get(feed_url(client)).data)
    [event] = calendar.walk("VEVENT")
    rule = event["RRULE"]
    assert rule["FREQ"] == ["WEEKLY"]
    until = rule["UNTIL"][0]
    assert until.tzinfo is not None and until.utcoffset() == timedelta(0)  # RFC 5545: UTC
    assert until.astimezone(HELSINKI).date() == date(2026, 12, 18)
    # Across the change from summer to winter time the lesson stays at 9.00 local time.
    from dateutil.rrule import rrulestr

    dtstart = event.decoded("DTSTART")
    occurrences = list(rrulestr(rule.to_ical().decode(), dtstart=dtstart))
    assert len(occurrences) == 15
    assert {o.astimezone(HELSINKI).hour for o in occurrences} == {9}


def test_built_calendar_round_trips(app):
    start = datetime(2026, 3, 29, 2, 30, tzinfo=UTC)  # the night the clocks go forward
    with app.test_request_context():
        body = build_calendar(
            [
                FeedEvent(
                    uid="x@pdservice", summary="Å ä ö", start=start, end=start + timedelta(hours=1)
                )
            ],
            name="Test",
        )
    calendar = icalendar.Calendar.from_ical(body)
    [event] = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == "Å ä ö"
    assert event.decoded("DTSTART").astimezone(UTC) == start
    assert event["DTSTAMP"]
    for line in body.split(b"\r\n"):
        assert len(line) <= 75  # folded lines (RFC 5545 3.1)


def test_feed_events_must_be_aware_and_end_after_start():
    naive = datetime(2026, 1, 1, 9)
    with pytest.raises(ValueError):
        FeedEvent(uid="a", summary="a", start=naive, end=naive + timedelta(hours=1))
    aware = datetime(2026, 1, 1, 9, tzinfo=UTC)
    with pytest.raises(ValueError):
        FeedEvent(uid="a", summary="a", start=aware, end=aware)


def test_the_helsinki_timezone_rules_match_the_tz_database():
    """The compact VTIMEZONE of the feeds against zoneinfo, hour by hour around every change
    of the years the service is used in."""
    from pdservice.calendar.services import _helsinki_vtimezone

    tz = _helsinki_vtimezone().to_tz()
    for year in range(2020, 2036):
        for month, day in ((3, 20), (10, 20)):
            for hours in range(0, 24 * 14, 1):
                moment = datetime(year, month, day, tzinfo=UTC) + timedelta(hours=hours)
                assert moment.astimezone(tz).utcoffset() == moment.astimezone(HELSINKI).utcoffset()
