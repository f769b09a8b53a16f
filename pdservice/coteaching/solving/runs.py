"""Solve runs as a queue: start, stop, claim, and fail the ones whose worker is gone.

A `SolveRun` row is the queue entry. `start_run` adds a queued row (one active run per unit,
checked here and guarded by a partial unique index); the jobs process claims queued rows with
`claim_queued_runs` and runs each in a child process (`supervisor.py`); `fail_stale_runs`
marks runs whose worker stopped sending heartbeats, or that overran their time limit, as failed
with a reason. Functions flush, never commit, except where a docstring says otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from pdservice.core.models import Unit, User
from pdservice.core.services import audit
from pdservice.coteaching.enums import ACTIVE_RUN_STATUSES, RunStatus
from pdservice.coteaching.models import SolveRun
from pdservice.db import utcnow
from pdservice.extensions import db
from pdservice.timetable.models import Term

#: The optional mail telling teachers a run has proposals for them to answer.
PROPOSALS_READY = "coteaching.proposals_ready"

# Why a run failed: a stable code (translated on the page) and details in `failure_reason`.
FAILURE_INFEASIBLE = "infeasible"
FAILURE_NO_PLAN = "no_plan"
FAILURE_WORKER_DIED = "worker_died"
FAILURE_STALE = "stale_heartbeat"
FAILURE_OVERRAN = "overran"
FAILURE_ERROR = "error"
FAILURE_INVALID = "invalid_input"


class RunConflict(Exception):
    """Another run of the unit is queued or running."""

    def __init__(self, active: SolveRun | None) -> None:
        super().__init__("another run is active")
        self.active = active


class NoTimetable(Exception):
    """The term has no timetable to solve on."""


@dataclass(frozen=True)
class Staleness:
    heartbeat_seconds: float
    overrun_grace_seconds: float


def active_run(unit_id: int) -> SolveRun | None:
    return db.session.scalar(
        sa.select(SolveRun).where(
            SolveRun.unit_id == unit_id, SolveRun.status.in_(ACTIVE_RUN_STATUSES)
        )
    )


def latest_plan_run(term_id: int) -> SolveRun | None:
    """The term's newest run that produced a plan: the one a principal reviews."""
    return db.session.scalar(
        sa.select(SolveRun)
        .where(
            SolveRun.term_id == term_id,
            SolveRun.status.in_((RunStatus.FINISHED, RunStatus.STOPPED)),
        )
        .order_by(SolveRun.id.desc())
        .limit(1)
    )


def is_reviewable(run: SolveRun) -> bool:
    """Only the term's newest plan, made on the timetable as it is now, can be decided on."""
    if not run.status.has_plan or run.timetable_version != run.term.timetable_version:
        return False
    latest = latest_plan_run(run.term_id)
    return latest is not None and latest.id == run.id


def start_run(term: Term, parameters: dict[str, Any], actor: User | None) -> SolveRun:
    """Queue a run for `term`. Raises RunConflict or NoTimetable."""
    if not term.has_timetable:
        raise NoTimetable()
    # Lock the unit row so that two principals starting at once queue one run, not two; the
    # partial unique index catches anything that slips past (and SQLite's write lock).
    db.session.execute(sa.select(Unit.id).where(Unit.id == term.unit_id).with_for_update())
    current = active_run(term.unit_id)
    if current is not None:
        raise RunConflict(current)
    previous = latest_plan_run(term.id)
    run = SolveRun(
        unit_id=term.unit_id,
        term_id=term.id,
        status=RunStatus.QUEUED,
        parameters=parameters,
        timetable_version=term.timetable_version,
        previous_run_id=previous.id if previous is not None else None,
        created_by_id=actor.id if actor is not None else None,
    )
    db.session.add(run)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise RunConflict(active_run(term.unit_id)) from None
    audit(
        "solve_run.started",
        run,
        unit_id=term.unit_id,
        actor=actor,
        changes={"term": term.name, "parameters": parameters},
    )
    return run


