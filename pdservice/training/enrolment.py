"""The enrolment state machine.

    (approval needed)  requested ──approve──> approved ──> booked | waitlisted
                           │ └──reject──> rejected
                           └──withdraw──> cancelled
    (no approval)      booked | waitlisted
    waitlisted ──seat frees (before start and cut-off)──> booked
    booked | waitlisted ──teacher cancels (booked: until the cut-off)──> cancelled
    requested | booked | waitlisted ──session cancelled──> cancelled
    booked ──organizer marks──> attended | partly_attended | no_show (and corrections)

Every change appends an `EnrollmentEvent` (who, when, from, to, why). Every function that
reads seats and then changes them first locks the session row (`SELECT ... FOR UPDATE` on
PostgreSQL; on SQLite the writing request already holds the database's write lock), and the
`booked_count <= capacity` CHECK constraint backs the lock up. Functions flush, never commit.
Refusals raise `EnrolmentRefused` with the HTTP status and a message for the user; nothing is
changed then (the caller rolls back).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from pdservice.core.models import User
from pdservice.core.services import audit
from pdservice.db import utcnow
from pdservice.extensions import db
from pdservice.hours.enums import HoursKind
from pdservice.hours.services import record_hours, remove_hours
from pdservice.training import mails
from pdservice.training.enums import (
    ATTENDANCE_STATES,
    ATTENDED_STATES,
    CLOSED_STATES,
    EnrollmentStatus,
    SessionStatus,
)
from pdservice.training.models import CourseSession, Enrollment, EnrollmentEvent
from pdservice.training.times import local_date

S = EnrollmentStatus
HOURS_SOURCE = "enrollment"


class EnrolmentRefused(Exception):
    """A transition that is not allowed; `status` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 409, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.field = field


def lock_session(session_id: int) -> CourseSession:
    """Load the session and lock its row until the transaction ends."""
    session = db.session.scalar(
        sa.select(CourseSession)
        .where(CourseSession.id == session_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if session is None:
        raise EnrolmentRefused(_("The session was not found."), 404)
    return session


def _event(
    enrollment: Enrollment, to: EnrollmentStatus, actor: User | None, note: str = ""
) -> None:
    enrollment.events.append(
        EnrollmentEvent(
            from_status=enrollment.status,
            to_status=to,
            actor_id=actor.id if actor else None,
            note=note.strip(),
            at=utcnow(),
        )
    )
    enrollment.status = to


def active_enrollment(session_id: int, user_id: int) -> Enrollment | None:
    return db.session.scalar(
        sa.select(Enrollment).where(
            Enrollment.session_id == session_id,
            Enrollment.user_id == user_id,
            Enrollment.status.not_in(CLOSED_STATES),
        )
    )


def waitlist_count(session_id: int) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(Enrollment.id)).where(
            Enrollment.session_id == session_id, Enrollment.status == S.WAITLISTED
        )
    )


def has_room(session: CourseSession) -> bool:
    """A seat, or a place on the waiting list."""
    if session.booked_count < session.capacity or session.waitlist_limit is None:
        return True
    return waitlist_count(session.id) < session.waitlist_limit


def check_enrolment_open(session: CourseSession, now: datetime) -> None:
    if session.status == SessionStatus.CANCELLED:
        raise EnrolmentRefused(_("This session has been cancelled."))
    if not session.course.active:
        raise EnrolmentRefused(_("This course is no longer offered."))
    if now >= session.starts_at:
        raise EnrolmentRefused(_("This session has already started."))
    if now < session.enrol_opens_at:
        raise EnrolmentRefused(_("Enrolment for this session has not opened yet."))
    if now >= session.enrol_closes_at:
        raise EnrolmentRefused(_("Enrolment for this session has closed."))


def enrol(
    session_id: int, user: User, *, reason: str = "", actor: User | None = None
) -> Enrollment:
    """Enrol `user` in a session: a request to the principal when the course needs approval,
    otherwise a seat, or a place on the waiting list while the session is full.

    Everything that does not decide the seat happens before the session row is locked (the
    checks that can refuse early, the mails and the calendar file), so the serial part, from
    the lock to the commit, stays short when many enrol at once.
    """
    actor = actor or user
    unlocked = db.session.get(CourseSession, session_id)
    if unlocked is None:
        raise EnrolmentRefused(_("The session was not found."), 404)
    check_enrolment_open(unlocked, utcnow())
    if active_enrollment(session_id, user.id) is not None:
        raise EnrolmentRefused(_("You are already enrolled in this session."))
    reason = reason.strip()
    needs_approval = unlocked.course.approval_required
    if needs_approval and not reason:
        raise EnrolmentRefused(
            _("Tell your principal why you want to take part."), 422, field="reason"
        )
    prepared = None if needs_approval else mails.prepare_mails(unlocked, user)

    session = lock_session(session_id)
    now = utcnow()
    check_enrolment_open(session, now)  # again: the session may have changed meanwhile
    if not has_room(session):
        raise EnrolmentRefused(_("This session and its waiting list are full."))
    enrollment = Enrollment(session_id=session.id, user_id=user.id, reason=reason)
    with db.session.no_autoflush:
        if needs_approval:
            _event(enrollment, S.REQUESTED, actor, reason)
        else:
            _place(session, enrollment, actor, now, note=reason)
        db.session.add(enrollment)
    _flush_new(enrollment)
    if needs_approval:
        mails.approval_requested(enrollment)
    else:
        mails.placed(enrollment, prepared)
    audit(
        "enrollment.created",
        enrollment,
        changes={"session_id": session.id, "status": enrollment.status},
    )
    return enrollment


