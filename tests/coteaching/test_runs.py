"""Solve runs: queued, running (in a child process of the jobs process), finished, stopped,
failed (infeasible, a killed worker, a silent one, an overrun), one at a time per unit."""

from __future__ import annotations

import json
import os
import random
import signal
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from pdservice.core.enums import Profession
from pdservice.coteaching.enums import DecisionState, RunStatus
from pdservice.coteaching.models import (
    CoTeachingAssignment,
    CoTeachingPreference,
    SolveProgress,
    SolveRun,
)
from pdservice.coteaching.solving import supervisor
from pdservice.coteaching.solving.parameters import default_parameters
from pdservice.coteaching.solving.runs import request_stop, start_run
from pdservice.db import utcnow, write_intent
from pdservice.extensions import db
from pdservice.timetable.models import Term
from tests.test_jobs import wait_for
from tests.timetable.factories import lesson_id

pytestmark = pytest.mark.slow


def run_row(app, run_id) -> SolveRun:
    with app.app_context():
        run = db.session.get(SolveRun, run_id)
        db.session.expunge(run)
        db.session.remove()
        return run


def progress_count(app, run_id) -> int:
    with app.app_context():
        count = db.session.scalar(
            sa.select(sa.func.count(SolveProgress.id)).where(SolveProgress.run_id == run_id)
        )
        db.session.remove()
        return count


def queue(app, term_id, time_limit=2.0, actor_id=None) -> int:
    with app.app_context():
        term = db.session.get(Term, term_id)
        run = start_run(term, default_parameters(time_limit), None)
        db.session.commit()
        run_id = run.id
        db.session.remove()
        return run_id


def dispatch(app) -> list[int]:
    """One tick of the jobs process, in this test process."""
    with app.app_context():
        try:
            return supervisor.dispatch(app)
        finally:
            db.session.remove()


@pytest.fixture(autouse=True)
def _no_orphan_workers():
    yield
    for run_id in list(supervisor._children):
        supervisor.stop_child(run_id)


@pytest.fixture
def big_school(app, make_unit, make_user):
    """A school of real size (24 teachers, about 450 lessons): its solve takes its time."""
    from pdservice.timetable.generate import StaffMember, generate_timetable
    from pdservice.timetable.replace import replace_timetable
    from pdservice.timetable.services import create_term

    unit = make_unit("big-school")
    staff = []
    for profession, count in (
        (Profession.CLASS_TEACHER, 12),
        (Profession.SUBJECT_TEACHER, 8),
        (Profession.SPECIAL_NEEDS_TEACHER, 3),
        (Profession.SPECIAL_CLASS_TEACHER, 1),
    ):
        for _ in range(count):
            staff.append(make_user(units=[unit], profession=profession))
    with app.app_context():
        from pdservice.core.models import Unit

        term = create_term(db.session.get(Unit, unit.id), "Big autumn")
        data = generate_timetable(
            [StaffMember(u.id, u.profession) for u in staff],
            upper_secondary=False,
            language=unit.language,
            rng=random.Random(7),
        )
        replace_timetable(term, data, source="test")
        db.session.commit()
        term_id = term.id
        db.session.remove()
    return term_id


def test_a_run_is_queued_then_solved_by_a_child_of_the_jobs_process(app, school):
    run_id = queue(app, school.term_id)
    assert run_row(app, run_id).status == RunStatus.QUEUED
    assert dispatch(app) == [run_id]
    running = run_row(app, run_id)
    assert running.status in (RunStatus.RUNNING, RunStatus.FINISHED)
    child = supervisor.child_pid(run_id)
    assert child is not None and child != os.getpid()
    run = wait_for(
        lambda: (r := run_row(app, run_id)).status == RunStatus.FINISHED and r, 60, "the run"
    )
    assert run.worker.endswith(f":{child}")
    assert run.objective is not None and run.proposal_count >= 1
    assert run.started_at <= run.finished_at and run.wall_seconds is not None
    assert progress_count(app, run_id) >= 1
    supervisor._children[run_id].wait(10)
    dispatch(app)  # the next tick forgets the child that ended normally
    assert supervisor.child_pid(run_id) is None
    assert run_row(app, run_id).status == RunStatus.FINISHED


