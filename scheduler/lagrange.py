"""A Lagrangian relaxation of the full model: a proven upper bound that is often tighter than
CP-SAT's LP bound, and prices that tell which pairs matter.

The full model is split into small independent integer problems by *variable splitting*:

- every co-teaching option x[l,j] (lesson l of host h, co-teacher j) gets two copies, one in
  the host's problem and one in the co-teacher's; every pair variable p[a,b] one copy in a's and
  one in b's problem; the copies are tied by equalities that are dualised (prices `lam`, `eta`);
- **teacher problem** (one per teacher): which partners (at most
  `min(max_partners, capacity // min_lessons)`), and which shared hours with each (a formed pair
  shares `min_lessons`..M hours), within the teacher's capacity, counting both roles; the
  teacher's coverage point when at least one pair forms. It is solved exactly: an exact-hours
  knapsack per pair (best k hours for every k) and a choice of at most that many pairs whose
  hours fit the capacity;
- **teacher-day problem** (one per teacher and day): a copy y[t,s] of "busy at slot s" for the
  slots where co-teaching or a meeting could put the teacher, tied to the activities by
  `y = sum(activities)` (prices `pi`, which also keeps one place at a time, as y <= 1); the
  idle-slot penalty of the day is exact over every pattern of y;
- **team problem**: each team's one meeting window;
- **group problem**: fairness `f_g <= min(fair_hours, hours)` with `f_g <= hours` dualised
  (prices `mu >= 0`); lesson co-teacher limits dualised (prices `sigma >= 0`).

For *any* prices, the sum of the subproblems' optima (plus the constant of the dualised
inequalities) is an upper bound of the model's optimum (weak duality: every plan is feasible for
every subproblem and the dualised terms vanish or are non-negative on it). The prices are
improved by subgradient steps (Polyak's step towards the best known plan's objective). The
subproblems are integer, so the bound can be strictly below the LP relaxation: capacity, the
partner limit, the minimum shared hours and coverage are integral per teacher, and the idle
slots per teacher-day.

Re-solving with a previous plan (the stay term) and pinned co-teaching are not modelled here:
`relax` returns None for such requests and the solver reports CP-SAT's bound alone.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np

from .domain import complementarity_points, wish_points
from .index import Index
from .scoring import new_idle_slots

NEG = -1e18
#: Teacher-days with more candidate slots than this use a relaxed day problem (idle slots are
#: not counted: still a valid bound, only looser); 2**10 patterns per teacher-day at most.
MAX_DAY_SLOTS = 10
#: Subgradient steps: Polyak's step times THETA, halved after STALL iterations without a
#: better bound (restarting from the best prices); each direction adds DEFLECTION times the
#: previous one, against zig-zagging.
THETA = 4.0
STALL = 20
DEFLECTION = 0.3


@dataclass
class Relaxation:
    """What `relax` found: the best (lowest) bound, the prices that gave it, and the pairs
    the teacher problems chose (how often, over the last iterations)."""

    bound: float
    iterations: int
    seconds: float
    pair_usage: dict[tuple[str, str], float] = field(default_factory=dict)
    history: list[tuple[float, float]] = field(default_factory=list)

    @property
    def integer_bound(self) -> int:
        """The bound rounded down: the objective is an integer (a small tolerance absorbs
        floating-point error of the sums)."""
        return math.floor(self.bound + 1e-6)


def supported(index: Index) -> bool:
    """Whether the relaxation models this request (no pins; see the module docstring)."""
    return not index.problem.pins and bool(index.pair_options)


class _Data:
    """The arrays of one relaxation, built once."""

    def __init__(self, index: Index):
        problem, params = index.problem, index.params
        weights = params.weights
        self.index = index
        self.min_lessons = params.min_lessons
        self.w_cov = weights.coverage
        self.w_fair = weights.fairness
        self.w_idle = weights.compact_days

        teachers = [t.id for t in problem.teachers]
        self.teachers = teachers
        t_id = {t: i for i, t in enumerate(teachers)}
        self.capacity = np.array([problem.teacher(t).capacity for t in teachers])
        self.partner_limit = np.array(
            [
                min(params.max_partners, problem.teacher(t).capacity // params.min_lessons)
                for t in teachers
            ]
        )

        # pairs and their copies: copy 2p is the first teacher's, 2p+1 the second's
        self.pairs = sorted(index.pair_options)
        p_id = {key: i for i, key in enumerate(self.pairs)}
        n_pairs = len(self.pairs)
        self.copy_teacher = np.empty(2 * n_pairs, dtype=np.int64)
        self.pair_most = np.empty(n_pairs, dtype=np.int64)
        self.pair_value = np.empty(n_pairs)
        last_term = problem.last_term_pairs
        for p, key in enumerate(self.pairs):
            a, b = problem.teacher(key[0]), problem.teacher(key[1])
            self.copy_teacher[2 * p] = t_id[key[0]]
            self.copy_teacher[2 * p + 1] = t_id[key[1]]
            self.pair_most[p] = index.pair_hours_available(key, index.pair_options[key])
            self.pair_value[p] = (
                weights.complementarity * complementarity_points(a, b)
                + weights.wish * wish_points(a, b)
                + weights.continuity * int(key in last_term)
            )

        # options
        options = index.candidates
        n = len(options)
        self.n_options = n
        self.hours = np.array([index.hours(lesson) for lesson, _ in options], dtype=np.int64)
        self.support = np.array(
            [
                weights.support_need * index.need[lesson] * index.hours(lesson)
                for lesson, _ in options
            ],
            dtype=float,
        )
        host_copy = np.empty(n, dtype=np.int64)
        join_copy = np.empty(n, dtype=np.int64)
        for i, (lesson, joiner) in enumerate(options):
            key = index.pair_of(lesson, joiner)
            p = p_id[key]
            host_copy[i] = 2 * p + int(index.host(lesson) == key[1])
            join_copy[i] = 2 * p + int(joiner == key[1])
        self.item_copy = np.concatenate([host_copy, join_copy])
        self.item_hours = np.concatenate([self.hours, self.hours])

        # busy copies y[t,s]: every (teacher, slot) an activity may use
        busy_id: dict[tuple[str, str], int] = {}

        def busy(t: str, s: str) -> int:
            if (t, s) not in busy_id:
                busy_id[t, s] = len(busy_id)
            return busy_id[t, s]

        max_hours = int(self.hours.max()) if n else 1
        option_slots = [[busy(j, s) for s in problem.lesson(lesson).slots] for lesson, j in options]
        # teams
        self.team_windows: list[np.ndarray] = []  # per team: windows x (member, slot) ids
        for team in problem.teams:
            windows = index.windows[team.id]
            pinned = {p.start for p in problem.meeting_pins if p.team == team.id}
            if pinned:
                windows = [w for w in windows if w[0] in pinned]
            rows = [[busy(m, s) for m in team.members for s in w] for w in windows]
            self.team_windows.append(np.array(rows, dtype=np.int64).reshape(len(rows), -1))
        self.n_busy = len(busy_id)
        dummy = self.n_busy
        self.option_slot = np.full((n, max_hours), dummy, dtype=np.int64)
        for i, ids in enumerate(option_slots):
            self.option_slot[i, : len(ids)] = ids

        # groups (fairness) and lessons (co-teacher limit)
        group_ids = {g.id: i for i, g in enumerate(problem.groups)}
        max_groups = max((len(problem.lesson(lesson).groups) for lesson, _ in options), default=1)
        self.option_group = np.full((n, max_groups), len(group_ids), dtype=np.int64)
        group_most = np.zeros(len(group_ids) + 1)
        for i, (lesson, _) in enumerate(options):
            for k, g in enumerate(problem.lesson(lesson).groups):
                self.option_group[i, k] = group_ids[g]
                group_most[group_ids[g]] += index.hours(lesson)
        self.group_cap = np.minimum(params.fair_hours, group_most[:-1])
        self.n_groups = len(group_ids)
        limit = params.max_coteachers
        self.coteacher_limit = limit
        limited = sorted(lesson for lesson, ts in index.by_lesson.items() if len(ts) > limit)
        l_id = {lesson: i for i, lesson in enumerate(limited)}
        self.n_limited = len(limited)
        self.option_lesson = np.array(
            [l_id.get(lesson, len(limited)) for lesson, _ in options], dtype=np.int64
        )

        # hours classes and the exact-hours tables
        self.k_most = int(max(self.pair_most.max(), 0)) if n_pairs else 0
        self.classes = sorted({int(h) for h in self.hours})
        self.copy_most = np.repeat(self.pair_most, 2)
        self._prepare_days(index, busy_id)
        self._prepare_teachers()

    def _prepare_days(self, index: Index, busy_id: dict[tuple[str, str], int]) -> None:
        """Every pattern of busy copies of every teacher-day, with its idle slots."""
        by_day: dict[tuple[str, str], list[tuple[int, str]]] = defaultdict(list)
        for t, s in busy_id:
            by_day[t, index.day_of[s]].append((index.slot_order[s], s))
        pattern_day, pattern_idle, pattern_members = [], [], []
        free_ids: list[int] = []  # busy copies of relaxed days: y = 1 exactly when pi > 0
        width = 1
        for day_number, ((t, day), entries) in enumerate(sorted(by_day.items())):
            slots = index.day_slots[day]
            own = index.own[t]
            candidates = [s for _, s in sorted(entries)]
            ids = [busy_id[t, s] for s in candidates]
            if len(candidates) > MAX_DAY_SLOTS:
                free_ids.extend(ids)
                continue
            for size in range(len(candidates) + 1):
                for chosen in combinations(range(len(candidates)), size):
                    added = [candidates[c] for c in chosen]
                    pattern_day.append(day_number)
                    pattern_idle.append(len(new_idle_slots(slots, own, added)))
                    pattern_members.append([ids[c] for c in chosen])
                    width = max(width, size)
        self.n_days = len(by_day)
        self.free_busy = np.array(free_ids, dtype=np.int64)
        self.pattern_day = np.array(pattern_day, dtype=np.int64)
        self.pattern_idle = np.array(pattern_idle, dtype=float)
        members = np.full((len(pattern_members), width), self.n_busy, dtype=np.int64)
        for r, m in enumerate(pattern_members):
            members[r, : len(m)] = m
        self.pattern_members = members
        # patterns are generated day by day, so each day's rows are contiguous
        self.day_starts = (
            np.flatnonzero(np.r_[True, np.diff(self.pattern_day) != 0])
            if len(pattern_day)
            else np.array([], dtype=np.int64)
        )

    def _prepare_teachers(self) -> None:
        order = np.argsort(self.copy_teacher, kind="stable")
        self.copy_order = order
        sorted_teacher = self.copy_teacher[order]
        starts = np.flatnonzero(np.r_[True, np.diff(sorted_teacher) != 0]) if len(order) else []
        self.group_teacher = sorted_teacher[starts] if len(order) else np.array([], dtype=int)
        self.group_start = np.asarray(starts, dtype=np.int64)
        self.group_count = np.diff(np.r_[self.group_start, len(order)]).astype(np.int64)


def relax(
    index: Index,
    *,
    target: float,
    time_limit: float = math.inf,
    max_iterations: int = 100000,
    should_stop: Callable[[], bool] | None = None,
) -> Relaxation | None:
    """Subgradient optimisation of the Lagrangian dual: `max_iterations` steps, or fewer when
    `time_limit` seconds pass first (without one, the outcome depends on nothing but the
    input: tests bound iterations, not seconds).

    `target` is the objective of the best known plan (Polyak's step aims at it; any value
    below the optimum keeps the steps well defined).
    """
    relaxer = Relaxer.create(index)
    if relaxer is None:
        return None
    relaxer.run(target, time_limit, max_iterations, should_stop)
    return relaxer.result()


class Relaxer:
    """A relaxation that can be run in stints (the solver continues it in a thread while
    CP-SAT searches)."""

    def __init__(self, index: Index):
        self.dual = _Dual(_Data(index))

    @classmethod
    def create(cls, index: Index) -> Relaxer | None:
        return cls(index) if supported(index) else None

    def run(
        self,
        target: float,
        time_limit: float = math.inf,
        max_iterations: int = 100000,
        should_stop: Callable[[], bool] | None = None,
        on_bound: Callable[[int], None] | None = None,
    ) -> int:
        """Continue the subgradient search; returns the number of iterations it made."""
        return self.dual.run(target, time_limit, max_iterations, should_stop, on_bound)

    def result(self) -> Relaxation:
        return self.dual.result()


class _Dual:
    def __init__(self, data: _Data):
        self.d = data
        self.created = time.perf_counter()
        self.best = math.inf
        self.best_prices = None
        self.theta = THETA
        self.stall = 0
        self.history: list[tuple[float, float]] = []
        self.usage = np.zeros(len(data.pairs))
        self.usage_weight = 0.0
        self.iterations = 0
        self.direction = None
        self.done = False
        n, n_pairs = data.n_options, len(data.pairs)
        self.lam = np.zeros(n)
        self.eta = np.zeros(n_pairs)
        self.pi = np.zeros(data.n_busy + 1)
        self.mu = np.zeros(data.n_groups + 1)
        self.sigma = np.zeros(data.n_limited + 1)

    # --- evaluation -------------------------------------------------------------------------
    def evaluate(self):
        d = self.d
        n = d.n_options
        mu_sum = self.mu[d.option_group].sum(axis=1)
        v_host = d.support + self.lam + d.hours * mu_sum - self.sigma[d.option_lesson]
        v_join = -self.lam - self.pi[d.option_slot].sum(axis=1)
        values = np.concatenate([v_host, v_join])
        table, backtrack, ranks = self._exact_hours(values)
        n_copies = 2 * len(d.pairs)
        pair_term = np.zeros(n_copies)
        pair_term[0::2] = d.pair_value + self.eta
        pair_term[1::2] = -self.eta
        k = np.arange(table.shape[1])
        allowed = (k[None, :] >= d.min_lessons) & (k[None, :] <= d.copy_most[:, None])
        table = np.where(allowed, table + pair_term[:, None], NEG)
        teacher_value, copy_hours = self._teachers(table)
        value = teacher_value
        # which items each chosen copy takes
        item_chosen = self._items(copy_hours, backtrack, ranks)
        # teacher-days
        pattern_value = self.pi[d.pattern_members].sum(axis=1) - d.w_idle * d.pattern_idle
        y = np.zeros(d.n_busy + 1)
        if len(pattern_value):
            best = np.maximum.reduceat(pattern_value, d.day_starts)
            value += best.sum()
            is_best = pattern_value >= best[d.pattern_day] - 1e-12
            rows = np.flatnonzero(is_best)
            first = rows[np.r_[True, np.diff(d.pattern_day[rows]) != 0]]
            y[d.pattern_members[first].ravel()] = 1.0
        if len(d.free_busy):
            positive = self.pi[d.free_busy] > 0
            value += self.pi[d.free_busy][positive].sum()
            y[d.free_busy[positive]] = 1.0
        y[-1] = 0.0
        # teams
        z_load = np.zeros(d.n_busy + 1)
        for windows in d.team_windows:
            if not len(windows):
                continue
            scores = -self.pi[windows].sum(axis=1)
            w = int(np.argmax(scores))
            value += scores[w]
            np.add.at(z_load, windows[w], 1.0)
        # groups
        fair_gain = d.w_fair - self.mu[:-1]
        f = np.where(fair_gain > 0, d.group_cap, 0.0)
        value += float((fair_gain * f).sum())
        value += float(self.sigma[:-1].sum()) * d.coteacher_limit
        # subgradient
        x_host = item_chosen[:n]
        x_join = item_chosen[n:]
        g_lam = x_host - x_join
        copy_on = (copy_hours > 0).astype(float)
        g_eta = copy_on[0::2] - copy_on[1::2]
        join_load = np.bincount(
            d.option_slot.ravel(),
            weights=np.repeat(x_join, d.option_slot.shape[1]),
            minlength=d.n_busy + 1,
        )
        g_pi = y - join_load - z_load
        g_pi[-1] = 0.0
        group_hours = np.bincount(
            d.option_group.ravel(),
            weights=np.repeat(x_host * d.hours, d.option_group.shape[1]),
            minlength=d.n_groups + 1,
        )
        g_mu = np.r_[group_hours[:-1] - f, 0.0]
        lesson_load = np.bincount(d.option_lesson, weights=x_host, minlength=d.n_limited + 1)
        g_sigma = d.coteacher_limit - lesson_load
        g_sigma[-1] = 0.0
        return value, (g_lam, g_eta, g_pi, g_mu, g_sigma), copy_hours

    def _exact_hours(self, values: np.ndarray):
        """best[c, k]: the best sum of a copy's item values over exactly k hours."""
        d = self.d
        n_copies = 2 * len(d.pairs)
        width = d.k_most + 1
        table = np.full((n_copies, width), NEG)
        table[:, 0] = 0.0
        backtrack = []  # per class: (class hours, argmax counts per (copy, k))
        ranks = np.zeros(len(values), dtype=np.int64)
        for hours in d.classes:
            in_class = np.flatnonzero(d.item_hours == hours)
            copies = d.item_copy[in_class]
            # by copy, then by value, descending: one argsort of a combined key is ten times
            # faster than lexsort (ties may come in any order, which changes no sum)
            class_values = values[in_class]
            scale = 2.0 * (float(np.abs(class_values).max(initial=0.0)) + 1.0)
            order = np.argsort(copies * scale - class_values)
            sorted_copies = copies[order]
            starts = np.flatnonzero(np.r_[True, np.diff(sorted_copies) != 0])
            group_of = np.cumsum(np.r_[True, np.diff(sorted_copies) != 0]) - 1
            rank = np.arange(len(order)) - starts[group_of]
            ranks[in_class[order]] = rank
            most_items = min(d.k_most // hours, int(rank.max()) + 1 if len(rank) else 0)
            prefix = np.full((n_copies, most_items + 1), NEG)
            prefix[:, 0] = 0.0
            keep = rank < most_items
            gains = np.zeros((n_copies, most_items))
            present = np.zeros((n_copies, most_items), dtype=bool)
            gains[sorted_copies[keep], rank[keep]] = values[in_class[order]][keep]
            present[sorted_copies[keep], rank[keep]] = True
            sums = np.cumsum(gains, axis=1)
            prefix[:, 1:] = np.where(present, sums, NEG)
            new = np.full_like(table, NEG)
            arg = np.zeros(table.shape, dtype=np.int64)
            for count in range(most_items + 1):
                shift = count * hours
                candidate = table[:, : width - shift] + prefix[:, count : count + 1]
                better = candidate > new[:, shift:]
                new[:, shift:] = np.where(better, candidate, new[:, shift:])
                arg[:, shift:] = np.where(better, count, arg[:, shift:])
            table = np.maximum(new, NEG)
            backtrack.append((hours, arg))
        return table, backtrack, ranks

    def _teachers(self, table: np.ndarray):
        """Each teacher's best choice of pairs and hours; returns the total and the hours
        each copy takes (0 = pair not formed)."""
        d = self.d
        n_copies = table.shape[0]
        best_k = np.argmax(table, axis=1)
        best_v = table[np.arange(n_copies), best_k]
        copy_hours = np.zeros(n_copies, dtype=np.int64)
        total = 0.0
        order = d.copy_order
        for g in range(len(d.group_start)):
            t = d.group_teacher[g]
            limit = d.partner_limit[t]
            if limit <= 0:
                continue
            copies = order[d.group_start[g] : d.group_start[g] + d.group_count[g]]
            value, chosen = _choose(
                table[copies], best_v[copies], best_k[copies], limit, d.capacity[t]
            )
            gain = d.w_cov + value
            if chosen and gain > 0:
                total += gain
                for c, k in chosen:
                    copy_hours[copies[c]] = k
        return total, copy_hours

    def _items(self, copy_hours: np.ndarray, backtrack, ranks: np.ndarray) -> np.ndarray:
        d = self.d
        n_copies = len(copy_hours)
        remaining = copy_hours.copy()
        counts = {}
        rows = np.arange(n_copies)
        for hours, arg in reversed(backtrack):
            c = arg[rows, remaining]
            c = np.where(copy_hours > 0, c, 0)
            counts[hours] = c
            remaining = remaining - c * hours
        chosen = np.zeros(len(d.item_copy))
        for hours, c in counts.items():
            in_class = d.item_hours == hours
            chosen[in_class] = (ranks[in_class] < c[d.item_copy[in_class]]).astype(float)
        return chosen

    # --- subgradient loop ---------------------------------------------------------------------
    def run(
        self,
        target: float,
        time_limit: float,
        max_iterations: int = 100000,
        should_stop: Callable[[], bool] | None = None,
        on_bound: Callable[[int], None] | None = None,
    ) -> int:
        """Up to `max_iterations` subgradient steps within `time_limit` seconds; a later call
        continues where this one stopped. `on_bound` gets every better integer bound. Returns
        the number of steps made."""
        started = time.perf_counter()
        count = 0
        while count < max_iterations and not self.done:
            if time.perf_counter() - started > time_limit:
                break
            if should_stop is not None and should_stop():
                break
            count += 1
            self.iterations += 1
            value, grads, copy_hours = self.evaluate()
            formed = ((copy_hours[0::2] > 0) | (copy_hours[1::2] > 0)).astype(float)
            self.usage = 0.9 * self.usage + formed
            self.usage_weight = 0.9 * self.usage_weight + 1.0
            if value < self.best - 1e-9:
                if value < self.best - 1e-6 * max(1.0, abs(self.best)):
                    self.stall = 0
                before = math.floor(self.best + 1e-6) if math.isfinite(self.best) else None
                self.best = value
                self.best_prices = (
                    self.lam.copy(),
                    self.eta.copy(),
                    self.pi.copy(),
                    self.mu.copy(),
                    self.sigma.copy(),
                )
                self.history.append((round(time.perf_counter() - self.created, 3), value))
                now = math.floor(value + 1e-6)
                if on_bound is not None and (before is None or now < before):
                    on_bound(now)
            else:
                self.stall += 1
                if self.stall >= STALL:
                    self.theta *= 0.5
                    self.stall = 0
                    if self.best_prices is not None:
                        self.lam, self.eta, self.pi, self.mu, self.sigma = (
                            p.copy() for p in self.best_prices
                        )
                        self.direction = None
                    if self.theta < 1e-4:
                        self.done = True  # converged as far as steps can tell
                        break
            # deflected direction (a share of the previous one) against zig-zagging
            if self.direction is not None:
                grads = tuple(
                    g + DEFLECTION * p for g, p in zip(grads, self.direction, strict=True)
                )
            norm = sum(float((g * g).sum()) for g in grads)
            if norm < 1e-12:
                self.done = True  # the subproblems agree: no step can lower the bound
                break
            step = self.theta * max(value - target, 1e-3 * max(1.0, abs(value))) / norm
            g_lam, g_eta, g_pi, g_mu, g_sigma = grads
            self.lam -= step * g_lam
            self.eta -= step * g_eta
            self.pi -= step * g_pi
            self.pi[-1] = 0.0
            self.mu = np.maximum(0.0, self.mu - step * g_mu)
            self.mu[-1] = 0.0
            self.sigma = np.maximum(0.0, self.sigma - step * g_sigma)
            self.sigma[-1] = 0.0
            self.direction = grads
        return count

    def result(self) -> Relaxation:
        d = self.d
        pair_usage = {}
        if self.usage_weight:
            pair_usage = {
                key: float(u / self.usage_weight)
                for key, u in zip(d.pairs, self.usage, strict=True)
            }
        return Relaxation(
            bound=self.best,
            iterations=self.iterations,
            seconds=time.perf_counter() - self.created,
            pair_usage=pair_usage,
            history=list(self.history),
        )


def _choose(table, best_v, best_k, limit, capacity):
    """At most `limit` copies (pairs) with hours summing to at most `capacity`, best total;
    `table[c, k]` is copy c's value with k hours (NEG where not allowed). Exact."""
    n = len(best_v)
    c = int(np.argmax(best_v))
    if best_v[c] <= NEG / 2:
        return 0.0, []
    best, chosen = float(best_v[c]), [(c, int(best_k[c]))]
    if limit == 1 or n == 1:
        return best, chosen
    if limit > 2:
        return _choose_dp(table, limit, capacity)
    width = min(table.shape[1], capacity + 1)
    top1 = np.argmax(table[:, :width], axis=0)
    top1_v = table[top1, np.arange(width)]
    masked = table[:, :width].copy()
    masked[top1, np.arange(width)] = NEG
    top2 = np.argmax(masked, axis=0)
    top2_v = masked[top2, np.arange(width)]
    for k1 in range(width):
        if top1_v[k1] <= NEG / 2:
            continue
        for k2 in range(k1, min(width, capacity - k1 + 1)):
            if top1_v[k2] <= NEG / 2:
                continue
            if top1[k1] != top1[k2]:
                value, pick = top1_v[k1] + top1_v[k2], ((top1[k1], k1), (top1[k2], k2))
            else:
                a, b = top1_v[k1] + top2_v[k2], top2_v[k1] + top1_v[k2]
                if a >= b:
                    value, pick = a, ((top1[k1], k1), (top2[k2], k2))
                else:
                    value, pick = b, ((top2[k1], k1), (top1[k2], k2))
            if value > best and value > NEG / 2:
                best, chosen = float(value), [(int(c), int(k)) for c, k in pick]
    return best, chosen


def _choose_dp(table, limit, capacity):
    """`_choose` for any partner limit: a DP over (pairs taken, hours), with backtracking."""
    n = table.shape[0]
    width = min(table.shape[1], capacity + 1)
    layers = []
    dp = np.full((limit + 1, capacity + 1), NEG)
    dp[0, 0] = 0.0
    for c in range(n):
        row = table[c, :width]
        arg = np.full(dp.shape, -1, dtype=np.int64)
        new = dp.copy()
        for k in np.flatnonzero(row > NEG / 2):
            cand = dp[:-1, : capacity + 1 - k] + row[k]
            better = cand > new[1:, k:]
            new[1:, k:] = np.where(better, cand, new[1:, k:])
            arg[1:, k:] = np.where(better, k, arg[1:, k:])
        layers.append(arg)
        dp = new
    m, h = np.unravel_index(int(np.argmax(dp[1:])), dp[1:].shape)
    m += 1
    best = float(dp[m, h])
    if best <= NEG / 2:
        return 0.0, []
    chosen = []
    for c in range(n - 1, -1, -1):
        k = layers[c][m, h]
        if k >= 0:
            chosen.append((c, int(k)))
            m, h = m - 1, h - k
    return best, chosen
