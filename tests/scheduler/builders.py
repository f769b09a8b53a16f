"""Builders of tiny schools for the solver tests: one day of a few periods, written out in
full so each test shows exactly which rule it exercises."""

from __future__ import annotations

from collections.abc import Iterable

from scheduler import (
    CLASS_TEACHER,
    SPECIAL_NEEDS_TEACHER,
    Group,
    Lesson,
    Parameters,
    Problem,
    Slot,
    Teacher,
)

#: Fast, deterministic solving for tests: one worker, a fixed seed, a limit in work units
#: (never the wall clock: a busy machine must not change a test's outcome).
FAST = Parameters(time_limit_seconds=5.0, workers=1, seed=0, deterministic=True)


def slots(periods: int = 4, days: Iterable[str] = ("Mo",)) -> tuple[Slot, ...]:
    return tuple(Slot(f"{d}_{p}", d, p) for d in days for p in range(1, periods + 1))


def teacher(teacher_id: str, **fields: object) -> Teacher:
    """A class teacher qualified for MA, the default subject of `lesson`."""
    fields.setdefault("profession", CLASS_TEACHER)
    fields.setdefault("subjects", frozenset({"MA"}))
    return Teacher(teacher_id, **fields)


def specialist(teacher_id: str, **fields: object) -> Teacher:
    return teacher(teacher_id, profession=SPECIAL_NEEDS_TEACHER, **fields)


def lesson(lesson_id: str, group: str, teacher_id: str, *slot_ids: str, subject: str = "MA"):
    return Lesson(lesson_id, (group,), teacher_id, tuple(slot_ids), subject)


def school(
    teachers: Iterable[Teacher],
    lessons: Iterable[Lesson],
    *,
    groups: Iterable[Group] = (),
    periods: int = 4,
    days: Iterable[str] = ("Mo",),
    **fields: object,
) -> Problem:
    """A problem whose groups default to grade-3 groups without support needs."""
    lessons = tuple(lessons)
    given = {g.id: g for g in groups}
    for x in lessons:
        for group_id in x.groups:
            given.setdefault(group_id, Group(group_id, grade=3))
    return Problem(
        slots=slots(periods, days),
        teachers=tuple(teachers),
        groups=tuple(given.values()),
        lessons=lessons,
        **fields,
    )
