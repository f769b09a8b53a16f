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
        """The co-teaching pairs with the assignments that make each one, by canonical key."""
        result: dict[tuple[str, str], list[Assignment]] = {}
        for assignment in self.assignments:
            host = problem.lesson(assignment.lesson).teacher
            result.setdefault(pair_key(host, assignment.teacher), []).append(assignment)
        return result

    def to_dict(self) -> dict:
        return {
            "assignments": [{"lesson": a.lesson, "teacher": a.teacher} for a in self.assignments],
            "meetings": [{"team": m.team, "slots": list(m.slots)} for m in self.meetings],
        }
