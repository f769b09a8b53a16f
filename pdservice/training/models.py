"""The training catalogue: courses, sessions (with their dates), enrolments with an
append-only history, and feedback."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
import sqlalchemy.orm as so

from pdservice.core.enums import Profession
from pdservice.core.models import CompetenceArea, User
from pdservice.db import UtcDateTime, enum_column, utcnow
from pdservice.extensions import db
from pdservice.training.enums import CLOSED_STATES, CourseFormat, EnrollmentStatus, SessionStatus

_closed_sql = ", ".join(f"'{s.value}'" for s in sorted(CLOSED_STATES))
ACTIVE_ENROLLMENT_SQL = f"status NOT IN ({_closed_sql})"


course_area = sa.Table(
    "course_area",
    db.Model.metadata,
    sa.Column(
        "course_id", sa.ForeignKey("course.id", ondelete="CASCADE"), primary_key=True, index=True
    ),
    sa.Column("area_id", sa.ForeignKey("competence_area.id"), primary_key=True, index=True),
)

course_owner = sa.Table(
    "course_owner",
    db.Model.metadata,
    sa.Column(
        "course_id", sa.ForeignKey("course.id", ondelete="CASCADE"), primary_key=True, index=True
    ),
    sa.Column(
        "user_id",
        sa.ForeignKey("user_account.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


class CourseAudience(db.Model):
    """A profession a course is meant for. A course without rows is meant for everyone."""

    __tablename__ = "course_audience"

    course_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("course.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    profession: so.Mapped[Profession] = so.mapped_column(enum_column(Profession), primary_key=True)


class Course(db.Model):
    __tablename__ = "course"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    description: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    provider: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    format: so.Mapped[CourseFormat] = so.mapped_column(
        enum_column(CourseFormat), default=CourseFormat.ONSITE
    )
    hours_credited: so.Mapped[Decimal] = so.mapped_column(sa.Numeric(5, 2), default=Decimal(0))
    veso_eligible: so.Mapped[bool] = so.mapped_column(default=False)
    cost_eur: so.Mapped[Decimal] = so.mapped_column(sa.Numeric(10, 2), default=Decimal(0))
    approval_required: so.Mapped[bool] = so.mapped_column(default=False)
    active: so.Mapped[bool] = so.mapped_column(default=True)
    created_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    created_at: so.Mapped[datetime] = so.mapped_column(UtcDateTime, default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    areas: so.Mapped[list[CompetenceArea]] = so.relationship(
        secondary=course_area, order_by="CompetenceArea.sort_order"
    )
    owners: so.Mapped[list[User]] = so.relationship(secondary=course_owner, order_by="User.name")
    audience: so.Mapped[list[CourseAudience]] = so.relationship(cascade="all, delete-orphan")
    sessions: so.Mapped[list[CourseSession]] = so.relationship(
        back_populates="course", order_by="CourseSession.starts_at"
    )

    __table_args__ = (
        sa.CheckConstraint("hours_credited >= 0 AND hours_credited <= 200", name="hours_range"),
        sa.CheckConstraint("cost_eur >= 0", name="cost_not_negative"),
        sa.CheckConstraint("length(title) > 0", name="title_not_empty"),
    )

    @property
    def professions(self) -> list[Profession]:
        return [a.profession for a in self.audience]

    def __repr__(self) -> str:
        return f"<Course {self.id} {self.title!r}>"


class CourseSession(db.Model):
    """One run of a course: one or more dates, a place or an online link, a capacity and an
    enrolment window. `starts_at`/`ends_at` are the first start and the last end of its
    dates (kept by the services), so the catalogue can filter and sort without a join.
    `booked_count` is the number of enrolments holding a seat; the CHECK constraint makes
    overbooking impossible even for code that forgets the lock."""

    __tablename__ = "course_session"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    course_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("course.id", ondelete="CASCADE"), index=True
    )
    status: so.Mapped[SessionStatus] = so.mapped_column(
        enum_column(SessionStatus), default=SessionStatus.SCHEDULED
    )
    location: so.Mapped[str] = so.mapped_column(sa.String(300), default="")
    online_url: so.Mapped[str] = so.mapped_column(sa.String(500), default="")
    capacity: so.Mapped[int] = so.mapped_column()
    # None: the waiting list is unlimited; 0: no waiting list.
    waitlist_limit: so.Mapped[int | None] = so.mapped_column()
    booked_count: so.Mapped[int] = so.mapped_column(default=0)
    starts_at: so.Mapped[datetime] = so.mapped_column(UtcDateTime)
    ends_at: so.Mapped[datetime] = so.mapped_column(UtcDateTime)
    enrol_opens_at: so.Mapped[datetime] = so.mapped_column(UtcDateTime)
    enrol_closes_at: so.Mapped[datetime] = so.mapped_column(UtcDateTime)
    cancel_cutoff_at: so.Mapped[datetime] = so.mapped_column(UtcDateTime)
    cancelled_at: so.Mapped[datetime | None] = so.mapped_column(UtcDateTime)
    cancel_reason: so.Mapped[str | None] = so.mapped_column(sa.Text)
    created_at: so.Mapped[datetime] = so.mapped_column(UtcDateTime, default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    course: so.Mapped[Course] = so.relationship(back_populates="sessions")
    dates: so.Mapped[list[SessionDate]] = so.relationship(
        back_populates="session",
        cascade="all, delete-orphan",
        order_by="SessionDate.starts_at",
    )

    __table_args__ = (
        sa.CheckConstraint("capacity >= 0", name="capacity_not_negative"),
        sa.CheckConstraint(
            "waitlist_limit IS NULL OR waitlist_limit >= 0", name="waitlist_not_negative"
        ),
        sa.CheckConstraint("booked_count >= 0 AND booked_count <= capacity", name="no_overbooking"),
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.CheckConstraint("enrol_closes_at > enrol_opens_at", name="enrolment_window"),
        sa.CheckConstraint("enrol_closes_at <= starts_at", name="enrolment_closes_by_start"),
        sa.CheckConstraint("cancel_cutoff_at <= starts_at", name="cutoff_by_start"),
        sa.Index("ix_course_session_status_starts_at", "status", "starts_at"),
    )

    @property
    def free_seats(self) -> int:
        return max(0, self.capacity - self.booked_count)

    @property
    def is_cancelled(self) -> bool:
        return self.status == SessionStatus.CANCELLED

    def __repr__(self) -> str:
        return f"<CourseSession {self.id} of course {self.course_id}>"


class SessionDate(db.Model):
    """One meeting of a session: a start and an end (same or different days)."""

    __tablename__ = "course_session_date"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    session_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("course_session.id", ondelete="CASCADE"), index=True
    )
    starts_at: so.Mapped[datetime] = so.mapped_column(UtcDateTime, index=True)
    ends_at: so.Mapped[datetime] = so.mapped_column(UtcDateTime)

    session: so.Mapped[CourseSession] = so.relationship(back_populates="dates")

    __table_args__ = (sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),)


class Enrollment(db.Model):
    """A person's enrolment in a session; `status` is the current state of the state machine
    in `training/enrolment.py`, and `events` its append-only history. The partial unique
    index allows one active enrolment per person and session (enrolling again after a
    cancellation or rejection is allowed). The waiting-list position is derived: FIFO by
    `waitlisted_at`, then id."""

    __tablename__ = "enrollment"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    session_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("course_session.id", ondelete="CASCADE"), index=True
    )
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    status: so.Mapped[EnrollmentStatus] = so.mapped_column(enum_column(EnrollmentStatus))
    reason: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    waitlisted_at: so.Mapped[datetime | None] = so.mapped_column(UtcDateTime)
    booked_at: so.Mapped[datetime | None] = so.mapped_column(UtcDateTime)
    hours_attended: so.Mapped[Decimal | None] = so.mapped_column(sa.Numeric(5, 2))
    created_at: so.Mapped[datetime] = so.mapped_column(UtcDateTime, default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    session: so.Mapped[CourseSession] = so.relationship()
    user: so.Mapped[User] = so.relationship()
    events: so.Mapped[list[EnrollmentEvent]] = so.relationship(
        back_populates="enrollment",
        order_by="EnrollmentEvent.id",
        cascade="save-update, merge",
        passive_deletes="all",
    )

    __table_args__ = (
        sa.Index(
            "uq_enrollment_active_session_user",
            "session_id",
            "user_id",
            unique=True,
            sqlite_where=sa.text(ACTIVE_ENROLLMENT_SQL),
            postgresql_where=sa.text(ACTIVE_ENROLLMENT_SQL),
        ),
        sa.Index(
            "ix_enrollment_session_status_waitlisted", "session_id", "status", "waitlisted_at"
        ),
        sa.CheckConstraint(
            "status <> 'waitlisted' OR waitlisted_at IS NOT NULL", name="waitlist_time"
        ),
        sa.CheckConstraint(
            "hours_attended IS NULL OR hours_attended >= 0", name="hours_not_negative"
        ),
    )

    @property
    def scope_unit_ids(self) -> set[int]:
        return self.user.member_unit_ids

    @property
    def owner_id(self) -> int:
        return self.user_id

    @property
    def is_active(self) -> bool:
        return self.status not in CLOSED_STATES


class EnrollmentEvent(db.Model):
    """One change of an enrolment: from which state to which, by whom, when and why.
    Append-only: the session refuses to update or delete these rows (see below)."""

    __tablename__ = "enrollment_event"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    enrollment_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("enrollment.id", ondelete="CASCADE"), index=True
    )
    at: so.Mapped[datetime] = so.mapped_column(UtcDateTime, default=utcnow)
    actor_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    from_status: so.Mapped[EnrollmentStatus | None] = so.mapped_column(
        enum_column(EnrollmentStatus, name="from_status")
    )
    to_status: so.Mapped[EnrollmentStatus] = so.mapped_column(enum_column(EnrollmentStatus))
    note: so.Mapped[str] = so.mapped_column(sa.Text, default="")

    enrollment: so.Mapped[Enrollment] = so.relationship(back_populates="events")
    actor: so.Mapped[User | None] = so.relationship()


class TrainingFeedback(db.Model):
    """An attendee's rating (1–5) and comment; one per enrolment."""

    __tablename__ = "training_feedback"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    enrollment_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("enrollment.id", ondelete="CASCADE"), unique=True
    )
    course_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("course.id", ondelete="CASCADE"), index=True
    )
    rating: so.Mapped[int] = so.mapped_column()
    comment: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    created_at: so.Mapped[datetime] = so.mapped_column(UtcDateTime, default=utcnow)

    enrollment: so.Mapped[Enrollment] = so.relationship()

    __table_args__ = (sa.CheckConstraint("rating >= 1 AND rating <= 5", name="rating_range"),)


@sa.event.listens_for(so.Session, "before_flush")
def _events_are_append_only(session: so.Session, _context, _instances) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, EnrollmentEvent) and (
            obj in session.deleted or session.is_modified(obj, include_collections=False)
        ):
            raise ValueError("enrolment history is append-only")
