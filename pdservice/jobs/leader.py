"""The leader lock that lets exactly one jobs process run the scheduler.

PostgreSQL: a session-level advisory lock held on a dedicated connection. If the holder dies,
its connection closes and the server releases the lock, so a standby takes over at once.
SQLite: a row in `job_lock` whose holder renews `heartbeat_at`; a standby takes over when the
heartbeat is older than JOBS_LOCK_STALE_SECONDS.
"""

from __future__ import annotations

import contextlib
import os
import socket
import uuid
import zlib
from datetime import timedelta
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, OperationalError

from pdservice.db import utcnow
from pdservice.extensions import db
from pdservice.jobs.models import JobLock

LOCK_NAME = "jobs"
ADVISORY_KEY = zlib.crc32(b"pdservice.jobs")


def holder_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class LeaderLock(Protocol):
    holder: str

    def acquire(self) -> bool: ...
    def renew(self) -> bool: ...
    def release(self) -> None: ...


def _record_holder(holder: str, *, takeover: bool) -> None:
    now = utcnow()
    row = db.session.get(JobLock, LOCK_NAME)
    if row is None:
        db.session.add(JobLock(name=LOCK_NAME, holder=holder, acquired_at=now, heartbeat_at=now))
    else:
        if takeover or row.holder != holder:
            row.acquired_at = now
        row.holder = holder
        row.heartbeat_at = now
    db.session.commit()


class PostgresAdvisoryLock:
    def __init__(self, holder: str) -> None:
        self.holder = holder
        self._conn: sa.Connection | None = None

    def acquire(self) -> bool:
        if self._conn is None:
            self._conn = db.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        got = self._conn.execute(
            sa.text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_KEY}
        ).scalar()
        if got:
            _record_holder(self.holder, takeover=True)
        return bool(got)

    def renew(self) -> bool:
        try:
            assert self._conn is not None
            self._conn.execute(sa.text("SELECT 1"))
        except (OperationalError, AssertionError):
            self._drop_connection()
            return False
        _record_holder(self.holder, takeover=False)
        return True

    def release(self) -> None:
        if self._conn is not None:
            try:
                self._conn.execute(
                    sa.text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_KEY}
                )
            finally:
                self._drop_connection()

    def _drop_connection(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(Exception):  # already broken; closing is best effort
                self._conn.close()
            self._conn = None


class RowLock:
    def __init__(self, holder: str, stale_seconds: int) -> None:
        self.holder = holder
        self.stale = timedelta(seconds=stale_seconds)

    def acquire(self) -> bool:
        now = utcnow()
        try:
            row = db.session.get(JobLock, LOCK_NAME)
            if row is None:
                db.session.add(
                    JobLock(name=LOCK_NAME, holder=self.holder, acquired_at=now, heartbeat_at=now)
                )
            elif row.holder == self.holder or row.heartbeat_at < now - self.stale:
                row.holder, row.acquired_at, row.heartbeat_at = self.holder, now, now
            else:
                db.session.rollback()
                return False
            db.session.commit()
            return True
        except IntegrityError:
            db.session.rollback()
            return False

    def renew(self) -> bool:
        result = db.session.execute(
            sa.update(JobLock)
            .where(JobLock.name == LOCK_NAME, JobLock.holder == self.holder)
            .values(heartbeat_at=utcnow())
        )
        db.session.commit()
        return result.rowcount == 1

    def release(self) -> None:
        db.session.execute(
            sa.delete(JobLock).where(JobLock.name == LOCK_NAME, JobLock.holder == self.holder)
        )
        db.session.commit()


def make_lock(stale_seconds: int) -> LeaderLock:
    holder = holder_name()
    if db.engine.dialect.name == "postgresql":
        return PostgresAdvisoryLock(holder)
    return RowLock(holder, stale_seconds)
