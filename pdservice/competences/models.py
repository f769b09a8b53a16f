"""Competence assessments (history kept) and development plans with their goals."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from pdservice.competences.enums import EDITABLE_PLAN_STATES, AssessmentSource, PlanStatus
from pdservice.core.models import CompetenceArea, SchoolYear, User
from pdservice.db import UtcDateTime, enum_column, utcnow
from pdservice.extensions import db


class CompetenceAssessment(db.Model):
    """One assessment of one person in one area. Rows are only ever added: the latest row
    per (person, area, source) is the current level, the earlier ones are its history."""

    __tablename__ = "competence_assessment"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    area_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("competence_area.id"), index=True)
    source: so.Mapped[AssessmentSource] = so.mapped_column(enum_column(AssessmentSource))
    level: so.Mapped[int] = so.mapped_column()
    note: so.Mapped[str | None] = so.mapped_column(sa.Text)
    assessor_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    assessed_at: so.Mapped[datetime] = so.mapped_column(UtcDateTime, default=utcnow)

    user: so.Mapped[User] = so.relationship(foreign_keys=[user_id])
    assessor: so.Mapped[User | None] = so.relationship(foreign_keys=[assessor_id])
    area: so.Mapped[CompetenceArea] = so.relationship()

    __table_args__ = (
        sa.CheckConstraint("level >= 0 AND level <= 4", name="level_range"),
        sa.Index("ix_competence_assessment_latest", "user_id", "area_id", "source", "id"),
    )


class DevelopmentPlan(db.Model):
    """A staff member's development plan for one school year."""

    __tablename__ = "development_plan"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    school_year_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("school_year.id"), index=True)
    status: so.Mapped[PlanStatus] = so.mapped_column(
        enum_column(PlanStatus), default=PlanStatus.DRAFT
    )
    submitted_at: so.Mapped[datetime | None] = so.mapped_column(UtcDateTime)
    decided_at: so.Mapped[datetime | None] = so.mapped_column(UtcDateTime)
    decided_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    decision_comment: so.Mapped[str | None] = so.mapped_column(sa.Text)
    created_at: so.Mapped[datetime] = so.mapped_column(UtcDateTime, default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    user: so.Mapped[User] = so.relationship(foreign_keys=[user_id])
    decided_by: so.Mapped[User | None] = so.relationship(foreign_keys=[decided_by_id])
    school_year: so.Mapped[SchoolYear] = so.relationship()
    goals: so.Mapped[list[DevelopmentGoal]] = so.relationship(
        back_populates="plan",
        cascade="all, delete-orphan",
        order_by="DevelopmentGoal.due_on, DevelopmentGoal.id",
    )

    __table_args__ = (sa.UniqueConstraint("user_id", "school_year_id"),)

    @property
    def scope_unit_ids(self) -> set[int]:
        return self.user.member_unit_ids

    @property
    def owner_id(self) -> int:
        return self.user_id

    @property
    def editable(self) -> bool:
        return self.status in EDITABLE_PLAN_STATES


class DevelopmentGoal(db.Model):
    """A goal of a plan: reach `target_level` in an area by `due_on`, through the planned
    actions. At most one goal per area in a plan."""

    __tablename__ = "development_goal"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    plan_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("development_plan.id", ondelete="CASCADE"), index=True
    )
    area_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("competence_area.id"), index=True)
    target_level: so.Mapped[int] = so.mapped_column()
    planned_actions: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    due_on: so.Mapped[date] = so.mapped_column(sa.Date)
    created_at: so.Mapped[datetime] = so.mapped_column(UtcDateTime, default=utcnow)

    plan: so.Mapped[DevelopmentPlan] = so.relationship(back_populates="goals")
    area: so.Mapped[CompetenceArea] = so.relationship()

    __table_args__ = (
        sa.CheckConstraint("target_level >= 1 AND target_level <= 4", name="target_level_range"),
        sa.UniqueConstraint("plan_id", "area_id"),
    )

    @property
    def scope_unit_ids(self) -> set[int]:
        return self.plan.scope_unit_ids

    @property
    def owner_id(self) -> int:
        return self.plan.user_id
