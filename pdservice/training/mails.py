"""The mails of training, written to the outbox in the transaction of the change."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from pdservice.calendar.services import build_calendar
from pdservice.core.enums import UnitRole
from pdservice.core.models import UnitMembership, User
from pdservice.extensions import db
from pdservice.notifications.services import (
    Attachment,
    RenderedMail,
    notify,
    public_url,
    register_notification_kind,
    render_for,
    wants,
)
from pdservice.training.enums import EnrollmentStatus
from pdservice.training.feed import session_events
from pdservice.training.models import CourseSession, Enrollment, SessionDate

BOOKED = "training.booked"
WAITLISTED = "training.waitlisted"
PROMOTED = "training.promoted"
APPROVAL_REQUEST = "training.approval_request"
REQUEST_DECIDED = "training.request_decided"
REMINDER = "training.reminder"
FEEDBACK_REQUEST = "training.feedback_request"
SESSION_CANCELLED = "training.session_cancelled"


def register_kinds() -> None:
    register_notification_kind(
        BOOKED, _l("Confirmation of a booked seat, with a calendar file"), optional=False
    )
    register_notification_kind(
        PROMOTED, _l("A seat from the waiting list, with a calendar file"), optional=False
    )
    register_notification_kind(
        REQUEST_DECIDED, _l("Decision on a training request"), optional=False
    )
    register_notification_kind(SESSION_CANCELLED, _l("A session was cancelled"), optional=False)
    register_notification_kind(
        WAITLISTED, _l("Confirmation of a place on a waiting list"), optional=True
    )
    register_notification_kind(
        APPROVAL_REQUEST, _l("Training requests from my staff to approve"), optional=True
    )
    register_notification_kind(REMINDER, _l("Reminders before training days"), optional=True)
    register_notification_kind(
        FEEDBACK_REQUEST, _l("Requests for feedback after training"), optional=True
    )


def _session_context(session: CourseSession) -> dict:
    return {
        "session": session,
        "course": session.course,
        "dates": session.dates,
        "session_url": public_url("training.session_detail", session_id=session.id),
        "my_training_url": public_url("training.my_enrolments"),
    }


def _context(enrollment: Enrollment) -> dict:
    session = enrollment.session
    return {
        "enrollment": enrollment,
        "session": session,
        "course": session.course,
        "dates": session.dates,
        "session_url": public_url("training.session_detail", session_id=session.id),
        "my_training_url": public_url("training.my_enrolments"),
    }


def _ics(enrollment: Enrollment) -> Attachment:
    session = enrollment.session
    calendar = build_calendar(session_events(session), name=session.course.title)
    return Attachment("training.ics", "text/calendar", calendar.decode("utf-8"))


@dataclass(frozen=True)
class PreparedMails:
    """Both possible mails of an enrolment, rendered before the seat is taken (outside the
    session's lock): the confirmation with its calendar file, and the waiting-list mail
    (None when the person has switched that optional mail off)."""

    booked: RenderedMail
    ics: Attachment
    waitlisted: RenderedMail | None


def prepare_mails(session: CourseSession, user: User) -> PreparedMails:
    context = _session_context(session)
    calendar = build_calendar(session_events(session), name=session.course.title)
    return PreparedMails(
        booked=render_for(user, "training_booked", context),
        ics=Attachment("training.ics", "text/calendar", calendar.decode("utf-8")),
        waitlisted=render_for(user, "training_waitlisted", context)
        if wants(user.id, WAITLISTED)
        else None,
    )


def placed(enrollment: Enrollment, prepared: PreparedMails | None = None) -> None:
    """A seat (confirmation with a calendar file) or a waiting-list place."""
    if enrollment.status == EnrollmentStatus.BOOKED:
        notify(
            enrollment.user,
            BOOKED,
            "training_booked",
            _context(enrollment),
            attachments=[prepared.ics if prepared else _ics(enrollment)],
            dedupe_key=f"{BOOKED}:{enrollment.id}",
            rendered=prepared.booked if prepared else None,
        )
    elif enrollment.status == EnrollmentStatus.WAITLISTED:
        if prepared is not None and prepared.waitlisted is None:
            return  # switched off (checked when the mails were prepared)
        notify(
            enrollment.user,
            WAITLISTED,
            "training_waitlisted",
            _context(enrollment),
            optional=prepared is None,
            dedupe_key=f"{WAITLISTED}:{enrollment.id}",
            rendered=prepared.waitlisted if prepared else None,
        )


def promoted(enrollment: Enrollment) -> None:
    notify(
        enrollment.user,
        PROMOTED,
        "training_promoted",
        _context(enrollment),
        attachments=[_ics(enrollment)],
        dedupe_key=f"{PROMOTED}:{enrollment.id}",
    )


def approvers_of(user: User) -> list[User]:
    """Who decides a person's requests: the principals of their units (not themselves);
    HR when they have none."""
    unit_ids = [m.unit_id for m in user.memberships]
    principals = list(
        db.session.scalars(
            sa.select(User)
            .join(UnitMembership, UnitMembership.user_id == User.id)
            .where(
                UnitMembership.unit_id.in_(unit_ids),
                UnitMembership.role == UnitRole.PRINCIPAL,
                User.id != user.id,
                User.active.is_(True),
            )
            .distinct()
            .order_by(User.id)
        )
    )
    if principals:
        return principals
    return list(
        db.session.scalars(
            sa.select(User).where(User.is_hr.is_(True), User.active.is_(True)).order_by(User.id)
        )
    )


def approval_requested(enrollment: Enrollment) -> None:
    context = {
        **_context(enrollment),
        "requester": enrollment.user,
        "approvals_url": public_url("training.approvals"),
    }
    for approver in approvers_of(enrollment.user):
        notify(
            approver,
            APPROVAL_REQUEST,
            "training_approval_request",
            context,
            optional=True,
            dedupe_key=f"{APPROVAL_REQUEST}:{enrollment.id}:{approver.id}",
        )


def request_decided(enrollment: Enrollment, *, approved: bool, comment: str) -> None:
    attachments = [_ics(enrollment)] if enrollment.status == EnrollmentStatus.BOOKED else []
    notify(
        enrollment.user,
        REQUEST_DECIDED,
        "training_request_decided",
        {**_context(enrollment), "approved": approved, "comment": comment},
        attachments=attachments,
        dedupe_key=f"{REQUEST_DECIDED}:{enrollment.id}",
    )


def session_cancelled(enrollment: Enrollment, *, reason: str) -> None:
    notify(
        enrollment.user,
        SESSION_CANCELLED,
        "training_session_cancelled",
        {**_context(enrollment), "reason": reason},
        dedupe_key=f"{SESSION_CANCELLED}:{enrollment.id}",
    )


def feedback_requested(enrollment: Enrollment) -> None:
    notify(
        enrollment.user,
        FEEDBACK_REQUEST,
        "training_feedback_request",
        {
            **_context(enrollment),
            "feedback_url": public_url("training.feedback", enrollment_id=enrollment.id),
        },
        optional=True,
        dedupe_key=f"{FEEDBACK_REQUEST}:{enrollment.id}",
    )


def reminder(enrollment: Enrollment, session_date: SessionDate) -> int | None:
    return notify(
        enrollment.user,
        REMINDER,
        "training_reminder",
        {**_context(enrollment), "date": session_date},
        optional=True,
        dedupe_key=f"{REMINDER}:{enrollment.id}:{session_date.id}",
    )
