"""Team pages: the list, a team with its meetings, editing, and finding a meeting slot."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from pdservice.auth.access import (
    can_reach,
    get_scoped_or_404,
    roles_required,
    scoped_unit_ids,
)
from pdservice.core.enums import Role
from pdservice.core.models import Unit
from pdservice.errors import abort_with
from pdservice.extensions import db
from pdservice.teams import bp
from pdservice.teams.enums import TeamKind
from pdservice.teams.forms import ClearMeetingForm, ConfirmForm, MeetingForm, TeamForm
from pdservice.teams.models import Team
from pdservice.teams.services import (
    TeamError,
    clear_meeting,
    delete_team,
    find_slots,
    meeting_window,
    save_team,
    teams_of,
)
from pdservice.teams.services import set_meeting as set_team_meeting
from pdservice.timetable.models import PeriodSlot, Term
from pdservice.timetable.services import current_term, terms_of, unit_staff

MANAGERS = (Role.PRINCIPAL, Role.ADMIN)
VIEWERS = (Role.TEACHER, Role.PRINCIPAL, Role.ADMIN)


def can_manage(obj) -> bool:
    return can_reach(current_user, obj, MANAGERS)


@bp.route("/")
@roles_required(Role.TEACHER)
def index():
    teams = teams_of(scoped_unit_ids(current_user, roles=VIEWERS))
    managed: list[Unit] = []
    if current_user.has_role(*MANAGERS):
        query = sa.select(Unit).order_by(Unit.name)
        unit_ids = scoped_unit_ids(current_user, roles=MANAGERS)
        if unit_ids is not None:
            query = query.where(Unit.id.in_(unit_ids))
        managed = list(db.session.scalars(query))
    return render_template(
        "teams/index.html", teams=teams, managed_units=managed, can_manage=can_manage
    )


def _team_form(unit_id: int, team: Team | None) -> TeamForm:
    form = TeamForm(obj=team) if team is not None else TeamForm()
    staff = unit_staff(unit_id)
    form.members.choices = [(u.id, f"{u.name} ({u.profession.label})") for u in staff]
    if request.method == "GET" and team is not None:
        form.members.data = team.member_ids
        form.kind.data = str(team.kind)
    return form


def _save(form: TeamForm, unit_id: int, team: Team | None):
    try:
        return save_team(
            team,
            unit_id=unit_id,
            name=form.name.data,
            kind=TeamKind(form.kind.data),
            meeting_slots=form.meeting_slots.data,
            needs_meeting=bool(form.needs_meeting.data),
            member_ids=list(form.members.data or []),
            staff_ids={u.id for u in unit_staff(unit_id)},
            actor=current_user,
        )
    except TeamError as exc:
        getattr(form, exc.field).errors.append(exc.message)
        return None


@bp.route("/units/<int:unit_id>/new", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def new(unit_id: int):
    unit = get_scoped_or_404(Unit, unit_id, roles=MANAGERS)
    form = _team_form(unit.id, None)
    status = 200
    if form.validate_on_submit():
        team = _save(form, unit.id, None)
        if team is not None:
            db.session.commit()
            flash(_("Team %(name)s created.", name=team.name), "success")
            return redirect(url_for("teams.detail", team_id=team.id))
        status = 409
    elif request.method == "POST":
        status = 422
    return render_template("teams/form.html", form=form, unit=unit, team=None), status


@bp.route("/<int:team_id>/edit", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def edit(team_id: int):
    team = get_scoped_or_404(Team, team_id, roles=MANAGERS)
    form = _team_form(team.unit_id, team)
    status = 200
    if form.validate_on_submit():
        if _save(form, team.unit_id, team) is not None:
            db.session.commit()
            flash(_("Changes saved."), "success")
            return redirect(url_for("teams.detail", team_id=team.id))
        status = 409
    elif request.method == "POST":
        status = 422
    return render_template("teams/form.html", form=form, unit=team.unit, team=team), status


@bp.route("/<int:team_id>/delete", methods=["POST"])
@roles_required(*MANAGERS)
def delete(team_id: int):
    team = get_scoped_or_404(Team, team_id, roles=MANAGERS)
    if not ConfirmForm().validate_on_submit():
        abort_with(400, _("The form had expired. Please try again."))
    name = team.name
    delete_team(team, current_user)
    db.session.commit()
    flash(_("Team %(name)s deleted.", name=name), "success")
    return redirect(url_for("teams.index"))


def _term_of(team: Team, term_id: int | None) -> Term | None:
    if term_id:
        term = db.session.get(Term, term_id)
        if term is None or term.unit_id != team.unit_id:
            abort(404)
        return term
    return current_term(team.unit_id)


@bp.route("/<int:team_id>")
@roles_required(Role.TEACHER)
def detail(team_id: int):
    team = get_scoped_or_404(Team, team_id, roles=VIEWERS)
    meetings = []
    for meeting in sorted(team.meetings, key=lambda m: m.term.starts_on, reverse=True):
        meetings.append(
            (
                meeting,
                meeting_window(meeting, published=True),
                meeting_window(meeting, published=False),
            )
        )
    return render_template(
        "teams/detail.html",
        team=team,
        meetings=meetings,
        terms=terms_of({team.unit_id}),
        can_manage=can_manage(team),
        confirm_form=ConfirmForm(),
        clear_form=ClearMeetingForm(),
    )


@bp.route("/<int:team_id>/find-slot")
@roles_required(*MANAGERS)
def find_slot(team_id: int):
    team = get_scoped_or_404(Team, team_id, roles=MANAGERS)
    term = _term_of(team, request.args.get("term", type=int))
    if term is None:
        abort_with(404, _("The unit has no term yet."))
    return render_template(
        "teams/find_slot.html",
        team=team,
        term=term,
        terms=terms_of({team.unit_id}),
        search=find_slots(team, term),
        form=MeetingForm(),
        current=team.meeting_for(term.id),
    )


@bp.route("/<int:team_id>/meeting", methods=["POST"])
@roles_required(*MANAGERS)
def set_meeting(team_id: int):
    team = get_scoped_or_404(Team, team_id, roles=MANAGERS)
    form = MeetingForm()
    if not form.validate_on_submit():
        abort_with(422, _("Choose a time from the list."), fields=form.errors)
    term = _term_of(team, form.term_id.data)
    slot = db.session.get(PeriodSlot, form.slot_id.data)
    if slot is None or slot.term_id != term.id:
        abort(404)
    try:
        set_team_meeting(team, term, slot, current_user)
    except TeamError as exc:
        db.session.rollback()
        abort_with(409, exc.message)
    db.session.commit()
    flash(_("The meeting is set and published to the members' timetables."), "success")
    return redirect(url_for("teams.detail", team_id=team.id))


@bp.route("/<int:team_id>/meeting/clear", methods=["POST"])
@roles_required(*MANAGERS)
def meeting_clear(team_id: int):
    team = get_scoped_or_404(Team, team_id, roles=MANAGERS)
    form = ClearMeetingForm()
    if not form.validate_on_submit():
        abort_with(422, _("The form had expired. Please try again."))
    term = _term_of(team, form.term_id.data)
    if not clear_meeting(team, term, current_user):
        abort(404)
    db.session.commit()
    flash(_("The meeting was removed."), "success")
    return redirect(url_for("teams.detail", team_id=team.id))
