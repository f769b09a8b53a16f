"""The secret address of each user's calendar feed."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from pdservice.core.models import User
from pdservice.db import UtcDateTime, utcnow
from pdservice.extensions import db


class CalendarFeed(db.Model):
    """A user's feed. The address token is derived from the app's secret key and `nonce`
    (so it can be shown again), and only its SHA-256 is stored for the lookup: a copy of the
    database alone does not reveal anyone's feed. A new nonce revokes the old address."""

    __tablename__ = "calendar_feed"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), unique=True
    )
    nonce: so.Mapped[str] = so.mapped_column(sa.String(64))
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UtcDateTime, default=utcnow)
    last_fetched_at: so.Mapped[datetime | None] = so.mapped_column(UtcDateTime)

    user: so.Mapped[User] = so.relationship()
