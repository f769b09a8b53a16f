"""The principal's co-teaching pages: solve runs, their progress, review, decisions, publish.

Only the unit's principals reach these pages: the review shows avoided partners (see
`review/explain.py`), which nobody else may see.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from pdservice.auth.access import roles_required
from pdservice.core.enums import Role
from pdservice.core.models import User
from pdservice.coteaching import bp
from pdservice.coteaching.enums import DecisionState
from pdservice.coteaching.forms import WEIGHT_FIELDS, ActionForm, ConfirmForm, PinForm, RunForm
from pdservice.coteaching.models import (
    CoTeachingAssignment,
    MeetingProposal,
    Proposal,
    ProposalLesson,
    SolveProgress,
    SolveRun,
)
from pdservice.coteaching.review.decisions import (
    ReviewError,
    decide_lesson,
    decide_meeting,
    decide_pair,
    decisions_by_key,
    pin_lesson,
    publish,
    publish_problems,
    rejected_pairs,
    remove_decision,
    remove_pair_rejection,
)
from pdservice.coteaching.review.display import progress_chart
from pdservice.coteaching.review.explain import Names, failure_text
from pdservice.coteaching.routes import principal_term, run_or_404
from pdservice.coteaching.solving.parameters import DEFAULT_WEIGHTS, default_parameters
from pdservice.coteaching.solving.runs import (
    NoTimetable,
    RunConflict,
    active_run,
    is_reviewable,
    latest_plan_run,
    request_stop,
    start_run,
)
from pdservice.errors import abort_with
from pdservice.extensions import db
from pdservice.teams.models import Team
from pdservice.timetable.models import Lesson
from pdservice.timetable.services import term_lessons, unit_staff
from pdservice.timetable.weeks import published_meetings


def _last_published(term_id: int):
    from pdservice.core.models import AuditLog

    return db.session.scalar(
        sa.select(AuditLog)
        .where(
            AuditLog.action == "coteaching.published",
            AuditLog.entity_type == "Term",
            AuditLog.entity_id == str(term_id),
        )
        .order_by(AuditLog.at.desc())
        .limit(1)
        .options(so.joinedload(AuditLog.actor))
    )


# --- runs ------------------------------------------------------------------------------------
@bp.route("/terms/<int:term_id>/runs")
@roles_required(Role.PRINCIPAL)
def runs(term_id: int):
    term = principal_term(term_id)
    history = db.session.scalars(
        sa.select(SolveRun).where(SolveRun.term_id == term.id).order_by(SolveRun.id.desc())
    ).all()
    return render_template(
        "coteaching/runs.html",
        term=term,
        runs=history,
        active=active_run(term.unit_id),
        latest=latest_plan_run(term.id),
        last_published=_last_published(term.id),
        publish_form=ConfirmForm(),
        failure_text=failure_text,
    )


@bp.route("/terms/<int:term_id>/runs/new", methods=["GET", "POST"])
@roles_required(Role.PRINCIPAL)
def run_new(term_id: int):
    term = principal_term(term_id)
    form = RunForm()
    defaults = default_parameters(current_app_default_limit())
    if request.method == "GET":
        form.time_limit_seconds.data = int(defaults["solver"]["time_limit_seconds"])
        for name in WEIGHT_FIELDS:
            getattr(form, f"weight_{name}").data = DEFAULT_WEIGHTS[name]
    status = 200
    if form.validate_on_submit():
        parameters = default_parameters(form.time_limit_seconds.data)
        solver = parameters["solver"]
        solver["min_lessons"] = form.min_lessons.data
        solver["max_partners"] = form.max_partners.data
        solver["max_coteachers"] = form.max_coteachers.data
        solver["weights"] = {n: getattr(form, f"weight_{n}").data for n in WEIGHT_FIELDS}
        parameters["options"] = {
            "include_meetings": bool(form.include_meetings.data),
            "assume_willing": bool(form.assume_willing.data),
            "default_capacity": form.default_capacity.data,
            "specialist_capacity": form.specialist_capacity.data,
        }
        try:
            run = start_run(term, parameters, current_user)
        except NoTimetable:
            abort_with(409, _("Import the term's timetable before starting a run."))
        except RunConflict as conflict:
            db.session.rollback()
            abort_with(
                409,
                _(
                    "Another run of this unit (number %(id)s) is still queued or running. "
                    "Wait for it to end or stop it first.",
                    id=conflict.active.id if conflict.active is not None else "?",
                ),
            )
        db.session.commit()
        return redirect(url_for("coteaching.run", run_id=run.id))
    elif request.method == "POST":
        status = 422
    return (
        render_template(
            "coteaching/run_form.html",
            form=form,
            term=term,
            active=active_run(term.unit_id),
            previous=latest_plan_run(term.id),
            pins=_decision_counts(term.id),
        ),
        status,
    )


def current_app_default_limit() -> int:
    from flask import current_app

    return int(current_app.config["COTEACH_DEFAULT_TIME_LIMIT"])


def _decision_counts(term_id: int) -> dict[str, int]:
    counts = {"pinned": 0, "accepted": 0, "rejected": 0}
    for decision in db.session.scalars(
        sa.select(CoTeachingAssignment).where(CoTeachingAssignment.term_id == term_id)
    ):
        if decision.state == DecisionState.ACCEPTED:
            counts["pinned" if decision.pinned else "accepted"] += 1
        elif decision.state == DecisionState.REJECTED:
            counts["rejected"] += 1
    counts["rejected_pairs"] = len(rejected_pairs(term_id))
    return counts


def run_status(run: SolveRun) -> dict:
    """What the run page shows and polls."""
    progress = [
        {"seconds": p.seconds, "objective": p.objective, "bound": p.bound}
        for p in db.session.scalars(
            sa.select(SolveProgress)
            .where(SolveProgress.run_id == run.id)
            .order_by(SolveProgress.seconds, SolveProgress.id)
        )
    ]
    latest = progress[-1] if progress else {}
    chart = progress_chart(progress)
    return {
        "id": run.id,
        "status": str(run.status),
        "status_label": run.status.label,
        "active": run.status.active,
        "stop_requested": run.stop_requested,
        "objective": run.objective if run.objective is not None else latest.get("objective"),
        "bound": run.bound if run.bound is not None else latest.get("bound"),
        "gap": run.gap,
        "seconds": run.wall_seconds if run.wall_seconds is not None else latest.get("seconds"),
        "time_limit_seconds": run.time_limit_seconds,
        "proposals": run.proposal_count,
        "meetings": run.meeting_count,
        "progress": progress[-12:],
        "chart": str(chart) if chart is not None else "",
        "review_url": url_for("coteaching.review", run_id=run.id) if run.status.has_plan else None,
    }


@bp.route("/runs/<int:run_id>")
@roles_required(Role.PRINCIPAL)
def run(run_id: int):
    run = run_or_404(run_id)
    names = Names.for_term(run.term, (run.result or {}).get("subject_limits"))
    status = run_status(run)
    return render_template(
        "coteaching/run.html",
        run=run,
        term=run.term,
        status=status,
        names=names,
        stop_form=ConfirmForm(),
        failure_text=failure_text,
        skipped=skipped_teams(run),
    )


@bp.route("/runs/<int:run_id>/status.json")
@roles_required(Role.PRINCIPAL)
def run_status_json(run_id: int):
    return jsonify(run_status(run_or_404(run_id)))


@bp.route("/runs/<int:run_id>/stop", methods=["POST"])
@roles_required(Role.PRINCIPAL)
def run_stop(run_id: int):
    run = run_or_404(run_id)
    if not ConfirmForm().validate_on_submit():
        abort_with(400, _("The form had expired. Please try again."))
    if not request_stop(run, current_user):
        abort_with(409, _("The run has already ended."))
    db.session.commit()
    flash(_("The run stops and keeps the best plan found so far."), "success")
    return redirect(url_for("coteaching.run", run_id=run.id))


# --- review ----------------------------------------------------------------------------------
@bp.route("/runs/<int:run_id>/review")
@roles_required(Role.PRINCIPAL)
def review(run_id: int):
    run = run_or_404(run_id)
    if not run.status.has_plan:
        return redirect(url_for("coteaching.run", run_id=run.id))
    term = run.term
    proposals = list(
        db.session.scalars(
            sa.select(Proposal)
            .where(Proposal.run_id == run.id)
            .order_by(Proposal.rank)
            .options(
                so.selectinload(Proposal.lessons)
                .joinedload(ProposalLesson.lesson)
                .selectinload(Lesson.lesson_slots),
                so.selectinload(Proposal.responses),
                so.joinedload(Proposal.teacher_a),
                so.joinedload(Proposal.teacher_b),
            )
        )
    )
    meetings = list(
        db.session.scalars(
            sa.select(MeetingProposal)
            .where(MeetingProposal.run_id == run.id)
            .options(so.joinedload(MeetingProposal.team).selectinload(Team.meetings))
        )
    )
    return render_template(
        "coteaching/review.html",
        run=run,
        term=term,
        proposals=proposals,
        meetings=meetings,
        decisions=decisions_by_key(term.id),
        rejected=rejected_pairs(term.id),
        names=Names.for_term(term, (run.result or {}).get("subject_limits")),
        reviewable=is_reviewable(run),
        action_form=ActionForm(),
        publish_form=ConfirmForm(),
        problems=publish_problems(term),
        last_published=_last_published(term.id),
        skipped=skipped_teams(run),
    )


def skipped_teams(run: SolveRun) -> list[Team]:
    """Teams a run left out because their members never share a free period."""
    ids = (run.result or {}).get("skipped_teams") or []
    if not ids:
        return []
    return list(db.session.scalars(sa.select(Team).where(Team.id.in_(ids)).order_by(Team.name)))


def _decide_or_abort(fn, *args) -> None:
    form = ActionForm()
    if not form.validate_on_submit():
        abort_with(400, _("The form had expired. Please try again."))
    try:
        fn(*args, form.action.data, current_user)
    except ReviewError as exc:
        db.session.rollback()
        abort_with(exc.status, exc.message)
    db.session.commit()


@bp.route("/proposals/<int:proposal_id>/decide", methods=["POST"])
@roles_required(Role.PRINCIPAL)
def decide_proposal(proposal_id: int):
    proposal = _principal_object(Proposal, proposal_id)
    _decide_or_abort(decide_pair, proposal.run, proposal)
    return redirect(url_for("coteaching.review", run_id=proposal.run_id) + f"#p{proposal.id}")


@bp.route("/proposal-lessons/<int:item_id>/decide", methods=["POST"])
@roles_required(Role.PRINCIPAL)
def decide_proposal_lesson(item_id: int):
    item = _principal_object(ProposalLesson, item_id)
    run = item.proposal.run
    _decide_or_abort(decide_lesson, run, item)
    return redirect(url_for("coteaching.review", run_id=run.id) + f"#p{item.proposal_id}")


@bp.route("/meeting-proposals/<int:item_id>/decide", methods=["POST"])
@roles_required(Role.PRINCIPAL)
def decide_meeting_proposal(item_id: int):
    item = _principal_object(MeetingProposal, item_id)
    _decide_or_abort(decide_meeting, item.run, item)
    return redirect(url_for("coteaching.review", run_id=item.run_id) + "#meetings")


def _principal_object(model, obj_id: int):
    from pdservice.auth.access import get_scoped_or_404

    return get_scoped_or_404(model, obj_id, roles=(Role.PRINCIPAL,))


# --- decisions across runs -------------------------------------------------------------------
@bp.route("/terms/<int:term_id>/decisions", methods=["GET", "POST"])
@roles_required(Role.PRINCIPAL)
def decisions(term_id: int):
    term = principal_term(term_id)
    lessons = term_lessons(term.id)
    staff = unit_staff(term.unit_id)
    form = PinForm()
    form.lesson_id.choices = [
        (
            lesson.id,
            f"{lesson.group_codes} {lesson.subject.name} – {lesson.teacher.name} "
            f"({', '.join(s.code for s in lesson.slots)})",
        )
        for lesson in lessons
    ]
    form.coteacher_id.choices = [(u.id, u.name) for u in staff]
    status = 200
    if form.validate_on_submit():
        lesson = db.session.get(Lesson, form.lesson_id.data)
        coteacher = db.session.get(User, form.coteacher_id.data)
        if lesson is None or lesson.term_id != term.id or coteacher is None:
            abort(404)
        try:
            pin_lesson(term, lesson, coteacher, current_user)
        except ReviewError as exc:
            db.session.rollback()
            form.coteacher_id.errors.append(exc.message)
            status = exc.status
        else:
            db.session.commit()
            flash(_("Pinned: later runs keep this co-teaching."), "success")
            return redirect(url_for("coteaching.decisions", term_id=term.id))
    elif request.method == "POST":
        status = 422
    rows = list(
        db.session.scalars(
            sa.select(CoTeachingAssignment)
            .where(CoTeachingAssignment.term_id == term.id)
            .options(
                so.joinedload(CoTeachingAssignment.lesson).joinedload(Lesson.teacher),
                so.joinedload(CoTeachingAssignment.coteacher),
            )
        )
    )
    rows.sort(key=lambda d: (str(d.state), not d.pinned, d.lesson.code))
    users = {u.id: u for u in staff}
    pair_rows = [
        (low, high, users.get(low), users.get(high))
        for low, high in sorted(rejected_pairs(term.id))
    ]
    return (
        render_template(
            "coteaching/decisions.html",
            term=term,
            form=form,
            rows=rows,
            pair_rows=pair_rows,
            confirm_form=ConfirmForm(),
            meetings=published_meetings(term),
        ),
        status,
    )


@bp.route("/decisions/<int:decision_id>/remove", methods=["POST"])
@roles_required(Role.PRINCIPAL)
def decision_remove(decision_id: int):
    decision = _principal_object(CoTeachingAssignment, decision_id)
    if not ConfirmForm().validate_on_submit():
        abort_with(400, _("The form had expired. Please try again."))
    term_id = decision.term_id
    remove_decision(decision, current_user)
    db.session.commit()
    flash(_("The decision was removed."), "success")
    return redirect(url_for("coteaching.decisions", term_id=term_id))


@bp.route("/terms/<int:term_id>/rejected-pairs/<int:low>/<int:high>/remove", methods=["POST"])
@roles_required(Role.PRINCIPAL)
def rejected_pair_remove(term_id: int, low: int, high: int):
    term = principal_term(term_id)
    if not ConfirmForm().validate_on_submit():
        abort_with(400, _("The form had expired. Please try again."))
    if not remove_pair_rejection(term, low, high, current_user):
        abort(404)
    db.session.commit()
    flash(_("The pair may be proposed again."), "success")
    return redirect(url_for("coteaching.decisions", term_id=term.id))


@bp.route("/terms/<int:term_id>/publish", methods=["POST"])
@roles_required(Role.PRINCIPAL)
def publish_term(term_id: int):
    term = principal_term(term_id)
    if not ConfirmForm().validate_on_submit():
        abort_with(400, _("The form had expired. Please try again."))
    try:
        summary = publish(term, current_user)
    except ReviewError as exc:
        db.session.rollback()
        abort_with(exc.status, exc.message)
    db.session.commit()
    flash(
        _(
            "Published: %(lessons)d co-taught lessons and %(meetings)d team meetings are now "
            "in the unit's timetable and the teachers' calendars.",
            lessons=summary.published,
            meetings=summary.meetings,
        ),
        "success",
    )
    run = latest_plan_run(term.id)
    if run is not None:
        return redirect(url_for("coteaching.review", run_id=run.id))
    return redirect(url_for("coteaching.decisions", term_id=term.id))
