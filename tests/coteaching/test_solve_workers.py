"""Solve workers on several machines: every jobs process claims queued runs (`FOR UPDATE SKIP
LOCKED` on PostgreSQL), while the scheduled jobs stay with the one active process."""

from __future__ import annotations

import re
import signal

import pytest
import sqlalchemy as sa

from pdservice.core.enums import Profession
from pdservice.coteaching.enums import RunStatus
from pdservice.coteaching.models import SolveRun
from pdservice.coteaching.solving.parameters import default_parameters
from pdservice.coteaching.solving.runs import start_run
from pdservice.extensions import db
from pdservice.jobs.models import JobHeartbeat
from pdservice.timetable.models import Term
from tests.test_jobs import lock_holder, start_jobs, wait_for
from tests.timetable.factories import TINY_CSV, import_csv

pytestmark = pytest.mark.slow
SCHOOLS = 5


def queued_schools(app, make_unit, make_user) -> list[int]:
    """SCHOOLS units with the tiny week each and a queued run each (one run per unit at a
    time is the rule, so the runs can only be taken in parallel by different workers)."""
    run_ids = []
    for number in range(SCHOOLS):
        unit = make_unit(f"worker-school-{number}")
        csv = TINY_CSV
        for role, profession in (
            ("teacher.a", Profession.CLASS_TEACHER),
            ("bea.class", Profession.CLASS_TEACHER),
            ("sam.special", Profession.SPECIAL_NEEDS_TEACHER),
        ):
            email = f"{role}.{number}@example.org"
            make_user(units=[unit], email=email, profession=profession)
            csv = csv.replace(f"{role}@example.org", email)
        outcome, term_id = import_csv(app, unit.code, "Autumn", csv)
        assert outcome.ok, outcome.parsed.errors
        with app.app_context():
            run = start_run(db.session.get(Term, term_id), default_parameters(2), None)
            db.session.commit()
            run_ids.append(run.id)
            db.session.remove()
    return run_ids


def runs(app, run_ids) -> list[SolveRun]:
    with app.app_context():
        rows = list(db.session.scalars(sa.select(SolveRun).where(SolveRun.id.in_(run_ids))))
        for row in rows:
            db.session.expunge(row)
        db.session.remove()
        return rows


def test_two_jobs_processes_share_the_queue_and_one_runs_the_scheduled_jobs(
    app, database_url, tmp_path, make_unit, make_user
):
    if not database_url.startswith("postgresql"):
        pytest.skip("several machines share one PostgreSQL database")
    run_ids = queued_schools(app, make_unit, make_user)
    environment = {
        "PDSERVICE_COTEACH_MAX_PARALLEL_RUNS": "1",  # one child each: both must take runs
        "PDSERVICE_COTEACH_POLL_SECONDS": "1",
        "PDSERVICE_COTEACH_DETERMINISTIC_SOLVES": "1",
    }
    logs = [tmp_path / "first.log", tmp_path / "second.log"]
    processes = []
    try:
        for log in logs:
            processes.append(start_jobs(database_url, log, **environment))

        def all_finished():
            rows = runs(app, run_ids)
            return rows if all(r.status == RunStatus.FINISHED for r in rows) else None

        finished = wait_for(all_finished, 300, "every run to finish")
        holder = lock_holder(app)
        leaders = [p for p in processes if f":{p.pid}:" in (holder or "")]
        assert len(leaders) == 1, "exactly one process holds the leader lock"
        # Each process logged the runs it claimed and started: both took some, none twice.
        claimed = [
            set(map(int, re.findall(r"run (\d+): worker process \d+ started", log.read_text())))
            for log in logs
        ]
        assert claimed[0] and claimed[1], claimed
        assert claimed[0].isdisjoint(claimed[1])
        assert claimed[0] | claimed[1] == set(run_ids)
        assert all(run.objective is not None for run in finished)
        # The scheduled jobs (the watchdog among them) run in the leader only.
        follower = logs[1 - processes.index(leaders[0])].read_text()
        assert "waits as standby" in follower
        with app.app_context():
            watchdog = db.session.get(JobHeartbeat, "coteaching.watch_solve_runs")
            assert watchdog is not None and watchdog.holder == holder
            db.session.remove()
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(20)
            except Exception:  # noqa: BLE001 - a hung process is killed, not waited for
                process.kill()
                process.wait(10)
