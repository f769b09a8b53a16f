"""Competence profiles (history kept, the principal's view), the unit distribution, and
development plans: goals, submission, approval scoped to the principal's units, progress."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from pdservice.clock import today
from pdservice.competences.enums import AssessmentSource, PlanStatus
from pdservice.competences.models import CompetenceAssessment, DevelopmentPlan
from pdservice.competences.services import plan_progress, unit_distribution
from pdservice.core.models import CompetenceArea
from pdservice.core.services import current_school_year
from pdservice.extensions import db
from pdservice.notifications.models import Notification


def area_ids(app, *codes):
    with app.app_context():
        rows = db.session.execute(sa.select(CompetenceArea.code, CompetenceArea.id)).all()
        ids = dict(rows)
    return [ids[c] for c in codes]


def in_this_year(app) -> str:
    with app.app_context():
        year = current_school_year()
        db.session.commit()
        return year.ends_on.replace(month=5, day=1).isoformat()


def assessments(app, user_id, source=AssessmentSource.SELF):
    with app.app_context():
        return [
            (a.area_id, a.level)
            for a in db.session.scalars(
                sa.select(CompetenceAssessment)
                .where(
                    CompetenceAssessment.user_id == user_id, CompetenceAssessment.source == source
                )
                .order_by(CompetenceAssessment.id)
            )
        ]


def test_self_assessment_keeps_history(app, client, world, login):
    digi, incl = area_ids(app, "DIGI", "INCL")
    login(world.teacher)
    client.post("/competences/assess", data={f"level-{digi}": "1", f"level-{incl}": "2"})
    client.post("/competences/assess", data={f"level-{digi}": "3", f"level-{incl}": "2"})
    assert assessments(app, world.teacher.id) == [(digi, 1), (incl, 2), (digi, 3)]
    page = client.get("/competences/").get_data(as_text=True)
    assert "3 – Applies it independently" in page
    assert "2 assessments" in page  # the history of DIGI


@pytest.mark.parametrize("value", ["5", "-1", "x"])
def test_levels_out_of_range_are_refused(app, client, world, login, value):
    [digi] = area_ids(app, "DIGI")
    login(world.teacher)
    response = client.post("/competences/assess", data={f"level-{digi}": value})
    assert response.status_code == 422
    assert assessments(app, world.teacher.id) == []


def test_principal_adds_their_view_in_their_unit_only(app, client, world, login):
    [digi] = area_ids(app, "DIGI")
    login(world.principal)
    url = f"/competences/staff/{world.teacher.id}/assess"
    assert client.post(url, data={f"level-{digi}": "2"}).status_code == 302
    assert assessments(app, world.teacher.id, AssessmentSource.PRINCIPAL) == [(digi, 2)]
    assert assessments(app, world.teacher.id) == []  # the teacher's own view is untouched
    page = client.get(f"/competences/staff/{world.teacher.id}").get_data(as_text=True)
    assert "2 – Applies it with support" in page
    login(world.principal_b)
    assert client.post(url, data={f"level-{digi}": "4"}).status_code == 404
    assert assessments(app, world.teacher.id, AssessmentSource.PRINCIPAL) == [(digi, 2)]


def test_unit_distribution_counts_latest_levels(app, client, world, make_user, login):
    digi, incl = area_ids(app, "DIGI", "INCL")
    others = [make_user(units=[world.unit_a]) for _ in range(2)]
    for person, level in zip([world.teacher, *others], [1, 3, 3], strict=True):
        login(person)
        client.post("/competences/assess", data={f"level-{digi}": "0"})
        client.post("/competences/assess", data={f"level-{digi}": str(level)})
    with app.app_context():
        dist = unit_distribution(world.unit_a.id)
    assert dist.staff_count == 4  # three teachers and the principal
    assert dist.row(digi) == [0, 1, 0, 2, 0, 1]  # levels 0–4, then "not assessed"
    assert dist.row(incl) == [0, 0, 0, 0, 0, 4]
    login(world.principal)
    page = client.get("/competences/units").get_data(as_text=True)
    assert "<svg" in page and "<caption>" in page
    assert "Staff by level (area × level)" in page


def make_plan(client, app, user):
    """Through the pages: start the plan and add a goal in DIGI; returns the plan id."""
    [digi] = area_ids(app, "DIGI")
    client.post("/competences/plan")
    with app.app_context():
        plan = db.session.scalar(
            sa.select(DevelopmentPlan).where(DevelopmentPlan.user_id == user.id)
        )
        year = plan.school_year
        plan_id = plan.id
    response = client.post(
        f"/competences/plans/{plan_id}/goals",
        data={
            "area_id": digi,
            "target_level": "3",
            "planned_actions": "Digiloikka course; co-teach with the ICT tutor",
            "due_on": year.ends_on.replace(month=5, day=31).isoformat(),
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return plan_id


def plan_status(app, plan_id):
    with app.app_context():
        return db.session.get(DevelopmentPlan, plan_id).status


def test_plan_is_submitted_and_approved_by_the_principal(app, client, world, login):
    login(world.teacher)
    plan_id = make_plan(client, app, world.teacher)
    assert client.post(f"/competences/plans/{plan_id}/submit").status_code == 302
    assert plan_status(app, plan_id) == PlanStatus.SUBMITTED
    with app.app_context():
        kinds = list(db.session.scalars(sa.select(Notification.kind)))
    assert "competences.plan_submitted" in kinds
    # Edits wait until the plan is reopened.
    [incl] = area_ids(app, "INCL")
    goal = {
        "area_id": incl,
        "target_level": "2",
        "planned_actions": "x",
        "due_on": in_this_year(app),
    }
    assert client.post(f"/competences/plans/{plan_id}/goals", data=goal).status_code == 409
    login(world.principal_b)
    assert (
        client.post(
            f"/competences/plans/{plan_id}/decide", data={"decision": "approve"}
        ).status_code
        == 404
    )
    login(world.principal)
    response = client.post(
        f"/competences/plans/{plan_id}/decide", data={"decision": "approve", "comment": "Good"}
    )
    assert response.status_code == 302
    assert plan_status(app, plan_id) == PlanStatus.APPROVED
    # A decided plan cannot be decided again.
    assert (
        client.post(
            f"/competences/plans/{plan_id}/decide", data={"decision": "approve"}
        ).status_code
        == 409
    )


def test_plan_returned_needs_a_comment(app, client, world, login):
    login(world.teacher)
    plan_id = make_plan(client, app, world.teacher)
    client.post(f"/competences/plans/{plan_id}/submit")
    login(world.principal)
    url = f"/competences/plans/{plan_id}/decide"
    assert client.post(url, data={"decision": "return"}).status_code == 422
    assert plan_status(app, plan_id) == PlanStatus.SUBMITTED
    assert client.post(url, data={"decision": "return", "comment": "Add a goal"}).status_code == 302
    assert plan_status(app, plan_id) == PlanStatus.RETURNED
    login(world.teacher)
    page = client.get(f"/competences/plans/{plan_id}").get_data(as_text=True)
    assert "Add a goal" in page


def test_empty_plan_cannot_be_sent(app, client, world, login):
    login(world.teacher)
    client.post("/competences/plan")
    with app.app_context():
        plan_id = db.session.scalar(sa.select(DevelopmentPlan.id))
    assert client.post(f"/competences/plans/{plan_id}/submit").status_code == 422


@pytest.mark.parametrize(
    "change, status",
    [({"due_on": "2001-01-01"}, 422), ({"target_level": "7"}, 422), ({"planned_actions": ""}, 422)],
)
def test_bad_goals_are_refused(app, client, world, login, change, status):
    login(world.teacher)
    plan_id = make_plan(client, app, world.teacher)
    [incl] = area_ids(app, "INCL")
    data = {
        "area_id": incl,
        "target_level": "2",
        "planned_actions": "x",
        "due_on": in_this_year(app),
    }
    data.update(change)
    assert client.post(f"/competences/plans/{plan_id}/goals", data=data).status_code == status
    with app.app_context():
        assert len(db.session.get(DevelopmentPlan, plan_id).goals) == 1


def test_second_goal_in_the_same_area_is_refused(app, client, world, login):
    login(world.teacher)
    plan_id = make_plan(client, app, world.teacher)
    [digi] = area_ids(app, "DIGI")
    data = {
        "area_id": digi,
        "target_level": "4",
        "planned_actions": "x",
        "due_on": in_this_year(app),
    }
    assert client.post(f"/competences/plans/{plan_id}/goals", data=data).status_code == 409


def test_progress_follows_training_and_assessments(
    app, client, world, login, make_session, enrol_as, run_in_app
):
    login(world.teacher)
    plan_id = make_plan(client, app, world.teacher)
    with app.app_context():
        [progress] = plan_progress(db.session.get(DevelopmentPlan, plan_id))
        assert progress.status == "not_started"
    # Attending a DIGI course counts toward the goal ...
    from pdservice.hours.services import record_hours

    [digi] = area_ids(app, "DIGI")
    run_in_app(
        lambda: record_hours(
            world.teacher.id,
            hours=Decimal(6),
            kind="training",
            source_type="test",
            source_id=1,
            occurred_on=today(),
            areas=[digi],
        )
    )
    with app.app_context():
        [progress] = plan_progress(db.session.get(DevelopmentPlan, plan_id))
        assert (progress.status, progress.trainings, progress.hours) == ("in_progress", 1, 6)
    # ... and a new self-assessment at the target reaches it.
    client.post("/competences/assess", data={f"level-{digi}": "3"})
    with app.app_context():
        [progress] = plan_progress(db.session.get(DevelopmentPlan, plan_id))
        assert progress.reached and progress.status == "reached"
    page = client.get(f"/competences/plans/{plan_id}").get_data(as_text=True)
    assert "Goal reached" in page


def test_profile_shows_levels_against_goals(app, client, world, login):
    login(world.teacher)
    make_plan(client, app, world.teacher)
    [digi] = area_ids(app, "DIGI")
    client.post("/competences/assess", data={f"level-{digi}": "1"})
    page = client.get("/competences/").get_data(as_text=True)
    assert "2 levels to go" in page


def test_reopened_plan_must_be_sent_again(app, client, world, login):
    login(world.teacher)
    plan_id = make_plan(client, app, world.teacher)
    client.post(f"/competences/plans/{plan_id}/submit")
    login(world.principal)
    client.post(f"/competences/plans/{plan_id}/decide", data={"decision": "approve"})
    login(world.teacher)
    assert client.post(f"/competences/plans/{plan_id}/reopen").status_code == 302
    assert plan_status(app, plan_id) == PlanStatus.DRAFT
    assert client.post(f"/competences/plans/{plan_id}/reopen").status_code == 409


def test_plans_review_lists_only_the_principals_units(app, client, world, login):
    login(world.teacher)
    make_plan(client, app, world.teacher)
    login(world.teacher_b)
    make_plan(client, app, world.teacher_b)
    login(world.principal)
    page = client.get("/competences/plans").get_data(as_text=True)
    assert "Teacher A" in page and "Teacher B" not in page
    with app.app_context():
        assert current_school_year().name in page
