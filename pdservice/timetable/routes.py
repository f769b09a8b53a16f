"""Timetable pages: terms, imports, the week of the unit, a teacher and a group, exports."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from flask import (
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from pdservice.auth.access import (
    can_reach,
    get_scoped_or_404,
    roles_required,
    scoped_unit_ids,
)
from pdservice.core.enums import Role
from pdservice.core.models import Unit, User
from pdservice.core.services import audit, diff
from pdservice.errors import abort_with
from pdservice.extensions import db
from pdservice.report_tools.exports import FORMATS, Column, Table, export_response
from pdservice.timetable import bp
from pdservice.timetable.formats.xhstt_file import current_matching, teacher_matching
from pdservice.timetable.forms import NEW_TERM, ImportForm, TermForm
from pdservice.timetable.grid import day_name
from pdservice.timetable.import_file import import_timetable
from pdservice.timetable.models import Group, Term
from pdservice.timetable.replace import TimetableLocked
from pdservice.timetable.services import (
    create_term,
    current_term,
    find_term,
    is_unit_member,
    terms_of,
)
from pdservice.timetable.weeks import (
    COTEACHING,
    LESSON,
    MEETING,
    Week,
    group_week,
    teacher_week,
    term_groups,
    term_teachers,
    unit_week,
)

MANAGERS = (Role.PRINCIPAL, Role.ADMIN)
VIEWERS = (Role.TEACHER, Role.PRINCIPAL, Role.ADMIN)
EXAMPLE_CSV = Path(__file__).resolve().parents[2] / "examples" / "timetable" / "example.csv"


def can_manage(term_or_unit) -> bool:
    return can_reach(current_user, term_or_unit, MANAGERS)


@bp.route("/")
@roles_required(Role.TEACHER)
def index():
    units_query = sa.select(Unit).order_by(Unit.name)
    unit_ids = scoped_unit_ids(current_user, roles=VIEWERS)
    if unit_ids is not None:
        units_query = units_query.where(Unit.id.in_(unit_ids))
    units = list(db.session.scalars(units_query))
    terms = terms_of({u.id for u in units})
    by_unit: dict[int, list[Term]] = {}
    for term in terms:
        by_unit.setdefault(term.unit_id, []).append(term)
    return render_template(
        "timetable/index.html", units=units, terms=by_unit, can_manage=can_manage
    )


@bp.route("/mine")
@roles_required(Role.TEACHER)
def mine():
    """The signed-in person's week in the current term of their (first) unit."""
    for membership in sorted(current_user.memberships, key=lambda m: m.unit.name):
        term = current_term(membership.unit_id)
        if term is not None and term.has_timetable:
            return redirect(url_for("timetable.teacher", term_id=term.id, user_id=current_user.id))
    return render_template("timetable/no_timetable.html")


