"""Jobs of co-teaching (run only by `flask jobs run`).

Solve runs are rows: every jobs process, on any machine, claims queued runs and solves them in
children of its own (`claim_solve_runs` runs in standby processes too), while the watchdog over
all runs is a scheduled job of the one active process.
"""

from flask import current_app

from pdservice.coteaching.solving.supervisor import claim_and_start, watch
from pdservice.jobs.registry import from_config, scheduled_job


@scheduled_job(
    "coteaching.claim_solve_runs",
    "interval",
    every_process=True,
    seconds=from_config("COTEACH_POLL_SECONDS"),
)
def claim_solve_runs() -> None:
    """Start queued solve runs in child processes of this jobs process."""
    claim_and_start(current_app._get_current_object())  # type: ignore[attr-defined]


@scheduled_job(
    "coteaching.watch_solve_runs", "interval", seconds=from_config("COTEACH_POLL_SECONDS")
)
def watch_solve_runs() -> None:
    """Fail runs whose worker is gone or that overran their time limit."""
    watch(current_app._get_current_object())  # type: ignore[attr-defined]
