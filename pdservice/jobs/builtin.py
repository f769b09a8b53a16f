"""Jobs of the core."""

from pdservice.jobs.registry import from_config, scheduled_job


@scheduled_job("heartbeat", "interval", seconds=from_config("JOBS_HEARTBEAT_SECONDS"))
def heartbeat() -> None:
    """Does nothing but run: its `job_heartbeat` row shows the jobs process is alive."""
