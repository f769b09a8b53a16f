"""Each soft term moves the optimum the way it should.

The schools give one teacher (B) room for a single pair of two hours, or four hours, and two
otherwise equal ways to use it; the term under test is what tips the choice.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from scheduler import Group, Weights, solve
from tests.scheduler.builders import FAST, lesson, school, specialist, teacher


def pairs_of(problem, params=FAST):
    result = solve(problem, params)
    assert result.status == "optimal" and result.violations == []
    return set(result.solution.pairs(problem))


def lessons_of(problem, params=FAST):
    result = solve(problem, params)
    assert result.status == "optimal" and result.violations == []
    return {a.lesson for a in result.solution.assignments}


def weights(**values):
    return replace(FAST, weights=Weights(**values))


def choice_school(b=None, x=None, y=None, need_x=0, need_y=0, **fields):
    """B (capacity 2) can join X's double lesson or Y's, not both; X and Y avoid each other."""
    return school(
        [
            b or teacher("B", capacity=2),
            x or teacher("X", avoided=frozenset({"Y"})),
            y or teacher("Y"),
        ],
        [lesson("LX", "3X", "X", "Mo_1", "Mo_2"), lesson("LY", "3Y", "Y", "Mo_3", "Mo_4")],
        groups=[Group("3X", 3, pupil_support=need_x), Group("3Y", 3, pupil_support=need_y)],
        **fields,
    )


@pytest.mark.parametrize(("need_x", "need_y", "expected"), [(3, 0, "LX"), (0, 3, "LY")])
def test_support_need_sends_the_co_teacher_to_the_needier_group(need_x, need_y, expected):
    assert lessons_of(choice_school(need_x=need_x, need_y=need_y)) == {expected}


def test_complementarity_pairs_a_specialist_with_a_class_teacher():
    problem = choice_school(
        b=specialist("B", capacity=2), y=specialist("Y"), need_y=1
    )  # Y's group is even a little needier
    assert pairs_of(problem) == {("B", "X")}
    assert pairs_of(problem, weights(complementarity=0)) == {("B", "Y")}


def test_complementarity_pairs_a_learner_with_a_mentor():
    problem = choice_school(
        b=teacher("B", capacity=2, development_goals=frozenset({"L5"})),
        y=teacher("Y", strengths=frozenset({"L5"})),
    )
    assert pairs_of(problem) == {("B", "Y")}


def test_wishes_are_granted():
    problem = choice_school(b=teacher("B", capacity=2, wished=frozenset({"Y"})), need_x=2)
    assert pairs_of(problem) == {("B", "Y")}
    assert pairs_of(problem, weights(wish=0)) == {("B", "X")}


def test_last_terms_pairs_continue():
    problem = choice_school(need_x=1, last_term_pairs=frozenset({("Y", "B")}))
    assert pairs_of(problem) == {("B", "Y")}
    assert pairs_of(problem, weights(continuity=0)) == {("B", "X")}


def test_coverage_brings_more_staff_into_pairs():
    """B has four hours: all with X's needy lessons, or two with X and two with Y."""
    problem = school(
        [teacher("B", capacity=4), teacher("X", avoided=frozenset({"Y"})), teacher("Y")],
        [
            lesson("LX1", "3X", "X", "Mo_1", "Mo_2"),
            lesson("LX2", "3X", "X", "Mo_3", "Mo_4"),
            lesson("LY", "3Y", "Y", "Tu_1", "Tu_2"),
        ],
        days=("Mo", "Tu"),
        groups=[Group("3X", 3, pupil_support=4), Group("3Y", 3)],
    )
    assert pairs_of(problem) == {("B", "X"), ("B", "Y")}
    assert pairs_of(problem, weights(coverage=0)) == {("B", "X")}


def test_fairness_spreads_co_teaching_across_groups():
    """B can join two of X's double lessons: both in 3X (a little needier) or one in 3Z."""
    problem = school(
        [teacher("B", capacity=4), teacher("X")],
        [
            lesson("LX1", "3X", "X", "Mo_1", "Mo_2"),
            lesson("LX2", "3X", "X", "Mo_3", "Mo_4"),
            lesson("LZ", "3Z", "X", "Tu_1", "Tu_2"),
        ],
        days=("Mo", "Tu"),
        groups=[Group("3X", 3, pupil_support=1), Group("3Z", 3)],
    )
    chosen = lessons_of(problem)
    assert "LZ" in chosen and len(chosen) == 2
    assert lessons_of(problem, weights(fairness=0)) == {"LX1", "LX2"}


def test_compact_days_avoid_new_idle_slots():
    """B teaches Mo_1 and Tu_1. Joining X on Mo_2-3 leaves no gap; on Tu_3-4 it leaves Tu_2
    idle, though that group is a little needier."""
    problem = school(
        [teacher("B", capacity=2), teacher("X")],
        [
            lesson("BM", "8B", "B", "Mo_1"),
            lesson("BT", "8B", "B", "Tu_1"),
            lesson("XM", "3X", "X", "Mo_2", "Mo_3"),
            lesson("XT", "3Z", "X", "Tu_3", "Tu_4"),
        ],
        days=("Mo", "Tu"),
        groups=[Group("8B", 8), Group("3X", 3), Group("3Z", 3, pupil_support=1)],
    )
    assert lessons_of(problem, weights(compact_days=10)) == {"XM"}
    assert lessons_of(problem, weights(compact_days=0)) == {"XT"}


def test_the_objective_is_the_weighted_sum_of_the_terms():
    problem = choice_school(b=specialist("B", capacity=2), need_x=2)
    result = solve(problem, FAST)
    terms = result.score.terms
    assert result.objective == pytest.approx(sum(t.points for t in terms.values()))
    assert result.objective == result.stats["solver_objective"]
    assert terms["coverage"].value == 2 and terms["support_need"].value == 2 * 2
