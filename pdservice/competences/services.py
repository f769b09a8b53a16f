"""Competence profiles, the unit distribution, and development plans."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from pdservice.competences.enums import EDITABLE_PLAN_STATES, AssessmentSource, PlanStatus
from pdservice.competences.levels import LEVELS, MAX_LEVEL, MIN_LEVEL
from pdservice.competences.models import CompetenceAssessment, DevelopmentGoal, DevelopmentPlan
from pdservice.core.enums import UnitRole
from pdservice.core.models import CompetenceArea, SchoolYear, UnitMembership, User
from pdservice.core.services import audit
from pdservice.db import utcnow
from pdservice.extensions import db
from pdservice.notifications.services import notify, public_url, register_notification_kind


class PlanRefused(Exception):
    def __init__(self, message: str, status: int = 409, field: str | None = None) -> None:
        super().__init__(message)
        self.message, self.status, self.field = message, status, field


def active_areas() -> list[CompetenceArea]:
    return list(
        db.session.scalars(
            sa.select(CompetenceArea)
            .where(CompetenceArea.active.is_(True))
            .order_by(CompetenceArea.sort_order)
        )
    )


# --- assessments ------------------------------------------------------------------------


def latest_assessment_ids(
    user_ids: Iterable[int] | sa.Select, source: AssessmentSource = AssessmentSource.SELF
) -> sa.Select:
    """A subquery of the ids of the latest assessment per (person, area) of `source`, for
    the people `user_ids` (a list, or a SELECT of user ids). Rows are only ever added, so the
    latest is the one with the highest id. The city's HR report counts levels over it."""
    return (
        sa.select(sa.func.max(CompetenceAssessment.id))
        .where(CompetenceAssessment.user_id.in_(user_ids), CompetenceAssessment.source == source)
        .group_by(CompetenceAssessment.user_id, CompetenceAssessment.area_id)
    )


def latest_levels(
    user_ids: Iterable[int], source: AssessmentSource = AssessmentSource.SELF
) -> dict[tuple[int, int], CompetenceAssessment]:
    """{(user id, area id): latest assessment} in one query."""
    ids = list(user_ids)
    if not ids:
        return {}
    rows = db.session.scalars(
        sa.select(CompetenceAssessment).where(
            CompetenceAssessment.id.in_(latest_assessment_ids(ids, source))
        )
    )
    return {(r.user_id, r.area_id): r for r in rows}


def record_assessment(
    user: User,
    levels: Mapping[int, int | None],
    *,
    source: AssessmentSource,
    assessor: User,
    notes: Mapping[int, str] | None = None,
) -> list[CompetenceAssessment]:
    """Add an assessment row for every area whose level is new or changed (or that has a
    note). Nothing is overwritten: the earlier rows are the history."""
    notes = notes or {}
    current = latest_levels([user.id], source)
    valid_areas = {a.id for a in active_areas()}
    added = []
    now = utcnow()
    for area_id, level in levels.items():
        if level is None:
            continue
        if area_id not in valid_areas:
            raise PlanRefused(_("Unknown competence area."), 422)
        if not MIN_LEVEL <= level <= MAX_LEVEL:
            raise PlanRefused(_("Levels run from 0 to 4."), 422)
        note = (notes.get(area_id) or "").strip()
        previous = current.get((user.id, area_id))
        if previous is not None and previous.level == level and not note:
            continue
        row = CompetenceAssessment(
            user_id=user.id,
            area_id=area_id,
            level=level,
            source=source,
            assessor_id=assessor.id,
            note=note or None,
            assessed_at=now,
        )
        db.session.add(row)
        added.append(row)
    db.session.flush()
    if added:
        audit(
            "competence.assessed",
            user,
            changes={
                "source": source,
                "levels": {str(r.area_id): r.level for r in added},
            },
        )
    return added


def assessment_history(user: User) -> dict[int, list[CompetenceAssessment]]:
    rows = db.session.scalars(
        sa.select(CompetenceAssessment)
        .where(CompetenceAssessment.user_id == user.id)
        .order_by(CompetenceAssessment.id.desc())
        .options(sa.orm.joinedload(CompetenceAssessment.assessor))
    )
    history: dict[int, list[CompetenceAssessment]] = {}
    for row in rows:
        history.setdefault(row.area_id, []).append(row)
    return history


