"""`solve`: build the model, hint it with the greedy plan, search, and explain the outcome.

Threading: `progress` is called from CP-SAT's threads while the search runs; `cancel` (a
`threading.Event` or any callable returning True to stop) is polled by a watcher thread, and
stopping keeps the best solution found so far.
"""

from __future__ import annotations

import contextlib
import math
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ortools.sat.python import cp_model

from . import lagrange
from .budget import Budget
from .decompose import candidate_pairs
from .domain import Problem
from .explain import (
    MeetingProposal,
    Proposal,
    UnmetWish,
    explain_infeasibility,
    meeting_proposals,
    proposals,
    unmet_wishes,
)
from .greedy import greedy_from_index
from .hint import value_plan
from .index import Index, build_index
from .model import CoTeachingModel, build_model
from .parameters import Parameters
from .reasons import Reason
from .scoring import ScoreAnalysis, analyse
from .solution import Solution
from .validate import Violation, validate

ProgressCallback = Callable[[float, float | None, float | None], None]
Cancel = threading.Event | Callable[[], bool]

STATUS_NAMES = {
    cp_model.OPTIMAL: "optimal",
    cp_model.FEASIBLE: "feasible",
    cp_model.INFEASIBLE: "infeasible",
    cp_model.UNKNOWN: "unknown",
}
CANCEL_POLL_SECONDS = 0.05
#: Above this many co-teaching options, solve in phases (see `solve`); the XHSTT files and
#: schools up to about 50 teachers stay below it and go straight to the full model.
LARGE_OPTIONS = 5000
#: Time of the restricted phase of a large school: a fifth of the limit, at most 6 s. It gives
#: the first plan within seconds; the relaxation and the last search need the rest (README,
#: "What we tried").
RESTRICTED_SHARE = 0.2
RESTRICTED_MAX_SECONDS = 6.0
#: Share of the time limit the Lagrangian relaxation of a large school gets (lagrange.py).
LAGRANGE_SHARE = 0.25
#: Whether the relaxation keeps running in a thread during the last search.
LAGRANGE_BACKGROUND = True
#: Its thread's nice value (see _Background).
BACKGROUND_NICE = 10
#: A pair the relaxation's teacher problems formed in more than this share of the last
#: iterations (exponentially weighted) joins the last phase.
PAIR_USAGE = 0.05
#: Up to this many workers, the portfolio is max_lp plus CP-SAT's LNS (see _make_solver).
SMALL_PORTFOLIO_WORKERS = 3


