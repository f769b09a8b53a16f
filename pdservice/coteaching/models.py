"""Co-teaching: wishes, solve runs with their progress and proposals, the principal's decisions
(accepted, rejected, pinned, published) and the pairs' joint planning time."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from pdservice.core.models import Unit, User
from pdservice.coteaching.enums import Answer, DecisionState, PartnerKind, RunStatus
from pdservice.db import UtcDateTime, enum_column, utcnow
from pdservice.extensions import db
from pdservice.teams.models import Team
from pdservice.timetable.models import Lesson, PeriodSlot, Term

ACTIVE_STATUS_SQL = "status IN ('queued', 'running')"


class CoTeachingPreference(db.Model):
    """A staff member's co-teaching wishes for one term. Avoided partners are private: only the
    person and the unit's principals ever see them."""

    __tablename__ = "coteaching_preference"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    term_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("term.id", ondelete="CASCADE"), index=True
    )
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    willing: so.Mapped[bool] = so.mapped_column(default=True)
    # Most co-taught lessons (periods) a week, hosting and joining together.
    max_lessons: so.Mapped[int] = so.mapped_column(sa.SmallInteger, default=4)
    comment: so.Mapped[str | None] = so.mapped_column(sa.String(500))
    updated_at: so.Mapped[datetime] = so.mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    term: so.Mapped[Term] = so.relationship()
    user: so.Mapped[User] = so.relationship()
    subjects: so.Mapped[list[PreferenceSubject]] = so.relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="PreferenceSubject.code"
    )
    partners: so.Mapped[list[PreferencePartner]] = so.relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )

    __table_args__ = (
        sa.UniqueConstraint("term_id", "user_id"),
        sa.CheckConstraint("max_lessons BETWEEN 0 AND 30", name="max_lessons_range"),
    )

    @property
    def scope_unit_ids(self) -> set[int]:
        return {self.term.unit_id}

    @property
    def owner_id(self) -> int:
        return self.user_id

    def partner_ids(self, kind: PartnerKind) -> list[int]:
        return sorted(p.partner_id for p in self.partners if p.kind == kind)


class PreferenceSubject(db.Model):
    """A subject (by code, so it survives re-imports) the person would co-teach in."""

    __tablename__ = "preference_subject"

    preference_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("coteaching_preference.id", ondelete="CASCADE"), primary_key=True
    )
    code: so.Mapped[str] = so.mapped_column(sa.String(40), primary_key=True)


class PreferencePartner(db.Model):
    __tablename__ = "preference_partner"

    preference_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("coteaching_preference.id", ondelete="CASCADE"), primary_key=True
    )
    partner_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    kind: so.Mapped[PartnerKind] = so.mapped_column(enum_column(PartnerKind, 10))

    partner: so.Mapped[User] = so.relationship()