@dataclass
class ProfileRow:
    area: CompetenceArea
    own: CompetenceAssessment | None
    principal: CompetenceAssessment | None
    goal: DevelopmentGoal | None
    history: list[CompetenceAssessment] = field(default_factory=list)

    @property
    def gap(self) -> int | None:
        if self.goal is None:
            return None
        return max(0, self.goal.target_level - (self.own.level if self.own else 0))


def profile(user: User, plan: DevelopmentPlan | None) -> list[ProfileRow]:
    own = latest_levels([user.id], AssessmentSource.SELF)
    principal = latest_levels([user.id], AssessmentSource.PRINCIPAL)
    goals = {g.area_id: g for g in (plan.goals if plan else [])}
    history = assessment_history(user)
    return [
        ProfileRow(
            area=area,
            own=own.get((user.id, area.id)),
            principal=principal.get((user.id, area.id)),
            goal=goals.get(area.id),
            history=history.get(area.id, []),
        )
        for area in active_areas()
    ]


@dataclass(frozen=True)
class LearnerAreas:
    """Where a person wants or needs to grow, for finding and suggesting training."""

    goals: frozenset[int]  # the areas of this school year's goals
    unmet_goals: frozenset[int]  # ... whose target level is not reached yet
    lowest: tuple[int, ...]  # the areas rated lowest (level 2 or below), lowest first


def learner_areas(user: User, year: SchoolYear, lowest_limit: int = 3) -> LearnerAreas:
    """Two queries: the goals of the year's plan, and the latest self-assessments."""
    goals = db.session.execute(
        sa.select(DevelopmentGoal.area_id, DevelopmentGoal.target_level)
        .join(DevelopmentPlan, DevelopmentPlan.id == DevelopmentGoal.plan_id)
        .where(DevelopmentPlan.user_id == user.id, DevelopmentPlan.school_year_id == year.id)
    ).all()
    own = {area: row.level for (_u, area), row in latest_levels([user.id]).items()}
    lowest = sorted((level, area) for area, level in own.items() if level <= 2)
    return LearnerAreas(
        goals=frozenset(area for area, _target in goals),
        unmet_goals=frozenset(area for area, target in goals if own.get(area, 0) < target),
        lowest=tuple(area for _level, area in lowest[:lowest_limit]),
    )


@dataclass
class Distribution:
    areas: list[CompetenceArea]
    staff_count: int
    # {area id: {level or None (not assessed): count}}
    counts: dict[int, dict[int | None, int]]

    def row(self, area_id: int) -> list[int]:
        counts = self.counts.get(area_id, {})
        return [counts.get(level, 0) for level in LEVELS] + [counts.get(None, 0)]


def unit_distribution(unit_id: int) -> Distribution:
    """How a unit's staff rate themselves: area × level counts, plus "not assessed"."""
    staff_ids = list(
        db.session.scalars(
            sa.select(UnitMembership.user_id)
            .join(User, User.id == UnitMembership.user_id)
            .where(UnitMembership.unit_id == unit_id, User.active.is_(True))
        )
    )
    areas = active_areas()
    latest = latest_levels(staff_ids)
    counts: dict[int, dict[int | None, int]] = {a.id: {} for a in areas}
    for area in areas:
        for user_id in staff_ids:
            row = latest.get((user_id, area.id))
            key = row.level if row else None
            counts[area.id][key] = counts[area.id].get(key, 0) + 1
    return Distribution(areas=areas, staff_count=len(staff_ids), counts=counts)


# --- plans ------------------------------------------------------------------------------

PLAN_SUBMITTED = "competences.plan_submitted"
PLAN_DECIDED = "competences.plan_decided"


def register_kinds() -> None:
    register_notification_kind(
        PLAN_SUBMITTED, _l("Development plans from my staff to approve"), optional=True
    )
    register_notification_kind(PLAN_DECIDED, _l("Decision on my development plan"), optional=False)