def _flush_new(enrollment: Enrollment) -> None:
    """Flush a new enrolment. A second active enrolment of the same person (two requests at
    the same moment, both past the check above) is refused by the partial unique index; the
    transaction is then rolled back by the caller."""
    # The message is made first: after a failed flush the session cannot load anything
    # (not even the signed-in user's language) until the caller rolls back.
    message = _("You are already enrolled in this session.")
    try:
        db.session.flush()
    except IntegrityError as exc:
        raise EnrolmentRefused(message) from exc


def _place(
    session: CourseSession, enrollment: Enrollment, actor: User | None, now: datetime, note=""
) -> None:
    """Book a seat if one is free, else join the waiting list (the session is locked)."""
    if session.booked_count < session.capacity:
        session.booked_count += 1
        enrollment.booked_at = now
        _event(enrollment, S.BOOKED, actor, note)
    elif has_room(session):
        enrollment.waitlisted_at = now
        _event(enrollment, S.WAITLISTED, actor, note)
    else:
        raise EnrolmentRefused(_("This session and its waiting list are full."))


def decide(enrollment: Enrollment, *, approve: bool, actor: User, comment: str = "") -> Enrollment:
    """The principal approves (→ booked or waitlisted) or rejects a request."""
    session = lock_session(enrollment.session_id)
    db.session.refresh(enrollment)
    now = utcnow()
    if enrollment.status != S.REQUESTED:
        raise EnrolmentRefused(_("This request has already been decided."))
    if enrollment.user_id == actor.id:
        raise EnrolmentRefused(_("You cannot decide your own request."), 403)
    if approve:
        if session.status == SessionStatus.CANCELLED:
            raise EnrolmentRefused(_("This session has been cancelled."))
        if now >= session.starts_at:
            raise EnrolmentRefused(_("This session has already started."))
        _event(enrollment, S.APPROVED, actor, comment)
        _place(session, enrollment, actor, now)
    else:
        _event(enrollment, S.REJECTED, actor, comment)
    db.session.flush()
    mails.request_decided(enrollment, approved=approve, comment=comment)
    audit(
        "enrollment.approved" if approve else "enrollment.rejected",
        enrollment,
        changes={"status": enrollment.status, "comment": comment},
    )
    return enrollment


def cancel(enrollment: Enrollment, *, actor: User, reason: str = "") -> Enrollment:
    """The teacher cancels: a request any time before the start, a waiting-list place any
    time before the start, a seat until the cancellation cut-off. A freed seat goes to the
    first on the waiting list."""
    session = lock_session(enrollment.session_id)
    db.session.refresh(enrollment)
    now = utcnow()
    if enrollment.status not in (S.REQUESTED, S.BOOKED, S.WAITLISTED):
        raise EnrolmentRefused(_("This enrolment can no longer be cancelled."))
    if now >= session.starts_at:
        raise EnrolmentRefused(_("The session has already started."))
    if enrollment.status == S.BOOKED and now > session.cancel_cutoff_at:
        raise EnrolmentRefused(
            _("The cancellation deadline has passed. Please contact the organizer.")
        )
    was_booked = enrollment.status == S.BOOKED
    _event(enrollment, S.CANCELLED, actor, reason)
    if was_booked:
        session.booked_count -= 1
    db.session.flush()
    audit("enrollment.cancelled", enrollment, changes={"reason": reason})
    if was_booked:
        promote(session, now=now)
    return enrollment


def promote(session: CourseSession, *, now: datetime | None = None) -> list[Enrollment]:
    """Give free seats to the waiting list, first come first served; never once the session
    has started or its cancellation cut-off has passed (nobody could plan for it then).
    The session must be locked by the caller (`lock_session`)."""
    now = now or utcnow()
    if session.status == SessionStatus.CANCELLED:
        return []
    if now >= session.starts_at or now > session.cancel_cutoff_at:
        return []
    promoted = []
    while session.booked_count < session.capacity:
        first = db.session.scalar(
            sa.select(Enrollment)
            .where(Enrollment.session_id == session.id, Enrollment.status == S.WAITLISTED)
            .order_by(Enrollment.waitlisted_at, Enrollment.id)
            .limit(1)
        )
        if first is None:
            break
        session.booked_count += 1
        first.booked_at = now
        _event(first, S.BOOKED, None, "")
        db.session.flush()
        mails.promoted(first)
        audit("enrollment.promoted", first, changes={"session_id": session.id})
        promoted.append(first)
    return promoted


