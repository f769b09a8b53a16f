"""An objective-aware starting plan for CP-SAT (the benchmark's baseline stays `greedy`).

The principal's greedy serves the neediest lessons first and forms whatever pairs that gives.
This construction works at the level of pairs instead: it repeatedly adds the pair whose best
package of lessons gains most in the real objective (support need, fairness, pair terms, new
staff covered, minus new idle slots), until no pair gains anything. Gains only shrink as the plan
fills up, so a lazy priority queue re-evaluates just the top few pairs at each step.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Callable

from .domain import complementarity_points, wish_points
from .greedy import Plan
from .index import Index
from .scoring import new_idle_slots
from .solution import Solution


def value_plan(index: Index, should_stop: Callable[[], bool] | None = None) -> Solution:
    """Pins and meetings as in the greedy plan, then pair packages by marginal gain.

    `should_stop` (asked now and then) ends the construction early: the plan so far is valid,
    since every package is added whole."""
    plan = Plan(index)
    plan.apply_pins()
    plan.place_meetings()
    builder = _Builder(index, plan)
    queue = []
    for step, key in enumerate(index.pair_options):
        if should_stop is not None and step % 256 == 0 and should_stop():
            return plan.solution()
        queue.append((-builder.gain(key)[0], key))
    heapq.heapify(queue)
    step = 0
    while queue:
        step += 1
        if should_stop is not None and step % 64 == 0 and should_stop():
            break
        _, key = heapq.heappop(queue)
        gain, package = builder.gain(key)
        if gain <= 0 or not package:
            continue
        if queue and gain < -queue[0][0]:
            heapq.heappush(queue, (-gain, key))  # stale: someone else may be better now
            continue
        builder.commit(package)
    return plan.solution()


class _Builder:
    def __init__(self, index: Index, plan: Plan):
        self.index = index
        self.plan = plan
        self.weights = index.params.weights
        self.group_hours: Counter[str] = Counter()
        # Per lesson, looked up once: (hours, groups, support-need points of its hours).
        self.lessons = {
            lesson.id: (
                lesson.hours,
                lesson.groups,
                self.weights.support_need * index.need[lesson.id] * lesson.hours,
            )
            for lesson in index.problem.lessons
        }

    def gain(self, key: tuple[str, str]) -> tuple[float, list[tuple[str, str]]]:
        """The best package of the pair's still-possible lessons and what it would add."""
        index, plan, weights = self.index, self.plan, self.weights
        if key in plan.pair_hours:
            return 0.0, []
        problem = index.problem
        a, b = problem.teacher(key[0]), problem.teacher(key[1])
        added: Counter[str] = Counter()  # group hours the package adds so far
        chosen: list[tuple[str, str]] = []
        value = 0.0
        hours = 0
        for option in sorted(index.pair_options[key], key=lambda o: -self._value(o[0], added)):
            if not plan.fits(*option, chosen):
                continue
            value += self._value(option[0], added)
            chosen.append(option)
            lesson_hours, groups, _ = self.lessons[option[0]]
            hours += lesson_hours
            for group_id in groups:
                added[group_id] += lesson_hours
        if hours < index.params.min_lessons:
            return 0.0, []
        covered = sum(1 for t in key if not plan.partners[t])
        value += (
            weights.complementarity * complementarity_points(a, b)
            + weights.wish * wish_points(a, b)
            + weights.continuity * int(key in problem.last_term_pairs)
            + weights.coverage * covered
            - weights.compact_days * self._new_idle(chosen)
        )
        return value, chosen

    def _value(self, lesson_id: str, added: Counter[str]) -> float:
        """Support need plus the fairness the lesson's hours would still earn."""
        hours, groups, support = self.lessons[lesson_id]
        fair = self.index.params.fair_hours
        fairness = sum(min(hours, max(0, fair - self.group_hours[g] - added[g])) for g in groups)
        return support + self.weights.fairness * fairness

    def _new_idle(self, package: list[tuple[str, str]]) -> int:
        """New idle slots in the joiners' days if the package were added."""
        index = self.index
        added: dict[str, set[str]] = {}
        for lesson_id, teacher_id in package:
            added.setdefault(teacher_id, set()).update(index.problem.lesson(lesson_id).slots)
        total = 0
        for teacher_id, slots in added.items():
            busy = set(index.own[teacher_id]) | self.plan.busy[teacher_id]
            for day_id in {index.day_of[s] for s in slots}:
                day = index.day_slots[day_id]
                total += len(new_idle_slots(day, busy, slots))
        return total

    def commit(self, package: list[tuple[str, str]]) -> None:
        for lesson_id, teacher_id in package:
            self.plan.commit(lesson_id, teacher_id)
            for group_id in self.index.problem.lesson(lesson_id).groups:
                self.group_hours[group_id] += self.index.hours(lesson_id)
