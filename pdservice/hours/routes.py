from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from pdservice.auth.access import (
    can_reach,
    get_scoped_or_404,
    roles_required,
)
from pdservice.competences.services import active_areas
from pdservice.core.enums import Role
from pdservice.core.models import SchoolYear, User
from pdservice.core.services import current_school_year
from pdservice.errors import abort_with
from pdservice.extensions import db
from pdservice.hours import bp
from pdservice.hours.enums import ExternalStatus
from pdservice.hours.forms import ExternalDecisionForm, ExternalTrainingForm
from pdservice.hours.models import DevelopmentHours, ExternalTraining
from pdservice.hours.services import (
    HoursError,
    decide_external_training,
    pending_external,
    record_external_training,
    transcript,
)
from pdservice.report_tools.exports import Table, export_response

STAFF_ROLES = (Role.PRINCIPAL, Role.HR, Role.ADMIN)


def _years_for(user_ids: list[int] | None) -> list[SchoolYear]:
    """The school years with hours (for these people), and the current one, newest first."""
    current = current_school_year()
    query = sa.select(SchoolYear).where(
        sa.or_(
            SchoolYear.id == current.id,
            SchoolYear.id.in_(
                sa.select(DevelopmentHours.school_year_id).where(
                    DevelopmentHours.user_id.in_(user_ids) if user_ids is not None else sa.true()
                )
            ),
        )
    )
    return list(db.session.scalars(query.order_by(SchoolYear.starts_on.desc())))


def _chosen_year(years: list[SchoolYear]) -> SchoolYear:
    wanted = request.args.get("year", type=int)
    if wanted is None:
        return current_school_year()
    for year in years:
        if year.id == wanted:
            return year
    year = db.session.get(SchoolYear, wanted)
    if year is None:
        abort_with(404, _("That school year was not found."))
    return year


def _transcript_page(person: User):
    years = _years_for([person.id])
    year = _chosen_year(years)
    external = list(
        db.session.scalars(
            sa.select(ExternalTraining)
            .where(ExternalTraining.user_id == person.id)
            .order_by(ExternalTraining.occurred_on.desc())
            .limit(20)
        )
    )
    return render_template(
        "hours/transcript.html",
        person=person,
        data=transcript(person, year),
        years=years,
        year=year,
        external=external,
        own=person.id == current_user.id,
    )


@bp.route("/")
@roles_required(Role.TEACHER)
def my_transcript():
    return _transcript_page(current_user)


@bp.route("/people/<int:user_id>")
@roles_required(Role.TEACHER)
def person_transcript(user_id: int):
    person = get_scoped_or_404(User, user_id, roles=STAFF_ROLES, owner=True)
    return _transcript_page(person)


@bp.route("/people/<int:user_id>/transcript.csv")
@roles_required(Role.TEACHER)
def transcript_csv(user_id: int):
    person = get_scoped_or_404(User, user_id, roles=STAFF_ROLES, owner=True)
    year = _chosen_year(_years_for([person.id]))
    data = transcript(person, year)
    header = [
        _("Date"),
        _("What"),
        _("Kind"),
        _("Competence areas"),
        _("Hours"),
        _("School year"),
    ]
    rows = [
        [
            row.occurred_on,
            row.title,
            row.kind.label,
            ", ".join(a.code for a in row.areas),
            row.hours,
            year.name,
        ]
        for row in data.rows
    ]
    rows.append(["", _("Total"), "", "", data.total, year.name])
    rows.append(["", _("of which VESO"), "", "", data.veso_hours, year.name])
    rows.append(["", _("VESO target"), "", "", data.veso_target, year.name])
    name = f"hours-{person.id}-{year.starts_on.year}-{year.ends_on.year}"
    return export_response(Table.of(header, rows), name, "csv")


# The unit hours report moved to the HR reports (one place for every report): the old
# addresses lead there, with their unit and year.


def _to_hours_report(endpoint: str, **extra: str):
    args = {k: v for k, v in request.args.items() if k in ("unit", "year") and v}
    return redirect(url_for(endpoint, group="person", **args, **extra), code=301)


@bp.route("/report")
@roles_required(*STAFF_ROLES)
def report():
    return _to_hours_report("reports.hours")


@bp.route("/report.csv")
@roles_required(*STAFF_ROLES)
def report_csv():
    return _to_hours_report("reports.hours_export", fmt="csv")


# --- external training ----------------------------------------------------------------------


@bp.route("/external/new", methods=["GET", "POST"])
@roles_required(Role.TEACHER)
def external_new():
    form = ExternalTrainingForm()
    form.areas.choices = [(a.id, a.name) for a in active_areas()]
    if form.validate_on_submit():
        try:
            record_external_training(
                current_user,
                title=form.title.data,
                provider=form.provider.data,
                occurred_on=form.occurred_on.data,
                hours=form.hours.data,
                note=form.note.data or "",
                areas=form.areas.data or [],
            )
        except HoursError as exc:
            abort_with(422, str(exc))
        db.session.commit()
        flash(_("Recorded. The hours count once your principal or HR approves them."), "success")
        return redirect(url_for("hours.my_transcript"))
    status = 422 if request.method == "POST" else 200
    return render_template("hours/external_form.html", form=form), status


@bp.route("/external/review")
@roles_required(*STAFF_ROLES)
def external_review():
    return render_template(
        "hours/external_review.html",
        entries=pending_external(current_user),
        form=ExternalDecisionForm(),
    )


@bp.route("/external/<int:entry_id>/decide", methods=["POST"])
@roles_required(*STAFF_ROLES)
def external_decide(entry_id: int):
    entry = db.session.get(ExternalTraining, entry_id)
    if entry is None or not can_reach(current_user, entry, STAFF_ROLES):
        abort(404)
    form = ExternalDecisionForm()
    if not form.validate_on_submit():
        abort_with(
            422, _("Choose approve or reject."), {"decision": _("Choose approve or reject.")}
        )
    if entry.status != ExternalStatus.PENDING:
        abort_with(409, _("This entry has already been decided."))
    if entry.user_id == current_user.id:
        abort_with(403, _("You cannot approve your own hours."))
    approve = form.decision.data == "approve"
    try:
        decide_external_training(
            entry, approve=approve, actor=current_user, comment=form.comment.data or ""
        )
    except HoursError as exc:
        abort_with(409, str(exc))
    name = entry.user.name
    db.session.commit()
    flash(
        _("Approved: %(name)s.", name=name) if approve else _("Rejected: %(name)s.", name=name),
        "success",
    )
    return redirect(url_for("hours.external_review"))
