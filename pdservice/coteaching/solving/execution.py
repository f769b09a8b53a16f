"""Running one claimed solve run to its end: the code path of the worker child process and of
`flask coteach solve`.

No database transaction stays open while CP-SAT searches. The run is read in one short
transaction; during the search a monitor thread writes progress points and a heartbeat once
a second in short transactions of its own, and reads the run's stop flag (and whether the
watchdog has given up on the run); the outcome is written in one last transaction.
"""

from __future__ import annotations

import logging
import math
import threading
import traceback
from collections.abc import Callable
from dataclasses import replace
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import Flask

from pdservice.core.services import audit
from pdservice.coteaching.enums import DecisionState, RunStatus
from pdservice.coteaching.models import (
    CoTeachingAssignment,
    MeetingProposal,
    Proposal,
    ProposalLesson,
    SolveProgress,
    SolveRun,
)
from pdservice.coteaching.solving.parameters import run_options, solver_parameters
from pdservice.coteaching.solving.problem import SolverInput, build_input
from pdservice.coteaching.solving.runs import (
    FAILURE_ERROR,
    FAILURE_INFEASIBLE,
    FAILURE_INVALID,
    FAILURE_NO_PLAN,
    fail_run,
    notify_proposals_ready,
)
from pdservice.db import utcnow, write_intent
from pdservice.extensions import db

log = logging.getLogger("pdservice.coteaching")
T = TypeVar("T")

#: Progress points kept per run at most; beyond it only improvements of the plan are kept.
MAX_PROGRESS_POINTS = 400


class RunMonitor:
    """Heartbeats, progress points and the stop flag, between the database and the search."""

    def __init__(self, app: Flask, run_id: int, interval: float) -> None:
        self.app = app
        self.run_id = run_id
        self.interval = interval
        self.cancel = threading.Event()
        self.abandoned = False  # the watchdog failed the run meanwhile: write nothing
        self._points: list[tuple[float, float | None, float | None]] = []
        self._stored = 0
        self._last_objective: float | None = None
        self._lock = threading.Lock()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=f"run-{run_id}", daemon=True)

    def record(self, seconds: float, objective: float | None, bound: float | None) -> None:
        """The solver's progress callback (called from CP-SAT's threads): only remembers."""
        with self._lock:
            self._points.append((seconds, objective, bound))

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._done.set()
        self._thread.join()

    def _loop(self) -> None:
        while not self._done.wait(self.interval):
            self.beat()
        self.beat()

    def _take_points(self) -> list[tuple[float, float | None, float | None]]:
        """The points worth keeping: every change of the plan's objective, and the latest."""
        with self._lock:
            points, self._points = self._points, []
        kept = []
        for index, point in enumerate(points):
            improved = point[1] != self._last_objective
            latest = index == len(points) - 1
            if improved or (latest and self._stored < MAX_PROGRESS_POINTS):
                kept.append(point)
                self._last_objective = point[1]
                self._stored += 1
        return kept

    def beat(self) -> None:
        points = self._take_points()
        try:
            with self.app.app_context(), write_intent():
                run = db.session.get(SolveRun, self.run_id)
                if run is None or run.status != RunStatus.RUNNING:
                    self.abandoned = True
                    self.cancel.set()
                    return
                run.heartbeat_at = utcnow()
                if run.stop_requested:
                    self.cancel.set()
                db.session.add_all(
                    SolveProgress(
                        run_id=self.run_id,
                        seconds=round(seconds, 3),
                        objective=_finite(objective),
                        bound=_finite(bound),
                    )
                    for seconds, objective, bound in points
                )
                db.session.commit()
        except Exception:  # a busy database must not stop the search; the watchdog decides
            log.exception("run %s: could not record progress", self.run_id)
        finally:
            try:
                with self.app.app_context():
                    db.session.remove()
            except Exception:  # pragma: no cover - closing is best effort
                pass


