from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from pdservice.auth.access import (
    can_reach,
    chosen_unit,
    get_scoped_or_404,
    roles_required,
    units_in_scope,
)
from pdservice.competences import bp
from pdservice.competences.charts import distribution_chart
from pdservice.competences.enums import AssessmentSource, PlanStatus
from pdservice.competences.forms import ConfirmForm, GoalForm, PlanDecisionForm
from pdservice.competences.levels import LEVELS, level_descriptors, level_label
from pdservice.competences.models import DevelopmentGoal, DevelopmentPlan
from pdservice.competences.services import (
    PlanRefused,
    active_areas,
    decide_plan,
    delete_goal,
    get_or_create_plan,
    latest_levels,
    plan_for,
    plan_progress,
    plans_to_review,
    profile,
    record_assessment,
    reopen_plan,
    save_goal,
    submit_plan,
    unit_distribution,
)
from pdservice.core.enums import Role
from pdservice.core.models import SchoolYear, UnitMembership, User
from pdservice.core.services import current_school_year
from pdservice.errors import abort_with
from pdservice.extensions import db

STAFF_ROLES = (Role.PRINCIPAL, Role.HR, Role.ADMIN)


def _refused(exc: PlanRefused):
    db.session.rollback()
    abort_with(exc.status, exc.message, {exc.field: exc.message} if exc.field else None)


def _parse_levels() -> tuple[dict[int, int | None], dict[int, str]]:
    levels: dict[int, int | None] = {}
    notes: dict[int, str] = {}
    for key, value in request.form.items():
        if key.startswith("level-"):
            try:
                area_id = int(key.removeprefix("level-"))
                level = int(value) if value != "" else None
            except ValueError:
                abort_with(422, _("Levels run from 0 to 4."))
            if level is not None and level not in LEVELS:
                abort_with(422, _("Levels run from 0 to 4."))
            levels[area_id] = level
        elif key.startswith("note-"):
            try:
                notes[int(key.removeprefix("note-"))] = value[:1000]
            except ValueError:
                abort_with(422, _("The form was not understood."))
    return levels, notes


def _profile_page(person: User, *, own: bool):
    year = current_school_year()
    plan = plan_for(person, year)
    can_assess_as_principal = (
        not own
        and person.id != current_user.id
        and can_reach(current_user, person, (Role.PRINCIPAL,))
    )
    return render_template(
        "competences/profile.html",
        person=person,
        rows=profile(person, plan),
        plan=plan,
        year=year,
        own=own,
        can_assess_as_principal=can_assess_as_principal,
        levels=LEVELS,
        descriptors=level_descriptors(),
        level_label=level_label,
        form=ConfirmForm(),
    )


@bp.route("/", endpoint="profile")
@roles_required(Role.TEACHER)
def profile_page():
    return _profile_page(current_user, own=True)


@bp.route("/assess", methods=["POST"])
@roles_required(Role.TEACHER)
def assess():
    if not ConfirmForm().validate_on_submit():
        abort_with(400, _("The form had expired. Please try again."))
    levels, notes = _parse_levels()
    try:
        added = record_assessment(
            current_user, levels, source=AssessmentSource.SELF, assessor=current_user, notes=notes
        )
    except PlanRefused as exc:
        _refused(exc)
    db.session.commit()
    if added:
        flash(_("Your assessment was saved (%(n)d areas changed).", n=len(added)), "success")
    else:
        flash(_("No level changed, so nothing new was recorded."), "info")
    return redirect(url_for("competences.profile"))


@bp.route("/staff/<int:user_id>")
@roles_required(Role.TEACHER)
def staff_profile(user_id: int):
    person = get_scoped_or_404(User, user_id, roles=STAFF_ROLES, owner=True)
    if person.id == current_user.id:
        return redirect(url_for("competences.profile"))
    return _profile_page(person, own=False)


@bp.route("/staff/<int:user_id>/assess", methods=["POST"])
@roles_required(Role.PRINCIPAL)
def principal_assess(user_id: int):
    person = get_scoped_or_404(User, user_id, roles=(Role.PRINCIPAL,))
    if person.id == current_user.id:
        abort_with(403, _("Your own assessment is made on your own profile."))
    if not ConfirmForm().validate_on_submit():
        abort_with(400, _("The form had expired. Please try again."))
    levels, notes = _parse_levels()
    try:
        added = record_assessment(
            person, levels, source=AssessmentSource.PRINCIPAL, assessor=current_user, notes=notes
        )
    except PlanRefused as exc:
        _refused(exc)
    db.session.commit()
    flash(_("Your view was saved (%(n)d areas changed).", n=len(added)), "success")
    return redirect(url_for("competences.staff_profile", user_id=person.id))


