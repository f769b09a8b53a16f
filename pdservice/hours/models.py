"""The development-hours ledger and externally completed training."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
import sqlalchemy.orm as so

from pdservice.core.models import CompetenceArea, SchoolYear, User
from pdservice.db import UtcDateTime, enum_column, utcnow
from pdservice.extensions import db
from pdservice.hours.enums import ExternalStatus, HoursKind

# The most hours one ledger row may carry: more is a typing error, not a training.
MAX_LEDGER_HOURS = Decimal(400)

development_hours_area = sa.Table(
    "development_hours_area",
    db.Model.metadata,
    sa.Column(
        "hours_id",
        sa.ForeignKey("development_hours.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
    sa.Column("area_id", sa.ForeignKey("competence_area.id"), primary_key=True, index=True),
)

external_training_area = sa.Table(
    "external_training_area",
    db.Model.metadata,
    sa.Column(
        "external_training_id",
        sa.ForeignKey("external_training.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
    sa.Column("area_id", sa.ForeignKey("competence_area.id"), primary_key=True, index=True),
)


class DevelopmentHours(db.Model):
    """One credit of development hours. Every row comes from a source (an attended
    enrolment, an approved external training, a co-teaching planning record, ...) and the
    unique (source_type, source_id, user_id) makes each source count exactly once for each
    person it credits (a joint planning session credits both teachers of the pair). The school
    year is the one `occurred_on` falls in."""

    __tablename__ = "development_hours"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    school_year_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("school_year.id"), index=True)
    occurred_on: so.Mapped[date] = so.mapped_column(sa.Date)
    hours: so.Mapped[Decimal] = so.mapped_column(sa.Numeric(6, 2))
    kind: so.Mapped[HoursKind] = so.mapped_column(enum_column(HoursKind))
    source_type: so.Mapped[str] = so.mapped_column(sa.String(40))
    source_id: so.Mapped[int] = so.mapped_column()
    title: so.Mapped[str] = so.mapped_column(sa.String(300), default="")
    approved_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    created_at: so.Mapped[datetime] = so.mapped_column(UtcDateTime, default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    user: so.Mapped[User] = so.relationship(foreign_keys=[user_id])
    approved_by: so.Mapped[User | None] = so.relationship(foreign_keys=[approved_by_id])
    school_year: so.Mapped[SchoolYear] = so.relationship()
    areas: so.Mapped[list[CompetenceArea]] = so.relationship(
        secondary=development_hours_area, order_by="CompetenceArea.sort_order"
    )

    __table_args__ = (
        sa.UniqueConstraint("source_type", "source_id", "user_id"),
        sa.CheckConstraint("hours >= 0 AND hours <= 400", name="hours_range"),
        sa.Index("ix_development_hours_user_year", "user_id", "school_year_id"),
        # Covers the HR reports' sums per person, kind and year (an index-only scan on
        # PostgreSQL: 200,000 rows summed in ~30 ms instead of ~100 ms).
        sa.Index(
            "ix_development_hours_year_user_kind",
            "school_year_id",
            "user_id",
            "kind",
            "hours",
            "id",
        ),
    )

    @property
    def scope_unit_ids(self) -> set[int]:
        return self.user.member_unit_ids

    @property
    def owner_id(self) -> int:
        return self.user_id


class ExternalTraining(db.Model):
    """Training a staff member took elsewhere; its hours count once the principal or HR
    approves it."""

    __tablename__ = "external_training"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    provider: so.Mapped[str] = so.mapped_column(sa.String(200))
    occurred_on: so.Mapped[date] = so.mapped_column(sa.Date)
    hours: so.Mapped[Decimal] = so.mapped_column(sa.Numeric(6, 2))
    note: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    status: so.Mapped[ExternalStatus] = so.mapped_column(
        enum_column(ExternalStatus), default=ExternalStatus.PENDING
    )
    decided_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    decided_at: so.Mapped[datetime | None] = so.mapped_column(UtcDateTime)
    decision_comment: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    created_at: so.Mapped[datetime] = so.mapped_column(UtcDateTime, default=utcnow)

    user: so.Mapped[User] = so.relationship(foreign_keys=[user_id])
    decided_by: so.Mapped[User | None] = so.relationship(foreign_keys=[decided_by_id])
    areas: so.Mapped[list[CompetenceArea]] = so.relationship(
        secondary=external_training_area, order_by="CompetenceArea.sort_order"
    )

    __table_args__ = (
        sa.CheckConstraint("hours > 0 AND hours <= 400", name="hours_range"),
        sa.Index("ix_external_training_status", "status"),
    )

    @property
    def scope_unit_ids(self) -> set[int]:
        return self.user.member_unit_ids

    @property
    def owner_id(self) -> int:
        return self.user_id
