"""Which provider accounts belong to which person."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from pdservice.core.models import User
from pdservice.db import UtcDateTime, utcnow
from pdservice.extensions import db


class IdentityLink(db.Model):
    """A person's account at an OpenID provider (its `sub`), made at their first sign-in
    there (by e-mail, or just-in-time creation) or from the account page."""

    __tablename__ = "identity_link"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    provider: so.Mapped[str] = so.mapped_column(sa.String(40))
    subject: so.Mapped[str] = so.mapped_column(sa.String(255))
    created_at: so.Mapped[datetime] = so.mapped_column(UtcDateTime, default=utcnow)
    last_used_at: so.Mapped[datetime | None] = so.mapped_column(UtcDateTime)

    user: so.Mapped[User] = so.relationship()

    __table_args__ = (
        sa.UniqueConstraint("provider", "subject"),
        # One account per provider and person: a second would be someone else's.
        sa.UniqueConstraint("provider", "user_id"),
        sa.CheckConstraint("length(subject) > 0", name="subject_not_empty"),
    )

    @property
    def owner_id(self) -> int:
        return self.user_id