@dataclass
class Result:
    """Everything a solve produced; `to_dict()` is the JSON the command line prints."""

    status: str
    parameters: Parameters
    problem: Problem
    wall_seconds: float
    objective: int | None = None
    bound: float | None = None
    first_solution_seconds: float | None = None
    greedy_objective: int | None = None
    solution: Solution | None = None
    source: str = "none"  # "cp-sat", or "greedy" when CP-SAT found nothing better in time
    score: ScoreAnalysis | None = None
    proposals: list[Proposal] = field(default_factory=list)
    meetings: list[MeetingProposal] = field(default_factory=list)
    unmet_wishes: list[UnmetWish] = field(default_factory=list)
    conflicts: list[Reason] = field(default_factory=list)
    violations: list[Violation] = field(default_factory=list)
    changes: dict[str, Any] | None = None
    stats: dict[str, Any] = field(default_factory=dict)
    progress: list[tuple[float, float | None, float | None]] = field(default_factory=list)
    cancelled: bool = False

    @property
    def gap(self) -> float | None:
        """(bound - objective) / bound: the share of the bound not yet proven reachable."""
        if self.objective is None or self.bound is None or not math.isfinite(self.bound):
            return None
        if self.bound == self.objective:
            return 0.0
        return (self.bound - self.objective) / abs(self.bound) if self.bound else None

    @property
    def residual(self) -> float | None:
        """(bound - objective) / (bound - greedy): the share of the room above the hand-made
        plan not yet proven won; unlike the gap, scaling or shifting the objective cannot
        flatter it."""
        if self.objective is None or self.bound is None or self.greedy_objective is None:
            return None
        if not math.isfinite(self.bound):
            return None
        room = self.bound - self.greedy_objective
        if room <= 0:  # the greedy plan is proven optimal
            return 0.0
        return (self.bound - self.objective) / room

    @property
    def coverage(self) -> dict[str, Any]:
        staff = len(self.problem.teachers)
        covered = sorted(self.score.covered) if self.score else []
        return {
            "covered": len(covered),
            "staff": staff,
            "share": round(len(covered) / staff, 4) if staff else 0.0,
            "teachers": covered,
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "objective": self.objective,
            "bound": self.bound,
            "gap": self.gap,
            "residual": self.residual,
            "first_solution_seconds": self.first_solution_seconds,
            "wall_seconds": round(self.wall_seconds, 3),
            "greedy_objective": self.greedy_objective,
            "source": self.source,
            "cancelled": self.cancelled,
            "coverage": self.coverage,
            "parameters": self.parameters.to_dict(),
            "teachers": len(self.problem.teachers),
            "lessons": len(self.problem.lessons),
            "score": self.score.to_dict() if self.score else None,
            "proposals": [p.to_dict() for p in self.proposals],
            "meetings": [m.to_dict() for m in self.meetings],
            "unmet_wishes": [w.to_dict() for w in self.unmet_wishes],
            "conflicts": [c.to_dict() for c in self.conflicts],
            "violations": [v.to_dict() for v in self.violations],
            "changes": self.changes,
            "notes": list(self.problem.notes),
            "stats": self.stats,
            "progress": [list(p) for p in self.progress],
        }


