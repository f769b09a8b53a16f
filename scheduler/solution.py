"""A solution: who co-teaches which lesson, and when each team meets.

Pairs are derived, never stored: a pair {a, b} exists exactly when one of them co-teaches a
lesson the other teaches, so a solution cannot disagree with itself about its pairs.
"""

from __future__ import annotations

from dataclasses import dataclass

from .domain import Problem, pair_key


@dataclass(frozen=True, order=True)
class Assignment:
    """`teacher` co-teaches `lesson` (joins the lesson's own teacher in the room)."""

    lesson: str
    teacher: str


@dataclass(frozen=True, order=True)
class Meeting:
    """`team` meets in these consecutive slots."""

    team: str
    slots: tuple[str, ...]

    @property
    def start(self) -> str:
        return self.slots[0]


@dataclass(frozen=True)
class Solution:
    assignments: tuple[Assignment, ...] = ()
    meetings: tuple[Meeting, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "assignments", tuple(sorted(self.assignments)))
        object.__setattr__(self, "meetings", tuple(sorted(self.meetings)))

    def pairs(self, problem: Problem) -> dict[tuple[str, str], list[Assignment]]:
        """The co-teaching pairs this plan adds lessons to, with those lessons' assignments
        (co-teaching already in the timetable is not part of a plan: see `all_pairs`)."""
        return _pairs(problem, self.assignments)

    def to_dict(self) -> dict:
        return {
            "assignments": [{"lesson": a.lesson, "teacher": a.teacher} for a in self.assignments],
            "meetings": [{"team": m.team, "slots": list(m.slots)} for m in self.meetings],
        }


def existing_assignments(problem: Problem) -> tuple[Assignment, ...]:
    """Co-teaching already in the school's timetable (`Lesson.coteachers`), as assignments:
    a fact every plan builds on."""
    return tuple(
        Assignment(lesson.id, coteacher)
        for lesson in problem.lessons
        for coteacher in lesson.coteachers
    )


def all_pairs(
    problem: Problem, solution: Solution | None
) -> dict[tuple[str, str], list[Assignment]]:
    """Every co-teaching pair once the plan is in place: the timetable's and the plan's."""
    planned = solution.assignments if solution is not None else ()
    return _pairs(problem, (*existing_assignments(problem), *planned))


def _pairs(problem: Problem, assignments) -> dict[tuple[str, str], list[Assignment]]:
    result: dict[tuple[str, str], list[Assignment]] = {}
    for assignment in assignments:
        host = problem.lesson(assignment.lesson).teacher
        result.setdefault(pair_key(host, assignment.teacher), []).append(assignment)
    return result
