"""Joint planning time of a published pair, and what it gives the development-hours ledger."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from pdservice.clock import today
from pdservice.coteaching.enums import DecisionState
from pdservice.coteaching.models import CoTeachingAssignment, PlanningEntry
from pdservice.coteaching.published.planning import LEDGER_KIND, planning_hours_for_ledger
from pdservice.extensions import db
from pdservice.hours.enums import HoursKind
from pdservice.hours.models import DevelopmentHours
from pdservice.timetable.models import Term
from tests.timetable.factories import lesson_id


@pytest.fixture
def pair(app, school):
    """Sam co-teaches Teacher A's Monday maths (published); the term runs up to today."""
    with app.app_context():
        term = db.session.get(Term, school.term_id)
        term.starts_on, term.ends_on = today() - timedelta(days=60), today() + timedelta(days=60)
        db.session.add(
            CoTeachingAssignment(
                term_id=term.id,
                lesson_id=lesson_id(app, term.id, "3A-MA-Mo1"),
                coteacher_id=school.sam.id,
                state=DecisionState.ACCEPTED,
                published=True,
            )
        )
        db.session.commit()
    return school


def log(client, school, partner, **values):
    data = {
        "partner_id": partner.id,
        "occurred_on": (today() - timedelta(days=1)).isoformat(),
        "hours": "1.5",
        "note": "Station teaching in maths",
    }
    data.update(values)
    return client.post(f"/coteaching/terms/{school.term_id}/planning", data=data)


def test_a_pair_logs_joint_planning_and_both_are_credited(app, pair, client, login):
    login(pair.sam)
    assert log(client, pair, pair.teacher).status_code == 302
    with app.app_context():
        entry = db.session.scalar(sa.select(PlanningEntry))
        assert entry.hours == Decimal("1.50") and entry.logged_by_id == pair.sam.id
        credits = planning_hours_for_ledger(entry)
    assert {c.user_id for c in credits} == {pair.sam.id, pair.teacher.id}
    assert all(c.hours == Decimal("1.5") and c.kind == LEDGER_KIND for c in credits)
    assert all(c.source_type == "coteaching_planning_entry" for c in credits)
    assert all(c.source_id == entry.id for c in credits)
    # The partner sees the entry too, and may delete it.
    login(pair.teacher)
    page = client.get(f"/coteaching/terms/{pair.term_id}/planning").get_data(as_text=True)
    assert "Station teaching in maths" in page and "1.5" in page
    assert client.post(f"/coteaching/planning/{entry.id}/delete").status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(PlanningEntry.id))) == 0


def test_planning_enters_the_ledger_for_both_and_leaves_it_when_deleted(app, pair, client, login):
    login(pair.sam)
    log(client, pair, pair.teacher, hours="2.25")
    with app.app_context():
        rows = db.session.scalars(sa.select(DevelopmentHours)).all()
        assert {r.user_id for r in rows} == {pair.sam.id, pair.teacher.id}
        assert all(r.kind == HoursKind.COTEACHING_PLANNING for r in rows)
        assert all(r.hours == Decimal("2.25") for r in rows)
        assert all([a.code for a in r.areas] == ["COTEACH"] for r in rows)
        entry_id = db.session.scalar(sa.select(PlanningEntry.id))
    # The transcript shows them as their own kind.
    transcript = client.get("/hours/").get_data(as_text=True)
    assert "2.25" in transcript and "Joint co-teaching planning" in transcript
    client.post(f"/coteaching/planning/{entry_id}/delete")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(DevelopmentHours.id))) == 0


@pytest.mark.parametrize(
    "who, values, message",
    [
        ("bea", {}, "no published co-teaching partner"),
        ("sam", {"hours": "0.1"}, "Number must be between 0.25 and 12"),
        ("sam", {"hours": "1.3"}, "in quarters of an hour"),
        ("sam", {"occurred_on": (today() + timedelta(days=2)).isoformat()}, "cannot be in the"),
        ("sam", {"occurred_on": "2001-01-01"}, "within the term"),
    ],
)
def test_planning_that_cannot_be_logged(app, pair, client, login, who, values, message):
    login(getattr(pair, who))
    response = log(client, pair, pair.teacher, **values)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(PlanningEntry.id))) == 0


def test_others_cannot_delete_a_pairs_entry(app, pair, client, login, world):
    login(pair.sam)
    log(client, pair, pair.teacher)
    with app.app_context():
        entry_id = db.session.scalar(sa.select(PlanningEntry.id))
    for user in (pair.bea, world.teacher_b, world.admin):
        login(user)
        assert client.post(f"/coteaching/planning/{entry_id}/delete").status_code == 404
    assert date.today()