def cancel_session(session_id: int, *, actor: User, reason: str) -> CourseSession:
    """The organizer cancels a session that has not started: every request, seat and
    waiting-list place is cancelled with it, and everyone is told."""
    session = lock_session(session_id)
    now = utcnow()
    if session.status == SessionStatus.CANCELLED:
        raise EnrolmentRefused(_("This session has already been cancelled."))
    if now >= session.starts_at:
        raise EnrolmentRefused(_("A session that has started cannot be cancelled."))
    session.status = SessionStatus.CANCELLED
    session.cancelled_at = now
    session.cancel_reason = reason.strip()
    affected = list(
        db.session.scalars(
            sa.select(Enrollment)
            .where(
                Enrollment.session_id == session.id,
                Enrollment.status.in_((S.REQUESTED, S.BOOKED, S.WAITLISTED)),
            )
            .order_by(Enrollment.id)
        )
    )
    for enrollment in affected:
        _event(
            enrollment,
            S.CANCELLED,
            actor,
            _("The session was cancelled: %(reason)s", reason=reason.strip()),
        )
    session.booked_count = 0
    db.session.flush()
    for enrollment in affected:
        mails.session_cancelled(enrollment, reason=reason.strip())
    audit(
        "session.cancelled",
        session,
        changes={"reason": reason.strip(), "enrolments_cancelled": len(affected)},
    )
    return session


@dataclass(frozen=True)
class AttendanceMark:
    enrollment_id: int
    outcome: EnrollmentStatus
    hours: Decimal | None = None


def mark_attendance(
    enrollment: Enrollment,
    outcome: EnrollmentStatus,
    *,
    actor: User,
    hours: Decimal | None = None,
) -> bool:
    """Record whether a booked participant attended, and credit their hours (exactly once:
    the ledger row is keyed by the enrolment). Returns whether anything changed."""
    session = enrollment.session
    course = session.course
    now = utcnow()
    if outcome not in ATTENDANCE_STATES:
        raise EnrolmentRefused(_("Choose attended, partly attended or did not attend."), 422)
    if session.status == SessionStatus.CANCELLED:
        raise EnrolmentRefused(_("This session has been cancelled."))
    if now < session.starts_at:
        raise EnrolmentRefused(_("Attendance can be marked once the session has started."))
    if enrollment.status != S.BOOKED and enrollment.status not in ATTENDANCE_STATES:
        raise EnrolmentRefused(_("Only booked participants can be marked."))
    credited = Decimal(course.hours_credited)
    if outcome == S.ATTENDED:
        hours = credited
    elif outcome == S.PARTLY_ATTENDED:
        if hours is None or hours <= 0 or hours >= credited:
            full = format_decimal(credited)
            raise EnrolmentRefused(
                _(
                    "Partly attended: give the hours attended, more than 0 and less than %(h)s.",
                    h=full,
                ),
                422,
                field="hours",
            )
        hours = Decimal(hours).quantize(Decimal("0.01"))
    else:
        hours = None
    if enrollment.status == outcome and enrollment.hours_attended == hours:
        return False
    _event(enrollment, outcome, actor, f"{hours.normalize():f} h" if hours is not None else "")
    enrollment.hours_attended = hours
    if outcome in ATTENDED_STATES:
        record_hours(
            enrollment.user_id,
            hours=hours,
            kind=HoursKind.VESO if course.veso_eligible else HoursKind.TRAINING,
            source_type=HOURS_SOURCE,
            source_id=enrollment.id,
            occurred_on=local_date(session.starts_at),
            areas=course.areas,
            title=course.title,
            approved_by_id=actor.id,
        )
    else:
        remove_hours(HOURS_SOURCE, enrollment.id)
    db.session.flush()
    if outcome in ATTENDED_STATES:
        mails.feedback_requested(enrollment)
    audit("enrollment.attendance", enrollment, changes={"status": outcome, "hours": hours})
    return True


def waitlist_positions(enrollment_ids: list[int]) -> dict[int, tuple[int, int]]:
    """{enrolment id: (position, length of the list)} for waitlisted enrolments, in one
    query. The position is derived: first come (waitlisted_at, then id) first served."""
    if not enrollment_ids:
        return {}
    mine = sa.orm.aliased(Enrollment)
    other = sa.orm.aliased(Enrollment)
    position = (
        sa.select(sa.func.count(other.id))
        .where(
            other.session_id == mine.session_id,
            other.status == S.WAITLISTED,
            sa.or_(
                other.waitlisted_at < mine.waitlisted_at,
                sa.and_(other.waitlisted_at == mine.waitlisted_at, other.id <= mine.id),
            ),
        )
        .scalar_subquery()
    )
    length = (
        sa.select(sa.func.count(other.id))
        .where(other.session_id == mine.session_id, other.status == S.WAITLISTED)
        .scalar_subquery()
    )
    rows = db.session.execute(
        sa.select(mine.id, position, length).where(
            mine.id.in_(enrollment_ids), mine.status == S.WAITLISTED
        )
    )
    return {row[0]: (row[1], row[2]) for row in rows}