def test_stop_keeps_the_best_plan(app, big_school):
    run_id = queue(app, big_school, time_limit=120)
    dispatch(app)
    wait_for(lambda: progress_count(app, run_id) > 0, 60, "the first progress point")
    # Read-then-write outside a request takes SQLite's write lock up front, as the jobs
    # process does: upgrading a read transaction while the worker writes fails at once.
    with app.app_context(), write_intent():
        assert request_stop(db.session.get(SolveRun, run_id), None)
        db.session.commit()
        db.session.remove()
    run = wait_for(
        lambda: (r := run_row(app, run_id)).status != RunStatus.RUNNING and r, 60, "the stop"
    )
    assert run.status == RunStatus.STOPPED, run.failure_reason
    assert run.objective is not None and run.proposal_count > 0
    assert run.wall_seconds < 60


def test_a_queued_run_stops_at_once_without_a_plan(app, school, client, login):
    run_id = queue(app, school.term_id)
    login(school.principal)
    response = client.post(f"/coteaching/runs/{run_id}/stop")
    assert response.status_code == 302
    run = run_row(app, run_id)
    assert run.status == RunStatus.STOPPED and run.objective is None
    assert dispatch(app) == []  # nothing left to start
    assert client.post(f"/coteaching/runs/{run_id}/stop").status_code == 409


def test_a_killed_worker_fails_the_run_with_a_reason(app, big_school):
    run_id = queue(app, big_school, time_limit=120)
    dispatch(app)
    wait_for(lambda: run_row(app, run_id).started_at is not None, 60, "the search to start")
    os.kill(supervisor.child_pid(run_id), signal.SIGKILL)
    wait_for(lambda: supervisor._children[run_id].poll() is not None, 10, "the worker to die")
    dispatch(app)
    run = run_row(app, run_id)
    assert run.status == RunStatus.FAILED
    assert run.failure_code == "worker_died"
    assert "exit code -9" in run.failure_reason


def test_a_silent_worker_fails_the_run(app, school):
    """A worker that stopped writing heartbeats (its machine died, say) is given up."""
    run_id = queue(app, school.term_id)
    with app.app_context():
        run = db.session.get(SolveRun, run_id)
        run.status = RunStatus.RUNNING
        run.worker = "elsewhere:1"
        run.heartbeat_at = utcnow() - timedelta(minutes=5)
        db.session.commit()
        db.session.remove()
    dispatch(app)
    run = run_row(app, run_id)
    assert run.status == RunStatus.FAILED and run.failure_code == "stale_heartbeat"
    assert "no heartbeat from worker elsewhere:1" in run.failure_reason


def test_an_overrunning_run_fails(app, school):
    run_id = queue(app, school.term_id, time_limit=1)
    with app.app_context():
        run = db.session.get(SolveRun, run_id)
        run.status = RunStatus.RUNNING
        run.started_at = utcnow() - timedelta(minutes=30)
        run.heartbeat_at = utcnow()
        db.session.commit()
        db.session.remove()
    dispatch(app)
    run = run_row(app, run_id)
    assert run.status == RunStatus.FAILED and run.failure_code == "overran"


def test_a_worker_given_up_does_not_write_its_outcome(app, school, solve_now):
    """The watchdog failed the run while it searched: the late outcome is thrown away."""
    from pdservice.coteaching.solving.execution import execute_run
    from pdservice.coteaching.solving.runs import claim_run, fail_run

    run_id = queue(app, school.term_id)
    with app.app_context():
        run = db.session.get(SolveRun, run_id)
        claim_run(run, "test")
        fail_run(run, "stale_heartbeat", "given up")
        db.session.commit()
        db.session.remove()
    assert execute_run(app, run_id, "test") is None
    assert run_row(app, run_id).proposal_count == 0


