"""Pairs first, lessons second: the candidate pairs of the restricted phase.

In a large school most of the thousands of possible pairs can never be worth forming, but the
full model must still carry a variable for each, which makes its presolve and search slow.
The restricted phase solves the *same* model over a short list of promising pairs: each
teacher's best few by an optimistic score, plus every pair the starting plan, the pins, last
term or a wish names. Its solution is feasible for the full problem and becomes the hint of
the full model, which then proves the bound and keeps improving (see solver.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from .domain import complementarity_points, pair_key, wish_points
from .index import Index
from .model import value_hull
from .solution import Solution

#: Pairs kept per teacher, by score. Since the Lagrangian relaxation picks the pairs of the last
#: search, this phase only has to give a good plan fast, and a small model improves fastest:
#: measured on the synthetic schools (README, "What we tried"), 2 beats 6 and 3 (200 teachers:
#: gap 2.8 % against 6.2-7.1 % after 60 s), and 1 loses good pairs.
PAIRS_PER_TEACHER = 2


def pair_score(index: Index, key: tuple[str, str]) -> float:
    """An optimistic value of forming the pair: its pair terms, plus the support-need and
    fairness points of its best hours up to the usual size of a pair (2-4 hours)."""
    problem, weights = index.problem, index.params.weights
    a, b = problem.teacher(key[0]), problem.teacher(key[1])
    options = index.pair_options[key]
    most = index.pair_hours_available(key, options)
    items = [
        (index.hours(lesson_id), index.need[lesson_id] * index.hours(lesson_id))
        for lesson_id, _ in options
    ]
    hull = value_hull(items, most, index.params.min_lessons)
    hours = min(most, 2 * index.params.min_lessons)
    support = max((value for k, value in hull if k <= hours), default=0)
    groups = {g for lesson_id, _ in options for g in problem.lesson(lesson_id).groups}
    fairness = min(hours, index.params.fair_hours * len(groups))
    return (
        weights.complementarity * complementarity_points(a, b)
        + weights.wish * wish_points(a, b)
        + weights.continuity * int(key in problem.last_term_pairs)
        + weights.support_need * support
        + weights.fairness * fairness
    )


def candidate_pairs(
    index: Index,
    solutions: Iterable[Solution] = (),
    per_teacher: int = PAIRS_PER_TEACHER,
) -> set[tuple[str, str]]:
    """The pairs the restricted phase may form."""
    problem = index.problem
    scores = {key: pair_score(index, key) for key in index.pair_options}
    by_teacher: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for key in scores:
        by_teacher[key[0]].append(key)
        by_teacher[key[1]].append(key)
    chosen: set[tuple[str, str]] = set()
    for keys in by_teacher.values():
        chosen.update(sorted(keys, key=lambda k: (-scores[k], k))[:per_teacher])
    named = {pair_key(problem.lesson(p.lesson).teacher, p.teacher) for p in problem.pins}
    named |= set(problem.last_term_pairs)
    named |= {pair_key(t.id, other) for t in problem.teachers for other in t.wished}
    for solution in solutions:
        named |= set(solution.pairs(problem))
    chosen |= named & scores.keys()
    return chosen