def solve(
    problem: Problem,
    params: Parameters | None = None,
    *,
    progress: ProgressCallback | None = None,
    cancel: Cancel | None = None,
    previous: Solution | None = None,
) -> Result:
    """Propose co-teaching pairs, their lessons and team meetings for `problem`.

    `previous` is an earlier solution to re-solve from after a principal's edits: pins and
    rejections are part of `problem`; a weighted stay term and a hint built from `previous`
    make the new plan change as little as it can.

    The search starts from the better of the greedy plan and an objective-aware construction
    (`hint.value_plan`). Large schools are solved in phases (pairs first, lessons second):
    the same model restricted to each teacher's best pairs finds a good plan fast; the
    Lagrangian relaxation of the full model (lagrange.py) proves a bound and shows which
    pairs matter; CP-SAT then searches those pairs, hinted with the best plan, while the
    relaxation keeps lowering the bound. Only bounds of the full problem are reported: the
    relaxation's, or CP-SAT's when it solved the full model (the lower of what ran).
    """
    params = params or Parameters()
    budget = Budget(params)
    index = build_index(problem, params)
    baseline = greedy_from_index(index)
    baseline_valid = not validate(problem, baseline, params)
    greedy_score = analyse(problem, params, baseline, previous) if baseline_valid else None
    result = Result(
        status="unknown",
        parameters=params,
        problem=problem,
        wall_seconds=0.0,
        greedy_objective=greedy_score.total if greedy_score else None,
    )
    result.stats["options"] = len(index.candidates)
    result.stats["pair_options"] = len(index.pair_options)
    if _obviously_infeasible(index):
        return _infeasible(result, index, budget)

    best = _best_hint(index, baseline, previous) if params.use_hint else None
    search = _Search(budget, params, progress, cancel, result)
    full_model = True
    if len(index.candidates) > LARGE_OPTIONS:
        narrow = index.restricted(candidate_pairs(index, [s for s in (best, previous) if s]))
        result.stats["restricted_options"] = len(narrow.candidates)
        model = build_model(narrow, previous=previous)
        share = budget.share(RESTRICTED_SHARE, RESTRICTED_MAX_SECONDS)
        status, solver = search.run(model, best, share, bound_is_valid=False)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            best = model.extract(solver.boolean_value)
            result.source = "cp-sat (restricted)"
        relaxer = _relax(index, search, best, previous)
        if relaxer is not None:
            # Lessons last: CP-SAT searches the pairs the relaxation uses (and the best plan's),
            # hinted with the best plan, while the relaxation keeps lowering the bound in a
            # thread of its own.
            full_model = False
            pairs = candidate_pairs(index, [s for s in (best,) if s], per_teacher=0)
            usage = relaxer.result().pair_usage
            pairs |= {k for k, used in usage.items() if used > PAIR_USAGE}
            narrow = index.restricted(pairs)
            result.stats["lagrangian_options"] = len(narrow.candidates)
            model = build_model(narrow, previous=previous)
            result.stats.update(_model_stats(model))
            result.stats["model"] = "restricted by the relaxation"
            remaining = budget.remaining()
            if not search.cancelled and remaining > 0.2:
                target = analyse(problem, params, best).total if best is not None else 0
                amount = remaining if LAGRANGE_BACKGROUND else 0.0
                with _Background(search, relaxer, target, amount):
                    status, solver = search.run(model, best, remaining, bound_is_valid=False)
                result.stats.update(_solver_stats(solver))
                if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                    best = model.extract(solver.boolean_value)
                    result.source = "cp-sat (restricted)"
            relaxation = relaxer.result()
            result.stats["lagrangian"] = {
                "bound": relaxation.integer_bound,
                "iterations": relaxation.iterations,
                "seconds": round(relaxation.seconds, 3),
            }
    if full_model and not search.cancelled:
        model = build_model(index, previous=previous)
        result.stats.update(_model_stats(model))
        status, solver = search.run(model, best, budget.remaining(), bound_is_valid=True)
        result.stats.update(_solver_stats(solver))
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            result.status, result.source = STATUS_NAMES[status], "cp-sat"
            best = model.extract(solver.boolean_value)
            result.stats["solver_objective"] = round(solver.objective_value)
            result.bound = solver.best_objective_bound
            result.stats["solver_bound"] = solver.best_objective_bound
            result.stats["bound_source"] = "cp-sat"
        elif status == cp_model.INFEASIBLE:
            return _infeasible(result, index, budget)
        elif status == cp_model.MODEL_INVALID:  # pragma: no cover - a bug in this package
            raise RuntimeError(f"CP-SAT rejected the model: {model.cp.validate()}")
        # UNKNOWN: no bound is reported, as CP-SAT's is meaningless before its search ran.
    lagrangian = search.lagrangian_bound
    if lagrangian is not None and (result.bound is None or lagrangian < result.bound):
        result.bound = lagrangian
        result.stats["bound_source"] = "lagrangian"
    result.cancelled = search.cancelled
    if best is not None:
        if result.source == "none":
            # CP-SAT found nothing in time (e.g. cancelled at once): the valid hand-made plan
            # is still a feasible answer, and `source` says where it came from.
            result.source = "greedy"
        if result.status == "unknown":
            result.status = "feasible"
        result.solution = best
    _explain_solution(result, index, previous)
    if result.score is not None:
        result.objective = result.score.total
        if result.bound is not None and result.objective >= result.bound:
            result.status = "optimal"  # the relaxation's bound is attained
    if params.deterministic:
        result.stats["work_units"] = round(budget.work, 3)
    result.wall_seconds = budget.elapsed()
    return result


