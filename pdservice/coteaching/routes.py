"""Co-teaching pages for every staff member: the overview, wishes, proposals to answer, and
the pairs' planning time. The principal's pages (runs, review, publishing) are in
`principal_routes.py`."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from pdservice.auth.access import get_scoped_or_404, roles_required
from pdservice.clock import today
from pdservice.core.enums import Role
from pdservice.core.models import User
from pdservice.coteaching import bp
from pdservice.coteaching.enums import Answer, PartnerKind
from pdservice.coteaching.forms import ConfirmForm, PlanningForm, ResponseForm, WishForm
from pdservice.coteaching.models import PlanningEntry, Proposal, SolveRun
from pdservice.coteaching.published.planning import (
    PlanningError,
    delete_planning,
    log_planning,
    partners_of,
    planning_entries,
)
from pdservice.coteaching.review.decisions import ReviewError, decisions_by_key, respond
from pdservice.coteaching.review.display import mini_grid
from pdservice.coteaching.review.explain import Names, reason_text, term_label, term_text
from pdservice.coteaching.services import my_proposals, published_pairs
from pdservice.coteaching.solving.runs import active_run, latest_plan_run
from pdservice.coteaching.wishes import (
    Wish,
    WishError,
    earlier_preference,
    preference_of,
    save_wish,
    term_preferences,
    term_subject_codes,
)
from pdservice.errors import abort_with
from pdservice.extensions import db
from pdservice.timetable.models import Term
from pdservice.timetable.services import terms_of, unit_staff

MEMBERS = (Role.TEACHER,)


def member_term(term_id: int) -> Term:
    """A term of one of the user's own units (404 otherwise, even for admins: wishes and
    proposals are personal)."""
    return get_scoped_or_404(Term, term_id, roles=MEMBERS)


def principal_term(term_id: int) -> Term:
    return get_scoped_or_404(Term, term_id, roles=(Role.PRINCIPAL,))


def is_principal_of(unit_id: int) -> bool:
    return unit_id in current_user.principal_unit_ids


@bp.app_context_processor
def _coteaching_helpers() -> dict:
    return {
        "term_text": term_text,
        "term_label": term_label,
        "reason_text": reason_text,
        "PartnerKind": PartnerKind,
        "mini_grid": mini_grid,
    }


@bp.route("/")
@roles_required(Role.TEACHER)
def index():
    terms = [t for t in terms_of(current_user.member_unit_ids) if t.ends_on >= _recent()]
    rows = []
    for term in terms:
        principal = is_principal_of(term.unit_id)
        run = latest_plan_run(term.id)
        rows.append(
            {
                "term": term,
                "principal": principal,
                "wish": preference_of(term.id, current_user.id),
                "active": active_run(term.unit_id) if principal else None,
                "latest": run if principal else None,
                "partners": partners_of(term, current_user),
            }
        )
    return render_template("coteaching/index.html", rows=rows, proposals=my_proposals(current_user))


def _recent():
    from datetime import timedelta

    return today() - timedelta(days=60)


# --- wishes ----------------------------------------------------------------------------------
@bp.route("/terms/<int:term_id>/wishes", methods=["GET", "POST"])
@roles_required(Role.TEACHER)
def wishes(term_id: int):
    term = member_term(term_id)
    staff = [u for u in unit_staff(term.unit_id) if u.id != current_user.id]
    preference = preference_of(term.id, current_user.id)
    start = preference or earlier_preference(term, current_user.id)
    form = WishForm()
    subjects = term_subject_codes(term.id)
    form.subjects.choices = [
        (code, f"{name} ({code})" if name != code else code) for code, name in subjects
    ]
    form.wished.choices = form.avoided.choices = [(u.id, u.name) for u in staff]
    if request.method == "GET":
        if start is not None:
            form.willing.data = start.willing
            form.max_lessons.data = start.max_lessons
            form.subjects.data = [s.code for s in start.subjects]
            form.wished.data = start.partner_ids(PartnerKind.WISH)
            form.avoided.data = start.partner_ids(PartnerKind.AVOID)
            form.comment.data = start.comment
        else:
            form.willing.data = True
    status = 200
    if form.validate_on_submit():
        wish = Wish(
            willing=bool(form.willing.data),
            max_lessons=form.max_lessons.data,
            subjects=tuple(form.subjects.data or ()),
            wished=tuple(form.wished.data or ()),
            avoided=tuple(form.avoided.data or ()),
            comment=form.comment.data,
        )
        try:
            save_wish(term, current_user, wish, {u.id for u in staff})
        except WishError as exc:
            getattr(form, exc.field).errors.append(
                _("A person cannot be both wished and avoided.")
                if str(exc) == "both"
                else _("Choose colleagues of your unit.")
            )
            status = 422
        else:
            db.session.commit()
            flash(_("Your co-teaching wishes for %(term)s are saved.", term=term.name), "success")
            return redirect(url_for("coteaching.index"))
    elif request.method == "POST":
        status = 422
    return (
        render_template(
            "coteaching/wishes.html",
            form=form,
            term=term,
            preference=preference,
            prefilled=preference is None and start is not None,
        ),
        status,
    )


@bp.route("/terms/<int:term_id>/wishes/all")
@roles_required(Role.PRINCIPAL)
def wishes_overview(term_id: int):
    """Every staff member's wishes, avoided partners included: for the unit's principals."""
    term = principal_term(term_id)
    preferences = {p.user_id: p for p in term_preferences(term.id)}
    staff = unit_staff(term.unit_id)
    return render_template(
        "coteaching/wishes_overview.html", term=term, staff=staff, preferences=preferences
    )


# --- proposals for the teachers concerned -------------------------------------------------------
@bp.route("/mine")
@roles_required(Role.TEACHER)
def mine():
    """The proposals that involve me, with the explanation and my answer."""
    groups = []
    for term, run, proposals in my_proposals(current_user):
        names = Names.for_term(term, (run.result or {}).get("subject_limits"))
        groups.append((term, run, proposals, names, decisions_by_key(term.id)))
    my_wishes = _my_unmet_wishes(groups)
    return render_template(
        "coteaching/mine.html",
        groups=groups,
        response_form=ResponseForm(),
        unmet=my_wishes,
    )


def _my_unmet_wishes(groups) -> dict[int, list[dict]]:
    result = {}
    for term, run, _proposals, _names, _decisions in groups:
        key = current_user.email
        result[term.id] = [
            w for w in (run.result or {}).get("unmet_wishes", []) if w.get("teacher") == key
        ]
    return result


@bp.route("/proposals/<int:proposal_id>/respond", methods=["POST"])
@roles_required(Role.TEACHER)
def respond_to(proposal_id: int):
    proposal = db.session.get(Proposal, proposal_id)
    if proposal is None or not proposal.involves(current_user.id):
        abort(404)
    form = ResponseForm()
    if not form.validate_on_submit():
        abort_with(422, _("Choose whether you accept or decline."), fields=form.errors)
    try:
        respond(proposal, current_user, Answer(form.answer.data), form.comment.data)
    except ReviewError as exc:
        abort_with(exc.status, exc.message)
    db.session.commit()
    flash(_("Your answer has been saved. The principal sees it."), "success")
    return redirect(url_for("coteaching.mine") + f"#proposal-{proposal.id}")


# --- planning time ---------------------------------------------------------------------------
@bp.route("/terms/<int:term_id>/planning", methods=["GET", "POST"])
@roles_required(Role.TEACHER)
def planning(term_id: int):
    term = member_term(term_id)
    partners = partners_of(term, current_user)
    form = PlanningForm()
    form.partner_id.choices = [(u.id, u.name) for u in partners]
    if request.method == "GET":
        form.occurred_on.data = min(today(), term.ends_on)
    status = 200
    if form.validate_on_submit():
        partner = db.session.get(User, form.partner_id.data)
        try:
            log_planning(
                term, current_user, partner, form.occurred_on.data, form.hours.data, form.note.data
            )
        except PlanningError as exc:
            getattr(form, exc.field).errors.append(exc.message)
            status = 422
        else:
            db.session.commit()
            flash(_("Planning time logged for you both."), "success")
            return redirect(url_for("coteaching.planning", term_id=term.id))
    elif request.method == "POST":
        status = 422
    entries = planning_entries(term, current_user)
    return (
        render_template(
            "coteaching/planning.html",
            term=term,
            form=form,
            partners=partners,
            entries=entries,
            confirm_form=ConfirmForm(),
            pairs=published_pairs(term.id),
        ),
        status,
    )


@bp.route("/planning/<int:entry_id>/delete", methods=["POST"])
@roles_required(Role.TEACHER)
def planning_delete(entry_id: int):
    entry = db.session.get(PlanningEntry, entry_id)
    if entry is None or not (
        current_user.id in entry.teacher_ids or is_principal_of(entry.term.unit_id)
    ):
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort_with(400, _("The form had expired. Please try again."))
    term_id = entry.term_id
    delete_planning(entry, current_user)
    db.session.commit()
    flash(_("The planning entry was deleted."), "success")
    return redirect(url_for("coteaching.planning", term_id=term_id))


def run_or_404(run_id: int) -> SolveRun:
    return get_scoped_or_404(SolveRun, run_id, roles=(Role.PRINCIPAL,))


from pdservice.coteaching import principal_routes  # noqa: E402, F401
