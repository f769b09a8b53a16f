"""Property: on random small schools every plan the solver (or the greedy baseline) returns
passes the independent validator, and its objective is the independent score."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduler import (
    CLASS_TEACHER,
    SPECIAL_NEEDS_TEACHER,
    SUBJECT_TEACHER,
    Group,
    Lesson,
    Parameters,
    Pin,
    Problem,
    Slot,
    Teacher,
    Team,
    greedy,
    solve,
    validate,
)
from scheduler.scoring import analyse

PARAMS = Parameters(time_limit_seconds=2.0, workers=1, seed=0, deterministic=True)
SUBJECTS = ("MA", "FI", "PE")


def draw_lessons(draw, ids, groups, days, periods: int, attempts: int) -> list[Lesson]:
    """Up to `attempts` single or double lessons on random days and periods; a draw that
    would put its teacher in two lessons at once is dropped, so the timetable is valid."""
    lessons, busy = [], set()
    for n in range(attempts):
        teacher_id = draw(st.sampled_from(ids))
        day = draw(st.sampled_from(days))
        start = draw(st.integers(1, periods))
        length = draw(st.integers(1, 2)) if start < periods else 1
        run = tuple(f"{day}_{p}" for p in range(start, start + length))
        if any((teacher_id, s) in busy for s in run):
            continue
        busy.update((teacher_id, s) for s in run)
        group = draw(st.sampled_from(groups)).id
        lessons.append(Lesson(f"L{n}", (group,), teacher_id, run, draw(st.sampled_from(SUBJECTS))))
    return lessons


@st.composite
def schools(draw) -> Problem:
    days = ("Mo", "Tu")[: draw(st.integers(1, 2))]
    periods = draw(st.integers(3, 5))
    slots = [Slot(f"{d}_{p}", d, p) for d in days for p in range(1, periods + 1)]
    groups = [
        Group(
            f"G{i}",
            grade=draw(st.sampled_from([2, 5, 8])),
            group_support=draw(st.booleans()),
            pupil_support=draw(st.integers(0, 3)),
        )
        for i in range(draw(st.integers(1, 3)))
    ]
    n_teachers = draw(st.integers(2, 5))
    ids = [f"T{i}" for i in range(n_teachers)]
    teachers = []
    for teacher_id in ids:
        others = [i for i in ids if i != teacher_id]
        wished = draw(st.sets(st.sampled_from(others), max_size=1)) if others else set()
        avoided = draw(st.sets(st.sampled_from(others), max_size=1)) - wished if others else set()
        teachers.append(
            Teacher(
                teacher_id,
                profession=draw(
                    st.sampled_from([CLASS_TEACHER, SUBJECT_TEACHER, SPECIAL_NEEDS_TEACHER])
                ),
                subjects=frozenset(draw(st.sets(st.sampled_from(SUBJECTS), max_size=2))),
                capacity=draw(st.integers(0, 6)),
                willing=draw(st.booleans()),
                wished=frozenset(wished),
                avoided=frozenset(avoided),
                unavailable=frozenset(
                    draw(st.sets(st.sampled_from([s.id for s in slots]), max_size=2))
                ),
            )
        )
    lessons = draw_lessons(draw, ids, groups, days, periods, draw(st.integers(1, 8)))
    teams = ()
    if draw(st.booleans()):
        teams = (Team("k", tuple(draw(st.sets(st.sampled_from(ids), min_size=1, max_size=3)))),)
    pins = ()
    if lessons and draw(st.booleans()):
        pinned = draw(st.sampled_from(lessons))
        joiner = draw(st.sampled_from([i for i in ids if i != pinned.teacher]))
        pins = (Pin(pinned.id, joiner),)
    return Problem(tuple(slots), tuple(teachers), tuple(groups), tuple(lessons), teams, pins)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schools())
def test_every_plan_passes_the_validator(problem):
    result = solve(problem, PARAMS)
    if result.status == "infeasible":
        # Only pins and teams can make a request infeasible, and it is always explained.
        assert problem.pins or problem.teams
        assert result.conflicts
        return
    assert result.solution is not None
    assert validate(problem, result.solution, PARAMS) == []
    assert result.objective == analyse(problem, PARAMS, result.solution).total
    assert result.bound is None or result.bound >= result.objective - 1e-6
    plan = greedy(problem, PARAMS)
    if not validate(problem, plan, PARAMS):
        assert result.objective >= analyse(problem, PARAMS, plan).total
