"""A small hand-built city for the HR reports, with answers worked out by hand.

Units A and B of the `world`; besides its teachers and principals, Sanna (subject teacher)
in unit A and Bo (special-needs teacher) in both units, and an inactive person in unit A.
Staff in scope: A = Teacher A, Principal A, Sanna, Bo (4); B = Teacher B, Principal B, Bo
(3); the city = 6 different people (HR and the admin belong to no unit).

Ledger in the current school year (VESO requirement 3 × 6 = 18 h):
    Teacher A   training 6 (DIGI), VESO 18 (no area)           total 24   VESO done
    Sanna       VESO 6 (INCL), external 4 (DIGI + INCL)        total 10   missing 12
    Bo          co-teaching planning 3 (COTEACH), VESO 18      total 21   VESO done
    Teacher B   training 2.5 (no area)                         total 2.5  missing 18
and, not counted: Teacher A 100 h the year before; the inactive person's 50 h.

Training (course X costs 100 € per participant, Y 50 €), sessions in the current year:
    s1 (X, past):       Teacher A attended, Sanna no-show, Bo partly attended, Teacher B
                        cancelled
    s2 (Y, upcoming):   Teacher A booked, Teacher B booked, Principal A waitlisted
    s3 (X, cancelled):  Sanna booked                    -> not counted
    s4 (X, last year):  Teacher A attended              -> not counted
Feedback: Teacher A 5 and Bo 3 on s1 (X), Teacher B 4 on s2 (Y), Teacher A 1 on s4 (last
year, not counted).

Self-assessments (latest counts): Teacher A DIGI 2 then 3, INCL 1; Sanna DIGI 3; Bo DIGI 4
(and the principal's view 0, not counted); Teacher B INCL 2.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from pdservice.competences.enums import AssessmentSource
from pdservice.competences.models import CompetenceAssessment
from pdservice.core.enums import Profession, UnitRole
from pdservice.core.models import CompetenceArea, SchoolYear, Unit
from pdservice.core.services import current_school_year
from pdservice.extensions import db
from pdservice.hours.models import DevelopmentHours
from pdservice.training.enums import SessionStatus
from pdservice.training.models import Course, CourseSession, Enrollment, TrainingFeedback


@dataclass
class City:
    world: object
    sanna: object
    bo: object
    year_id: int


def _session(course_id: int, start: datetime, status=SessionStatus.SCHEDULED) -> CourseSession:
    return CourseSession(
        course_id=course_id,
        status=status,
        capacity=10,
        booked_count=0,
        starts_at=start,
        ends_at=start + timedelta(hours=6),
        enrol_opens_at=start - timedelta(days=30),
        enrol_closes_at=start - timedelta(days=1),
        cancel_cutoff_at=start - timedelta(days=2),
    )


def build_ledger_rows(user_id, year: SchoolYear, rows, source_start: int):
    areas = {a.code: a for a in db.session.scalars(sa.select(CompetenceArea))}
    for n, (kind, hours, codes) in enumerate(rows):
        row = DevelopmentHours(
            user_id=user_id,
            school_year_id=year.id,
            occurred_on=year.starts_on + timedelta(days=20 + n),
            hours=Decimal(str(hours)),
            kind=kind,
            source_type="test",
            source_id=source_start + n,
            title="Test",
        )
        row.areas = [areas[c] for c in codes]
        db.session.add(row)


@pytest.fixture
def city(app, world, make_user) -> City:
    sanna = make_user("Sanna Subject", units=[world.unit_a], profession=Profession.SUBJECT_TEACHER)
    bo = make_user(
        "Bo Both",
        units=[world.unit_a, world.unit_b],
        profession=Profession.SPECIAL_NEEDS_TEACHER,
    )
    gone = make_user("Gone Person", units=[world.unit_a], active=False)
    with app.test_request_context():
        year = current_school_year()
        before = SchoolYear(
            name="previous",
            starts_on=year.starts_on.replace(year=year.starts_on.year - 1),
            ends_on=year.ends_on.replace(year=year.ends_on.year - 1),
        )
        db.session.add(before)
        db.session.flush()
        build_ledger_rows(
            world.teacher.id, year, [("training", 6, ["DIGI"]), ("veso", 18, [])], 100
        )
        build_ledger_rows(
            sanna.id, year, [("veso", 6, ["INCL"]), ("external", 4, ["DIGI", "INCL"])], 200
        )
        build_ledger_rows(
            bo.id, year, [("coteaching_planning", 3, ["COTEACH"]), ("veso", 18, [])], 300
        )
        build_ledger_rows(world.teacher_b.id, year, [("training", 2.5, [])], 400)
        build_ledger_rows(world.teacher.id, before, [("training", 100, ["DIGI"])], 500)
        build_ledger_rows(gone.id, year, [("veso", 50, [])], 600)

        x = Course(title="Course X", cost_eur=Decimal(100), hours_credited=Decimal(6))
        y = Course(title="Course Y", cost_eur=Decimal(50), hours_credited=Decimal(3))
        db.session.add_all([x, y])
        db.session.flush()
        now = datetime.now(UTC).replace(microsecond=0)
        year_start = datetime.combine(year.starts_on, datetime.min.time(), UTC)
        s1 = _session(x.id, max(now - timedelta(days=10), year_start + timedelta(days=2)))
        s2 = _session(y.id, now + timedelta(days=5))
        s3 = _session(x.id, now - timedelta(days=3), SessionStatus.CANCELLED)
        s4 = _session(x.id, year_start - timedelta(days=60))
        db.session.add_all([s1, s2, s3, s4])
        db.session.flush()

        def enrol(session, user, status):
            e = Enrollment(
                session_id=session.id,
                user_id=user.id,
                status=status,
                waitlisted_at=now if status == "waitlisted" else None,
            )
            db.session.add(e)
            db.session.flush()
            return e

        t1 = enrol(s1, world.teacher, "attended")
        enrol(s1, sanna, "no_show")
        b1 = enrol(s1, bo, "partly_attended")
        enrol(s1, world.teacher_b, "cancelled")
        enrol(s2, world.teacher, "booked")
        tb2 = enrol(s2, world.teacher_b, "booked")
        enrol(s2, world.principal, "waitlisted")
        enrol(s3, sanna, "booked")
        t4 = enrol(s4, world.teacher, "attended")
        for e, course, rating in ((t1, x, 5), (b1, x, 3), (tb2, y, 4), (t4, x, 1)):
            db.session.add(TrainingFeedback(enrollment_id=e.id, course_id=course.id, rating=rating))

        areas = {a.code: a.id for a in db.session.scalars(sa.select(CompetenceArea))}
        for user, code, level, source in (
            (world.teacher, "DIGI", 2, "self"),
            (world.teacher, "INCL", 1, "self"),
            (world.teacher, "DIGI", 3, "self"),
            (sanna, "DIGI", 3, "self"),
            (bo, "DIGI", 4, "self"),
            (bo, "DIGI", 0, "principal"),
            (world.teacher_b, "INCL", 2, "self"),
        ):
            db.session.add(
                CompetenceAssessment(
                    user_id=user.id,
                    area_id=areas[code],
                    source=AssessmentSource(source),
                    level=level,
                )
            )
            db.session.flush()
        db.session.commit()
        year_id = year.id
    return City(world=world, sanna=sanna, bo=bo, year_id=year_id)


def grow(app, *, units: int = 3, staff: int = 30, seed: int = 1) -> None:
    """More of everything (units, staff with hours, enrolments, feedback, assessments), to
    show that a page's number of SQL statements does not grow with the data."""
    import random

    rng = random.Random(seed)
    with app.test_request_context():
        year = current_school_year()
        areas = list(db.session.scalars(sa.select(CompetenceArea)))
        course = db.session.scalar(sa.select(Course).where(Course.title == "Course X"))
        session = db.session.scalar(
            sa.select(CourseSession)
            .where(CourseSession.course_id == course.id)
            .order_by(CourseSession.starts_at.desc())
        )
        from pdservice.core.enums import Language, UnitKind
        from pdservice.core.models import UnitMembership, User

        new_units = []
        for n in range(units):
            unit = Unit(
                code=f"grow-{seed}-{n}",
                name=f"Grown School {n}",
                kind=UnitKind.COMPREHENSIVE_SCHOOL,
                language=Language.FI,
            )
            db.session.add(unit)
            new_units.append(unit)
        db.session.flush()
        for n in range(staff):
            user = User(
                email=f"grow{seed}-{n}@example.org",
                name=f"Grown Person {n}",
                profession=rng.choice(list(Profession)),
            )
            db.session.add(user)
            db.session.flush()
            db.session.add(
                UnitMembership(
                    user_id=user.id, unit_id=rng.choice(new_units).id, role=UnitRole.TEACHER
                )
            )
            build_ledger_rows(
                user.id,
                year,
                [
                    (
                        rng.choice(["training", "veso", "external"]),
                        rng.randint(1, 9),
                        [rng.choice(areas).code],
                    )
                    for _ in range(3)
                ],
                10_000 + seed * 1000 + n * 10,
            )
            e = Enrollment(session_id=session.id, user_id=user.id, status="attended")
            db.session.add(e)
            db.session.flush()
            db.session.add(
                TrainingFeedback(enrollment_id=e.id, course_id=course.id, rating=rng.randint(1, 5))
            )
            for area in rng.sample(areas, 3):
                db.session.add(
                    CompetenceAssessment(
                        user_id=user.id,
                        area_id=area.id,
                        source=AssessmentSource.SELF,
                        level=rng.randint(0, 4),
                    )
                )
        db.session.commit()
