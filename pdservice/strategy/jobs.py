"""Scheduled jobs of the strategy dashboard (run only by `flask jobs run`)."""

from pdservice.clock import today
from pdservice.jobs.registry import scheduled_job
from pdservice.strategy.services import record_snapshots


@scheduled_job("strategy.record_snapshots", "cron", hour=1, minute=30)
def nightly_snapshots() -> None:
    """Record every indicator per unit and for the city for today (idempotent: a second run
    the same night replaces the day's rows with the same figures)."""
    record_snapshots(today())