@bp.route("/units/<int:unit_id>/terms/new", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def term_new(unit_id: int):
    unit = get_scoped_or_404(Unit, unit_id, roles=MANAGERS)
    form = TermForm()
    status = 200
    if form.validate_on_submit():
        if find_term(unit, form.name.data) is not None:
            form.name.errors.append(_("The unit already has a term with this name."))
            status = 409
        else:
            term = create_term(unit, form.name.data, form.starts_on.data, form.ends_on.data)
            db.session.commit()
            flash(_("Term %(name)s created.", name=term.name), "success")
            return redirect(url_for("timetable.term", term_id=term.id))
    elif request.method == "POST":
        status = 422
    return render_template("timetable/term_form.html", form=form, unit=unit, term=None), status


@bp.route("/terms/<int:term_id>/edit", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def term_edit(term_id: int):
    term = get_scoped_or_404(Term, term_id, roles=MANAGERS)
    form = TermForm(obj=term)
    status = 200
    if form.validate_on_submit():
        other = find_term(term.unit, form.name.data)
        if other is not None and other.id != term.id:
            form.name.errors.append(_("The unit already has a term with this name."))
            status = 409
        else:
            values = {
                "name": form.name.data.strip(),
                "starts_on": form.starts_on.data,
                "ends_on": form.ends_on.data,
            }
            changes = diff(term, list(values), values)
            for key, value in values.items():
                setattr(term, key, value)
            if changes:
                audit("term.updated", term, unit_id=term.unit_id, changes=changes)
            db.session.commit()
            flash(_("Changes saved."), "success")
            return redirect(url_for("timetable.term", term_id=term.id))
    elif request.method == "POST":
        status = 422
    return render_template("timetable/term_form.html", form=form, unit=term.unit, term=term), status


@bp.route("/units/<int:unit_id>/import", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def import_file(unit_id: int):
    unit = get_scoped_or_404(Unit, unit_id, roles=MANAGERS)
    form = ImportForm()
    terms = terms_of({unit.id})
    form.term.choices = [(str(t.id), t.name) for t in terms] + [(NEW_TERM, _("A new term"))]
    if request.method == "GET" and request.args.get("term"):
        form.term.data = request.args["term"]
        chosen = next((t for t in terms if str(t.id) == form.term.data), None)
        if chosen is not None:
            form.teachers.data = current_matching(chosen)
    outcome, status = None, 200
    if form.validate_on_submit():
        term = _import_target(unit, form)
        if term is not None:
            upload = form.file.data
            try:
                outcome = import_timetable(
                    unit,
                    term,
                    upload.read(),
                    upload.filename or "timetable.csv",
                    solution=form.solution.data or 1,
                    matching=form.teachers.data,
                    actor=current_user,
                )
            except TimetableLocked as exc:
                db.session.rollback()
                abort_with(409, str(exc))
            if outcome.ok:
                db.session.commit()
                counts = outcome.report.counts
                flash(
                    _(
                        "Timetable imported: %(lessons)d lessons of %(groups)d groups on "
                        "%(periods)d periods a week.",
                        lessons=counts["lessons"],
                        groups=counts["groups"],
                        periods=counts["periods"],
                    ),
                    "success",
                )
                for note in outcome.report.notes:
                    flash(note, "info")
                return redirect(url_for("timetable.term", term_id=term.id))
            db.session.rollback()
            status = 422
        else:
            status = 422
    elif request.method == "POST":
        status = 422
    return (
        render_template(
            "timetable/import.html", form=form, unit=unit, outcome=outcome, terms=terms
        ),
        status,
    )


def _import_target(unit: Unit, form: ImportForm) -> Term | None:
    if form.term.data == NEW_TERM:
        name = (form.new_term.data or "").strip()
        if not name:
            form.new_term.errors.append(_("Give the new term a name."))
            return None
        return find_term(unit, name) or create_term(unit, name)
    term = db.session.get(Term, int(form.term.data))
    if term is None or term.unit_id != unit.id:
        form.term.errors.append(_("Choose one of the unit's terms."))
        return None
    return term


def _viewable_term(term_id: int) -> Term:
    return get_scoped_or_404(Term, term_id, roles=VIEWERS)


@bp.route("/terms/<int:term_id>")
@roles_required(Role.TEACHER)
def term(term_id: int):
    term = _viewable_term(term_id)
    week = unit_week(term)
    manages = can_manage(term)
    return render_template(
        "timetable/week.html",
        term=term,
        week=week,
        mode="unit",
        title=_("%(unit)s: the week", unit=term.unit.name),
        teachers=term_teachers(term),
        groups=term_groups(term),
        export_args={"term_id": term.id},
        can_manage=manages,
        matching=teacher_matching(term) if manages else [],
    )


@bp.route("/terms/<int:term_id>/teachers/<int:user_id>")
@roles_required(Role.TEACHER)
def teacher(term_id: int, user_id: int):
    term = _viewable_term(term_id)
    user = _term_person(term, user_id)
    return render_template(
        "timetable/week.html",
        term=term,
        week=teacher_week(term, user),
        mode="teacher",
        person=user,
        title=_("%(name)s: the week", name=user.name),
        export_args={"term_id": term.id, "teacher": user.id},
        can_manage=can_manage(term),
    )


def _term_person(term: Term, user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or not (
        is_unit_member(user.id, term.unit_id) or any(t.id == user.id for t in term_teachers(term))
    ):
        abort(404)
    return user


def _term_group(term: Term, group_id: int) -> Group:
    group = db.session.get(Group, group_id)
    if group is None or group.term_id != term.id:
        abort(404)
    return group


@bp.route("/terms/<int:term_id>/groups/<int:group_id>")
@roles_required(Role.TEACHER)
def group(term_id: int, group_id: int):
    term = _viewable_term(term_id)
    group = _term_group(term, group_id)
    return render_template(
        "timetable/week.html",
        term=term,
        week=group_week(term, group),
        mode="group",
        group=group,
        title=_("Group %(code)s: the week", code=group.code),
        export_args={"term_id": term.id, "group": group.id},
        can_manage=can_manage(term),
    )


def export_columns() -> list[Column]:
    return [
        Column("day", _("Day")),
        Column("period", _("Period"), "number"),
        Column("start", _("Starts")),
        Column("end", _("Ends")),
        Column("kind", _("Kind")),
        Column("group", _("Group")),
        Column("subject", _("Subject")),
        Column("teacher", _("Teacher")),
        Column("coteachers", _("Co-teachers")),
        Column("room", _("Room")),
        Column("team", _("Team")),
        Column("members", _("Members")),
        Column("lesson", _("Lesson id")),
    ]


def week_table(week: Week, title: str) -> Table:
    """The week as the export's rows: one per entry and period."""
    kinds = {LESSON: _("lesson"), COTEACHING: _("co-teaching"), MEETING: _("team meeting")}
    rows = []
    for entry in week.sorted_entries():
        lesson = entry.lesson
        rows.append(
            {
                "day": day_name(entry.slot.day),
                "period": entry.slot.index,
                "start": entry.slot.starts_at.strftime("%H:%M"),
                "end": entry.slot.ends_at.strftime("%H:%M"),
                "kind": kinds[entry.kind],
                "group": lesson.group_codes if lesson else "",
                "subject": lesson.subject.name if lesson else "",
                "teacher": lesson.teacher.name if lesson else "",
                "coteachers": ", ".join(u.name for u in entry.coteachers),
                "room": (lesson.room or "") if lesson else "",
                "team": entry.team_name or "",
                "members": ", ".join(u.name for u in entry.members),
                "lesson": lesson.code if lesson else "",
            }
        )
    return Table(columns=export_columns(), rows=rows, title=title)


@bp.route("/terms/<int:term_id>/export.<fmt>")
@roles_required(Role.TEACHER)
def export(term_id: int, fmt: str):
    """The week as CSV (semicolons and a BOM, for Finnish spreadsheets) or XLSX."""
    if fmt not in FORMATS:
        abort(404)
    term = _viewable_term(term_id)
    name = f"{term.unit.code}-{term.name}"
    if request.args.get("teacher", type=int):
        user = _term_person(term, request.args.get("teacher", type=int))
        week, name = teacher_week(term, user), f"{name}-{user.email.split('@')[0]}"
    elif request.args.get("group", type=int):
        group = _term_group(term, request.args.get("group", type=int))
        week, name = group_week(term, group), f"{name}-{group.code}"
    else:
        week = unit_week(term)
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in name)
    return export_response(week_table(week, term.name), safe, fmt)


@bp.route("/example.csv")
@roles_required(Role.TEACHER)
def example():
    return send_file(
        EXAMPLE_CSV, mimetype="text/csv", as_attachment=True, download_name="timetable-example.csv"
    )
