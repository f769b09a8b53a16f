"""The outbox of mails and each user's choice of optional mails."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from pdservice.core.models import User
from pdservice.db import UtcDateTime, enum_column, utcnow
from pdservice.extensions import db
from pdservice.notifications.enums import OutboxStatus


class Notification(db.Model):
    """One mail in the outbox, written in the same transaction as the change it tells about
    and delivered later by the jobs process. `dedupe_key` is unique, so the same event never
    produces two mails; the claimed/sent states make the delivery job send each row once."""

    __tablename__ = "notification"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    to_address: so.Mapped[str] = so.mapped_column(sa.String(254))
    kind: so.Mapped[str] = so.mapped_column(sa.String(60))
    language: so.Mapped[str] = so.mapped_column(sa.String(2))
    subject: so.Mapped[str] = so.mapped_column(sa.String(300))
    body_text: so.Mapped[str] = so.mapped_column(sa.Text)
    # [{"filename", "content_type", "data" (base64)}]
    attachments: so.Mapped[list[dict[str, Any]]] = so.mapped_column(sa.JSON, default=list)
    dedupe_key: so.Mapped[str] = so.mapped_column(sa.String(200), unique=True)
    status: so.Mapped[OutboxStatus] = so.mapped_column(
        enum_column(OutboxStatus), default=OutboxStatus.PENDING
    )
    attempts: so.Mapped[int] = so.mapped_column(default=0)
    next_attempt_at: so.Mapped[datetime] = so.mapped_column(UtcDateTime, default=utcnow)
    claimed_at: so.Mapped[datetime | None] = so.mapped_column(UtcDateTime)
    sent_at: so.Mapped[datetime | None] = so.mapped_column(UtcDateTime)
    last_error: so.Mapped[str | None] = so.mapped_column(sa.Text)
    created_at: so.Mapped[datetime] = so.mapped_column(UtcDateTime, default=utcnow)

    user: so.Mapped[User | None] = so.relationship()

    __table_args__ = (
        sa.Index("ix_notification_status_next_attempt_at", "status", "next_attempt_at"),
        sa.CheckConstraint("attempts >= 0", name="attempts_not_negative"),
    )


class NotificationPreference(db.Model):
    """A user's choice for one kind of optional mail (no row: the kind's default, on)."""

    __tablename__ = "notification_preference"

    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    kind: so.Mapped[str] = so.mapped_column(sa.String(60), primary_key=True)
    enabled: so.Mapped[bool] = so.mapped_column(default=True)