class SolveRun(db.Model):
    """One solver run for a unit's term. The table is also the queue: the jobs process claims
    queued rows and runs each in a child process that reports progress and heartbeats here."""

    __tablename__ = "solve_run"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    unit_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("unit.id", ondelete="CASCADE"), index=True
    )
    term_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("term.id", ondelete="CASCADE"), index=True
    )
    status: so.Mapped[RunStatus] = so.mapped_column(
        enum_column(RunStatus, 20), default=RunStatus.QUEUED
    )
    parameters: so.Mapped[dict[str, Any]] = so.mapped_column(sa.JSON, default=dict)
    timetable_version: so.Mapped[int] = so.mapped_column(default=0)
    previous_run_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("solve_run.id", ondelete="SET NULL"), index=True
    )
    created_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    created_at: so.Mapped[datetime] = so.mapped_column(UtcDateTime, default=utcnow)
    started_at: so.Mapped[datetime | None] = so.mapped_column(UtcDateTime)
    finished_at: so.Mapped[datetime | None] = so.mapped_column(UtcDateTime)
    heartbeat_at: so.Mapped[datetime | None] = so.mapped_column(UtcDateTime)
    stop_requested: so.Mapped[bool] = so.mapped_column(default=False)
    worker: so.Mapped[str | None] = so.mapped_column(sa.String(120))  # host:pid
    # Figures of the plan (None until there is one).
    objective: so.Mapped[int | None] = so.mapped_column()
    bound: so.Mapped[float | None] = so.mapped_column(sa.Float)
    gap: so.Mapped[float | None] = so.mapped_column(sa.Float)
    wall_seconds: so.Mapped[float | None] = so.mapped_column(sa.Float)
    first_solution_seconds: so.Mapped[float | None] = so.mapped_column(sa.Float)
    greedy_objective: so.Mapped[int | None] = so.mapped_column()
    covered: so.Mapped[int | None] = so.mapped_column()
    staff: so.Mapped[int | None] = so.mapped_column()
    proposal_count: so.Mapped[int] = so.mapped_column(default=0)
    meeting_count: so.Mapped[int] = so.mapped_column(default=0)
    failure_code: so.Mapped[str | None] = so.mapped_column(sa.String(40))
    failure_reason: so.Mapped[str | None] = so.mapped_column(sa.Text)
    # Structured outcome: unmet wishes, conflicts, score terms, changes, solver statistics.
    result: so.Mapped[dict[str, Any]] = so.mapped_column(sa.JSON, default=dict)

    unit: so.Mapped[Unit] = so.relationship()
    term: so.Mapped[Term] = so.relationship()
    created_by: so.Mapped[User | None] = so.relationship()
    proposals: so.Mapped[list[Proposal]] = so.relationship(
        back_populates="run",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Proposal.rank",
    )
    meeting_proposals: so.Mapped[list[MeetingProposal]] = so.relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="MeetingProposal.id"
    )
    progress: so.Mapped[list[SolveProgress]] = so.relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="SolveProgress.seconds"
    )

    __table_args__ = (
        # One active run per unit, guarded by the database as well as the service.
        sa.Index(
            "uq_solve_run_active_unit",
            "unit_id",
            unique=True,
            sqlite_where=sa.text(ACTIVE_STATUS_SQL),
            postgresql_where=sa.text(ACTIVE_STATUS_SQL),
        ),
        sa.Index("ix_solve_run_status_created_at", "status", "created_at"),
        sa.CheckConstraint("gap IS NULL OR gap >= 0", name="gap_not_negative"),
    )

    @property
    def scope_unit_ids(self) -> set[int]:
        return {self.unit_id}

    @property
    def time_limit_seconds(self) -> float:
        return float(self.parameters.get("solver", {}).get("time_limit_seconds", 0) or 0)

    @property
    def coverage_share(self) -> float | None:
        if not self.staff or self.covered is None:
            return None
        return self.covered / self.staff


class SolveProgress(db.Model):
    """A point of the search: seconds since start, the best plan's objective, the bound."""

    __tablename__ = "solve_progress"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    run_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("solve_run.id", ondelete="CASCADE"), index=True
    )
    seconds: so.Mapped[float] = so.mapped_column(sa.Float)
    objective: so.Mapped[float | None] = so.mapped_column(sa.Float)
    bound: so.Mapped[float | None] = so.mapped_column(sa.Float)


