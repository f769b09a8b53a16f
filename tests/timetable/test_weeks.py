"""The timetable views for each role, printable, exported; the calendar events."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import icalendar
import pytest
import sqlalchemy as sa
from dateutil.rrule import rrulestr
from openpyxl import load_workbook

from pdservice.core.models import User
from pdservice.coteaching.enums import DecisionState
from pdservice.coteaching.models import CoTeachingAssignment
from pdservice.coteaching.published.calendar_events import calendar_events
from pdservice.extensions import db
from pdservice.teams.enums import TeamKind
from pdservice.teams.models import Team, TeamMeeting, TeamMember
from pdservice.timetable.models import Group, PeriodSlot, Term
from tests.timetable.factories import lesson_id


@pytest.fixture
def published(app, school, monkeypatch):
    """Sam co-teaches 3A's Monday maths (published); the KiVa team (Teacher A, Sam) meets on
    Tuesdays at period 3 (published). "Today" is inside the term, whatever the real date."""
    import pdservice.coteaching.published.calendar_events

    monkeypatch.setattr(
        pdservice.coteaching.published.calendar_events, "today", lambda: date(2025, 10, 1)
    )
    mo1 = lesson_id(app, school.term_id, "3A-MA-Mo1")
    with app.app_context():
        term = db.session.get(Term, school.term_id)
        term.starts_on, term.ends_on = date(2025, 8, 11), date(2025, 12, 19)
        db.session.add(
            CoTeachingAssignment(
                term_id=term.id,
                lesson_id=mo1,
                coteacher_id=school.sam.id,
                state=DecisionState.ACCEPTED,
                published=True,
            )
        )
        team = Team(unit_id=school.unit.id, name="KiVa team", kind=TeamKind.KIVA)
        team.members = [TeamMember(user_id=school.teacher.id), TeamMember(user_id=school.sam.id)]
        db.session.add(team)
        db.session.flush()
        tu3 = db.session.scalar(
            sa.select(PeriodSlot).where(
                PeriodSlot.term_id == term.id, PeriodSlot.day == 2, PeriodSlot.index == 3
            )
        )
        db.session.add(
            TeamMeeting(
                team_id=team.id,
                term_id=term.id,
                start_slot_id=tu3.id,
                length=1,
                published_slot_id=tu3.id,
                published_length=1,
            )
        )
        db.session.commit()
        db.session.remove()
    return school


@pytest.mark.parametrize("who", ["teacher", "principal", "admin"])
def test_the_unit_week_marks_coteaching_and_meetings_in_words(client, login, published, world, who):
    login(getattr(world, who))
    page = client.get(f"/timetable/terms/{published.term_id}").get_data(as_text=True)
    assert '<th scope="col">Monday</th>' in page and '<th scope="row">1' in page
    cell = page.split('class="entry entry-coteaching"')[1].split("</li>")[0]
    assert "Co-teaching" in cell and "3A · MA" in cell and "with Sam Special" in cell
    meeting = page.split('class="entry entry-meeting"')[1].split("</li>")[0]
    assert "Team meeting" in meeting and "KiVa team" in meeting
    assert "Print" in page and "print.css" in page


def test_a_teachers_week_shows_what_they_join_and_host(client, login, published):
    login(published.sam)
    mine = client.get("/timetable/mine")
    assert mine.status_code == 302 and mine.headers["Location"].endswith(
        f"/terms/{published.term_id}/teachers/{published.sam.id}"
    )
    page = client.get(mine.headers["Location"]).get_data(as_text=True)
    joined = page.split('class="entry entry-coteaching"')[1].split("</li>")[0]
    assert "you join the lesson" in joined and "Teacher A" in joined
    assert "KiVa team" in page and "3B · EN" in page
    login(published.teacher)
    host = client.get(f"/timetable/terms/{published.term_id}/teachers/{published.teacher.id}")
    hosted = (
        host.get_data(as_text=True).split('class="entry entry-coteaching"')[1].split("</li>")[0]
    )
    assert "with Sam Special" in hosted


def test_a_groups_week(app, client, login, published):
    with app.app_context():
        group_id = db.session.scalar(sa.select(Group.id).where(Group.code == "3A"))
    login(published.bea)
    page = client.get(f"/timetable/terms/{published.term_id}/groups/{group_id}").get_data(
        as_text=True
    )
    assert page.count("entry entry-") == 4 and "Co-teaching" in page
    assert "3B · " not in page


def test_teachers_of_another_unit_and_hr_see_nothing(client, login, published, world):
    for user in (world.teacher_b, world.hr, world.principal_b):
        login(user)
        assert client.get(f"/timetable/terms/{published.term_id}").status_code == 404
        assert client.get(f"/timetable/terms/{published.term_id}/export.csv").status_code == 404


def test_csv_and_xlsx_exports(client, login, published):
    login(published.teacher)
    response = client.get(f"/timetable/terms/{published.term_id}/export.csv")
    assert response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 9 + 1  # nine one-period lessons and one meeting period
    coteaching = [r for r in rows if r["Kind"] == "co-teaching"]
    assert coteaching[0]["Co-teachers"] == "Sam Special" and coteaching[0]["Day"] == "Monday"
    meeting = [r for r in rows if r["Kind"] == "team meeting"]
    assert meeting[0]["Team"] == "KiVa team" and "Teacher A" in meeting[0]["Members"]
    teacher = client.get(
        f"/timetable/terms/{published.term_id}/export.xlsx?teacher={published.sam.id}"
    )
    sheet = load_workbook(io.BytesIO(teacher.data)).active
    kinds = [row[4] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert kinds.count("co-teaching") == 1 and kinds.count("team meeting") == 1
    assert client.get(f"/timetable/terms/{published.term_id}/export.pdf").status_code == 404


def test_calendar_events_of_a_coteacher_a_host_and_a_team_member(app, published):
    with app.test_request_context():
        sam = db.session.get(User, published.sam.id)
        events = calendar_events(sam)
        assert [e.kind for e in events] == ["coteaching", "meeting"]
        lesson, meeting = events
        # The first Monday and Tuesday of the term, in Helsinki time.
        assert lesson.start == datetime(2025, 8, 11, 8, 15, tzinfo=lesson.start.tzinfo)
        assert str(lesson.start.tzinfo) == "Europe/Helsinki"
        assert lesson.end.hour == 9 and lesson.end.minute == 0
        assert meeting.start.date() == date(2025, 8, 12) and meeting.start.hour == 10
        assert lesson.until == datetime(2025, 12, 19, 21, 59, 59, tzinfo=UTC)
        assert lesson.summary == "Co-teaching: 3A MA" and "Teacher A" in lesson.description
        assert lesson.location == "A1" and lesson.uid.startswith("coteaching-")
        host = calendar_events(db.session.get(User, published.teacher.id))
        assert {e.uid for e in host} == {e.uid for e in events}
        assert "Sam Special" in host[0].description
        assert calendar_events(db.session.get(User, published.bea.id)) == []


def test_calendar_events_pass_through_icalendar_as_weekly_events(app, published):
    with app.test_request_context():
        events = calendar_events(db.session.get(User, published.sam.id))
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//pdservice test//")
    calendar.add("version", "2.0")
    for event in events:
        vevent = icalendar.Event()
        vevent.add("uid", event.uid)
        vevent.add("summary", event.summary)
        vevent.add("description", event.description)
        vevent.add("dtstart", event.start)
        vevent.add("dtend", event.end)
        vevent.add("rrule", event.rrule)
        if event.location:
            vevent.add("location", event.location)
        calendar.add_component(vevent)
    text = calendar.to_ical().decode()
    assert "DTSTART;TZID=Europe/Helsinki:20250811T081500" in text
    assert "RRULE:FREQ=WEEKLY;UNTIL=20251219T215959Z" in text
    parsed = icalendar.Calendar.from_ical(text)
    first = next(c for c in parsed.walk("VEVENT"))
    rule = rrulestr(first["RRULE"].to_ical().decode(), dtstart=first["DTSTART"].dt)
    mondays = list(rule)
    assert len(mondays) == 19  # 11 Aug – 15 Dec 2025
    assert mondays[-1].date() == date(2025, 12, 15)
    assert all(d.weekday() == 0 and d.hour == 8 for d in mondays)


def test_calendar_texts_follow_the_users_language(app, published):
    with app.app_context():
        user = db.session.get(User, published.sam.id)
        user.preferred_language = "fi"
        db.session.commit()
    with app.test_request_context(headers={"Accept-Language": "en"}):
        events = calendar_events(db.session.get(User, published.sam.id))
    assert events[0].summary.startswith("Yhteisopetus")


def test_the_personal_feed_carries_coteaching_and_meetings_as_weekly_series(
    app, published, client, login
):
    login(published.sam)
    client.post("/calendar/feed")
    page = client.get("/account").get_data(as_text=True)
    start = page.index("/calendar/feed/")
    url = page[start : page.index("<", start)].split('"')[0].strip()
    client.post("/logout")
    response = client.get(url)  # fetched by a calendar program, without a session
    assert response.status_code == 200
    parsed = icalendar.Calendar.from_ical(response.data)
    events = {str(e["UID"]): e for e in parsed.walk("VEVENT")}
    coteaching = next(e for uid, e in events.items() if uid.startswith("coteaching-"))
    meeting = next(e for uid, e in events.items() if uid.startswith("team-meeting-"))
    for event in (coteaching, meeting):
        assert event["RRULE"]["FREQ"] == ["WEEKLY"]
        assert event["DTSTART"].dt.tzinfo is not None
    assert "3A" in str(coteaching["SUMMARY"])
    assert "KiVa team" in str(meeting["SUMMARY"])


def test_the_home_panel_offers_wishes_only_to_those_who_teach(login, world):
    teacher_home = login(world.teacher).get("/home").get_data(as_text=True)
    assert "State your co-teaching wishes" in teacher_home
    hr_home = login(world.hr).get("/home").get_data(as_text=True)
    assert "State your co-teaching wishes" not in hr_home
    assert 'id="coteaching-panel"' not in hr_home
