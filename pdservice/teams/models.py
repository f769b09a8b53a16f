"""Teams of a unit and their weekly meetings.

A team's meeting for a term has a draft slot (what the principal accepted from a run or chose)
and a published slot (what members see in their timetables and calendar feeds); publishing
copies the one to the other.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from pdservice.core.models import Unit, User
from pdservice.db import UtcDateTime, enum_column, utcnow
from pdservice.extensions import db
from pdservice.teams.enums import TeamKind
from pdservice.timetable.models import PeriodSlot, Term

MAX_MEETING_SLOTS = 4


class Team(db.Model):
    __tablename__ = "team"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    unit_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("unit.id", ondelete="CASCADE"), index=True
    )
    name: so.Mapped[str] = so.mapped_column(sa.String(120))
    kind: so.Mapped[TeamKind] = so.mapped_column(enum_column(TeamKind, 20))
    # The weekly meeting's length in periods of the grid (consecutive, one day).
    meeting_slots: so.Mapped[int] = so.mapped_column(sa.SmallInteger, default=1)
    # Whether solve runs place this team's meeting.
    needs_meeting: so.Mapped[bool] = so.mapped_column(default=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UtcDateTime, default=utcnow)

    unit: so.Mapped[Unit] = so.relationship()
    members: so.Mapped[list[TeamMember]] = so.relationship(
        back_populates="team", cascade="all, delete-orphan", passive_deletes=True
    )
    meetings: so.Mapped[list[TeamMeeting]] = so.relationship(
        back_populates="team", cascade="all, delete-orphan", passive_deletes=True
    )

    __table_args__ = (
        sa.UniqueConstraint("unit_id", "name"),
        sa.CheckConstraint("length(name) > 0", name="name_not_empty"),
        sa.CheckConstraint(
            f"meeting_slots BETWEEN 1 AND {MAX_MEETING_SLOTS}", name="meeting_slots_range"
        ),
    )

    @property
    def scope_unit_ids(self) -> set[int]:
        return {self.unit_id}

    @property
    def member_ids(self) -> list[int]:
        return sorted(m.user_id for m in self.members)

    def meeting_for(self, term_id: int) -> TeamMeeting | None:
        return next((m for m in self.meetings if m.term_id == term_id), None)


class TeamMember(db.Model):
    __tablename__ = "team_member"

    team_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("team.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True, index=True
    )

    team: so.Mapped[Team] = so.relationship(back_populates="members")
    user: so.Mapped[User] = so.relationship()


class TeamMeeting(db.Model):
    """A team's weekly meeting in one term."""

    __tablename__ = "team_meeting"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    team_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("team.id", ondelete="CASCADE"), index=True
    )
    term_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("term.id", ondelete="CASCADE"), index=True
    )
    # The draft: accepted from a run, or chosen with "find a slot". None: no draft meeting.
    start_slot_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("period_slot.id", ondelete="CASCADE"), index=True
    )
    length: so.Mapped[int] = so.mapped_column(sa.SmallInteger, default=1)
    # What members see: set by publishing (or directly by "find a slot").
    published_slot_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("period_slot.id", ondelete="CASCADE"), index=True
    )
    published_length: so.Mapped[int | None] = so.mapped_column(sa.SmallInteger)
    published_at: so.Mapped[datetime | None] = so.mapped_column(UtcDateTime)
    source: so.Mapped[str] = so.mapped_column(sa.String(20), default="manual")  # run, find_slot
    decided_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    decided_at: so.Mapped[datetime] = so.mapped_column(UtcDateTime, default=utcnow)

    team: so.Mapped[Team] = so.relationship(back_populates="meetings")
    term: so.Mapped[Term] = so.relationship()
    start_slot: so.Mapped[PeriodSlot | None] = so.relationship(foreign_keys=[start_slot_id])
    published_slot: so.Mapped[PeriodSlot | None] = so.relationship(foreign_keys=[published_slot_id])

    __table_args__ = (
        sa.UniqueConstraint("team_id", "term_id"),
        sa.CheckConstraint(f"length BETWEEN 1 AND {MAX_MEETING_SLOTS}", name="length_range"),
        sa.CheckConstraint(
            "(published_slot_id IS NULL) = (published_length IS NULL)", name="published_pair"
        ),
    )

    @property
    def scope_unit_ids(self) -> set[int]:
        return {self.team.unit_id}
