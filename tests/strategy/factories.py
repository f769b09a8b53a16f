"""A small hand-built city with known indicator values (see `indicator_city` for the answers)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time, timedelta

import pytest

from pdservice.clock import today
from pdservice.core.enums import Language, Profession
from pdservice.core.services import school_year_for
from pdservice.coteaching.enums import DecisionState
from pdservice.coteaching.models import CoTeachingAssignment
from pdservice.extensions import db
from pdservice.teams.enums import TeamKind
from pdservice.teams.models import Team, TeamMeeting, TeamMember
from pdservice.timetable.models import Group, Lesson, PeriodSlot, Subject, Term

P = Profession


@dataclass
class City:
    """Unit A (`world.unit_a`): teaching staff T1–T4 and Principal A (five), a school
    assistant, a psychologist and an inactive teacher; unit B: Teacher B and Principal B.

    Unit A's current term: lessons L1 (group G1, T1), L2 (group G3 with G2 combined, T2),
    L3 (G1, T3), L4 (G4, T1). T4 joins L1 and L2 (published); T2 joins L3 (accepted, not yet
    published); in an older term T3 joined a lesson (published, not current).
    G1, G2, G4 have group-specific support; G3 has not.

    Answers for A: teachers who co-teach T4, T1, T2 = 3 of 5 = 60 %; co-taught lessons 2;
    per teacher 2 / 5 = 0.4; supported groups co-taught G1, G2 of G1, G2, G4 = 66.67 %.
    Teams of A: X (T1, T4, psychologist; published meeting), Y (T2, T3; draft meeting only),
    Z (T3, assistant, inactive teacher): teams with a meeting 1 (of 3); multiprofessional X and
    Z (class teacher and assistant; T5 does not count): staff in one T1, T4, psychologist,
    T3, assistant = 5 of the 8 active staff. T1, T2, T3 are class teachers.
    Unit B: 0 of 2 teachers, no lessons, no teams.
    City: 3 of 7 teachers = 42.86 %; 2 lessons; 2 / 7 = 0.29 per teacher; 66.67 %; 1; 5.
    """

    ids: dict


@pytest.fixture
def indicator_city(app, world, make_user) -> City:
    a = world.unit_a
    t = {
        "T1": make_user("T1", units=[a], profession=P.CLASS_TEACHER),
        "T2": make_user("T2", units=[a], profession=P.CLASS_TEACHER),
        "T3": make_user("T3", units=[a], profession=P.CLASS_TEACHER),
        "T4": make_user("T4", units=[a], profession=P.SPECIAL_NEEDS_TEACHER),
        "S1": make_user("S1", units=[a], profession=P.SCHOOL_ASSISTANT),
        "P1": make_user("P1", units=[a], profession=P.PSYCHOLOGIST),
        "T5": make_user("T5", units=[a], profession=P.SUBJECT_TEACHER, active=False),
    }
    # Teacher A of the world works as a school assistant in this city (not teaching staff).
    with app.app_context():
        from pdservice.core.models import User

        db.session.get(User, world.teacher.id).profession = P.SCHOOL_ASSISTANT
        db.session.commit()
        ids = {k: u.id for k, u in t.items()}
        on = today()
        year = school_year_for(on)
        old = Term(
            unit_id=a.id,
            school_year_id=year.id,
            name="Old",
            starts_on=on - timedelta(days=400),
            ends_on=on - timedelta(days=300),
            timetable_version=1,
        )
        term = Term(
            unit_id=a.id,
            school_year_id=year.id,
            name="Now",
            starts_on=on - timedelta(days=30),
            ends_on=on + timedelta(days=60),
            timetable_version=1,
        )
        db.session.add_all([old, term])
        db.session.flush()
        slots = [
            PeriodSlot(
                term_id=term.id, day=1, index=i, starts_at=time(7 + i), ends_at=time(7 + i, 45)
            )
            for i in (1, 2, 3)
        ]
        subject = Subject(term_id=term.id, code="MA", name="Maths")
        groups = {
            code: Group(term_id=term.id, code=code, language=Language.FI, group_support=support)
            for code, support in (("G1", True), ("G2", True), ("G3", False), ("G4", True))
        }
        old_subject = Subject(term_id=old.id, code="MA", name="Maths")
        old_group = Group(term_id=old.id, code="G9", language=Language.FI, group_support=True)
        db.session.add_all([*slots, subject, *groups.values(), old_subject, old_group])
        db.session.flush()

        def lesson(term_, code, group, subject_, teacher, extra=()):
            row = Lesson(
                term_id=term_.id,
                code=code,
                group_id=group.id,
                subject_id=subject_.id,
                teacher_id=ids[teacher],
            )
            row.extra_groups = list(extra)
            db.session.add(row)
            db.session.flush()
            return row

        l1 = lesson(term, "L1", groups["G1"], subject, "T1")
        l2 = lesson(term, "L2", groups["G3"], subject, "T2", extra=[groups["G2"]])
        l3 = lesson(term, "L3", groups["G1"], subject, "T3")
        lesson(term, "L4", groups["G4"], subject, "T1")
        old_lesson = lesson(old, "L9", old_group, old_subject, "T1")

        def assign(term_, lesson_, coteacher, *, published=True):
            db.session.add(
                CoTeachingAssignment(
                    term_id=term_.id,
                    lesson_id=lesson_.id,
                    coteacher_id=ids[coteacher],
                    state=DecisionState.ACCEPTED,
                    published=published,
                )
            )

        assign(term, l1, "T4")
        assign(term, l2, "T4")
        assign(term, l3, "T2", published=False)
        assign(old, old_lesson, "T3")

        def team(name, members):
            row = Team(unit_id=a.id, name=name, kind=TeamKind.OTHER)
            row.members = [TeamMember(user_id=ids[m]) for m in members]
            db.session.add(row)
            db.session.flush()
            return row

        x = team("X", ["T1", "T4", "P1"])
        y = team("Y", ["T2", "T3"])
        team("Z", ["T3", "S1", "T5"])
        db.session.add_all(
            [
                TeamMeeting(
                    team_id=x.id,
                    term_id=term.id,
                    start_slot_id=slots[2].id,
                    published_slot_id=slots[2].id,
                    published_length=1,
                ),
                TeamMeeting(team_id=y.id, term_id=term.id, start_slot_id=slots[1].id),
            ]
        )
        db.session.commit()
        ids.update(term=term.id, unit_a=a.id, unit_b=world.unit_b.id, year=year.id)
    return City(ids)