class Proposal(db.Model):
    """A proposed co-teaching pair with its lessons and the objective terms that justify it."""

    __tablename__ = "proposal"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    run_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("solve_run.id", ondelete="CASCADE"), index=True
    )
    rank: so.Mapped[int] = so.mapped_column(sa.SmallInteger)
    teacher_a_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    teacher_b_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    hours: so.Mapped[int] = so.mapped_column(sa.SmallInteger)
    points: so.Mapped[float] = so.mapped_column(sa.Float)
    # [{"code", "value", "points", "data"}]: the solver's explanation, translated on display.
    terms: so.Mapped[list[dict[str, Any]]] = so.mapped_column(sa.JSON, default=list)

    run: so.Mapped[SolveRun] = so.relationship(back_populates="proposals")
    teacher_a: so.Mapped[User] = so.relationship(foreign_keys=[teacher_a_id])
    teacher_b: so.Mapped[User] = so.relationship(foreign_keys=[teacher_b_id])
    lessons: so.Mapped[list[ProposalLesson]] = so.relationship(
        back_populates="proposal", cascade="all, delete-orphan", passive_deletes=True
    )
    responses: so.Mapped[list[ProposalResponse]] = so.relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="ProposalResponse.user_id"
    )

    __table_args__ = (
        sa.CheckConstraint("teacher_a_id <> teacher_b_id", name="two_teachers"),
        sa.UniqueConstraint("run_id", "teacher_a_id", "teacher_b_id"),
    )

    @property
    def scope_unit_ids(self) -> set[int]:
        return {self.run.unit_id}

    @property
    def teacher_ids(self) -> tuple[int, int]:
        return (self.teacher_a_id, self.teacher_b_id)

    def involves(self, user_id: int) -> bool:
        return user_id in self.teacher_ids

    def response_of(self, user_id: int) -> ProposalResponse | None:
        return next((r for r in self.responses if r.user_id == user_id), None)


class ProposalLesson(db.Model):
    """`coteacher` joins `lesson` (taught by the other teacher of the pair)."""

    __tablename__ = "proposal_lesson"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    proposal_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("proposal.id", ondelete="CASCADE"), index=True
    )
    lesson_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("lesson.id", ondelete="CASCADE"), index=True
    )
    coteacher_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )

    proposal: so.Mapped[Proposal] = so.relationship(back_populates="lessons")
    lesson: so.Mapped[Lesson] = so.relationship()
    coteacher: so.Mapped[User] = so.relationship()

    __table_args__ = (sa.UniqueConstraint("proposal_id", "lesson_id", "coteacher_id"),)

    @property
    def scope_unit_ids(self) -> set[int]:
        return {self.proposal.run.unit_id}


class ProposalResponse(db.Model):
    """A teacher's answer to a proposal that involves them."""

    __tablename__ = "proposal_response"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    proposal_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("proposal.id", ondelete="CASCADE"), index=True
    )
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    answer: so.Mapped[Answer] = so.mapped_column(enum_column(Answer, 10))
    comment: so.Mapped[str | None] = so.mapped_column(sa.String(1000))
    answered_at: so.Mapped[datetime] = so.mapped_column(
        UtcDateTime, default=utcnow, onupdate=utcnow
    )

    user: so.Mapped[User] = so.relationship()

    __table_args__ = (sa.UniqueConstraint("proposal_id", "user_id"),)


class MeetingProposal(db.Model):
    """A team meeting slot a run proposes."""

    __tablename__ = "meeting_proposal"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    run_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("solve_run.id", ondelete="CASCADE"), index=True
    )
    team_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("team.id", ondelete="CASCADE"), index=True
    )
    start_slot_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("period_slot.id", ondelete="CASCADE"), index=True
    )
    length: so.Mapped[int] = so.mapped_column(sa.SmallInteger)
    terms: so.Mapped[list[dict[str, Any]]] = so.mapped_column(sa.JSON, default=list)

    run: so.Mapped[SolveRun] = so.relationship(back_populates="meeting_proposals")
    team: so.Mapped[Team] = so.relationship()
    start_slot: so.Mapped[PeriodSlot] = so.relationship()

    __table_args__ = (
        sa.UniqueConstraint("run_id", "team_id"),
        sa.CheckConstraint("length >= 1", name="length_positive"),
    )

    @property
    def scope_unit_ids(self) -> set[int]:
        return {self.run.unit_id}


