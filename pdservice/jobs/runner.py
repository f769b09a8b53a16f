"""`flask jobs run`: wait for the leader lock, then run the scheduled jobs until stopped.

Jobs declared with `every_process=True` (claiming solve runs) run from the start in every
jobs process, leader or standby."""

from __future__ import annotations

import importlib
import logging
import signal
import threading
import traceback
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask

from pdservice.clock import HELSINKI
from pdservice.db import utcnow, write_intent
from pdservice.extensions import db
from pdservice.jobs.leader import LeaderLock, make_lock
from pdservice.jobs.models import JobHeartbeat
from pdservice.jobs.registry import JOB_MODULES, JOBS, JobSpec

log = logging.getLogger("pdservice.jobs")


def load_job_modules() -> dict[str, JobSpec]:
    for module in JOB_MODULES:
        importlib.import_module(module)
    return JOBS


def run_job(app: Flask, spec: JobSpec, holder: str) -> None:
    """Run one job in its own app context and transaction, and record how it went."""
    with app.app_context(), write_intent():
        error: str | None = None
        try:
            spec.func()
            db.session.commit()
        except Exception:  # a failing job must not stop the scheduler
            db.session.rollback()
            error = traceback.format_exc(limit=8)
            log.exception("job %s failed", spec.id)
        try:
            row = db.session.get(JobHeartbeat, spec.id)
            if row is None:
                row = JobHeartbeat(job_id=spec.id, holder=holder, runs=0)
                db.session.add(row)
            row.holder = holder
            row.last_run_at = utcnow()
            row.last_ok = error is None
            row.last_error = error
            row.runs = (row.runs or 0) + 1
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception("could not record the heartbeat of job %s", spec.id)
        finally:
            db.session.remove()


def build_scheduler(app: Flask, holder: str, *, every_process: bool = False) -> BackgroundScheduler:
    """The leader's scheduler, or (`every_process`) the one of the jobs every process runs."""
    scheduler = BackgroundScheduler(
        timezone=HELSINKI,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300},
        executors={"default": {"type": "threadpool", "max_workers": 4}},
    )
    for spec in load_job_modules().values():
        if spec.every_process != every_process:
            continue
        scheduler.add_job(
            run_job,
            spec.trigger,
            args=(app, spec, holder),
            id=spec.id,
            name=spec.id,
            next_run_time=utcnow() if spec.trigger == "interval" else None,
            **spec.resolved_trigger_args(app.config),
        )
    return scheduler


class JobsProcess:
    """Leader election plus the scheduler; `stop()` may be called from a signal handler."""

    def __init__(self, app: Flask, *, poll_seconds: float | None = None) -> None:
        self.app = app
        self.renew_seconds = app.config["JOBS_LOCK_RENEW_SECONDS"]
        self.poll_seconds = poll_seconds or self.renew_seconds
        self._stop = threading.Event()

    def stop(self, *_: Any) -> None:
        self._stop.set()

    def run(self) -> None:
        with self.app.app_context():
            lock = make_lock(self.app.config["JOBS_LOCK_STALE_SECONDS"])
        # The jobs of every process start beside the race for the lock, not before it: a
        # leader must not wait for them.
        everywhere: list[BackgroundScheduler] = []
        starter = threading.Thread(
            target=lambda: everywhere.append(self._start_everywhere(lock.holder)),
            name="jobs-everywhere",
            daemon=True,
        )
        starter.start()
        try:
            while not self._stop.is_set():
                if not self._wait_for_lock(lock):
                    break
                self._lead(lock)
        finally:
            starter.join()
            for scheduler in everywhere:
                scheduler.shutdown(wait=True)

    def _start_everywhere(self, holder: str) -> BackgroundScheduler:
        scheduler = build_scheduler(self.app, holder, every_process=True)
        scheduler.start()
        return scheduler

    def _wait_for_lock(self, lock: LeaderLock) -> bool:
        announced = False
        while not self._stop.is_set():
            with self.app.app_context(), write_intent():
                try:
                    if lock.acquire():
                        log.info("jobs process %s is now active", lock.holder)
                        return True
                except Exception:
                    db.session.rollback()
                    log.exception("could not try the jobs lock")
                finally:
                    db.session.remove()
            if not announced:
                log.info("another jobs process is active; %s waits as standby", lock.holder)
                announced = True
            self._stop.wait(self.poll_seconds)
        return False

    def _lead(self, lock: LeaderLock) -> None:
        scheduler = build_scheduler(self.app, lock.holder)
        scheduler.start()
        try:
            while not self._stop.wait(self.renew_seconds):
                with self.app.app_context(), write_intent():
                    try:
                        still_leader = lock.renew()
                    except Exception:
                        db.session.rollback()
                        log.exception("could not renew the jobs lock")
                        still_leader = False
                    finally:
                        db.session.remove()
                if not still_leader:
                    log.warning("jobs process %s lost the lock; back to standby", lock.holder)
                    return
        finally:
            scheduler.shutdown(wait=True)
            if self._stop.is_set():
                with self.app.app_context(), write_intent():
                    try:
                        lock.release()
                    except Exception:
                        log.exception("could not release the jobs lock")
                    finally:
                        db.session.remove()


def run_forever(app: Flask) -> None:
    process = JobsProcess(app)
    signal.signal(signal.SIGTERM, process.stop)
    signal.signal(signal.SIGINT, process.stop)
    process.run()
