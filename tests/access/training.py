"""Routes of training, competences, hours, notifications and calendar.

Setups run inside an app context and return a namespace of ids. Objects belong to unit A:
world.teacher enrols, owns plans and records hours; world.teacher also organizes the course
(a named owner), so the organizer rules read: owner, HR and admin yes; others no.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

import sqlalchemy as sa

from pdservice.clock import today
from pdservice.competences.enums import PlanStatus
from pdservice.competences.models import DevelopmentGoal, DevelopmentPlan
from pdservice.core.models import CompetenceArea, User
from pdservice.core.services import school_year_for
from pdservice.extensions import db
from pdservice.hours.enums import ExternalStatus
from pdservice.hours.models import ExternalTraining
from pdservice.notifications.enums import OutboxStatus
from pdservice.notifications.models import Notification
from pdservice.training.enums import EnrollmentStatus as S
from pdservice.training.models import (
    Course,
    CourseSession,
    Enrollment,
    EnrollmentEvent,
    SessionDate,
)
from tests.access.rules import Rule, admin_only, signed_in, statuses

STAFF = {"principal": 200, "principal_b": 200, "hr": 200, "admin": 200}
MOVED = dict.fromkeys(STAFF, 301)


def organizer(ok: int = 200) -> dict[str, int]:
    """The course's owner (teacher of unit A), HR and admins."""
    return statuses(403, teacher=ok, hr=ok, admin=ok)


def own_object(ok: int = 200, *, staff: int | None = None) -> dict[str, int]:
    """An object of world.teacher: the owner, and (for GET) unit A's principal, HR, admin."""
    staff = ok if staff is None else staff
    return statuses(404, teacher=ok, principal=staff, hr=staff, admin=staff)


def owner_only(ok: int) -> dict[str, int]:
    return statuses(404, teacher=ok)


def decider(ok: int = 302) -> dict[str, int]:
    """Decisions on world.teacher's requests: unit A's principal, HR, admin."""
    return statuses(403, principal=ok, principal_b=404, hr=ok, admin=ok)


def _now() -> datetime:
    return datetime.now(UTC)


def setup_training(w, *, past: bool = False, status: S = S.BOOKED, approval: bool = False):
    teacher = db.session.get(User, w.teacher.id)
    course = Course(
        title="Digiloikka",
        description="x",
        provider="Vantaa",
        hours_credited=Decimal(6),
        approval_required=approval,
    )
    course.owners = [teacher]
    course.areas = list(db.session.scalars(sa.select(CompetenceArea).limit(2)))
    start = _now() + (timedelta(hours=-3) if past else timedelta(days=10))
    session = CourseSession(
        course=course,
        capacity=5,
        booked_count=1 if status == S.BOOKED or status == S.ATTENDED else 0,
        starts_at=start,
        ends_at=start + timedelta(hours=6),
        enrol_opens_at=start - timedelta(days=30),
        enrol_closes_at=start - timedelta(hours=1),
        cancel_cutoff_at=start - timedelta(days=1),
        location="Sali",
    )
    session.dates = [SessionDate(starts_at=start, ends_at=start + timedelta(hours=6))]
    enrollment = Enrollment(
        session=session,
        user_id=teacher.id,
        status=status,
        reason="Why not",
        hours_attended=Decimal(6) if status == S.ATTENDED else None,
    )
    enrollment.events = [EnrollmentEvent(from_status=None, to_status=status, actor_id=teacher.id)]
    db.session.add_all([course, session, enrollment])
    db.session.commit()
    return SimpleNamespace(course=course.id, session=session.id, enrollment=enrollment.id)


def setup_requested(w):
    return setup_training(w, status=S.REQUESTED, approval=True)


def setup_attended(w):
    return setup_training(w, past=True, status=S.ATTENDED)


def setup_plan(w, status: PlanStatus = PlanStatus.DRAFT):
    year = school_year_for(today())
    plan = DevelopmentPlan(user_id=w.teacher.id, school_year_id=year.id, status=status)
    area = db.session.scalar(sa.select(CompetenceArea).limit(1))
    plan.goals = [
        DevelopmentGoal(
            area_id=area.id, target_level=3, planned_actions="Read", due_on=year.ends_on
        )
    ]
    db.session.add(plan)
    db.session.commit()
    return SimpleNamespace(plan=plan.id, goal=plan.goals[0].id, area=area.id)