def _relax(
    index: Index, search: _Search, best: Solution | None, previous: Solution | None
) -> lagrange.Relaxer | None:
    """The Lagrangian relaxation of a large school (see lagrange.py) after its first stint:
    a proven bound, often below CP-SAT's LP bound and available long before it, and the
    pairs that matter."""
    params, budget = index.params, search.budget
    if search.cancelled or previous is not None:
        return None
    # The last search needs at least a second of its own after the relaxation.
    amount = min(budget.share(LAGRANGE_SHARE), budget.remaining() - 1.0)
    if amount <= 0.5:
        return None
    relaxer = lagrange.Relaxer.create(index)
    if relaxer is None:
        return None
    target = analyse(index.problem, params, best).total if best is not None else 0
    seconds, iterations = budget.relaxation_limits(amount)
    done = relaxer.run(
        target, seconds, iterations, should_stop=search.should_stop, on_bound=search.improve_bound
    )
    budget.charge_relaxation(done)
    if not math.isfinite(relaxer.result().bound):
        return None
    return relaxer


class _Background:
    """Runs the relaxation in a thread while CP-SAT searches; joins it when the search ends
    and re-raises what it raised (e.g. a progress callback's exception).

    On the wall clock it runs until the search ends. In deterministic mode it runs its fixed
    number of iterations to the end (the search does not depend on it, only the reported
    bound, which must not depend on how fast the two threads went)."""

    def __init__(self, search: _Search, relaxer: lagrange.Relaxer, target: float, amount: float):
        self.search, self.relaxer, self.target = search, relaxer, target
        self.seconds, self.iterations = search.budget.relaxation_limits(amount)
        self.deterministic = search.budget.deterministic
        self.stop = threading.Event()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._work, name="lagrangian", daemon=True)

    def _work(self) -> None:
        try:
            # Yield the cores to CP-SAT's workers when they are contended: the plan matters
            # more than the last bits of the bound (Linux: a thread has its own nice value).
            with contextlib.suppress(AttributeError, OSError):
                os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), BACKGROUND_NICE)
            self.relaxer.run(
                self.target,
                self.seconds,
                self.iterations,
                should_stop=lambda: self.stop.is_set() or self.search.should_stop(),
                on_bound=self.search.improve_bound,
            )
        except BaseException as error:  # noqa: BLE001 - re-raised in the caller's thread
            self.error = error
            self.search.stop_current()

    def __enter__(self) -> _Background:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if not self.deterministic or exc[0] is not None:
            self.stop.set()
        self.thread.join()
        if self.error is not None and exc[0] is None:
            raise self.error


def _best_hint(index: Index, baseline: Solution, previous: Solution | None) -> Solution | None:
    """The starting plan: after a principal's edits, what of the previous plan still holds,
    grown greedily; otherwise the better of the greedy plan and the objective-aware one."""
    problem, params = index.problem, index.params
    if previous is not None:
        plans = [greedy_from_index(index, base=previous)]
    else:
        plans = [baseline, value_plan(index)]
    valid = [plan for plan in plans if not validate(problem, plan, params)]
    if not valid:
        return None
    return max(valid, key=lambda plan: analyse(problem, params, plan, previous).total)


def _obviously_infeasible(index: Index) -> bool:
    """Requests that no model can satisfy: skip straight to the explanation."""
    options = set(index.candidates)
    if any((p.lesson, p.teacher) not in options for p in index.problem.pins):
        return True
    if any(not index.windows[team.id] for team in index.problem.teams):
        return True
    starts = {(team, window[0]) for team, windows in index.windows.items() for window in windows}
    return any((p.team, p.start) not in starts for p in index.problem.meeting_pins)


def _infeasible(result: Result, index: Index, budget: Budget) -> Result:
    result.status = "infeasible"
    result.conflicts = explain_infeasibility(index, budget)
    result.wall_seconds = budget.elapsed()
    return result


def _explain_solution(result: Result, index: Index, previous: Solution | None) -> None:
    problem, params = index.problem, index.params
    solution = result.solution
    if solution is not None:
        result.violations = validate(problem, solution, params)
        result.score = analyse(problem, params, solution, previous)
        result.proposals = proposals(problem, solution, result.score)
        result.meetings = meeting_proposals(problem, solution, result.score)
        if previous is not None:
            result.changes = _changes(previous, solution)
    result.unmet_wishes = unmet_wishes(index, solution)


