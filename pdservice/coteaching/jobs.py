"""Scheduled jobs of co-teaching (run only by `flask jobs run`)."""

from flask import current_app

from pdservice.coteaching.solving.supervisor import dispatch
from pdservice.jobs.registry import from_config, scheduled_job


@scheduled_job(
    "coteaching.dispatch_solve_runs", "interval", seconds=from_config("COTEACH_POLL_SECONDS")
)
def dispatch_solve_runs() -> None:
    """Start queued solve runs in child processes; fail runs whose worker is gone."""
    dispatch(current_app._get_current_object())  # type: ignore[attr-defined]
