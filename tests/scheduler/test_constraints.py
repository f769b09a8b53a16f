"""Each hard rule alone on a tiny school: the solver never breaks it, even where breaking it
would score more, and the independent validator catches a hand-made violation."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import replace

import pytest

from scheduler import (
    Assignment,
    Group,
    Meeting,
    MeetingPin,
    Pin,
    RejectedLesson,
    RejectedPair,
    Solution,
    Team,
    solve,
    validate,
)
from scheduler.domain import pair_key
from tests.scheduler.builders import FAST, lesson, school, specialist, teacher


def codes(problem, solution, params=FAST):
    return {v.code for v in validate(problem, solution, params)}


def solved(problem, params=FAST):
    result = solve(problem, params)
    assert result.status == "optimal", result.conflicts
    assert result.violations == []
    return result.solution


def partners(problem, solution):
    found = defaultdict(set)
    for a, b in solution.pairs(problem):
        found[a].add(b)
        found[b].add(a)
    return found


def two_lessons_at_once():
    """A and C teach needy double lessons at the same time; B could join either."""
    return school(
        [teacher("A"), specialist("B", capacity=8), teacher("C")],
        [lesson("LA", "3A", "A", "Mo_1", "Mo_2"), lesson("LC", "3C", "C", "Mo_1", "Mo_2")],
        groups=[Group("3A", 3, pupil_support=3), Group("3C", 3, pupil_support=3)],
    )


def test_nobody_is_in_two_places_at_once():
    problem = two_lessons_at_once()
    solution = solved(problem)
    assert len([a for a in solution.assignments if a.teacher == "B"]) == 1
    both = Solution((Assignment("LA", "B"), Assignment("LC", "B")))
    assert "double_booked" in codes(problem, both)


def test_own_lessons_and_meetings_block_co_teaching():
    problem = school(
        [teacher("A"), specialist("B")],
        [lesson("LA", "3A", "A", "Mo_1", "Mo_2"), lesson("LB", "3B", "B", "Mo_1")],
        teams=(Team("k", ("A", "B")),),
    )
    own = Solution((Assignment("LA", "B"),), (Meeting("k", ("Mo_3",)),))
    assert "double_booked" in codes(problem, own)
    meeting_clash = Solution(meetings=(Meeting("k", ("Mo_1",)),))
    assert "double_booked" in codes(problem, meeting_clash)


def test_capacity_counts_both_roles():
    problem = two_lessons_at_once()
    problem = replace(
        problem,
        lessons=(*problem.lessons, lesson("LC2", "3C", "C", "Mo_3", "Mo_4")),
        teachers=(teacher("A"), specialist("B", capacity=2), teacher("C")),
    )
    solution = solved(problem)
    hours = Counter()
    for a in solution.assignments:
        hours[a.teacher] += problem.lesson(a.lesson).hours
        hours[problem.lesson(a.lesson).teacher] += problem.lesson(a.lesson).hours
    assert hours["B"] <= 2
    over = Solution((Assignment("LA", "B"), Assignment("LC2", "B")))
    assert "capacity" in codes(problem, over)


def test_unavailable_slots_stay_free():
    problem = two_lessons_at_once()
    problem = replace(
        problem,
        teachers=(teacher("A"), specialist("B", unavailable=frozenset({"Mo_2"})), teacher("C")),
    )
    assert solve(problem, FAST).solution.assignments == ()
    assert "unavailable" in codes(problem, Solution((Assignment("LA", "B"),)))


@pytest.mark.parametrize(
    "forbid",
    [
        lambda p: replace(p, teachers=(teacher("A", avoided=frozenset({"B"})), *p.teachers[1:])),
        lambda p: replace(p, rejected_pairs=(RejectedPair(("B", "A")),)),
        lambda p: replace(p, rejected_lessons=(RejectedLesson("LA"),)),
        lambda p: replace(p, rejected_lessons=(RejectedLesson("LA", "B"),)),
    ],
    ids=["avoided", "rejected-pair", "rejected-lesson", "rejected-lesson-for-one"],
)
def test_avoided_and_rejected_are_never_proposed(forbid):
    problem = forbid(two_lessons_at_once())
    solution = solved(problem)
    assert Assignment("LA", "B") not in solution.assignments
    assert Assignment("LC", "B") in solution.assignments  # B still helps where allowed
    found = codes(problem, Solution((Assignment("LA", "B"),)))
    assert found & {"avoided", "rejected"}


def test_pins_are_kept_even_when_less_valuable():
    problem = two_lessons_at_once()
    problem = replace(
        problem,
        groups=(Group("3A", 3), Group("3C", 3, pupil_support=5)),
        pins=(Pin("LA", "B"),),
        meeting_pins=(),
    )
    solution = solved(problem)
    assert Assignment("LA", "B") in solution.assignments
    assert "pin_missing" in codes(problem, Solution((Assignment("LC", "B"),)))


def test_meeting_pins_are_kept():
    problem = school(
        [teacher("A"), teacher("B")],
        [lesson("LA", "3A", "A", "Mo_1")],
        teams=(Team("k", ("A", "B")),),
        meeting_pins=(MeetingPin("k", "Mo_4"),),
    )
    assert solved(problem).meetings == (Meeting("k", ("Mo_4",)),)
    assert "meeting_pin_missing" in codes(problem, Solution(meetings=(Meeting("k", ("Mo_2",)),)))


def test_a_pair_shares_at_least_the_minimum_hours():
    # A single one-hour lesson between A and B (A cannot join B's grade-8 PE lessons): the
    # pair cannot reach two hours.
    problem = school(
        [teacher("A"), specialist("B")],
        [
            lesson("LA", "3A", "A", "Mo_1"),
            lesson("LB", "8B", "B", "Mo_2", "Mo_3", "Mo_4", subject="PE"),
        ],
        groups=[Group("3A", 3, pupil_support=5), Group("8B", 8)],
    )
    assert solve(problem, FAST).solution.assignments == ()
    assert "min_lessons" in codes(problem, Solution((Assignment("LA", "B"),)))
    # With a second hour available the pair forms and shares both.
    two = replace(
        problem,
        lessons=(
            lesson("LA", "3A", "A", "Mo_1"),
            lesson("LA2", "3A", "A", "Mo_2"),
            lesson("LB", "8B", "B", "Mo_3", "Mo_4", subject="PE"),
        ),
    )
    assert set(solved(two).assignments) >= {Assignment("LA", "B"), Assignment("LA2", "B")}


def test_at_most_max_partners_per_teacher():
    hosts = ["A", "C", "D", "E"]
    problem = school(
        [specialist("B", capacity=8)] + [teacher(h) for h in hosts],
        [
            lesson(f"L{h}", f"3{h}", h, f"{day}_1", f"{day}_2")
            for h, day in zip(hosts, ("Mo", "Tu", "We", "Th"), strict=True)
        ],
        days=("Mo", "Tu", "We", "Th"),
        groups=[Group(f"3{h}", 3, pupil_support=2) for h in hosts],
    )
    solution = solved(problem)
    assert len(partners(problem, solution)["B"]) == FAST.max_partners
    three = Solution(tuple(Assignment(f"L{h}", "B") for h in hosts[:3]))
    assert "max_partners" in codes(problem, three)


def test_every_team_gets_exactly_one_meeting_when_all_are_free():
    problem = school(
        [teacher("A"), teacher("B"), teacher("C")],
        [
            lesson("LA", "3A", "A", "Mo_1"),
            lesson("LB", "3B", "B", "Mo_2"),
            lesson("LC", "3C", "C", "Mo_4"),
        ],
        teams=(Team("k", ("A", "B", "C"), length=1),),
    )
    (meeting,) = solved(problem).meetings
    assert meeting.slots == ("Mo_3",)
    assert "meeting_missing" in codes(problem, Solution())
    twice = Solution(meetings=(Meeting("k", ("Mo_3",)), Meeting("k", ("Mo_3",))))
    assert "meeting_duplicate" in codes(problem, twice)
    shape = Solution(meetings=(Meeting("k", ("Mo_3", "Mo_4")),))
    assert "meeting_shape" in codes(problem, shape)


def test_at_most_one_co_teacher_per_lesson():
    problem = school(
        [teacher("A"), specialist("B"), specialist("C")],
        [lesson("LA", "3A", "A", "Mo_1", "Mo_2"), lesson("LA2", "3A", "A", "Mo_3", "Mo_4")],
        groups=[Group("3A", 3, group_support=True, pupil_support=4)],
    )
    solution = solved(problem)
    assert max(Counter(a.lesson for a in solution.assignments).values()) == 1
    crowded = Solution((Assignment("LA", "B"), Assignment("LA", "C")))
    assert "max_coteachers" in codes(problem, crowded)


def test_only_willing_and_qualified_teachers_co_teach():
    problem = school(
        [
            teacher("A"),
            specialist("B", willing=False),
            teacher("S", profession="subject_teacher", subjects=frozenset({"PE"})),
            teacher("N", profession="nurse"),
        ],
        [lesson("LA", "3A", "A", "Mo_1", "Mo_2", subject="MA")],
        groups=[Group("3A", 3, pupil_support=6)],
    )
    assert solve(problem, FAST).solution.assignments == ()
    assert "not_willing" in codes(problem, Solution((Assignment("LA", "B"),)))
    assert "not_competent" in codes(problem, Solution((Assignment("LA", "S"),)))
    assert "not_competent" in codes(problem, Solution((Assignment("LA", "N"),)))


def test_unknown_ids_in_a_solution_are_reported():
    problem = two_lessons_at_once()
    found = codes(problem, Solution((Assignment("nope", "B"),), (Meeting("ghost", ("Mo_9",)),)))
    assert found == {"unknown_id"}


def test_pair_key_is_order_free():
    assert pair_key("B", "A") == pair_key("A", "B") == ("A", "B")
