"""Competence profiles reach the solver: strengths from self-assessments, development goals
from the term's school-year plan, for the complementarity term."""

from datetime import date

import sqlalchemy as sa

from pdservice.competences.enums import AssessmentSource, PlanStatus
from pdservice.competences.models import CompetenceAssessment, DevelopmentGoal, DevelopmentPlan
from pdservice.core.models import CompetenceArea
from pdservice.coteaching.solving.parameters import RunOptions
from pdservice.coteaching.solving.problem import build_input
from pdservice.extensions import db
from pdservice.timetable.models import Term


def area_id(code: str) -> int:
    return db.session.scalar(sa.select(CompetenceArea.id).where(CompetenceArea.code == code))


def test_strengths_and_goals_are_passed_to_the_solver(app, school):
    with app.app_context():
        term = db.session.get(Term, school.term_id)
        for user, code, level in [
            (school.sam, "INCL", 4),  # a strength
            (school.sam, "DIGI", 2),  # not (yet) a strength
            (school.teacher, "INCL", 1),
        ]:
            db.session.add(
                CompetenceAssessment(
                    user_id=user.id,
                    area_id=area_id(code),
                    level=level,
                    source=AssessmentSource.SELF,
                    assessor_id=user.id,
                )
            )
        # Sam later rates DIGI higher: the latest assessment counts.
        db.session.add(
            CompetenceAssessment(
                user_id=school.sam.id,
                area_id=area_id("DIGI"),
                level=3,
                source=AssessmentSource.SELF,
                assessor_id=school.sam.id,
            )
        )
        for user, status, code in [
            (school.teacher, PlanStatus.APPROVED, "INCL"),
            (school.bea, PlanStatus.RETURNED, "L5"),  # a returned plan is not a goal yet
        ]:
            plan = DevelopmentPlan(
                user_id=user.id, school_year_id=term.school_year_id, status=status
            )
            plan.goals = [
                DevelopmentGoal(area_id=area_id(code), target_level=3, due_on=date(2026, 5, 31))
            ]
            db.session.add(plan)
        db.session.commit()

        inp = build_input(term, RunOptions())
        teachers = {t.id: t for t in inp.problem.teachers}
        sam = teachers["sam.special@example.org"]
        assert sam.strengths == frozenset({"INCL", "DIGI"})
        teacher = teachers[school.teacher.email]
        assert teacher.development_goals == frozenset({"INCL"})
        assert teacher.strengths == frozenset()
        assert teachers[school.bea.email].development_goals == frozenset()
        db.session.remove()
