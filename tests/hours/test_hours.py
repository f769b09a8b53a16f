"""The development-hours ledger: credited exactly once per source, in the school year of
its date; external training counted once approved; transcripts, VESO progress, CSV."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from pdservice.clock import today
from pdservice.core.models import SchoolYear, User
from pdservice.extensions import db
from pdservice.hours.enums import ExternalStatus, HoursKind
from pdservice.hours.models import DevelopmentHours, ExternalTraining
from pdservice.hours.services import HoursError, record_hours, remove_hours, transcript
from pdservice.notifications.models import Notification


def ledger(app, user_id=None):
    with app.app_context():
        query = sa.select(DevelopmentHours).order_by(DevelopmentHours.id)
        if user_id:
            query = query.where(DevelopmentHours.user_id == user_id)
        rows = [
            (r.hours, r.kind, r.source_type, r.source_id, r.school_year.name, r.occurred_on)
            for r in db.session.scalars(query)
        ]
        return rows


def credit(run_in_app, user_id, **kwargs):
    defaults = {
        "hours": Decimal(3),
        "kind": "training",
        "source_type": "test",
        "source_id": 1,
        "occurred_on": date(2026, 3, 5),
    }
    return run_in_app(lambda: record_hours(user_id, **{**defaults, **kwargs}).id)


def test_record_hours_is_idempotent_per_source(app, world, run_in_app):
    first = credit(run_in_app, world.teacher.id)
    again = credit(run_in_app, world.teacher.id)
    assert first == again
    assert len(ledger(app)) == 1


def test_school_year_follows_the_date(app, world, run_in_app):
    credit(run_in_app, world.teacher.id, source_id=1, occurred_on=date(2026, 7, 31))
    credit(run_in_app, world.teacher.id, source_id=2, occurred_on=date(2026, 8, 1))
    assert [r[4] for r in ledger(app)] == ["2025–2026", "2026–2027"]


def test_a_correction_updates_the_one_row(app, world, run_in_app):
    credit(run_in_app, world.teacher.id, hours=Decimal(3))
    credit(run_in_app, world.teacher.id, hours=Decimal("4.5"), occurred_on=date(2026, 9, 1))
    [(hours, _kind, _st, _sid, year, _on)] = ledger(app)
    assert (hours, year) == (Decimal("4.50"), "2026–2027")
    assert run_in_app(lambda: remove_hours("test", 1)) is True
    assert ledger(app) == []


@pytest.mark.parametrize("hours", [Decimal(-1), Decimal(401), Decimal(100000)])
def test_negative_or_absurd_hours_are_refused(app, world, run_in_app, hours):
    with pytest.raises(HoursError):
        credit(run_in_app, world.teacher.id, hours=hours)
    assert ledger(app) == []


def test_database_guards_the_ledger(app, world):
    from sqlalchemy.exc import IntegrityError

    with app.app_context():
        year = db.session.scalar(sa.select(SchoolYear)) or SchoolYear(
            name="x", starts_on=date(2030, 8, 1), ends_on=date(2031, 7, 31)
        )
        db.session.add(year)
        db.session.flush()
        row = {
            "user_id": world.teacher.id,
            "school_year_id": year.id,
            "occurred_on": date(2030, 9, 1),
            "kind": HoursKind.TRAINING,
            "source_type": "db",
        }
        db.session.add(DevelopmentHours(hours=Decimal(-2), source_id=1, **row))
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()


def test_coteaching_planning_is_a_kind(app, world, run_in_app):
    credit(
        run_in_app, world.teacher.id, kind=HoursKind.COTEACHING_PLANNING, source_type="coteaching"
    )
    assert ledger(app)[0][1] == HoursKind.COTEACHING_PLANNING


# --- external training ------------------------------------------------------------------------


def record_external(client, **overrides):
    data = {
        "title": "Inclusive maths",
        "provider": "University of Helsinki",
        "occurred_on": (today() - timedelta(days=7)).isoformat(),
        "hours": "12",
        "note": "Evening course",
    }
    data.update(overrides)
    return client.post("/hours/external/new", data=data)


def external_rows(app):
    with app.app_context():
        return [(x.id, x.status) for x in db.session.scalars(sa.select(ExternalTraining))]


def test_external_training_counts_once_approved(app, client, world, login):
    login(world.teacher)
    assert record_external(client).status_code == 302
    [(entry_id, status)] = external_rows(app)
    assert status == ExternalStatus.PENDING and ledger(app) == []
    login(world.principal)
    assert "Inclusive maths" in client.get("/hours/external/review").get_data(as_text=True)
    response = client.post(f"/hours/external/{entry_id}/decide", data={"decision": "approve"})
    assert response.status_code == 302
    [(hours, kind, source, source_id, _year, _on)] = ledger(app, world.teacher.id)
    assert (hours, kind, source, source_id) == (
        Decimal(12),
        HoursKind.EXTERNAL,
        "external_training",
        entry_id,
    )
    # Decided once: a second decision changes nothing.
    assert (
        client.post(f"/hours/external/{entry_id}/decide", data={"decision": "approve"}).status_code
        == 409
    )
    assert len(ledger(app)) == 1
    with app.app_context():
        assert db.session.scalar(
            sa.select(Notification.kind).where(Notification.kind == "hours.external_decided")
        )


def test_hr_may_approve_and_other_principals_may_not(app, client, world, login):
    login(world.teacher)
    record_external(client)
    [(entry_id, _)] = external_rows(app)
    login(world.principal_b)
    assert (
        client.post(f"/hours/external/{entry_id}/decide", data={"decision": "approve"}).status_code
        == 404
    )
    login(world.hr)
    assert (
        client.post(
            f"/hours/external/{entry_id}/decide",
            data={"decision": "reject", "comment": "No certificate"},
        ).status_code
        == 302
    )
    assert external_rows(app)[0][1] == ExternalStatus.REJECTED and ledger(app) == []


def test_nobody_approves_their_own_hours(app, client, world, login):
    login(world.hr)
    record_external(client)
    [(entry_id, _)] = external_rows(app)
    assert (
        client.post(f"/hours/external/{entry_id}/decide", data={"decision": "approve"}).status_code
        == 403
    )


@pytest.mark.parametrize(
    "field, value",
    [
        ("hours", "-3"),
        ("hours", "0"),
        ("hours", "1000"),
        ("hours", "lots"),
        ("occurred_on", (today() + timedelta(days=3)).isoformat()),
        ("title", ""),
    ],
)
def test_bad_external_training_is_refused(app, client, world, login, field, value):
    login(world.teacher)
    response = record_external(client, **{field: value})
    assert response.status_code == 422
    assert external_rows(app) == []


# --- transcripts ------------------------------------------------------------------------------


def test_transcript_by_area_and_veso_progress(app, client, world, login, run_in_app):
    from pdservice.core.models import CompetenceArea

    with app.app_context():
        digi, incl = (
            db.session.scalar(sa.select(CompetenceArea.id).where(CompetenceArea.code == c))
            for c in ("DIGI", "INCL")
        )
    on = today()
    credit(
        run_in_app,
        world.teacher.id,
        source_id=1,
        hours=Decimal(6),
        kind="veso",
        occurred_on=on,
        areas=[digi],
    )
    credit(
        run_in_app,
        world.teacher.id,
        source_id=2,
        hours=Decimal(6),
        kind="veso",
        occurred_on=on,
        areas=[digi, incl],
    )
    credit(
        run_in_app,
        world.teacher.id,
        source_id=3,
        hours=Decimal("2.5"),
        kind="training",
        occurred_on=on,
    )
    with app.app_context():
        from pdservice.core.services import current_school_year

        data = transcript(db.session.get(User, world.teacher.id), current_school_year())
        assert data.total == Decimal("14.5")
        assert data.veso_hours == 12 and data.veso_target == 18 and data.veso_percent == 66
        assert [(a.code, h) for a, h in data.by_area] == [("DIGI", 12), ("INCL", 6)]
        assert data.unassigned == Decimal("2.5")
    login(world.teacher)
    page = client.get("/hours/").get_data(as_text=True)
    assert "12 / 18" in page and "14.5" in page
    csv_response = client.get(f"/hours/people/{world.teacher.id}/transcript.csv")
    assert csv_response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(csv_response.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:5] == ["Date", "What", "Kind", "Competence areas", "Hours"]
    assert [r[4] for r in rows[1:4]] == ["6", "6", "2.5"]
    assert rows[4][1:5] == ["Total", "", "", "14.5"]


def test_veso_hours_per_day_is_a_setting(app, world, run_in_app):
    app.config["VESO_HOURS_PER_DAY"] = "7.5"
    try:
        with app.app_context():
            from pdservice.hours.services import veso_hours_per_year

            assert veso_hours_per_year() == Decimal("22.5")
    finally:
        app.config["VESO_HOURS_PER_DAY"] = "6"


def test_principal_report_lists_their_unit(app, client, world, login, run_in_app):
    """The unit hours report now lives in the HR reports (tests/hr_reports)."""
    credit(run_in_app, world.teacher.id, hours=Decimal(18), kind="veso", occurred_on=today())
    login(world.principal)
    page = client.get("/hours/report", follow_redirects=True).get_data(as_text=True)
    assert "Teacher A" in page and "Teacher B" not in page
    assert "1 / 2" in client.get("/reports/veso").get_data(as_text=True)
    report = client.get("/hours/report.csv", follow_redirects=True).data.decode("utf-8-sig")
    assert "Teacher A" in report and ";18;" in report
    login(world.principal_b)
    assert (
        client.get(f"/hours/report?unit={world.unit_a.id}", follow_redirects=True).status_code
        == 404
    )
    assert client.get(f"/hours/people/{world.teacher.id}").status_code == 404


def test_hr_sees_every_unit(app, client, world, login):
    login(world.hr)
    page = client.get("/reports/hours?group=unit").get_data(as_text=True)
    assert "School A" in page and "School B" in page
