"""Every event a teacher takes part in occupies that teacher, in the app too: team teaching
and events without a class from an import, the person's other units at the same time, and
their recurring unavailability; the solver and the meeting search both respect them."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

import sqlalchemy as sa

from pdservice.core.enums import Profession
from pdservice.coteaching.enums import DecisionState, RunStatus
from pdservice.coteaching.models import CoTeachingAssignment, SolveRun
from pdservice.coteaching.solving.parameters import RunOptions
from pdservice.coteaching.solving.problem import build_input
from pdservice.extensions import db
from pdservice.timetable.models import (
    Lesson,
    PeriodSlot,
    Term,
    TimetableEvent,
    Unavailability,
)
from tests.timetable.factories import TINY_CSV, import_csv

EVENTS = Path(__file__).resolve().parents[1] / "scheduler" / "data" / "events-school.xhstt.xml"


def events_school(app, school, make_user):
    """The hand-made XHSTT file with team teaching, an event without a class and teachers
    only its solution names, matched to four staff members."""
    extra = make_user(
        "Cai Subject",
        units=[school.unit],
        email="cai.subject@example.org",
        profession=Profession.SUBJECT_TEACHER,
    )
    matching = "\n".join(
        (
            f"AAA = {school.teacher.email}",
            f"BBB = {school.bea.email}",
            f"CCC = {extra.email}",
            f"DDD = {school.sam.email}",
        )
    )
    outcome, term_id = import_csv(
        app, school.unit.code, "Events", EVENTS.read_bytes(), "events.xml", matching=matching
    )
    assert outcome.ok, outcome.parsed.errors
    return outcome, term_id, extra


def test_an_xhstt_import_keeps_team_teaching_and_events_that_are_no_lessons(app, school, make_user):
    outcome, term_id, extra = events_school(app, school, make_user)
    notes = " ".join(outcome.report.notes)
    assert "1 lesson is taught by two or more teachers together" in notes
    assert "2 events have no class" in notes
    with app.app_context():
        team = db.session.scalar(sa.select(Lesson).where(Lesson.code == "Event_Team"))
        assert team.teacher_id == school.teacher.id
        assert [u.id for u in team.coteachers] == [school.bea.id]
        # No decision to review: the file's team teaching is a fact of the timetable.
        assert db.session.scalar(sa.select(sa.func.count(CoTeachingAssignment.id))) == 0
        events = {
            e.code: {(s.teacher_id, s.slot.code) for s in e.event_slots}
            for e in db.session.scalars(
                sa.select(TimetableEvent).where(TimetableEvent.term_id == term_id)
            )
        }
        assert events == {
            "Event_Duty": {(extra.id, "Mo-1")},  # the solution alone names its teacher
            "Event_Elective": {(school.sam.id, "Mo-3")},
        }
        db.session.remove()


def test_the_imported_school_gets_a_plan_that_never_uses_a_busy_teacher(
    app, school, make_user, solve_now
):
    _, term_id, extra = events_school(app, school, make_user)
    run_id, result = solve_now(term_id)
    assert result.status in ("optimal", "feasible"), result.conflicts
    assert result.violations == []
    busy = {(school.sam.email, "Mo-3"), (extra.email, "Mo-1")}
    placed = {
        (a.teacher, slot)
        for a in result.solution.assignments
        for slot in result.problem.lesson(a.lesson).slots
    }
    assert not placed & busy
    with app.app_context():
        run = db.session.get(SolveRun, run_id)
        assert run.status == RunStatus.FINISHED
        # The team teaching counts for the indicator.
        assert run.covered >= 2
        db.session.remove()


def second_unit_with_a_lesson(app, school, make_unit, *, day="mo", period=3, term_name=None):
    """Sam also works at another school, whose published week has Sam teaching at the same
    time as unit A's Monday period 3 (the same clock times)."""
    other = make_unit("other-school", name="Other School")
    with app.app_context():
        from pdservice.core.models import UnitMembership

        db.session.add(UnitMembership(user_id=school.sam.id, unit_id=other.id))
        db.session.commit()
        db.session.remove()
    csv = TINY_CSV.replace("teacher.a@example.org", "sam.special@example.org").replace(
        "bea.class@example.org", "sam.special@example.org"
    )
    rows = [
        line
        for line in csv.splitlines()
        if not line.startswith("lesson,") or line.startswith(f"lesson,{day},{period},")
    ]
    outcome, term_id = import_csv(app, other.code, term_name or "Autumn 2025", "\n".join(rows))
    assert outcome.ok, outcome.parsed.errors
    return other, term_id


