"""Courses and sessions (organizers), participants, feedback and approvals lists."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _

from pdservice.core.enums import Profession, Role
from pdservice.core.models import CompetenceArea, UnitMembership, User
from pdservice.core.services import audit, diff
from pdservice.db import utcnow
from pdservice.extensions import db
from pdservice.training.enrolment import (
    EnrolmentRefused,
    lock_session,
    promote,
    waitlist_positions,
)
from pdservice.training.enums import CourseFormat, EnrollmentStatus, SessionStatus
from pdservice.training.models import (
    Course,
    CourseAudience,
    CourseSession,
    Enrollment,
    SessionDate,
    TrainingFeedback,
)

S = EnrollmentStatus


def can_organize(user: User, course: Course | None = None) -> bool:
    """HR and admins organize every course; a course's named owners organize it."""
    if user.is_hr or user.is_admin:
        return True
    return course is not None and any(o.id == user.id for o in course.owners)


def organizer_roles() -> set[Role]:
    return {Role.HR, Role.ADMIN}


# --- courses ----------------------------------------------------------------------------


@dataclass
class CourseData:
    title: str
    description: str
    provider: str
    format: CourseFormat
    hours_credited: Decimal
    veso_eligible: bool
    cost_eur: Decimal
    approval_required: bool
    active: bool
    area_ids: list[int]
    professions: list[Profession]
    owner_ids: list[int]


COURSE_FIELDS = [
    "title",
    "description",
    "provider",
    "format",
    "hours_credited",
    "veso_eligible",
    "cost_eur",
    "approval_required",
    "active",
]


def save_course(course: Course | None, data: CourseData, *, actor: User) -> Course:
    values = {f: getattr(data, f) for f in COURSE_FIELDS}
    values["title"] = values["title"].strip()
    created = course is None
    if course is None:
        course = Course(created_by_id=actor.id, **values)
        db.session.add(course)
        changes = dict(values)
    else:
        changes = diff(course, COURSE_FIELDS, values)
        for key, value in values.items():
            setattr(course, key, value)
    areas = list(
        db.session.scalars(sa.select(CompetenceArea).where(CompetenceArea.id.in_(data.area_ids)))
    )
    if {a.id for a in course.areas} != {a.id for a in areas}:
        changes["areas"] = [a.code for a in areas]
        course.areas = areas
    owners = list(db.session.scalars(sa.select(User).where(User.id.in_(data.owner_ids))))
    if {u.id for u in course.owners} != {u.id for u in owners}:
        changes["owners"] = [u.email for u in owners]
        course.owners = owners
    if set(course.professions) != set(data.professions):
        changes["audience"] = [str(p) for p in data.professions]
        course.audience = [CourseAudience(profession=p) for p in data.professions]
    db.session.flush()
    if created or changes:
        audit("course.created" if created else "course.updated", course, changes=changes)
    return course


def users_by_emails(emails: Iterable[str]) -> tuple[list[User], list[str]]:
    """The users with these addresses, and the addresses nobody has."""
    wanted = [e.strip().lower() for e in emails if e.strip()]
    found = {u.email: u for u in db.session.scalars(sa.select(User).where(User.email.in_(wanted)))}
    return [found[e] for e in dict.fromkeys(wanted) if e in found], [
        e for e in wanted if e not in found
    ]


# --- sessions ---------------------------------------------------------------------------


@dataclass
class SessionData:
    location: str
    online_url: str
    capacity: int
    waitlist_limit: int | None
    dates: list[tuple[datetime, datetime]]
    enrol_opens_at: datetime | None = None
    enrol_closes_at: datetime | None = None
    cancel_cutoff_at: datetime | None = None


