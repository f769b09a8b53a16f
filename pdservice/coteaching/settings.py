"""Settings of co-teaching, read from the environment once when the app is created."""

from __future__ import annotations

import os

from flask import Flask

from pdservice.config import ConfigError

# name in app.config: (environment variable, default, type)
SETTINGS = {
    # How often the jobs process looks for queued runs.
    "COTEACH_POLL_SECONDS": ("PDSERVICE_COTEACH_POLL_SECONDS", 2, int),
    # How often a running solve writes its heartbeat and progress.
    "COTEACH_HEARTBEAT_SECONDS": ("PDSERVICE_COTEACH_HEARTBEAT_SECONDS", 1.0, float),
    # A run without a heartbeat for this long is failed (its worker is gone).
    "COTEACH_STALE_SECONDS": ("PDSERVICE_COTEACH_STALE_SECONDS", 30, int),
    # A run still going this long after its time limit is failed as overrun.
    "COTEACH_OVERRUN_GRACE_SECONDS": ("PDSERVICE_COTEACH_OVERRUN_GRACE_SECONDS", 120, int),
    # Runs solved at the same time (each in its own child process).
    "COTEACH_MAX_PARALLEL_RUNS": ("PDSERVICE_COTEACH_MAX_PARALLEL_RUNS", 2, int),
    # How much lower the solving child's CPU priority is (os.nice), so pages stay fast.
    "COTEACH_WORKER_NICE": ("PDSERVICE_COTEACH_WORKER_NICE", 10, int),
    # The time limit a new run's form offers.
    "COTEACH_DEFAULT_TIME_LIMIT": ("PDSERVICE_COTEACH_DEFAULT_TIME_LIMIT", 15, int),
    # The time limit of the demo city's runs (`flask seed demo`).
    "COTEACH_DEMO_SOLVE_SECONDS": ("PDSERVICE_COTEACH_DEMO_SOLVE_SECONDS", 3.0, float),
    # Measure every run's time limit in the solver's units of work instead of seconds, so
    # that a run gives the same plan on any machine, however busy (the test suite; users
    # want the wall clock).
    "COTEACH_DETERMINISTIC_SOLVES": ("PDSERVICE_COTEACH_DETERMINISTIC_SOLVES", False, "flag"),
}


def _flag(raw: str) -> bool:
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ValueError(raw)


def configure(app: Flask) -> None:
    for name, (variable, default, kind) in SETTINGS.items():
        if name in app.config:
            continue
        raw = os.environ.get(variable)
        try:
            parse = _flag if kind == "flag" else kind
            app.config[name] = default if raw in (None, "") else parse(raw)
        except ValueError as exc:
            expected = "1 or 0" if kind == "flag" else "a number"
            raise ConfigError(f"{variable} must be {expected}, got {raw!r}") from exc
