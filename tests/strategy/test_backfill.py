"""`flask strategy backfill` on a hand-built audit history."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
import sqlalchemy as sa

from pdservice.clock import HELSINKI, today
from pdservice.core.enums import Profession
from pdservice.core.models import AuditLog
from pdservice.core.services import school_year_for
from pdservice.extensions import db
from pdservice.strategy.models import IndicatorSnapshot
from pdservice.timetable.models import Term


def day(offset: int):
    return today() + timedelta(days=offset)


@pytest.fixture
def history(app, world, make_user):
    """Unit A's term "Autumn" began 60 days ago. Publishes 50, 40 and 20 days ago (4, 6, 7
    lessons; 2, 3, 3 meetings); a meeting set with "find a slot" 30 days ago. A team created
    55 days ago (a class teacher and a psychologist), a special-needs teacher added 45 days
    ago, the team deleted 35 days ago. Unit B has no term and no team."""
    a = world.unit_a
    t1 = make_user("T1", units=[a], profession=Profession.CLASS_TEACHER)
    p1 = make_user("P1", units=[a], profession=Profession.PSYCHOLOGIST)
    t4 = make_user("T4", units=[a], profession=Profession.SPECIAL_NEEDS_TEACHER)
    with app.app_context():
        term = Term(
            unit_id=a.id,
            school_year_id=school_year_for(day(-60)).id,
            name="Autumn",
            starts_on=day(-60),
            ends_on=day(40),
            timetable_version=1,
        )
        db.session.add(term)
        db.session.flush()

        def log(offset, action, entity_type, entity_id, changes):
            db.session.add(
                AuditLog(
                    at=datetime.combine(day(offset), time(10), HELSINKI),
                    action=action,
                    entity_type=entity_type,
                    entity_id=str(entity_id),
                    unit_id=a.id,
                    changes=changes,
                )
            )

        for offset, lessons, meetings in ((-50, 4, 2), (-40, 6, 3), (-20, 7, 3)):
            log(
                offset,
                "coteaching.published",
                "Term",
                term.id,
                {"lessons": lessons, "meetings": meetings},
            )
        log(-30, "team_meeting.set", "TeamMeeting", 77, {"term": "Autumn", "slot": "Mo-1"})
        log(-55, "team.created", "Team", 501, {"name": "KiVa", "members": [t1.id, p1.id]})
        log(-45, "team.updated", "Team", 501, {"members": [[t1.id, p1.id], [t1.id, p1.id, t4.id]]})
        log(-35, "team.deleted", "Team", 501, {"name": "KiVa", "members": [t1.id, p1.id, t4.id]})
        db.session.commit()
    return world


def _values(app, code: str, unit_id) -> dict:
    with app.app_context():
        query = sa.select(IndicatorSnapshot.taken_on, IndicatorSnapshot.value).where(
            IndicatorSnapshot.indicator == code
        )
        query = query.where(
            IndicatorSnapshot.unit_id.is_(None)
            if unit_id is None
            else IndicatorSnapshot.unit_id == unit_id
        )
        return dict(db.session.execute(query).all())


def test_backfill_recomputes_what_the_audit_history_holds(app, runner, history):
    a, b = history.unit_a.id, history.unit_b.id
    result = runner.invoke(
        args=["strategy", "backfill", "--from", day(-52).isoformat(), "--to", day(-18).isoformat()]
    )
    assert result.exit_code == 0, result.output
    lessons = _values(app, "cotaught_lessons", a)
    assert [lessons[day(o)] for o in (-52, -50, -45, -40, -21, -20, -18)] == [0, 4, 4, 6, 6, 7, 7]
    assert _values(app, "cotaught_lessons", None)[day(-40)] == 6  # B adds 0
    assert set(_values(app, "cotaught_lessons", b).values()) == {0}

    meetings = _values(app, "teams_with_meeting", a)
    assert meetings[day(-50)] == 2 and meetings[day(-36)] == 3 and meetings[day(-20)] == 3
    # After the team's deletion and the "find a slot" change, until the next publish: unknown
    # (either may have changed the count), and no city figure either.
    assert not {day(o) for o in range(-35, -20)} & set(meetings)
    assert day(-25) not in _values(app, "teams_with_meeting", None)

    staff = _values(app, "multiprofessional_staff", a)
    assert [staff[day(o)] for o in (-52, -46, -45, -36, -35)] == [2, 2, 3, 3, 0]

    with app.app_context():
        others = db.session.scalar(
            sa.select(sa.func.count()).where(
                IndicatorSnapshot.indicator.in_(
                    [
                        "coteaching_teachers",
                        "support_groups_coteaching",
                        "cotaught_lessons_per_teacher",
                    ]
                )
            )
        )
    assert others == 0
    out = result.output
    assert "coteaching_teachers: cannot be recomputed" in out
    assert "support_groups_coteaching: cannot be recomputed" in out
    assert "cotaught_lessons_per_teacher: cannot be recomputed" in out
    assert "cotaught_lessons: 105 snapshots written." in out  # 35 days × (A, B, city)
    assert "15 unit-days unknown: a team meeting was set or cleared" in out


def test_backfill_leaves_nightly_days_alone_unless_told(app, runner, history):
    a = history.unit_a.id
    with app.app_context():
        db.session.add(
            IndicatorSnapshot(
                indicator="cotaught_lessons",
                unit_id=a,
                taken_on=day(-40),
                value=99,
                source="nightly",
            )
        )
        db.session.commit()
    args = ["strategy", "backfill", "--from", day(-41).isoformat(), "--to", day(-39).isoformat()]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert "1 days left alone because the nightly job recorded them" in result.output
    assert _values(app, "cotaught_lessons", a) == {day(-41): 4, day(-40): 99, day(-39): 6}
    again = runner.invoke(args=args)
    assert _values(app, "cotaught_lessons", a) == {day(-41): 4, day(-40): 99, day(-39): 6}
    assert again.exit_code == 0
    runner.invoke(args=[*args, "--overwrite"])
    assert _values(app, "cotaught_lessons", a) == {day(-41): 4, day(-40): 6, day(-39): 6}


def test_backfill_says_when_a_team_has_no_history(app, runner, history):
    from pdservice.teams.enums import TeamKind
    from pdservice.teams.models import Team

    with app.app_context():
        db.session.add(Team(unit_id=history.unit_a.id, name="Imported", kind=TeamKind.OTHER))
        db.session.add(
            IndicatorSnapshot(
                indicator="multiprofessional_staff",
                unit_id=history.unit_a.id,
                taken_on=day(-3),
                value=12,
                source="demo",
            )
        )
        db.session.commit()
    result = runner.invoke(
        args=["strategy", "backfill", "--from", day(-3).isoformat(), "--to", day(-2).isoformat()]
    )
    assert "2 unit-days unknown: a team of the unit has no recorded history" in result.output
    # What it cannot recompute keeps what it had.
    assert _values(app, "multiprofessional_staff", history.unit_a.id) == {day(-3): 12}
    assert _values(app, "multiprofessional_staff", history.unit_b.id) == {day(-3): 0, day(-2): 0}


@pytest.mark.parametrize(
    "args",
    [
        ["--from", "2026-13-01"],
        ["--from", "2026-03-01", "--to", "2026-02-01"],
        ["--from", "2020-01-01", "--to", "2999-01-01"],
    ],
)
def test_backfill_refuses_bad_ranges(runner, args):
    result = runner.invoke(args=["strategy", "backfill", *args])
    assert result.exit_code == 2
