"""The jobs process's side of solve runs: claim queued runs, start a child process for each,
notice children that died, and fail runs whose worker went silent or overran.

A run's search never runs in the jobs process itself (nor in a web worker): each claimed run
gets its own child, `python -m pdservice.coteaching.solving.worker RUN_ID`, in a session of its own,
so neither a slow search nor a signal to the jobs process disturbs the other.
"""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
from pathlib import Path

from flask import Flask

from pdservice.coteaching.enums import RunStatus
from pdservice.coteaching.models import SolveRun
from pdservice.coteaching.solving.runs import (
    FAILURE_WORKER_DIED,
    claim_queued_runs,
    fail_run,
    fail_stale_runs,
)
from pdservice.extensions import db

log = logging.getLogger("pdservice.coteaching")
PROJECT_ROOT = Path(__file__).resolve().parents[3]

# run id -> the child process solving it (only children of this process).
_children: dict[int, subprocess.Popen] = {}


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def child_environment(app: Flask) -> dict[str, str]:
    """The child builds its app from the environment: give it this app's database and mode."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
        PDSERVICE_ENV=app.config["ENV"],
        SECRET_KEY=app.config["SECRET_KEY"],
        PDSERVICE_INSTANCE_PATH=app.instance_path,
        PDSERVICE_COTEACH_HEARTBEAT_SECONDS=str(app.config["COTEACH_HEARTBEAT_SECONDS"]),
        PDSERVICE_COTEACH_DETERMINISTIC_SOLVES=str(
            int(bool(app.config["COTEACH_DETERMINISTIC_SOLVES"]))
        ),
        PYTHONUNBUFFERED="1",
    )
    return env


def spawn_worker(app: Flask, run_id: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-m", "pdservice.coteaching.solving.worker", str(run_id)],
        cwd=PROJECT_ROOT,
        env=child_environment(app),
        start_new_session=True,
    )
    _children[run_id] = process
    log.info("run %s: worker process %s started", run_id, process.pid)
    return process


def child_pid(run_id: int) -> int | None:
    process = _children.get(run_id)
    return process.pid if process is not None else None


def reap_children() -> list[int]:
    """Forget children that ended; a run still marked running after its child ended failed.
    Returns the ids of runs failed here."""
    failed = []
    for run_id, process in list(_children.items()):
        code = process.poll()
        if code is None:
            continue
        del _children[run_id]
        run = db.session.get(SolveRun, run_id)
        if run is not None and run.status == RunStatus.RUNNING:
            fail_run(
                run,
                FAILURE_WORKER_DIED,
                f"the worker process {process.pid} ended unexpectedly (exit code {code})",
            )
            failed.append(run_id)
    db.session.flush()
    return failed


def stop_child(run_id: int) -> None:
    process = _children.pop(run_id, None)
    if process is not None and process.poll() is None:
        process.kill()
        process.wait(10)


def dispatch(app: Flask) -> list[int]:
    """One tick of the jobs process. Returns the ids of the runs started now."""
    reap_children()
    for run in fail_stale_runs():
        stop_child(run.id)
    db.session.commit()
    capacity = int(app.config["COTEACH_MAX_PARALLEL_RUNS"]) - len(_children)
    runs = claim_queued_runs(capacity, worker_name())
    started = [run.id for run in runs]
    db.session.commit()
    for run_id in started:
        try:
            spawn_worker(app, run_id)
        except OSError as exc:
            run = db.session.get(SolveRun, run_id)
            fail_run(run, FAILURE_WORKER_DIED, f"the worker process could not start: {exc}")
            db.session.commit()
    return started