def plan_for(user: User, year: SchoolYear) -> DevelopmentPlan | None:
    return db.session.scalar(
        sa.select(DevelopmentPlan).where(
            DevelopmentPlan.user_id == user.id, DevelopmentPlan.school_year_id == year.id
        )
    )


def get_or_create_plan(user: User, year: SchoolYear) -> DevelopmentPlan:
    plan = plan_for(user, year)
    if plan is None:
        plan = DevelopmentPlan(user_id=user.id, school_year_id=year.id, status=PlanStatus.DRAFT)
        db.session.add(plan)
        db.session.flush()
        audit("plan.created", plan, changes={"school_year": year.name})
    return plan


def _require_editable(plan: DevelopmentPlan) -> None:
    if plan.status not in EDITABLE_PLAN_STATES:
        raise PlanRefused(_("The plan has been sent or approved; reopen it to make changes."), 409)


def save_goal(
    plan: DevelopmentPlan,
    goal: DevelopmentGoal | None,
    *,
    area_id: int,
    target_level: int,
    planned_actions: str,
    due_on: date,
) -> DevelopmentGoal:
    _require_editable(plan)
    if not 1 <= target_level <= MAX_LEVEL:
        raise PlanRefused(_("The target level runs from 1 to 4."), 422, "target_level")
    year = plan.school_year
    if not year.starts_on <= due_on <= year.ends_on:
        raise PlanRefused(
            _("The due date must fall in the school year %(year)s.", year=year.name),
            422,
            "due_on",
        )
    clash = next((g for g in plan.goals if g.area_id == area_id and g is not goal), None)
    if clash is not None:
        raise PlanRefused(_("The plan already has a goal in this area."), 409, "area_id")
    values = {
        "area_id": area_id,
        "target_level": target_level,
        "planned_actions": planned_actions.strip(),
        "due_on": due_on,
    }
    if goal is None:
        goal = DevelopmentGoal(**values)
        plan.goals.append(goal)
        action = "goal.created"
    else:
        for key, value in values.items():
            setattr(goal, key, value)
        action = "goal.updated"
    db.session.flush()
    audit(action, goal, changes={k: v for k, v in values.items() if k != "planned_actions"})
    return goal


def delete_goal(goal: DevelopmentGoal) -> None:
    _require_editable(goal.plan)
    audit("goal.deleted", goal, changes={"area_id": goal.area_id})
    goal.plan.goals.remove(goal)
    db.session.flush()


def plan_approvers(user: User) -> list[User]:
    unit_ids = [m.unit_id for m in user.memberships]
    return list(
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
        )
    )


def submit_plan(plan: DevelopmentPlan) -> DevelopmentPlan:
    _require_editable(plan)
    if not plan.goals:
        raise PlanRefused(_("Add at least one goal before sending the plan."), 422)
    plan.status = PlanStatus.SUBMITTED
    plan.submitted_at = utcnow()
    db.session.flush()
    audit("plan.submitted", plan)
    for principal in plan_approvers(plan.user):
        notify(
            principal,
            PLAN_SUBMITTED,
            "plan_submitted",
            {
                "plan": plan,
                "owner": plan.user,
                "plan_url": public_url("competences.plan_detail", plan_id=plan.id),
            },
            optional=True,
            dedupe_key=f"{PLAN_SUBMITTED}:{plan.id}:{plan.submitted_at.isoformat()}:{principal.id}",
        )
    return plan


def decide_plan(
    plan: DevelopmentPlan, *, approve: bool, actor: User, comment: str
) -> DevelopmentPlan:
    if plan.status != PlanStatus.SUBMITTED:
        raise PlanRefused(_("Only a plan sent for approval can be decided."))
    if plan.user_id == actor.id:
        raise PlanRefused(_("You cannot decide your own plan."), 403)
    if not approve and not comment.strip():
        raise PlanRefused(_("Tell what should change in the plan."), 422, "comment")
    plan.status = PlanStatus.APPROVED if approve else PlanStatus.RETURNED
    plan.decided_at = utcnow()
    plan.decided_by_id = actor.id
    plan.decision_comment = comment.strip()
    db.session.flush()
    audit("plan.approved" if approve else "plan.returned", plan, changes={"comment": comment})
    notify(
        plan.user,
        PLAN_DECIDED,
        "plan_decided",
        {
            "plan": plan,
            "approved": approve,
            "comment": comment.strip(),
            "plan_url": public_url("competences.plan_detail", plan_id=plan.id),
        },
        dedupe_key=f"{PLAN_DECIDED}:{plan.id}:{plan.decided_at.isoformat()}",
    )
    return plan


