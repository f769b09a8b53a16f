"""Jobs of the core."""

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from pdservice.core.models import LoginAttempt
from pdservice.db import utcnow
from pdservice.extensions import db
from pdservice.jobs.registry import from_config, scheduled_job


@scheduled_job("heartbeat", "interval", seconds=from_config("JOBS_HEARTBEAT_SECONDS"))
def heartbeat() -> None:
    """Does nothing but run: its `job_heartbeat` row shows the jobs process is alive."""


@scheduled_job("retention.login_attempts", "cron", hour=3, minute=10)
def forget_old_login_attempts() -> int:
    """GDPR: sign-in attempts (email, time, address) are kept only as long as needed."""
    days = current_app.config["LOGIN_ATTEMPT_RETENTION_DAYS"]
    result = db.session.execute(
        sa.delete(LoginAttempt).where(LoginAttempt.at < utcnow() - timedelta(days=days))
    )
    return result.rowcount