def execute_run(app: Flask, run_id: int, worker: str) -> Any | None:
    """Solve a run that has been claimed (status running) and store its outcome.

    Returns the solver's `Result`, or None when the run was not runnable, failed before the
    search, or was given up by the watchdog meanwhile.
    """

    def prepare(run: SolveRun) -> tuple[Any, SolverInput]:
        run.started_at = run.heartbeat_at = utcnow()
        run.worker = worker[:120]
        previous = db.session.get(SolveRun, run.previous_run_id) if run.previous_run_id else None
        if previous is not None and previous.timetable_version != run.timetable_version:
            previous = None
        params = solver_parameters(run.parameters)
        if app.config["COTEACH_DETERMINISTIC_SOLVES"]:
            params = replace(params, deterministic=True)
        return params, build_input(run.term, run_options(run.parameters), previous)

    prepared = _while_running(app, run_id, prepare)
    if prepared is None:
        return None
    params, inp = prepared

    from scheduler import solve

    monitor = RunMonitor(app, run_id, float(app.config["COTEACH_HEARTBEAT_SECONDS"]))
    monitor.start()
    log.info("run %s: solving %s", run_id, inp.problem.name)
    try:
        result = solve(
            inp.problem,
            params,
            progress=monitor.record,
            cancel=monitor.cancel,
            previous=inp.previous,
        )
    except Exception as exc:
        monitor.stop()
        _fail(app, run_id, exc)
        return None
    monitor.stop()
    if monitor.abandoned:
        log.warning("run %s: given up by the watchdog; the outcome is not stored", run_id)
        return None
    if not _while_running(app, run_id, lambda run: store_outcome(run, inp, result) or True):
        return None
    log.info("run %s: %s, objective %s", run_id, result.status, result.objective)
    return result


def _while_running(app: Flask, run_id: int, work: Callable[[SolveRun], T]) -> T | None:
    """`work(run)` in one short transaction of its own, if the run is still running.

    None when it is not (any more), or when `work` failed: the run is then failed with the
    reason."""
    with app.app_context():
        try:
            with write_intent():
                run = db.session.get(SolveRun, run_id)
                if run is None or run.status != RunStatus.RUNNING:
                    return None
                value = work(run)
                db.session.commit()
                return value
        except Exception as exc:
            db.session.rollback()
            _fail(app, run_id, exc)
            return None
        finally:
            db.session.remove()


def _fail(app: Flask, run_id: int, exc: BaseException) -> None:
    from scheduler import ProblemError

    if isinstance(exc, ProblemError):
        code, reason = FAILURE_INVALID, str(exc)
    else:
        code = FAILURE_ERROR
        reason = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        log.error("run %s failed:\n%s", run_id, traceback.format_exc())
    with app.app_context():
        try:
            with write_intent():
                run = db.session.get(SolveRun, run_id)
                if run is not None and run.status == RunStatus.RUNNING:
                    fail_run(run, code, reason)
                    db.session.commit()
        finally:
            db.session.remove()


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