def request_stop(run: SolveRun, actor: User | None) -> bool:
    """Ask a run to stop and keep its best plan. A queued run stops at once (without a plan).
    Returns False when the run had already ended."""
    if run.status == RunStatus.QUEUED:
        run.status = RunStatus.STOPPED
        run.finished_at = utcnow()
        run.failure_reason = None
    elif run.status == RunStatus.RUNNING:
        run.stop_requested = True
    else:
        return False
    audit("solve_run.stop_requested", run, unit_id=run.unit_id, actor=actor)
    return True


def claim_queued_runs(limit: int, worker: str) -> list[SolveRun]:
    """Mark up to `limit` queued runs as running, oldest first, and return them.

    PostgreSQL: SELECT ... FOR UPDATE SKIP LOCKED, so concurrent claimers never take the
    same row; SQLite: the caller holds the write lock (`write_intent()`).
    """
    if limit <= 0:
        return []
    query = (
        sa.select(SolveRun)
        .where(SolveRun.status == RunStatus.QUEUED)
        .order_by(SolveRun.created_at, SolveRun.id)
        .limit(limit)
    )
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    runs = list(db.session.scalars(query))
    for run in runs:
        claim_run(run, worker)
    return runs


def claim_run(run: SolveRun, worker: str) -> None:
    """Mark a queued run as running by `worker`, which has until the heartbeat goes stale to
    start the search and report."""
    run.status = RunStatus.RUNNING
    run.worker = worker[:120]
    run.heartbeat_at = utcnow()
    db.session.flush()


def fail_run(run: SolveRun, code: str, reason: str) -> None:
    run.status = RunStatus.FAILED
    run.failure_code = code
    run.failure_reason = reason[:4000]
    run.finished_at = utcnow()
    audit(
        "solve_run.failed",
        run,
        unit_id=run.unit_id,
        changes={"code": code, "reason": reason[:500]},
    )


def staleness() -> Staleness:
    config = current_app.config
    return Staleness(
        heartbeat_seconds=float(config["COTEACH_STALE_SECONDS"]),
        overrun_grace_seconds=float(config["COTEACH_OVERRUN_GRACE_SECONDS"]),
    )


def fail_stale_runs(limits: Staleness | None = None) -> list[SolveRun]:
    """Running runs whose worker went silent, or that overran their time limit: failed."""
    limits = limits or staleness()
    now = utcnow()
    failed = []
    for run in db.session.scalars(sa.select(SolveRun).where(SolveRun.status == RunStatus.RUNNING)):
        silent = now - (run.heartbeat_at or run.created_at)
        if silent > timedelta(seconds=limits.heartbeat_seconds):
            fail_run(
                run,
                FAILURE_STALE,
                f"no heartbeat from worker {run.worker or '?'} for {silent.total_seconds():.0f} s",
            )
            failed.append(run)
            continue
        if run.started_at is not None:
            allowed = run.time_limit_seconds + limits.overrun_grace_seconds
            elapsed = (now - run.started_at).total_seconds()
            if elapsed > allowed:
                fail_run(
                    run,
                    FAILURE_OVERRAN,
                    f"still running after {elapsed:.0f} s; the limit is {allowed:.0f} s",
                )
                failed.append(run)
    db.session.flush()
    return failed


def notify_proposals_ready(run: SolveRun) -> None:
    """Tell each teacher in `run`'s proposals that there are proposals for them to answer
    (an optional mail, once per run and person)."""
    from pdservice.notifications.services import notify, public_url

    partners: dict[int, tuple[User, list[User]]] = {}
    for proposal in run.proposals:
        for me, other in (
            (proposal.teacher_a, proposal.teacher_b),
            (proposal.teacher_b, proposal.teacher_a),
        ):
            partners.setdefault(me.id, (me, []))[1].append(other)
    for user, others in partners.values():
        notify(
            user,
            PROPOSALS_READY,
            "coteaching_proposals_ready",
            {
                "recipient": user,
                "unit": run.unit,
                "term": run.term,
                "partners": sorted({o.name for o in others}),
                "proposals_url": public_url("coteaching.mine"),
            },
            optional=True,
            dedupe_key=f"{PROPOSALS_READY}:{run.id}:{user.id}",
        )