def setup_area(w):
    return SimpleNamespace(area=db.session.scalar(sa.select(CompetenceArea.id).limit(1)))


def setup_submitted_plan(w):
    return setup_plan(w, PlanStatus.SUBMITTED)


def setup_external(w):
    entry = ExternalTraining(
        user_id=w.teacher.id,
        title="Conference",
        provider="OAJ",
        occurred_on=today() - timedelta(days=3),
        hours=Decimal(5),
        status=ExternalStatus.PENDING,
    )
    db.session.add(entry)
    db.session.commit()
    return SimpleNamespace(entry=entry.id)


def setup_failed_mail(w):
    mail = Notification(
        user_id=w.teacher.id,
        to_address=w.teacher.email,
        kind="training.booked",
        language="en",
        subject="Booked",
        body_text="x",
        attachments=[],
        dedupe_key="test:failed",
        status=OutboxStatus.FAILED,
        attempts=8,
    )
    db.session.add(mail)
    db.session.commit()
    return SimpleNamespace(mail=mail.id)


def setup_feed(w):
    from pdservice.calendar.services import regenerate_feed

    token = regenerate_feed(db.session.get(User, w.teacher.id))
    db.session.commit()
    return SimpleNamespace(token=token)


T = "/training"
RULES = [
    # --- catalogue and my training
    Rule("training.catalogue", "GET", lambda w: f"{T}/", signed_in(200)),
    Rule(
        "training.catalogue",
        "GET",
        lambda w: f"{T}/",
        signed_in(200),
        query={"q": "digi", "free": "1", "goals": "1", "format": "online", "from": "2026-01-01"},
        setup=setup_training,
        id="filtered",
    ),
    Rule(
        "training.my_enrolments", "GET", lambda w: f"{T}/my", signed_in(200), setup=setup_training
    ),
    Rule("training.manage", "GET", lambda w: f"{T}/manage", signed_in(200), setup=setup_training),
    Rule(
        "training.approvals",
        "GET",
        lambda w: f"{T}/approvals",
        statuses(403, **STAFF),
        setup=setup_requested,
    ),
    # --- courses
    Rule(
        "training.course_detail",
        "GET",
        lambda w: f"{T}/courses/{w.extra.course}",
        signed_in(200),
        setup=setup_training,
    ),
    Rule(
        "training.course_new", "GET", lambda w: f"{T}/courses/new", statuses(403, hr=200, admin=200)
    ),
    Rule(
        "training.course_new",
        "POST",
        lambda w: f"{T}/courses/new",
        statuses(403, hr=422, admin=422),
        data=lambda w: {"title": ""},
    ),
    Rule(
        "training.course_edit",
        "GET",
        lambda w: f"{T}/courses/{w.extra.course}/edit",
        organizer(),
        setup=setup_training,
    ),
    Rule(
        "training.course_edit",
        "POST",
        lambda w: f"{T}/courses/{w.extra.course}/edit",
        organizer(422),
        setup=setup_training,
        data=lambda w: {"title": "", "hours_credited": "-1"},
    ),
    Rule(
        "training.course_feedback",
        "GET",
        lambda w: f"{T}/courses/{w.extra.course}/feedback",
        organizer(),
        setup=setup_training,
    ),
    # --- sessions
    Rule(
        "training.session_new",
        "GET",
        lambda w: f"{T}/courses/{w.extra.course}/sessions/new",
        organizer(),
        setup=setup_training,
    ),
    Rule(
        "training.session_new",
        "POST",
        lambda w: f"{T}/courses/{w.extra.course}/sessions/new",
        organizer(422),
        setup=setup_training,
        data=lambda w: {"capacity": "5"},
    ),
    Rule(
        "training.session_detail",
        "GET",
        lambda w: f"{T}/sessions/{w.extra.session}",
        signed_in(200),
        setup=setup_training,
    ),
    Rule(
        "training.session_edit",
        "GET",
        lambda w: f"{T}/sessions/{w.extra.session}/edit",
        organizer(),
        setup=setup_training,
    ),
    Rule(
        "training.session_edit",
        "POST",
        lambda w: f"{T}/sessions/{w.extra.session}/edit",
        organizer(422),
        setup=setup_training,
        data=lambda w: {"capacity": "0"},
    ),
    Rule(
        "training.session_cancel",
        "POST",
        lambda w: f"{T}/sessions/{w.extra.session}/cancel",
        organizer(302),
        setup=setup_training,
        data=lambda w: {"reason": "Trainer ill"},
    ),
    Rule(
        "training.enrol_view",
        "POST",
        lambda w: f"{T}/sessions/{w.extra.session}/enrol",
        # world.teacher is enrolled already: 409 for them, a seat for everyone else.
        signed_in(302, teacher=409),
        setup=setup_training,
    ),
    Rule(
        "training.participants_view",
        "GET",
        lambda w: f"{T}/sessions/{w.extra.session}/participants",
        organizer(),
        setup=setup_training,
    ),
    Rule(
        "training.participants_csv",
        "GET",
        lambda w: f"{T}/sessions/{w.extra.session}/participants.csv",
        organizer(),
        setup=setup_training,
    ),
    Rule(
        "training.participants_xlsx",
        "GET",
        lambda w: f"{T}/sessions/{w.extra.session}/participants.xlsx",
        organizer(),
        setup=setup_training,
    ),
    Rule(
        "training.attendance",
        "POST",
        lambda w: f"{T}/sessions/{w.extra.session}/attendance",
        organizer(302),
        setup=lambda w: setup_training(w, past=True),
        data=lambda w: {f"outcome-{w.extra.enrollment}": "attended"},
    ),
    # --- enrolments
    Rule(
        "training.enrolment_detail",
        "GET",
        lambda w: f"{T}/enrolments/{w.extra.enrollment}",
        own_object(),
        setup=setup_training,
    ),
    Rule(
        "training.enrolment_cancel",
        "POST",
        lambda w: f"{T}/enrolments/{w.extra.enrollment}/cancel",
        owner_only(302),
        setup=setup_training,
    ),
    Rule(
        "training.enrolment_decide",
        "POST",
        lambda w: f"{T}/enrolments/{w.extra.enrollment}/decide",
        decider(),
        setup=setup_requested,
        data=lambda w: {"decision": "approve", "comment": "ok"},
    ),
    Rule(
        "training.feedback",
        "GET",
        lambda w: f"{T}/enrolments/{w.extra.enrollment}/feedback",
        owner_only(200),
        setup=setup_attended,
    ),
    Rule(
        "training.feedback",
        "POST",
        lambda w: f"{T}/enrolments/{w.extra.enrollment}/feedback",
        owner_only(302),
        setup=setup_attended,
        data=lambda w: {"rating": "5", "comment": "Useful"},
    ),
    # --- competences
    Rule("competences.profile", "GET", lambda w: "/competences/", signed_in(200)),
    Rule(
        "competences.assess",
        "POST",
        lambda w: "/competences/assess",
        signed_in(302),
        setup=setup_area,
        data=lambda w: {f"level-{w.extra.area}": "2"},
    ),
    Rule(
        "competences.staff_profile",
        "GET",
        lambda w: f"/competences/staff/{w.teacher.id}",
        own_object(302, staff=200),
    ),
    Rule(
        "competences.principal_assess",
        "POST",
        lambda w: f"/competences/staff/{w.teacher.id}/assess",
        statuses(403, principal=302, principal_b=404),
        setup=setup_area,
        data=lambda w: {f"level-{w.extra.area}": "3"},
    ),
    Rule(
        "competences.unit_overview", "GET", lambda w: "/competences/units", statuses(403, **STAFF)
    ),
    Rule("competences.my_plan", "GET", lambda w: "/competences/plan", signed_in(200)),
    Rule("competences.plan_create", "POST", lambda w: "/competences/plan", signed_in(302)),
    Rule(
        "competences.plans_review",
        "GET",
        lambda w: "/competences/plans",
        statuses(403, **STAFF),
        setup=setup_submitted_plan,
    ),
    Rule(
        "competences.plan_detail",
        "GET",
        lambda w: f"/competences/plans/{w.extra.plan}",
        own_object(),
        setup=setup_plan,
    ),
    Rule(
        "competences.goal_add",
        "POST",
        lambda w: f"/competences/plans/{w.extra.plan}/goals",
        owner_only(422),
        setup=setup_plan,
        data=lambda w: {"target_level": "9"},
    ),
    Rule(
        "competences.goal_edit",
        "GET",
        lambda w: f"/competences/goals/{w.extra.goal}/edit",
        owner_only(200),
        setup=setup_plan,
    ),
    Rule(
        "competences.goal_edit",
        "POST",
        lambda w: f"/competences/goals/{w.extra.goal}/edit",
        owner_only(422),
        setup=setup_plan,
        data=lambda w: {"planned_actions": ""},
    ),
    Rule(
        "competences.goal_delete",
        "POST",
        lambda w: f"/competences/goals/{w.extra.goal}/delete",
        owner_only(302),
        setup=setup_plan,
    ),
    Rule(
        "competences.plan_submit",
        "POST",
        lambda w: f"/competences/plans/{w.extra.plan}/submit",
        owner_only(302),
        setup=setup_plan,
    ),
    Rule(
        "competences.plan_reopen",
        "POST",
        lambda w: f"/competences/plans/{w.extra.plan}/reopen",
        owner_only(302),
        setup=setup_submitted_plan,
    ),
    Rule(
        "competences.plan_decide",
        "POST",
        lambda w: f"/competences/plans/{w.extra.plan}/decide",
        decider(),
        setup=setup_submitted_plan,
        data=lambda w: {"decision": "approve"},
    ),
    # --- hours
    Rule("hours.my_transcript", "GET", lambda w: "/hours/", signed_in(200)),
    Rule(
        "hours.person_transcript",
        "GET",
        lambda w: f"/hours/people/{w.teacher.id}",
        own_object(),
        setup=setup_attended,
    ),
    Rule(
        "hours.transcript_csv",
        "GET",
        lambda w: f"/hours/people/{w.teacher.id}/transcript.csv",
        own_object(),
    ),
    # the old unit hours report leads to the HR reports (tests/access/hr_reports.py)
    Rule("hours.report", "GET", lambda w: "/hours/report", statuses(403, **MOVED)),
    Rule("hours.report_csv", "GET", lambda w: "/hours/report.csv", statuses(403, **MOVED)),
    Rule("hours.external_new", "GET", lambda w: "/hours/external/new", signed_in(200)),
    Rule(
        "hours.external_new",
        "POST",
        lambda w: "/hours/external/new",
        signed_in(422),
        data=lambda w: {"title": "X", "provider": "Y", "occurred_on": "2020-01-01", "hours": "-3"},
    ),
    Rule(
        "hours.external_review",
        "GET",
        lambda w: "/hours/external/review",
        statuses(403, **STAFF),
        setup=setup_external,
    ),
    Rule(
        "hours.external_decide",
        "POST",
        lambda w: f"/hours/external/{w.extra.entry}/decide",
        decider(),
        setup=setup_external,
        data=lambda w: {"decision": "approve"},
    ),
    # --- notifications
    Rule(
        "notifications.save_preferences",
        "POST",
        lambda w: "/notifications/preferences",
        signed_in(302),
        data=lambda w: {"kind-training.reminder": "on"},
    ),
    Rule("notifications.outbox", "GET", lambda w: "/notifications/outbox", admin_only()),
    Rule(
        "notifications.retry",
        "POST",
        lambda w: f"/notifications/outbox/{w.extra.mail}/retry",
        admin_only(302),
        setup=setup_failed_mail,
    ),
    # --- calendar
    Rule(
        "calendar.feed",
        "GET",
        lambda w: f"/calendar/feed/{w.extra.token}.ics",
        statuses(200, anon=200),
        setup=setup_feed,
    ),
    Rule(
        "calendar.feed",
        "GET",
        lambda w: "/calendar/feed/not-a-token.ics",
        statuses(404, anon=404),
        id="wrong-token",
    ),
    Rule("calendar.regenerate", "POST", lambda w: "/calendar/feed", signed_in(302)),
    Rule("calendar.revoke", "POST", lambda w: "/calendar/feed/revoke", signed_in(302)),
]
