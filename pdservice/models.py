"""Imports every model module so SQLAlchemy and Alembic know the whole schema."""

from pdservice.core.models import (  # noqa: F401
    AuditLog,
    CompetenceArea,
    LoginAttempt,
    SchoolYear,
    Unit,
    UnitMembership,
    User,
)
from pdservice.jobs.models import JobHeartbeat, JobLock  # noqa: F401
