import logging

import click
from flask import current_app
from flask.cli import AppGroup

jobs_cli = AppGroup("jobs", help="The background jobs process.")


@jobs_cli.command("run")
def run_command() -> None:
    """Run the scheduled jobs. Start exactly one per installation; a second one waits as a
    hot standby and takes over when the first stops."""
    from pdservice.jobs.runner import run_forever

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    # APScheduler logs every run of every job at INFO ("Running job ...", "executed
    # successfully"): with jobs every few seconds that buries what matters. Our runner logs
    # failures itself and records each job's last run in job_heartbeat.
    logging.getLogger("apscheduler.executors.default").setLevel(logging.WARNING)
    click.echo("pdservice jobs process starting")
    run_forever(current_app._get_current_object())  # type: ignore[attr-defined]
    click.echo("pdservice jobs process stopped")
