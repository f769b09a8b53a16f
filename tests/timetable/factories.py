"""Fixtures of timetables, co-teaching and teams: a tiny school whose whole week fits in a
test, built on the `world` (unit A with its teacher and principal)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
import sqlalchemy as sa

from pdservice.core.enums import Profession
from pdservice.core.models import Unit, User
from pdservice.extensions import db

# Two days of three periods; 3A has group-specific support. Teacher A (the world's teacher)
# teaches 3A, Bea Class teaches 3B, Sam Special is a special-needs teacher with one lesson.
TINY_CSV = """\
kind,day,period,start,end,group,grade,size,support,pupil_support,subject,teacher,room,lesson
period,mo,1,8:15,9:00
period,mo,2,9:10,9:55
period,mo,3,10:10,10:55
period,tu,1,8:15,9:00
period,tu,2,9:10,9:55
period,tu,3,10:10,10:55
group,,,,,3A,3,22,group,2
group,,,,,3B,3,21,none,1
lesson,mo,1,,,3A,,,,,MA,teacher.a@example.org,A1,
lesson,mo,2,,,3A,,,,,AI,teacher.a@example.org,A1,
lesson,tu,1,,,3A,,,,,MA,teacher.a@example.org,A1,
lesson,tu,2,,,3A,,,,,AI,teacher.a@example.org,A1,
lesson,mo,1,,,3B,,,,,AI,bea.class@example.org,B1,
lesson,mo,3,,,3B,,,,,MA,bea.class@example.org,B1,
lesson,tu,2,,,3B,,,,,MA,bea.class@example.org,B1,
lesson,tu,3,,,3B,,,,,AI,bea.class@example.org,B1,
lesson,mo,2,,,3B,,,,,EN,sam.special@example.org,B2,
"""


@dataclass
class School:
    """Unit A of the world with a tiny imported timetable."""

    unit: Unit
    principal: User
    teacher: User  # Teacher A, class teacher of 3A
    bea: User  # class teacher of 3B
    sam: User  # special-needs teacher
    term_id: int
    extra: dict = field(default_factory=dict)

    @property
    def staff(self) -> list[User]:
        return [self.teacher, self.bea, self.sam]


def import_csv(
    app, unit_code: str, term_name: str, data: str | bytes, filename="t.csv", matching=None
):
    """Import through the same service as the page; returns (outcome, term id)."""
    from flask_babel import force_locale

    from pdservice.core.services import find_unit
    from pdservice.timetable.import_file import import_timetable
    from pdservice.timetable.services import get_or_create_term

    raw = data.encode() if isinstance(data, str) else data
    with app.app_context(), force_locale("en"):
        unit = find_unit(unit_code)
        term, _ = get_or_create_term(unit, term_name)
        outcome = import_timetable(unit, term, raw, filename, matching=matching)
        if outcome.ok:
            db.session.commit()
        else:
            db.session.rollback()
        term_id = term.id if outcome.ok else None
        db.session.remove()
        return outcome, term_id


@pytest.fixture
def school(app, world, make_user) -> School:
    bea = make_user("Bea Class", units=[world.unit_a], email="bea.class@example.org")
    sam = make_user(
        "Sam Special",
        units=[world.unit_a],
        email="sam.special@example.org",
        profession=Profession.SPECIAL_NEEDS_TEACHER,
    )
    outcome, term_id = import_csv(app, world.unit_a.code, "Autumn 2025", TINY_CSV)
    assert outcome.ok, outcome.parsed.errors
    return School(world.unit_a, world.principal, world.teacher, bea, sam, term_id)


@pytest.fixture
def solve_now(app):
    """Queue a run for a term and solve it in this process, as the worker would."""

    def solve(term_id: int, actor_id: int | None = None, time_limit: float = 2, **solver):
        from pdservice.coteaching.solving.execution import execute_run
        from pdservice.coteaching.solving.parameters import default_parameters
        from pdservice.coteaching.solving.runs import claim_run, start_run
        from pdservice.timetable.models import Term

        with app.app_context():
            term = db.session.get(Term, term_id)
            parameters = default_parameters(time_limit)
            parameters["solver"].update(solver)
            actor = db.session.get(User, actor_id) if actor_id else None
            run = start_run(term, parameters, actor)
            claim_run(run, "test")
            db.session.commit()
            run_id = run.id
            db.session.remove()
        result = execute_run(app, run_id, "test")
        return run_id, result

    return solve


def lesson_id(app, term_id: int, code: str) -> int:
    from pdservice.timetable.models import Lesson

    with app.app_context():
        value = db.session.scalar(
            sa.select(Lesson.id).where(Lesson.term_id == term_id, Lesson.code == code)
        )
        db.session.remove()
        return value


@pytest.fixture(autouse=True)
def _world_knows_its_app(request, _fresh_database):
    """Access rules' `setup(world)` builds objects in the database: give it the app."""
    if "world" in request.fixturenames:
        request.getfixturevalue("world").app = request.getfixturevalue("app")