def _changes(previous: Solution, solution: Solution) -> dict[str, Any]:
    before, after = set(previous.assignments), set(solution.assignments)
    moved = sorted(
        m.team
        for m in solution.meetings
        for p in previous.meetings
        if p.team == m.team and p.slots != m.slots
    )
    return {
        "kept": len(before & after),
        "added": [{"lesson": a.lesson, "teacher": a.teacher} for a in sorted(after - before)],
        "removed": [{"lesson": a.lesson, "teacher": a.teacher} for a in sorted(before - after)],
        "meetings_moved": moved,
    }


def _make_solver(
    params: Parameters, budget: Budget, amount: float, *, large: bool
) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    budget.limit_search(solver, amount)
    solver.parameters.num_workers = params.workers
    solver.parameters.random_seed = params.seed
    solver.parameters.log_search_progress = params.log_search
    if 0 < params.workers <= SMALL_PORTFOLIO_WORKERS:
        # With few workers CP-SAT runs one full-problem search beside its LNS; the default
        # one (default_lp) linearises only part of the model, so the coverage and idle-slot
        # definitions never reach its LP and the bound stalls. max_lp linearises everything
        # (README, "What we tried": 5-20 % gap down to optimal on the XHSTT files).
        solver.parameters.subsolvers.append("max_lp")
    if large:
        # Probing took 8 of the 15 s of presolve on the 200-teacher school, and the LP bound
        # only comes after presolve (README, "What we tried").
        solver.parameters.cp_model_probing_level = 0
    return solver


def _model_stats(model: Any) -> dict[str, Any]:
    proto = model.cp.proto
    return {
        "variables": len(proto.variables),
        "constraints": len(proto.constraints),
        "co_variables": len(model.co),
        "pair_variables": len(model.pair),
        "meeting_variables": len(model.meet),
    }


def _solver_stats(solver: cp_model.CpSolver) -> dict[str, Any]:
    return {
        "solver_wall_seconds": round(solver.wall_time, 3),
        "conflicts": solver.num_conflicts,
        "branches": solver.num_branches,
    }


class _Search:
    """Runs the CP-SAT searches of one solve: shared clock, progress, cancellation."""

    def __init__(
        self,
        budget: Budget,
        params: Parameters,
        progress: ProgressCallback | None,
        cancel: Cancel | None,
        result: Result,
    ):
        self.budget = budget
        self.started = budget.started
        self.params = params
        self.progress = progress
        self.cancel = cancel
        self.result = result
        self.cancelled = False
        #: The Lagrangian relaxation's proven bound, once it ran (an integer).
        self.lagrangian_bound: int | None = None
        self.current_solver: cp_model.CpSolver | None = None

    def should_stop(self) -> bool:
        """Polled by the relaxation between iterations: cancel, or a failed progress callback."""
        if self.cancel is not None and _CancelWatcher(None, self.cancel)._cancelled():
            self.cancelled = True
        return self.cancelled

    def improve_bound(self, bound: int) -> None:
        """A better bound from the relaxation: keep it and report it."""
        if self.lagrangian_bound is not None and bound >= self.lagrangian_bound:
            return
        self.lagrangian_bound = bound
        elapsed = time.perf_counter() - self.started
        self.result.progress.append((round(elapsed, 3), None, bound))
        if self.progress is not None:
            self.progress(elapsed, None, bound)

    def stop_current(self) -> None:
        solver = self.current_solver
        if solver is not None:
            solver.stop_search()

    def run(
        self,
        model: CoTeachingModel,
        hint: Solution | None,
        amount: float,
        *,
        bound_is_valid: bool,
    ) -> tuple[int, cp_model.CpSolver]:
        """One search for `amount` of the budget. The restricted phase's bound only holds for
        its restricted model, so it is never reported (`bound_is_valid=False`)."""
        if hint is not None:
            model.complete_hint(hint)
        large = len(model.co) > LARGE_OPTIONS
        solver = _make_solver(self.params, self.budget, amount, large=large)
        tracker = _Tracker(self, solver, bound_is_valid)
        if bound_is_valid:
            solver.best_bound_callback = tracker.on_bound
        watcher = _CancelWatcher(solver, self.cancel, tracker.failed)
        watcher.start(always=self.progress is not None)
        self.current_solver = solver
        try:
            status = solver.solve(model.cp, tracker)
        finally:
            self.current_solver = None
            watcher.stop()
        self.budget.charge_search(solver)
        self.cancelled = self.cancelled or watcher.fired
        tracker.raise_if_failed()
        return status, solver