def test_an_infeasible_pin_fails_the_run_and_names_the_conflict(app, school, client, login):
    with app.app_context():
        db.session.add(
            CoTeachingPreference(term_id=school.term_id, user_id=school.sam.id, max_lessons=1)
        )
        for code in ("3A-MA-Mo1", "3A-MA-Tu1"):
            db.session.add(
                CoTeachingAssignment(
                    term_id=school.term_id,
                    lesson_id=lesson_id(app, school.term_id, code),
                    coteacher_id=school.sam.id,
                    state=DecisionState.ACCEPTED,
                    pinned=True,
                )
            )
        db.session.commit()
        db.session.remove()
    # The explanation search gets what is left of the time limit: enough even on a busy
    # machine to shrink the conflict to its smallest set.
    run_id = queue(app, school.term_id, time_limit=10)
    dispatch(app)
    run = wait_for(
        lambda: (r := run_row(app, run_id)).status == RunStatus.FAILED and r, 60, "the failure"
    )
    assert run.failure_code == "infeasible"
    codes = sorted(c["code"] for c in run.result["conflicts"])
    # One pin is already enough: a pair shares at least 2 lessons a week, which Sam's
    # capacity of 1 cannot hold; the smallest conflicting set names capacity and one pin.
    assert codes == ["capacity", "pinned"]
    login(school.principal)
    page = client.get(f"/coteaching/runs/{run_id}").get_data(as_text=True)
    assert "The requirements cannot all hold at once" in page
    assert "Sam Special can co-teach at most 1 hours a week." in page
    assert "Sam Special is pinned to co-teach 3A MA" in page


def test_one_run_per_unit_at_a_time(app, school, client, login, runner):
    first = queue(app, school.term_id)
    login(school.principal)
    response = client.post(
        f"/coteaching/terms/{school.term_id}/runs/new",
        data={
            "time_limit_seconds": 2,
            "min_lessons": 2,
            "max_partners": 2,
            "max_coteachers": 1,
            "default_capacity": 4,
            "specialist_capacity": 8,
            **{f"weight_{k}": 1 for k in ("support_need", "complementarity", "wish")},
            **{f"weight_{k}": 1 for k in ("continuity", "coverage", "fairness")},
            **{f"weight_{k}": 1 for k in ("compact_days", "stay")},
        },
    )
    assert response.status_code == 409
    assert f"(number {first})" in response.get_data(as_text=True)
    result = runner.invoke(
        args=["coteach", "solve", "--unit", school.unit.code, "--term", "Autumn 2025"]
    )
    assert result.exit_code == 1 and f"Run {first} of school-a is still queued" in result.output
    with app.app_context():
        db.session.add(
            SolveRun(unit_id=school.unit.id, term_id=school.term_id, status=RunStatus.RUNNING)
        )
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count(SolveRun.id))) == 1


def test_runs_of_another_unit_are_not_found(app, school, client, login, world):
    run_id = queue(app, school.term_id)
    login(world.principal_b)
    assert client.get(f"/coteaching/runs/{run_id}").status_code == 404
    assert client.post(f"/coteaching/runs/{run_id}/stop").status_code == 404
    assert run_row(app, run_id).status == RunStatus.QUEUED


def test_cli_solve_runs_to_the_end_and_prints_the_figures(app, school, runner):
    result = runner.invoke(
        args=[
            "coteach",
            "solve",
            "--unit",
            school.unit.code,
            "--term",
            "Autumn 2025",
            "--time-limit",
            "2",
            "--json",
        ]
    )
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    keys = {"status", "objective", "bound", "gap", "wall_seconds", "coverage"}
    assert keys | {"proposals", "meetings"} <= set(figures)
    assert figures["status"] in ("optimal", "feasible")
    assert figures["coverage"]["covered"] >= 2
    assert figures["proposals"][0]["lessons"][0]["coteacher"].endswith("@example.org")
    assert figures["run"]["status"] == "finished"
    text = runner.invoke(
        args=["coteach", "solve", "--unit", school.unit.code, "--term", "Autumn 2025"]
    )
    assert text.exit_code == 0 and "finished" in text.output and "objective" in text.output


def test_the_run_page_polls_status_and_progress(app, school, client, login, solve_now):
    run_id, _ = solve_now(school.term_id, school.principal.id)
    login(school.principal)
    data = client.get(f"/coteaching/runs/{run_id}/status.json").json
    assert data["status"] == "finished" and not data["active"]
    assert data["progress"] and data["review_url"].endswith("/review")
    assert "<svg" in data["chart"]
    page = client.get(f"/coteaching/runs/{run_id}").get_data(as_text=True)
    assert 'http-equiv="refresh"' not in page  # only while the run is active
    queued = queue(app, school.term_id)
    active = client.get(f"/coteaching/runs/{queued}").get_data(as_text=True)
    assert '<noscript><meta http-equiv="refresh"' in active
    assert f'data-run-status="/coteaching/runs/{queued}/status.json"' in active
