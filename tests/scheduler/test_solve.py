"""Solving end to end: cancel, progress, re-solve, the greedy baseline, the result's shape."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from dataclasses import replace
from pathlib import Path

import pytest

from scheduler import (
    Assignment,
    Group,
    Parameters,
    Pin,
    RejectedPair,
    Solution,
    Team,
    greedy,
    solve,
    validate,
)
from scheduler import solver as solver_module
from scheduler.meetings import find_team_slots
from scheduler.scoring import analyse
from scheduler.synthetic import generate_school
from tests.scheduler.builders import FAST, lesson, school, specialist, teacher

ROOT = Path(__file__).resolve().parents[2]
TWO = Parameters(time_limit_seconds=1.5, workers=2, seed=0, deterministic=True)


@pytest.fixture(scope="module")
def school20():
    return generate_school(20, seed=1)


def test_cancel_from_another_thread_keeps_the_best_solution():
    problem = generate_school(50, seed=2)
    cancel = threading.Event()
    seen = []

    def progress(seconds, objective, bound):
        seen.append(objective)
        if objective is not None:
            cancel.set()  # as a web request would, from another thread

    result = solve(problem, replace(TWO, time_limit_seconds=60), progress=progress, cancel=cancel)
    assert result.cancelled
    assert result.stats["work_units"] < 60  # stopped early, not at the limit
    assert result.status in ("feasible", "optimal")
    assert result.solution is not None and result.violations == []
    assert result.objective >= max(o for o in seen if o is not None) - 1e-6


def test_cancel_before_the_search_still_returns_a_valid_plan(school20):
    result = solve(school20, TWO, cancel=lambda: True)
    assert result.cancelled
    assert result.solution is not None
    assert validate(school20, result.solution, TWO) == []


def test_progress_reports_time_objective_and_bound(school20):
    calls = []
    result = solve(school20, TWO, progress=lambda *args: calls.append(args))
    assert calls, "no progress reported"
    times = [c[0] for c in calls]
    assert times == sorted(times)
    objectives = [c[1] for c in calls if c[1] is not None]
    assert objectives[-1] == result.objective
    assert any(c[2] is not None for c in calls)


def test_an_error_in_the_progress_callback_surfaces(school20):
    def broken(*args):
        raise RuntimeError("app bug")

    with pytest.raises(RuntimeError, match="app bug"):
        solve(school20, TWO, progress=broken)


def test_greedy_never_beats_cp_sat():
    for seed in range(3):
        problem = generate_school(20, seed=seed)
        result = solve(problem, TWO)
        assert result.greedy_objective is not None
        assert result.objective >= result.greedy_objective
        baseline = greedy(problem, TWO)
        assert validate(problem, baseline, TWO) == []


def test_the_objective_matches_the_independent_score(school20):
    result = solve(school20, TWO)
    assert result.stats["solver_objective"] == result.objective
    assert analyse(school20, TWO, result.solution).total == result.objective


def test_resolve_keeps_pins_respects_rejections_and_changes_little(school20):
    first = solve(school20, TWO)
    pairs = sorted(first.solution.pairs(school20))
    rejected = pairs[0]
    kept_assignments = [
        a
        for a in first.solution.assignments
        if tuple(sorted((school20.lesson(a.lesson).teacher, a.teacher))) != rejected
    ]
    pin = kept_assignments[0]
    edited = replace(
        school20,
        rejected_pairs=(RejectedPair(rejected),),
        pins=(Pin(pin.lesson, pin.teacher),),
    )
    second = solve(edited, TWO, previous=first.solution)
    assert second.violations == []
    assert pin in second.solution.assignments
    assert rejected not in second.solution.pairs(edited)
    # Everything the principal did not touch stays (the stay term outweighs small gains).
    untouched = set(kept_assignments)
    assert len(untouched & set(second.solution.assignments)) >= len(untouched) - 2
    assert second.changes["kept"] >= len(untouched) - 2


def test_large_schools_run_in_two_phases(monkeypatch, school20):
    monkeypatch.setattr(solver_module, "LARGE_OPTIONS", 10)
    result = solve(school20, replace(TWO, time_limit_seconds=5.0))
    assert result.stats["restricted_options"] < result.stats["options"]
    assert result.violations == []
    assert result.source == "cp-sat (restricted)"
    # The restricted searches' bounds are never reported: the bound is the relaxation's,
    # which bounds the full problem.
    assert result.stats["bound_source"] == "lagrangian"
    assert result.bound >= result.objective


def test_result_dict_has_the_documented_fields(pair_school):
    data = solve(pair_school, FAST).to_dict()
    for key in (
        "status",
        "objective",
        "bound",
        "gap",
        "residual",
        "first_solution_seconds",
        "wall_seconds",
        "greedy_objective",
        "coverage",
        "parameters",
        "teachers",
        "lessons",
        "proposals",
        "meetings",
        "unmet_wishes",
        "conflicts",
    ):
        assert key in data
    (proposal,) = data["proposals"]
    assert proposal["teachers"] == ["A", "B"]
    first = proposal["lessons"][0]
    assert (first["lesson"], first["group"], first["slots"]) == ("A1", "2A", ["Mo_1", "Mo_2"])
    assert proposal["terms"] and {"code", "points", "message", "data"} <= set(proposal["terms"][0])
    assert data["coverage"] == {"covered": 2, "staff": 2, "share": 1.0, "teachers": ["A", "B"]}
    assert data["gap"] == 0.0 and data["status"] == "optimal"


def meeting_school():
    """A teaches Mo_1, B Mo_2 and Mo_4: Mo_3 is free for both."""
    return school(
        [teacher("A"), teacher("B"), specialist("C")],
        [
            lesson("LA", "3A", "A", "Mo_1"),
            lesson("LB", "3B", "B", "Mo_2"),
            lesson("LB4", "3B", "B", "Mo_4"),
        ],
        teams=(Team("k", ("A", "B")), Team("big", ("A", "B", "C"), length=2)),
        periods=5,
        groups=[Group("3A", 3), Group("3B", 3)],
    )


def test_find_team_slots_ranks_free_windows_by_new_idle_slots():
    found = find_team_slots(meeting_school(), "k")
    assert found.reason is None
    # Mo_3 leaves A's Mo_2 idle; Mo_5 leaves A's Mo_2..Mo_4 idle.
    assert [o.slots for o in found.options] == [("Mo_3",), ("Mo_5",)]
    assert [o.new_idle_slots for o in found.options] == [1, 3]
    blocked = {w.slots: {b.code for b in w.blockers} for w in found.blocked}
    assert blocked[("Mo_1",)] == {"own_lesson"}


def test_find_team_slots_counts_the_current_plan():
    """With A co-teaching at Mo_4, Mo_2 and Mo_3 are already idle for A: neither Mo_3 nor
    Mo_5 adds a gap any more (equal cost: the later one first), and Mo_4 is blocked by the
    co-teaching."""
    problem = meeting_school()
    found = find_team_slots(problem, "k", Solution((Assignment("LB4", "A"),)))
    assert [(o.slots, o.new_idle_slots) for o in found.options] == [
        (("Mo_5",), 0),
        (("Mo_3",), 0),
    ]
    blocked = {w.slots: {b.code for b in w.blockers} for w in found.blocked}
    assert blocked[("Mo_4",)] == {"own_lesson", "co_teaching"}


def test_find_team_slots_explains_when_no_window_exists():
    problem = meeting_school()
    problem = replace(
        problem,
        teachers=(
            teacher("A", unavailable=frozenset({"Mo_3", "Mo_5"})),
            *problem.teachers[1:],
        ),
    )
    found = find_team_slots(problem, "k")
    assert found.options == ()
    assert found.reason.code == "no_common_free_slot"
    assert found.reason.data["blocking"] == ["A", "B"]
    codes = {b.code for w in found.blocked for b in w.blockers}
    assert codes == {"own_lesson", "unavailable"}
    assert found.to_dict()["reason"]["code"] == "no_common_free_slot"


DETERMINISTIC_SOLVE = """
import json, sys
import scheduler.solver as solver_module
from scheduler import Parameters, generate_school, solve
solver_module.LARGE_OPTIONS = 10  # every phase: restricted search, relaxation, last search
params = Parameters(time_limit_seconds=3.0, workers=2, seed=0, deterministic=True)
result = solve(generate_school(20, seed=0), params)
print(json.dumps({
    "objective": result.objective,
    "bound": result.bound,
    "assignments": sorted([a.lesson, a.teacher] for a in result.solution.assignments),
    "meetings": sorted([m.team, list(m.slots)] for m in result.solution.meetings),
    "relaxation": result.stats["lagrangian"]["iterations"],
    "work_units": result.stats["work_units"],
}))
"""


def test_a_deterministic_solve_gives_the_same_plan_on_any_machine():
    """Work limits, a fixed seed and interleaved workers: two processes (with different
    string hashing, as two machines would have) find the same plan and the same bound, however
    fast each of them ran."""
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", DETERMINISTIC_SOLVE],
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": str(hash_seed), "PYTHONPATH": str(ROOT)},
        )
        for hash_seed in (1, 2)
    ]  # at the same time: each gets a different, varying share of the processor
    runs = [process.communicate()[0] for process in processes]
    assert [process.returncode for process in processes] == [0, 0]
    first, second = (json.loads(out) for out in runs)
    assert first == second
    assert first["assignments"] and first["bound"] >= first["objective"]
    assert first["work_units"] <= 3.0 + 1e-6
