"""How much search a solve has left: seconds on the wall clock, or units of work.

Users give a time limit and expect the answer within it, so by default every phase of a solve
shares `Parameters.time_limit_seconds` of wall-clock time. With `Parameters.deterministic`
the same number is spent in *work*: CP-SAT's deterministic time (its own measure of work done,
about a second of one core on a quiet machine) and a fixed number of iterations of the
Lagrangian relaxation per unit. Then nothing depends on how fast the machine is or how busy:
the same request gives the same plan every time (the tests rely on it).
"""

from __future__ import annotations

import math
import time

from ortools.sat.python import cp_model

from .parameters import Parameters

#: Relaxation iterations per unit of work in deterministic mode: an iteration takes about
#: 10 ms at 100-200 teachers on one quiet core (lagrange.py), so a unit is about a second there.
RELAXATION_ITERATIONS_PER_UNIT = 100
#: Shortest CP-SAT search ever started (seconds or work units).
MIN_SEARCH = 0.05


class Budget:
    """The limit of one solve and what is left of it; every phase asks it how long it may run
    and tells it what it used."""

    def __init__(self, params: Parameters, started: float | None = None):
        self.limit = float(params.time_limit_seconds)
        self.deterministic = params.deterministic
        self.workers = params.workers
        self.started = time.perf_counter() if started is None else started
        self.work = 0.0  # work units spent (deterministic mode)

    def elapsed(self) -> float:
        """Wall-clock seconds since the solve started (reported in either mode)."""
        return time.perf_counter() - self.started

    def used(self) -> float:
        return self.work if self.deterministic else self.elapsed()

    def remaining(self) -> float:
        return self.limit - self.used()

    def share(self, fraction: float, most: float = math.inf) -> float:
        """`fraction` of the whole limit, at most `most` (seconds or units) and at most what
        is left."""
        return max(0.0, min(fraction * self.limit, most, self.remaining()))

    # --- CP-SAT --------------------------------------------------------------------------
    def limit_search(self, solver: cp_model.CpSolver, amount: float) -> None:
        """Let one CP-SAT search run for `amount` seconds, or work units."""
        amount = max(MIN_SEARCH, amount)
        if self.deterministic:
            solver.parameters.max_deterministic_time = amount
            if self.workers != 1:
                # Parallel workers race each other; interleaved, they take turns in fixed
                # batches and the search is deterministic for any number of workers.
                solver.parameters.interleave_search = True
        else:
            solver.parameters.max_time_in_seconds = amount

    def charge_search(self, solver: cp_model.CpSolver) -> None:
        """Count the work a finished CP-SAT search did (its deterministic time)."""
        if self.deterministic:
            self.work += solver.response_proto.deterministic_time

    # --- the relaxation ------------------------------------------------------------------
    def relaxation_limits(self, amount: float) -> tuple[float, int]:
        """(seconds, iterations) for `amount` of the budget: a wall-clock limit, or a
        number of iterations and no wall-clock limit."""
        if self.deterministic:
            return math.inf, max(1, int(amount * RELAXATION_ITERATIONS_PER_UNIT))
        return amount, 10**9

    def charge_relaxation(self, iterations: int) -> None:
        if self.deterministic:
            self.work += iterations / RELAXATION_ITERATIONS_PER_UNIT
