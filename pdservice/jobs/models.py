from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from pdservice.db import UtcDateTime, utcnow
from pdservice.extensions import db


class JobLock(db.Model):
    """Who is the active jobs process.

    On SQLite this row *is* the lock: a holder renews `heartbeat_at`, and a standby takes over
    once it is older than JOBS_LOCK_STALE_SECONDS. On PostgreSQL an advisory lock is the lock
    and this row only records the holder for the admin page.
    """

    __tablename__ = "job_lock"

    name: so.Mapped[str] = so.mapped_column(sa.String(40), primary_key=True)
    holder: so.Mapped[str] = so.mapped_column(sa.String(120))
    acquired_at: so.Mapped[datetime] = so.mapped_column(UtcDateTime, default=utcnow)
    heartbeat_at: so.Mapped[datetime] = so.mapped_column(UtcDateTime, default=utcnow)


class JobHeartbeat(db.Model):
    """When each scheduled job last ran, by which process, and how it ended."""

    __tablename__ = "job_heartbeat"

    job_id: so.Mapped[str] = so.mapped_column(sa.String(80), primary_key=True)
    holder: so.Mapped[str] = so.mapped_column(sa.String(120))
    last_run_at: so.Mapped[datetime] = so.mapped_column(UtcDateTime, default=utcnow)
    last_ok: so.Mapped[bool] = so.mapped_column(default=True)
    last_error: so.Mapped[str | None] = so.mapped_column(sa.Text)
    runs: so.Mapped[int] = so.mapped_column(default=0)