def store_outcome(run: SolveRun, inp: SolverInput, result: Any) -> None:
    """Write the figures, proposals and explanations of a finished search to `run`."""
    run.wall_seconds = round(result.wall_seconds, 3)
    run.first_solution_seconds = result.first_solution_seconds
    run.greedy_objective = result.greedy_objective
    run.finished_at = utcnow()
    outcome: dict[str, Any] = {
        "source": result.source,
        "status": result.status,
        "stats": result.stats,
        "notes": list(inp.problem.notes),
        "subject_limits": sorted([lesson, teacher] for lesson, teacher in inp.subject_limits),
        "skipped_teams": inp.skipped_teams,
        "unmet_wishes": [w.to_dict() for w in result.unmet_wishes],
        "conflicts": [c.to_dict() for c in result.conflicts],
        "violations": [v.to_dict() for v in result.violations],
    }
    if result.status == "infeasible":
        run.result = outcome
        fail_run(
            run,
            FAILURE_INFEASIBLE,
            "; ".join(c.message for c in result.conflicts) or "no smaller explanation was found",
        )
        return
    if result.solution is None:
        run.result = outcome
        fail_run(run, FAILURE_NO_PLAN, f"the search ended with status {result.status}")
        return
    run.status = RunStatus.STOPPED if result.cancelled else RunStatus.FINISHED
    run.objective = result.objective
    # A bound below the plan's score proves nothing (CP-SAT reports 0 when it found no plan
    # of its own in time and the baseline plan is used): keep none rather than a wrong one.
    bound = _finite(result.bound)
    run.bound = bound if bound is not None and bound >= result.objective else None
    run.gap = result.gap if result.gap is not None and result.gap >= 0 else None
    run.covered = result.coverage["covered"]
    run.staff = result.coverage["staff"]
    outcome["score"] = result.score.to_dict() if result.score else None
    outcome["changes"] = result.changes
    _store_proposals(run, inp, result)
    outcome["released"] = release_dropped_decisions(run, inp, result.solution)
    run.result = outcome
    db.session.add(
        SolveProgress(
            run_id=run.id,
            seconds=round(result.wall_seconds, 3),
            objective=result.objective,
            bound=run.bound,
        )
    )
    db.session.flush()
    audit(
        "solve_run.finished",
        run,
        unit_id=run.unit_id,
        changes={
            "status": run.status,
            "objective": run.objective,
            "bound": run.bound,
            "proposals": run.proposal_count,
            "meetings": run.meeting_count,
        },
    )
    notify_proposals_ready(run)


def _store_proposals(run: SolveRun, inp: SolverInput, result: Any) -> None:
    for rank, proposal in enumerate(result.proposals, start=1):
        a, b = proposal.teachers
        row = Proposal(
            run_id=run.id,
            rank=rank,
            teacher_a_id=inp.user_ids[a],
            teacher_b_id=inp.user_ids[b],
            hours=proposal.hours,
            points=round(proposal.points, 3),
            terms=[_term(t) for t in proposal.terms],
        )
        row.lessons = [
            ProposalLesson(
                lesson_id=inp.lesson_ids[item.lesson], coteacher_id=inp.user_ids[item.coteacher]
            )
            for item in proposal.lessons
        ]
        db.session.add(row)
    for meeting in result.meetings:
        db.session.add(
            MeetingProposal(
                run_id=run.id,
                team_id=inp.team_ids[meeting.team],
                start_slot_id=inp.slot_ids[meeting.slots[0]],
                length=len(meeting.slots),
                terms=[_term(t) for t in meeting.terms],
            )
        )
    run.proposal_count = len(result.proposals)
    run.meeting_count = len(result.meetings)
    db.session.flush()


def _term(term: Any) -> dict[str, Any]:
    data = term.to_dict()
    data.pop("message", None)  # the app words explanations itself, in the reader's language
    return data


def release_dropped_decisions(run: SolveRun, inp: SolverInput, solution: Any) -> int:
    """Accepted (not pinned) co-teaching that the new plan no longer contains is released:
    deleted, or, when it is published, left in the timetable until the next publish."""
    planned = {(inp.lesson_ids[a.lesson], inp.user_ids[a.teacher]) for a in solution.assignments}
    released = 0
    for decision in db.session.scalars(
        sa.select(CoTeachingAssignment).where(
            CoTeachingAssignment.term_id == run.term_id,
            CoTeachingAssignment.state == DecisionState.ACCEPTED,
            CoTeachingAssignment.pinned.is_(False),
        )
    ):
        if (decision.lesson_id, decision.coteacher_id) in planned:
            continue
        released += 1
        if decision.published:
            decision.state = DecisionState.OPEN
            decision.run_id = run.id
        else:
            db.session.delete(decision)
    db.session.flush()
    return released