class CoTeachingAssignment(db.Model):
    """The principal's decision on `coteacher` joining `lesson` for the term.

    `state`: accepted (published at the next publish), rejected (later runs never propose it)
    or open (no decision, but still in the published timetable until the next publish).
    `pinned`: an accepted lesson that every later run must keep. `published`: part of the
    unit's published co-teaching timetable.
    """

    __tablename__ = "coteaching_assignment"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    term_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("term.id", ondelete="CASCADE"), index=True
    )
    lesson_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("lesson.id", ondelete="CASCADE"), index=True
    )
    coteacher_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    state: so.Mapped[DecisionState] = so.mapped_column(enum_column(DecisionState, 10))
    pinned: so.Mapped[bool] = so.mapped_column(default=False)
    published: so.Mapped[bool] = so.mapped_column(default=False)
    run_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("solve_run.id", ondelete="SET NULL"), index=True
    )
    decided_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    decided_at: so.Mapped[datetime] = so.mapped_column(UtcDateTime, default=utcnow)
    published_at: so.Mapped[datetime | None] = so.mapped_column(UtcDateTime)

    lesson: so.Mapped[Lesson] = so.relationship()
    coteacher: so.Mapped[User] = so.relationship(foreign_keys=[coteacher_id])
    term: so.Mapped[Term] = so.relationship()

    __table_args__ = (
        sa.UniqueConstraint("lesson_id", "coteacher_id"),
        sa.CheckConstraint("NOT pinned OR state = 'accepted'", name="pinned_is_accepted"),
        sa.CheckConstraint("published OR state <> 'open'", name="open_is_published"),
    )

    @property
    def scope_unit_ids(self) -> set[int]:
        return {self.term.unit_id}


class RejectedPair(db.Model):
    """The principal's decision that two people do not form a pair in this term."""

    __tablename__ = "rejected_pair"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    term_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("term.id", ondelete="CASCADE"), index=True
    )
    teacher_low_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    teacher_high_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    decided_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    decided_at: so.Mapped[datetime] = so.mapped_column(UtcDateTime, default=utcnow)

    __table_args__ = (
        sa.UniqueConstraint("term_id", "teacher_low_id", "teacher_high_id"),
        sa.CheckConstraint("teacher_low_id < teacher_high_id", name="ordered_pair"),
    )


class PlanningEntry(db.Model):
    """Joint planning time a published co-teaching pair logs; each of the two is credited the
    hours in the development-hours ledger (kind `coteaching_planning`)."""

    __tablename__ = "planning_entry"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    term_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("term.id", ondelete="CASCADE"), index=True
    )
    teacher_low_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    teacher_high_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    logged_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    occurred_on: so.Mapped[date] = so.mapped_column(sa.Date)
    hours: so.Mapped[Decimal] = so.mapped_column(sa.Numeric(4, 2))
    note: so.Mapped[str | None] = so.mapped_column(sa.String(500))
    created_at: so.Mapped[datetime] = so.mapped_column(UtcDateTime, default=utcnow)

    term: so.Mapped[Term] = so.relationship()
    teacher_low: so.Mapped[User] = so.relationship(foreign_keys=[teacher_low_id])
    teacher_high: so.Mapped[User] = so.relationship(foreign_keys=[teacher_high_id])
    logged_by: so.Mapped[User | None] = so.relationship(foreign_keys=[logged_by_id])

    __table_args__ = (
        sa.CheckConstraint("teacher_low_id < teacher_high_id", name="ordered_pair"),
        sa.CheckConstraint("hours > 0 AND hours <= 12", name="hours_range"),
        sa.Index("ix_planning_entry_pair", "term_id", "teacher_low_id", "teacher_high_id"),
    )

    @property
    def scope_unit_ids(self) -> set[int]:
        return {self.term.unit_id}

    @property
    def teacher_ids(self) -> tuple[int, int]:
        return (self.teacher_low_id, self.teacher_high_id)