def reopen_plan(plan: DevelopmentPlan) -> DevelopmentPlan:
    """The owner takes a sent or approved plan back to edit it (it must be sent again)."""
    if plan.status in EDITABLE_PLAN_STATES:
        raise PlanRefused(_("The plan is already open for changes."))
    previous = plan.status
    plan.status = PlanStatus.DRAFT
    db.session.flush()
    audit("plan.reopened", plan, changes={"status": [previous, plan.status]})
    return plan


@dataclass
class GoalProgress:
    goal: DevelopmentGoal
    level: int | None
    trainings: int
    hours: Decimal
    assessed_since_plan: bool

    @property
    def reached(self) -> bool:
        return self.level is not None and self.level >= self.goal.target_level

    @property
    def status(self) -> str:
        if self.reached:
            return "reached"
        if self.trainings or self.assessed_since_plan:
            return "in_progress"
        return "not_started"

    @property
    def status_label(self) -> str:
        return {
            "reached": _("Goal reached"),
            "in_progress": _("In progress"),
            "not_started": _("Not started"),
        }[self.status]


def plan_progress(plan: DevelopmentPlan) -> list[GoalProgress]:
    """Progress of each goal: the latest self-assessment against the target, and the
    training completed in the goal's area during the plan's school year (from the hours
    ledger, so external training counts too)."""
    from pdservice.hours.models import DevelopmentHours, development_hours_area

    own = latest_levels([plan.user_id])
    area_ids = [g.area_id for g in plan.goals]
    done: dict[int, tuple[int, Decimal]] = {}
    if area_ids:
        rows = db.session.execute(
            sa.select(
                development_hours_area.c.area_id,
                sa.func.count(DevelopmentHours.id),
                sa.func.sum(DevelopmentHours.hours),
            )
            .join(DevelopmentHours, DevelopmentHours.id == development_hours_area.c.hours_id)
            .where(
                DevelopmentHours.user_id == plan.user_id,
                DevelopmentHours.school_year_id == plan.school_year_id,
                development_hours_area.c.area_id.in_(area_ids),
            )
            .group_by(development_hours_area.c.area_id)
        )
        done = {area: (count, Decimal(str(total or 0))) for area, count, total in rows}
    progress = []
    for goal in plan.goals:
        latest = own.get((plan.user_id, goal.area_id))
        count, hours = done.get(goal.area_id, (0, Decimal(0)))
        progress.append(
            GoalProgress(
                goal=goal,
                level=latest.level if latest else None,
                trainings=count,
                hours=hours,
                assessed_since_plan=bool(latest and _after(latest.assessed_at, plan.created_at)),
            )
        )
    return progress


def _after(a: datetime, b: datetime) -> bool:
    return a > b


def plans_to_review(user: User, year: SchoolYear) -> list[DevelopmentPlan]:
    """The plans of the staff of the units a principal leads (HR and admins: all)."""
    query = (
        sa.select(DevelopmentPlan)
        .where(DevelopmentPlan.school_year_id == year.id, DevelopmentPlan.user_id != user.id)
        .join(User, User.id == DevelopmentPlan.user_id)
        .order_by(DevelopmentPlan.status.desc(), User.name)
        .options(
            sa.orm.joinedload(DevelopmentPlan.user),
            sa.orm.selectinload(DevelopmentPlan.goals),
        )
    )
    if not (user.is_hr or user.is_admin):
        query = query.where(
            DevelopmentPlan.user_id.in_(
                sa.select(UnitMembership.user_id).where(
                    UnitMembership.unit_id.in_(user.principal_unit_ids or {-1})
                )
            )
        )
    return list(db.session.scalars(query).unique())
