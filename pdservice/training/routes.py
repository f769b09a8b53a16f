"""Training pages: catalogue, sessions, enrolments, approvals, attendance, feedback."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from pdservice.auth.access import can_reach, roles_required
from pdservice.competences.services import active_areas, learner_areas
from pdservice.core.enums import Role
from pdservice.core.services import current_school_year
from pdservice.db import utcnow
from pdservice.errors import abort_with
from pdservice.extensions import db
from pdservice.report_tools.exports import Table, export_response
from pdservice.training import bp
from pdservice.training import catalogue as finder
from pdservice.training.catalogue import Filters, recommendations, search
from pdservice.training.enrolment import (
    EnrolmentRefused,
    active_enrollment,
    cancel,
    cancel_session,
    decide,
    enrol,
    mark_attendance,
    waitlist_positions,
)
from pdservice.training.enums import (
    ATTENDANCE_STATES,
    CourseFormat,
    EnrollmentStatus,
    SessionStatus,
)
from pdservice.training.forms import (
    DATE_ROWS,
    CancelForm,
    CancelSessionForm,
    ConfirmForm,
    CourseForm,
    DecisionForm,
    EnrolForm,
    FeedbackForm,
    SessionForm,
)
from pdservice.training.models import Course, CourseSession, Enrollment
from pdservice.training.services import (
    CourseData,
    SessionData,
    SessionInvalid,
    can_organize,
    feedback_summary,
    give_feedback,
    has_feedback,
    participants,
    pending_requests,
    request_counts,
    save_course,
    save_session,
    users_by_emails,
    waitlist_counts,
)
from pdservice.training.times import local, local_to_utc, to_utc

S = EnrollmentStatus


def _course_or_404(course_id: int) -> Course:
    course = db.session.get(Course, course_id)
    if course is None:
        abort_with(404, _("The course was not found."))
    return course


def _session_or_404(session_id: int) -> CourseSession:
    session = db.session.get(CourseSession, session_id)
    if session is None:
        abort_with(404, _("The session was not found."))
    return session


def _require_organizer(course: Course) -> None:
    if not can_organize(current_user, course):
        abort_with(403, _("Only the organizers of this course can do this."))


def _refused(exc: EnrolmentRefused):
    db.session.rollback()
    abort_with(exc.status, exc.message, {exc.field: exc.message} if exc.field else None)


# --- catalogue ----------------------------------------------------------------------------


def _parse_date(name: str) -> date | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        abort_with(400, _("Dates are written as YYYY-MM-DD."))


@bp.route("/")
@roles_required(Role.TEACHER)
def catalogue():
    fmt = request.args.get("format", "")
    filters = Filters(
        q=request.args.get("q", "").strip()[:200],
        area_id=request.args.get("area", type=int),
        date_from=_parse_date("from"),
        date_to=_parse_date("to"),
        format=CourseFormat(fmt) if fmt in {f.value for f in CourseFormat} else None,
        free_only=request.args.get("free") == "1",
        my_goals=request.args.get("goals") == "1",
        page=max(1, request.args.get("page", 1, type=int)),
    )
    year = current_school_year()
    areas = learner_areas(current_user, year)
    result = search(filters, current_user, year, areas)
    show_recommendations = filters.page == 1 and not request.args
    return render_template(
        "training/catalogue.html",
        result=result,
        filters=filters,
        areas=active_areas(),
        formats=CourseFormat,
        recommended=recommendations(current_user, year, areas=areas)
        if show_recommendations
        else [],
        args={k: v for k, v in request.args.items() if k != "page"},
    )


@bp.route("/my")
@roles_required(Role.TEACHER)
def my_enrolments():
    upcoming, past = finder.my_enrolments(current_user)
    return render_template(
        "training/my_enrolments.html", upcoming=upcoming, past=past, confirm=CancelForm()
    )


# --- courses ------------------------------------------------------------------------------


@bp.route("/courses/<int:course_id>")
@roles_required(Role.TEACHER)
def course_detail(course_id: int):
    course = _course_or_404(course_id)
    organizer = can_organize(current_user, course)
    if not course.active and not organizer:
        abort_with(404, _("The course was not found."))
    sessions = course.sessions
    ids = [s.id for s in sessions]
    mine = {
        e.session_id: e
        for e in db.session.scalars(
            sa.select(Enrollment).where(
                Enrollment.user_id == current_user.id,
                Enrollment.session_id.in_(ids or [-1]),
                Enrollment.status.not_in((S.CANCELLED, S.REJECTED)),
            )
        )
    }
    return render_template(
        "training/course_detail.html",
        course=course,
        sessions=sessions,
        waitlists=waitlist_counts(ids),
        requests=request_counts(ids) if organizer else {},
        mine=mine,
        organizer=organizer,
        feedback=feedback_summary(course) if organizer else None,
    )


def _course_form(course: Course | None) -> CourseForm:
    form = CourseForm(obj=course)
    form.areas.choices = [(a.id, a.name) for a in active_areas()]
    if request.method == "GET" and course is not None:
        form.areas.data = [a.id for a in course.areas]
        form.audience.data = [str(p) for p in course.professions]
        form.owners.data = "\n".join(u.email for u in course.owners)
        form.format.data = str(course.format)
    return form


def _course_data(form: CourseForm) -> CourseData | None:
    emails = (form.owners.data or "").replace(",", "\n").replace(";", "\n").splitlines()
    owners, unknown = users_by_emails(emails)
    if unknown:
        form.owners.errors = list(form.owners.errors) + [
            _("No user has these addresses: %(emails)s", emails=", ".join(unknown))
        ]
        return None
    from pdservice.core.enums import Profession

    return CourseData(
        title=form.title.data,
        description=(form.description.data or "").strip(),
        provider=(form.provider.data or "").strip(),
        format=CourseFormat(form.format.data),
        hours_credited=form.hours_credited.data,
        veso_eligible=bool(form.veso_eligible.data),
        cost_eur=form.cost_eur.data or Decimal(0),
        approval_required=bool(form.approval_required.data),
        active=bool(form.active.data),
        area_ids=list(form.areas.data or []),
        professions=[Profession(p) for p in form.audience.data or []],
        owner_ids=[u.id for u in owners],
    )


@bp.route("/courses/new", methods=["GET", "POST"])
@roles_required(Role.HR, Role.ADMIN)
def course_new():
    form = _course_form(None)
    if form.validate_on_submit():
        data = _course_data(form)
        if data is not None:
            course = save_course(None, data, actor=current_user)
            db.session.commit()
            flash(_("The course was created. Add its sessions next."), "success")
            return redirect(url_for("training.course_detail", course_id=course.id))
    status = 422 if request.method == "POST" else 200
    return render_template("training/course_form.html", form=form, course=None), status


@bp.route("/courses/<int:course_id>/edit", methods=["GET", "POST"])
@roles_required(Role.TEACHER)
def course_edit(course_id: int):
    course = _course_or_404(course_id)
    _require_organizer(course)
    form = _course_form(course)
    if form.validate_on_submit():
        data = _course_data(form)
        if data is not None:
            save_course(course, data, actor=current_user)
            db.session.commit()
            flash(_("Changes saved."), "success")
            return redirect(url_for("training.course_detail", course_id=course.id))
    status = 422 if request.method == "POST" else 200
    return render_template("training/course_form.html", form=form, course=course), status


@bp.route("/courses/<int:course_id>/feedback")
@roles_required(Role.TEACHER)
def course_feedback(course_id: int):
    course = _course_or_404(course_id)
    _require_organizer(course)
    return render_template(
        "training/course_feedback.html", course=course, summary=feedback_summary(course)
    )


@bp.route("/manage")
@roles_required(Role.TEACHER)
def manage():
    """The courses the reader organizes (HR and admins: every course)."""
    query = sa.select(Course).order_by(Course.active.desc(), Course.title)
    if not can_organize(current_user):
        from pdservice.training.models import course_owner

        query = query.join(course_owner, course_owner.c.course_id == Course.id).where(
            course_owner.c.user_id == current_user.id
        )
    courses = list(
        db.session.scalars(
            query.options(sa.orm.selectinload(Course.sessions), sa.orm.selectinload(Course.areas))
        )
    )
    session_ids = [s.id for c in courses for s in c.sessions]
    waits, requests = waitlist_counts(session_ids), request_counts(session_ids)
    totals = {
        c.id: (
            sum(waits.get(s.id, 0) for s in c.sessions),
            sum(requests.get(s.id, 0) for s in c.sessions),
        )
        for c in courses
    }
    return render_template(
        "training/manage.html",
        courses=courses,
        totals=totals,
        can_create=can_organize(current_user),
    )


# --- sessions -----------------------------------------------------------------------------


def _session_form(session: CourseSession | None) -> SessionForm:
    form = SessionForm()
    if request.method == "GET" and session is not None:
        form = SessionForm(obj=session)
        form.enrol_opens_at.data = local(session.enrol_opens_at).replace(tzinfo=None)
        form.enrol_closes_at.data = local(session.enrol_closes_at).replace(tzinfo=None)
        form.cancel_cutoff_at.data = local(session.cancel_cutoff_at).replace(tzinfo=None)
        while len(form.dates.entries):
            form.dates.pop_entry()
        for day in session.dates:
            start, end = local(day.starts_at), local(day.ends_at)
            form.dates.append_entry({"day": start.date(), "start": start.time(), "end": end.time()})
        while len(form.dates.entries) < max(DATE_ROWS, len(session.dates) + 2):
            form.dates.append_entry()
    return form


def _session_data(form: SessionForm) -> SessionData:
    dates = [
        (
            to_utc(row.form.day.data, row.form.start.data),
            to_utc(row.form.day.data, row.form.end.data),
        )
        for row in form.dates.entries
        if not row.form.is_blank
    ]

    def utc(value):
        return local_to_utc(value) if value else None

    return SessionData(
        location=form.location.data or "",
        online_url=form.online_url.data or "",
        capacity=form.capacity.data,
        waitlist_limit=form.waitlist_limit.data,
        dates=dates,
        enrol_opens_at=utc(form.enrol_opens_at.data),
        enrol_closes_at=utc(form.enrol_closes_at.data),
        cancel_cutoff_at=utc(form.cancel_cutoff_at.data),
    )


def _apply_errors(form: SessionForm, errors: dict[str, str]) -> None:
    for name, message in errors.items():
        target = getattr(form, name, None)
        if target is not None:
            target.errors = list(target.errors) + [message]


def _save_session_view(course: Course, session: CourseSession | None):
    form = _session_form(session)
    if form.validate_on_submit():
        try:
            saved = save_session(course, session, _session_data(form), actor=current_user)
        except SessionInvalid as exc:
            db.session.rollback()
            _apply_errors(form, exc.errors)
        except EnrolmentRefused as exc:
            _refused(exc)
        else:
            db.session.commit()
            flash(_("The session was saved."), "success")
            return redirect(url_for("training.session_detail", session_id=saved.id))
    status = 422 if request.method == "POST" else 200
    return (
        render_template("training/session_form.html", form=form, course=course, session=session),
        status,
    )


@bp.route("/courses/<int:course_id>/sessions/new", methods=["GET", "POST"])
@roles_required(Role.TEACHER)
def session_new(course_id: int):
    course = _course_or_404(course_id)
    _require_organizer(course)
    return _save_session_view(course, None)


@bp.route("/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@roles_required(Role.TEACHER)
def session_edit(session_id: int):
    session = _session_or_404(session_id)
    _require_organizer(session.course)
    if session.status == SessionStatus.CANCELLED:
        abort_with(409, _("A cancelled session cannot be changed."))
    return _save_session_view(session.course, session)


def _render_session(session: CourseSession, *, form=None, error: str | None = None, status=200):
    mine = active_enrollment(session.id, current_user.id)
    position = (
        waitlist_positions([mine.id]).get(mine.id)
        if mine is not None and mine.status == S.WAITLISTED
        else None
    )
    return (
        render_template(
            "training/session_detail.html",
            session=session,
            course=session.course,
            mine=mine,
            position=position,
            waitlist=waitlist_counts([session.id]).get(session.id, 0),
            form=form or EnrolForm(),
            cancel_form=CancelForm(),
            cancel_session_form=CancelSessionForm(),
            organizer=can_organize(current_user, session.course),
            error=error,
            now=utcnow(),
        ),
        status,
    )


@bp.route("/sessions/<int:session_id>")
@roles_required(Role.TEACHER)
def session_detail(session_id: int):
    session = _session_or_404(session_id)
    if not session.course.active and not can_organize(current_user, session.course):
        abort_with(404, _("The session was not found."))
    return _render_session(session)


@bp.route("/sessions/<int:session_id>/enrol", methods=["POST"])
@roles_required(Role.TEACHER)
def enrol_view(session_id: int):
    session = _session_or_404(session_id)
    form = EnrolForm()
    if not form.validate_on_submit():
        return _render_session(session, form=form, status=422)
    try:
        try:
            enrollment = enrol(session.id, current_user, reason=form.reason.data or "")
        except IntegrityError as exc:  # the database's own guard: one active enrolment
            raise EnrolmentRefused(_("You are already enrolled in this session.")) from exc
    except EnrolmentRefused as exc:
        db.session.rollback()
        if exc.field == "reason":
            form.reason.errors = list(form.reason.errors) + [exc.message]
        return _render_session(
            _session_or_404(session_id), form=form, error=exc.message, status=exc.status
        )
    status, enrollment_id = enrollment.status, enrollment.id
    db.session.commit()  # the session's lock is released here; the rest reads
    position = (
        waitlist_positions([enrollment_id]).get(enrollment_id) if status == S.WAITLISTED else None
    )
    if status == S.BOOKED:
        flash(_("You have a seat. A confirmation with a calendar file is on its way."), "success")
    elif status == S.WAITLISTED:
        flash(
            _(
                "The session is full: you are number %(position)d of %(length)d on the waiting "
                "list. You get a seat automatically if one frees up.",
                position=position[0],
                length=position[1],
            ),
            "success",
        )
    else:
        flash(_("Your request was sent to your principal for approval."), "success")
    return redirect(url_for("training.session_detail", session_id=session_id))


@bp.route("/sessions/<int:session_id>/cancel", methods=["POST"])
@roles_required(Role.TEACHER)
def session_cancel(session_id: int):
    session = _session_or_404(session_id)
    _require_organizer(session.course)
    form = CancelSessionForm()
    if not form.validate_on_submit():
        return _render_session(
            session, error=_("Give the reason for cancelling; it is sent to everyone."), status=422
        )
    try:
        cancel_session(session.id, actor=current_user, reason=form.reason.data)
    except EnrolmentRefused as exc:
        _refused(exc)
    db.session.commit()
    flash(_("The session was cancelled and everyone enrolled will be told."), "success")
    return redirect(url_for("training.session_detail", session_id=session_id))


# --- participants and attendance ------------------------------------------------------------


@bp.route("/sessions/<int:session_id>/participants")
@roles_required(Role.TEACHER)
def participants_view(session_id: int):
    session = _session_or_404(session_id)
    _require_organizer(session.course)
    return render_template(
        "training/participants.html",
        session=session,
        course=session.course,
        rows=participants(session),
        form=ConfirmForm(),
        can_mark=utcnow() >= session.starts_at and session.status == SessionStatus.SCHEDULED,
        attendance_states=[S.ATTENDED, S.PARTLY_ATTENDED, S.NO_SHOW],
    )


@bp.route("/sessions/<int:session_id>/attendance", methods=["POST"])
@roles_required(Role.TEACHER)
def attendance(session_id: int):
    session = _session_or_404(session_id)
    _require_organizer(session.course)
    if not ConfirmForm().validate_on_submit():
        abort_with(400, _("The form had expired. Please try again."))
    enrollments = {
        e.id: e
        for e in db.session.scalars(
            sa.select(Enrollment).where(
                Enrollment.session_id == session.id,
                Enrollment.status.in_({S.BOOKED, *ATTENDANCE_STATES}),
            )
        )
    }
    marks = []
    errors: dict[str, str] = {}
    for key, value in request.form.items():
        if not key.startswith("outcome-") or not value:
            continue
        try:
            enrollment_id = int(key.removeprefix("outcome-"))
            outcome = S(value)
        except ValueError:
            abort_with(422, _("The attendance form was not understood."))
        enrollment = enrollments.get(enrollment_id)
        if enrollment is None:
            abort_with(409, _("Only booked participants can be marked."))
        raw_hours = request.form.get(f"hours-{enrollment_id}", "").strip().replace(",", ".")
        hours = None
        if outcome == S.PARTLY_ATTENDED:
            try:
                hours = Decimal(raw_hours) if raw_hours else None
            except InvalidOperation:
                hours = None
                errors[enrollment.user.name] = _("Give the hours as a number.")
        marks.append((enrollment, outcome, hours))
    if errors:
        abort_with(422, "; ".join(f"{k}: {v}" for k, v in errors.items()), errors)
    changed = 0
    for enrollment, outcome, hours in marks:
        try:
            changed += mark_attendance(enrollment, outcome, actor=current_user, hours=hours)
        except EnrolmentRefused as exc:
            db.session.rollback()
            abort_with(exc.status, f"{enrollment.user.name}: {exc.message}", {"hours": exc.message})
    db.session.commit()
    flash(_("Attendance saved (%(n)d changes).", n=changed), "success")
    return redirect(url_for("training.participants_view", session_id=session_id))


def _participant_table(session: CourseSession) -> tuple[list[str], list[list]]:
    header = [
        _("Name"),
        _("Email"),
        _("Units"),
        _("Profession"),
        _("Status"),
        _("Place on the waiting list"),
        _("Enrolled"),
        _("Hours credited"),
    ]
    rows = []
    for row in participants(session):
        e = row.enrollment
        rows.append(
            [
                row.user.name,
                row.user.email,
                ", ".join(row.units),
                row.user.profession.label,
                e.status.label,
                row.position,
                e.created_at,
                e.hours_attended,
            ]
        )
    return header, rows


def _export_name(session: CourseSession) -> str:
    start = local(session.starts_at).strftime("%Y-%m-%d")
    return f"participants-{session.id}-{start}"


@bp.route("/sessions/<int:session_id>/participants.csv")
@roles_required(Role.TEACHER)
def participants_csv(session_id: int):
    session = _session_or_404(session_id)
    _require_organizer(session.course)
    header, rows = _participant_table(session)
    table = Table.of(header, rows, _("Participants"))
    return export_response(table, _export_name(session), "csv")


@bp.route("/sessions/<int:session_id>/participants.xlsx")
@roles_required(Role.TEACHER)
def participants_xlsx(session_id: int):
    session = _session_or_404(session_id)
    _require_organizer(session.course)
    header, rows = _participant_table(session)
    table = Table.of(header, rows, _("Participants"))
    return export_response(table, _export_name(session), "xlsx")


# --- enrolments -----------------------------------------------------------------------------


def _enrollment_or_404(enrollment_id: int, *, roles=(Role.PRINCIPAL, Role.HR, Role.ADMIN)):
    enrollment = db.session.get(Enrollment, enrollment_id)
    if enrollment is None:
        abort(404)
    if can_reach(current_user, enrollment, roles, owner=True):
        return enrollment
    if can_organize(current_user, enrollment.session.course):
        return enrollment
    abort(404)


@bp.route("/enrolments/<int:enrollment_id>")
@roles_required(Role.TEACHER)
def enrolment_detail(enrollment_id: int):
    enrollment = _enrollment_or_404(enrollment_id)
    position = (
        waitlist_positions([enrollment.id]).get(enrollment.id)
        if enrollment.status == S.WAITLISTED
        else None
    )
    can_decide = (
        enrollment.status == S.REQUESTED
        and enrollment.user_id != current_user.id
        and can_reach(current_user, enrollment, (Role.PRINCIPAL, Role.HR, Role.ADMIN))
    )
    return render_template(
        "training/enrolment_detail.html",
        enrollment=enrollment,
        session=enrollment.session,
        course=enrollment.session.course,
        position=position,
        can_decide=can_decide,
        decision_form=DecisionForm(),
        cancel_form=CancelForm(),
    )


@bp.route("/enrolments/<int:enrollment_id>/cancel", methods=["POST"])
@roles_required(Role.TEACHER)
def enrolment_cancel(enrollment_id: int):
    enrollment = db.session.get(Enrollment, enrollment_id)
    if enrollment is None or enrollment.user_id != current_user.id:
        abort(404)
    form = CancelForm()
    if not form.validate_on_submit():
        abort_with(422, _("The reason is too long."))
    try:
        cancel(enrollment, actor=current_user, reason=form.reason.data or "")
    except EnrolmentRefused as exc:
        _refused(exc)
    db.session.commit()
    flash(_("Your enrolment was cancelled."), "success")
    return redirect(url_for("training.my_enrolments"))


@bp.route("/enrolments/<int:enrollment_id>/decide", methods=["POST"])
@roles_required(Role.PRINCIPAL, Role.HR, Role.ADMIN)
def enrolment_decide(enrollment_id: int):
    enrollment = db.session.get(Enrollment, enrollment_id)
    if enrollment is None or not can_reach(
        current_user, enrollment, (Role.PRINCIPAL, Role.HR, Role.ADMIN)
    ):
        abort(404)
    form = DecisionForm()
    if not form.validate_on_submit():
        abort_with(
            422, _("Choose approve or reject."), {"decision": _("Choose approve or reject.")}
        )
    approve = form.decision.data == "approve"
    try:
        decide(enrollment, approve=approve, actor=current_user, comment=form.comment.data or "")
    except EnrolmentRefused as exc:
        _refused(exc)
    name = enrollment.user.name
    db.session.commit()
    flash(
        _("Approved: %(name)s.", name=name) if approve else _("Rejected: %(name)s.", name=name),
        "success",
    )
    return redirect(_local_target(request.form.get("next")) or url_for("training.approvals"))


def _local_target(target: str | None) -> str | None:
    """Only paths on this site (never another site's address) are followed."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


@bp.route("/approvals")
@roles_required(Role.PRINCIPAL, Role.HR, Role.ADMIN)
def approvals():
    return render_template(
        "training/approvals.html",
        requests=pending_requests(current_user),
        form=DecisionForm(),
        now=utcnow(),
    )


@bp.route("/enrolments/<int:enrollment_id>/feedback", methods=["GET", "POST"])
@roles_required(Role.TEACHER)
def feedback(enrollment_id: int):
    enrollment = db.session.get(Enrollment, enrollment_id)
    if enrollment is None or enrollment.user_id != current_user.id:
        abort(404)
    form = FeedbackForm()
    status = 200
    if form.validate_on_submit():
        try:
            give_feedback(enrollment, rating=int(form.rating.data), comment=form.comment.data or "")
        except EnrolmentRefused as exc:
            _refused(exc)
        db.session.commit()
        flash(_("Thank you for your feedback."), "success")
        return redirect(url_for("training.my_enrolments"))
    if request.method == "POST":
        status = 422
    elif enrollment.status not in {S.ATTENDED, S.PARTLY_ATTENDED}:
        abort_with(403, _("Only participants who attended can give feedback."))
    elif has_feedback([enrollment.id]):
        abort_with(409, _("You have already given feedback on this training."))
    return (
        render_template(
            "training/feedback_form.html",
            form=form,
            enrollment=enrollment,
            course=enrollment.session.course,
        ),
        status,
    )
