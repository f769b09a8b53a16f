"""The jobs process: one active at a time, a standby takes over when it dies.

These tests start real `flask jobs run` processes against the test database.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from pdservice.db import utcnow, write_intent
from pdservice.extensions import db
from pdservice.jobs.models import JobHeartbeat, JobLock

ROOT = Path(__file__).resolve().parent.parent


def start_jobs(database_url: str, log: Path) -> subprocess.Popen:
    env = dict(
        os.environ,
        DATABASE_URL=database_url,
        PDSERVICE_ENV="testing",
        SECRET_KEY="test-secret",
        PDSERVICE_JOBS_HEARTBEAT_SECONDS="1",
        PDSERVICE_JOBS_LOCK_RENEW_SECONDS="1",
        # A live holder renews every second; however busy the machine, it is never an hour
        # late. The test ages a dead holder's lock itself (SQLite) instead of waiting.
        PDSERVICE_JOBS_LOCK_STALE_SECONDS="3600",
        PYTHONUNBUFFERED="1",
    )
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "pdservice", "jobs", "run"],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )


def wait_for(predicate, timeout: float, what: str):
    """Poll until `predicate()` is true. `timeout` only guards against a hang: make it
    generous, and never the thing a test checks."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def lock_holder(app) -> str | None:
    with app.app_context():
        try:
            row = db.session.get(JobLock, "jobs")
            return row.holder if row else None
        finally:
            db.session.remove()


def lock_renewed_at(app):
    with app.app_context():
        try:
            row = db.session.get(JobLock, "jobs")
            return row.heartbeat_at if row else None
        finally:
            db.session.remove()


def heartbeat(app) -> JobHeartbeat | None:
    with app.app_context():
        try:
            row = db.session.get(JobHeartbeat, "heartbeat")
            if row is not None:
                db.session.expunge(row)
            return row
        finally:
            db.session.remove()


@pytest.mark.slow
def test_one_active_process_and_takeover_when_it_dies(app, database_url, tmp_path):
    # Both start at once: one takes the lock, the other waits as its standby.
    processes = [start_jobs(database_url, tmp_path / f"{n}.log") for n in ("a", "b")]
    logs = {p.pid: tmp_path / f"{n}.log" for p, n in zip(processes, ("a", "b"), strict=True)}
    try:
        holder = wait_for(
            lambda: (h := lock_holder(app)) and any(f":{p.pid}:" in h for p in processes) and h,
            120,
            "a process to take the lock",
        )
        first, second = sorted(processes, key=lambda p: f":{p.pid}:" not in holder)
        beat = wait_for(lambda: heartbeat(app), 120, "the first heartbeat")
        assert f":{first.pid}:" in beat.holder
        runs_before = beat.runs
        wait_for(lambda: heartbeat(app).runs > runs_before, 120, "the heartbeat to repeat")

        wait_for(
            lambda: "waits as standby" in logs[second.pid].read_text(),
            120,
            "the second process to wait",
        )
        # While the standby keeps trying, the holder renews its lock twice more.
        for _ in range(2):
            renewed = lock_renewed_at(app)
            wait_for(lambda r=renewed: lock_renewed_at(app) > r, 120, "the holder to renew")
        assert lock_holder(app) == holder, "the standby must not take the lock from a live holder"

        first.send_signal(signal.SIGKILL)
        first.wait(60)
        # The dead holder renews no more: let its lock grow stale (PostgreSQL releases the
        # dead holder's advisory lock at once; the row only records who holds it).
        with app.app_context(), write_intent():
            db.session.execute(
                sa.update(JobLock).values(heartbeat_at=utcnow() - timedelta(hours=2))
            )
            db.session.commit()
            db.session.remove()
        wait_for(
            lambda: f":{second.pid}:" in (lock_holder(app) or ""),
            120,
            "the standby to take over",
        )
        wait_for(
            lambda: f":{second.pid}:" in (heartbeat(app).holder or ""),
            120,
            "the new leader's heartbeat",
        )
        second.send_signal(signal.SIGTERM)
        assert second.wait(120) == 0
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait(60)


def test_failing_job_is_recorded_and_does_not_stop_the_scheduler(app):
    from pdservice.jobs.registry import JobSpec
    from pdservice.jobs.runner import run_job

    def broken():
        raise ValueError("broken on purpose")

    run_job(app, JobSpec("test.broken", broken, "interval", {"seconds": 1}), "tester")
    with app.app_context():
        row = db.session.get(JobHeartbeat, "test.broken")
        assert row.last_ok is False and "broken on purpose" in row.last_error
        assert row.runs == 1


def test_every_registered_job_module_imports(app):
    from pdservice.jobs.runner import load_job_modules

    jobs = load_job_modules()
    assert "heartbeat" in jobs
    for spec in jobs.values():
        spec.resolved_trigger_args(app.config)


def test_admin_home_shows_the_jobs_process(client, world, login, app):
    from pdservice.jobs.registry import JOBS
    from pdservice.jobs.runner import load_job_modules, run_job

    load_job_modules()
    run_job(app, JOBS["heartbeat"], "host:123:abc")
    login(world.admin)
    page = client.get("/home").get_data(as_text=True)
    assert "host:123:abc" in page and "heartbeat" in page


def test_sqlite_row_lock_rules(app):
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("the row lock is SQLite's; PostgreSQL uses an advisory lock")
    from datetime import timedelta

    from pdservice.db import utcnow
    from pdservice.jobs.leader import RowLock

    with app.app_context():
        a, b = RowLock("a", 30), RowLock("b", 30)
        assert a.acquire()
        assert not b.acquire()
        assert a.renew()
        db.session.execute(sa.update(JobLock).values(heartbeat_at=utcnow() - timedelta(minutes=5)))
        db.session.commit()
        assert b.acquire()  # stale: taken over
        assert not a.renew()  # and the old holder learns it lost
        b.release()
        assert db.session.get(JobLock, "jobs") is None
        db.session.remove()


def test_old_login_attempts_are_forgotten(app):
    from datetime import timedelta

    from pdservice.core.models import LoginAttempt
    from pdservice.db import utcnow
    from pdservice.jobs.builtin import forget_old_login_attempts

    with app.app_context():
        db.session.add_all(
            [
                LoginAttempt(email="old@example.org", at=utcnow() - timedelta(days=91)),
                LoginAttempt(email="new@example.org", at=utcnow() - timedelta(days=1)),
            ]
        )
        db.session.commit()
        assert forget_old_login_attempts() == 1
        db.session.commit()
        assert [a.email for a in db.session.scalars(sa.select(LoginAttempt))] == ["new@example.org"]
        db.session.remove()