@bp.route("/units")
@roles_required(*STAFF_ROLES)
def unit_overview():
    units = units_in_scope(current_user, roles=STAFF_ROLES)
    unit = chosen_unit(units, request.args.get("unit", type=int))
    distribution = unit_distribution(unit.id)
    year = current_school_year()
    staff = list(
        db.session.scalars(
            sa.select(User)
            .join(UnitMembership, UnitMembership.user_id == User.id)
            .where(UnitMembership.unit_id == unit.id, User.active.is_(True))
            .order_by(User.name)
        )
    )
    plans = {
        p.user_id: p
        for p in db.session.scalars(
            sa.select(DevelopmentPlan).where(
                DevelopmentPlan.school_year_id == year.id,
                DevelopmentPlan.user_id.in_([u.id for u in staff] or [-1]),
            )
        )
    }
    assessed = {user_id for user_id, _area in latest_levels([u.id for u in staff])}
    return render_template(
        "competences/unit.html",
        units=units,
        unit=unit,
        distribution=distribution,
        chart=distribution_chart(distribution),
        levels=LEVELS,
        descriptors=level_descriptors(),
        staff=staff,
        plans=plans,
        assessed=assessed,
        year=year,
    )


# --- plans ----------------------------------------------------------------------------------


def _year_from_args() -> SchoolYear:
    year_id = request.values.get("year", type=int)
    if year_id is None:
        return current_school_year()
    year = db.session.get(SchoolYear, year_id)
    if year is None:
        abort_with(404, _("That school year was not found."))
    return year


@bp.route("/plan")
@roles_required(Role.TEACHER)
def my_plan():
    year = _year_from_args()
    plan = plan_for(current_user, year)
    if plan is not None:
        return redirect(url_for("competences.plan_detail", plan_id=plan.id))
    years = list(db.session.scalars(sa.select(SchoolYear).order_by(SchoolYear.starts_on.desc())))
    return render_template(
        "competences/plan_start.html", year=year, years=years, form=ConfirmForm()
    )


@bp.route("/plan", methods=["POST"])
@roles_required(Role.TEACHER)
def plan_create():
    if not ConfirmForm().validate_on_submit():
        abort_with(400, _("The form had expired. Please try again."))
    plan = get_or_create_plan(current_user, _year_from_args())
    db.session.commit()
    return redirect(url_for("competences.plan_detail", plan_id=plan.id))


def _plan_or_404(plan_id: int) -> DevelopmentPlan:
    return get_scoped_or_404(DevelopmentPlan, plan_id, roles=STAFF_ROLES, owner=True)


def _own_plan_or_404(plan_id: int) -> DevelopmentPlan:
    plan = db.session.get(DevelopmentPlan, plan_id)
    if plan is None or plan.user_id != current_user.id:
        abort(404)
    return plan


def _goal_form(plan: DevelopmentPlan, goal: DevelopmentGoal | None = None) -> GoalForm:
    form = GoalForm(obj=goal)
    form.area_id.choices = [(a.id, a.name) for a in active_areas()]
    if goal is not None and request.method == "GET":
        form.target_level.data = str(goal.target_level)
    if goal is None and request.method == "GET":
        form.due_on.data = plan.school_year.ends_on.replace(month=5, day=31)
    return form


def _render_plan(plan: DevelopmentPlan, *, goal_form: GoalForm | None = None, status=200):
    own = plan.user_id == current_user.id
    can_decide = (
        not own
        and plan.status == PlanStatus.SUBMITTED
        and can_reach(current_user, plan, STAFF_ROLES)
    )
    return (
        render_template(
            "competences/plan.html",
            plan=plan,
            own=own,
            progress=plan_progress(plan),
            goal_form=goal_form or _goal_form(plan),
            decision_form=PlanDecisionForm(),
            form=ConfirmForm(),
            can_decide=can_decide,
            level_label=level_label,
        ),
        status,
    )


@bp.route("/plans/<int:plan_id>")
@roles_required(Role.TEACHER)
def plan_detail(plan_id: int):
    return _render_plan(_plan_or_404(plan_id))


@bp.route("/plans/<int:plan_id>/goals", methods=["POST"])
@roles_required(Role.TEACHER)
def goal_add(plan_id: int):
    plan = _own_plan_or_404(plan_id)
    form = _goal_form(plan)
    if not form.validate_on_submit():
        return _render_plan(plan, goal_form=form, status=422)
    try:
        save_goal(
            plan,
            None,
            area_id=form.area_id.data,
            target_level=int(form.target_level.data),
            planned_actions=form.planned_actions.data,
            due_on=form.due_on.data,
        )
    except PlanRefused as exc:
        db.session.rollback()
        if exc.field and hasattr(form, exc.field):
            getattr(form, exc.field).errors = [exc.message]
            return _render_plan(_own_plan_or_404(plan_id), goal_form=form, status=exc.status)
        _refused(exc)
    db.session.commit()
    flash(_("The goal was added."), "success")
    return redirect(url_for("competences.plan_detail", plan_id=plan.id))