class _Tracker(cp_model.CpSolverSolutionCallback):
    """Records objective and bound over time and forwards them to `progress`."""

    def __init__(self, search: _Search, solver: cp_model.CpSolver, bound_is_valid: bool):
        super().__init__()
        self._search = search
        self._solver = solver
        self._bound_is_valid = bound_is_valid
        self._objective: float | None = None
        self._lock = threading.Lock()
        self._error: BaseException | None = None

    def on_solution_callback(self) -> None:
        with self._lock:
            elapsed = time.perf_counter() - self._search.started
            result = self._search.result
            if result.first_solution_seconds is None:
                result.first_solution_seconds = round(elapsed, 3)
            self._objective = self.objective_value
            bound = self.best_objective_bound if self._bound_is_valid else None
            self._emit(elapsed, self._objective, self._proven(bound))

    def on_bound(self, bound: float) -> None:
        with self._lock:
            elapsed = time.perf_counter() - self._search.started
            self._emit(elapsed, self._objective, self._proven(bound))

    def _proven(self, bound: float | None) -> float | None:
        """The best proven bound: this search's (when it bounds the full problem) or the
        relaxation's, whichever is lower."""
        known = self._search.lagrangian_bound
        if bound is None or (known is not None and known < bound):
            return known
        return bound

    def _emit(self, elapsed: float, objective: float | None, bound: float | None) -> None:
        self._search.result.progress.append((round(elapsed, 3), objective, bound))
        progress = self._search.progress
        if progress is None or self._error is not None:
            return
        try:
            progress(elapsed, objective, bound)
        except Exception as error:  # noqa: BLE001 - re-raised after the search stops
            # An exception must not unwind through CP-SAT's threads: record it; the watcher
            # thread stops the search and `run` re-raises it. (Stopping from inside a callback
            # aborts the process in CP-SAT's interleaved search, and bound callbacks come
            # outside a solution callback, where its own stop_search is not available.)
            self._error = error

    def failed(self) -> bool:
        return self._error is not None

    def raise_if_failed(self) -> None:
        if self._error is not None:
            raise self._error


class _CancelWatcher:
    """Polls `cancel` (and `failed`: a progress callback raised) from its own thread and stops
    the search when either fires."""

    def __init__(
        self,
        solver: cp_model.CpSolver | None,
        cancel: Cancel | None,
        failed: Callable[[], bool] = lambda: False,
    ):
        self._solver = solver
        self._cancel = cancel
        self._failed = failed
        self._stopping = False
        self._done = threading.Event()
        self._thread: threading.Thread | None = None
        self.fired = False

    def _cancelled(self) -> bool:
        if isinstance(self._cancel, threading.Event):
            return self._cancel.is_set()
        return bool(self._cancel and self._cancel())

    def start(self, *, always: bool = False) -> None:
        if self._cancel is None and not always:
            return
        self._thread = threading.Thread(target=self._watch, name="cp-sat-cancel", daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        while not self._done.wait(CANCEL_POLL_SECONDS):
            if not self.fired and self._cancelled():
                self.fired = True
            if self.fired or self._stopping or self._failed():
                # Keep asking until the search ends: a stop requested in the instant before
                # CP-SAT has set up its search could otherwise be lost.
                self._stopping = True
                self._solver.stop_search()

    def stop(self) -> None:
        self._done.set()
        if self._thread is not None:
            self._thread.join()