class SessionInvalid(Exception):
    """Session data that cannot be saved: {field: message}."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def _complete_windows(data: SessionData, now: datetime) -> tuple[datetime, datetime, datetime]:
    first_start = min(start for start, _end in data.dates)
    opens = data.enrol_opens_at or min(now, first_start - timedelta(days=1))
    closes = data.enrol_closes_at or first_start - timedelta(days=1)
    if data.enrol_closes_at is None and closes <= opens:  # a session starting within a day
        closes = first_start
    cutoff = data.cancel_cutoff_at or max(first_start - timedelta(days=3), opens)
    return opens, closes, min(cutoff, first_start)


def validate_session(data: SessionData, *, booked: int = 0) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not data.dates:
        errors["dates"] = _("Give at least one date with its start and end time.")
    for start, end in data.dates:
        if end <= start:
            errors["dates"] = _("Each date must end after it starts.")
    if data.capacity < 0:
        errors["capacity"] = _("The capacity cannot be negative.")
    elif data.capacity < booked:
        errors["capacity"] = _(
            "%(n)d people are already booked: the capacity cannot be less than that.", n=booked
        )
    if data.waitlist_limit is not None and data.waitlist_limit < 0:
        errors["waitlist_limit"] = _("The waiting list cannot be negative.")
    if errors:
        return errors
    opens, closes, cutoff = _complete_windows(data, utcnow())
    first_start = min(start for start, _end in data.dates)
    if closes <= opens:
        errors["enrol_closes_at"] = _("Enrolment must close after it opens.")
    if closes > first_start:
        errors["enrol_closes_at"] = _("Enrolment must close by the start of the first date.")
    if data.cancel_cutoff_at and data.cancel_cutoff_at > first_start:
        errors["cancel_cutoff_at"] = _(
            "The cancellation deadline must be by the start of the first date."
        )
    return errors


def save_session(
    course: Course, session: CourseSession | None, data: SessionData, *, actor: User
) -> CourseSession:
    """Create or change a session. Raises SessionInvalid (nothing changed) on bad data."""
    if session is not None:
        session = lock_session(session.id)
        if session.status == SessionStatus.CANCELLED:
            raise EnrolmentRefused(_("A cancelled session cannot be changed."))
    errors = validate_session(data, booked=session.booked_count if session else 0)
    if errors:
        raise SessionInvalid(errors)
    opens, closes, cutoff = _complete_windows(data, utcnow())
    dates = sorted(data.dates)
    values = {
        "location": data.location.strip(),
        "online_url": data.online_url.strip(),
        "capacity": data.capacity,
        "waitlist_limit": data.waitlist_limit,
        "starts_at": dates[0][0],
        "ends_at": max(end for _start, end in dates),
        "enrol_opens_at": opens,
        "enrol_closes_at": closes,
        "cancel_cutoff_at": cutoff,
    }
    created = session is None
    if session is None:
        session = CourseSession(course_id=course.id, booked_count=0, **values)
        db.session.add(session)
        changes = dict(values.items())
        old_capacity = 0
    else:
        old_capacity = session.capacity
        changes = diff(session, list(values), values)
        for key, value in values.items():
            setattr(session, key, value)
    # Dates keep their rows (and so their calendar UIDs) in order; extra rows go.
    existing = list(session.dates)
    for n, (start, end) in enumerate(dates):
        if n < len(existing):
            if (existing[n].starts_at, existing[n].ends_at) != (start, end):
                existing[n].starts_at, existing[n].ends_at = start, end
                changes["dates"] = [(s.isoformat(), e.isoformat()) for s, e in dates]
        else:
            session.dates.append(SessionDate(starts_at=start, ends_at=end))
            changes["dates"] = [(s.isoformat(), e.isoformat()) for s, e in dates]
    for extra in existing[len(dates) :]:
        session.dates.remove(extra)
        changes["dates"] = [(s.isoformat(), e.isoformat()) for s, e in dates]
    if changes and not created:
        session.updated_at = utcnow()
    db.session.flush()
    if created or changes:
        audit(
            "session.created" if created else "session.updated",
            session,
            changes={"course_id": course.id, **changes},
        )
    if not created and session.capacity > old_capacity:
        promote(session)
    return session


# --- participants -----------------------------------------------------------------------

PARTICIPANT_ORDER = {
    S.BOOKED: 0,
    S.ATTENDED: 0,
    S.PARTLY_ATTENDED: 0,
    S.NO_SHOW: 0,
    S.WAITLISTED: 1,
    S.REQUESTED: 2,
    S.APPROVED: 2,
    S.CANCELLED: 3,
    S.REJECTED: 4,
}


@dataclass
class ParticipantRow:
    enrollment: Enrollment
    user: User
    units: list[str]
    position: int | None = None
    waitlist_length: int | None = None
    enrolled_at: datetime | None = None
    events: list = field(default_factory=list)


def participants(session: CourseSession) -> list[ParticipantRow]:
    """Everyone who enrolled in a session, seats first, then the waiting list in order,
    requests, and the cancelled and rejected last."""
    enrollments = list(
        db.session.scalars(
            sa.select(Enrollment)
            .where(Enrollment.session_id == session.id)
            .options(
                sa.orm.joinedload(Enrollment.user)
                .selectinload(User.memberships)
                .joinedload(UnitMembership.unit)
            )
        ).unique()
    )
    positions = waitlist_positions([e.id for e in enrollments if e.status == S.WAITLISTED])
    rows = []
    for e in enrollments:
        position, length = positions.get(e.id, (None, None))
        rows.append(
            ParticipantRow(
                enrollment=e,
                user=e.user,
                units=sorted(m.unit.name for m in e.user.memberships),
                position=position,
                waitlist_length=length,
                enrolled_at=e.created_at,
            )
        )
    rows.sort(
        key=lambda r: (
            PARTICIPANT_ORDER[r.enrollment.status],
            r.position or 0,
            r.enrollment.booked_at or r.enrollment.created_at,
            r.enrollment.id,
        )
    )
    return rows


def waitlist_counts(session_ids: list[int]) -> dict[int, int]:
    if not session_ids:
        return {}
    rows = db.session.execute(
        sa.select(Enrollment.session_id, sa.func.count(Enrollment.id))
        .where(Enrollment.session_id.in_(session_ids), Enrollment.status == S.WAITLISTED)
        .group_by(Enrollment.session_id)
    )
    return dict(rows.all())


def request_counts(session_ids: list[int]) -> dict[int, int]:
    if not session_ids:
        return {}
    rows = db.session.execute(
        sa.select(Enrollment.session_id, sa.func.count(Enrollment.id))
        .where(Enrollment.session_id.in_(session_ids), Enrollment.status == S.REQUESTED)
        .group_by(Enrollment.session_id)
    )
    return dict(rows.all())


# --- approvals --------------------------------------------------------------------------


def pending_requests(user: User) -> list[Enrollment]:
    """Requests waiting for `user`'s decision: from staff of the units they lead (HR and
    admins: every request), never their own."""
    query = (
        sa.select(Enrollment)
        .join(CourseSession, CourseSession.id == Enrollment.session_id)
        .where(Enrollment.status == S.REQUESTED, Enrollment.user_id != user.id)
        .order_by(CourseSession.starts_at, Enrollment.id)
        .options(
            sa.orm.joinedload(Enrollment.user),
            sa.orm.joinedload(Enrollment.session).joinedload(CourseSession.course),
        )
    )
    if not (user.is_hr or user.is_admin):
        query = query.where(
            Enrollment.user_id.in_(
                sa.select(UnitMembership.user_id).where(
                    UnitMembership.unit_id.in_(user.principal_unit_ids or {-1})
                )
            )
        )
    return list(db.session.scalars(query).unique())


# --- feedback ---------------------------------------------------------------------------


def give_feedback(enrollment: Enrollment, *, rating: int, comment: str) -> TrainingFeedback:
    """Attendees rate a course once per enrolment."""
    from pdservice.training.enums import ATTENDED_STATES

    if enrollment.status not in ATTENDED_STATES:
        raise EnrolmentRefused(_("Only participants who attended can give feedback."), 403)
    exists = db.session.scalar(
        sa.select(TrainingFeedback.id).where(TrainingFeedback.enrollment_id == enrollment.id)
    )
    if exists:
        raise EnrolmentRefused(_("You have already given feedback on this training."))
    if not 1 <= rating <= 5:
        raise EnrolmentRefused(_("Choose a rating from 1 to 5."), 422, field="rating")
    feedback = TrainingFeedback(
        enrollment_id=enrollment.id,
        course_id=enrollment.session.course_id,
        rating=rating,
        comment=comment.strip(),
    )
    db.session.add(feedback)
    db.session.flush()
    audit("feedback.given", feedback, changes={"rating": rating})
    return feedback


@dataclass
class FeedbackSummary:
    count: int
    average: float | None
    distribution: dict[int, int]
    comments: list[TrainingFeedback]


def feedback_summary(course: Course) -> FeedbackSummary:
    rows = list(
        db.session.scalars(
            sa.select(TrainingFeedback)
            .where(TrainingFeedback.course_id == course.id)
            .order_by(TrainingFeedback.created_at.desc())
        )
    )
    distribution = dict.fromkeys(range(1, 6), 0)
    for row in rows:
        distribution[row.rating] += 1
    average = sum(r.rating for r in rows) / len(rows) if rows else None
    return FeedbackSummary(
        count=len(rows),
        average=average,
        distribution=distribution,
        comments=[r for r in rows if r.comment],
    )


def has_feedback(enrollment_ids: list[int]) -> set[int]:
    if not enrollment_ids:
        return set()
    return set(
        db.session.scalars(
            sa.select(TrainingFeedback.enrollment_id).where(
                TrainingFeedback.enrollment_id.in_(enrollment_ids)
            )
        )
    )
