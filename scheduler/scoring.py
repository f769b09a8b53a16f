"""Score analysis: the value of every soft term for a given solution, and who earned it.

Written from the domain definitions, not from the model, so it doubles as a check: the CP-SAT
objective of a solution must equal `analyse(...).total` (the tests assert it). It also prices
the greedy baseline and splits each term over the pairs (and meetings) that earned it, which is
what a proposal's explanation shows, like a Timefold score analysis.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field

from .domain import Problem, complementarity_points, pair_key, wish_points
from .parameters import TERM_NAMES, Parameters, Weights
from .solution import Solution


@dataclass(frozen=True)
class TermScore:
    """One soft term: its raw value, its weight and its signed points in the objective."""

    name: str
    value: float
    weight: int
    points: float


@dataclass
class ScoreAnalysis:
    total: int
    terms: dict[str, TermScore]
    # pair key -> term -> (raw value share, points share)
    by_pair: dict[tuple[str, str], dict[str, tuple[float, float]]] = field(default_factory=dict)
    # team id -> term -> (raw value share, points share)
    by_meeting: dict[str, dict[str, tuple[float, float]]] = field(default_factory=dict)
    covered: frozenset[str] = frozenset()

    def to_dict(self) -> dict:
        return {
            "total": self.total,
            "terms": [
                {"code": t.name, "value": t.value, "weight": t.weight, "points": t.points}
                for t in self.terms.values()
            ],
        }


def analyse(
    problem: Problem,
    params: Parameters,
    solution: Solution,
    previous: Solution | None = None,
) -> ScoreAnalysis:
    """Score a solution term by term and attribute each term to pairs and meetings."""
    raw_pair: dict[tuple[str, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    raw_meeting: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    pairs = solution.pairs(problem)
    totals: dict[str, float] = dict.fromkeys(TERM_NAMES, 0.0)
    _support_need(problem, pairs, raw_pair, totals)
    _pair_terms(problem, pairs, raw_pair, totals)
    covered = _coverage(pairs, raw_pair, totals)
    _fairness(problem, params, pairs, raw_pair, totals)
    _compact_days(problem, solution, raw_pair, raw_meeting, totals)
    if previous is not None:
        _stay(problem, solution, previous, raw_pair, raw_meeting, totals)
    else:
        del totals["stay"]
    weights = params.weights
    terms = {
        name: TermScore(name, value, getattr(weights, name), weights.signed(name) * value)
        for name, value in totals.items()
    }
    total = sum(term.points for term in terms.values())
    return ScoreAnalysis(
        total=round(total),
        terms=terms,
        by_pair={key: _weighted(values, weights) for key, values in raw_pair.items()},
        by_meeting={key: _weighted(values, weights) for key, values in raw_meeting.items()},
        covered=covered,
    )


def _weighted(values: dict[str, float], weights: Weights) -> dict[str, tuple[float, float]]:
    return {name: (value, weights.signed(name) * value) for name, value in values.items()}


def _support_need(problem, pairs, raw_pair, totals) -> None:
    for key, assignments in pairs.items():
        for assignment in assignments:
            lesson = problem.lesson(assignment.lesson)
            need = sum(problem.group(g).need for g in lesson.groups)
            if need:
                raw_pair[key]["support_need"] += need * lesson.hours
                totals["support_need"] += need * lesson.hours


def _pair_terms(problem, pairs, raw_pair, totals) -> None:
    for key in pairs:
        a, b = problem.teacher(key[0]), problem.teacher(key[1])
        for name, value in (
            ("complementarity", complementarity_points(a, b)),
            ("wish", wish_points(a, b)),
            ("continuity", int(key in problem.last_term_pairs)),
        ):
            if value:
                raw_pair[key][name] += value
                totals[name] += value


def _coverage(pairs, raw_pair, totals) -> frozenset[str]:
    """Each covered person counts once, shared equally by the pairs they are in."""
    pairs_of: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for key in pairs:
        for teacher_id in key:
            pairs_of[teacher_id].append(key)
    for keys in pairs_of.values():
        for key in keys:
            raw_pair[key]["coverage"] += 1 / len(keys)
    totals["coverage"] = len(pairs_of)
    return frozenset(pairs_of)


def _fairness(problem, params, pairs, raw_pair, totals) -> None:
    """Per group min(co-taught hours, fair_hours), shared by the pairs in proportion to hours."""
    hours: dict[str, dict[tuple[str, str], int]] = defaultdict(lambda: defaultdict(int))
    for key, assignments in pairs.items():
        for assignment in assignments:
            lesson = problem.lesson(assignment.lesson)
            for group_id in lesson.groups:
                hours[group_id][key] += lesson.hours
    for per_pair in hours.values():
        group_hours = sum(per_pair.values())
        fair = min(group_hours, params.fair_hours)
        totals["fairness"] += fair
        if fair:
            for key, pair_hours in per_pair.items():
                raw_pair[key]["fairness"] += fair * pair_hours / group_hours


def _compact_days(problem, solution, raw_pair, raw_meeting, totals) -> None:
    """New idle slots per teacher-day, shared by the activities outside the old lesson span."""
    own: dict[str, set[str]] = defaultdict(set)
    for lesson in problem.lessons:
        own[lesson.teacher].update(lesson.slots)
    # teacher -> slot -> what put the teacher there (pair key or ("meeting", team))
    extra: dict[str, dict[str, tuple]] = defaultdict(dict)
    for assignment in solution.assignments:
        lesson = problem.lesson(assignment.lesson)
        for slot_id in lesson.slots:
            extra[assignment.teacher][slot_id] = pair_key(lesson.teacher, assignment.teacher)
    for meeting in solution.meetings:
        for member in problem.team(meeting.team).members:
            for slot_id in meeting.slots:
                extra[member][slot_id] = ("meeting", meeting.team)
    for teacher_id, activities in extra.items():
        for day_slots in problem.day_slots().values():
            created = len(new_idle_slots(day_slots, own[teacher_id], activities))
            if not created:
                continue
            totals["compact_days"] += created
            old_span = _span(day_slots, own[teacher_id])
            causes = [
                activities[slot_id]
                for position, slot_id in enumerate(day_slots)
                if slot_id in activities
                and (old_span is None or not old_span[0] < position < old_span[1])
            ]
            for cause in causes:
                share = created / len(causes)
                if cause[0] == "meeting":
                    raw_meeting[cause[1]]["compact_days"] += share
                else:
                    raw_pair[cause]["compact_days"] += share


def _span(day_slots: list[str], busy: Collection[str]) -> tuple[int, int] | None:
    positions = [p for p, s in enumerate(day_slots) if s in busy]
    return (positions[0], positions[-1]) if positions else None


def idle_slots(day_slots: list[str], busy: Collection[str]) -> set[str]:
    """Free slots of a day with something busy both before and after them."""
    span = _span(day_slots, busy)
    if span is None:
        return set()
    return {s for s in day_slots[span[0] : span[1] + 1] if s not in busy}


def new_idle_slots(day_slots: list[str], busy: Collection[str], added: Collection[str]) -> set[str]:
    """The slots of a day that `added` makes idle: free, between busy slots afterwards, and
    not so before. The one count of idle slots: the compact-days term (added = co-teaching
    and meetings on top of own lessons), its relaxation (lagrange.py) and the meeting-slot
    search (added = the meeting on top of everything the member does that day)."""
    return idle_slots(day_slots, {*busy, *added}) - idle_slots(day_slots, busy)


def _stay(problem, solution, previous, raw_pair, raw_meeting, totals) -> None:
    kept = set(solution.assignments) & set(previous.assignments)
    for assignment in kept:
        lesson = problem.lesson(assignment.lesson)
        raw_pair[pair_key(lesson.teacher, assignment.teacher)]["stay"] += lesson.hours
        totals["stay"] += lesson.hours
    for meeting in set(solution.meetings) & set(previous.meetings):
        raw_meeting[meeting.team]["stay"] += len(meeting.slots)
        totals["stay"] += len(meeting.slots)