def test_another_unit_s_timetable_occupies_a_teacher_of_two_units(app, school, make_unit):
    second_unit_with_a_lesson(app, school, make_unit)
    with app.app_context():
        term = db.session.get(Term, school.term_id)
        inp = build_input(term, RunOptions())
        (elsewhere,) = [c for c in inp.problem.commitments if c.kind == "other_unit"]
        assert elsewhere.teachers == (school.sam.email,)
        assert elsewhere.slots == ("Mo-3",) and elsewhere.label == "Other School"
        db.session.remove()


def test_co_teaching_in_another_unit_counts_against_the_person_s_capacity(app, school, make_unit):
    _, other_term = second_unit_with_a_lesson(app, school, make_unit)
    with app.app_context():
        lesson = db.session.scalar(sa.select(Lesson).where(Lesson.term_id == other_term))
        # Teacher A joins Sam's lesson there, published: an hour of co-teaching for both.
        from pdservice.core.models import UnitMembership

        db.session.add(UnitMembership(user_id=school.teacher.id, unit_id=lesson.term.unit_id))
        db.session.add(
            CoTeachingAssignment(
                term_id=other_term,
                lesson_id=lesson.id,
                coteacher_id=school.teacher.id,
                state=DecisionState.ACCEPTED,
                published=True,
            )
        )
        db.session.commit()
        inp = build_input(db.session.get(Term, school.term_id), RunOptions())
        teachers = {t.id: t for t in inp.problem.teachers}
        assert teachers[school.sam.email].hours_elsewhere == 1
        assert teachers[school.teacher.email].hours_elsewhere == 1
        assert teachers[school.bea.email].hours_elsewhere == 0
        db.session.remove()


def test_a_term_of_another_unit_at_another_time_occupies_nobody(app, school, make_unit):
    other, other_term = second_unit_with_a_lesson(app, school, make_unit, term_name="Later")
    with app.app_context():
        later = db.session.get(Term, other_term)
        later.starts_on, later.ends_on = date(2099, 1, 1), date(2099, 6, 1)
        db.session.commit()
        inp = build_input(db.session.get(Term, school.term_id), RunOptions())
        assert not [c for c in inp.problem.commitments if c.kind == "other_unit"]
        db.session.remove()


def test_recurring_unavailability_reaches_the_solver_and_the_meeting_search(app, school):
    from pdservice.teams.enums import TeamKind
    from pdservice.teams.models import Team, TeamMember
    from pdservice.teams.services import find_slots

    with app.app_context():
        # Sam works part-time: not on Tuesdays, and not on Monday mornings before 9:05.
        db.session.add_all(
            [
                Unavailability(user_id=school.sam.id, weekday=2, reason="part-time day"),
                Unavailability(
                    user_id=school.sam.id,
                    weekday=1,
                    starts_at=time(8, 0),
                    ends_at=time(9, 5),
                    reason="another employer",
                ),
            ]
        )
        team = Team(unit_id=school.unit.id, name="Support", kind=TeamKind.OTHER, meeting_slots=1)
        team.members = [TeamMember(user_id=school.sam.id), TeamMember(user_id=school.bea.id)]
        db.session.add(team)
        db.session.commit()
        term = db.session.get(Term, school.term_id)
        inp = build_input(term, RunOptions())
        sam = next(t for t in inp.problem.teachers if t.id == school.sam.email)
        assert sam.unavailable == {"Tu-1", "Tu-2", "Tu-3", "Mo-1"}
        search = find_slots(team, term)
        starts = {w.start.code for w in search.candidates}
        assert not starts & sam.unavailable
        slot = db.session.scalar(
            sa.select(PeriodSlot).where(
                PeriodSlot.term_id == term.id, PeriodSlot.day == 2, PeriodSlot.index == 1
            )
        )
        assert slot is not None
        db.session.remove()