@bp.route("/goals/<int:goal_id>/edit", methods=["GET", "POST"])
@roles_required(Role.TEACHER)
def goal_edit(goal_id: int):
    goal = db.session.get(DevelopmentGoal, goal_id)
    if goal is None or goal.plan.user_id != current_user.id:
        abort(404)
    plan = goal.plan
    form = _goal_form(plan, goal)
    status = 200
    if form.validate_on_submit():
        try:
            save_goal(
                plan,
                goal,
                area_id=form.area_id.data,
                target_level=int(form.target_level.data),
                planned_actions=form.planned_actions.data,
                due_on=form.due_on.data,
            )
        except PlanRefused as exc:
            db.session.rollback()
            if not (exc.field and hasattr(form, exc.field)):
                _refused(exc)
            getattr(form, exc.field).errors = [exc.message]
            status = exc.status
            goal = db.session.get(DevelopmentGoal, goal_id)
        else:
            db.session.commit()
            flash(_("Changes saved."), "success")
            return redirect(url_for("competences.plan_detail", plan_id=plan.id))
    elif request.method == "POST":
        status = 422
    return render_template("competences/goal_form.html", form=form, goal=goal), status


@bp.route("/goals/<int:goal_id>/delete", methods=["POST"])
@roles_required(Role.TEACHER)
def goal_delete(goal_id: int):
    goal = db.session.get(DevelopmentGoal, goal_id)
    if goal is None or goal.plan.user_id != current_user.id:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort_with(400, _("The form had expired. Please try again."))
    plan_id = goal.plan_id
    try:
        delete_goal(goal)
    except PlanRefused as exc:
        _refused(exc)
    db.session.commit()
    flash(_("The goal was removed."), "success")
    return redirect(url_for("competences.plan_detail", plan_id=plan_id))


@bp.route("/plans/<int:plan_id>/submit", methods=["POST"])
@roles_required(Role.TEACHER)
def plan_submit(plan_id: int):
    plan = _own_plan_or_404(plan_id)
    if not ConfirmForm().validate_on_submit():
        abort_with(400, _("The form had expired. Please try again."))
    try:
        submit_plan(plan)
    except PlanRefused as exc:
        _refused(exc)
    db.session.commit()
    flash(_("Your plan was sent to your principal."), "success")
    return redirect(url_for("competences.plan_detail", plan_id=plan.id))


@bp.route("/plans/<int:plan_id>/reopen", methods=["POST"])
@roles_required(Role.TEACHER)
def plan_reopen(plan_id: int):
    plan = _own_plan_or_404(plan_id)
    if not ConfirmForm().validate_on_submit():
        abort_with(400, _("The form had expired. Please try again."))
    try:
        reopen_plan(plan)
    except PlanRefused as exc:
        _refused(exc)
    db.session.commit()
    flash(_("The plan is open for changes. Send it again when you are done."), "success")
    return redirect(url_for("competences.plan_detail", plan_id=plan.id))


@bp.route("/plans/<int:plan_id>/decide", methods=["POST"])
@roles_required(*STAFF_ROLES)
def plan_decide(plan_id: int):
    plan = get_scoped_or_404(DevelopmentPlan, plan_id, roles=STAFF_ROLES)
    form = PlanDecisionForm()
    if not form.validate_on_submit():
        abort_with(
            422, _("Choose approve or return."), {"decision": _("Choose approve or return.")}
        )
    try:
        decide_plan(
            plan,
            approve=form.decision.data == "approve",
            actor=current_user,
            comment=form.comment.data or "",
        )
    except PlanRefused as exc:
        _refused(exc)
    db.session.commit()
    flash(_("Your decision was saved and sent to %(name)s.", name=plan.user.name), "success")
    return redirect(url_for("competences.plans_review"))


@bp.route("/plans")
@roles_required(*STAFF_ROLES)
def plans_review():
    year = _year_from_args()
    years = list(db.session.scalars(sa.select(SchoolYear).order_by(SchoolYear.starts_on.desc())))
    return render_template(
        "competences/plans_review.html",
        plans=plans_to_review(current_user, year),
        year=year,
        years=years,
        statuses=PlanStatus,
    )
