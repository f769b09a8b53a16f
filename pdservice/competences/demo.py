"""The demo's competences: every staff member's self-assessment (with some history), the
principals' views of some, and development plans for this school year in every state."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa

from pdservice.clock import HELSINKI
from pdservice.competences.enums import AssessmentSource, PlanStatus
from pdservice.competences.models import CompetenceAssessment, DevelopmentGoal, DevelopmentPlan
from pdservice.core.enums import Profession, UnitRole
from pdservice.core.models import CompetenceArea, UnitMembership, User
from pdservice.core.services import current_school_year
from pdservice.db import utcnow
from pdservice.extensions import db

P = Profession
# Areas people of a profession tend to rate themselves higher in.
STRENGTHS = {
    P.SPECIAL_NEEDS_TEACHER: ("INCL", "COTEACH", "MULTI", "SEL"),
    P.SPECIAL_CLASS_TEACHER: ("INCL", "SEL", "L3"),
    P.CLASS_TEACHER: ("L1", "L2", "L4"),
    P.SUBJECT_TEACHER: ("ASSESS", "L6", "L5"),
    P.GUIDANCE_COUNSELLOR: ("L6", "MULTI"),
    P.PSYCHOLOGIST: ("SEL", "MULTI", "L3"),
    P.SCHOOL_SOCIAL_WORKER: ("SEL", "MULTI", "L2"),
    P.NURSE: ("L3", "MULTI"),
    P.PRINCIPAL: ("PARLEAD", "MULTI", "ASSESS"),
    P.VICE_PRINCIPAL: ("PARLEAD", "MULTI"),
    P.SCHOOL_ASSISTANT: ("L3", "SEL"),
}
ACTIONS = [
    "Osallistun kaupungin koulutukseen ja kokeilen opittua omassa luokassa.",
    "Yhteisopettajuusjakso erityisopettajan kanssa syyslukukaudella.",
    "Vertaishavainnointi kollegan tunneilla ja yhteinen palautekeskustelu.",
    "Luen aiheesta ja jaan opitun tiimipalaverissa.",
    "Pilotoin uuden työtavan yhden ryhmän kanssa ja arvioin sen vaikutukset.",
]
RETURN_COMMENTS = [
    "Tarkennetaan tavoitetasoa ja lisätään yksi konkreettinen toimenpide.",
    "Hyvä alku; lisää vielä, miten yhteisopettajuus näkyy suunnitelmassa.",
]


def _local(day, hour=15) -> datetime:
    return datetime.combine(day, time(hour), HELSINKI).astimezone(UTC)


def seed(ctx) -> None:
    rng = ctx.rng("competences")
    year = current_school_year()
    areas = list(
        db.session.scalars(
            sa.select(CompetenceArea)
            .where(CompetenceArea.active.is_(True))
            .order_by(CompetenceArea.sort_order)
        )
    )
    members = db.session.execute(
        sa.select(User, UnitMembership.unit_id)
        .join(UnitMembership, UnitMembership.user_id == User.id)
        .where(User.active.is_(True))
        .order_by(User.id)
    ).all()
    principals = dict(
        db.session.execute(
            sa.select(UnitMembership.unit_id, UnitMembership.user_id).where(
                UnitMembership.role == UnitRole.PRINCIPAL
            )
        ).all()
    )
    assessed = set(db.session.scalars(sa.select(CompetenceAssessment.user_id).distinct()))
    planned = set(
        db.session.scalars(
            sa.select(DevelopmentPlan.user_id).where(DevelopmentPlan.school_year_id == year.id)
        )
    )
    now = utcnow()
    baseline_at = min(_local(year.starts_on + timedelta(days=18)), now - timedelta(days=2))
    demo_teachers = {a.email for a in ctx.accounts if a.role == "teacher"}
    rows: list[CompetenceAssessment] = []
    for user, unit_id in members:
        if user.id in assessed:
            continue
        assessed.add(user.id)
        strong = STRENGTHS.get(user.profession, ())
        levels = {}
        for area in areas:
            base = rng.choice([1, 1, 2, 2, 2, 3]) + (1 if area.code in strong else 0)
            levels[area.id] = min(4, base)
            rows.append(
                CompetenceAssessment(
                    user_id=user.id,
                    area_id=area.id,
                    source=AssessmentSource.SELF,
                    level=levels[area.id],
                    assessor_id=user.id,
                    assessed_at=baseline_at,
                )
            )
        # Some reassess a few areas later in the autumn: the history.
        if rng.random() < 0.45 or user.email in demo_teachers:
            later = min(baseline_at + timedelta(days=rng.randint(30, 80)), now - timedelta(hours=3))
            for area in rng.sample(areas, 3):
                if levels[area.id] < 4:
                    levels[area.id] += 1
                    rows.append(
                        CompetenceAssessment(
                            user_id=user.id,
                            area_id=area.id,
                            source=AssessmentSource.SELF,
                            level=levels[area.id],
                            assessor_id=user.id,
                            assessed_at=later,
                            note="Koulutuksen jälkeen",
                        )
                    )
        principal_id = principals.get(unit_id)
        if principal_id and principal_id != user.id and rng.random() < 0.3:
            for area in rng.sample(areas, 3):
                rows.append(
                    CompetenceAssessment(
                        user_id=user.id,
                        area_id=area.id,
                        source=AssessmentSource.PRINCIPAL,
                        level=max(0, min(4, levels[area.id] + rng.choice([-1, 0, 0, 1]))),
                        assessor_id=principal_id,
                        assessed_at=baseline_at + timedelta(days=10),
                        note="Kehityskeskustelu",
                    )
                )
        if user.id not in planned and (rng.random() < 0.7 or user.email in demo_teachers):
            if user.profession in (P.HR_SPECIALIST, P.ADMINISTRATOR):
                continue
            planned.add(user.id)
            _plan(rng, user, year, levels, areas, principal_id, baseline_at, now)
    db.session.add_all(rows)
    db.session.flush()


def _plan(rng, user, year, levels, areas, principal_id, baseline_at, now) -> None:
    lowest = sorted(areas, key=lambda a: (levels[a.id], rng.random()))[:3]
    status = rng.choices(
        [PlanStatus.APPROVED, PlanStatus.SUBMITTED, PlanStatus.DRAFT, PlanStatus.RETURNED],
        weights=[55, 20, 15, 10],
    )[0]
    if principal_id is None or principal_id == user.id:
        status = PlanStatus.DRAFT
    created = baseline_at + timedelta(days=2)
    plan = DevelopmentPlan(
        user_id=user.id, school_year_id=year.id, status=status, created_at=created
    )
    for area in lowest[: rng.choice([2, 3])]:
        plan.goals.append(
            DevelopmentGoal(
                area_id=area.id,
                target_level=min(4, levels[area.id] + 1),
                planned_actions=rng.choice(ACTIONS),
                due_on=year.ends_on.replace(month=5, day=rng.choice([15, 29])),
                created_at=created,
            )
        )
    if status != PlanStatus.DRAFT:
        plan.submitted_at = min(created + timedelta(days=5), now - timedelta(hours=2))
    if status in (PlanStatus.APPROVED, PlanStatus.RETURNED):
        plan.decided_at = min(plan.submitted_at + timedelta(days=4), now - timedelta(hours=1))
        plan.decided_by_id = principal_id
        plan.decision_comment = (
            rng.choice(RETURN_COMMENTS) if status == PlanStatus.RETURNED else "Hyvä suunnitelma."
        )
    db.session.add(plan)
